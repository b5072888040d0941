//! The structural pass: the span-carrying tree is walked against the key schema, collecting unknown keys, missing
//! keys, wrong types, unknown enum values and out-of-range integers, and producing the cleaned tree the model is
//! deserialised from plus the [`Index`] of locations the semantic checks report with.
//!
//! Invariants: every issue is collected (the walk never stops early); unknown keys are dropped; a broken top-level
//! entry is dropped and its names remembered; nothing here panics.

use std::ops::Range;

use toml::Value;

use super::schema::{self, Field, Ty, ROOT};
use super::tree::{Node, SNode};
use super::{line_of, ConfigIssue, Index};

pub(super) struct Walker<'a> {
    pub text: &'a str,
    pub origin: &'a str,
    pub issues: Vec<ConfigIssue>,
    pub index: Index,
}

/// A position in the tree: canonical path (for the index) and display path (for messages).
#[derive(Clone)]
struct At {
    canonical: String,
    display: String,
}

impl At {
    fn key(&self, key: &str) -> At {
        let join = |p: &str| {
            if p.is_empty() {
                key.to_string()
            } else {
                format!("{p}.{key}")
            }
        };
        At { canonical: join(&self.canonical), display: join(&self.display) }
    }
    fn item(&self, i: usize, label: Option<String>) -> At {
        let canonical = format!("{}[{i}]", self.canonical);
        let display = match label {
            Some(l) => format!("{}[{i}] ({l})", self.display),
            None => format!("{}[{i}]", self.display),
        };
        At { canonical, display }
    }
}

