//! One namespace on a connection: its CONNECT handshake, buffers, acks, retries and recovery.
//!
//! A socket is *active* from `connect()` until the user disconnects it or the server refuses or
//! disconnects it; an active socket reconnects with its connection. It sends CONNECT (with
//! `auth`, plus `pid` and `offset` for connection state recovery) whenever the Engine.IO
//! session opens, and is connected once the server answers with a sid. Emits made meanwhile wait
//! in the send buffer and go out, in order, before the user hears `connect`. With `retries`,
//! emits instead wait in a queue and go out one at a time, each until it is acknowledged.

use std::collections::VecDeque;

use super::acks::{AckTable, Ticket, Waiter};
use super::engine::{CloseReason, Frame};
use super::engine_packet::PacketType;
use super::payload::Payload;
use super::socket_packet::{self, PacketKind};
use super::{json, DecodeError, Instant};

/// The JSON part of a received packet: the frame (or polling body) it arrived in and where in
/// it the JSON lies. The browser slices the original JS string at the UTF-16 indices and hands
/// the slice to `JSON.parse`; native code uses the byte offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonSpan<P> {
    /// The whole frame or body as the driver handed it in.
    pub frame: P,
    /// Where the JSON starts.
    pub start: TextIndex,
    /// Where the JSON ends; `None`: at the end of the frame. A WebSocket frame holds one packet,
    /// and the core reads only its head, so it does not know where the frame ends.
    pub end: Option<TextIndex>,
    /// For an event, its name as checked from the text the core holds.
    pub name: socket_packet::NameCheck,
}

/// A position in a text, counted in bytes of its UTF-8 form (for native code) and in UTF-16
/// code units (JavaScript string indices).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextIndex {
    /// Bytes of the UTF-8 text.
    pub bytes: usize,
    /// UTF-16 code units (a JavaScript string index).
    pub utf16: usize,
}

/// Why a transport failed, in socket.io-client's terms (its `TransportError`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportFailure<P> {
    /// `xhr poll error`, `xhr post error`, `fetch read error`, `fetch write error` or
    /// `websocket error`.
    pub message: &'static str,
    /// What the driver says about it: a request's HTTP status, a WebSocket's `error` event.
    pub description: Option<P>,
    /// What the driver has to show for it (the XMLHttpRequest, or fetch's `Response`).
    pub context: Option<P>,
}

/// What socket.io-client tells after the reason when a connection closes (the `description`
/// argument of `disconnect` and of the Manager's `close`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseDetails<P> {
    /// The transport closed: `{ description, context }`, the context being the driver's close
    /// event when it has one (a WebSocket's `CloseEvent`).
    Closed {
        /// What happened (`transport close`...).
        description: &'static str,
        /// The driver's close event, when there is one.
        context: Option<P>,
    },
    /// The transport failed: its `TransportError`.
    Failed(TransportFailure<P>),
    /// The server sent something that does not decode (`parse error`).
    Invalid(DecodeError),
}

impl<P> CloseDetails<P> {
    /// The text of the details: the description, the error message or the decode error.
    pub fn description(&self) -> &'static str {
        match self {
            Self::Closed { description, .. } => description,
            Self::Failed(failure) => failure.message,
            Self::Invalid(error) => error.as_str(),
        }
    }

    /// What to report when the connection was not open yet: a transport that closed before the
    /// handshake without an error (only a WebSocket closes on its own) failed as a WebSocket.
    pub fn into_failure(self) -> TransportFailure<P> {
        match self {
            Self::Failed(failure) => failure,
            Self::Closed { .. } | Self::Invalid(_) => TransportFailure {
                message: "websocket error",
                description: None,
                context: None,
            },
        }
    }
}

/// An event the server emitted, with its binary attachments in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound<P> {
    /// The id to acknowledge with, when the server asked for an ack.
    pub ack_id: Option<u64>,
    /// The event's JSON array: name first, then the arguments (placeholders for binaries).
    pub data: JsonSpan<P>,
    /// The binary attachments that the placeholders in `data` point to.
    pub attachments: Vec<P>,
}

/// Why a socket is disconnected, in socket.io-client's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisconnectReason {
    /// The server disconnected the socket with `socket.disconnect()`.
    IoServerDisconnect,
    /// The client called `socket.disconnect()`.
    IoClientDisconnect,
    /// The client closed the whole connection (`manager.disconnect()`); the socket stays active.
    ForcedClose,
    /// The server missed its heartbeat.
    PingTimeout,
    /// The connection was closed (by the server, the network, or the browser).
    TransportClose,
    /// The connection failed.
    TransportError,
    /// The server sent something that does not decode.
    ParseError,
}

impl DisconnectReason {
    /// The reason string socket.io-client reports with `disconnect`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::IoServerDisconnect => "io server disconnect",
            Self::IoClientDisconnect => "io client disconnect",
            Self::ForcedClose => "forced close",
            Self::PingTimeout => "ping timeout",
            Self::TransportClose => "transport close",
            Self::TransportError => "transport error",
            Self::ParseError => "parse error",
        }
    }
}

impl From<CloseReason> for DisconnectReason {
    fn from(reason: CloseReason) -> Self {
        match reason {
            CloseReason::TransportClose => Self::TransportClose,
            CloseReason::TransportError => Self::TransportError,
            CloseReason::PingTimeout => Self::PingTimeout,
            CloseReason::ParseError => Self::ParseError,
            CloseReason::ForcedClose => Self::ForcedClose,
        }
    }
}

