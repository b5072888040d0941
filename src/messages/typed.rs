//! Typed actor messages.
