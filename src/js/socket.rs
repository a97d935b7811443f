//! `Socket` for JavaScript: socket.io-client's socket for one namespace.
//!
//! This is the wasm half of the class: connection state and the calls into the core. The JS half
//! (index.js) holds everything the user hands over (listeners, ack callbacks, the `auth` value)
//! and turns packets into listener calls: the core gives it the received JSON as a span of the
//! frame, which it parses with `JSON.parse` and checks; a malformed packet comes back through
//! `_reject`. See `target.rs` for why wasm holds the JS object only weakly.

use std::rc::Rc;

use js_sys::{Array, JsString};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::manager::ManagerShared;
use super::payload::{json_at, outbound};
use super::target::{AckShape, Target};
use crate::client::payload::parse_json;
use crate::driver::EventSink;
use crate::protocol::client::SocketId;
use crate::protocol::error::DecodeError;
use crate::protocol::socket::{
    AckFailure, Auth, EmitFlags, NamespaceSocket, SocketEvent, SocketOptions,
};

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
    target: Target,
}

impl Socket {
    /// A socket for `nsp` on `manager`, not yet connected.
    pub(crate) fn new(
        manager: Rc<ManagerShared>,
        nsp: String,
        auth: Auth,
        options: SocketOptions,
    ) -> Self {
        let shared = Rc::new_cyclic(|weak: &std::rc::Weak<SocketShared>| {
            let weak = weak.clone();
            let sink: EventSink = Rc::new(move |event| {
                if let Some(shared) = weak.upgrade() {
                    shared.on_event(event);
                }
            });
            let id = manager.connection.socket(&nsp, auth, options.clone(), sink);
            SocketShared {
                manager,
                id,
                nsp,
                options,
                target: Target::default(),
            }
        });
        Self { shared }
    }

    fn socket_id(&self) -> Option<SocketId> {
        self.shared.id
    }

    fn connection(&self) -> &crate::driver::Connection {
        &self.shared.manager.connection
    }

    /// Reads the core's state of this socket (the one place it is kept).
    fn read<T: Default>(&self, read: impl FnOnce(&NamespaceSocket<JsValue>) -> T) -> T {
        self.socket_id()
            .and_then(|id| {
                self.connection()
                    .read(|client| client.socket_state(id).map(read))
            })
            .flatten()
            .unwrap_or_default()
    }
}

