//! `Socket`: one namespace over a Manager's connection, with typed events, acks as futures,
//! callbacks and streams.
//!
//! The state (`id`, `connected`, `active`, `recovered`) is read from the core each time, where
//! it is kept once. The socket holds only what the app handed over: listeners, and the futures
//! waiting for acks. Dropping the last handle of a socket disconnects it, as dropping a
//! gloo-net WebSocket closes it.

use std::cell::RefCell;
use std::future::Future;
use std::rc::{Rc, Weak};
use std::time::Duration;

use futures_channel::oneshot;
use js_sys::Array;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

use super::ack::{Ack, AckSlot};
use super::auth::{ask, AuthFn, AuthSource};
use super::error::{AckError, ClientError, ConnectError, EmitError, EventError};
use super::listeners::{Listener, Registry};
use super::manager::ManagerShared;
use super::options::Transport;
use super::payload::{
    decode_array, decode_event, decode_outbound, encode_event, from_js, split_event, to_js,
    to_json_text,
};
use super::state::StateChange;
use super::stream::EventStream;
use crate::driver::{Connection, EventSink};
use crate::protocol::acks::Ticket;
use crate::protocol::client::SocketId;
use crate::protocol::error::DecodeError;
use crate::protocol::socket::{
    AckFailure, EmitFlags, Inbound, NamespaceSocket, Outbound, SocketEvent, SocketOptions,
};

/// An event from the server, as its listeners get it.
pub(crate) struct Incoming {
    name: String,
    args: Array,
    ack: Option<Rc<AckSlot>>,
    /// Arguments that did not fit a listener's type, reported once the listeners have run.
    failures: RefCell<Vec<EventError>>,
}

impl Incoming {
    /// The first argument as a `T`, or the listener's decode failure noted.
    fn first<T: DeserializeOwned>(&self) -> Option<T> {
        match from_js(self.args.get(0)) {
            Ok(value) => Some(value),
            Err(message) => {
                self.failures.borrow_mut().push(EventError {
                    event: self.name.clone(),
                    message,
                });
                None
            }
        }
    }
}

/// An event written to the transport, as the outgoing listeners get it.
struct Outgoing {
    name: String,
    args: Array,
}

type AckWaiter = oneshot::Sender<Result<Array, AckError>>;

/// What a socket's handles share.
pub(crate) struct SocketInner {
    manager: Rc<ManagerShared>,
    /// The socket on the connection (`None` only if the connection was busy at creation).
    id: Option<SocketId>,
    nsp: String,
    /// The catch-all listeners, called before `events` as socket.io-client calls `onAny`'s.
    any: Registry<Incoming>,
    events: Registry<Incoming>,
    outgoing: Registry<Outgoing>,
    errors: Registry<EventError>,
    states: Registry<StateChange>,
    upgrades: Registry<Transport>,
    acks: RefCell<Vec<(Ticket, AckWaiter)>>,
    /// The app's auth function, asked before each CONNECT (none: the payload is fixed).
    auth: RefCell<Option<AuthFn>>,
}

/// A Socket.IO socket: one namespace over a shared connection (socket.io-client's `Socket`).
///
/// Clones are handles to the same socket; dropping the last one disconnects it. A listener
/// that holds a clone of its own socket keeps it alive: hold a [`WeakSocket`] there instead.
#[derive(Clone)]
pub struct Socket {
    inner: Rc<SocketInner>,
}

/// A handle that does not keep its socket alive (for use inside the socket's own listeners).
#[derive(Clone)]
pub struct WeakSocket {
    inner: Weak<SocketInner>,
}

impl WeakSocket {
    /// The socket, unless it has been dropped.
    pub fn upgrade(&self) -> Option<Socket> {
        self.inner.upgrade().map(|inner| Socket { inner })
    }
}

impl core::fmt::Debug for Socket {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Socket")
            .field("nsp", &self.inner.nsp)
            .field("id", &self.id())
            .finish()
    }
}

impl core::fmt::Debug for WeakSocket {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("WeakSocket")
    }
}

