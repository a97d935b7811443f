//! `Socket` for JavaScript: socket.io-client's socket for one namespace.
//!
//! Methods that socket.io-client makes variadic or chainable (`emit(ev, ...args, ack)`,
//! `timeout(ms).emit()`, `on()` returning `this`) are finished in `index.js`; the exports here
//! take plain arguments. `index.js` also hands each socket two small JS functions (`_bind`):
//! one that makes the ack function passed to listeners, one that calls an `auth` function. They
//! close over the JS socket object, so no Rust closure is created per packet.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, JsString, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::emitter::Emitter;
use super::errors::{disconnect_details, error_with_data, type_error};
use super::globals::parse_json;
use super::manager::ManagerShared;
use super::payload::{decode_args, decode_event, encode_event};
use crate::driver::EventSink;
use crate::protocol::acks::Ticket;
use crate::protocol::client::SocketId;
use crate::protocol::socket::{AckFailure, Auth, EmitFlags, Inbound, SocketEvent, SocketOptions};
use crate::protocol::socket_packet::is_reserved_event;

/// A Socket.IO socket: one namespace over a shared connection.
#[wasm_bindgen]
pub struct Socket {
    shared: Rc<SocketShared>,
}

struct SocketShared {
    manager: Rc<ManagerShared>,
    /// The socket on the connection (`None` only if the connection was busy at creation).
    id: Option<SocketId>,
    nsp: String,
    options: SocketOptions,
    state: RefCell<State>,
    listeners: Emitter,
}

#[derive(Default)]
struct State {
    /// The Socket.IO sid, while connected.
    sid: Option<String>,
    recovered: bool,
    auth: Option<JsValue>,
    /// Emits made while disconnected, told to `onAnyOutgoing` listeners when they are flushed.
    unsent: Vec<Array>,
    /// Ack callbacks waiting for the server, with whether they are error-first.
    acks: Vec<(Ticket, Function, bool)>,
    /// From index.js: `(id) => ackFunction` and `(authFunction) => void`.
    make_ack: Option<Function>,
    ask_auth: Option<Function>,
}

impl Socket {
    /// A socket for `nsp` on `manager`, not yet connected.
    pub(crate) fn new(
        manager: Rc<ManagerShared>,
        nsp: String,
        auth: Option<JsValue>,
        options: SocketOptions,
    ) -> Self {
        let kind = auth_kind(auth.as_ref());
        let shared = Rc::new_cyclic(|weak: &std::rc::Weak<SocketShared>| {
            let weak = weak.clone();
            let sink: EventSink = Rc::new(move |event| {
                if let Some(shared) = weak.upgrade() {
                    shared.on_event(event);
                }
            });
            let id = manager.connection.socket(&nsp, kind, options.clone(), sink);
            SocketShared {
                manager,
                id,
                nsp,
                options,
                state: RefCell::new(State {
                    auth,
                    ..State::default()
                }),
                listeners: Emitter::default(),
            }
        });
        Self { shared }
    }
}

