//! The generic table row exchanged with the `Warehouse` port.
//!
//! A row is an ordered JSON object (column → value). Typed row structs in the processors serialise into it;
//! the warehouse adapters map JSON values onto column types declared in the table schema.

use serde_json::{Map, Value};

/// One warehouse row.
pub type Row = Map<String, Value>;

/// Typed accessors over a [`Row`].
pub trait RowExt {
    fn str_of(&self, col: &str) -> Option<&str>;
    fn i64_of(&self, col: &str) -> Option<i64>;
    fn f64_of(&self, col: &str) -> Option<f64>;
    fn bool_of(&self, col: &str) -> Option<bool>;
}

impl RowExt for Row {
    fn str_of(&self, col: &str) -> Option<&str> {
        self.get(col).and_then(Value::as_str)
    }
    fn i64_of(&self, col: &str) -> Option<i64> {
        match self.get(col)? {
            Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }
    fn f64_of(&self, col: &str) -> Option<f64> {
        match self.get(col)? {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }
    fn bool_of(&self, col: &str) -> Option<bool> {
        match self.get(col)? {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => n.as_i64().map(|v| v != 0),
            _ => None,
        }
    }
}