impl Socket {
    /// A socket for `nsp` on `manager`, not yet connected.
    pub(crate) fn new(
        manager: Rc<ManagerShared>,
        nsp: &str,
        auth: &AuthSource,
        options: SocketOptions,
    ) -> Self {
        let inner = Rc::new_cyclic(|weak: &Weak<SocketInner>| {
            let weak = weak.clone();
            let sink: EventSink = Rc::new(move |event| {
                if let Some(inner) = weak.upgrade() {
                    inner.on_event(&weak, event);
                }
            });
            let id = manager
                .connection
                .socket(nsp, auth.for_core(), options, sink);
            SocketInner {
                manager,
                id,
                nsp: nsp.to_owned(),
                any: Registry::default(),
                events: Registry::default(),
                outgoing: Registry::default(),
                errors: Registry::default(),
                states: Registry::default(),
                upgrades: Registry::default(),
                acks: RefCell::new(Vec::new()),
                auth: RefCell::new(auth.function()),
            }
        });
        Self { inner }
    }

    pub(crate) fn downgrade_inner(&self) -> Weak<SocketInner> {
        Rc::downgrade(&self.inner)
    }

    pub(crate) fn from_inner(inner: Rc<SocketInner>) -> Self {
        Self { inner }
    }

    /// A handle that does not keep the socket alive.
    pub fn downgrade(&self) -> WeakSocket {
        WeakSocket {
            inner: Rc::downgrade(&self.inner),
        }
    }

    /// The namespace, such as `/` or `/admin`.
    pub fn nsp(&self) -> &str {
        &self.inner.nsp
    }

    /// The Socket.IO id while connected.
    pub fn id(&self) -> Option<String> {
        self.read(|socket| socket.sid().map(str::to_owned))
    }

    /// Whether the socket is connected to its namespace.
    pub fn connected(&self) -> bool {
        self.read(NamespaceSocket::is_connected)
    }

    /// Whether the socket is connected or will (re)connect on its own.
    pub fn active(&self) -> bool {
        self.inner.id.is_some_and(|id| {
            self.connection()
                .read(|client| client.is_active(id))
                .unwrap_or(true)
        })
    }

    /// Whether the last connection restored the session (connection state recovery).
    pub fn recovered(&self) -> bool {
        self.read(NamespaceSocket::is_recovered)
    }

    /// The transport the Manager's connection runs on now (socket.io-client's
    /// `socket.io.engine.transport.name`), `None` while it is not open.
    pub fn transport(&self) -> Option<Transport> {
        self.connection()
            .read(|client| client.transport().map(Transport::from))
            .flatten()
    }

    /// The `auth` payload of this socket's next CONNECT, such as a reconnecting page's
    /// identity (socket.io-client's `socket.auth = ...`); it replaces the Manager's, and an
    /// auth function set before.
    pub fn set_auth<T: Serialize + ?Sized>(&self, auth: &T) -> Result<(), ClientError> {
        let json = to_json_text(auth)?;
        self.replace_auth(AuthSource::Fixed(Some(json)))
    }

    /// A function asked for the `auth` payload before each CONNECT of this socket from now
    /// on (socket.io-client's `socket.auth = (cb) => cb(data)`); it replaces the Manager's
    /// auth and [`set_auth`](Self::set_auth)'s payload. See
    /// [`ManagerBuilder::auth_with`](super::ManagerBuilder::auth_with).
    pub fn set_auth_with<T: Serialize>(
        &self,
        auth: impl FnMut() -> T + 'static,
    ) -> Result<(), ClientError> {
        self.replace_auth(AuthSource::asked(auth))
    }

    fn replace_auth(&self, auth: AuthSource) -> Result<(), ClientError> {
        let id = self.inner.id.ok_or(ClientError::Emit(EmitError::NotSent))?;
        if let Ok(mut function) = self.inner.auth.try_borrow_mut() {
            *function = auth.function();
        }
        self.connection().set_auth(id, auth.for_core());
        Ok(())
    }

    /// Connects, opening the Manager's connection if needed (nothing if already connected).
    pub fn connect(&self) {
        if let Some(id) = self.inner.id {
            self.connection().connect(id);
        }
    }

    /// Disconnects; the state listeners hear `Disconnected(IoClientDisconnect)` if it was
    /// connected. The socket does not reconnect until [`connect`](Self::connect).
    pub fn disconnect(&self) {
        if let Some(id) = self.inner.id {
            self.connection().disconnect(id);
        }
    }

