//! The options of `io(url, opts)`, read from a JS object with socket.io-client's defaults.
//!
//! The transport-level ones are read per transport from `opts` with `transportOptions[name]`
//! over it, as socket.io-client merges them when it creates each transport.

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

use super::errors::type_error;
use crate::client::{usable_transports, Options, DEFAULT_TIMESTAMP_PARAM};
use crate::driver::{HttpOptions, UrlOptions};
use crate::protocol::ascii;
use crate::protocol::client::Settings;
use crate::protocol::engine::TransportKind;
use crate::protocol::uri::encode_query;

#[wasm_bindgen(inline_js = "
export function readOption(opts, name, lists) {
  const value = opts !== null && typeof opts === 'object' ? opts[name] : undefined;
  if (value == null || !lists || typeof value === 'string') return value;
  if (lists === 2) return Array.isArray(value) ? value.map(String) : false;
  return typeof value === 'object' ? Object.entries(value).flat().map(String) : false;
}")]
extern "C" {
    /// `opts[name]` (undefined when `opts` is not an object). With `lists` 1, an object comes
    /// as its own entries, flat, each side converted with `String()`; with `lists` 2, an array
    /// as its items converted so. With either, a string comes as it is and anything else but
    /// null and undefined as `false`. Throws what a getter or `String()` throws.
    #[wasm_bindgen(js_name = readOption, catch)]
    fn read_option(opts: &JsValue, name: &str, lists: u8) -> Result<JsValue, JsValue>;
}

/// [`read_option`]'s `lists`: an object's entries; an array's items.
const ENTRIES: u8 = 1;
const ITEMS: u8 = 2;

/// The options this client understands, defaulted by [`Options::default`] (their one owner),
/// plus `auth`, which JS may give as a function.
pub struct IoOptions {
    /// Everything but `auth`.
    pub options: Options,
    /// The `auth` object sent with CONNECT, or a function `(cb) => cb(auth)`.
    pub auth: Option<JsValue>,
}

impl IoOptions {
    /// Reads `opts` (an object, or undefined for all defaults) over the defaults.
    pub fn read(opts: &JsValue) -> Result<Self, JsValue> {
        let mut options = Options::default();
        let o = &mut options;
        let mut read = Reader::new(opts);
        read.transports(&mut o.engine.transports);
        read.flag("upgrade", &mut o.engine.upgrade);
        read.flag("tryAllTransports", &mut o.engine.try_all);
        if let Some(path) = read.string("path") {
            o.path = path;
        }
        read.flag("addTrailingSlash", &mut o.add_trailing_slash);
        read.flag("autoConnect", &mut o.auto_connect);
        read.flag("rememberUpgrade", &mut o.remember_upgrade);
        read.flag("closeOnBeforeunload", &mut o.close_on_beforeunload);
        if let Some(retries) = read.count("retries") {
            // A build without the cargo feature `retries` refuses it: its emits would not be
            // queued and resent as the app expects.
            match cfg!(feature = "retries") {
                true => o.socket.retries = Some(retries),
                false => read.fail("retries", "left out (this build has no retry queue)"),
            }
        }
        if let Some(ms) = read.millis("ackTimeout") {
            o.socket.ack_timeout = Some(ms);
        }
        read.settings(&mut o.settings);
        let auth = read.value("auth");
        if auth
            .as_ref()
            .is_some_and(|auth| !auth.is_object() && !auth.is_function())
        {
            read.fail("auth", "an object or a function");
        }
        read.finish()?;

        let (view, own_query) = transport_view(opts, "polling")?;
        let mut read = Reader::new(&view);
        read.url(&mut o.polling_url, own_query);
        read.http(&mut o.http);
        read.finish()?;

        let (view, own_query) = transport_view(opts, "websocket")?;
        let mut read = Reader::new(&view);
        read.url(&mut o.websocket_url, own_query);
        read.protocols(&mut o.websocket.protocols);
        read.flag("forceBase64", &mut o.websocket.force_base64);
        read.finish()?;
        Ok(Self { options, auth })
    }
}

