//! A driver for the protocol core with a virtual clock, shared by the fuzz targets: it plays the
//! browser driver's part (learns transport ids from the commands, hands frames in by their head,
//! reads polling bodies one packet at a time, fires the timer when it is due) and checks the
//! properties every driver relies on.
#![allow(dead_code)]

use socketio_wasm::protocol::client::{Client, Output, Settings, SocketId};
use socketio_wasm::protocol::engine::{Command, EngineConfig, TransportId, TransportKind};
use socketio_wasm::protocol::socket::{Auth, SocketOptions, TransportFailure};
use socketio_wasm::protocol::Instant;

/// The core with the state a driver keeps beside it.
pub struct Harness {
    pub client: Client<String>,
    pub now: u64,
    /// Every transport the core asked for, in order (closed ones included: late events of a
    /// closed transport must be ignored, so they are worth sending too).
    pub transports: Vec<TransportId>,
    pub sockets: Vec<SocketId>,
}

impl Harness {
    pub fn new(config: EngineConfig, settings: Settings) -> Self {
        Self {
            client: Client::new(config, settings, 7),
            now: 0,
            transports: Vec::new(),
            sockets: Vec::new(),
        }
    }

    pub fn at(&self) -> Instant {
        Instant::from_millis(self.now)
    }

    pub fn add_socket(&mut self, nsp: &str) -> SocketId {
        let id = self
            .client
            .socket(nsp, Auth::Fixed(None), SocketOptions::default());
        self.sockets.push(id);
        id
    }

    /// The transport numbered `pick` among those seen (any, when none was seen yet: the core
    /// must ignore an id it never gave out... but it cannot be made here, so the call is skipped).
    pub fn transport(&self, pick: u8) -> Option<TransportId> {
        let count = self.transports.len();
        (count > 0).then(|| self.transports[usize::from(pick) % count])
    }

    pub fn last_transport(&self) -> Option<TransportId> {
        self.transports.last().copied()
    }

    pub fn socket(&self, pick: u8) -> Option<SocketId> {
        let count = self.sockets.len();
        (count > 0).then(|| self.sockets[usize::from(pick) % count])
    }

    /// Acts on every pending output, as the browser driver does after each input.
    pub fn drain(&mut self) {
        while let Some(output) = self.client.poll_output() {
            if let Output::Transport(Command::Open { id, .. }) = output {
                self.transports.push(id);
            }
        }
    }

    /// A WebSocket text frame: the core sees its first `units` UTF-16 units, and the whole.
    pub fn text(&mut self, transport: TransportId, frame: &str, units: usize) {
        let head = head_of(frame, units);
        self.client
            .handle_text(self.at(), transport, &head, frame.to_owned());
        self.drain();
    }

    pub fn binary(&mut self, transport: TransportId, bytes: &[u8]) {
        self.client.handle_binary(
            self.at(),
            transport,
            String::from_utf8_lossy(bytes).into_owned(),
        );
        self.drain();
    }

    /// A polling GET response, read one packet at a time.
    pub fn poll_response(&mut self, transport: TransportId, body: &str) {
        self.client
            .handle_poll_response(self.at(), transport, body.to_owned(), body.to_owned());
        self.drain();
        let mut steps = 0usize;
        while self.client.continue_body(self.at()) {
            self.drain();
            steps += 1;
            // Each step consumes at least one byte (a separator) of the body.
            assert!(steps <= body.len() + 1, "continue_body does not advance");
        }
        self.drain();
    }

    pub fn fail(&mut self, transport: TransportId) {
        let failure = TransportFailure {
            message: "websocket error",
            description: None,
            context: None,
        };
        self.client
            .handle_transport_error(self.at(), transport, failure);
        self.drain();
    }

    /// Moves the clock by `millis` and fires the timer while it is due.
    pub fn advance(&mut self, millis: u64) {
        self.now = self.now.saturating_add(millis);
        self.fire_due();
    }

    /// Jumps to the core's next deadline, if any, and fires it.
    pub fn next_deadline(&mut self) {
        if let Some(at) = self.client.poll_timeout() {
            self.now = self.now.max(at.as_millis());
            self.fire_due();
        }
    }

    /// Fires the timer while it is due. Handling a deadline may arm another one due at once (an
    /// open `timeout` of 0 after a reconnection delay), but a few rounds at the same instant must
    /// settle it: else the browser driver would spin on a zero-delay timer.
    fn fire_due(&mut self) {
        for _ in 0..16 {
            if !self.client.poll_timeout().is_some_and(|at| at <= self.at()) {
                return;
            }
            self.client.handle_timeout(self.at());
            self.drain();
        }
        panic!(
            "the timer keeps firing at {}: deadline {:?}",
            self.now,
            self.client.poll_timeout()
        );
    }
}

/// What the browser driver hands the core as a frame's head: `frame.slice(0, units)`, a
/// surrogate pair cut in half becoming U+FFFD.
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

/// An engine configuration from two bits of input: transports and upgrade.
pub fn config(polling_first: bool, upgrade: bool) -> EngineConfig {
    let transports = if polling_first {
        vec![TransportKind::Polling, TransportKind::WebSocket]
    } else {
        vec![TransportKind::WebSocket]
    };
    EngineConfig {
        transports,
        upgrade,
        try_all: false,
        remember_upgrade: None,
    }
}
