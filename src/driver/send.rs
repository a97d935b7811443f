//! `send(any)` on a WebSocket or an XMLHttpRequest.
//!
//! web-sys's typed `send_with_str` would copy a JS string into wasm and back out; the payloads
//! here are already JS strings (or buffers), so they are handed over as they are.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// Anything with a `send(data)` method.
    pub type Sendable;

    #[wasm_bindgen(method, catch, js_name = send)]
    pub fn send(this: &Sendable, data: &JsValue) -> Result<(), JsValue>;
}
