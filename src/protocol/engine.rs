//! One Engine.IO session: the handshake, the heartbeat, the transports it runs on (long-polling
//! and WebSocket), the upgrade from one to the other, and the frames waiting to be written.
//!
//! The server pings every `pingInterval`; the session answers each ping with a pong at once and
//! keeps a deadline of `pingInterval + pingTimeout` from the open packet and from every ping.
//! Past that deadline the session is dead (`ping timeout`). Browsers throttle timers in background
//! tabs, so the deadline is also checked before every write, not only when the timer fires.
//!
//! Long-polling keeps at most one GET and one POST in flight, and batches queued frames into
//! POSTs within `maxPayload`. A client close on polling is no exception: what is queued (a
//! DISCONNECT, say) and then the close packet go out in order, each POST after the last one
//! finished, the close packet alone, and only then does the transport close. After the handshake it probes a WebSocket (`2probe` / `3probe`), then
//! pauses polling until the in-flight GET and POST are done, sends `5` on the WebSocket and moves
//! the queue there, so nothing written before the switch arrives after something written later.

use std::cell::Cell;
use std::collections::VecDeque;
use std::rc::Rc;

use super::engine_packet::{self, Handshake, PacketType, TextPacket};
use super::error::binary_accepted;
use super::payload::Payload;
use super::{DecodeError, Instant};
use core::time::Duration;

/// A frame for the transport. Text frames are `head` followed by `body`: the core writes the
/// packet header, the driver appends the payload it kept (a JS string in the browser).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame<P> {
    /// A text frame: `head` (Engine.IO type and Socket.IO header) then the opaque `body`.
    Text {
        /// The Engine.IO type and the Socket.IO header.
        head: String,
        /// The payload the driver kept, written after the head.
        body: Option<P>,
    },
    /// A binary message (a Socket.IO attachment).
    Binary(P),
}

impl<P> Frame<P> {
    /// A text frame with no payload, such as a pong.
    pub fn control(kind: PacketType, data: &str) -> Self {
        let mut head = String::with_capacity(1 + data.len());
        head.push(kind.as_char());
        head.push_str(data);
        Frame::Text { head, body: None }
    }
}

impl<P: Payload> Frame<P> {
    /// Bytes this frame takes in a polling body (binaries are `b` + base64).
    fn wire_len(&self) -> usize {
        match self {
            Frame::Text { head, body } => head.len() + body.as_ref().map_or(0, Payload::wire_len),
            Frame::Binary(data) => 1 + data.wire_len(),
        }
    }
}

/// The two transports of Engine.IO.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// HTTP long-polling: a GET waiting for packets, POSTs carrying them.
    Polling,
    /// One WebSocket.
    WebSocket,
}

impl TransportKind {
    /// The name Engine.IO uses (`transport=` in URLs, `socket.io.engine.transport.name`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Polling => "polling",
            Self::WebSocket => "websocket",
        }
    }
}

/// Names one transport instance; a new one for every transport the session opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TransportId(u32);

/// What the driver must do with its transports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command<P> {
    /// Create a transport; `sid` resumes this session (the upgrade probe). A polling transport
    /// does nothing until its first `Poll`, which is the handshake when there is no sid.
    Open {
        /// The transport, named for the commands and events that follow.
        id: TransportId,
        /// WebSocket or polling.
        kind: TransportKind,
        /// The session to resume (an upgrade probe), if any.
        sid: Option<String>,
    },
    /// Write a frame on a WebSocket.
    Send(TransportId, Frame<P>),
    /// Start a long-polling GET.
    Poll(TransportId),
    /// Send one POST carrying these frames as a payload.
    Post(TransportId, Vec<Frame<P>>),
    /// Close the transport and forget it (pending requests are aborted).
    Close(TransportId),
}

/// How the session chooses and changes transports (socket.io-client's options).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineConfig {
    /// The transports to use, in order of preference (`transports`).
    pub transports: Vec<TransportKind>,
    /// Whether to upgrade from polling to WebSocket (`upgrade`).
    pub upgrade: bool,
    /// Whether a transport that cannot open falls back to the next one (`tryAllTransports`).
    pub try_all: bool,
    /// `rememberUpgrade`: start on WebSocket when one worked last, as this memory says.
    pub remember_upgrade: Option<UpgradeMemory>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            transports: vec![TransportKind::Polling, TransportKind::WebSocket],
            upgrade: true,
            try_all: false,
            remember_upgrade: None,
        }
    }
}

