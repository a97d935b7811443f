//! The connection: one Engine.IO session multiplexing namespace sockets, reconnecting with
//! backoff when it drops (socket.io-client's `Manager`), as a sans-IO state machine.
//!
//! The driver calls `handle_*` with what happened and `now`, then drains [`Client::poll_output`]
//! until it returns `None`, and arms one timer for [`Client::poll_timeout`]. Outputs come in the
//! order they must be acted on: a DISCONNECT frame is written before the transport closes, and
//! emits buffered before a CONNECT reply go out before the user hears `connect`.
//!
//! Lifecycle, as in socket.io-client: the connection opens when a socket connects (or on
//! [`Client::open`]); if it fails to open, or closes for any reason but the user's, it waits a
//! backoff delay and opens again while any socket is still active. Sockets survive reconnections;
//! the connection closes for good when the last active socket disconnects.

use std::collections::VecDeque;

use core::time::Duration;

use super::acks::Ticket;
use super::backoff::{Backoff, BackoffConfig};
use super::engine::TransportKind;
use super::engine::{
    CloseReason, Command, EngineConfig, EngineSession, Frame, Received, TransportId,
};
use super::engine_packet::{
    decode_packet, decode_text, PacketType, PayloadPacket, TextPacket, RECORD_SEPARATOR,
};
use super::payload::Payload;
use super::socket::{
    Auth, CloseDetails, ConnectError, Effects, EmitFlags, Inbound, JsonSpan, NamespaceSocket,
    Outbound, SocketEvent, SocketOptions, TextIndex, TransportFailure,
};
use super::socket_packet::{self, check_event_name, Header, NameCheck, Packet, PacketKind};
use super::{ascii, json, DecodeError, Instant};

/// Names one socket on this connection; stays valid for the connection's lifetime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SocketId(u32);

/// The Manager options that can change at any time (socket.io-client's getter-setters).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// `reconnection`: reopen after the connection drops.
    pub reconnection: bool,
    /// `reconnectionAttempts`: give up after this many; `u32::MAX` never gives up.
    pub reconnection_attempts: u32,
    /// `reconnectionDelay`, `reconnectionDelayMax`, `randomizationFactor`.
    pub backoff: BackoffConfig,
    /// `timeout`: how long opening may take, in milliseconds (`None`: forever).
    pub timeout: Option<u64>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            reconnection: true,
            reconnection_attempts: u32::MAX,
            backoff: BackoffConfig::default(),
            timeout: Some(20_000),
        }
    }
}

/// What the connection tells its user (socket.io-client's Manager events).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManagerEvent<P> {
    /// The Engine.IO session opened.
    Open,
    /// Opening failed, or the transport failed.
    Error(ConnectError<P>),
    /// The server's heartbeat ping arrived.
    Ping,
    /// The session closed.
    Close {
        /// Why it closed.
        reason: CloseReason,
        /// What the transport said, when there is more to say.
        details: Option<CloseDetails<P>>,
    },
    /// Reconnection attempt number n is starting.
    ReconnectAttempt(u32),
    /// Reconnected after n attempts.
    Reconnect(u32),
    /// A reconnection attempt failed.
    ReconnectError(ConnectError<P>),
    /// `reconnectionAttempts` are used up.
    ReconnectFailed,
    /// The session moved to a better transport (long-polling to WebSocket).
    Upgrade(TransportKind),
    /// A Socket.IO packet arrived (only while [`Client::report_packets`] is on).
    Packet(PacketReport<P>),
}

/// A received packet as the Manager's `packet` event shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacketReport<P> {
    /// The Socket.IO packet type.
    pub kind: PacketKind,
    /// The namespace.
    pub nsp: String,
    /// The ack id, when there is one.
    pub id: Option<u64>,
    /// The JSON payload (binary placeholders are not replaced).
    pub data: Option<JsonSpan<P>>,
}

/// What the driver must do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output<P> {
    /// Act on a transport.
    Transport(Command<P>),
    /// Tell this socket's user.
    Socket(SocketId, SocketEvent<P>),
    /// Tell the connection's user.
    Manager(ManagerEvent<P>),
}

/// Where the connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Closed,
    /// Waiting for the open packet until `deadline`; `reconnecting` when a reconnection opened
    /// it; `retry` unless the user opened it with a callback that handles failure.
    Opening {
        deadline: Option<Instant>,
        reconnecting: bool,
        retry: bool,
    },
    Open,
}

/// A binary packet whose attachments are still arriving.
#[derive(Debug)]
struct PendingBinary<P> {
    socket: Option<SocketId>,
    kind: PacketKind,
    inbound: Inbound<P>,
    expected: usize,
}

/// A polling response body whose packets are handled one at a time.
#[derive(Debug)]
struct PendingBody<P> {
    transport: TransportId,
    text: String,
    handle: P,
    /// The byte offset of the next packet.
    next: usize,
    utf16: Utf16Cursor,
}

/// Where a text packet came from, so that its JSON can be located in the driver's string.
struct Source<'a, P> {
    /// The frame (or only its head) or the polling body.
    text: &'a str,
    /// The driver's handle on `text`.
    handle: P,
    /// UTF-16 position tracking through `text` (polling bodies hold several packets).
    utf16: &'a mut Utf16Cursor,
    /// A WebSocket frame: one packet, whose JSON runs to the end of the frame.
    single_packet: bool,
    /// The Socket.IO header, when it was decoded already (from a frame's head, to see that the
    /// head suffices), so that it is not decoded twice.
    header: Option<Header<'a>>,
}

