//! Payloads as JS values: what the core needs of them, and binaries as base64 text.

use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::protocol::base64;
use crate::protocol::payload::Payload;

#[wasm_bindgen(inline_js = "
const encoder = new TextEncoder();
export function encodeInto(text, buffer) {
  const { read, written } = encoder.encodeInto(text, buffer);
  return read === text.length ? written : -1;
}
export function utf8Length(text) {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) length += 1;
    else if (unit < 0x800) length += 2;
    else if (unit >= 0xd800 && unit < 0xdc00 && i + 1 < text.length) { length += 4; i++; }
    else length += 3;
  }
  return length;
}")]
extern "C" {
    /// Writes a JS string into `buffer` as UTF-8 (`TextEncoder.encodeInto`): the bytes
    /// written, or -1 if it did not all fit.
    #[wasm_bindgen(js_name = encodeInto)]
    fn encode_into(text: &JsValue, buffer: &mut [u8]) -> i32;

    /// The UTF-8 length of a JS string, without copying it into wasm.
    #[wasm_bindgen(js_name = utf8Length)]
    fn utf8_length(text: &JsValue) -> usize;
}

impl Payload for JsValue {
    fn from_bytes(bytes: &[u8]) -> Self {
        Uint8Array::from(bytes).buffer().into()
    }

    fn wire_len(&self) -> usize {
        if self.is_string() {
            return utf8_length(self);
        }
        let bytes = bytes_of(self).map_or(0, |bytes| bytes.length() as usize);
        bytes.div_ceil(3) * 4
    }

    fn text(&self) -> Option<String> {
        self.is_string().then(|| rust_string(self))
    }
}

/// A JS string as a Rust string, by the browser's own encoder. wasm-bindgen's conversion copies
/// ASCII into wasm one character at a time in JS, which for a large text (a polling body of
/// binaries in base64) costs 30 times `TextEncoder.encodeInto`. Room for one byte a character
/// first, which ASCII text fits, else for three, which any text fits.
pub fn rust_string(text: &JsValue) -> String {
    let units = text.unchecked_ref::<js_sys::JsString>().length() as usize;
    for room in [units, units.saturating_mul(3)] {
        let mut buffer = vec![0; room];
        if let Ok(written) = usize::try_from(encode_into(text, &mut buffer)) {
            buffer.truncate(written);
            // encodeInto writes valid UTF-8 (a lone surrogate becomes U+FFFD).
            return String::from_utf8(buffer).unwrap_or_default();
        }
    }
    String::new()
}

/// A view of the bytes of an `ArrayBuffer` or of any `ArrayBuffer` view (typed array, DataView).
pub fn bytes_of(value: &JsValue) -> Option<Uint8Array> {
    if let Some(buffer) = value.dyn_ref::<ArrayBuffer>() {
        return Some(Uint8Array::new(buffer));
    }
    if ArrayBuffer::is_view(value) {
        let view: &js_sys::DataView = value.unchecked_ref();
        return Some(Uint8Array::new_with_byte_offset_and_length(
            &view.buffer(),
            view.byte_offset() as u32,
            view.byte_length() as u32,
        ));
    }
    None
}

/// A binary message as text: `b` + the base64 of its bytes.
pub fn base64_message(data: &JsValue) -> String {
    let bytes = bytes_of(data)
        .map(|bytes| bytes.to_vec())
        .unwrap_or_default();
    String::from("b") + &base64::encode(&bytes)
}