/// The options one transport sees: `opts` with `opts.transportOptions[name]` over it, and
/// whether that has a `query` of its own, which replaces the whole query.
fn transport_view(opts: &JsValue, name: &str) -> Result<(JsValue, bool), JsValue> {
    let overrides = read_option(&read_option(opts, "transportOptions", 0)?, name, 0)?;
    if !overrides.is_object() {
        return Ok((opts.clone(), false));
    }
    // Object.assign skips an undefined `opts`.
    let merged = Object::assign(&Object::new(), opts.unchecked_ref());
    Object::assign(&merged, overrides.unchecked_ref());
    let own_query = !read_option(&overrides, "query", 0)?.is_undefined();
    Ok((merged.into(), own_query))
}

/// Reads options one at a time over their defaults. An option of the wrong type (or whose
/// getter throws) is kept as the error that [`Reader::finish`] returns, the first one only, so
/// that each read is a plain call with no error path of its own.
struct Reader<'a> {
    opts: &'a JsValue,
    error: Option<JsValue>,
}

impl<'a> Reader<'a> {
    fn new(opts: &'a JsValue) -> Self {
        Self { opts, error: None }
    }

    /// Fails unless every option read had the right type.
    fn finish(self) -> Result<(), JsValue> {
        self.error.map_or(Ok(()), Err)
    }

    /// Fails with a `TypeError` (unless something failed before).
    fn fail(&mut self, name: &str, expected: &str) {
        if self.error.is_none() {
            self.error = Some(invalid(name, expected));
        }
    }

    /// The option `name` as [`read_option`] gives it with `lists`; none when it is absent
    /// (undefined or null) or its getter threw.
    fn read(&mut self, name: &str, lists: u8) -> Option<JsValue> {
        match read_option(self.opts, name, lists) {
            Ok(value) if value.is_undefined() || value.is_null() => None,
            Ok(value) => Some(value),
            Err(error) => {
                self.error.get_or_insert(error);
                None
            }
        }
    }

    /// The option as it is.
    fn value(&mut self, name: &str) -> Option<JsValue> {
        self.read(name, 0)
    }

    /// The option converted with `convert`, or none when absent; a value `convert` refuses
    /// fails as not being `expected`.
    fn typed<T>(
        &mut self,
        name: &str,
        expected: &str,
        convert: fn(&JsValue) -> Option<T>,
    ) -> Option<T> {
        let value = self.value(name)?;
        let converted = convert(&value);
        if converted.is_none() {
            self.fail(name, expected);
        }
        converted
    }

    /// A boolean option over `target`.
    fn flag(&mut self, name: &str, target: &mut bool) {
        if let Some(value) = self.typed(name, "a boolean", JsValue::as_bool) {
            *target = value;
        }
    }

    fn number(&mut self, name: &str) -> Option<f64> {
        self.typed(name, "a number", JsValue::as_f64)
    }

    /// A duration in milliseconds (negative counts as 0; `Infinity` as forever).
    fn millis(&mut self, name: &str) -> Option<u64> {
        self.number(name).map(to_millis)
    }

    /// A count (`Infinity` is the largest).
    fn count(&mut self, name: &str) -> Option<u32> {
        self.number(name)
            .map(|n| n.clamp(0.0, f64::from(u32::MAX)) as u32)
    }

    fn string(&mut self, name: &str) -> Option<String> {
        self.typed(name, "a string", JsValue::as_string)
    }

    /// The strings of an array that [`read_option`] made; anything else fails as not being
    /// `expected`.
    fn strings(&mut self, name: &str, list: JsValue, expected: &str) -> Option<Vec<String>> {
        if !Array::is_array(&list) {
            self.fail(name, expected);
            return None;
        }
        Some(
            Array::from(&list)
                .iter()
                .map(|item| item.as_string().unwrap_or_default())
                .collect(),
        )
    }