    /// How many emits wait to be sent: those made while the socket was not connected (sent
    /// in order once it connects), and with `retries` those queued for their (next) try
    /// (socket.io-client's `socket.sendBuffer.length`).
    pub fn send_buffer_len(&self) -> usize {
        self.inner
            .id
            .and_then(|id| self.connection().read(|client| client.buffered(id).len()))
            .unwrap_or(0)
    }

    /// Drops the emits waiting for the socket to connect, such as messages that are stale
    /// once offline for long (socket.io-client's `socket.sendBuffer = []`). The emits queued
    /// by `retries` stay: they are resent until acknowledged. An
    /// [`emit_with_ack`](Self::emit_with_ack) whose emit is dropped ends with its timeout, or
    /// with [`AckError::Disconnected`] at the next disconnection.
    pub fn clear_send_buffer(&self) {
        if let Some(id) = self.inner.id {
            self.connection().clear_send_buffer(id);
        }
    }

    /// Emits `event` with `data` as its one argument (binary as `serde_bytes` anywhere in it).
    pub fn emit<T: Serialize + ?Sized>(&self, event: &str, data: &T) -> Result<(), EmitError> {
        self.emit_js(event, &[to_js(data)?])
    }

    /// Emits `event` with JS values as its arguments (the untyped form).
    pub fn emit_js(&self, event: &str, args: &[JsValue]) -> Result<(), EmitError> {
        self.emit_flagged(event, args, EmitFlags::default())
    }

