//! `Manager` for JavaScript: one connection to a server, shared by namespace sockets, with
//! socket.io-client's reconnection options as getter-setters.
//!
//! As for `Socket`, this is the wasm half: it creates connections and sockets and reports the
//! connection's events to the JS object (index.js), which holds the listeners and `opts`, the
//! `io()` cache and `manager.socket()`'s per-namespace reuse.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::prelude::*;

use super::errors::{close_details, connect_error, type_error};
use super::options::{to_millis, IoOptions};
use super::socket::Socket;
use super::target::Target;
use crate::client::payload::parse_span;
use crate::client::resolve_url;
use crate::driver::{Connection, ManagerSink};
use crate::protocol::client::{ManagerEvent, PacketReport, Settings};
use crate::protocol::socket::{Auth, CloseDetails, ConnectError};
use crate::protocol::uri::ServerUrl;

/// A connection to one server (socket.io-client's `Manager`).
#[wasm_bindgen]
pub struct Manager {
    shared: Rc<ManagerShared>,
}

/// What a manager's sockets share.
pub(crate) struct ManagerShared {
    pub(crate) connection: Connection,
    pub(crate) auto_connect: bool,
    target: Target,
    /// The last `error` value, which is also the sockets' `connect_error` value.
    last_error: RefCell<JsValue>,
}

impl Manager {
    /// A manager for `server` with `options`; opens at once when `autoConnect`.
    fn create(server: ServerUrl, options: IoOptions) -> Self {
        let options = options.options;
        let connection = Connection::new(options.connection_config(server));
        let shared = Rc::new(ManagerShared {
            connection,
            auto_connect: options.auto_connect,
            target: Target::default(),
            last_error: RefCell::new(JsValue::UNDEFINED),
        });
        let weak = Rc::downgrade(&shared);
        let sink: ManagerSink = Rc::new(move |event| {
            if let Some(shared) = weak.upgrade() {
                shared.on_event(event);
            }
        });
        shared.connection.set_manager_sink(sink);
        Self { shared }
    }

    /// The server and namespace of `url`, resolved against the page's location.
    pub(crate) fn resolve(url: Option<&str>) -> Result<ServerUrl, JsValue> {
        resolve_url(url).map_err(|error| type_error(error.as_str()))
    }
}

#[wasm_bindgen]
impl Manager {
    /// `new Manager(url?, opts?)`, as in socket.io-client (the URL's namespace is ignored).
    /// index.js binds it and opens it when `autoConnect`.
    #[wasm_bindgen(constructor)]
    pub fn new(url: JsValue, opts: JsValue) -> Result<Manager, JsValue> {
        let (url, opts) = split_arguments(url, opts);
        let options = IoOptions::read(&opts)?;
        let server = Self::resolve(url.as_deref())?;
        Ok(Self::create(server, options))
    }

    /// A new socket for `nsp` with `opts` (index.js reuses one per namespace).
    #[wasm_bindgen(js_name = "_socket")]
    pub fn socket(&self, nsp: String, opts: JsValue) -> Result<Socket, JsValue> {
        let options = IoOptions::read(&opts)?;
        let auth = auth_kind(options.auth.as_ref());
        Ok(Socket::new(
            self.shared.clone(),
            nsp,
            auth,
            options.options.socket,
        ))
    }

    /// Binds the JS object that hears this manager's events (`link` is its link, see `target.rs`).
    #[wasm_bindgen(js_name = "_bind")]
    pub fn bind(&self, link: JsValue) {
        self.shared.target.bind(link);
    }

    /// Whether nothing is under way: closed, and no reconnection scheduled.
    #[wasm_bindgen(getter, js_name = "_idle")]
    pub fn idle(&self) -> bool {
        self.shared
            .connection
            .read(|client| client.is_idle())
            .unwrap_or(false)
    }

    /// Turns the `packet` events on (index.js does when the first listener is added).
    #[wasm_bindgen(js_name = "_reportPackets")]
    pub fn report_packets(&self) {
        self.shared.connection.report_packets(true);
    }

