//! One Engine.IO session: the open handshake, the heartbeat, and frames waiting for the transport.
//!
//! The server pings every `pingInterval`; the session answers each ping with a pong at once and
//! keeps a deadline of `pingInterval + pingTimeout` from the open packet and from every ping.
//! Past that deadline the session is dead (`ping timeout`). Browsers throttle timers in background
//! tabs, so the deadline is also checked before every write, not only when the timer fires.

use std::collections::VecDeque;

use super::engine_packet::{self, Handshake, PacketType};
use super::{DecodeError, Instant};
use core::time::Duration;

/// A frame for the transport. Text frames are `head` followed by `body`: the core writes the
/// packet header, the driver appends the payload it kept (a JS string in the browser).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame<P> {
    /// A text frame: `head` (Engine.IO type and Socket.IO header) then the opaque `body`.
    Text { head: String, body: Option<P> },
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

/// What a received text frame meant to the layers above.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received<'a> {
    /// The open packet arrived: the session is open.
    Opened,
    /// A message for the Socket.IO layer; the `usize` is its byte offset in the frame.
    Message(&'a str, usize),
    /// The server closed the session.
    Closed(CloseReason),
    /// Handled here (ping, noop) or ignored.
    Nothing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Opening,
    Open,
    Closed,
}

/// One Engine.IO session over one transport.
#[derive(Debug)]
pub struct EngineSession<P> {
    state: State,
    handshake: Option<Handshake>,
    ping_deadline: Option<Instant>,
    outbox: VecDeque<Frame<P>>,
}

impl<P> Default for EngineSession<P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P> EngineSession<P> {
    /// A session waiting for its transport and open packet.
    pub fn new() -> Self {
        Self {
            state: State::Opening,
            handshake: None,
            ping_deadline: None,
            outbox: VecDeque::new(),
        }
    }

    /// Whether the open packet arrived and the session has not closed since.
    pub fn is_open(&self) -> bool {
        self.state == State::Open
    }

    /// The server's open packet, once it arrived.
    pub fn handshake(&self) -> Option<&Handshake> {
        self.handshake.as_ref()
    }

