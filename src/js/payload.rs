//! Payloads between the core and JS: spans of received frames, encoded emits.
//!
//! JSON text never enters wasm. index.js encodes an emit (`JSON.stringify`, binaries swapped for
//! placeholders) and decodes a received packet (`JSON.parse` of the span the core located, the
//! placeholders swapped back); this module only passes the pieces across.

use js_sys::{Array, JsString, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::errors::error_with_data;
use super::globals::parse_json;
use super::target::JsonAt;
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

fn utf16_index(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

/// Parses the JSON of `span` with the browser's `JSON.parse`.
pub fn parse_span(span: &JsonSpan<JsValue>) -> Option<JsValue> {
    let frame: &JsString = span.frame.dyn_ref()?;
    let json = json_at(span, &[]);
    let text = match json.end {
        Some(end) => frame.slice(json.start, end),
        None => frame.slice(json.start, frame.length()),
    };
    parse_json(&text).ok()
}

/// The `connect_error` value: an `Error` with the server's `message` and `data`.
pub fn decode_connect_error(span: &JsonSpan<JsValue>) -> JsValue {
    let payload = parse_span(span).unwrap_or(JsValue::UNDEFINED);
    if let Some(message) = payload.as_string() {
        return error_with_data(&message, None);
    }
    let field =
        |name: &str| Reflect::get(&payload, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    let message = field("message")
        .as_string()
        .unwrap_or_else(|| String::from("connect error"));
    let data = field("data");
    error_with_data(&message, (!data.is_undefined()).then_some(&data))
}