    /// A view of the socket whose emits are dropped, not buffered, when they cannot be written
    /// at once: while the socket is not connected, or while the transport is busy (a polling
    /// request under way). socket.io-client's `socket.volatile.emit(...)`, for values that are
    /// stale by the time the connection is back, such as a typing indicator or a position.
    ///
    /// ```no_run
    /// # fn typing(socket: &socketio_wasm::Socket) -> Result<(), socketio_wasm::EmitError> {
    /// socket.volatile().emit("typing", "lobby")?;
    /// # Ok(()) }
    /// ```
    pub fn volatile(&self) -> Volatile<'_> {
        Volatile { socket: self }
    }

    fn emit_flagged(
        &self,
        event: &str,
        args: &[JsValue],
        flags: EmitFlags,
    ) -> Result<(), EmitError> {
        let outbound = encode_event(event, args)?;
        self.inner.send(outbound, flags).map(drop)
    }

    /// Emits `event` with `data` and waits for the server's answer (its first argument), for
    /// the `ackTimeout` option at most (forever if unset, until the socket disconnects).
    pub fn emit_with_ack<Res: DeserializeOwned, T: Serialize + ?Sized>(
        &self,
        event: &str,
        data: &T,
    ) -> impl Future<Output = Result<Res, AckError>> + 'static {
        self.emit_ack_within(None, event, data)
    }

    /// A view of the socket whose acks time out after `timeout`
    /// (socket.io-client's `socket.timeout(ms).emit(...)`).
    pub fn timeout(&self, timeout: Duration) -> Timeout<'_> {
        Timeout {
            socket: self,
            timeout,
        }
    }

    fn emit_ack_within<Res: DeserializeOwned, T: Serialize + ?Sized>(
        &self,
        timeout: Option<Duration>,
        event: &str,
        data: &T,
    ) -> impl Future<Output = Result<Res, AckError>> + 'static {
        let sent = to_js(data)
            .and_then(|data| encode_event(event, &[data]))
            .and_then(|outbound| {
                let flags = EmitFlags {
                    ack: true,
                    timeout: timeout.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
                    ..EmitFlags::default()
                };
                self.inner.send(outbound, flags)
            });
        let receiver = match sent {
            Ok(Some(ticket)) => Ok(self.inner.wait_for(ticket)),
            Ok(None) => Err(AckError::Emit(EmitError::NotSent)),
            Err(error) => Err(AckError::Emit(error)),
        };
        async move {
            let args = receiver?.await.unwrap_or(Err(AckError::Disconnected))?;
            from_js(args.get(0)).map_err(AckError::Decode)
        }
    }

    /// Calls `listener` with the first argument of each `event`, decoded as a `T`. When it does
    /// not decode, the error listeners hear an [`EventError`] instead (logged to the console
    /// when there are none).
    pub fn on<T: DeserializeOwned + 'static>(
        &self,
        event: &str,
        mut listener: impl FnMut(T) + 'static,
    ) -> Listener {
        let event = event.to_owned();
        self.inner.events.add(move |incoming: &Incoming| {
            if incoming.name == event {
                if let Some(value) = incoming.first() {
                    listener(value);
                }
            }
        })
    }

    /// As [`on`](Self::on), with the server's ack request when it made one.
    pub fn on_with_ack<T: DeserializeOwned + 'static>(
        &self,
        event: &str,
        mut listener: impl FnMut(T, Option<Ack>) + 'static,
    ) -> Listener {
        let event = event.to_owned();
        self.inner.events.add(move |incoming: &Incoming| {
            if incoming.name == event {
                if let Some(value) = incoming.first() {
                    listener(value, incoming.ack.clone().map(Ack::new));
                }
            }
        })
    }

    /// Calls `listener` with all the arguments of each `event` as JS values (binaries as the
    /// `ArrayBuffer`s that arrived, as socket.io-client gives them), and the ack request: the
    /// untyped form.
    pub fn on_js(
        &self,
        event: &str,
        mut listener: impl FnMut(Array, Option<Ack>) + 'static,
    ) -> Listener {
        let event = event.to_owned();
        self.inner.events.add(move |incoming: &Incoming| {
            if incoming.name == event {
                listener(incoming.args.clone(), incoming.ack.clone().map(Ack::new));
            }
        })
    }

    /// Calls `listener` with the name, all the arguments (as [`on_js`](Self::on_js) gets them)
    /// and the ack request of every event the socket receives, before the event's own
    /// listeners (socket.io-client's `onAny`).
    pub fn on_any(&self, mut listener: impl FnMut(&str, Array, Option<Ack>) + 'static) -> Listener {
        self.inner.any.add(move |incoming: &Incoming| {
            listener(
                &incoming.name,
                incoming.args.clone(),
                incoming.ack.clone().map(Ack::new),
            );
        })
    }

    /// Calls `listener` with the name and arguments of every event the socket writes to the
    /// transport, when it is written (socket.io-client's `onAnyOutgoing`): at once for an
    /// emit while connected, on reconnection for one that waited in the send buffer, never
    /// for a dropped volatile one. Binaries come as they were emitted (`Uint8Array`s from
    /// Rust values).
    pub fn on_any_outgoing(&self, mut listener: impl FnMut(&str, Array) + 'static) -> Listener {
        if let Some(id) = self.inner.id {
            self.connection().report_sent(id);
        }
        self.inner.outgoing.add(move |outgoing: &Outgoing| {
            listener(&outgoing.name, outgoing.args.clone());
        })
    }

    /// Calls `listener` when a received event does not fit a listener's type.
    pub fn on_error(&self, listener: impl FnMut(&EventError) + 'static) -> Listener {
        self.inner.errors.add(listener)
    }

    /// Calls `listener` at each step of the connection (connected, disconnected, reconnecting).
    pub fn on_state(&self, listener: impl FnMut(&StateChange) + 'static) -> Listener {
        self.inner.states.add(listener)
    }

    /// Calls `listener` when the Manager's connection moves to a better transport (polling to
    /// WebSocket: socket.io-client's `upgrade` event of `socket.io.engine`).
    pub fn on_upgrade(&self, listener: impl FnMut(&Transport) + 'static) -> Listener {
        self.inner.upgrades.add(listener)
    }

    /// Calls `listener` when the namespace cannot connect (socket.io-client's `connect_error`).
    pub fn on_connect_error(&self, mut listener: impl FnMut(&ConnectError) + 'static) -> Listener {
        self.on_state(move |change| {
            if let StateChange::ConnectFailed(error) = change {
                listener(error);
            }
        })
    }

    /// The first argument of each `event` from now on, decoded as a `T`.
    pub fn events<T: DeserializeOwned + 'static>(
        &self,
        event: &str,
    ) -> EventStream<Result<T, EventError>> {
        let event = event.to_owned();
        let inner = &self.inner;
        EventStream::new(|sender| {
            inner.events.add(move |incoming: &Incoming| {
                if incoming.name == event {
                    let value = from_js(incoming.args.get(0)).map_err(|message| EventError {
                        event: event.clone(),
                        message,
                    });
                    let _ = sender.unbounded_send(value);
                }
            })
        })
    }

    /// Each step of the connection from now on.
    pub fn states(&self) -> EventStream<StateChange> {
        let inner = &self.inner;
        EventStream::new(|sender| {
            inner.states.add(move |change: &StateChange| {
                let _ = sender.unbounded_send(change.clone());
            })
        })
    }

    fn connection(&self) -> &Connection {
        &self.inner.manager.connection
    }

    /// Reads the core's state of this socket (the one place it is kept).
    fn read<T: Default>(&self, read: impl FnOnce(&NamespaceSocket<JsValue>) -> T) -> T {
        self.inner
            .id
            .and_then(|id| {
                self.connection()
                    .read(|client| client.socket_state(id).map(read))
            })
            .flatten()
            .unwrap_or_default()
    }
}

