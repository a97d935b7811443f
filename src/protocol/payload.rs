//! What the core asks of the payload type `P` that the driver chooses.
//!
//! The core never looks inside a payload. It only needs to make a binary attachment out of
//! bytes it decoded itself (long-polling carries binaries as base64 text), to know how many
//! bytes a payload takes in a polling POST body, to batch writes within the server's
//! `maxPayload`, and to read a whole text frame when its head is not enough.

use super::base64;

/// A payload as the driver keeps it: a JS string or buffer in the browser, `String` natively.
pub trait Payload: Clone {
    /// A binary attachment holding `bytes`.
    fn from_bytes(bytes: &[u8]) -> Self;
    /// Its size in a polling body: UTF-8 bytes for text, base64 characters for binary.
    fn wire_len(&self) -> usize;
    /// The whole text of a text frame (`None` if it is not text). The driver hands the core
    /// only a frame's head; this copy is made only for packets the head cannot settle.
    fn text(&self) -> Option<String>;
}

/// Native payloads: text as is; binaries as their base64 text, so tests can compare them.
impl Payload for String {
    fn from_bytes(bytes: &[u8]) -> Self {
        base64::encode(bytes)
    }

    fn wire_len(&self) -> usize {
        self.len()
    }

    fn text(&self) -> Option<String> {
        Some(self.clone())
    }
}
