//! `io(url, opts)` without the cache: a new Manager and its socket for the URL's namespace.
//! `index.js` wraps it with socket.io-client's per-server Manager cache (`_lookup` gives the key).

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use super::manager::{split_arguments, Manager};
use super::options::IoOptions;
use super::socket::Socket;

/// A socket for the namespace in `url` on a new Manager (default: the page's origin, `/`).
#[wasm_bindgen(js_name = "_io")]
pub fn io(url: JsValue, opts: JsValue) -> Result<Socket, JsValue> {
    let (url, opts) = split_arguments(url, opts);
    let server = Manager::resolve(url.as_deref())?;
    let nsp = server.nsp.clone();
    let manager = Manager::new(url.map_or(JsValue::UNDEFINED, JsValue::from), opts.clone())?;
    manager.socket(nsp, opts)
}

/// `{ id, nsp }` of `url`: the cache key of its server (scheme, host, port, path) and its
/// namespace, as socket.io-client's `lookup` computes them.
#[wasm_bindgen(js_name = "_lookup")]
pub fn lookup(url: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
    let (url, opts) = split_arguments(url, opts);
    let options = IoOptions::read(&opts)?;
    let server = Manager::resolve(url.as_deref())?;
    let key = Object::new();
    let _ = Reflect::set(&key, &"id".into(), &server.id(&options.path).into());
    let _ = Reflect::set(&key, &"nsp".into(), &server.nsp.clone().into());
    Ok(key.into())
}
