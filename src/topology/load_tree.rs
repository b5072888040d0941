//! The span-carrying TOML tree the structural walk works on: every value with its byte span, so that issues can
//! name a line.
//!
//! Invariants: any text `toml` accepts deserialises into a tree (datetimes become [`Node::Datetime`], implicit
//! tables get no span); nothing here panics.

use std::fmt;
use std::ops::Range;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A TOML value with the byte spans of every nested value.
#[derive(Debug, Clone)]
pub(super) enum Node {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Datetime,
    Array(Vec<SNode>),
    Table(Vec<(String, SNode)>),
}

impl Node {
    pub fn type_name(&self) -> &'static str {
        match self {
            Node::Str(_) => "a string",
            Node::Int(_) => "an integer",
            Node::Float(_) => "a float",
            Node::Bool(_) => "a boolean",
            Node::Datetime => "a datetime",
            Node::Array(_) => "an array",
            Node::Table(_) => "a table",
        }
    }
}

/// A node and its byte span. The span is absent for implicit tables (`modes` in `[a.modes.same_day]`).
#[derive(Debug, Clone)]
pub(super) struct SNode {
    pub span: Option<Range<usize>>,
    pub node: Node,
}

// The names under which the toml deserializer hands out spans (the protocol behind `toml::Spanned`, which
// fails outright on span-less implicit tables). Only a hint: a deserializer that ignores it yields no span.
const SPANNED: &str = "$__serde_spanned_private_Spanned";
const SPAN_START: &str = "$__serde_spanned_private_start";
const SPAN_END: &str = "$__serde_spanned_private_end";
const SPAN_VALUE: &str = "$__serde_spanned_private_value";

/// The document root (a table without a span of its own).
pub(super) struct Root(pub Node);

impl<'de> Deserialize<'de> for Root {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor).map(|n| Root(n.node))
    }
}

impl<'de> Deserialize<'de> for SNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_struct(SPANNED, &[SPAN_START, SPAN_END, SPAN_VALUE], NodeVisitor)
    }
}

/// The value inside a span: any TOML value.
struct Inner(Node);

impl<'de> Deserialize<'de> for Inner {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor).map(|n| Inner(n.node))
    }
}

struct NodeVisitor;

fn plain<E>(node: Node) -> Result<SNode, E> {
    Ok(SNode { span: None, node })
}

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = SNode;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a TOML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<SNode, E> {
        plain(Node::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<SNode, E> {
        plain(Node::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<SNode, E> {
        plain(i64::try_from(v).map(Node::Int).unwrap_or(Node::Float(v as f64)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<SNode, E> {
        plain(Node::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<SNode, E> {
        plain(Node::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<SNode, E> {
        plain(Node::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<SNode, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<SNode>()? {
            items.push(item);
        }
        plain(Node::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SNode, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == SPAN_START && entries.is_empty() {
                let start: usize = map.next_value()?;
                let _end_key = map.next_key::<String>()?;
                let end: usize = map.next_value()?;
                let _value_key = map.next_key::<String>()?;
                let Inner(node) = map.next_value()?;
                return Ok(SNode { span: Some(start..end), node });
            }
            // The toml deserializer hands datetimes over as a one-key map with a private key.
            if key.starts_with("$__toml_private") {
                map.next_value::<String>()?;
                return plain(Node::Datetime);
            }
            let value = map.next_value::<SNode>()?;
            entries.push((key, value));
        }
        plain(Node::Table(entries))
    }
}
