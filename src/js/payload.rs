//! Payloads between the core and JS: spans of received frames, encoded emits.
//!
//! JSON text never enters wasm. index.js encodes an emit (`JSON.stringify`, binaries swapped for
//! placeholders) and decodes a received packet (`JSON.parse` of the span the core located, the
//! placeholders swapped back); this module only passes the pieces across.

use js_sys::{Array, JsString};
use wasm_bindgen::JsValue;

use super::errors::error_with_data;
use super::target::JsonAt;
use crate::client::payload::{refusal, utf16_index};
use crate::protocol::socket::{JsonSpan, Outbound};

/// An emit as index.js encoded it: JSON text, and the binaries its placeholders point to.
pub fn outbound(json: JsString, attachments: Option<Array>) -> Outbound<JsValue> {
    Outbound {
        data: json.into(),
        attachments: attachments.map(|list| list.to_vec()).unwrap_or_default(),
    }
}

/// Where index.js finds a packet's JSON, with the packet's attachments.
pub fn json_at<'a>(span: &'a JsonSpan<JsValue>, attachments: &[JsValue]) -> JsonAt<'a> {
    JsonAt {
        frame: &span.frame,
        start: utf16_index(span.start.utf16),
        end: span.end.map(|end| utf16_index(end.utf16)),
        attachments: (!attachments.is_empty()).then(|| attachments.iter().collect()),
    }
}

/// The `connect_error` value: an `Error` with the server's `message` and `data`.
pub fn decode_connect_error(span: &JsonSpan<JsValue>) -> JsValue {
    let (message, data) = refusal(span);
    error_with_data(&message, data.as_ref())
}