    /// Decodes a text frame and handles what is Engine.IO's own business (open, ping, close).
    pub fn handle_text<'a>(
        &mut self,
        now: Instant,
        frame: &'a str,
    ) -> Result<Received<'a>, DecodeError> {
        if self.state == State::Closed {
            return Ok(Received::Nothing);
        }
        let packet = engine_packet::decode_text(frame)?;
        match packet.kind {
            PacketType::Open => self.on_open(now, packet.data),
            PacketType::Ping => {
                self.on_ping(now, packet.data);
                Ok(Received::Nothing)
            }
            PacketType::Close => {
                self.state = State::Closed;
                Ok(Received::Closed(CloseReason::TransportClose))
            }
            PacketType::Message if self.state == State::Open => {
                Ok(Received::Message(packet.data, 1))
            }
            PacketType::Message | PacketType::Pong | PacketType::Upgrade | PacketType::Noop => {
                Ok(Received::Nothing)
            }
        }
    }

    /// Accepts a binary message, which is only valid on an open session.
    pub fn handle_binary(&mut self) -> Result<(), DecodeError> {
        match self.state {
            State::Open => Ok(()),
            State::Opening => Err(DecodeError::UnexpectedBinary),
            State::Closed => Ok(()),
        }
    }

    /// Fires the heartbeat deadline if it has passed.
    pub fn handle_timeout(&mut self, now: Instant) -> Option<CloseReason> {
        self.check_heartbeat(now)
    }

    /// When the session next needs [`handle_timeout`](Self::handle_timeout).
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            State::Open => self.ping_deadline,
            State::Opening | State::Closed => None,
        }
    }

    /// Closes the session with `ping timeout` if the deadline has passed. Call before writing:
    /// in a throttled background tab the timer may fire long after the deadline.
    pub fn check_heartbeat(&mut self, now: Instant) -> Option<CloseReason> {
        let deadline = self.ping_deadline?;
        if self.state == State::Open && now >= deadline {
            self.state = State::Closed;
            return Some(CloseReason::PingTimeout);
        }
        None
    }

    /// Queues a frame; it goes out once the session is open.
    pub fn send(&mut self, frame: Frame<P>) {
        if self.state != State::Closed {
            self.outbox.push_back(frame);
        }
    }

    /// The next frame the transport should write, if the session is open.
    pub fn poll_transmit(&mut self) -> Option<Frame<P>> {
        match self.state {
            State::Open => self.outbox.pop_front(),
            State::Opening | State::Closed => None,
        }
    }

    /// Ends the session; nothing more is sent or delivered.
    pub fn close(&mut self) {
        self.state = State::Closed;
        self.ping_deadline = None;
        self.outbox.clear();
    }

    fn on_open<'a>(&mut self, now: Instant, json: &str) -> Result<Received<'a>, DecodeError> {
        if self.state != State::Opening {
            return Ok(Received::Nothing);
        }
        let handshake = engine_packet::decode_handshake(json)?;
        self.ping_deadline = Some(now.after(heartbeat_window(&handshake)));
        self.handshake = Some(handshake);
        self.state = State::Open;
        Ok(Received::Opened)
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

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN: &str = r#"0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;

    fn at(millis: u64) -> Instant {
        Instant::from_millis(millis)
    }

    fn open_session() -> EngineSession<String> {
        let mut session = EngineSession::new();
        assert_eq!(session.handle_text(at(0), OPEN), Ok(Received::Opened));
        session
    }

    fn text_of(frame: Option<Frame<String>>) -> Option<String> {
        match frame? {
            Frame::Text { head, body } => Some(head + body.as_deref().unwrap_or("")),
            Frame::Binary(_) => None,
        }
    }

    #[test]
    fn open_packet_opens_and_arms_the_heartbeat() {
        let session = open_session();
        assert!(session.is_open());
        assert_eq!(
            session.handshake().map(|h| h.sid.as_str()),
            Some("lv_VI97HAXpY6yYWAAAC")
        );
        assert_eq!(session.poll_timeout(), Some(at(45_000)));
    }

    #[test]
    fn ping_is_answered_with_pong_at_once_and_moves_the_deadline() {
        let mut session = open_session();
        session.send(Frame::Text {
            head: "42".into(),
            body: Some(r#"["a"]"#.into()),
        });
        assert_eq!(session.handle_text(at(25_000), "2"), Ok(Received::Nothing));
        assert_eq!(text_of(session.poll_transmit()).as_deref(), Some("3"));
        assert_eq!(
            text_of(session.poll_transmit()).as_deref(),
            Some(r#"42["a"]"#)
        );
        assert_eq!(session.poll_timeout(), Some(at(70_000)));
    }

    #[test]
    fn probe_ping_is_answered_with_probe_pong() {
        let mut session = open_session();
        session.handle_text(at(1), "2probe").unwrap();
        assert_eq!(text_of(session.poll_transmit()).as_deref(), Some("3probe"));
    }

    #[test]
    fn ping_timeout_fires_at_interval_plus_timeout_and_not_before() {
        let mut session = open_session();
        assert_eq!(session.handle_timeout(at(44_999)), None);
        assert!(session.is_open());
        assert_eq!(
            session.handle_timeout(at(45_000)),
            Some(CloseReason::PingTimeout)
        );
        assert!(!session.is_open());
        assert_eq!(session.poll_timeout(), None);
    }

    #[test]
    fn throttled_timer_is_caught_before_a_write() {
        let mut session = open_session();
        // The timer never fired (background tab); a write an hour later must not go out.
        assert_eq!(
            session.check_heartbeat(at(3_600_000)),
            Some(CloseReason::PingTimeout)
        );
        assert_eq!(session.poll_transmit(), None);
    }

    #[test]
    fn frames_wait_for_the_open_packet() {
        let mut session = EngineSession::new();
        session.send(Frame::Text {
            head: "40".into(),
            body: None,
        });
        assert_eq!(session.poll_transmit(), None);
        session.handle_text(at(0), OPEN).unwrap();
        assert_eq!(text_of(session.poll_transmit()).as_deref(), Some("40"));
    }

    #[test]
    fn messages_are_passed_up_with_their_offset() {
        let mut session = open_session();
        assert_eq!(
            session.handle_text(at(1), r#"42["a"]"#),
            Ok(Received::Message(r#"2["a"]"#, 1))
        );
    }

    #[test]
    fn server_close_packet_closes() {
        let mut session = open_session();
        assert_eq!(
            session.handle_text(at(1), "1"),
            Ok(Received::Closed(CloseReason::TransportClose))
        );
        assert_eq!(
            session.handle_text(at(2), r#"42["a"]"#),
            Ok(Received::Nothing)
        );
    }

    #[test]
    fn bad_frames_are_errors() {
        let mut session = open_session();
        assert!(session.handle_text(at(1), "").is_err());
        assert!(session.handle_text(at(1), "9").is_err());
        let mut opening = EngineSession::<String>::new();
        assert!(opening.handle_text(at(0), "0{}").is_err());
        assert_eq!(opening.handle_binary(), Err(DecodeError::UnexpectedBinary));
    }

    #[test]
    fn noop_and_messages_before_open_are_ignored() {
        let mut session = EngineSession::<String>::new();
        assert_eq!(session.handle_text(at(0), "6"), Ok(Received::Nothing));
        assert_eq!(
            session.handle_text(at(0), "42[\"a\"]"),
            Ok(Received::Nothing)
        );
        assert!(!session.is_open());
    }
}
