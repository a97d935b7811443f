//! The one place where payloads change form: Rust values ↔ JS values ↔ JSON text.
//!
//! The core carries JSON text and binary attachments as JS values and never parses them. Going
//! out, a Rust value becomes a JS value with serde-wasm-bindgen (bytes become `Uint8Array`s),
//! its binaries are swapped for socket.io-parser's `{ _placeholder: true, num }` and the rest
//! is written by the browser's `JSON.stringify`. Coming in, the browser's `JSON.parse` reads
//! the span the core located, the placeholders are swapped back for the attachments
//! (`ArrayBuffer`s, which serde reads as bytes), and serde-wasm-bindgen makes the Rust value.
//!
//! These are Socket.IO's payload rules for both faces of the crate: the Rust API (`client`) and
//! the JS facade (`js`) call the same functions, and index.js holds none of them.

use js_sys::{Array, JsString, Reflect};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::error::{ClientError, EmitError};
use crate::protocol::socket::{JsonSpan, Outbound};
use crate::protocol::socket_packet::{
    is_reserved_event, NameCheck, MAX_ATTACHMENTS, RESERVED_EVENTS,
};
use crate::protocol::DecodeError;

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` on a JS string (js-sys's takes `&str`, which would copy it through wasm).
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    pub(crate) fn parse_json(text: &JsString) -> Result<JsValue, JsValue>;
}

// The walk runs on every emit, so it is written in JavaScript, where it is a tight loop, rather
// than in Rust, where every property read would cross into JS. It knows nothing of Socket.IO.
// It keeps its own stack, so it reaches any depth; past LONG_WALK objects it remembers the
// objects it has met, so that a shared or circular object is walked once (only a cycle makes a
// walk endless, and most values never get that far). Primitives are never pushed.
#[wasm_bindgen(inline_js = r#"
const BINARY = 1;
const BLOB = 2;
const LONG_WALK = 256;
const BlobClass = typeof Blob === "function" ? Blob : undefined;

/** JSON.parse of text.slice(start, end) if that is a JSON array, else undefined: one call
 * from wasm where slicing, parsing and checking would be three. */
export function parseArray(text, start, end) {
  try {
    const value = JSON.parse(end === undefined ? text.slice(start) : text.slice(start, end));
    return Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A copy of the tree `root` (its arrays and plain objects copied, at any depth) with each
 * binary replaced by `{ [flag]: true, [num]: n }`, n counting in document order, and the
 * binaries in that order: [copy, binaries]. In a long walk an object met again gets the same
 * copy, so that a cycle ends (JSON.stringify then rejects it). */
export function withPlaceholders(root, flag, num) {
  const found = [];
  const top = [root];
  const stack = [top, 0];
  let copies;
  let visits = 0;
  while (stack.length > 0) {
    const key = stack.pop();
    const holder = stack.pop();
    const value = holder[key];
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      holder[key] = { [flag]: true, [num]: found.length };
      found.push(value);
      continue;
    }
    if (typeof value.toJSON === "function") continue;
    const known = ++visits > LONG_WALK ? (copies ??= new Map()).get(value) : undefined;
    if (known !== undefined) {
      holder[key] = known;
      continue;
    }
    const copy = Array.isArray(value) ? value.slice() : Object.assign({}, value);
    copies?.set(value, copy);
    holder[key] = copy;
    pushSlots(stack, copy);
  }
  return [top[0], found];
}

// Pushes the slots of `copy` that hold an object, last first (so that they pop in order).
function pushSlots(stack, copy) {
  const keys = Array.isArray(copy) ? copy.keys() : Object.keys(copy);
  const slots = [];
  for (const key of keys) {
    const item = copy[key];
    if (typeof item === "object" && item !== null) slots.push(key);
  }
  for (let i = slots.length - 1; i >= 0; i--) stack.push(copy, slots[i]);
}

/** Replaces each object `{ [flag]: true, [num]: n }` in the freshly parsed tree `root` with
 * `attachments[n]`; false if an n is not an index of `attachments`. */
export function fillPlaceholders(root, flag, num, attachments) {
  const stack = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    for (const key in value) {
      const item = value[key];
      if (item === null || typeof item !== "object" || !Object.hasOwn(value, key)) continue;
      if (item[flag] !== true) {
        stack.push(item);
        continue;
      }
      const n = item[num];
      if (!Number.isInteger(n) || n < 0 || n >= attachments.length) return false;
      value[key] = attachments[n];
    }
  }
  return true;
}

/** BINARY and/or BLOB, as bits, for what `root` holds; 0 for plain JSON values. */
export function scan(root) {
  let found = 0;
  let seen;
  let visits = 0;
  const stack = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) found |= BINARY;
    else if (BlobClass && value instanceof BlobClass) found |= BLOB;
    else if (typeof value.toJSON === "function") continue;
    else if (++visits <= LONG_WALK) pushObjects(stack, value);
    else if (!(seen ??= new Set()).has(value)) {
      seen.add(value);
      pushObjects(stack, value);
    }
  }
  return found;
}

// Pushes the object values among `value`'s own items.
function pushObjects(stack, value) {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (typeof item === "object" && item !== null) stack.push(item);
    }
    return;
  }
  for (const key in value) {
    const item = value[key];
    if (typeof item === "object" && item !== null && Object.hasOwn(value, key)) stack.push(item);
  }
}
"#)]
extern "C" {
    /// What a JS value holds that JSON cannot carry: [`BINARY`] and/or [`BLOB`] bits.
    fn scan(value: &JsValue) -> u32;
    /// `JSON.parse(text.slice(start, end))` if that is a JSON array.
    #[wasm_bindgen(js_name = parseArray)]
    fn parse_array_slice(text: &JsValue, start: u32, end: Option<u32>) -> Option<Array>;
    /// `[copy, [binary, ...]]`: a copy of the tree with its binaries swapped for placeholders
    /// made of the keys `flag` and `num`, and the binaries in document order.
    #[wasm_bindgen(js_name = withPlaceholders)]
    fn placeholder_tree(root: &JsValue, flag: &JsValue, num: &JsValue) -> Array;
    /// Swaps each placeholder (keys `flag` and `num`) in `root` for its attachment; false if
    /// one names none.
    #[wasm_bindgen(js_name = fillPlaceholders)]
    fn fill_placeholders(
        root: &JsValue,
        flag: &JsValue,
        num: &JsValue,
        attachments: &Array,
    ) -> bool;
}

thread_local! {
    /// The keys of socket.io-parser's placeholder, made once (a key made from a `&str` is a
    /// new JS string each time).
    static KEYS: (JsValue, JsValue) = (JsValue::from_str("_placeholder"), JsValue::from_str("num"));
}

/// `f(_placeholder, num)` with the placeholder's keys.
fn with_keys<T>(f: impl FnOnce(&JsValue, &JsValue) -> T) -> T {
    KEYS.with(|(placeholder, num)| f(placeholder, num))
}

/// The name of an event if it is a reserved one. A name is copied into wasm only when its
/// length is that of a reserved name, which most names are not.
fn reserved_name(name: &JsValue) -> Option<String> {
    let length = name.dyn_ref::<JsString>()?.length() as usize;
    if !RESERVED_EVENTS
        .iter()
        .any(|reserved| reserved.len() == length)
    {
        return None;
    }
    name.as_string().filter(|name| is_reserved_event(name))
}

/// [`scan`]: an `ArrayBuffer`, typed array or `DataView` somewhere in the value.
const BINARY: u32 = 1;
/// [`scan`]: a `Blob` or `File` somewhere in the value (its bytes must be read first).
const BLOB: u32 = 2;

/// A Rust value as a JS value: maps as objects, `None` as `null`, bytes as `Uint8Array`
/// (binary attachments; serde-wasm-bindgen's `json_compatible` would make them number arrays).
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, EmitError> {
    let serializer = serde_wasm_bindgen::Serializer::new()
        .serialize_missing_as_null(true)
        .serialize_maps_as_objects(true);
    value
        .serialize(&serializer)
        .map_err(|error| EmitError::Serialize(error.to_string()))
}

/// A JS value as a Rust value; the error says why it does not fit.
pub(crate) fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(value).map_err(|error| error.to_string())
}

/// A Rust value as JSON text (the `auth` payload).
pub(crate) fn to_json_text<T: Serialize + ?Sized>(value: &T) -> Result<String, ClientError> {
    let value = to_js(value).map_err(ClientError::Emit)?;
    js_sys::JSON::stringify(&value)
        .ok()
        .and_then(|text| text.as_string())
        .ok_or(ClientError::Emit(EmitError::Serialize(String::from(
            "not representable as JSON",
        ))))
}

/// An event to emit: `[name, ...args]`, binaries swapped for placeholders.
pub(crate) fn encode_event(name: &str, args: &[JsValue]) -> Result<Outbound<JsValue>, EmitError> {
    let packet: Array = std::iter::once(JsValue::from_str(name))
        .chain(args.iter().cloned())
        .collect();
    encode_packet(packet)
}

/// An event to emit given as the JS array `[name, ...args]` (the name may be any value, as
/// socket.io-client allows): checked, and encoded with placeholders for its binaries.
pub(crate) fn encode_packet(packet: Array) -> Result<Outbound<JsValue>, EmitError> {
    match reserved_name(&packet.get(0)) {
        Some(name) => Err(EmitError::ReservedName(name)),
        None => encode(packet),
    }
}

/// An ack reply: the arguments, binaries swapped for placeholders.
pub(crate) fn encode_reply(args: &[JsValue]) -> Result<Outbound<JsValue>, EmitError> {
    encode(args.iter().collect())
}

/// Encodes a JSON array: `JSON.stringify` once its binaries are swapped for placeholders.
/// Without the cargo feature `binary`, a value holding binary data is refused.
pub(crate) fn encode(array: Array) -> Result<Outbound<JsValue>, EmitError> {
    let root: JsValue = array.into();
    let found = scan(&root);
    if found != 0 && !cfg!(feature = "binary") {
        // Before any Blob is read and before the placeholders, which this build leaves out.
        return Err(EmitError::BinaryLeftOut);
    }
    if found & BLOB != 0 {
        return Err(EmitError::UnreadBlob);
    }
    let (root, attachments) = match found & BINARY != 0 {
        true => with_placeholders(&root),
        false => (root, Vec::new()),
    };
    if attachments.len() > MAX_ATTACHMENTS {
        return Err(EmitError::TooManyAttachments);
    }
    let data = js_sys::JSON::stringify(&root)
        .map_err(|_| EmitError::Serialize(String::from("not representable as JSON")))?;
    Ok(Outbound {
        data: data.into(),
        attachments,
    })
}

/// A copy of `root` with each binary swapped for its placeholder, numbered in document order
/// as socket.io-parser does, and the binaries in that order. One call into JS: the walk and
/// the swaps happen there, with the keys this module owns.
fn with_placeholders(root: &JsValue) -> (JsValue, Vec<JsValue>) {
    let tree = with_keys(|flag, num| placeholder_tree(root, flag, num));
    (tree.get(0), Array::from(&tree.get(1)).to_vec())
}

/// The JSON text of `span`, sliced off its frame.
fn span_text(span: &JsonSpan<JsValue>) -> Option<JsString> {
    let frame: &JsString = span.frame.dyn_ref()?;
    let start = utf16_index(span.start.utf16);
    Some(match span.end {
        Some(end) => frame.slice(start, utf16_index(end.utf16)),
        None => frame.slice(start, frame.length()),
    })
}

/// Parses the JSON of `span` with the browser's `JSON.parse`.
pub(crate) fn parse_span(span: &JsonSpan<JsValue>) -> Option<JsValue> {
    parse_json(&span_text(span)?).ok()
}

/// A UTF-16 index as JS string methods take it.
fn utf16_index(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

/// A received JSON array (an event or an ack reply), binaries put back as they arrived
/// (`ArrayBuffer`s, as socket.io-client gives them; serde reads them as bytes). The errors are
/// socket.io-parser's: `invalid payload`, or `illegal attachments` for a placeholder that points
/// nowhere.
pub(crate) fn decode_array(
    span: &JsonSpan<JsValue>,
    attachments: &[JsValue],
) -> Result<Array, DecodeError> {
    let start = utf16_index(span.start.utf16);
    let end = span.end.map(|end| utf16_index(end.utf16));
    let array = parse_array_slice(&span.frame, start, end).ok_or(DecodeError::InvalidPayload)?;
    with_binaries(array, attachments)
}

/// `array` with its placeholders swapped for `attachments`. A build without the cargo feature
/// `binary` never has any (the core and [`encode`] refuse them), and the compiler is told so.
fn with_binaries(array: Array, attachments: &[JsValue]) -> Result<Array, DecodeError> {
    if cfg!(feature = "binary") && !attachments.is_empty() {
        restore_binaries(&array, attachments)?;
    }
    Ok(array)
}

/// A received event as the array `[name, ...args]`, its name checked: a number, or a string
/// that is not reserved (socket.io-parser's rule).
pub(crate) fn decode_event_packet(
    span: &JsonSpan<JsValue>,
    attachments: &[JsValue],
) -> Result<Array, DecodeError> {
    let packet = decode_array(span, attachments)?;
    let valid = match span.name {
        NameCheck::Valid => true,
        NameCheck::Reserved => false,
        // The core's text did not tell: ask the parsed value.
        NameCheck::Unchecked => {
            let name = packet.get(0);
            match name.dyn_ref::<JsString>() {
                Some(_) => reserved_name(&name).is_none(),
                None => name.as_f64().is_some(),
            }
        }
    };
    match valid {
        true => Ok(packet),
        false => Err(DecodeError::InvalidPayload),
    }
}

/// A received event: its name (a string, or a number written as one) and arguments.
pub(crate) fn decode_event(
    span: &JsonSpan<JsValue>,
    attachments: &[JsValue],
) -> Result<(String, Array), DecodeError> {
    decode_event_packet(span, attachments).map(split_event)
}

/// `[name, ...args]` as its name (a string, or a number written as one) and its arguments.
pub(crate) fn split_event(args: Array) -> (String, Array) {
    let head = args.shift();
    let name = head
        .as_string()
        .or_else(|| head.as_f64().map(|number| number.to_string()))
        .unwrap_or_default();
    (name, args)
}

/// An encoded event (one the core wrote) decoded again: `[event, ...args]` with its binaries.
pub(crate) fn decode_outbound(event: &Outbound<JsValue>) -> Result<Array, DecodeError> {
    let array = parse_array_slice(&event.data, 0, None).ok_or(DecodeError::InvalidPayload)?;
    with_binaries(array, &event.attachments)
}

/// Swaps each placeholder in the freshly parsed `root` for its attachment, in one call into JS.
fn restore_binaries(root: &Array, attachments: &[JsValue]) -> Result<(), DecodeError> {
    let attachments: Array = attachments.iter().collect();
    match with_keys(|flag, num| fill_placeholders(root, flag, num, &attachments)) {
        true => Ok(()),
        false => Err(DecodeError::BadPlaceholder),
    }
}

/// A server's CONNECT_ERROR payload: `{ message, data }` or a bare string.
pub(crate) fn refusal(span: &JsonSpan<JsValue>) -> (String, Option<JsValue>) {
    let payload = parse_span(span).unwrap_or(JsValue::UNDEFINED);
    if let Some(message) = payload.as_string() {
        return (message, None);
    }
    let field =
        |name: &str| Reflect::get(&payload, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    let message = field("message")
        .as_string()
        .unwrap_or_else(|| String::from("connect error"));
    let data = field("data");
    (message, (!data.is_undefined()).then_some(data))
}