#[wasm_bindgen]
impl Socket {
    /// The Socket.IO sid while connected, else `undefined`.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> Option<String> {
        self.shared.state.borrow().sid.clone()
    }

    /// Whether the socket is connected to its namespace.
    #[wasm_bindgen(getter)]
    pub fn connected(&self) -> bool {
        self.shared.state.borrow().sid.is_some()
    }

    /// The opposite of `connected`.
    #[wasm_bindgen(getter)]
    pub fn disconnected(&self) -> bool {
        !self.connected()
    }

    /// Whether the socket is connected or will (re)connect on its own.
    #[wasm_bindgen(getter)]
    pub fn active(&self) -> bool {
        let shared = &self.shared;
        shared.id.is_some_and(|id| {
            shared
                .manager
                .connection
                .read(|client| client.is_active(id))
                .unwrap_or(true)
        })
    }

    /// Whether the last connection restored the session (connection state recovery).
    #[wasm_bindgen(getter)]
    pub fn recovered(&self) -> bool {
        self.shared.state.borrow().recovered
    }

    /// The `auth` payload (an object, or a function `(cb) => cb(data)`).
    #[wasm_bindgen(getter)]
    pub fn auth(&self) -> JsValue {
        self.shared
            .state
            .borrow()
            .auth
            .clone()
            .unwrap_or(JsValue::UNDEFINED)
    }

    /// Replaces the `auth` payload for the next connection.
    #[wasm_bindgen(setter)]
    pub fn set_auth(&self, auth: JsValue) {
        let auth = (!auth.is_undefined() && !auth.is_null()).then_some(auth);
        if let Some(id) = self.shared.id {
            let kind = auth_kind(auth.as_ref());
            self.shared.manager.connection.set_auth(id, kind);
        }
        self.shared.state.borrow_mut().auth = auth;
    }

    /// The transport in use (`polling` or `websocket`), while there is a connection.
    #[wasm_bindgen(getter)]
    pub fn transport(&self) -> Option<String> {
        self.shared
            .manager
            .connection
            .transport_name()
            .map(str::to_owned)
    }

    /// The namespace, such as `/` or `/admin`.
    #[wasm_bindgen(getter)]
    pub fn nsp(&self) -> String {
        self.shared.nsp.clone()
    }

    /// The `[event, ...args]` arrays of the emits waiting for the socket to connect (or for
    /// their retry turn), binaries still as placeholders.
    #[wasm_bindgen(js_name = "_sendBuffer")]
    pub fn send_buffer(&self) -> Array {
        let shared = &self.shared;
        let data = shared
            .id
            .and_then(|id| shared.manager.connection.read(|client| client.buffered(id)))
            .unwrap_or_default();
        data.iter()
            .filter_map(|json| {
                json.dyn_ref::<JsString>()
                    .and_then(|text| parse_json(text).ok())
            })
            .collect()
    }

    /// Drops the emits waiting in the send buffer.
    #[wasm_bindgen(js_name = "_clearSendBuffer")]
    pub fn clear_send_buffer(&self) {
        if let Some(id) = self.shared.id {
            self.shared.manager.connection.clear_send_buffer(id);
        }
    }

    /// Connects, unless already connected.
    pub fn connect(&self) -> Result<(), JsValue> {
        if let Some(id) = self.shared.id {
            self.shared.manager.connection.connect(id);
        }
        Ok(())
    }

    /// Disconnects; the `disconnect` event follows with `io client disconnect` if connected.
    pub fn disconnect(&self) {
        if let Some(id) = self.shared.id {
            self.shared.manager.connection.disconnect(id);
        }
    }

    /// Emits `[event, ...args]` (the JS wrapper builds the array), with an ack callback when
    /// `ack` is a function. Throws for reserved names and for more than 10 binaries.
    #[wasm_bindgen(js_name = "_emit")]
    pub fn emit_packet(
        &self,
        packet: Array,
        ack: Option<Function>,
        volatile: bool,
        timeout: Option<f64>,
    ) -> Result<(), JsValue> {
        let shared = &self.shared;
        let name = packet.get(0);
        if let Some(name) = name.as_string().filter(|name| is_reserved_event(name)) {
            let mut message = String::from("\"");
            message.push_str(&name);
            message.push_str("\" is a reserved event name");
            return Err(type_error(&message));
        }
        let flags = EmitFlags {
            ack: ack.is_some(),
            timeout: timeout.map(super::options::to_millis),
            volatile,
        };
        let event = encode_event(&packet)?;
        if self.connected() {
            shared.listeners.emit_outgoing(&packet);
        } else if !volatile {
            shared.state.borrow_mut().unsent.push(packet);
        }
        let Some(id) = shared.id else { return Ok(()) };
        let ticket = shared.manager.connection.emit(id, event, flags);
        if let (Some(ticket), Some(ack)) = (ticket, ack) {
            let error_first = flags.timeout.is_some()
                || shared.options.ack_timeout.is_some()
                || shared.options.retries.is_some()
                || Reflect::get(&ack, &"withError".into()).is_ok_and(|flag| flag.is_truthy());
            shared
                .state
                .borrow_mut()
                .acks
                .push((ticket, ack, error_first));
        }
        Ok(())
    }

    /// Answers the server's ack request `wire` with `args` (called by the ack function).
    #[wasm_bindgen(js_name = "_ack")]
    pub fn send_ack(&self, wire: f64, args: Array) -> Result<(), JsValue> {
        let reply = encode_event(&args)?;
        if let Some(id) = self.shared.id {
            self.shared.manager.connection.ack(id, wire as u64, reply);
        }
        Ok(())
    }

    /// The answer of the `auth` function.
    #[wasm_bindgen(js_name = "_authenticate")]
    pub fn authenticate(&self, data: JsValue) -> Result<(), JsValue> {
        let text = match data.is_undefined() || data.is_null() {
            true => None,
            false => JSON::stringify(&data)?.as_string(),
        };
        if let Some(id) = self.shared.id {
            self.shared
                .manager
                .connection
                .authenticate(id, text.as_deref());
        }
        Ok(())
    }

    /// Receives index.js's ack-function maker and auth caller (see the module docs).
    #[wasm_bindgen(js_name = "_bind")]
    pub fn bind(&self, make_ack: Function, ask_auth: Function) {
        let mut state = self.shared.state.borrow_mut();
        state.make_ack = Some(make_ack);
        state.ask_auth = Some(ask_auth);
    }

    /// Adds a listener (`once` removes it after its first call).
    #[wasm_bindgen(js_name = "_on")]
    pub fn add_listener(&self, event: JsString, listener: Function, once: bool) {
        self.shared
            .listeners
            .add(String::from(event), listener, once);
    }

    /// Removes listeners: all, all of `event`, or one.
    #[wasm_bindgen(js_name = "_off")]
    pub fn remove_listener(&self, event: Option<String>, listener: Option<Function>) {
        self.shared
            .listeners
            .remove(event.as_deref(), listener.as_ref());
    }

    /// The listeners of `event`, in order.
    pub fn listeners(&self, event: JsString) -> Array {
        self.shared.listeners.listeners(&String::from(event))
    }

    /// Whether `event` has listeners.
    #[wasm_bindgen(js_name = "hasListeners")]
    pub fn has_listeners(&self, event: JsString) -> bool {
        self.shared
            .listeners
            .listeners(&String::from(event))
            .length()
            > 0
    }

    /// Adds a catch-all listener (incoming, or `outgoing` emits), at the end or the front.
    #[wasm_bindgen(js_name = "_onAny")]
    pub fn add_any(&self, listener: Function, prepend: bool, outgoing: bool) {
        self.shared.listeners.add_any(listener, prepend, outgoing);
    }

    /// Removes one catch-all listener, or all of them.
    #[wasm_bindgen(js_name = "_offAny")]
    pub fn remove_any(&self, listener: Option<Function>, outgoing: bool) {
        self.shared
            .listeners
            .remove_any(listener.as_ref(), outgoing);
    }

    /// The catch-all listeners.
    #[wasm_bindgen(js_name = "_listenersAny")]
    pub fn any_listeners(&self, outgoing: bool) -> Array {
        self.shared.listeners.any(outgoing)
    }
}

