//! Decoding of message bodies into [`UnifiedMessage`]s (placeholder until the full decoder lands).
use super::{MessageError, UnifiedMessage};
pub const MAX_MESSAGE_BYTES: usize = 1 << 20;
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded { pub message: UnifiedMessage }
pub fn decode(_bytes: &[u8]) -> Result<Decoded, MessageError> { Err(MessageError::UnknownShape) }