impl Walker<'_> {
    fn issue(&mut self, at: &At, span: Option<&Range<usize>>, message: String) {
        let line = span.map(|s| line_of(self.text, s.start));
        let location = match line {
            Some(l) if at.display.is_empty() => format!("{}:{l}", self.origin),
            Some(l) => format!("{}:{l} {}", self.origin, at.display),
            None => format!("{} {}", self.origin, at.display),
        };
        self.issues.push(ConfigIssue { location, message, line });
    }

    fn record(&mut self, at: &At, span: Option<&Range<usize>>) {
        if let Some(span) = span {
            let line = line_of(self.text, span.start);
            self.index.paths.insert(at.canonical.clone(), (line, at.display.clone()));
        }
    }

    pub fn walk_root(&mut self, root: &Node) -> toml::Table {
        let top = At { canonical: String::new(), display: String::new() };
        let Node::Table(entries) = root else {
            self.issue(&top, None, "the document is not a table".into());
            return toml::Table::new();
        };
        let (mut table, _) = self.walk_table(entries, ROOT, &top, None, true);
        // The semantic pass still runs when `[pipeline]` is broken or missing (already reported).
        if !table.contains_key("pipeline") {
            let mut meta = toml::Table::new();
            meta.insert("name".into(), Value::String(String::new()));
            meta.insert("version".into(), Value::Integer(0));
            table.insert("pipeline".into(), Value::Table(meta));
        }
        table
    }

    /// Walk one table against its fields; returns the cleaned table and whether it is structurally valid
    /// (unknown keys do not make it invalid, they are dropped).
    fn walk_table(
        &mut self,
        entries: &[(String, SNode)],
        fields: &'static [Field],
        at: &At,
        span: Option<&Range<usize>>,
        top: bool,
    ) -> (toml::Table, bool) {
        let mut out = toml::Table::new();
        let mut valid = true;
        for (key, value) in entries {
            let here = at.key(key);
            let Some(field) = fields.iter().find(|f| f.key == key) else {
                let msg = schema::unknown_key_message(key, fields);
                self.issue(&here, value.span.as_ref(), msg);
                continue;
            };
            self.record(&here, value.span.as_ref());
            match self.walk_value(value, field, &here, top) {
                Some(v) => {
                    out.insert(key.clone(), v);
                }
                None if top && !field.required => {}
                None => valid = false,
            }
        }
        let missing: Vec<String> = fields
            .iter()
            .filter(|f| f.required && !entries.iter().any(|(k, _)| k == f.key))
            .map(|f| format!("`{}`", f.key))
            .collect();
        if !missing.is_empty() {
            let plural = if missing.len() == 1 { "key" } else { "keys" };
            let msg = format!("missing required {plural} {}", missing.join(", "));
            // Implicit tables have no span of their own: point at their first key instead.
            let anchor = span.or_else(|| entries.first().and_then(|(_, v)| v.span.as_ref()));
            self.issue(at, anchor.filter(|_| !at.display.is_empty()), msg);
            valid = false;
        }
        (out, valid)
    }

    /// Check one value; `None` if it cannot go into the model.
    fn walk_value(&mut self, value: &SNode, field: &Field, at: &At, top: bool) -> Option<Value> {
        let span = value.span.as_ref();
        let node = &value.node;
        let wrong = |w: &mut Self, expected: &str| {
            let msg = format!("expected {expected}, found {}", node.type_name());
            w.issue(at, span, msg);
            None
        };
        match (field.ty, node) {
            (Ty::Str, Node::Str(s)) => Some(Value::String(s.clone())),
            (Ty::Bool, Node::Bool(b)) => Some(Value::Boolean(*b)),
            (Ty::Float, Node::Float(x)) => Some(Value::Float(*x)),
            (Ty::Float, Node::Int(i)) => Some(Value::Float(*i as f64)),
            (Ty::UInt(max), Node::Int(i)) => {
                if *i < 0 || (*i as u64) > max {
                    self.issue(at, span, format!("{i} is out of range (0..={max})"));
                    return None;
                }
                Some(Value::Integer(*i))
            }
            (Ty::Enum(names), Node::Str(s)) => {
                if names.contains(&s.as_str()) {
                    return Some(Value::String(s.clone()));
                }
                self.issue(at, span, schema::unknown_value_message(s, names));
                None
            }
            (Ty::StrList, Node::Array(items)) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let here = at.item(i, None);
                    self.record(&here, item.span.as_ref());
                    match &item.node {
                        Node::Str(s) => out.push(Value::String(s.clone())),
                        other => {
                            let msg = format!("expected a string, found {}", other.type_name());
                            self.issue(&here, item.span.as_ref(), msg);
                        }
                    }
                }
                (out.len() == items.len()).then_some(Value::Array(out))
            }
            (Ty::Table(fields), Node::Table(entries)) => {
                let (t, ok) = self.walk_table(entries, fields, at, span, false);
                ok.then_some(Value::Table(t))
            }
            (Ty::Modes(keys, fields), Node::Table(entries)) => self.walk_modes(entries, keys, fields, at),
            (Ty::Tables(fields), Node::Array(items)) => self.walk_tables(items, fields, at, top),
            (Ty::Str | Ty::Enum(_), _) => wrong(self, "a string"),
            (Ty::Bool, _) => wrong(self, "a boolean (true or false)"),
            (Ty::Float, _) => wrong(self, "a number"),
            (Ty::UInt(_), _) => wrong(self, "a non-negative integer"),
            (Ty::StrList, _) => wrong(self, "an array of strings"),
            (Ty::Table(_) | Ty::Modes(..), _) => wrong(self, "a table"),
            (Ty::Tables(_), Node::Table(_)) if top => {
                let hint = format!("an array of tables (write `[[{}]]`, not `[{}]`)", field.key, field.key);
                wrong(self, &hint)
            }
            (Ty::Tables(_), _) => wrong(self, "an array of tables"),
        }
    }

    fn walk_modes(
        &mut self,
        entries: &[(String, SNode)],
        keys: &'static [&'static str],
        fields: &'static [Field],
        at: &At,
    ) -> Option<Value> {
        let mut out = toml::Table::new();
        let mut valid = true;
        for (key, value) in entries {
            let here = at.key(key);
            if !keys.contains(&key.as_str()) {
                let msg = format!("unknown mode `{key}`; {}", schema::expected_list(keys));
                self.issue(&here, value.span.as_ref(), msg);
                continue;
            }
            self.record(&here, value.span.as_ref());
            let mode = Field { key: "mode", ty: Ty::Table(fields), required: false };
            match self.walk_value(value, &mode, &here, false) {
                Some(v) => {
                    out.insert(key.clone(), v);
                }
                None => valid = false,
            }
        }
        valid.then_some(Value::Table(out))
    }

    /// An array of tables. At the top level, broken entries are dropped (and remembered) so that the semantic
    /// pass can still run; nested, a broken entry makes the whole array unusable.
    fn walk_tables(&mut self, items: &[SNode], fields: &'static [Field], at: &At, top: bool) -> Option<Value> {
        let kind = schema::top_level_kind(&at.canonical);
        let mut out = Vec::new();
        let mut all_valid = true;
        for (i, item) in items.iter().enumerate() {
            let Node::Table(entries) = &item.node else {
                let here = at.item(i, None);
                let msg = format!("expected a table, found {}", item.node.type_name());
                self.issue(&here, item.span.as_ref(), msg);
                all_valid = false;
                continue;
            };
            let here = at.item(i, schema::label(entries));
            self.record(&here, item.span.as_ref());
            let (table, ok) = self.walk_table(entries, fields, &here, item.span.as_ref(), false);
            if ok {
                if let Some(kind) = kind.filter(|_| top) {
                    self.index.kept.entry(kind).or_default().push(i);
                }
                out.push(Value::Table(table));
            } else {
                all_valid = false;
                if top {
                    self.index.dropped.extend(schema::declared_names(entries));
                }
            }
        }
        (top || all_valid).then_some(Value::Array(out))
    }
}