/// Whether the last session to open (or upgrade) did so on a WebSocket, shared by the sessions
/// that remember it (socket.io-client keeps one such flag per page). Set when a session opens,
/// true only on a WebSocket that answered; cleared when a transport fails.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpgradeMemory(Rc<Cell<bool>>);

impl UpgradeMemory {
    /// Whether a WebSocket worked last.
    pub fn websocket_worked(&self) -> bool {
        self.0.get()
    }

    fn set(&self, worked: bool) {
        self.0.set(worked);
    }
}

/// Why an Engine.IO session ended, in socket.io-client's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// The transport closed, or the server sent a close packet.
    TransportClose,
    /// The transport failed.
    TransportError,
    /// No ping from the server within `pingInterval + pingTimeout`.
    PingTimeout,
    /// The server sent something that does not decode.
    ParseError,
    /// The client closed the session.
    ForcedClose,
}

impl CloseReason {
    /// The reason string socket.io-client reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TransportClose => "transport close",
            Self::TransportError => "transport error",
            Self::PingTimeout => "ping timeout",
            Self::ParseError => "parse error",
            Self::ForcedClose => "forced close",
        }
    }
}

/// What a received text packet meant to the layers above.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received<'a> {
    /// The open packet arrived: the session is open.
    Opened,
    /// A message for the Socket.IO layer.
    Message(&'a str),
    /// The server closed the session.
    Closed(CloseReason),
    /// A ping arrived (and was answered).
    Ping,
    /// Handled here (noop, probe) or ignored.
    Nothing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Opening,
    Open,
    /// The client closed the session on polling: the queued frames, then the close packet, are
    /// still being posted; the transport closes after the last POST.
    Closing,
    Closed,
}

/// The WebSocket being tried while the session runs on polling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Probe {
    /// Waiting for the WebSocket to open.
    Opening(TransportId),
    /// `2probe` sent, waiting for `3probe`.
    AwaitingPong(TransportId),
    /// `3probe` received: polling is paused until its requests are done, then the switch.
    Switching(TransportId),
}

impl Probe {
    fn id(self) -> TransportId {
        match self {
            Self::Opening(id) | Self::AwaitingPong(id) | Self::Switching(id) => id,
        }
    }
}

/// The transport the session runs on.
#[derive(Debug, Clone, Copy)]
struct Active {
    id: TransportId,
    kind: TransportKind,
    /// Polling only: a GET is in flight.
    polling: bool,
    /// Polling only: a POST is in flight.
    posting: bool,
}

/// One Engine.IO session.
#[derive(Debug)]
pub struct EngineSession<P> {
    config: EngineConfig,
    /// Index in `config.transports` of the transport being tried or used.
    attempt: usize,
    state: State,
    handshake: Option<Handshake>,
    ping_deadline: Option<Instant>,
    outbox: VecDeque<Frame<P>>,
    active: Active,
    probe: Option<Probe>,
    next_id: u32,
    commands: VecDeque<Command<P>>,
}

impl<P: Payload> EngineSession<P> {
    /// A session opening its first transport; its transports are numbered from `first_id` so
    /// that they never share an id with an earlier session's.
    pub fn new(config: EngineConfig, first_id: u32) -> Self {
        let remembered = config
            .remember_upgrade
            .as_ref()
            .is_some_and(UpgradeMemory::websocket_worked);
        let attempt = match remembered {
            true => config
                .transports
                .iter()
                .position(|kind| *kind == TransportKind::WebSocket),
            false => None,
        }
        .unwrap_or(0);
        let kind = config
            .transports
            .get(attempt)
            .copied()
            .unwrap_or(TransportKind::WebSocket);
        let placeholder = Active {
            id: TransportId(0),
            kind,
            polling: false,
            posting: false,
        };
        let mut session = Self {
            config,
            attempt,
            state: State::Opening,
            handshake: None,
            ping_deadline: None,
            outbox: VecDeque::new(),
            active: placeholder,
            probe: None,
            next_id: first_id,
            commands: VecDeque::new(),
        };
        session.open_active(kind);
        session
    }

    /// Whether the transport takes a packet now: the session is open and (on polling) no POST
    /// is in flight. Volatile packets need it. As in socket.io-client, a switch of transports
    /// under way does not count: the packet waits for the switch and goes out on the new one.
    pub fn is_writable(&self) -> bool {
        let posting = self.active.kind == TransportKind::Polling && self.active.posting;
        self.state == State::Open && !posting
    }