/// Why a socket could not connect (also what the connection reports as `error`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectError<P> {
    /// The connection did not open within the `timeout` option.
    Timeout,
    /// The server refused: CONNECT_ERROR with `{message, data}` (or a bare string).
    Refused(JsonSpan<P>),
    /// The connection failed before the socket connected.
    Transport(TransportFailure<P>),
    /// The CONNECT reply had no sid: the server speaks an older protocol.
    IncompatibleServer,
}

/// Why an ack callback will get no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckFailure {
    /// The ack timeout passed (`timeout()`, `ackTimeout`, or every retry used up).
    TimedOut,
    /// The socket disconnected while the packet was on its way. socket.io-client passes
    /// `Error("socket has been disconnected")` to error-first callbacks and drops the others.
    Disconnected,
}

/// What a socket tells its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketEvent<P> {
    /// The namespace is connected under this Socket.IO sid; `recovered` when the server
    /// restored the session (connection state recovery).
    Connect {
        /// The Socket.IO sid.
        sid: String,
        /// Whether the server restored the session.
        recovered: bool,
    },
    /// The socket needs its `auth` payload: the driver calls the user's auth function and
    /// answers with `Client::authenticate`.
    AuthRequired,
    /// The server answered an emit; `reply` is the ACK's JSON array and attachments.
    Ack {
        /// The emit's ticket.
        ticket: Ticket,
        /// The answer.
        reply: Inbound<P>,
    },
    /// The server answered a queued emit (`retries`) that had no timeout: as socket.io-client
    /// does, the callback gets the reply's arguments as the server sent them, the first one
    /// read as the error; `error_only`: the last try failed and only that first one is passed.
    AckAsSent {
        /// The emit's ticket.
        ticket: Ticket,
        /// The answer, as the server sent it.
        reply: Inbound<P>,
        /// The last try failed: only the reply's first argument (the error) is passed.
        error_only: bool,
    },
    /// An emit's ack will not come.
    AckFailed {
        /// The emit's ticket.
        ticket: Ticket,
        /// Why.
        cause: AckFailure,
    },
    /// The namespace could not connect.
    ConnectError(ConnectError<P>),
    /// The namespace is disconnected; `details` say more where there is more to say.
    Disconnect {
        /// socket.io-client's reason.
        reason: DisconnectReason,
        /// What the transport said, when there is more to say.
        details: Option<CloseDetails<P>>,
    },
    /// The server emitted an event.
    Event(Inbound<P>),
    /// An event went to the transport (socket.io-client's `onAnyOutgoing`): its JSON array and
    /// attachments. Told only while [`NamespaceSocket::report_sent`] is on.
    Sent(Outbound<P>),
}

/// An event to send: the JSON array `[name, ...args]` with placeholders for binaries, and the
/// binaries in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbound<P> {
    /// The JSON array `[name, ...args]`, with placeholders for binaries.
    pub data: P,
    /// The binaries the placeholders point to, in order.
    pub attachments: Vec<P>,
}

/// How to send one event (socket.io-client's emit flags).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmitFlags {
    /// The user wants an answer: register an ack callback.
    pub ack: bool,
    /// Give up waiting after this many milliseconds (`timeout()`; else the `ackTimeout` option).
    pub timeout: Option<u64>,
    /// Drop the event rather than buffer it when it cannot be written now.
    pub volatile: bool,
    /// Register the ack but write nothing: an `onAnyOutgoing` listener threw. The caller told
    /// those listeners before emitting, because [`NamespaceSocket::writes_now`] said so, as
    /// socket.io-client calls them just before it writes and a throw skips the write.
    pub withheld: bool,
}

/// Where a socket's CONNECT payload comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// A fixed JSON object (or none).
    Fixed(Option<String>),
    /// A user function asked on every (re)connect (see [`SocketEvent::AuthRequired`]).
    Asked,
}

/// Per-socket options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SocketOptions {
    /// `retries`: queue emits and resend each until acknowledged, at most this many times more.
    /// Ignored without the cargo feature `retries` (the option readers refuse it there).
    pub retries: Option<u32>,
    /// `ackTimeout`: the default ack timeout in milliseconds.
    pub ack_timeout: Option<u64>,
}

impl SocketOptions {
    /// `retries` as this build honours it: always `None` without the cargo feature, so that
    /// the compiler drops the retry queue's code.
    pub fn retries(&self) -> Option<u32> {
        self.retries.filter(|_| cfg!(feature = "retries"))
    }
}

/// What a socket produced while handling one input: frames to write, then events to tell.
#[derive(Debug)]
pub struct Effects<P> {
    /// Frames to write, in order.
    pub frames: Vec<Frame<P>>,
    /// Events to tell, in order, after the frames.
    pub events: Vec<SocketEvent<P>>,
}

impl<P> Effects<P> {
    /// Room kept between calls: the smallest a `Vec` of these allocates. A burst (a replay of
    /// missed packets) may leave far more, which goes.
    const KEPT: usize = 4;

    /// Whether the room these hold is worth keeping for the next call.
    pub fn is_small(&self) -> bool {
        self.frames.capacity() <= Self::KEPT && self.events.capacity() <= Self::KEPT
    }
}

