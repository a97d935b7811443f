//! A test driver for the protocol core: it plays the browser driver's part with a virtual clock,
//! feeding frames in and turning outputs into values that are easy to compare.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::expect_used,
    clippy::unreachable
)]

use socketio_wasm::protocol::acks::Ticket;
use socketio_wasm::protocol::client::{Client, ManagerEvent, Output, Settings, SocketId};
use socketio_wasm::protocol::engine::{Command, EngineConfig, Frame, TransportId, TransportKind};
use socketio_wasm::protocol::socket::{
    AckFailure, Auth, CloseDetails, ConnectError, EmitFlags, JsonSpan, Outbound, SocketEvent,
    SocketOptions, TransportFailure,
};
use socketio_wasm::protocol::Instant;

/// How many UTF-16 units of a text frame the browser driver copies into wasm.
pub const HEAD_UNITS: usize = 128;

/// What the browser driver hands the core as a frame's head: `frame.slice(0, units)` in
/// JavaScript, turned into a Rust string (a surrogate pair cut in half becomes U+FFFD).
pub fn head_of(frame: &str, units: usize) -> String {
    let mut head = String::new();
    let mut taken = 0;
    for c in frame.chars() {
        let width = c.len_utf16();
        if taken + width > units {
            if taken < units {
                head.push(char::REPLACEMENT_CHARACTER);
            }
            break;
        }
        head.push(c);
        taken += width;
    }
    head
}

pub const OPEN: &str = r#"0{"sid":"eio-sid","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;
pub const OPEN_POLLING: &str = r#"0{"sid":"eio-sid","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;

