//! Payloads between JS values and the core: events to send, events and errors received.
//!
//! JSON text never enters wasm. Outgoing, the browser's `JSON.stringify` makes the payload, after
//! binary values (`ArrayBuffer`, typed arrays, `DataView`) are swapped for placeholders.
//! Incoming, the original frame (a JS string) is sliced where the core located the JSON and
//! handed to `JSON.parse`; binary attachments are then put back where their placeholders are.

use js_sys::{Array, JsString, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::errors::error_with_data;
use super::globals::{parse_json, to_js_string};
use crate::driver::bytes_of;
use crate::protocol::socket::{Inbound, JsonSpan, Outbound};

/// The most attachments one packet may carry: servers refuse more.
const MAX_ATTACHMENTS: usize = 10;

/// An event `[name, ...args]` ready for the core: JSON text plus its binary attachments.
pub fn encode_event(packet: &Array) -> Result<Outbound<JsValue>, JsValue> {
    let mut attachments = Vec::new();
    let value: JsValue = match has_binary(packet.as_ref()) {
        true => replace_binaries(packet.as_ref(), &mut attachments),
        false => packet.clone().into(),
    };
    if attachments.len() > MAX_ATTACHMENTS {
        return Err(super::errors::type_error(
            "socketio-wasm: at most 10 binary attachments per event",
        ));
    }
    let data = js_sys::JSON::stringify(&value)?.into();
    Ok(Outbound { data, attachments })
}

fn is_binary(value: &JsValue) -> bool {
    bytes_of(value).is_some()
}

fn has_binary(value: &JsValue) -> bool {
    if is_binary(value) {
        return true;
    }
    if let Some(array) = value.dyn_ref::<Array>() {
        return array.iter().any(|item| has_binary(&item));
    }
    match value.dyn_ref::<Object>() {
        Some(object) if !value.is_function() => {
            Object::values(object).iter().any(|item| has_binary(&item))
        }
        _ => false,
    }
}

/// A copy of `value` with binaries replaced by `{_placeholder: true, num}`, depth-first.
fn replace_binaries(value: &JsValue, attachments: &mut Vec<JsValue>) -> JsValue {
    if is_binary(value) {
        let placeholder = Object::new();
        let _ = Reflect::set(
            &placeholder,
            &JsValue::from_str("_placeholder"),
            &JsValue::TRUE,
        );
        let _ = Reflect::set(
            &placeholder,
            &JsValue::from_str("num"),
            &JsValue::from(attachments.len() as u32),
        );
        attachments.push(value.clone());
        return placeholder.into();
    }
    if let Some(array) = value.dyn_ref::<Array>() {
        return array
            .iter()
            .map(|item| replace_binaries(&item, attachments))
            .collect::<Array>()
            .into();
    }
    let Some(object) = value.dyn_ref::<Object>() else {
        return value.clone();
    };
    if value.is_function() {
        return value.clone();
    }
    let copy = Object::new();
    for key in Object::keys(object).iter() {
        if let Ok(child) = Reflect::get(object, &key) {
            let _ = Reflect::set(&copy, &key, &replace_binaries(&child, attachments));
        }
    }
    copy.into()
}

/// Parses the JSON of `span` with the browser's `JSON.parse`.
pub fn parse_span(span: &JsonSpan<JsValue>) -> Option<JsValue> {
    let frame: &JsString = span.frame.dyn_ref()?;
    let start = u32::try_from(span.start.utf16).ok()?;
    let json = match span.end {
        Some(end) => frame.slice(start, u32::try_from(end.utf16).ok()?),
        None => frame.slice(start, frame.length()),
    };
    parse_json(&json).ok()
}

/// A packet's JSON array with binaries restored (an ACK's values). `None` if the browser
/// disagrees with the core's validation (which cannot happen for valid JSON).
pub fn decode_args(inbound: &Inbound<JsValue>) -> Option<Array> {
    let args: Array = parse_span(&inbound.data)?.dyn_into().ok()?;
    if !inbound.attachments.is_empty() {
        for index in 0..args.length() {
            args.set(
                index,
                restore_binaries(args.get(index), &inbound.attachments),
            );
        }
    }
    Some(args)
}

/// An event as `(name, args)`, binaries restored.
pub fn decode_event(inbound: &Inbound<JsValue>) -> Option<(String, Array)> {
    let args = decode_args(inbound)?;
    let name = args.shift();
    let name = name
        .as_string()
        .or_else(|| name.as_f64().map(|_| to_js_string(&name)))?;
    Some((name, args))
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

/// Replaces `{_placeholder: true, num}` objects by their attachments, depth-first.
fn restore_binaries(value: JsValue, attachments: &[JsValue]) -> JsValue {
    if let Some(array) = value.dyn_ref::<Array>() {
        for index in 0..array.length() {
            array.set(index, restore_binaries(array.get(index), attachments));
        }
        return value;
    }
    let Some(object) = value.dyn_ref::<Object>() else {
        return value;
    };
    if let Some(attachment) = placeholder_target(object, attachments) {
        return attachment;
    }
    for key in Object::keys(object).iter() {
        if let Ok(child) = Reflect::get(object, &key) {
            let _ = Reflect::set(object, &key, &restore_binaries(child, attachments));
        }
    }
    value
}

fn placeholder_target(object: &Object, attachments: &[JsValue]) -> Option<JsValue> {
    let marker = Reflect::get(object, &JsValue::from_str("_placeholder")).ok()?;
    if marker != JsValue::TRUE {
        return None;
    }
    let num = Reflect::get(object, &JsValue::from_str("num"))
        .ok()?
        .as_f64()?;
    attachments.get(num as usize).cloned()
}