impl<P> Default for Effects<P> {
    fn default() -> Self {
        Self {
            frames: Vec::new(),
            events: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Disconnected,
    /// Waiting for the user's auth function.
    Authenticating,
    /// CONNECT sent.
    Connecting,
    Connected,
}

/// An emit waiting for the socket to connect.
#[derive(Debug)]
struct Buffered<P> {
    event: Outbound<P>,
    wire_ack: Option<u64>,
}

/// An emit in the retry queue.
#[derive(Debug)]
struct Queued<P> {
    event: Outbound<P>,
    ticket: Option<Ticket>,
    timeout: Option<u64>,
    tries: u32,
    in_flight: bool,
}

/// What the server's CONNECT replies said about recovering this socket's session.
#[derive(Debug, Default)]
struct Recovery {
    pid: Option<String>,
    offset: Option<String>,
}

impl Recovery {
    /// The session to offer on reconnect: always none without the cargo feature `recovery`, so
    /// that the compiler drops the code that offers it and reads offsets.
    fn pid(&self) -> Option<&str> {
        self.pid.as_deref().filter(|_| cfg!(feature = "recovery"))
    }
}

/// One namespace's state on a connection.
#[derive(Debug)]
pub struct NamespaceSocket<P> {
    nsp: String,
    auth: Auth,
    options: SocketOptions,
    active: bool,
    state: State,
    /// The Socket.IO sid, while connected.
    sid: Option<String>,
    /// Whether the last CONNECT restored the session.
    recovered: bool,
    /// Whether [`SocketEvent::Sent`] is told.
    report_sent: bool,
    recovery: Recovery,
    send_buffer: VecDeque<Buffered<P>>,
    /// Events that arrived before the CONNECT reply (a recovered session's missed packets).
    receive_buffer: Vec<Inbound<P>>,
    acks: AckTable,
    queue: VecDeque<Queued<P>>,
    next_ticket: u64,
}

impl<P: Payload> NamespaceSocket<P> {
    /// An inactive socket for `nsp`.
    pub fn new(nsp: &str, auth: Auth, options: SocketOptions) -> Self {
        Self {
            nsp: nsp.to_owned(),
            auth,
            options,
            active: false,
            state: State::Disconnected,
            sid: None,
            recovered: false,
            report_sent: false,
            recovery: Recovery::default(),
            send_buffer: VecDeque::new(),
            receive_buffer: Vec::new(),
            acks: AckTable::default(),
            queue: VecDeque::new(),
            next_ticket: 0,
        }
    }

    /// The namespace, such as `/` or `/admin`.
    pub fn nsp(&self) -> &str {
        &self.nsp
    }

    /// Whether the socket wants to be connected (and reconnects with its connection).
    pub fn is_active(&self) -> bool {
        self.active
    }

    /// Whether the server accepted the CONNECT.
    pub fn is_connected(&self) -> bool {
        self.state == State::Connected
    }

    /// The Socket.IO sid, while connected.
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }

    /// Whether the last connection restored the session (connection state recovery).
    pub fn is_recovered(&self) -> bool {
        self.recovered
    }

    /// The events that arrived before the CONNECT reply, waiting for it.
    pub fn received(&self) -> &[Inbound<P>] {
        &self.receive_buffer
    }

    /// Turns [`SocketEvent::Sent`] on or off (off by default: it costs a copy per emit).
    pub fn report_sent(&mut self, on: bool) {
        self.report_sent = on;
    }

    /// Whether the socket reports the events it writes (see [`report_sent`](Self::report_sent)).
    pub fn reports_sent(&self) -> bool {
        self.report_sent
    }

    /// The emits waiting in the send buffer, then in the retry queue (their JSON arrays).
    pub fn buffered(&self) -> Vec<P> {
        let buffered = self.send_buffer.iter().map(|b| b.event.data.clone());
        buffered
            .chain(self.queue.iter().map(|q| q.event.data.clone()))
            .collect()
    }

    /// The events that arrived before the CONNECT reply, waiting for it (`socket.receiveBuffer`).
    pub fn receive_buffer(&self) -> &[Inbound<P>] {
        &self.receive_buffer
    }

    /// Drops every emit waiting in the send buffer (`socket.sendBuffer = []`).
    pub fn clear_send_buffer(&mut self) {
        self.send_buffer.clear();
    }

    /// The earliest ack deadline.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.acks.next_deadline()
    }

    /// Replaces the CONNECT payload for the next connection.
    pub fn set_auth(&mut self, auth: Auth) {
        self.auth = auth;
    }

    /// Marks the socket active (the user called `connect()`).
    pub fn activate(&mut self) {
        self.active = true;
    }

    /// The connection is open: send CONNECT, or first ask for the auth payload.
    pub fn begin_connect(&mut self, out: &mut Effects<P>) {
        if !self.active || self.state != State::Disconnected {
            return;
        }
        match &self.auth {
            Auth::Fixed(auth) => {
                let frame = self.connect_frame(auth.as_deref());
                out.frames.push(frame);
                self.state = State::Connecting;
            }
            Auth::Asked => {
                self.state = State::Authenticating;
                out.events.push(SocketEvent::AuthRequired);
            }
        }
    }

