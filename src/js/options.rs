//! The options of `io(url, opts)`, read from a JS object with socket.io-client's defaults.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::errors::type_error;
use super::globals::to_js_string;
use crate::protocol::uri::{encode_query, engine_path};

/// The options this client understands, already defaulted.
pub struct IoOptions {
    /// The Engine.IO path, normalised (`/socket.io/`).
    pub path: String,
    /// The `query` option, encoded; `None` when absent (the URL's own query applies).
    pub query: Option<String>,
    /// The `auth` object sent with CONNECT.
    pub auth: Option<JsValue>,
    /// Whether `io()` connects at once.
    pub auto_connect: bool,
}

impl IoOptions {
    /// Reads `opts` (an object, or undefined for all defaults).
    pub fn read(opts: &JsValue) -> Result<Self, JsValue> {
        let path = string_option(opts, "path")?.unwrap_or_else(|| String::from("/socket.io"));
        let add_trailing_slash = bool_option(opts, "addTrailingSlash")?.unwrap_or(true);
        check_transports(&option(opts, "transports")?)?;
        Ok(Self {
            path: engine_path(&path, add_trailing_slash),
            query: query_option(&option(opts, "query")?)?,
            auth: object_option(opts, "auth")?,
            auto_connect: bool_option(opts, "autoConnect")?.unwrap_or(true),
        })
    }
}

fn option(opts: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    if !opts.is_object() {
        return Ok(JsValue::UNDEFINED);
    }
    Reflect::get(opts, &JsValue::from_str(name))
}

/// An option that is absent (`undefined`/`null`) or converts with `convert`, else a TypeError.
fn typed_option<T>(
    opts: &JsValue,
    name: &str,
    expected: &str,
    convert: impl Fn(JsValue) -> Option<T>,
) -> Result<Option<T>, JsValue> {
    let value = option(opts, name)?;
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    convert(value)
        .map(Some)
        .ok_or_else(|| invalid(name, expected))
}

fn string_option(opts: &JsValue, name: &str) -> Result<Option<String>, JsValue> {
    typed_option(opts, name, "a string", |value| value.as_string())
}

fn bool_option(opts: &JsValue, name: &str) -> Result<Option<bool>, JsValue> {
    typed_option(opts, name, "a boolean", |value| value.as_bool())
}

fn object_option(opts: &JsValue, name: &str) -> Result<Option<JsValue>, JsValue> {
    typed_option(opts, name, "an object", |value| {
        (value.is_object() && !value.is_function()).then_some(value)
    })
}

/// `query` as an object of values (each converted with `String()`) or a ready query string.
fn query_option(query: &JsValue) -> Result<Option<String>, JsValue> {
    if query.is_undefined() || query.is_null() {
        return Ok(None);
    }
    if let Some(text) = query.as_string() {
        return Ok(Some(text.trim_start_matches('?').to_owned()));
    }
    if !query.is_object() {
        return Err(invalid("query", "an object or a string"));
    }
    let pairs: Vec<(String, String)> = Object::entries(query.unchecked_ref())
        .iter()
        .map(|entry| {
            let entry = Array::from(&entry);
            (to_js_string(&entry.get(0)), to_js_string(&entry.get(1)))
        })
        .collect();
    Ok(Some(encode_query(
        pairs
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str())),
    )))
}

/// Only WebSocket is available so far: a `transports` list must include it.
fn check_transports(transports: &JsValue) -> Result<(), JsValue> {
    if transports.is_undefined() || transports.is_null() {
        return Ok(());
    }
    if !Array::is_array(transports) {
        return Err(invalid("transports", "an array"));
    }
    let names = Array::from(transports);
    match names
        .iter()
        .any(|name| name.as_string().as_deref() == Some("websocket"))
    {
        true => Ok(()),
        false => Err(type_error(
            "socketio-wasm: transports must include \"websocket\" (polling is not available yet)",
        )),
    }
}

fn invalid(name: &str, expected: &str) -> JsValue {
    let mut message = String::from("socketio-wasm: option `");
    message.push_str(name);
    message.push_str("` must be ");
    message.push_str(expected);
    type_error(&message)
}