    /// Whether the open packet arrived and the session has not closed since.
    pub fn is_open(&self) -> bool {
        self.state == State::Open
    }

    /// The server's open packet, once it arrived.
    pub fn handshake(&self) -> Option<&Handshake> {
        self.handshake.as_ref()
    }

    /// Whether the session is over, its last POST included: nothing more will come of it.
    pub fn is_finished(&self) -> bool {
        self.state == State::Closed
    }

    /// Whether transport `id` belongs to this session.
    pub fn owns(&self, id: TransportId) -> bool {
        id == self.active.id || self.probe.is_some_and(|probe| probe.id() == id)
    }

    /// The id the session's next transport would get.
    pub fn next_transport_id(&self) -> u32 {
        self.next_id
    }

    /// The id of the transport the session currently runs on.
    pub fn transport_id(&self) -> TransportId {
        self.active.id
    }

    /// The transport the session currently runs on.
    pub fn transport(&self) -> TransportKind {
        self.active.kind
    }

    /// Decodes a WebSocket text frame from transport `id` and handles it.
    pub fn handle_text<'a>(
        &mut self,
        now: Instant,
        id: TransportId,
        frame: &'a str,
    ) -> Result<Received<'a>, DecodeError> {
        let packet = engine_packet::decode_text(frame)?;
        self.handle_packet(now, id, packet)
    }

    /// Handles one decoded text packet from transport `id`: what is Engine.IO's own business
    /// (open, ping, close, probe) here, messages passed up.
    pub fn handle_packet<'a>(
        &mut self,
        now: Instant,
        id: TransportId,
        packet: TextPacket<'a>,
    ) -> Result<Received<'a>, DecodeError> {
        if self.probe.is_some_and(|probe| probe.id() == id) {
            self.on_probe_packet(packet);
            return Ok(Received::Nothing);
        }
        if !matches!(self.state, State::Opening | State::Open) || id != self.active.id {
            return Ok(Received::Nothing);
        }
        match packet.kind {
            PacketType::Open => self.on_open(now, packet.data),
            PacketType::Ping => {
                self.on_ping(now, packet.data);
                Ok(Received::Ping)
            }
            PacketType::Close => {
                self.end(false);
                Ok(Received::Closed(CloseReason::TransportClose))
            }
            PacketType::Message if self.state == State::Open => Ok(Received::Message(packet.data)),
            PacketType::Message | PacketType::Pong | PacketType::Upgrade | PacketType::Noop => {
                Ok(Received::Nothing)
            }
        }
    }

    /// Accepts a binary message from transport `id`; only an open session's transport may send one,
    /// and only to a build with binary attachments.
    pub fn handle_binary(&mut self, id: TransportId) -> Result<bool, DecodeError> {
        match self.state {
            State::Open if id == self.active.id => binary_accepted().map(|()| true),
            State::Open | State::Closing | State::Closed => Ok(false),
            State::Opening => Err(DecodeError::UnexpectedBinary),
        }
    }

    /// A polling GET of transport `id` completed (its packets were handled already).
    pub fn handle_poll_done(&mut self, id: TransportId) {
        if id == self.active.id {
            self.active.polling = false;
            self.pump();
        }
    }

    /// A polling POST of transport `id` completed.
    pub fn handle_post_done(&mut self, id: TransportId) {
        if id == self.active.id {
            self.active.posting = false;
            self.pump();
        }
    }

    /// Transport `id` is open (WebSocket `open` event).
    pub fn handle_transport_open(&mut self, id: TransportId) {
        if self.probe == Some(Probe::Opening(id)) {
            self.commands
                .push_back(Command::Send(id, Frame::control(PacketType::Ping, "probe")));
            self.probe = Some(Probe::AwaitingPong(id));
        }
    }

    /// Transport `id` failed or closed. A failed probe is dropped and the session carries on;
    /// a transport that never opened gives way to the next one when `tryAllTransports` is on.
    /// Returns whether the session itself is now closed.
    pub fn handle_transport_lost(&mut self, id: TransportId) -> bool {
        if self.probe.is_some_and(|probe| probe.id() == id) {
            self.abandon_probe();
            return false;
        }
        if id != self.active.id || self.state == State::Closed {
            return false;
        }
        if self.state == State::Closing {
            // The last POST failed: nothing more can be said to the server.
            self.state = State::Closed;
            self.commands.push_back(Command::Close(id));
            return false;
        }
        if self.state == State::Opening {
            // A transport that never opened is not one to start on next time.
            self.remember(false);
        }
        if self.state == State::Opening && self.config.try_all {
            if let Some(next) = self.config.transports.get(self.attempt + 1).copied() {
                self.attempt += 1;
                self.commands.push_back(Command::Close(id));
                self.open_active(next);
                return false;
            }
        }
        self.end(false);
        true
    }

    /// Fires the heartbeat deadline if it has passed; returns whether the session closed.
    pub fn handle_timeout(&mut self, now: Instant) -> Option<CloseReason> {
        self.check_heartbeat(now)
    }

    /// When the session next needs [`handle_timeout`](Self::handle_timeout).
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            State::Open => self.ping_deadline,
            State::Opening | State::Closing | State::Closed => None,
        }
    }

    /// Whether the heartbeat deadline has passed (without acting on it).
    pub fn has_ping_expired(&self, now: Instant) -> bool {
        self.state == State::Open && self.ping_deadline.is_some_and(|deadline| now >= deadline)
    }

    /// Closes the session with `ping timeout` if the deadline has passed. Call before writing:
    /// in a throttled background tab the timer may fire long after the deadline.
    pub fn check_heartbeat(&mut self, now: Instant) -> Option<CloseReason> {
        let deadline = self.ping_deadline?;
        if self.state == State::Open && now >= deadline {
            self.end(false);
            return Some(CloseReason::PingTimeout);
        }
        None
    }

    /// Queues frames; they go out as soon as the transport can take them (the frames of one
    /// packet, header and attachments, in the same POST when they fit).
    pub fn send(&mut self, frames: impl IntoIterator<Item = Frame<P>>) {
        if matches!(self.state, State::Opening | State::Open) {
            self.outbox.extend(frames);
            self.pump();
        }
    }

    /// The next thing the driver must do with its transports.
    pub fn poll_command(&mut self) -> Option<Command<P>> {
        self.commands.pop_front()
    }

    /// Closes the session from the client side: polling tells the server with a close packet
    /// (a WebSocket just closes).
    pub fn close(&mut self) {
        if matches!(self.state, State::Opening | State::Open) {
            self.end(true);
        }
    }

    fn open_active(&mut self, kind: TransportKind) {
        let id = self.new_transport_id();
        self.active = Active {
            id,
            kind,
            polling: false,
            posting: false,
        };
        self.commands.push_back(Command::Open {
            id,
            kind,
            sid: None,
        });
        if kind == TransportKind::Polling {
            self.active.polling = true;
            self.commands.push_back(Command::Poll(id));
        }
    }

    fn new_transport_id(&mut self) -> TransportId {
        let id = TransportId(self.next_id);
        self.next_id = self.next_id.wrapping_add(1);
        id
    }

    fn on_open<'a>(&mut self, now: Instant, json: &str) -> Result<Received<'a>, DecodeError> {
        if self.state != State::Opening {
            return Ok(Received::Nothing);
        }
        let handshake = engine_packet::decode_handshake(json)?;
        self.ping_deadline = Some(now.after(heartbeat_window(&handshake)));
        let upgrade = self.may_upgrade(&handshake);
        let sid = handshake.sid.clone();
        self.handshake = Some(handshake);
        self.state = State::Open;
        self.remember(self.active.kind == TransportKind::WebSocket);
        if upgrade {
            let id = self.new_transport_id();
            self.commands.push_back(Command::Open {
                id,
                kind: TransportKind::WebSocket,
                sid: Some(sid),
            });
            self.probe = Some(Probe::Opening(id));
        }
        self.pump();
        Ok(Received::Opened)
    }

    fn may_upgrade(&self, handshake: &Handshake) -> bool {
        self.active.kind == TransportKind::Polling
            && self.config.upgrade
            && self.config.transports.contains(&TransportKind::WebSocket)
            && handshake.upgrades.iter().any(|name| name == "websocket")
    }

    fn on_ping(&mut self, now: Instant, data: &str) {
        if self.state != State::Open {
            return;
        }
        if let Some(handshake) = &self.handshake {
            self.ping_deadline = Some(now.after(heartbeat_window(handshake)));
        }
        // Answer ahead of anything already queued: a pong stuck behind a large backlog would
        // let the server's own ping timeout fire.
        self.outbox
            .push_front(Frame::control(PacketType::Pong, data));
        self.pump();
    }

    fn on_probe_packet(&mut self, packet: TextPacket<'_>) {
        match self.probe {
            Some(Probe::AwaitingPong(id))
                if packet.kind == PacketType::Pong && packet.data == "probe" =>
            {
                self.probe = Some(Probe::Switching(id));
                self.remember(true);
                self.pump();
            }
            // Anything else on the probe means it failed; polling goes on.
            _ => self.abandon_probe(),
        }
    }

    fn abandon_probe(&mut self) {
        if let Some(probe) = self.probe.take() {
            self.commands.push_back(Command::Close(probe.id()));
            self.pump();
        }
    }

    /// Moves the session forward on its transport: sends what is queued, keeps a GET in flight,
    /// and switches to the probe once polling has drained.
    fn pump(&mut self) {
        if self.state == State::Closing {
            self.post_goodbye();
            return;
        }
        if self.state != State::Open {
            return;
        }
        if self.active.kind == TransportKind::WebSocket {
            while let Some(frame) = self.outbox.pop_front() {
                self.commands
                    .push_back(Command::Send(self.active.id, frame));
            }
            return;
        }
        if let Some(Probe::Switching(probe)) = self.probe {
            if !self.active.polling && !self.active.posting {
                self.switch_to(probe);
            }
            return;
        }
        if !self.active.posting && !self.outbox.is_empty() {
            let batch = self.take_batch();
            self.active.posting = true;
            self.commands
                .push_back(Command::Post(self.active.id, batch));
        }
        if !self.active.polling {
            self.active.polling = true;
            self.commands.push_back(Command::Poll(self.active.id));
        }
    }

    /// The next POST: as many queued frames as fit in `maxPayload`, and always at least one
    /// (a single frame that is too large is sent, and refused by the server, as in
    /// socket.io-client).
    fn take_batch(&mut self) -> Vec<Frame<P>> {
        let limit = self
            .handshake
            .as_ref()
            .map_or(u64::MAX, |handshake| handshake.max_payload);
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let mut batch = Vec::new();
        let mut size = 0usize;
        while let Some(frame) = self.outbox.front() {
            let added = frame.wire_len() + usize::from(!batch.is_empty());
            if !batch.is_empty() && size.saturating_add(added) > limit {
                break;
            }
            size = size.saturating_add(added);
            if let Some(frame) = self.outbox.pop_front() {
                batch.push(frame);
            }
        }
        batch
    }

    fn switch_to(&mut self, probe: TransportId) {
        self.commands.push_back(Command::Send(
            probe,
            Frame::control(PacketType::Upgrade, ""),
        ));
        self.commands.push_back(Command::Close(self.active.id));
        self.active = Active {
            id: probe,
            kind: TransportKind::WebSocket,
            polling: false,
            posting: false,
        };
        self.probe = None;
        self.pump();
    }

    /// Ends the session. `announce` (a client close): on open polling, what is queued goes out,
    /// then the close packet in a POST of its own ([`State::Closing`]; the server acts on a
    /// DISCONNECT only after the body that carried it, so a close packet beside it would win);
    /// a WebSocket writes what is queued and closes.
    fn end(&mut self, announce: bool) {
        let goodbye = announce && self.state == State::Open;
        self.ping_deadline = None;
        if let Some(probe) = self.probe.take() {
            self.commands.push_back(Command::Close(probe.id()));
        }
        if goodbye && self.active.kind == TransportKind::Polling {
            self.state = State::Closing;
            self.post_goodbye();
            return;
        }
        if goodbye {
            self.pump();
        }
        self.state = State::Closed;
        self.outbox.clear();
        self.commands.push_back(Command::Close(self.active.id));
    }

    /// Closing on polling: the next POST of what is left, one at a time, then the close packet
    /// alone; the transport closes with it (the driver lets that last POST finish).
    fn post_goodbye(&mut self) {
        if self.active.posting {
            return;
        }
        self.active.posting = true;
        if self.outbox.is_empty() {
            let close = vec![Frame::control(PacketType::Close, "")];
            self.commands
                .push_back(Command::Post(self.active.id, close));
            self.state = State::Closed;
            self.commands.push_back(Command::Close(self.active.id));
        } else {
            let batch = self.take_batch();
            self.commands
                .push_back(Command::Post(self.active.id, batch));
        }
    }

    fn remember(&self, websocket_worked: bool) {
        if let Some(memory) = &self.config.remember_upgrade {
            memory.set(websocket_worked);
        }
    }
}

/// How long the session may go without a ping: `pingInterval + pingTimeout`.
fn heartbeat_window(handshake: &Handshake) -> Duration {
    Duration::from_millis(
        handshake
            .ping_interval
            .saturating_add(handshake.ping_timeout),
    )
}