/// A socket whose acks time out; made by [`Socket::timeout`].
#[derive(Debug)]
pub struct Timeout<'a> {
    socket: &'a Socket,
    timeout: Duration,
}

impl Timeout<'_> {
    /// Emits `event` with `data` and waits for the answer, for the timeout at most.
    pub fn emit_with_ack<Res: DeserializeOwned, T: Serialize + ?Sized>(
        &self,
        event: &str,
        data: &T,
    ) -> impl Future<Output = Result<Res, AckError>> + 'static {
        self.socket.emit_ack_within(Some(self.timeout), event, data)
    }
}

/// A socket whose emits are dropped unless they can be written at once; made by
/// [`Socket::volatile`].
#[derive(Debug)]
pub struct Volatile<'a> {
    socket: &'a Socket,
}

impl Volatile<'_> {
    /// Emits `event` with `data` as its one argument if it can be written now, else drops it
    /// (`Ok` either way: socket.io-client does not tell either).
    pub fn emit<T: Serialize + ?Sized>(&self, event: &str, data: &T) -> Result<(), EmitError> {
        self.emit_js(event, &[to_js(data)?])
    }

    /// As [`emit`](Self::emit), with JS values as the arguments.
    pub fn emit_js(&self, event: &str, args: &[JsValue]) -> Result<(), EmitError> {
        let flags = EmitFlags {
            volatile: true,
            ..EmitFlags::default()
        };
        self.socket.emit_flagged(event, args, flags)
    }
}

impl SocketInner {
    fn connection(&self) -> &Connection {
        &self.manager.connection
    }

    /// Hands an encoded emit to the core; the ticket names its ack when `flags.ack`.
    fn send(
        &self,
        event: Outbound<JsValue>,
        flags: EmitFlags,
    ) -> Result<Option<Ticket>, EmitError> {
        let id = self.id.ok_or(EmitError::NotSent)?;
        Ok(self.connection().emit(id, event, flags))
    }

    /// Answers the server's ack request `wire`.
    pub(crate) fn ack(&self, wire: u64, reply: Outbound<JsValue>) -> Result<(), EmitError> {
        let id = self.id.ok_or(EmitError::NotSent)?;
        self.connection().ack(id, wire, reply);
        Ok(())
    }

    fn wait_for(&self, ticket: Ticket) -> oneshot::Receiver<Result<Array, AckError>> {
        let (sender, receiver) = oneshot::channel();
        if let Ok(mut acks) = self.acks.try_borrow_mut() {
            acks.push((ticket, sender));
        }
        receiver
    }

    fn settle(&self, ticket: Ticket, outcome: Result<Array, AckError>) {
        let waiter = self.acks.try_borrow_mut().ok().and_then(|mut acks| {
            let index = acks.iter().position(|(known, _)| *known == ticket)?;
            Some(acks.swap_remove(index).1)
        });
        if let Some(waiter) = waiter {
            let _ = waiter.send(outcome);
        }
    }