    /// The user's auth function answered.
    pub fn authenticate(&mut self, auth: Option<&str>, out: &mut Effects<P>) {
        if self.state == State::Authenticating {
            out.frames.push(self.connect_frame(auth));
            self.state = State::Connecting;
        }
    }

    /// The CONNECT frame: `40`, `40{auth}` or `40/admin,{auth}`, with `pid` and `offset` first
    /// when the server offered connection state recovery.
    pub fn connect_frame(&self, auth: Option<&str>) -> Frame<P> {
        let mut text = self.head(PacketKind::Connect, 0, None);
        match self.recovery.pid() {
            Some(pid) => {
                text.push_str("{\"pid\":");
                json::push_string(&mut text, pid);
                if let Some(offset) = &self.recovery.offset {
                    text.push_str(",\"offset\":");
                    json::push_string(&mut text, offset);
                }
                match auth.and_then(|auth| json::trim(auth).strip_prefix("{")) {
                    Some(rest) if !json::trim_start(rest).starts_with("}") => {
                        text.push(',');
                        text.push_str(rest);
                    }
                    _ => text.push('}'),
                }
            }
            None => text.push_str(auth.unwrap_or("")),
        }
        Frame::Text {
            head: text,
            body: None,
        }
    }

    /// An event from the server: delivered when connected, kept until then while connecting
    /// (a recovering server replays missed packets before its CONNECT reply).
    pub fn receive(&mut self, event: Inbound<P>, out: &mut Effects<P>) {
        if self.is_connected() {
            out.events.push(SocketEvent::Event(event));
        } else if self.active {
            self.receive_buffer.push(event);
        }
    }

    /// The server accepted the CONNECT: events that waited are delivered and emits that waited
    /// go out, then `connect` is told.
    pub fn on_connected(
        &mut self,
        now: Instant,
        sid: String,
        pid: Option<String>,
        out: &mut Effects<P>,
    ) {
        let recovered = pid.is_some() && pid.as_deref() == self.recovery.pid();
        if pid.is_none() || !recovered {
            self.recovery.offset = None;
        }
        self.recovery.pid = pid;
        self.state = State::Connected;
        self.sid = Some(sid.clone());
        self.recovered = recovered;
        // Taken rather than drained: a recovered session's replay can be thousands of packets,
        // and a drained buffer would keep their room for the socket's lifetime.
        let received = std::mem::take(&mut self.receive_buffer);
        out.events
            .extend(received.into_iter().map(SocketEvent::Event));
        for buffered in std::mem::take(&mut self.send_buffer) {
            self.push_event(buffered.event, buffered.wire_ack, out);
        }
        self.drain_queue(now, true, out);
        out.events.push(SocketEvent::Connect { sid, recovered });
    }

    /// Emits an event (or buffers, queues or drops it); returns the ticket of its ack callback.
    pub fn emit(
        &mut self,
        now: Instant,
        event: Outbound<P>,
        flags: EmitFlags,
        writable: bool,
        out: &mut Effects<P>,
    ) -> Option<Ticket> {
        let ticket = flags.ack.then(|| self.new_ticket());
        let timeout = flags.timeout.or(self.options.ack_timeout);
        if self.options.retries().is_some() && !flags.volatile {
            self.queue.push_back(Queued {
                event,
                ticket,
                timeout,
                tries: 0,
                in_flight: false,
            });
            self.drain_queue(now, false, out);
            return ticket;
        }
        let wire_ack = ticket.map(|ticket| {
            let deadline = timeout.map(|ms| now.after(core::time::Duration::from_millis(ms)));
            self.acks.register(Waiter::User(ticket), deadline)
        });
        if flags.withheld || (flags.volatile && !(writable && self.is_connected())) {
            return ticket;
        }
        if self.is_connected() {
            self.push_event(event, wire_ack, out);
        } else {
            self.send_buffer.push_back(Buffered { event, wire_ack });
        }
        ticket
    }

    /// Whether an emit made now would be written at once (not buffered, queued or dropped):
    /// `writable` says whether the transport takes a packet now.
    pub fn writes_now(&self, volatile: bool, writable: bool) -> bool {
        let queued = self.options.retries().is_some() && !volatile;
        !queued && self.is_connected() && (writable || !volatile)
    }

    /// The frames that answer the server's ack request `wire` with `reply` (`[...values]`).
    pub fn ack_frames(&self, wire: u64, reply: Outbound<P>) -> impl Iterator<Item = Frame<P>> {
        let kind = match reply.attachments.is_empty() {
            true => PacketKind::Ack,
            false => PacketKind::BinaryAck,
        };
        self.packet_frames(kind, Some(wire), reply)
    }

    /// The server answered ack request `wire`.
    pub fn on_ack(&mut self, now: Instant, wire: u64, reply: Inbound<P>, out: &mut Effects<P>) {
        match self.acks.answer(wire) {
            Some(Waiter::User(ticket)) => out.events.push(SocketEvent::Ack { ticket, reply }),
            Some(Waiter::Queue) => self.on_queue_reply(now, reply, out),
            None => {}
        }
    }

