//! A small RFC 4180 CSV reader for the real-data files (gzip or plain), with typed errors.
//!
//! Invariant: a row with a different number of fields than the header is an error naming the file and line;
//! quoted fields may hold commas, doubled quotes and newlines.

use std::io::Read;
use std::path::Path;

use super::SourceError;

/// A parsed CSV file: the header and the records, as text.
#[derive(Debug, Clone, Default)]
pub struct Csv {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Csv {
    /// Read `path` (gzip detected by its magic bytes).
    pub fn read(path: &Path) -> Result<Self, SourceError> {
        let raw = std::fs::read(path).map_err(|e| SourceError::Io(format!("{}: {e}", path.display())))?;
        let text = if raw.starts_with(&[0x1f, 0x8b]) {
            let mut s = String::new();
            flate2::read::MultiGzDecoder::new(&raw[..])
                .read_to_string(&mut s)
                .map_err(|e| SourceError::Malformed(format!("{}: {e}", path.display())))?;
            s
        } else {
            String::from_utf8(raw).map_err(|e| SourceError::Malformed(format!("{}: {e}", path.display())))?
        };
        Self::parse(&text).map_err(|e| SourceError::Malformed(format!("{}: {e}", path.display())))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let mut records = Vec::new();
        let mut field = String::new();
        let mut record = Vec::new();
        let mut quoted = false;
        let mut chars = text.chars().peekable();
        let mut line = 1usize;
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => {
                    if c == '\n' {
                        line += 1;
                    }
                    field.push(c);
                }
                (false, '"') if field.is_empty() => quoted = true,
                (false, ',') => record.push(std::mem::take(&mut field)),
                (false, '\r') => {}
                (false, '\n') => {
                    record.push(std::mem::take(&mut field));
                    records.push((line, std::mem::take(&mut record)));
                    line += 1;
                }
                (false, c) => field.push(c),
            }
        }
        if quoted {
            return Err(format!("line {line}: unterminated quoted field"));
        }
        if !field.is_empty() || !record.is_empty() {
            record.push(field);
            records.push((line, record));
        }
        let mut it = records.into_iter().filter(|(_, r)| !(r.len() == 1 && r[0].is_empty()));
        let headers = it.next().map(|(_, h)| h).ok_or("no header row")?;
        let mut rows = Vec::new();
        for (l, r) in it {
            if r.len() != headers.len() {
                return Err(format!("line {l}: {} fields, the header has {}", r.len(), headers.len()));
            }
            rows.push(r);
        }
        Ok(Csv { headers, rows })
    }

    /// The index of a column, or an error naming it.
    pub fn col(&self, name: &str) -> Result<usize, SourceError> {
        self.headers.iter().position(|h| h == name).ok_or_else(|| SourceError::Malformed(format!("no column {name}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_commas_and_bad_rows() {
        let c = Csv::parse("a,b\n1,\"x, \"\"y\"\"\"\n2,z\n").unwrap();
        assert_eq!(c.rows, vec![vec!["1".to_string(), "x, \"y\"".to_string()], vec!["2".into(), "z".into()]]);
        assert!(Csv::parse("a,b\n1\n").unwrap_err().contains("line 2"));
        assert!(Csv::parse("a\n\"open\n").is_err());
        assert!(Csv::parse("").is_err());
    }
}