    /// Opens the connection unless it is open or opening; `retry`: reconnect if that fails
    /// (false when `open(callback)` handles the failure).
    #[wasm_bindgen(js_name = "_open")]
    pub fn open(&self, retry: bool) {
        self.shared.connection.open(retry);
    }

    /// Closes the connection for good (`manager.disconnect()`).
    #[wasm_bindgen(js_name = "_close")]
    pub fn close(&self) {
        self.shared.connection.close();
    }

    /// Whether sockets connect as soon as they are created (`autoConnect`).
    #[wasm_bindgen(getter, js_name = "_autoConnect")]
    pub fn auto_connect(&self) -> bool {
        self.shared.auto_connect
    }

    /// `closed`, `opening` or `open`.
    #[wasm_bindgen(getter, js_name = "_readyState")]
    pub fn ready_state(&self) -> String {
        self.shared
            .connection
            .read(|client| client.ready_state())
            .unwrap_or("open")
            .to_owned()
    }

    /// A snapshot of the Engine.IO connection: `{ id, readyState, transport: { name } }`.
    #[wasm_bindgen(getter, js_name = "_engineState")]
    pub fn engine_state(&self) -> JsValue {
        let connection = &self.shared.connection;
        let engine = Object::new();
        let transport = Object::new();
        let set = |target: &Object, key: &str, value: JsValue| {
            let _ = Reflect::set(target, &JsValue::from_str(key), &value);
        };
        let name = connection.transport_name().map(JsValue::from_str);
        set(&transport, "name", name.unwrap_or(JsValue::UNDEFINED));
        let sid = connection.read(|client| client.sid()).flatten();
        set(
            &engine,
            "id",
            sid.map_or(JsValue::UNDEFINED, |sid| sid.into()),
        );
        set(&engine, "readyState", self.ready_state().into());
        set(&engine, "transport", transport.into());
        engine.into()
    }

    /// A reconnection setting by its socket.io-client name.
    #[wasm_bindgen(js_name = "_setting")]
    pub fn setting(&self, name: &str) -> JsValue {
        let Some(settings) = self.shared.connection.read(|client| client.settings()) else {
            return JsValue::UNDEFINED;
        };
        let millis = |value: u64| JsValue::from_f64(value as f64);
        match name {
            "reconnection" => settings.reconnection.into(),
            "reconnectionAttempts" if settings.reconnection_attempts == u32::MAX => {
                JsValue::from_f64(f64::INFINITY)
            }
            "reconnectionAttempts" => settings.reconnection_attempts.into(),
            "reconnectionDelay" => millis(settings.backoff.min),
            "reconnectionDelayMax" => millis(settings.backoff.max),
            "randomizationFactor" => settings.backoff.jitter.into(),
            "timeout" => settings.timeout.map_or(JsValue::FALSE, millis),
            _ => JsValue::UNDEFINED,
        }
    }

    /// Changes a reconnection setting by its socket.io-client name.
    #[wasm_bindgen(js_name = "_setSetting")]
    pub fn set_setting(&self, name: &str, value: JsValue) {
        let connection = &self.shared.connection;
        let Some(mut settings) = connection.read(|client| client.settings()) else {
            return;
        };
        apply_setting(&mut settings, name, &value);
        connection.set_settings(settings);
    }
}

impl ManagerShared {
    /// A socket's `connect_error` value: the Manager's `error` value when the connection
    /// failed (the same object, as in socket.io-client), else the server's refusal.
    pub(crate) fn connect_error(&self, cause: ConnectError<JsValue>) -> JsValue {
        match cause {
            ConnectError::Transport(_) | ConnectError::Timeout => {
                let last = self.last_error.borrow().clone();
                if last.is_undefined() {
                    connect_error(cause)
                } else {
                    last
                }
            }
            ConnectError::Refused(_) | ConnectError::IncompatibleServer => connect_error(cause),
        }
    }

