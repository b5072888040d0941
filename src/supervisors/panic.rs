//! Panic capture helpers.

use std::any::Any;

/// A caught panic.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("panicked: {0}")]
pub struct PanicError(pub String);

/// The message of a panic payload.
pub fn panic_message(p: &(dyn Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".into()
    }
}

/// Run `f`, turning a panic into an error.
pub fn catch<R>(f: impl FnOnce() -> R) -> Result<R, PanicError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|p| PanicError(panic_message(p.as_ref())))
}