/// What the driver would see, in a form that is easy to compare.
#[derive(Debug, PartialEq)]
pub enum Seen {
    Open(TransportKind, Option<String>),
    Sent(String),
    SentBinary(String),
    Poll,
    Post(String),
    Close,
    Connect(u32, String),
    /// Connected, and the server restored the session.
    Recovered(u32, String),
    ConnectError(u32, String),
    AuthRequired(u32),
    /// socket, ticket, the ACK's JSON
    Ack(u32, u64, String),
    /// A queued emit's reply without a timeout: its JSON, whether only the error is passed.
    AckAsSent(u32, u64, String, bool),
    /// socket, ticket, "timeout" or "disconnected"
    AckFailed(u32, u64, &'static str),
    Disconnect(u32, &'static str, Option<String>),
    Event(u32, String, Vec<String>),
}

pub fn sent(text: &str) -> Seen {
    Seen::Sent(text.to_owned())
}

pub fn post(text: &str) -> Seen {
    Seen::Post(text.to_owned())
}

pub fn open_ws() -> Seen {
    Seen::Open(TransportKind::WebSocket, None)
}

/// WebSocket only: for tests about the connection, not the transports.
pub fn websocket_only() -> EngineConfig {
    EngineConfig {
        transports: vec![TransportKind::WebSocket],
        upgrade: false,
        try_all: false,
        remember_upgrade: None,
    }
}

pub struct Driver {
    pub client: Client<String>,
    pub now: u64,
    pub ids: Vec<SocketId>,
    /// Manager events, described (`open`, `close: transport close`, `reconnect_attempt 1`...).
    pub manager: Vec<String>,
    /// The transports opened, in order.
    pub transports: Vec<(TransportId, TransportKind)>,
    /// Outputs already acted on (to learn transport ids) but not yet returned by `drain`.
    seen: Vec<Seen>,
    /// `onAnyOutgoing`: the JSON of each event the sockets reported sent, with the socket.
    pub outgoing: Vec<(u32, String)>,
    /// Polling transports with a GET in flight, and with a POST in flight: the engine must never
    /// start a second one of either (the browser driver keeps one slot each).
    gets: Vec<TransportId>,
    posts: Vec<TransportId>,
}

impl Driver {
    pub fn new() -> Self {
        Self::with(websocket_only())
    }

    /// Without reconnection: for tests about one connection's life.
    pub fn with(config: EngineConfig) -> Self {
        let settings = Settings {
            reconnection: false,
            ..Settings::default()
        };
        Self::with_settings(config, settings)
    }

    pub fn with_settings(config: EngineConfig, settings: Settings) -> Self {
        Self {
            client: Client::new(config, settings, 42),
            now: 0,
            ids: Vec::new(),
            manager: Vec::new(),
            transports: Vec::new(),
            seen: Vec::new(),
            outgoing: Vec::new(),
            gets: Vec::new(),
            posts: Vec::new(),
        }
    }

    pub fn at(&self) -> Instant {
        Instant::from_millis(self.now)
    }

    /// The last transport of that kind that was opened.
    pub fn last(&mut self, kind: TransportKind) -> TransportId {
        self.sync();
        self.transports
            .iter()
            .rev()
            .find(|(_, known)| *known == kind)
            .expect("a transport of that kind")
            .0
    }

    /// The transport opened last, whatever its kind.
    pub fn transport(&mut self) -> TransportId {
        self.sync();
        self.transports.last().expect("a transport was opened").0
    }

    pub fn connect(&mut self, nsp: &str, auth: Option<&str>) -> u32 {
        self.connect_with(
            nsp,
            Auth::Fixed(auth.map(str::to_owned)),
            SocketOptions::default(),
        )
    }

    pub fn connect_with(&mut self, nsp: &str, auth: Auth, options: SocketOptions) -> u32 {
        let id = self.client.socket(nsp, auth, options);
        self.client.connect(self.at(), id);
        self.ids.push(id);
        (self.ids.len() - 1) as u32
    }

    /// Moves the virtual clock to `ms` and fires the timer if it is due.
    pub fn advance_to(&mut self, ms: u64) {
        self.now = ms;
        if self.client.poll_timeout().is_some_and(|at| at <= self.at()) {
            self.client.handle_timeout(self.at());
        }
    }

    /// Advances to the client's next deadline and fires it; returns the time.
    pub fn fire_next(&mut self) -> u64 {
        let at = self.client.poll_timeout().expect("a deadline").as_millis();
        self.advance_to(at);
        at
    }

    /// A WebSocket frame on the last opened transport, handed in as the browser driver does:
    /// its first [`HEAD_UNITS`] UTF-16 units, and the whole frame as the handle.
    pub fn receive(&mut self, frame: &str) {
        let transport = self.transport();
        self.receive_on(transport, frame);
    }

    pub fn receive_on(&mut self, transport: TransportId, frame: &str) {
        let head = head_of(frame, HEAD_UNITS);
        self.client
            .handle_text(self.at(), transport, &head, frame.to_owned());
    }

    /// A WebSocket frame whose head is cut after `units` UTF-16 units.
    pub fn receive_head(&mut self, frame: &str, units: usize) {
        let transport = self.transport();
        let head = head_of(frame, units);
        self.client
            .handle_text(self.at(), transport, &head, frame.to_owned());
    }

    /// A polling GET response on the last polling transport, read one packet at a time as the
    /// browser driver does.
    pub fn poll_response(&mut self, body: &str) {
        let transport = self.last(TransportKind::Polling);
        self.poll_response_on(transport, body);
    }

    pub fn poll_response_on(&mut self, transport: TransportId, body: &str) {
        self.finished(transport, false);
        self.client
            .handle_poll_response(self.at(), transport, body.to_owned(), body.to_owned());
        self.sync();
        while self.client.continue_body(self.at()) {
            self.sync();
        }
    }

    pub fn post_done(&mut self) {
        let transport = self.last(TransportKind::Polling);
        self.post_done_on(transport);
    }

    pub fn post_done_on(&mut self, transport: TransportId) {
        self.finished(transport, true);
        self.client.handle_post_done(self.at(), transport);
    }

    /// Whether a GET (or with `post`, a POST) is in flight on `transport`.
    pub fn in_flight(&mut self, transport: TransportId, post: bool) -> bool {
        self.sync();
        let requests = if post { &self.posts } else { &self.gets };
        requests.contains(&transport)
    }

    /// A request of `transport` finished: the engine may start another.
    fn finished(&mut self, transport: TransportId, post: bool) {
        self.sync();
        let requests = if post {
            &mut self.posts
        } else {
            &mut self.gets
        };
        assert!(
            requests.contains(&transport),
            "no {} in flight on {transport:?}",
            if post { "POST" } else { "GET" }
        );
        requests.retain(|known| *known != transport);
    }

    pub fn fail(&mut self, transport: TransportId, message: &'static str) {
        self.sync();
        self.forget(transport);
        let failure = TransportFailure {
            message,
            description: None,
            context: None,
        };
        self.client
            .handle_transport_error(self.at(), transport, failure);
    }

    pub fn emit(&mut self, socket: u32, data: &str, attachments: &[&str]) {
        self.emit_with(socket, data, attachments, EmitFlags::default());
    }

    pub fn emit_with(
        &mut self,
        socket: u32,
        data: &str,
        attachments: &[&str],
        flags: EmitFlags,
    ) -> Option<u64> {
        let event = Outbound {
            data: data.to_owned(),
            attachments: attachments.iter().map(|a| a.to_string()).collect(),
        };
        self.client
            .emit(self.at(), self.ids[socket as usize], event, flags)
            .map(|ticket| ticket.0)
    }

    /// The details of the Manager's `close` and of each `disconnect` output since the last
    /// drain, as they are (other outputs are dropped).
    pub fn close_details(&mut self) -> Vec<Option<CloseDetails<String>>> {
        std::iter::from_fn(|| self.client.poll_output())
            .filter_map(|output| match output {
                Output::Manager(ManagerEvent::Close { details, .. })
                | Output::Socket(_, SocketEvent::Disconnect { details, .. }) => Some(details),
                _ => None,
            })
            .collect()
    }

    /// Everything the client output since the last drain.
    pub fn drain(&mut self) -> Vec<Seen> {
        self.sync();
        std::mem::take(&mut self.seen)
    }

    /// Acts on pending outputs (so transport ids are known) and keeps them for `drain`. Takes
    /// them all at once, as the browser driver does, until none is left.
    fn sync(&mut self) {
        loop {
            let outputs = self.client.take_outputs(std::collections::VecDeque::new());
            if outputs.is_empty() {
                return;
            }
            for output in outputs {
                let seen = match output {
                    Output::Transport(command) => self.act(command),
                    Output::Socket(id, SocketEvent::Sent(event)) => {
                        let index = self.ids.iter().position(|known| *known == id).unwrap();
                        self.outgoing.push((index as u32, event.data));
                        continue;
                    }
                    Output::Socket(id, event) => self.describe(id, event),
                    Output::Manager(event) => {
                        self.manager.push(manager_event(event));
                        continue;
                    }
                };
                self.seen.push(seen);
            }
        }
    }

    fn act(&mut self, command: Command<String>) -> Seen {
        match command {
            Command::Open { id, kind, sid } => {
                self.transports.push((id, kind));
                Seen::Open(kind, sid)
            }
            Command::Close(id) => {
                self.forget(id);
                Seen::Close
            }
            Command::Send(_, frame) => match frame {
                Frame::Text { head, body } => Seen::Sent(head + body.as_deref().unwrap_or("")),
                Frame::Binary(data) => Seen::SentBinary(data),
            },
            Command::Poll(id) => {
                assert!(!self.gets.contains(&id), "a second GET in flight on {id:?}");
                self.gets.push(id);
                Seen::Poll
            }
            Command::Post(id, frames) => {
                assert!(
                    !self.posts.contains(&id),
                    "a second POST in flight on {id:?}"
                );
                self.posts.push(id);
                let packets: Vec<String> = frames
                    .into_iter()
                    .map(|frame| match frame {
                        Frame::Text { head, body } => head + body.as_deref().unwrap_or(""),
                        Frame::Binary(data) => String::from("b") + &data,
                    })
                    .collect();
                Seen::Post(packets.join("\u{1e}"))
            }
        }
    }

    fn describe(&self, id: SocketId, event: SocketEvent<String>) -> Seen {
        let index = self.ids.iter().position(|known| *known == id).unwrap() as u32;
        match event {
            SocketEvent::Connect {
                sid,
                recovered: false,
            } => Seen::Connect(index, sid),
            SocketEvent::Connect {
                sid,
                recovered: true,
            } => Seen::Recovered(index, sid),
            SocketEvent::ConnectError(ConnectError::Timeout) => {
                Seen::ConnectError(index, "timeout".into())
            }
            SocketEvent::AuthRequired => Seen::AuthRequired(index),
            SocketEvent::Ack {
                ticket: Ticket(ticket),
                reply,
            } => Seen::Ack(index, ticket, span_text(&reply.data)),
            SocketEvent::AckAsSent {
                ticket: Ticket(ticket),
                reply,
                error_only,
            } => Seen::AckAsSent(index, ticket, span_text(&reply.data), error_only),
            SocketEvent::AckFailed {
                ticket: Ticket(ticket),
                cause,
            } => Seen::AckFailed(
                index,
                ticket,
                match cause {
                    AckFailure::TimedOut => "timeout",
                    AckFailure::Disconnected => "disconnected",
                },
            ),
            SocketEvent::ConnectError(ConnectError::Refused(span)) => {
                Seen::ConnectError(index, span_text(&span))
            }
            SocketEvent::ConnectError(ConnectError::Transport(failure)) => {
                Seen::ConnectError(index, failure.message.to_owned())
            }
            SocketEvent::ConnectError(ConnectError::IncompatibleServer) => {
                Seen::ConnectError(index, "v2".into())
            }
            SocketEvent::Disconnect { reason, details } => Seen::Disconnect(
                index,
                reason.as_str(),
                details.map(|details| details.description().to_owned()),
            ),
            SocketEvent::Event(inbound) => {
                let data = span_text(&inbound.data);
                Seen::Event(index, data, inbound.attachments)
            }
            SocketEvent::Sent(_) => unreachable!("told apart in sync"),
        }
    }

    /// The transport is gone: a request of it still in flight is aborted, or lingers out of the
    /// engine's hands (a client close packet).
    fn forget(&mut self, transport: TransportId) {
        self.gets.retain(|known| *known != transport);
        self.posts.retain(|known| *known != transport);
    }

    /// A socket on `nsp` connected over WebSocket only, with outputs drained.
    pub fn connected(nsp: &str) -> (Self, u32) {
        let mut driver = Self::new();
        let socket = driver.connect(nsp, None);
        driver.drain();
        driver.receive(OPEN);
        let header = if nsp == "/" {
            String::new()
        } else {
            format!("{nsp},")
        };
        driver.receive(&format!(r#"40{header}{{"sid":"io-sid"}}"#));
        driver.drain();
        (driver, socket)
    }
}

fn manager_event(event: ManagerEvent<String>) -> String {
    match event {
        ManagerEvent::Open => "open".into(),
        ManagerEvent::Error(error) => format!("error: {}", describe_error(&error)),
        ManagerEvent::Ping => "ping".into(),
        ManagerEvent::Close { reason, .. } => format!("close: {}", reason.as_str()),
        ManagerEvent::ReconnectAttempt(n) => format!("reconnect_attempt {n}"),
        ManagerEvent::Reconnect(n) => format!("reconnect {n}"),
        ManagerEvent::ReconnectError(error) => {
            format!("reconnect_error: {}", describe_error(&error))
        }
        ManagerEvent::ReconnectFailed => "reconnect_failed".into(),
        ManagerEvent::Upgrade(kind) => format!("upgrade {}", kind.name()),
        ManagerEvent::Packet(report) => format!(
            "packet {:?} {} {:?} {}",
            report.kind,
            report.nsp,
            report.id,
            report.data.map_or(String::new(), |span| span_text(&span))
        ),
    }
}

fn describe_error(error: &ConnectError<String>) -> String {
    match error {
        ConnectError::Timeout => "timeout".into(),
        ConnectError::Transport(failure) => failure.message.into(),
        ConnectError::Refused(span) => span_text(span),
        ConnectError::IncompatibleServer => "v2".into(),
    }
}

/// The JSON a span points to, read by its byte offsets (to the end of the frame without `end`).
pub fn span_text(span: &JsonSpan<String>) -> String {
    let end = span.end.map_or(span.frame.len(), |end| end.bytes);
    span.frame[span.start.bytes..end].to_owned()
}