impl<P> Source<'_, P> {
    /// The span of `data[json_start..]`, `data` being a packet inside `self.text`.
    fn span(self, data: &str, json_start: usize) -> JsonSpan<P> {
        let packet_start = offset_in(self.text, data);
        let start = self.utf16.index(self.text, packet_start + json_start);
        let end = match self.single_packet {
            true => None,
            false => Some(self.utf16.index(self.text, packet_start + data.len())),
        };
        JsonSpan {
            frame: self.handle,
            start,
            end,
            name: data
                .get(json_start..)
                .map_or(NameCheck::Unchecked, check_event_name),
        }
    }
}

/// One connection to a Socket.IO server and the namespace sockets that share it.
#[derive(Debug)]
pub struct Client<P> {
    engine_config: EngineConfig,
    settings: Settings,
    engine: Option<EngineSession<P>>,
    /// Sessions the client closed on polling whose last POSTs are still under way.
    retiring: Vec<EngineSession<P>>,
    /// The polling body being read, one packet per step (see [`Client::continue_body`]).
    body: Option<PendingBody<P>>,
    phase: Phase,
    backoff: Backoff,
    /// A reconnection is scheduled or opening.
    reconnecting: bool,
    /// The user closed the connection (or turned reconnection off): do not reopen on your own.
    skip_reconnect: bool,
    reconnect_at: Option<Instant>,
    sockets: Vec<(SocketId, NamespaceSocket<P>)>,
    next_socket: u32,
    /// Transport ids stay unique across sessions, so a late event of an old one is ignored.
    next_transport: u32,
    pending_binary: Option<PendingBinary<P>>,
    report_packets: bool,
    /// The transport the open session ran on at the last check, to report upgrades.
    open_transport: Option<TransportKind>,
    outputs: VecDeque<Output<P>>,
    /// The effects of the last socket call, emptied: kept for their room, since nearly every
    /// input (each received event) makes one.
    spare_effects: Effects<P>,
}

impl<P: Payload> Client<P> {
    /// A closed connection; `seed` seeds the backoff jitter.
    pub fn new(engine_config: EngineConfig, settings: Settings, seed: u64) -> Self {
        Self {
            engine_config,
            settings,
            engine: None,
            retiring: Vec::new(),
            body: None,
            phase: Phase::Closed,
            backoff: Backoff::new(seed),
            reconnecting: false,
            skip_reconnect: false,
            reconnect_at: None,
            sockets: Vec::new(),
            next_socket: 0,
            next_transport: 0,
            pending_binary: None,
            report_packets: false,
            open_transport: None,
            outputs: VecDeque::new(),
            spare_effects: Effects::default(),
        }
    }

    /// The Engine.IO session id, once the handshake is done.
    pub fn sid(&self) -> Option<String> {
        self.engine
            .as_ref()?
            .handshake()
            .map(|handshake| handshake.sid.clone())
    }

    /// The transport the connection runs on, while there is one.
    pub fn transport(&self) -> Option<TransportKind> {
        self.engine.as_ref().map(EngineSession::transport)
    }

