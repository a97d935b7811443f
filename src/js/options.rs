//! The options of `io(url, opts)`, read from a JS object with socket.io-client's defaults.
//!
//! The transport-level ones are read per transport from `opts` with `transportOptions[name]`
//! over it, as socket.io-client merges them when it creates each transport.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::errors::type_error;
use super::globals::to_js_string;
use crate::client::{usable_transports, Options, DEFAULT_TIMESTAMP_PARAM};
use crate::driver::{HttpOptions, UrlOptions, WebSocketOptions};
use crate::protocol::ascii;
use crate::protocol::backoff::BackoffConfig;
use crate::protocol::client::Settings;
use crate::protocol::engine::{EngineConfig, TransportKind};
use crate::protocol::socket::SocketOptions;
use crate::protocol::uri::encode_query;

/// The options this client understands, defaulted by [`Options::default`] (their one owner),
/// plus `auth`, which JS may give as a function.
pub struct IoOptions {
    /// Everything but `auth`.
    pub options: Options,
    /// The `auth` object sent with CONNECT, or a function `(cb) => cb(auth)`.
    pub auth: Option<JsValue>,
}

impl IoOptions {
    /// Reads `opts` (an object, or undefined for all defaults).
    pub fn read(opts: &JsValue) -> Result<Self, JsValue> {
        let defaults = Options::default();
        let engine = EngineConfig {
            transports: transports_option(&option(opts, "transports")?, &defaults.engine)?,
            upgrade: bool_option(opts, "upgrade")?.unwrap_or(defaults.engine.upgrade),
            try_all: bool_option(opts, "tryAllTransports")?.unwrap_or(defaults.engine.try_all),
            // The driver gives the page's memory when `rememberUpgrade` is set.
            remember_upgrade: None,
        };
        let polling = transport_view(opts, "polling")?;
        let websocket = transport_view(opts, "websocket")?;
        let options = Options {
            path: string_option(opts, "path")?.unwrap_or_else(|| defaults.path.clone()),
            add_trailing_slash: bool_option(opts, "addTrailingSlash")?
                .unwrap_or(defaults.add_trailing_slash),
            socket: SocketOptions {
                retries: retries_option(opts)?.or(defaults.socket.retries),
                ack_timeout: millis_option(opts, "ackTimeout")?.or(defaults.socket.ack_timeout),
            },
            settings: settings(opts, &defaults.settings)?,
            auto_connect: bool_option(opts, "autoConnect")?.unwrap_or(defaults.auto_connect),
            engine,
            remember_upgrade: bool_option(opts, "rememberUpgrade")?
                .unwrap_or(defaults.remember_upgrade),
            polling_url: url_options(&polling, &defaults.polling_url)?,
            websocket_url: url_options(&websocket, &defaults.websocket_url)?,
            http: http_options(&polling.opts, &defaults.http)?,
            websocket: WebSocketOptions {
                protocols: strings_option(&websocket.opts, "protocols")?,
                force_base64: force_base64(&websocket.opts, defaults.websocket.force_base64)?,
            },
            close_on_beforeunload: bool_option(opts, "closeOnBeforeunload")?
                .unwrap_or(defaults.close_on_beforeunload),
        };
        Ok(Self {
            options,
            auth: typed_option(opts, "auth", "an object or a function", |value| {
                (value.is_object() || value.is_function()).then_some(value)
            })?,
        })
    }
}

/// The options one transport sees: `opts` with `opts.transportOptions[name]` over it.
struct TransportView {
    opts: JsValue,
    /// `transportOptions[name]` has a `query`, which replaces the whole query.
    own_query: bool,
}

fn transport_view(opts: &JsValue, name: &str) -> Result<TransportView, JsValue> {
    let overrides = option(&option(opts, "transportOptions")?, name)?;
    if !overrides.is_object() {
        return Ok(TransportView {
            opts: opts.clone(),
            own_query: false,
        });
    }
    // Object.assign skips an undefined `opts`.
    let merged = Object::assign(&Object::new(), opts.unchecked_ref());
    Object::assign(&merged, overrides.unchecked_ref());
    Ok(TransportView {
        opts: merged.into(),
        own_query: !option(&overrides, "query")?.is_undefined(),
    })
}

/// A transport's `query`, `timestampRequests`, `timestampParam` and `forceBase64` over its
/// `defaults` (which say whether its URLs are stamped unless told otherwise).
fn url_options(view: &TransportView, defaults: &UrlOptions) -> Result<UrlOptions, JsValue> {
    let opts = &view.opts;
    let stamped =
        bool_option(opts, "timestampRequests")?.unwrap_or(defaults.timestamp_param.is_some());
    let param = string_option(opts, "timestampParam")?
        .unwrap_or_else(|| String::from(DEFAULT_TIMESTAMP_PARAM));
    Ok(UrlOptions {
        query: query_option(&option(opts, "query")?)?,
        whole_query: view.own_query,
        timestamp_param: stamped.then_some(param),
        base64: force_base64(opts, defaults.base64)?,
    })
}