    /// `transports`: names in order of preference.
    fn transports(&mut self, target: &mut Vec<TransportKind>) {
        let Some(list) = self.value("transports") else {
            return;
        };
        if !Array::is_array(&list) {
            return self.fail("transports", "an array");
        }
        let mut kinds = Vec::new();
        for name in Array::from(&list).iter() {
            let kind = match name.as_string().as_deref() {
                Some("polling") => TransportKind::Polling,
                Some("websocket") => TransportKind::WebSocket,
                _ => return self.fail("transports", "a list of \"polling\" and \"websocket\""),
            };
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        match usable_transports(kinds) {
            Some(kinds) => *target = kinds,
            None if cfg!(feature = "polling") => self.fail("transports", "a non-empty list"),
            None => self.fail(
                "transports",
                "a list with \"websocket\" (this build has no polling)",
            ),
        }
    }

    /// The Manager's reconnection options, defaulted as socket.io-client does (`0` counts as
    /// unset for the attempts and delays; `timeout: false` waits forever).
    fn settings(&mut self, target: &mut Settings) {
        self.flag("reconnection", &mut target.reconnection);
        if let Some(n) = self.count("reconnectionAttempts").filter(|n| *n > 0) {
            target.reconnection_attempts = n;
        }
        if let Some(ms) = self.millis("reconnectionDelay").filter(|ms| *ms > 0) {
            target.backoff.min = ms;
        }
        if let Some(ms) = self.millis("reconnectionDelayMax").filter(|ms| *ms > 0) {
            target.backoff.max = ms;
        }
        if let Some(jitter) = self.number("randomizationFactor") {
            target.backoff.jitter = jitter;
        }
        match self.value("timeout") {
            Some(value) if value.as_bool() == Some(false) => target.timeout = None,
            Some(value) => match value.as_f64() {
                Some(ms) => target.timeout = Some(to_millis(ms)),
                None => self.fail("timeout", "a number"),
            },
            None => {}
        }
    }

    /// A transport's `query`, `timestampRequests`, `timestampParam` and `forceBase64` over its
    /// defaults (which say whether its URLs are stamped unless told otherwise); `whole_query`:
    /// its `query` replaces the whole query.
    fn url(&mut self, target: &mut UrlOptions, whole_query: bool) {
        let mut stamped = target.timestamp_param.is_some();
        self.flag("timestampRequests", &mut stamped);
        let param = self
            .string("timestampParam")
            .unwrap_or_else(|| String::from(DEFAULT_TIMESTAMP_PARAM));
        target.timestamp_param = stamped.then_some(param);
        target.query = self.query();
        target.whole_query = whole_query;
        self.flag("forceBase64", &mut target.base64);
    }

    /// `query` as an object of values (each converted with `String()`) or a ready query string.
    fn query(&mut self) -> Option<String> {
        let query = self.read("query", ENTRIES)?;
        if let Some(text) = query.as_string() {
            return Some(ascii::skip_leading(&text, b'?').to_owned());
        }
        let entries = self.strings("query", query, "an object")?;
        Some(encode_query(pairs(&entries)))
    }

    /// `withCredentials`, `extraHeaders` and `requestTimeout` (0 means none, as in
    /// socket.io-client).
    fn http(&mut self, target: &mut HttpOptions) {
        self.flag("withCredentials", &mut target.with_credentials);
        if let Some(headers) = self.read("extraHeaders", ENTRIES) {
            if let Some(entries) = self.strings("extraHeaders", headers, "an object") {
                target.extra_headers = pairs(&entries)
                    .map(|(name, value)| (name.to_owned(), value.to_owned()))
                    .collect();
            }
        }
        target.timeout = self
            .millis("requestTimeout")
            .filter(|ms| *ms > 0)
            .map(|ms| u32::try_from(ms).unwrap_or(u32::MAX));
    }

    /// `protocols`: a string or an array of strings (`String()` of each item).
    fn protocols(&mut self, target: &mut Vec<String>) {
        let Some(protocols) = self.read("protocols", ITEMS) else {
            return;
        };
        let expected = "a string or an array of strings";
        if let Some(protocol) = protocols.as_string() {
            *target = vec![protocol];
        } else if let Some(protocols) = self.strings("protocols", protocols, expected) {
            *target = protocols;
        }
    }
}

/// `[key, value, key, value...]` as pairs.
fn pairs(entries: &[String]) -> impl Iterator<Item = (&str, &str)> {
    entries.chunks_exact(2).filter_map(|pair| match pair {
        [key, value] => Some((key.as_str(), value.as_str())),
        _ => None,
    })
}

/// Milliseconds from a JS number, saturating.
pub fn to_millis(value: f64) -> u64 {
    value.clamp(0.0, 9_007_199_254_740_991.0) as u64
}

fn invalid(name: &str, expected: &str) -> JsValue {
    let mut message = String::from("socketio-wasm: option `");
    message.push_str(name);
    message.push_str("` must be ");
    message.push_str(expected);
    type_error(&message)
}