    /// `closed`, `opening` or `open` (socket.io-client's `_readyState`).
    pub fn ready_state(&self) -> &'static str {
        match self.phase {
            Phase::Closed => "closed",
            Phase::Opening { .. } => "opening",
            Phase::Open => "open",
        }
    }

    /// Whether nothing is under way: closed, and no reconnection scheduled.
    pub fn is_idle(&self) -> bool {
        matches!(self.phase, Phase::Closed) && self.reconnect_at.is_none()
    }

    /// The current settings.
    pub fn settings(&self) -> Settings {
        self.settings
    }

    /// Changes the settings; turning reconnection off also stops a scheduled reconnection.
    pub fn set_settings(&mut self, settings: Settings) {
        if !settings.reconnection {
            self.skip_reconnect = true;
        }
        self.settings = settings;
    }

    /// Turns the Manager's `packet` events on or off (off by default: they cost a copy each).
    pub fn report_packets(&mut self, on: bool) {
        self.report_packets = on;
    }

    /// Registers a socket for `nsp`, inactive until [`connect`](Self::connect).
    pub fn socket(&mut self, nsp: &str, auth: Auth, options: SocketOptions) -> SocketId {
        let id = SocketId(self.next_socket);
        self.next_socket = self.next_socket.wrapping_add(1);
        self.sockets
            .push((id, NamespaceSocket::new(nsp, auth, options)));
        id
    }

    /// Forgets a socket whose handle is gone: disconnects it (as [`disconnect`](Self::disconnect)
    /// does, DISCONNECT packet and all), then drops its state, so that a page that makes and
    /// drops sockets does not keep them.
    pub fn remove_socket(&mut self, now: Instant, id: SocketId) {
        self.disconnect(now, id);
        self.sockets.retain(|(known, _)| *known != id);
    }

    /// Opens the connection unless it is open or opening (socket.io-client's `manager.open()`).
    /// With `retry` false (`open(callback)`), a failure to open does not start reconnecting.
    pub fn open(&mut self, now: Instant, retry: bool) {
        if self.phase == Phase::Closed {
            self.open_engine(now, false, retry);
        }
    }

    /// Closes the connection for good: no reconnection (socket.io-client's `manager.disconnect()`).
    /// The Manager's `close` is told even when it was closed already, as socket.io-client does.
    pub fn close(&mut self, now: Instant) {
        self.skip_reconnect = true;
        self.reconnecting = false;
        self.reconnect_at = None;
        self.on_closed(now, CloseReason::ForcedClose, None);
        self.phase = Phase::Closed;
    }

    /// Connects a socket: opens the connection if needed, and sends CONNECT once it is open.
    pub fn connect(&mut self, now: Instant, id: SocketId) {
        self.flush(now);
        let Some(socket) = self.socket_mut(id) else {
            return;
        };
        if socket.is_connected() {
            return;
        }
        socket.activate();
        if !self.reconnecting {
            self.open(now, true);
        }
        if self.phase == Phase::Open {
            self.with_socket(id, |socket, out| socket.begin_connect(out));
        }
    }

    /// Disconnects a socket; the last active one out closes the connection. In socket.io-client's
    /// order: the DISCONNECT packet, the Manager's `close` (if it was the last), then the
    /// socket's `disconnect`.
    pub fn disconnect(&mut self, now: Instant, id: SocketId) {
        self.flush(now);
        self.leave(now, id, |socket, out| socket.disconnect(now, out));
    }

    /// Emits an event on a socket (or buffers, queues or drops it, see [`EmitFlags`]); returns
    /// the ticket of its ack callback when `flags.ack`.
    pub fn emit(
        &mut self,
        now: Instant,
        id: SocketId,
        event: Outbound<P>,
        flags: EmitFlags,
    ) -> Option<Ticket> {
        // A connection whose heartbeat silently expired (throttled timers) closes before writing.
        self.flush(now);
        let writable = self.engine.as_ref().is_some_and(EngineSession::is_writable);
        self.with_socket(id, |socket, out| {
            socket.emit(now, event, flags, writable, out)
        })
        .flatten()
    }

    /// Whether an emit on the socket now would be written at once (see
    /// [`NamespaceSocket::writes_now`]); a session whose heartbeat expired is not written to.
    pub fn writes_now(&self, now: Instant, id: SocketId, volatile: bool) -> bool {
        let Some(engine) = self.engine.as_ref().filter(|e| !e.has_ping_expired(now)) else {
            return false;
        };
        let writable = engine.is_writable();
        self.socket_ref(id)
            .is_some_and(|socket| socket.writes_now(volatile, writable))
    }

    /// Answers the server's ack request `wire` on a socket with `reply` (`[...values]`).
    pub fn ack(&mut self, now: Instant, id: SocketId, wire: u64, reply: Outbound<P>) {
        self.flush(now);
        let mut frames: Vec<Frame<P>> = match self.socket_mut(id) {
            Some(socket) if socket.is_connected() => socket.ack_frames(wire, reply).collect(),
            _ => return,
        };
        self.send(&mut frames);
    }

    /// The answer of a socket's auth function (after [`SocketEvent::AuthRequired`]).
    pub fn authenticate(&mut self, now: Instant, id: SocketId, auth: Option<&str>) {
        self.flush(now);
        if self.phase == Phase::Open {
            self.with_socket(id, |socket, out| socket.authenticate(auth, out));
        }
    }

    /// Replaces a socket's CONNECT payload (`socket.auth = ...`) for its next connection.
    pub fn set_auth(&mut self, id: SocketId, auth: Auth) {
        if let Some(socket) = self.socket_mut(id) {
            socket.set_auth(auth);
        }
    }

    /// Whether the socket is active: connected, or going to (re)connect.
    pub fn is_active(&self, id: SocketId) -> bool {
        self.socket_ref(id).is_some_and(NamespaceSocket::is_active)
    }

    /// Whether the socket is connected to its namespace.
    pub fn is_connected(&self, id: SocketId) -> bool {
        self.socket_ref(id)
            .is_some_and(NamespaceSocket::is_connected)
    }

    /// A socket's state (sid, recovery, buffers), to read.
    pub fn socket_state(&self, id: SocketId) -> Option<&NamespaceSocket<P>> {
        self.socket_ref(id)
    }

    /// Turns a socket's [`SocketEvent::Sent`] on or off.
    pub fn report_sent(&mut self, id: SocketId, on: bool) {
        if let Some(socket) = self.socket_mut(id) {
            socket.report_sent(on);
        }
    }

    /// The emits of the socket that wait for it to connect (or for their turn to be retried).
    pub fn buffered(&self, id: SocketId) -> Vec<P> {
        self.socket_ref(id)
            .map_or_else(Vec::new, NamespaceSocket::buffered)
    }

    /// The events of the socket that wait for its CONNECT reply (see
    /// [`NamespaceSocket::receive_buffer`]).
    pub fn receive_buffer(&self, id: SocketId) -> Vec<Inbound<P>> {
        self.socket_ref(id)
            .map_or_else(Vec::new, |socket| socket.receive_buffer().to_vec())
    }

    /// Drops the emits waiting in the socket's send buffer.
    pub fn clear_send_buffer(&mut self, id: SocketId) {
        if let Some(socket) = self.socket_mut(id) {
            socket.clear_send_buffer();
        }
    }

    /// A WebSocket text frame arrived on transport `id`. `head` is its text or a prefix of it
    /// (copying a whole frame into wasm is costly); `handle` is the whole frame as the driver
    /// keeps it (a JS string). An event or ack whose header ends inside `head` is handled from
    /// `head` alone; anything else is read again from [`Payload::text`].
    pub fn handle_text(&mut self, now: Instant, id: TransportId, head: &str, handle: P) {
        let result = match self.head_header(head) {
            Some(header) => self.on_frame(now, id, head, handle, Some(header)),
            None => match handle.text() {
                Some(text) => self.on_frame(now, id, &text, handle, None),
                None => Err(DecodeError::NotText),
            },
        };
        self.finish_input(now, result);
    }

    /// The facade found the payload of a received event or ack malformed (not JSON, not an
    /// array, a reserved name, a placeholder out of range...): the connection closes with
    /// `parse error`, as for a decode error in the core. Ignored once the connection is closed
    /// (several events of one input may be rejected).
    pub fn reject_packet(&mut self, now: Instant, error: DecodeError) {
        if self.engine.is_some() {
            self.finish_input(now, Err(error));
        }
    }

    /// A long-polling GET on transport `id` returned `body` (`handle` is the driver's copy).
    /// Only its first packet is handled: the driver acts on the outputs, then calls
    /// [`continue_body`](Self::continue_body) for each next one.
    pub fn handle_poll_response(&mut self, now: Instant, id: TransportId, body: String, handle: P) {
        while self.continue_body(now) {}
        self.body = Some(PendingBody {
            transport: id,
            text: body,
            handle,
            next: 0,
            utf16: Utf16Cursor::default(),
        });
        self.continue_body(now);
    }

    /// Handles the next packet of the polling body being read; returns whether there was one.
    /// One packet per call, so that each sees what listeners did about the one before (as in
    /// socket.io-client, where each packet is dispatched on its own): a packet for a socket
    /// that a listener disconnected is not delivered, and a packet after a close is dropped.
    pub fn continue_body(&mut self, now: Instant) -> bool {
        let Some(mut body) = self.body.take() else {
            return false;
        };
        let live = self
            .engine
            .as_ref()
            .is_some_and(|engine| engine.owns(body.transport));
        if !live || body.next > body.text.len() {
            if let Some(engine) = self.engine.as_mut().filter(|_| live) {
                engine.handle_poll_done(body.transport);
            }
            self.finish_input(now, Ok(()));
            return false;
        }
        let result = self.next_body_packet(now, &mut body);
        if result.is_ok() {
            self.body = Some(body);
        }
        self.finish_input(now, result);
        true
    }

    /// Decodes and handles the packet of `body` at `body.next`, and moves past it.
    fn next_body_packet(
        &mut self,
        now: Instant,
        body: &mut PendingBody<P>,
    ) -> Result<(), DecodeError> {
        let rest = body.text.get(body.next..).unwrap_or("");
        let record_len = ascii::find(rest, RECORD_SEPARATOR).unwrap_or(rest.len());
        let start = body.next;
        body.next = start + record_len + 1;
        let record = body.text.get(start..start + record_len).unwrap_or("");
        match decode_packet(record)? {
            PayloadPacket::Text(packet) => {
                let source = Source {
                    text: &body.text,
                    handle: body.handle.clone(),
                    utf16: &mut body.utf16,
                    single_packet: false,
                    header: None,
                };
                let id = body.transport;
                self.on_engine_packet(now, id, packet, source)
            }
            PayloadPacket::Binary(bytes) => {
                self.on_binary(now, body.transport, P::from_bytes(&bytes))
            }
        }
    }

    /// A binary frame arrived: the next attachment of the binary packet being received.
    pub fn handle_binary(&mut self, now: Instant, id: TransportId, data: P) {
        let result = self.on_binary(now, id, data);
        self.finish_input(now, result);
    }

    /// A long-polling POST on transport `id` succeeded.
    pub fn handle_post_done(&mut self, now: Instant, id: TransportId) {
        match &mut self.engine {
            Some(engine) if engine.owns(id) => engine.handle_post_done(id),
            _ => self.on_retiring(id, |engine| engine.handle_post_done(id)),
        }
        self.finish_input(now, Ok(()));
    }

    /// Transport `id` opened (a WebSocket's `open` event).
    pub fn handle_transport_open(&mut self, now: Instant, id: TransportId) {
        if let Some(engine) = &mut self.engine {
            engine.handle_transport_open(id);
        }
        self.finish_input(now, Ok(()));
    }

    /// Transport `id` failed (a request error, a WebSocket `error`).
    pub fn handle_transport_error(
        &mut self,
        now: Instant,
        id: TransportId,
        failure: TransportFailure<P>,
    ) {
        self.transport_lost(now, id, CloseDetails::Failed(failure));
    }

    /// Transport `id` closed on its own (a WebSocket `close` without an error before it);
    /// `context` is the driver's close event.
    pub fn handle_transport_close(&mut self, now: Instant, id: TransportId, context: Option<P>) {
        let details = CloseDetails::Closed {
            description: "websocket connection closed",
            context,
        };
        self.transport_lost(now, id, details);
    }

    /// The browser says the network is gone (its `offline` event). As socket.io-client does,
    /// the transport is given up at once (`transport close`, "network connection lost") rather
    /// than left for the heartbeat to notice, and reconnection starts.
    pub fn handle_offline(&mut self, now: Instant) {
        match self.engine.as_ref().map(|engine| engine.transport_id()) {
            Some(id) => {
                let details = CloseDetails::Closed {
                    description: "network connection lost",
                    context: None,
                };
                self.transport_lost(now, id, details);
            }
            None => self.finish_input(now, Ok(())),
        }
    }

    /// The browser says the network is back (its `online` event): a reconnection waiting out
    /// its backoff delay starts now. (socket.io-client waits, up to `reconnectionDelayMax`.)
    pub fn handle_online(&mut self, now: Instant) {
        if self.reconnect_at.is_some() {
            self.reconnect_at = Some(now);
            self.handle_timeout(now);
        }
        self.finish_input(now, Ok(()));
    }

    /// The timer armed for [`poll_timeout`](Self::poll_timeout) fired.
    pub fn handle_timeout(&mut self, now: Instant) {
        let expired = self
            .engine
            .as_mut()
            .and_then(|engine| engine.handle_timeout(now));
        if let Some(reason) = expired {
            self.on_closed(now, reason, None);
        }
        if let Phase::Opening {
            deadline: Some(deadline),
            ..
        } = self.phase
        {
            if deadline <= now {
                self.on_open_failed(now, ConnectError::Timeout);
            }
        }
        if self.reconnect_at.is_some_and(|at| at <= now) {
            self.reconnect_at = None;
            self.attempt_reconnect(now);
        }
        let ids: Vec<SocketId> = self.sockets.iter().map(|(id, _)| *id).collect();
        for id in ids {
            self.with_socket(id, |socket, out| socket.handle_timeout(now, out));
        }
        self.move_commands();
    }

    /// When the client next needs [`handle_timeout`](Self::handle_timeout).
    pub fn poll_timeout(&self) -> Option<Instant> {
        let opening = match self.phase {
            Phase::Opening { deadline, .. } => deadline,
            Phase::Closed | Phase::Open => None,
        };
        let acks = self
            .sockets
            .iter()
            .filter_map(|(_, socket)| socket.next_deadline());
        [
            self.engine.as_ref().and_then(EngineSession::poll_timeout),
            opening,
            self.reconnect_at,
        ]
        .into_iter()
        .flatten()
        .chain(acks)
        .min()
    }

    /// The next thing the driver must do.
    pub fn poll_output(&mut self) -> Option<Output<P>> {
        self.outputs.pop_front()
    }

    /// Every output the client holds now, in order, taken at once: the driver's run loop acts on
    /// them while new ones gather. Taken, not copied, so that a burst (a recovered session's
    /// replay of missed packets) costs no second copy. `spare`, an empty queue (the one taken
    /// last time, drained), holds the next outputs: a steady stream of events allocates none.
    pub fn take_outputs(&mut self, spare: VecDeque<Output<P>>) -> VecDeque<Output<P>> {
        std::mem::replace(&mut self.outputs, spare)
    }

    /// Whether [`poll_output`](Self::poll_output) has something.
    pub fn has_output(&self) -> bool {
        !self.outputs.is_empty()
    }

    fn open_engine(&mut self, now: Instant, reconnecting: bool, retry: bool) {
        self.skip_reconnect = false;
        let engine = EngineSession::new(self.engine_config.clone(), self.next_transport);
        self.engine = Some(engine);
        let deadline = self
            .settings
            .timeout
            .map(|ms| now.after(Duration::from_millis(ms)));
        self.phase = Phase::Opening {
            deadline,
            reconnecting,
            retry,
        };
        self.move_commands();
    }

    /// The reconnection timer fired: the next attempt.
    fn attempt_reconnect(&mut self, now: Instant) {
        if self.skip_reconnect {
            return;
        }
        let attempt = self.backoff.attempts();
        self.outputs
            .push_back(Output::Manager(ManagerEvent::ReconnectAttempt(attempt)));
        if self.phase == Phase::Closed {
            self.open_engine(now, true, true);
        }
    }

    /// Schedules the next reconnection attempt, or gives up.
    fn reconnect(&mut self, now: Instant) {
        if self.reconnecting || self.skip_reconnect {
            return;
        }
        if self.backoff.attempts() >= self.settings.reconnection_attempts {
            self.backoff.reset();
            self.reconnecting = false;
            self.outputs
                .push_back(Output::Manager(ManagerEvent::ReconnectFailed));
            return;
        }
        let delay = self.backoff.next_delay(&self.settings.backoff);
        self.reconnecting = true;
        self.reconnect_at = Some(now.after(delay));
    }

    /// The connection could not open (a transport failed before the handshake, or `timeout`).
    fn on_open_failed(&mut self, now: Instant, error: ConnectError<P>) {
        let (was_reconnecting, retry) = match self.phase {
            Phase::Opening {
                reconnecting,
                retry,
                ..
            } => (reconnecting, retry),
            Phase::Closed | Phase::Open => (false, true),
        };
        self.drop_engine();
        self.report_error(&error);
        if was_reconnecting {
            self.reconnecting = false;
            self.reconnect(now);
            self.outputs
                .push_back(Output::Manager(ManagerEvent::ReconnectError(error)));
        } else if retry
            && !self.reconnecting
            && self.settings.reconnection
            && self.backoff.attempts() == 0
        {
            self.reconnect(now);
        }
    }

    /// The open connection closed: every active socket is told, then reconnection starts.
    fn on_closed(&mut self, now: Instant, reason: CloseReason, details: Option<CloseDetails<P>>) {
        self.drop_engine();
        self.backoff.reset();
        if let Some(CloseDetails::Failed(failure)) = &details {
            self.report_error(&ConnectError::Transport(failure.clone()));
        }
        self.outputs.push_back(Output::Manager(ManagerEvent::Close {
            reason,
            details: details.clone(),
        }));
        for id in self.active_sockets() {
            self.with_socket(id, |socket, out| {
                socket.on_connection_closed(now, reason.into(), details.clone(), out)
            });
        }
        if self.settings.reconnection && !self.skip_reconnect {
            self.reconnect(now);
        }
    }

    /// Closes the engine and forgets it (its last commands still go out; one still posting its
    /// last packets retires until it is done).
    fn drop_engine(&mut self) {
        if let Some(mut engine) = self.engine.take() {
            self.next_transport = engine.next_transport_id();
            engine.close();
            self.retire(engine);
        }
        self.pending_binary = None;
        self.body = None;
        self.phase = Phase::Closed;
    }

    /// Moves a closed session's commands into the outputs, and keeps it while it is not done.
    fn retire(&mut self, mut engine: EngineSession<P>) {
        while let Some(command) = engine.poll_command() {
            self.outputs.push_back(Output::Transport(command));
        }
        if !engine.is_finished() {
            self.retiring.push(engine);
        }
    }

    /// Tells the retiring session that owns transport `id` what happened to it.
    fn on_retiring(&mut self, id: TransportId, act: impl FnOnce(&mut EngineSession<P>)) {
        if let Some(index) = self.retiring.iter().position(|engine| engine.owns(id)) {
            let mut engine = self.retiring.swap_remove(index);
            act(&mut engine);
            self.retire(engine);
        }
    }

    /// The Manager's `error`: also a `connect_error` for each active socket not yet connected.
    fn report_error(&mut self, error: &ConnectError<P>) {
        self.outputs
            .push_back(Output::Manager(ManagerEvent::Error(error.clone())));
        for id in self.active_sockets() {
            if !self.is_connected(id) {
                self.notify(id, SocketEvent::ConnectError(error.clone()));
            }
        }
    }

    /// socket.io-client's `_destroy`: with no active socket left, the connection closes.
    fn close_if_unused(&mut self, now: Instant) {
        if self.active_sockets().is_empty() {
            self.close(now);
        }
    }

    fn active_sockets(&self) -> Vec<SocketId> {
        self.sockets
            .iter()
            .filter(|(_, socket)| socket.is_active())
            .map(|(id, _)| *id)
            .collect()
    }

    fn transport_lost(&mut self, now: Instant, id: TransportId, details: CloseDetails<P>) {
        self.on_retiring(id, |engine| {
            engine.handle_transport_lost(id);
        });
        let closed = self
            .engine
            .as_mut()
            .is_some_and(|engine| engine.handle_transport_lost(id));
        if closed {
            match self.phase {
                Phase::Open => {
                    let reason = match details {
                        CloseDetails::Failed(_) => CloseReason::TransportError,
                        _ => CloseReason::TransportClose,
                    };
                    self.on_closed(now, reason, Some(details))
                }
                Phase::Opening { .. } | Phase::Closed => {
                    self.on_open_failed(now, ConnectError::Transport(details.into_failure()))
                }
            }
        }
        self.finish_input(now, Ok(()));
    }

    /// Ends an input: a decode error closes with `parse error`; commands reach the outputs.
    fn finish_input(&mut self, now: Instant, result: Result<(), DecodeError>) {
        if let Err(error) = result {
            let details = Some(CloseDetails::Invalid(error));
            self.on_closed(now, CloseReason::ParseError, details);
        }
        self.flush(now);
    }

    /// The Socket.IO header of `head` (perhaps cut short) if `head` settles its frame: a message
    /// carrying an event or ack whose header ends before `head` does (a header reaching its end
    /// may have been cut), for a socket that does not read the JSON. Only reads, so that the
    /// fallback sees the same state.
    fn head_header<'h>(&self, head: &'h str) -> Option<Header<'h>> {
        let packet = decode_text(head).ok()?;
        let header = socket_packet::decode_header(packet.data).ok()?;
        let suffices = packet.kind == PacketType::Message
            && header.kind.carries_payload()
            && header.data_start < packet.data.len()
            && !self.reads_payload(header.kind, header.nsp);
        suffices.then_some(header)
    }

    /// Whether handling a packet of `kind` for `nsp` reads its JSON: connection state recovery
    /// reads the offset that ends each event.
    fn reads_payload(&self, kind: PacketKind, nsp: &str) -> bool {
        let socket = self.socket_for(nsp).and_then(|id| self.socket_ref(id));
        kind.is_event() && socket.is_some_and(NamespaceSocket::tracks_offsets)
    }

    /// One WebSocket frame (or its head and its header, see [`Self::head_header`]).
    fn on_frame(
        &mut self,
        now: Instant,
        id: TransportId,
        text: &str,
        handle: P,
        header: Option<Header<'_>>,
    ) -> Result<(), DecodeError> {
        let packet = match decode_packet(text)? {
            PayloadPacket::Text(packet) => packet,
            PayloadPacket::Binary(bytes) => return self.on_binary(now, id, P::from_bytes(&bytes)),
        };
        let mut utf16 = Utf16Cursor::default();
        let source = Source {
            text,
            handle,
            utf16: &mut utf16,
            single_packet: true,
            header,
        };
        self.on_engine_packet(now, id, packet, source)
    }

    fn on_engine_packet(
        &mut self,
        now: Instant,
        id: TransportId,
        packet: TextPacket<'_>,
        source: Source<'_, P>,
    ) -> Result<(), DecodeError> {
        let Some(engine) = &mut self.engine else {
            return Ok(());
        };
        match engine.handle_packet(now, id, packet)? {
            Received::Opened => self.on_opened(),
            Received::Message(data) => self.on_packet(now, data, source)?,
            Received::Closed(reason) => {
                let details = CloseDetails::Closed {
                    description: "transport closed by the server",
                    context: None,
                };
                self.on_closed(now, reason, Some(details))
            }
            Received::Ping => self.outputs.push_back(Output::Manager(ManagerEvent::Ping)),
            Received::Nothing => {}
        }
        self.move_commands();
        Ok(())
    }

    fn on_binary(&mut self, now: Instant, id: TransportId, data: P) -> Result<(), DecodeError> {
        let Some(engine) = &mut self.engine else {
            return Ok(());
        };
        if engine.handle_binary(id)? {
            self.on_attachment(now, data)?;
        }
        Ok(())
    }

    fn on_opened(&mut self) {
        let reconnected = matches!(
            self.phase,
            Phase::Opening {
                reconnecting: true,
                ..
            }
        );
        self.phase = Phase::Open;
        self.move_commands();
        self.outputs.push_back(Output::Manager(ManagerEvent::Open));
        for id in self.active_sockets() {
            self.with_socket(id, |socket, out| socket.begin_connect(out));
        }
        if reconnected {
            let attempts = self.backoff.attempts();
            self.reconnecting = false;
            self.backoff.reset();
            self.outputs
                .push_back(Output::Manager(ManagerEvent::Reconnect(attempts)));
        }
    }

    fn on_packet(
        &mut self,
        now: Instant,
        data: &str,
        mut source: Source<'_, P>,
    ) -> Result<(), DecodeError> {
        if self.pending_binary.is_some() {
            // A text packet in the middle of a binary packet's attachments.
            return Err(DecodeError::UnexpectedBinary);
        }
        let packet = match source.header.take() {
            // Checked already: an event or ack with a payload.
            Some(header) => Packet {
                data: data.get(header.data_start..),
                header,
            },
            None => socket_packet::decode(data)?,
        };
        let header = packet.header;
        let span = source.span(data, header.data_start);
        let target = self.socket_for(header.nsp);
        let json = packet.data.unwrap_or("");
        let report = self.report_packets.then(|| PacketReport {
            kind: header.kind,
            nsp: header.nsp.to_owned(),
            id: header.id,
            data: packet.data.map(|_| span.clone()),
        });
        match header.kind {
            PacketKind::Connect => self.on_connect_reply(now, target, json),
            PacketKind::ConnectError => self.on_refused(now, target, span),
            PacketKind::Disconnect => self.on_server_disconnect(now, target),
            PacketKind::Event | PacketKind::BinaryEvent => {
                // `json` is whole here when the socket tracks offsets (see `reads_payload`).
                if let Some(socket) = target.and_then(|id| self.socket_mut(id)) {
                    socket.note_offset(json);
                }
                self.await_attachments(now, target, &header, span);
            }
            PacketKind::Ack | PacketKind::BinaryAck => {
                self.await_attachments(now, target, &header, span)
            }
        }
        if let Some(report) = report {
            self.outputs
                .push_back(Output::Manager(ManagerEvent::Packet(report)));
        }
        Ok(())
    }

    fn on_connect_reply(&mut self, now: Instant, target: Option<SocketId>, payload: &str) {
        let Some(id) = target else { return };
        let member = |key| {
            json::string_member(payload, key)
                .ok()
                .flatten()
                .map(|value| value.into_owned())
        };
        let Some(sid) = member("sid") else {
            self.with_socket(id, |socket, out| {
                socket.on_refused(ConnectError::IncompatibleServer, out)
            });
            return;
        };
        let pid = member("pid");
        self.with_socket(id, |socket, out| socket.on_connected(now, sid, pid, out));
    }

    fn on_refused(&mut self, now: Instant, target: Option<SocketId>, span: JsonSpan<P>) {
        let Some(id) = target else { return };
        self.leave(now, id, |socket, out| {
            socket.on_refused(ConnectError::Refused(span), out)
        });
    }

    fn on_server_disconnect(&mut self, now: Instant, target: Option<SocketId>) {
        let Some(id) = target else { return };
        self.leave(now, id, |socket, out| socket.on_server_disconnect(now, out));
    }

    /// A socket becomes inactive (socket.io-client's `destroy()`): its frames go out, the
    /// connection closes if it was the last (the Manager's `close` is told), and only then the
    /// socket's own events (`disconnect`, `connect_error`).
    fn leave(
        &mut self,
        now: Instant,
        id: SocketId,
        act: impl FnOnce(&mut NamespaceSocket<P>, &mut Effects<P>),
    ) {
        let Some(socket) = self.sockets.iter_mut().find(|(known, _)| *known == id) else {
            return;
        };
        let mut effects = std::mem::take(&mut self.spare_effects);
        act(&mut socket.1, &mut effects);
        self.send(&mut effects.frames);
        self.close_if_unused(now);
        self.tell(id, effects);
    }

    fn await_attachments(
        &mut self,
        now: Instant,
        target: Option<SocketId>,
        header: &Header<'_>,
        span: JsonSpan<P>,
    ) {
        let pending = PendingBinary {
            socket: target,
            kind: header.kind,
            inbound: Inbound {
                ack_id: header.id,
                data: span,
                attachments: Vec::with_capacity(header.attachments),
            },
            expected: header.attachments,
        };
        self.complete_or_wait(now, pending);
    }

    fn on_attachment(&mut self, now: Instant, data: P) -> Result<(), DecodeError> {
        let mut pending = self
            .pending_binary
            .take()
            .ok_or(DecodeError::UnexpectedBinary)?;
        pending.inbound.attachments.push(data);
        self.complete_or_wait(now, pending);
        Ok(())
    }

    fn complete_or_wait(&mut self, now: Instant, pending: PendingBinary<P>) {
        if pending.inbound.attachments.len() < pending.expected {
            self.pending_binary = Some(pending);
            return;
        }
        let Some(id) = pending.socket else { return };
        let inbound = pending.inbound;
        match pending.kind {
            PacketKind::Ack | PacketKind::BinaryAck => {
                let Some(wire) = inbound.ack_id else { return };
                let reply = Inbound {
                    ack_id: None,
                    ..inbound
                };
                self.with_socket(id, |socket, out| socket.on_ack(now, wire, reply, out));
            }
            _ => {
                self.with_socket(id, |socket, out| socket.receive(inbound, out));
            }
        }
    }

    /// Runs `act` on a socket, then writes its frames and tells its events, in that order.
    fn with_socket<T>(
        &mut self,
        id: SocketId,
        act: impl FnOnce(&mut NamespaceSocket<P>, &mut Effects<P>) -> T,
    ) -> Option<T> {
        let socket = self.sockets.iter_mut().find(|(known, _)| *known == id)?;
        let mut effects = std::mem::take(&mut self.spare_effects);
        let result = act(&mut socket.1, &mut effects);
        self.send(&mut effects.frames);
        self.tell(id, effects);
        Some(result)
    }

    /// Queues a socket's events in order, and keeps `effects`, emptied, for the next call (unless
    /// a burst made them large).
    fn tell(&mut self, id: SocketId, mut effects: Effects<P>) {
        // Room for all at once: a replay of missed packets comes as one burst of events.
        self.outputs.reserve(effects.events.len());
        for event in effects.events.drain(..) {
            self.notify(id, event);
        }
        if effects.is_small() {
            self.spare_effects = effects;
        }
    }

    /// Checks that the heartbeat deadline has not silently passed, and moves the engine's
    /// commands into the outputs.
    fn flush(&mut self, now: Instant) {
        let expired = self
            .engine
            .as_mut()
            .and_then(|engine| engine.check_heartbeat(now));
        if let Some(reason) = expired {
            self.on_closed(now, reason, None);
        }
        self.move_commands();
    }

    /// Queues frames and moves the engine's commands into the outputs at once, so that frames
    /// and socket events come out in the order they happened.
    fn send(&mut self, frames: &mut Vec<Frame<P>>) {
        if frames.is_empty() {
            return;
        }
        let frames = frames.drain(..);
        if let Some(engine) = &mut self.engine {
            engine.send(frames);
            self.move_commands();
        }
    }

    fn move_commands(&mut self) {
        let Some(engine) = &mut self.engine else {
            self.open_transport = None;
            return;
        };
        while let Some(command) = engine.poll_command() {
            self.outputs.push_back(Output::Transport(command));
        }
        let now_on = engine.is_open().then(|| engine.transport());
        if let (Some(before), Some(kind)) = (self.open_transport, now_on) {
            if before != kind {
                self.outputs
                    .push_back(Output::Manager(ManagerEvent::Upgrade(kind)));
            }
        }
        self.open_transport = now_on;
    }

    fn notify(&mut self, id: SocketId, event: SocketEvent<P>) {
        self.outputs.push_back(Output::Socket(id, event));
    }

    fn socket_for(&self, nsp: &str) -> Option<SocketId> {
        self.sockets
            .iter()
            .find(|(_, socket)| socket.nsp() == nsp && socket.is_active())
            .map(|(id, _)| *id)
    }

    fn socket_ref(&self, id: SocketId) -> Option<&NamespaceSocket<P>> {
        self.sockets
            .iter()
            .find(|(known, _)| *known == id)
            .map(|(_, socket)| socket)
    }

    fn socket_mut(&mut self, id: SocketId) -> Option<&mut NamespaceSocket<P>> {
        self.sockets
            .iter_mut()
            .find(|(known, _)| *known == id)
            .map(|(_, socket)| socket)
    }
}

/// The byte offset of `part` inside `whole` (`part` is a slice of `whole`).
fn offset_in(whole: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize)
}

/// Converts byte offsets into UTF-16 offsets moving forward through one text, so a polling body
/// with many packets is counted once, not once per packet. Only non-ASCII text costs anything.
#[derive(Debug, Default)]
struct Utf16Cursor {
    byte: usize,
    units: usize,
}

impl Utf16Cursor {
    /// The index of byte `to` of `text`.
    fn index(&mut self, text: &str, to: usize) -> TextIndex {
        TextIndex {
            bytes: to,
            utf16: self.advance(text, to),
        }
    }

    fn advance(&mut self, text: &str, to: usize) -> usize {
        if to < self.byte {
            *self = Self::default();
        }
        if let Some(gap) = text.get(self.byte..to) {
            self.units += if gap.is_ascii() {
                gap.len()
            } else {
                gap.encode_utf16().count()
            };
            self.byte = to;
        }
        self.units
    }
}
