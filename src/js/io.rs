//! socket.io-client's `lookup`: which server and namespace a URL names. `io()` itself, with its
//! per-server Manager cache, is in `index.js`.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use super::manager::{split_arguments, Manager};
use super::options::IoOptions;

/// `{ id, nsp }` of `url`: the cache key of its server (scheme, host, port, path) and its
/// namespace, as socket.io-client's `lookup` computes them.
#[wasm_bindgen(js_name = "_lookup")]
pub fn lookup(url: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
    let (url, opts) = split_arguments(url, opts);
    let options = IoOptions::read(&opts)?;
    let server = Manager::resolve(url.as_deref())?;
    let key = Object::new();
    let _ = Reflect::set(
        &key,
        &"id".into(),
        &server.id(&options.options.engine_path()).into(),
    );
    let _ = Reflect::set(&key, &"nsp".into(), &server.nsp.clone().into());
    Ok(key.into())
}