    /// The server answered the head of the retry queue. With a timeout, socket.io-client's own
    /// wrapper reads any reply as a success. Without one, the server's first argument is the
    /// error: `null` is a success; anything else (even none) is a failed try, sent again while
    /// tries remain, then handed to the callback alone.
    fn on_queue_reply(&mut self, now: Instant, reply: Inbound<P>, out: &mut Effects<P>) {
        let retries = self.options.retries().unwrap_or(0);
        let Some(head) = self.queue.front_mut() else {
            return;
        };
        head.in_flight = false;
        let timed = head.timeout.is_some();
        let failed = !timed && !first_argument_is_null(&reply.data);
        if failed && head.tries <= retries {
            self.drain_queue(now, false, out);
            return;
        }
        if let Some(ticket) = self.pop_queue_head().and_then(|done| done.ticket) {
            out.events.push(match timed {
                true => SocketEvent::Ack { ticket, reply },
                false => SocketEvent::AckAsSent {
                    ticket,
                    reply,
                    error_only: failed,
                },
            });
        }
        self.drain_queue(now, false, out);
    }

    /// Fails the acks whose deadline passed; a timed-out emit still in the buffer is not sent.
    pub fn handle_timeout(&mut self, now: Instant, out: &mut Effects<P>) {
        for (wire, waiter) in self.acks.expire(now) {
            self.send_buffer
                .retain(|buffered| buffered.wire_ack != Some(wire));
            self.fail(now, waiter, AckFailure::TimedOut, out);
        }
    }

    /// Whether the socket keeps the recovery offset that ends every event (the server offered
    /// connection state recovery): it then reads each event's JSON.
    pub fn tracks_offsets(&self) -> bool {
        self.recovery.pid().is_some()
    }

    /// Remembers the recovery offset that ends an event's arguments (when recovery is on).
    pub fn note_offset(&mut self, event_json: &str) {
        if self.tracks_offsets() {
            if let Ok(Some(offset)) = json::last_string_element(event_json) {
                self.recovery.offset = Some(offset.into_owned());
            }
        }
    }

    /// The connection closed under the socket: it stays active (to reconnect) and tells
    /// `disconnect`; acks of packets already written will not come.
    pub fn on_connection_closed(
        &mut self,
        now: Instant,
        reason: DisconnectReason,
        details: Option<CloseDetails<P>>,
        out: &mut Effects<P>,
    ) {
        self.set_disconnected();
        out.events.push(SocketEvent::Disconnect { reason, details });
        self.clear_acks(now, out);
    }

    /// The user disconnected the socket: DISCONNECT if connected, then inactive.
    pub fn disconnect(&mut self, now: Instant, out: &mut Effects<P>) {
        self.active = false;
        if self.is_connected() {
            let frame = self.frame(PacketKind::Disconnect);
            out.frames.push(frame);
            self.on_connection_closed(now, DisconnectReason::IoClientDisconnect, None, out);
        }
        self.set_disconnected();
    }

    /// The server disconnected the socket: inactive, no reconnection.
    pub fn on_server_disconnect(&mut self, now: Instant, out: &mut Effects<P>) {
        self.active = false;
        self.on_connection_closed(now, DisconnectReason::IoServerDisconnect, None, out);
    }

    /// The server (or the connection) refused the CONNECT.
    pub fn on_refused(&mut self, error: ConnectError<P>, out: &mut Effects<P>) {
        self.active = false;
        self.set_disconnected();
        out.events.push(SocketEvent::ConnectError(error));
    }

    fn set_disconnected(&mut self) {
        self.state = State::Disconnected;
        self.sid = None;
    }

    /// The DISCONNECT frame: `41` or `41/admin,`.
    fn frame(&self, kind: PacketKind) -> Frame<P> {
        Frame::Text {
            head: self.head(kind, 0, None),
            body: None,
        }
    }

    fn new_ticket(&mut self) -> Ticket {
        let ticket = Ticket(self.next_ticket);
        self.next_ticket = self.next_ticket.wrapping_add(1);
        ticket
    }

    /// Takes the head of the retry queue off; an emptied queue gives its room back (a backlog
    /// built while acks were slow would otherwise stay allocated for the socket's lifetime).
    fn pop_queue_head(&mut self) -> Option<Queued<P>> {
        let head = self.queue.pop_front();
        if self.queue.is_empty() {
            self.queue = VecDeque::new();
        }
        head
    }

    /// Sends the head of the retry queue if nothing of it is in flight (or `force`: the socket
    /// just connected, and whatever was in flight is lost).
    fn drain_queue(&mut self, now: Instant, force: bool, out: &mut Effects<P>) {
        if !self.is_connected() {
            return;
        }
        let Some(head) = self.queue.front_mut() else {
            return;
        };
        if head.in_flight && !force {
            return;
        }
        head.in_flight = true;
        head.tries = head.tries.saturating_add(1);
        let event = head.event.clone();
        let deadline = head
            .timeout
            .map(|ms| now.after(core::time::Duration::from_millis(ms)));
        let wire = self.acks.register(Waiter::Queue, deadline);
        self.push_event(event, Some(wire), out);
    }

    fn fail(&mut self, now: Instant, waiter: Waiter, cause: AckFailure, out: &mut Effects<P>) {
        match waiter {
            Waiter::User(ticket) => out.events.push(SocketEvent::AckFailed { ticket, cause }),
            Waiter::Queue => {
                let retries = self.options.retries().unwrap_or(0);
                let Some(head) = self.queue.front_mut() else {
                    return;
                };
                head.in_flight = false;
                if head.tries > retries {
                    if let Some(ticket) = self.pop_queue_head().and_then(|done| done.ticket) {
                        out.events.push(SocketEvent::AckFailed { ticket, cause });
                    }
                }
                self.drain_queue(now, false, out);
            }
        }
    }

