//! The JavaScript globals the facade calls directly, bound where js-sys's own bindings would
//! copy strings through wasm or are missing.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The global `String(value)` conversion (query values, numeric event names).
    #[wasm_bindgen(js_name = String)]
    pub fn to_js_string(value: &JsValue) -> String;
}