#[wasm_bindgen]
impl Socket {
    /// The Socket.IO sid while connected, else `undefined`.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> Option<String> {
        self.read(|socket| socket.sid().map(str::to_owned))
    }

    /// Whether the socket is connected to its namespace.
    #[wasm_bindgen(getter)]
    pub fn connected(&self) -> bool {
        self.read(NamespaceSocket::is_connected)
    }

    /// The opposite of `connected`.
    #[wasm_bindgen(getter)]
    pub fn disconnected(&self) -> bool {
        !self.connected()
    }

    /// Whether the socket is connected or will (re)connect on its own.
    #[wasm_bindgen(getter)]
    pub fn active(&self) -> bool {
        self.socket_id().is_some_and(|id| {
            self.connection()
                .read(|client| client.is_active(id))
                .unwrap_or(true)
        })
    }

    /// Whether the last connection restored the session (connection state recovery).
    #[wasm_bindgen(getter)]
    pub fn recovered(&self) -> bool {
        self.read(NamespaceSocket::is_recovered)
    }

    /// Whether ack callbacks take an error first (`retries` or `ackTimeout` is set).
    #[wasm_bindgen(getter, js_name = "_errorFirstAcks")]
    pub fn error_first_acks(&self) -> bool {
        let options = &self.shared.options;
        options.retries.is_some() || options.ack_timeout.is_some()
    }

    /// The CONNECT payload for the next connection: `json` (or none), or `asked` from the
    /// `auth` function each time.
    #[wasm_bindgen(js_name = "_setAuth")]
    pub fn set_auth(&self, json: Option<String>, asked: bool) {
        if let Some(id) = self.socket_id() {
            let auth = if asked {
                Auth::Asked
            } else {
                Auth::Fixed(json)
            };
            self.connection().set_auth(id, auth);
        }
    }

    /// The transport in use (`polling` or `websocket`), while there is a connection.
    #[wasm_bindgen(getter)]
    pub fn transport(&self) -> Option<String> {
        self.connection().transport_name().map(str::to_owned)
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
        let data = self
            .socket_id()
            .and_then(|id| self.connection().read(|client| client.buffered(id)))
            .unwrap_or_default();
        data.iter()
            .filter_map(|json| {
                json.dyn_ref::<JsString>()
                    .and_then(|text| parse_json(text).ok())
            })
            .collect()
    }

    /// Turns the `sent` notices on (index.js does when the first `onAnyOutgoing` listener is
    /// added).
    #[wasm_bindgen(js_name = "_reportSent")]
    pub fn report_sent(&self) {
        if let Some(id) = self.socket_id() {
            self.connection().report_sent(id);
        }
    }

    /// The events received before the CONNECT reply, waiting for it: `[frame, start, end,
    /// attachments, ackId]` for each, which index.js decodes as it decodes `_onEvent`'s.
    #[wasm_bindgen(js_name = "_receiveBuffer")]
    pub fn receive_buffer(&self) -> Array {
        let events = self
            .socket_id()
            .and_then(|id| self.connection().read(|client| client.receive_buffer(id)))
            .unwrap_or_default();
        let optional = |value: Option<JsValue>| value.unwrap_or(JsValue::UNDEFINED);
        events
            .iter()
            .map(|event| {
                let json = json_at(&event.data, &event.attachments);
                Array::of5(
                    json.frame,
                    &json.start.into(),
                    &optional(json.end.map(JsValue::from)),
                    &optional(json.attachments.map(JsValue::from)),
                    &optional(event.ack_id.map(|id| JsValue::from_f64(id as f64))),
                )
            })
            .collect()
    }

    /// Drops the emits waiting in the send buffer.
    #[wasm_bindgen(js_name = "_clearSendBuffer")]
    pub fn clear_send_buffer(&self) {
        if let Some(id) = self.socket_id() {
            self.connection().clear_send_buffer(id);
        }
    }

    /// Connects, unless already connected.
    #[wasm_bindgen(js_name = "_connect")]
    pub fn connect(&self) {
        if let Some(id) = self.socket_id() {
            self.connection().connect(id);
        }
    }

    /// Disconnects; the `disconnect` event follows with `io client disconnect` if connected.
    #[wasm_bindgen(js_name = "_disconnect")]
    pub fn disconnect(&self) {
        if let Some(id) = self.socket_id() {
            self.connection().disconnect(id);
        }
    }

    /// Whether an emit made now would be written at once (index.js then tells the
    /// `onAnyOutgoing` listeners first, as socket.io-client does).
    #[wasm_bindgen(js_name = "_writesNow")]
    pub fn writes_now(&self, volatile: bool) -> bool {
        self.socket_id()
            .is_some_and(|id| self.connection().writes_now(id, volatile))
    }

    /// Emits an event already encoded by index.js: its JSON text and binary attachments.
    /// Returns the ticket that the answer will carry when `ack` is set (and the emit was not
    /// dropped). `withheld`: an `onAnyOutgoing` listener threw, so only the ack is registered.
    #[wasm_bindgen(js_name = "_emit")]
    pub fn emit(
        &self,
        json: JsString,
        attachments: Option<Array>,
        ack: bool,
        volatile: bool,
        timeout: Option<f64>,
        withheld: bool,
    ) -> Option<f64> {
        let flags = EmitFlags {
            ack,
            timeout: timeout.map(super::options::to_millis),
            volatile,
            withheld,
        };
        let event = outbound(json, attachments);
        let ticket = self.connection().emit(self.socket_id()?, event, flags)?;
        Some(ticket.0 as f64)
    }

    /// Answers the server's ack request `wire` with an encoded reply.
    #[wasm_bindgen(js_name = "_ack")]
    pub fn ack(&self, wire: f64, json: JsString, attachments: Option<Array>) {
        if let Some(id) = self.socket_id() {
            let reply = outbound(json, attachments);
            self.connection().ack(id, wire as u64, reply);
        }
    }

    /// The answer of the `auth` function: the CONNECT payload as JSON, or none.
    #[wasm_bindgen(js_name = "_authenticate")]
    pub fn authenticate(&self, json: Option<String>) {
        if let Some(id) = self.socket_id() {
            self.connection().authenticate(id, json.as_deref());
        }
    }

    /// A received packet was malformed (index.js checked it): the connection closes with
    /// `parse error`, as socket.io-client's does.
    #[wasm_bindgen(js_name = "_reject")]
    pub fn reject(&self, invalid_attachments: bool) {
        let error = match invalid_attachments {
            true => DecodeError::BadPlaceholder,
            false => DecodeError::InvalidPayload,
        };
        self.connection().reject_packet(error);
    }

    /// Binds the JS object that hears this socket's events (`weak` is a `WeakRef` to it).
    #[wasm_bindgen(js_name = "_bind")]
    pub fn bind(&self, weak: JsValue) {
        self.shared.target.bind(weak);
    }
}

impl SocketShared {
    /// Keeps the connection state, then tells the JS object.
    fn on_event(&self, event: SocketEvent<JsValue>) {
        let target = &self.target;
        let none = JsValue::UNDEFINED;
        match event {
            SocketEvent::Connect { .. } => target.notice("connect", &none, &none),
            SocketEvent::ConnectError(cause) => {
                let error = self.manager.connect_error(cause);
                target.notice("connect_error", &error, &none);
            }
            SocketEvent::Disconnect { reason, details } => {
                let details = self.manager.close_details(details);
                target.notice("disconnect", &reason.as_str().into(), &details);
            }
            SocketEvent::Event(inbound) => {
                target.event(json_at(&inbound.data, &inbound.attachments), inbound.ack_id)
            }
            SocketEvent::AuthRequired => target.notice("auth", &none, &none),
            SocketEvent::Ack { ticket, reply } => target.ack(
                ticket.0,
                json_at(&reply.data, &reply.attachments),
                AckShape::Usual,
            ),
            SocketEvent::AckAsSent {
                ticket,
                reply,
                error_only,
            } => target.ack(
                ticket.0,
                json_at(&reply.data, &reply.attachments),
                match error_only {
                    true => AckShape::ErrorOnly,
                    false => AckShape::AsSent,
                },
            ),
            SocketEvent::Sent(event) => {
                let attachments: Array = event.attachments.iter().collect();
                target.notice("sent", &event.data, &attachments);
            }
            SocketEvent::AckFailed { ticket, cause } => {
                let timed_out = matches!(cause, AckFailure::TimedOut);
                target.notice("ack_failed", &(ticket.0 as f64).into(), &timed_out.into());
            }
        }
    }
}