    /// socket.io-client's `_clearAcks`: acks of buffered packets are kept (those packets will
    /// still be sent); the others fail, error-first ones with `Disconnected`.
    fn clear_acks(&mut self, now: Instant, out: &mut Effects<P>) {
        let buffered: Vec<u64> = self
            .send_buffer
            .iter()
            .filter_map(|buffered| buffered.wire_ack)
            .collect();
        for (waiter, had_deadline) in self.acks.drain_unless(|wire| buffered.contains(&wire)) {
            match waiter {
                Waiter::User(_) => self.fail(now, waiter, AckFailure::Disconnected, out),
                // A queued packet without a timeout is simply sent again on reconnect.
                Waiter::Queue if had_deadline => {
                    self.fail(now, waiter, AckFailure::Disconnected, out)
                }
                Waiter::Queue => {
                    if let Some(head) = self.queue.front_mut() {
                        head.in_flight = false;
                    }
                }
            }
        }
    }

    fn push_event(&self, event: Outbound<P>, wire_ack: Option<u64>, out: &mut Effects<P>) {
        let kind = match event.attachments.is_empty() {
            true => PacketKind::Event,
            false => PacketKind::BinaryEvent,
        };
        if self.report_sent {
            out.events.push(SocketEvent::Sent(event.clone()));
        }
        out.frames.extend(self.packet_frames(kind, wire_ack, event));
    }

    /// The frames of one packet: the header and JSON, then each attachment as a binary frame.
    fn packet_frames(
        &self,
        kind: PacketKind,
        id: Option<u64>,
        event: Outbound<P>,
    ) -> impl Iterator<Item = Frame<P>> {
        let head = Frame::Text {
            head: self.head(kind, event.attachments.len(), id),
            body: Some(event.data),
        };
        core::iter::once(head).chain(event.attachments.into_iter().map(Frame::Binary))
    }

    /// The Engine.IO message prefix and the Socket.IO header, e.g. `42/admin,7`.
    fn head(&self, kind: PacketKind, attachments: usize, id: Option<u64>) -> String {
        let header = socket_packet::encode_header(kind, attachments, &self.nsp, id);
        let mut head = String::with_capacity(1 + header.len());
        head.push(PacketType::Message.as_char());
        head.push_str(&header);
        head
    }
}