impl SocketShared {
    /// Handles what the connection says about this socket, then tells the listeners.
    fn on_event(&self, event: SocketEvent<JsValue>) {
        match event {
            SocketEvent::Connect { sid, recovered } => {
                let unsent = {
                    let mut state = self.state.borrow_mut();
                    state.sid = Some(sid);
                    state.recovered = recovered;
                    core::mem::take(&mut state.unsent)
                };
                for packet in &unsent {
                    self.listeners.emit_outgoing(packet);
                }
                self.listeners.emit("connect", &Array::new());
            }
            SocketEvent::ConnectError(cause) => {
                let error = self.manager.connect_error(cause);
                self.listeners.emit("connect_error", &Array::of1(&error));
            }
            SocketEvent::Disconnect {
                reason,
                description,
            } => {
                self.state.borrow_mut().sid = None;
                let details = disconnect_details(reason, description.as_deref());
                self.listeners
                    .emit("disconnect", &Array::of2(&reason.as_str().into(), &details));
            }
            SocketEvent::Event(inbound) => self.on_server_event(&inbound),
            SocketEvent::AuthRequired => self.ask_auth(),
            SocketEvent::Ack { ticket, reply } => self.on_ack(ticket, Ok(&reply)),
            SocketEvent::AckFailed { ticket, cause } => self.on_ack(ticket, Err(cause)),
        }
    }

    fn on_server_event(&self, inbound: &Inbound<JsValue>) {
        let Some((name, args)) = decode_event(inbound) else {
            return;
        };
        if let Some(wire) = inbound.ack_id {
            let make_ack = self.state.borrow().make_ack.clone();
            if let Some(make_ack) = make_ack {
                if let Ok(ack) = make_ack.call1(&JsValue::UNDEFINED, &(wire as f64).into()) {
                    args.push(&ack);
                }
            }
        }
        self.listeners.emit_event(&name, &args);
    }

    /// Calls the ack callback of `ticket` with the server's values, or with the error.
    fn on_ack(&self, ticket: Ticket, result: Result<&Inbound<JsValue>, AckFailure>) {
        let found = {
            let mut state = self.state.borrow_mut();
            let index = state.acks.iter().position(|(known, _, _)| *known == ticket);
            index.map(|index| state.acks.remove(index))
        };
        let Some((_, callback, error_first)) = found else {
            return;
        };
        let args = match result {
            Ok(reply) => {
                let args = decode_args(reply).unwrap_or_default();
                if error_first {
                    args.unshift(&JsValue::NULL);
                }
                args
            }
            Err(AckFailure::TimedOut) => {
                Array::of1(&error_with_data("operation has timed out", None))
            }
            Err(AckFailure::Disconnected) if error_first => {
                Array::of1(&error_with_data("socket has been disconnected", None))
            }
            Err(AckFailure::Disconnected) => return,
        };
        if let Err(error) = callback.apply(&JsValue::UNDEFINED, &args) {
            super::errors::report_listener_error(&error);
        }
    }

    /// Calls the `auth` function; its callback answers through `_authenticate`.
    fn ask_auth(&self) {
        let (auth, ask_auth) = {
            let state = self.state.borrow();
            (state.auth.clone(), state.ask_auth.clone())
        };
        match (auth, ask_auth) {
            (Some(auth), Some(ask_auth)) => {
                if let Err(error) = ask_auth.call1(&JsValue::UNDEFINED, &auth) {
                    super::errors::report_listener_error(&error);
                }
            }
            _ => {
                if let Some(id) = self.id {
                    self.manager.connection.authenticate(id, None);
                }
            }
        }
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