    /// A state change of the Manager's, told to this socket's state listeners.
    pub(crate) fn on_state(&self, change: &StateChange) {
        self.states.emit(change);
    }

    /// The Manager's connection upgraded, told to this socket's upgrade listeners.
    pub(crate) fn on_upgrade(&self, transport: Transport) {
        self.upgrades.emit(&transport);
    }

    fn on_event(&self, weak: &Weak<SocketInner>, event: SocketEvent<JsValue>) {
        match event {
            SocketEvent::Connect { recovered, .. } => {
                self.states.emit(&StateChange::Connected { recovered })
            }
            SocketEvent::ConnectError(cause) => self
                .states
                .emit(&StateChange::ConnectFailed(ConnectError::from(cause))),
            SocketEvent::Disconnect { reason, .. } => {
                self.states.emit(&StateChange::Disconnected(reason))
            }
            SocketEvent::Event(inbound) => self.on_inbound(weak, &inbound),
            SocketEvent::Ack { ticket, reply } => {
                let outcome = decode_array(&reply.data, &reply.attachments);
                if let Err(error) = &outcome {
                    self.connection().reject_packet(error.clone());
                }
                self.settle(ticket, outcome.map_err(|e| AckError::Decode(e.to_string())));
            }
            SocketEvent::AckAsSent {
                ticket,
                reply,
                error_only,
            } => {
                let outcome = decode_array(&reply.data, &reply.attachments);
                if let Err(error) = &outcome {
                    self.connection().reject_packet(error.clone());
                }
                self.settle(ticket, error_first(outcome, error_only));
            }
            SocketEvent::AckFailed { ticket, cause } => {
                let error = match cause {
                    AckFailure::TimedOut => AckError::Timeout,
                    AckFailure::Disconnected => AckError::Disconnected,
                };
                self.settle(ticket, Err(error));
            }
            SocketEvent::AuthRequired => self.authenticate(),
            SocketEvent::Sent(event) => self.on_sent(&event),
        }
    }

    /// The core waits for the auth function's answer before it sends CONNECT.
    fn authenticate(&self) {
        let function = self.auth.try_borrow().ok().and_then(|f| f.clone());
        let json = function.as_ref().and_then(ask);
        if let Some(id) = self.id {
            self.connection().authenticate(id, json.as_deref());
        }
    }

    /// An event went to the transport: decoded again from what was written (it may have
    /// waited in a buffer since its emit) for the outgoing listeners.
    fn on_sent(&self, event: &Outbound<JsValue>) {
        if self.outgoing.is_empty() {
            return;
        }
        if let Ok((name, args)) = decode_outbound(event).map(split_event) {
            self.outgoing.emit(&Outgoing { name, args });
        }
    }

    /// An event from the server: decoded once, then each listener takes its type.
    fn on_inbound(&self, weak: &Weak<SocketInner>, inbound: &Inbound<JsValue>) {
        let (name, args) = match decode_event(&inbound.data, &inbound.attachments) {
            Ok(event) => event,
            Err(error) => {
                // A malformed packet, as socket.io-client treats it: `parse error`.
                self.connection().reject_packet(error);
                return;
            }
        };
        let incoming = Incoming {
            name,
            args,
            ack: inbound.ack_id.map(|wire| AckSlot::new(weak.clone(), wire)),
            failures: RefCell::new(Vec::new()),
        };
        self.any.emit(&incoming);
        self.events.emit(&incoming);
        for failure in incoming.failures.take() {
            if self.errors.is_empty() {
                web_sys::console::error_1(&JsValue::from_str(&failure.to_string()));
            }
            self.errors.emit(&failure);
        }
    }
}

/// An answer read error-first (`retries` without an ack timeout): the first argument is the
/// error, the rest the answer.
fn error_first(reply: Result<Array, DecodeError>, error_only: bool) -> Result<Array, AckError> {
    let array = reply.map_err(|e| AckError::Decode(e.to_string()))?;
    let error = array.shift();
    if error_only {
        let text = js_sys::JSON::stringify(&error).map_or_else(|_| String::from("?"), String::from);
        return Err(AckError::Rejected(text));
    }
    Ok(array)
}

impl Drop for SocketInner {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            self.manager.connection.remove_socket(id);
        }
    }
}
