//! The JavaScript globals the facade calls directly, bound where js-sys's own bindings would
//! copy strings through wasm or are missing.

use js_sys::JsString;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The global `String(value)` conversion (query values, numeric event names).
    #[wasm_bindgen(js_name = String)]
    pub fn to_js_string(value: &JsValue) -> String;

    /// `JSON.parse` on a JS string (js-sys's takes `&str`, which would copy it through wasm).
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    pub fn parse_json(text: &JsString) -> Result<JsValue, JsValue>;
}
