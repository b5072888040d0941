//! Table schemas shared by every `Warehouse` adapter.
//!
//! Invariant: a table has one schema everywhere; the embedded SQLite tables and the BigQuery tables are both
//! created from these definitions. The partition column (if any) is a `DATE` column.

use serde::{Deserialize, Serialize};

/// Column types (the BigQuery vocabulary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ColumnType {
    String,
    Int64,
    Float64,
    Bool,
    Date,
    Timestamp,
    Json,
}

impl ColumnType {
    pub fn sqlite_affinity(self) -> &'static str {
        match self {
            ColumnType::Int64 | ColumnType::Bool => "INTEGER",
            ColumnType::Float64 => "REAL",
            _ => "TEXT",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: ColumnType,
    #[serde(default = "yes")]
    pub nullable: bool,
}

fn yes() -> bool {
    true
}

/// `dataset.table`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TableRef {
    pub dataset: String,
    pub table: String,
}

impl TableRef {
    pub fn new(dataset: impl Into<String>, table: impl Into<String>) -> Self {
        TableRef { dataset: dataset.into(), table: table.into() }
    }

    /// Parse `dataset.table`.
    pub fn parse(s: &str) -> Option<Self> {
        let (d, t) = s.split_once('.')?;
        if d.is_empty() || t.is_empty() || t.contains('.') {
            return None;
        }
        Some(TableRef::new(d, t))
    }
}

impl std::fmt::Display for TableRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.dataset, self.table)
    }
}

/// A table's schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSchema {
    pub table: TableRef,
    pub columns: Vec<Column>,
    /// The DATE column that partitions the table.
    pub partition_by: Option<String>,
    /// Business key for `upsert`.
    #[serde(default)]
    pub key: Vec<String>,
}

impl TableSchema {
    pub fn new(dataset: &str, table: &str) -> Self {
        TableSchema { table: TableRef::new(dataset, table), columns: Vec::new(), partition_by: None, key: Vec::new() }
    }

    pub fn col(mut self, name: &str, ty: ColumnType) -> Self {
        self.columns.push(Column { name: name.into(), ty, nullable: true });
        self
    }

    pub fn required(mut self, name: &str, ty: ColumnType) -> Self {
        self.columns.push(Column { name: name.into(), ty, nullable: false });
        self
    }

    pub fn partitioned_by(mut self, col: &str) -> Self {
        self.partition_by = Some(col.into());
        self
    }

    pub fn keyed_by(mut self, cols: &[&str]) -> Self {
        self.key = cols.iter().map(|c| c.to_string()).collect();
        self
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// The datasets of the pipeline.
pub const DATASETS: [&str; 5] = ["nba_raw", "nba_analytics", "nba_precompute", "nba_predictions", "nba_reference"];

/// `YYYY-MM-DD` (zero-padded) naming a real calendar date.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() })
        && s.parse::<crate::domain::SlateDate>().is_ok()
}

/// A TIMESTAMP value: RFC 3339, or `YYYY-MM-DD HH:MM:SS[.f][ UTC]` taken as UTC.
pub fn parse_timestamp(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&chrono::Utc));
    }
    let naive = s.strip_suffix(" UTC").unwrap_or(s);
    chrono::NaiveDateTime::parse_from_str(naive, "%Y-%m-%d %H:%M:%S%.f").ok().map(|t| t.and_utc())
}

impl TableSchema {
    /// Whether `row` fits: every column known, required columns present, every value of its column's type.
    /// The same rules every adapter enforces on write, checked before any write is attempted.
    pub fn check_row(&self, row: &crate::domain::Row) -> Result<(), String> {
        use serde_json::Value;
        for (name, v) in row {
            let c = self.column(name).ok_or_else(|| format!("unknown column {name}"))?;
            let ok = match (c.ty, v) {
                (_, Value::Null) => true,
                (ColumnType::String, Value::String(_)) | (ColumnType::Bool, Value::Bool(_)) | (ColumnType::Json, _) => {
                    true
                }
                (ColumnType::Date, Value::String(s)) => is_date(s),
                (ColumnType::Timestamp, Value::String(s)) => parse_timestamp(s).is_some(),
                (ColumnType::Int64, Value::Number(n)) => {
                    n.as_i64().is_some() || n.as_f64().is_some_and(|f| f.fract() == 0.0 && f.abs() < 9.2e18)
                }
                (ColumnType::Float64, Value::Number(n)) => n.as_f64().is_some_and(f64::is_finite),
                _ => false,
            };
            if !ok {
                return Err(format!("column {name}: {v} is not a valid {:?}", c.ty));
            }
        }
        for c in self.columns.iter().filter(|c| !c.nullable) {
            if row.get(&c.name).is_none_or(serde_json::Value::is_null) {
                return Err(format!("column {} is required but missing or null", c.name));
            }
        }
        Ok(())
    }
}
