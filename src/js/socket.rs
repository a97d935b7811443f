//! `Socket` for JavaScript: socket.io-client's socket for one namespace.
//!
//! This is the wasm half of the class: connection state, the calls into the core, and the
//! Socket.IO rules of the JS API (payload encoding and decoding, reserved names, error-first
//! acks, when `onAnyOutgoing` listeners hear an emit). The JS half (index.js) holds what the
//! user hands over (listeners, ack callbacks, the `auth` value) and calls the listeners with
//! the arrays this half decoded. See `target.rs` for why wasm holds the JS object only weakly.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, JsString, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::errors::{emit_error, error_with_data};
use super::manager::ManagerShared;
use super::target::Target;
use crate::client::payload::{
    decode_array, decode_event_packet, decode_outbound, encode, encode_packet, parse_json,
};
use crate::client::EmitError;
use crate::driver::EventSink;
use crate::protocol::acks::Ticket;
use crate::protocol::client::SocketId;
use crate::protocol::socket::{
    AckFailure, Auth, EmitFlags, Inbound, NamespaceSocket, Outbound, SocketEvent, SocketOptions,
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
    /// The tickets whose callbacks take an error first (`emitWithAck`, `timeout()`,
    /// `retries`, `ackTimeout`), until answered or failed.
    error_first: RefCell<Vec<u64>>,
    /// The JSON of the emit whose `onAnyOutgoing` listeners were told already, while it is
    /// written.
    told: RefCell<Option<JsValue>>,
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
                error_first: RefCell::default(),
                told: RefCell::default(),
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

    /// The emits waiting for the socket to connect (or for their retry turn), as
    /// socket.io-client's packets `{ type: 2, nsp, data: [event, ...args] }` (binaries still as
    /// placeholders).
    #[wasm_bindgen(js_name = "_sendBuffer")]
    pub fn send_buffer(&self) -> Array {
        let data = self
            .socket_id()
            .and_then(|id| self.connection().read(|client| client.buffered(id)))
            .unwrap_or_default();
        let nsp = JsValue::from_str(&self.shared.nsp);
        data.iter()
            .filter_map(|json| {
                let data = parse_json(json.dyn_ref::<JsString>()?).ok()?;
                let packet = Object::new();
                // Setting a property on a fresh object cannot fail.
                let _ = Reflect::set(&packet, &"type".into(), &2.into());
                let _ = Reflect::set(&packet, &"nsp".into(), &nsp);
                let _ = Reflect::set(&packet, &"data".into(), &data);
                Some(JsValue::from(packet))
            })
            .collect()
    }

    /// Tells this half that `onAnyOutgoing` listeners exist (index.js does when the first one
    /// is added): from now on it reports the emits written.
    #[wasm_bindgen(js_name = "_reportSent")]
    pub fn report_sent(&self) {
        if let Some(id) = self.socket_id() {
            self.connection().report_sent(id);
        }
    }

    /// The events received before the CONNECT reply, waiting for it: `[packet, ackId]` for
    /// each, `packet` the decoded `[event, ...args]` (malformed ones left out).
    #[wasm_bindgen(js_name = "_receiveBuffer")]
    pub fn receive_buffer(&self) -> Array {
        let events = self
            .socket_id()
            .and_then(|id| self.connection().read(|client| client.receive_buffer(id)))
            .unwrap_or_default();
        events
            .iter()
            .filter_map(|event| {
                let packet = decode_event_packet(&event.data, &event.attachments).ok()?;
                let ack_id = event.ack_id.map(|id| id as f64);
                Some(Array::of2(&packet, &ack_id.into()))
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

    /// Emits `[event, ...args]`; the ack callback, if any, stays in index.js under the returned
    /// ticket. Returns the ticket when `ack` is set and the emit was not dropped, else
    /// `undefined`; or `false` when the packet holds Blobs, which index.js reads before it emits
    /// the packet again. `with_error`: an `emitWithAck` callback (error first). Throws for a
    /// reserved name, too many attachments, a value JSON cannot write, or binary data in a build
    /// without binary attachments.
    #[wasm_bindgen(js_name = "_emit")]
    pub fn emit(
        &self,
        packet: Array,
        ack: bool,
        with_error: bool,
        volatile: bool,
        timeout: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let Some(id) = self.socket_id() else {
            return Ok(JsValue::UNDEFINED);
        };
        let event = match encode_packet(packet.clone()) {
            Ok(event) => event,
            Err(EmitError::UnreadBlob) => return Ok(JsValue::FALSE),
            Err(error) => return Err(emit_error(&error)),
        };
        let flags = EmitFlags {
            ack,
            timeout: timeout.map(super::options::to_millis),
            volatile,
            withheld: false,
        };
        let Some(ticket) = self.shared.write(id, &packet, event, flags) else {
            return Ok(JsValue::UNDEFINED);
        };
        let options = &self.shared.options;
        let error_first = with_error
            || timeout.is_some()
            || options.retries().is_some()
            || options.ack_timeout.is_some();
        if error_first {
            self.shared.error_first.borrow_mut().push(ticket.0);
        }
        Ok(JsValue::from_f64(ticket.0 as f64))
    }

    /// Answers the server's ack request `wire` with `args`. Returns `false` when they hold
    /// Blobs, which index.js reads before it answers again. Throws as `_emit` does.
    #[wasm_bindgen(js_name = "_ack")]
    pub fn ack(&self, wire: f64, args: Array) -> Result<bool, JsValue> {
        let reply = match encode(args) {
            Ok(reply) => reply,
            Err(EmitError::UnreadBlob) => return Ok(false),
            Err(error) => return Err(emit_error(&error)),
        };
        if let Some(id) = self.socket_id() {
            self.connection().ack(id, wire as u64, reply);
        }
        Ok(true)
    }

    /// The answer of the `auth` function: the CONNECT payload as JSON, or none.
    #[wasm_bindgen(js_name = "_authenticate")]
    pub fn authenticate(&self, json: Option<String>) {
        if let Some(id) = self.socket_id() {
            self.connection().authenticate(id, json.as_deref());
        }
    }

    /// Binds the JS object that hears this socket's events (`link` is its link, see `target.rs`).
    #[wasm_bindgen(js_name = "_bind")]
    pub fn bind(&self, link: JsValue) {
        self.shared.target.bind(link);
    }
}

impl SocketShared {
    /// Hands an emit to the core. When the core writes it at once and `onAnyOutgoing`
    /// listeners exist, they hear it first, as socket.io-client tells them just before it
    /// writes; a listener that throws skips the write (the ack is still registered).
    fn write(
        &self,
        id: SocketId,
        packet: &Array,
        event: Outbound<JsValue>,
        mut flags: EmitFlags,
    ) -> Option<Ticket> {
        let connection = &self.manager.connection;
        let listened = connection
            .read(|client| client.socket_state(id).map(NamespaceSocket::reports_sent))
            .flatten()
            .unwrap_or(false);
        if !(listened && connection.writes_now(id, flags.volatile)) {
            return connection.emit(id, event, flags);
        }
        let outer = self.told.replace(Some(event.data.clone()));
        flags.withheld = !self.target.outgoing(packet);
        let ticket = connection.emit(id, event, flags);
        self.told.replace(outer);
        ticket
    }

    /// Keeps the connection state, then tells the JS object.
    fn on_event(&self, event: SocketEvent<JsValue>) {
        let target = &self.target;
        match event {
            SocketEvent::Connect { .. } => target.notice("connect", &Array::new()),
            SocketEvent::ConnectError(cause) => {
                let error = self.manager.connect_error(cause);
                target.notice("connect_error", &Array::of1(&error));
            }
            SocketEvent::Disconnect { reason, details } => {
                let details = self.manager.close_details(details);
                target.notice("disconnect", &Array::of2(&reason.as_str().into(), &details));
            }
            SocketEvent::Event(inbound) => self.on_inbound(&inbound),
            SocketEvent::AuthRequired => target.notice("auth", &Array::new()),
            SocketEvent::Ack { ticket, reply } => self.on_ack(ticket, &reply, AckShape::Usual),
            SocketEvent::AckAsSent {
                ticket,
                reply,
                error_only,
            } => {
                let shape = match error_only {
                    true => AckShape::ErrorOnly,
                    false => AckShape::AsSent,
                };
                self.on_ack(ticket, &reply, shape);
            }
            SocketEvent::Sent(event) => {
                let told = self.told.borrow().as_ref() == Some(&event.data);
                if !told {
                    if let Ok(packet) = decode_outbound(&event) {
                        target.outgoing(&packet);
                    }
                }
            }
            SocketEvent::AckFailed { ticket, cause } => {
                self.fail_ack(ticket, matches!(cause, AckFailure::TimedOut))
            }
        }
    }

    /// An event from the server: decoded and checked, then handed to the listeners; a
    /// malformed one closes the connection with `parse error`, as in socket.io-client.
    fn on_inbound(&self, inbound: &Inbound<JsValue>) {
        match decode_event_packet(&inbound.data, &inbound.attachments) {
            Ok(packet) => self.target.event(&packet, inbound.ack_id),
            Err(error) => self.manager.connection.reject_packet(error),
        }
    }

    /// The server answered an emit: its callback gets the reply as `shape` says.
    fn on_ack(&self, ticket: Ticket, reply: &Inbound<JsValue>, shape: AckShape) {
        let args = match decode_array(&reply.data, &reply.attachments) {
            Ok(args) => args,
            Err(error) => {
                self.manager.connection.reject_packet(error);
                return self.fail_ack(ticket, false);
            }
        };
        let error_first = self.take_error_first(ticket);
        match shape {
            AckShape::Usual if error_first => {
                args.unshift(&JsValue::NULL);
            }
            AckShape::Usual | AckShape::AsSent => {}
            AckShape::ErrorOnly => args.set_length(1),
        }
        self.target.ack(ticket.0, Some(args));
    }

    /// An emit's answer will not come: a timed-out callback gets the timeout error, an
    /// error-first one the disconnection, any other is dropped uncalled (socket.io-client's
    /// rules).
    fn fail_ack(&self, ticket: Ticket, timed_out: bool) {
        let error_first = self.take_error_first(ticket);
        let message = match (timed_out, error_first) {
            (true, _) => Some("operation has timed out"),
            (false, true) => Some("socket has been disconnected"),
            (false, false) => None,
        };
        let args = message.map(|message| Array::of1(&error_with_data(message, None)));
        self.target.ack(ticket.0, args);
    }

    /// Whether the callback of `ticket` takes an error first; forgets it.
    fn take_error_first(&self, ticket: Ticket) -> bool {
        let mut tickets = self.error_first.borrow_mut();
        let index = tickets.iter().position(|&t| t == ticket.0);
        index.map(|index| tickets.swap_remove(index)).is_some()
    }
}

/// How the arguments of an ack reach the callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AckShape {
    /// As usual: `null` first for error-first callbacks.
    Usual,
    /// As the server sent them (a queued emit without a timeout: the first one is the error).
    AsSent,
    /// Only the first one, the error (the last try of such an emit failed).
    ErrorOnly,
}
