//! The message layer: the unified envelope of DESIGN §2, decoding of legacy shapes, validation, and the typed
//! actor messages that everything past a bridge works with.
//!
//! Invariants: decoding never panics on any input; a message that cannot be decoded yields a typed
//! [`MessageError`] that names the reason (the bridge dead-letters it); unknown fields are kept in
//! `metadata`; `None` fields are dropped on output; nothing past a bridge sees JSON.

pub mod decode;
pub mod envelope;
pub mod typed;

pub use decode::{decode, Decoded, MAX_MESSAGE_BYTES};
pub use envelope::{Status, UnifiedMessage};

/// The one error enum of the message layer. Every variant is permanent: the same bytes will fail again.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MessageError {
    #[error("empty message body")]
    Empty,
    #[error("message body is {size} bytes, over the {limit}-byte limit")]
    TooLarge { size: usize, limit: usize },
    #[error("message body is not UTF-8 JSON: {0}")]
    NotJson(String),
    #[error("message body is JSON but not an object")]
    NotAnObject,
    #[error("missing required field `{0}`")]
    MissingField(&'static str),
    #[error("field `{field}` has the wrong type: expected {expected}")]
    WrongType { field: &'static str, expected: &'static str },
    #[error("field `{field}` has an invalid value: {detail}")]
    InvalidValue { field: &'static str, detail: String },
    #[error("message matches no known shape (unified, gcs finalize, scraper, source_table)")]
    UnknownShape,
}