    /// The details of `close` and `disconnect`: a transport failure is the Manager's `error`
    /// value, the same object as in socket.io-client.
    pub(crate) fn close_details(&self, details: Option<CloseDetails<JsValue>>) -> JsValue {
        let last = self.last_error.borrow().clone();
        match details {
            Some(CloseDetails::Failed(_)) if !last.is_undefined() => last,
            details => close_details(details),
        }
    }

    /// Tells the listeners what the connection did, with socket.io-client's arguments.
    fn on_event(&self, event: ManagerEvent<JsValue>) {
        let none = Array::new;
        let (name, args) = match event {
            ManagerEvent::Open => ("open", none()),
            ManagerEvent::Error(error) => {
                let error = connect_error(error);
                *self.last_error.borrow_mut() = error.clone();
                ("error", Array::of1(&error))
            }
            ManagerEvent::Ping => ("ping", none()),
            ManagerEvent::Close { reason, details } => (
                "close",
                Array::of2(&reason.as_str().into(), &self.close_details(details)),
            ),
            ManagerEvent::ReconnectAttempt(n) => ("reconnect_attempt", Array::of1(&n.into())),
            ManagerEvent::Reconnect(n) => ("reconnect", Array::of1(&n.into())),
            ManagerEvent::ReconnectError(error) => {
                ("reconnect_error", Array::of1(&connect_error(error)))
            }
            ManagerEvent::ReconnectFailed => ("reconnect_failed", none()),
            ManagerEvent::Packet(report) => ("packet", Array::of1(&packet_object(report))),
            ManagerEvent::Upgrade(kind) => {
                let transport = Object::new();
                let _ = Reflect::set(&transport, &"name".into(), &kind.name().into());
                ("upgrade", Array::of1(&transport))
            }
        };
        self.target.notice(name, &args);
    }
}

/// How the core gets the CONNECT payload: a function is asked each time, an object is sent as
/// its JSON.
fn auth_kind(auth: Option<&JsValue>) -> Auth {
    match auth {
        Some(auth) if auth.is_function() => Auth::Asked,
        Some(auth) => Auth::Fixed(JSON::stringify(auth).ok().and_then(|text| text.as_string())),
        None => Auth::Fixed(None),
    }
}

fn apply_setting(settings: &mut Settings, name: &str, value: &JsValue) {
    let number = value.as_f64();
    match (name, number) {
        ("reconnection", _) => settings.reconnection = value.is_truthy(),
        ("reconnectionAttempts", Some(n)) => {
            settings.reconnection_attempts = n.clamp(0.0, f64::from(u32::MAX)) as u32
        }
        ("reconnectionDelay", Some(n)) => settings.backoff.min = n.max(0.0) as u64,
        ("reconnectionDelayMax", Some(n)) => settings.backoff.max = n.max(0.0) as u64,
        ("randomizationFactor", Some(n)) => settings.backoff.jitter = n,
        ("timeout", _) => settings.timeout = number.map(to_millis),
        _ => {}
    }
}

/// `io(opts)` and `new Manager(opts)` take the options first when there is no URL.
pub(crate) fn split_arguments(url: JsValue, opts: JsValue) -> (Option<String>, JsValue) {
    match url.as_string() {
        Some(url) => (Some(url), opts),
        None if url.is_object() => (None, url),
        None => (None, opts),
    }
}

/// socket.io-client's decoded packet: `{ type, nsp, id?, data? }`.
fn packet_object(report: PacketReport<JsValue>) -> JsValue {
    let packet = Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = Reflect::set(&packet, &JsValue::from_str(key), &value);
    };
    set(
        "type",
        JsValue::from(report.kind.as_char().to_digit(10).unwrap_or(0)),
    );
    set("nsp", report.nsp.into());
    if let Some(id) = report.id {
        set("id", JsValue::from_f64(id as f64));
    }
    if let Some(data) = report.data.as_ref().and_then(parse_span) {
        set("data", data);
    }
    packet.into()
}