/// Whether an ack's JSON array starts with `null` (the whole frame's text is read: this is only
/// asked of replies to queued emits without a timeout).
fn first_argument_is_null<P: Payload>(span: &JsonSpan<P>) -> bool {
    let Some(text) = span.frame.text() else {
        return false;
    };
    let end = span.end.map_or(text.len(), |end| end.bytes);
    text.get(span.start.bytes..end)
        .is_some_and(json::first_element_is_null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(frame: &Frame<String>) -> String {
        match frame {
            Frame::Text { head, body } => head.clone() + body.as_deref().unwrap_or(""),
            Frame::Binary(bytes) => format!("<binary {bytes}>"),
        }
    }

    fn texts(out: &Effects<String>) -> Vec<String> {
        out.frames.iter().map(text).collect()
    }

    fn event(data: &str) -> Outbound<String> {
        Outbound {
            data: data.to_owned(),
            attachments: vec![],
        }
    }

    fn at(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    fn with_ack(timeout: Option<u64>) -> EmitFlags {
        EmitFlags {
            ack: true,
            timeout,
            ..EmitFlags::default()
        }
    }

    fn reply() -> Inbound<String> {
        Inbound {
            ack_id: None,
            data: JsonSpan {
                frame: "[1]".into(),
                start: TextIndex::default(),
                end: None,
                name: socket_packet::NameCheck::Unchecked,
            },
            attachments: vec![],
        }
    }

    fn connected(options: SocketOptions) -> NamespaceSocket<String> {
        let mut socket = NamespaceSocket::new("/", Auth::Fixed(None), options);
        socket.activate();
        let mut out = Effects::default();
        socket.begin_connect(&mut out);
        socket.on_connected(at(0), "sid".into(), None, &mut out);
        socket
    }

    #[test]
    fn connect_frames_carry_namespace_and_auth() {
        let root = NamespaceSocket::<String>::new("/", Auth::Fixed(None), SocketOptions::default());
        assert_eq!(
            text(&root.connect_frame(Some(r#"{"token":"123"}"#))),
            r#"40{"token":"123"}"#
        );
        let admin =
            NamespaceSocket::<String>::new("/custom", Auth::Fixed(None), SocketOptions::default());
        assert_eq!(text(&admin.connect_frame(Some("{}"))), r#"40/custom,{}"#);
        assert_eq!(text(&root.connect_frame(None)), "40");
    }

    #[test]
    #[cfg(feature = "recovery")]
    fn recovery_puts_pid_and_offset_before_the_auth_members() {
        let mut socket =
            NamespaceSocket::<String>::new("/", Auth::Fixed(None), SocketOptions::default());
        socket.activate();
        let mut out = Effects::default();
        socket.on_connected(at(0), "s1".into(), Some("p\"1".into()), &mut out);
        assert_eq!(
            out.events,
            [SocketEvent::Connect {
                sid: "s1".into(),
                recovered: false
            }]
        );
        socket.note_offset(r#"["ev",{"a":1},"off-7"]"#);
        socket.note_offset(r#"["ev",2]"#);
        assert_eq!(
            text(&socket.connect_frame(Some(r#"{"token":"t"}"#))),
            r#"40{"pid":"p\"1","offset":"off-7","token":"t"}"#
        );
        assert_eq!(
            text(&socket.connect_frame(Some(" { } "))),
            r#"40{"pid":"p\"1","offset":"off-7"}"#
        );
        assert_eq!(
            text(&socket.connect_frame(None)),
            r#"40{"pid":"p\"1","offset":"off-7"}"#
        );
        let mut out = Effects::default();
        socket.on_connected(at(0), "s1".into(), Some("p\"1".into()), &mut out);
        assert_eq!(
            out.events,
            [SocketEvent::Connect {
                sid: "s1".into(),
                recovered: true
            }]
        );
    }

    #[test]
    fn an_auth_function_is_asked_before_connect_goes_out() {
        let mut socket =
            NamespaceSocket::<String>::new("/a", Auth::Asked, SocketOptions::default());
        let mut out = Effects::default();
        socket.begin_connect(&mut out);
        assert!(out.events.is_empty(), "an inactive socket does not connect");
        socket.activate();
        socket.begin_connect(&mut out);
        assert_eq!(out.events, [SocketEvent::AuthRequired]);
        assert!(out.frames.is_empty());
        socket.authenticate(Some(r#"{"k":1}"#), &mut out);
        socket.authenticate(Some(r#"{"k":2}"#), &mut out);
        assert_eq!(texts(&out), [r#"40/a,{"k":1}"#]);
    }

    #[test]
    fn disconnect_frames_only_when_connected() {
        let mut socket = connected(SocketOptions::default());
        let mut out = Effects::default();
        socket.disconnect(at(0), &mut out);
        assert_eq!(texts(&out), ["41"]);
        assert!(!socket.is_active());
        let mut again = Effects::default();
        socket.disconnect(at(0), &mut again);
        assert!(again.frames.is_empty() && again.events.is_empty());
    }

    #[test]
    fn binary_events_become_header_plus_attachments() {
        let mut socket = connected(SocketOptions::default());
        let mut out = Effects::default();
        let event = Outbound {
            data: r#"["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#
                .to_owned(),
            attachments: vec!["a".to_owned(), "b".to_owned()],
        };
        socket.emit(at(0), event, EmitFlags::default(), true, &mut out);
        assert_eq!(
            texts(&out),
            [
                r#"452-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#,
                "<binary a>",
                "<binary b>"
            ]
        );
    }

    #[test]
    fn buffered_events_are_released_in_order_on_connect_with_their_ack_ids() {
        let mut socket = NamespaceSocket::new("/", Auth::Fixed(None), SocketOptions::default());
        socket.activate();
        let mut out = Effects::default();
        socket.emit(at(0), event("[0]"), EmitFlags::default(), false, &mut out);
        let ticket = socket.emit(at(0), event("[1]"), with_ack(None), false, &mut out);
        assert_eq!(ticket, Some(Ticket(0)));
        assert_eq!(socket.buffered().len(), 2);
        assert!(out.frames.is_empty());
        socket.on_connected(at(0), "sid".into(), None, &mut out);
        assert_eq!(texts(&out), ["42[0]", "420[1]"]);
        assert_eq!(socket.buffered().len(), 0);
    }

    #[test]
    fn acks_answer_once_and_time_out_on_their_deadline() {
        let mut socket = connected(SocketOptions::default());
        let mut out = Effects::default();
        let first = socket
            .emit(at(0), event("[\"a\"]"), with_ack(None), true, &mut out)
            .unwrap();
        let second = socket
            .emit(at(0), event("[\"b\"]"), with_ack(Some(50)), true, &mut out)
            .unwrap();
        assert_eq!(texts(&out), [r#"420["a"]"#, r#"421["b"]"#]);
        assert_eq!(socket.next_deadline(), Some(at(50)));
        let mut out = Effects::default();
        socket.on_ack(at(10), 0, reply(), &mut out);
        socket.on_ack(at(10), 0, reply(), &mut out);
        assert_eq!(
            out.events,
            [SocketEvent::Ack {
                ticket: first,
                reply: reply()
            }]
        );
        let mut out = Effects::default();
        socket.handle_timeout(at(50), &mut out);
        assert_eq!(
            out.events,
            [SocketEvent::AckFailed {
                ticket: second,
                cause: AckFailure::TimedOut
            }]
        );
        socket.on_ack(at(60), 1, reply(), &mut Effects::default());
    }

    #[test]
    fn a_timed_out_emit_still_in_the_buffer_is_never_sent() {
        let mut socket = NamespaceSocket::new("/", Auth::Fixed(None), SocketOptions::default());
        socket.activate();
        let mut out = Effects::default();
        socket.emit(at(0), event("[1]"), with_ack(Some(10)), false, &mut out);
        socket.handle_timeout(at(10), &mut out);
        socket.on_connected(at(20), "sid".into(), None, &mut out);
        assert!(out.frames.is_empty());
    }

    #[test]
    fn disconnect_fails_acks_in_flight_and_keeps_those_of_buffered_packets() {
        let mut socket = connected(SocketOptions::default());
        let mut out = Effects::default();
        let sent = socket
            .emit(at(0), event("[1]"), with_ack(None), true, &mut out)
            .unwrap();
        socket.on_connection_closed(at(0), DisconnectReason::TransportClose, None, &mut out);
        let buffered = socket
            .emit(at(0), event("[2]"), with_ack(None), true, &mut out)
            .unwrap();
        socket.on_connection_closed(at(0), DisconnectReason::TransportClose, None, &mut out);
        let failed: Vec<Ticket> = out
            .events
            .iter()
            .filter_map(|e| match e {
                SocketEvent::AckFailed {
                    ticket,
                    cause: AckFailure::Disconnected,
                } => Some(*ticket),
                _ => None,
            })
            .collect();
        assert_eq!(failed, [sent]);
        let mut out = Effects::default();
        socket.on_connected(at(0), "sid".into(), None, &mut out);
        assert_eq!(texts(&out), ["421[2]"]);
        socket.on_ack(at(0), 1, reply(), &mut out);
        assert!(out.events.contains(&SocketEvent::Ack {
            ticket: buffered,
            reply: reply()
        }));
    }

    #[test]
    fn volatile_emits_are_dropped_unless_writable_now() {
        let volatile = EmitFlags {
            volatile: true,
            ..EmitFlags::default()
        };
        let mut socket = connected(SocketOptions::default());
        let mut out = Effects::default();
        socket.emit(at(0), event("[1]"), volatile, false, &mut out);
        socket.emit(at(0), event("[2]"), volatile, true, &mut out);
        assert_eq!(texts(&out), ["42[2]"]);
        let mut idle = NamespaceSocket::new("/", Auth::Fixed(None), SocketOptions::default());
        idle.emit(at(0), event("[3]"), volatile, true, &mut out);
        assert_eq!(idle.buffered().len(), 0);
    }

    #[test]
    #[cfg(feature = "retries")]
    fn retries_send_one_at_a_time_in_order_until_acked() {
        let options = SocketOptions {
            retries: Some(2),
            ack_timeout: Some(100),
        };
        let mut socket = connected(options);
        let mut out = Effects::default();
        let a = socket
            .emit(at(0), event("[\"a\"]"), with_ack(None), true, &mut out)
            .unwrap();
        socket.emit(
            at(0),
            event("[\"b\"]"),
            EmitFlags::default(),
            true,
            &mut out,
        );
        assert_eq!(texts(&out), [r#"420["a"]"#], "b waits for a's ack");
        // a times out twice (tries 1 and 2), is retried, then acked on try 3.
        let mut out = Effects::default();
        socket.handle_timeout(at(100), &mut out);
        socket.handle_timeout(at(200), &mut out);
        assert_eq!(texts(&out), [r#"421["a"]"#, r#"422["a"]"#]);
        let mut out = Effects::default();
        socket.on_ack(at(250), 2, reply(), &mut out);
        assert_eq!(
            out.events,
            [SocketEvent::Ack {
                ticket: a,
                reply: reply()
            }]
        );
        assert_eq!(texts(&out), [r#"423["b"]"#]);
    }

    #[test]
    #[cfg(feature = "retries")]
    fn retries_give_up_after_the_limit_with_a_timeout() {
        let options = SocketOptions {
            retries: Some(1),
            ack_timeout: Some(10),
        };
        let mut socket = connected(options);
        let mut out = Effects::default();
        let a = socket
            .emit(at(0), event("[1]"), with_ack(None), true, &mut out)
            .unwrap();
        socket.emit(at(0), event("[2]"), EmitFlags::default(), true, &mut out);
        let mut out = Effects::default();
        socket.handle_timeout(at(10), &mut out);
        socket.handle_timeout(at(20), &mut out);
        assert_eq!(texts(&out), ["421[1]", "422[2]"]);
        assert_eq!(
            out.events,
            [SocketEvent::AckFailed {
                ticket: a,
                cause: AckFailure::TimedOut
            }]
        );
    }

    #[test]
    #[cfg(feature = "retries")]
    fn queued_packets_are_resent_once_after_a_reconnect() {
        let options = SocketOptions {
            retries: Some(3),
            ack_timeout: None,
        };
        let mut socket = connected(options);
        let mut out = Effects::default();
        socket.emit(at(0), event("[1]"), EmitFlags::default(), true, &mut out);
        socket.on_connection_closed(at(0), DisconnectReason::TransportClose, None, &mut out);
        socket.emit(at(0), event("[2]"), EmitFlags::default(), true, &mut out);
        let mut out = Effects::default();
        socket.begin_connect(&mut out);
        socket.on_connected(at(0), "sid".into(), None, &mut out);
        assert_eq!(texts(&out), ["40", "421[1]"]);
    }

    #[test]
    fn close_reasons_map_to_disconnect_reasons() {
        assert_eq!(
            DisconnectReason::from(CloseReason::PingTimeout).as_str(),
            "ping timeout"
        );
        assert_eq!(
            DisconnectReason::from(CloseReason::ForcedClose).as_str(),
            "forced close"
        );
        assert_eq!(
            DisconnectReason::from(CloseReason::ParseError).as_str(),
            "parse error"
        );
    }
}