fn force_base64(opts: &JsValue, default: bool) -> Result<bool, JsValue> {
    Ok(bool_option(opts, "forceBase64")?.unwrap_or(default))
}

/// `withCredentials`, `extraHeaders` and `requestTimeout` (0 means none, as in socket.io-client).
fn http_options(opts: &JsValue, defaults: &HttpOptions) -> Result<HttpOptions, JsValue> {
    Ok(HttpOptions {
        with_credentials: bool_option(opts, "withCredentials")?
            .unwrap_or(defaults.with_credentials),
        extra_headers: string_pairs(&option(opts, "extraHeaders")?, "extraHeaders")?,
        timeout: millis_option(opts, "requestTimeout")?
            .filter(|ms| *ms > 0)
            .map(|ms| u32::try_from(ms).unwrap_or(u32::MAX)),
    })
}

/// The Manager's reconnection options, defaulted as socket.io-client does (`0` counts as unset
/// for the attempts and delays; `timeout: false` waits forever).
fn settings(opts: &JsValue, defaults: &Settings) -> Result<Settings, JsValue> {
    let nonzero = |value: Option<u64>| value.filter(|value| *value > 0);
    let timeout = match option(opts, "timeout")?.as_bool() {
        Some(false) => None,
        _ => millis_option(opts, "timeout")?.or(defaults.timeout),
    };
    Ok(Settings {
        reconnection: bool_option(opts, "reconnection")?.unwrap_or(defaults.reconnection),
        reconnection_attempts: nonzero(count_option(opts, "reconnectionAttempts")?.map(u64::from))
            .map_or(defaults.reconnection_attempts, |n| {
                u32::try_from(n).unwrap_or(u32::MAX)
            }),
        backoff: BackoffConfig {
            min: nonzero(millis_option(opts, "reconnectionDelay")?).unwrap_or(defaults.backoff.min),
            max: nonzero(millis_option(opts, "reconnectionDelayMax")?)
                .unwrap_or(defaults.backoff.max),
            jitter: number_option(opts, "randomizationFactor")?.unwrap_or(defaults.backoff.jitter),
        },
        timeout,
    })
}

/// A number option.
pub fn number_option(opts: &JsValue, name: &str) -> Result<Option<f64>, JsValue> {
    typed_option(opts, name, "a number", |value| value.as_f64())
}

/// A duration in milliseconds (negative counts as 0; `Infinity` as forever).
pub fn millis_option(opts: &JsValue, name: &str) -> Result<Option<u64>, JsValue> {
    Ok(number_option(opts, name)?.map(to_millis))
}

/// A count (`Infinity` is the largest).
fn count_option(opts: &JsValue, name: &str) -> Result<Option<u32>, JsValue> {
    Ok(number_option(opts, name)?.map(|n| n.clamp(0.0, f64::from(u32::MAX)) as u32))
}

/// `retries`, which a build without the cargo feature `retries` refuses: its emits would not be
/// queued and resent as the app expects.
fn retries_option(opts: &JsValue) -> Result<Option<u32>, JsValue> {
    let retries = count_option(opts, "retries")?;
    if retries.is_some() && !cfg!(feature = "retries") {
        return Err(invalid(
            "retries",
            "left out (this build has no retry queue)",
        ));
    }
    Ok(retries)
}

/// Milliseconds from a JS number, saturating.
pub fn to_millis(value: f64) -> u64 {
    value.clamp(0.0, 9_007_199_254_740_991.0) as u64
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

/// A string or an array of strings (`String()` of each item), as a list.
fn strings_option(opts: &JsValue, name: &str) -> Result<Vec<String>, JsValue> {
    let value = option(opts, name)?;
    if let Some(text) = value.as_string() {
        return Ok(vec![text]);
    }
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    if !Array::is_array(&value) {
        return Err(invalid(name, "a string or an array of strings"));
    }
    Ok(Array::from(&value)
        .iter()
        .map(|item| to_js_string(&item))
        .collect())
}

/// `query` as an object of values (each converted with `String()`) or a ready query string.
fn query_option(query: &JsValue) -> Result<Option<String>, JsValue> {
    if query.is_undefined() || query.is_null() {
        return Ok(None);
    }
    if let Some(text) = query.as_string() {
        return Ok(Some(ascii::skip_leading(&text, b'?').to_owned()));
    }
    let pairs = string_pairs(query, "query")?;
    Ok(Some(encode_query(
        pairs
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str())),
    )))
}

/// `transports`: names in order of preference, else the default ones.
fn transports_option(
    transports: &JsValue,
    defaults: &EngineConfig,
) -> Result<Vec<TransportKind>, JsValue> {
    if transports.is_undefined() || transports.is_null() {
        return Ok(defaults.transports.clone());
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
    let expected = match cfg!(feature = "polling") {
        true => "a non-empty list",
        false => "a list with \"websocket\" (this build has no polling)",
    };
    usable_transports(kinds).ok_or_else(|| invalid("transports", expected))
}

fn invalid(name: &str, expected: &str) -> JsValue {
    let mut message = String::from("socketio-wasm: option `");
    message.push_str(name);
    message.push_str("` must be ");
    message.push_str(expected);
    type_error(&message)
}
