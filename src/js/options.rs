//! The options of `io(url, opts)`, read from a JS object with socket.io-client's defaults.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::errors::type_error;
use super::globals::to_js_string;
use crate::driver::HttpOptions;
use crate::protocol::engine::{EngineConfig, TransportKind};
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
    /// `transports`, `upgrade`, `tryAllTransports`.
    pub engine: EngineConfig,
    /// `rememberUpgrade`.
    pub remember_upgrade: bool,
    /// `timestampRequests` (unset: polling requests only).
    pub timestamp_requests: Option<bool>,
    /// `timestampParam`.
    pub timestamp_param: String,
    /// `withCredentials` and `extraHeaders`.
    pub http: HttpOptions,
}

impl IoOptions {
    /// Reads `opts` (an object, or undefined for all defaults).
    pub fn read(opts: &JsValue) -> Result<Self, JsValue> {
        let path = string_option(opts, "path")?.unwrap_or_else(|| String::from("/socket.io"));
        let add_trailing_slash = bool_option(opts, "addTrailingSlash")?.unwrap_or(true);
        let engine = EngineConfig {
            transports: transports_option(&option(opts, "transports")?)?,
            upgrade: bool_option(opts, "upgrade")?.unwrap_or(true),
            try_all: bool_option(opts, "tryAllTransports")?.unwrap_or(false),
        };
        Ok(Self {
            path: engine_path(&path, add_trailing_slash),
            query: query_option(&option(opts, "query")?)?,
            auth: object_option(opts, "auth")?,
            auto_connect: bool_option(opts, "autoConnect")?.unwrap_or(true),
            engine,
            remember_upgrade: bool_option(opts, "rememberUpgrade")?.unwrap_or(false),
            timestamp_requests: bool_option(opts, "timestampRequests")?,
            timestamp_param: string_option(opts, "timestampParam")?
                .unwrap_or_else(|| String::from("t")),
            http: HttpOptions {
                with_credentials: bool_option(opts, "withCredentials")?.unwrap_or(false),
                extra_headers: string_pairs(&option(opts, "extraHeaders")?, "extraHeaders")?,
            },
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

/// An object's own entries, each value converted with `String()`.
fn string_pairs(object: &JsValue, name: &str) -> Result<Vec<(String, String)>, JsValue> {
    if object.is_undefined() || object.is_null() {
        return Ok(Vec::new());
    }
    if !object.is_object() {
        return Err(invalid(name, "an object"));
    }
    Ok(Object::entries(object.unchecked_ref())
        .iter()
        .map(|entry| {
            let entry = Array::from(&entry);
            (to_js_string(&entry.get(0)), to_js_string(&entry.get(1)))
        })
        .collect())
}

/// `query` as an object of values (each converted with `String()`) or a ready query string.
fn query_option(query: &JsValue) -> Result<Option<String>, JsValue> {
    if query.is_undefined() || query.is_null() {
        return Ok(None);
    }
    if let Some(text) = query.as_string() {
        return Ok(Some(text.trim_start_matches('?').to_owned()));
    }
    let pairs = string_pairs(query, "query")?;
    Ok(Some(encode_query(
        pairs
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str())),
    )))
}

/// `transports`: names in order of preference, default polling then WebSocket.
fn transports_option(transports: &JsValue) -> Result<Vec<TransportKind>, JsValue> {
    if transports.is_undefined() || transports.is_null() {
        return Ok(EngineConfig::default().transports);
    }
    if !Array::is_array(transports) {
        return Err(invalid("transports", "an array"));
    }
    let mut kinds = Vec::new();
    for name in Array::from(transports).iter() {
        let kind = match name.as_string().as_deref() {
            Some("polling") => TransportKind::Polling,
            Some("websocket") => TransportKind::WebSocket,
            _ => {
                return Err(invalid(
                    "transports",
                    "a list of \"polling\" and \"websocket\"",
                ))
            }
        };
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    match kinds.is_empty() {
        true => Err(invalid("transports", "a non-empty list")),
        false => Ok(kinds),
    }
}

fn invalid(name: &str, expected: &str) -> JsValue {
    let mut message = String::from("socketio-wasm: option `");
    message.push_str(name);
    message.push_str("` must be ");
    message.push_str(expected);
    type_error(&message)
}
