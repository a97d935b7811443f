//! One namespace on a connection: its CONNECT handshake, its send buffer, and what it delivers.
//!
//! A socket starts `Connecting`: it sends CONNECT (with the `auth` payload) as soon as the
//! Engine.IO session is open, and becomes `Connected` when the server answers with a sid.
//! Emits made before that wait in the send buffer and go out, in order, right after the CONNECT
//! reply and before the user hears `connect`.

use super::engine::{CloseReason, Frame};
use super::engine_packet::PacketType;
use super::socket_packet::{self, PacketKind};

/// The JSON part of a received packet: the frame (or polling body) it arrived in and where in
/// it the JSON lies. The browser slices the original JS string at the UTF-16 indices and hands
/// the slice to `JSON.parse`; native code uses the byte offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonSpan<P> {
    /// The whole frame or body as the driver handed it in.
    pub frame: P,
    /// Where the JSON starts and ends, in bytes of the UTF-8 text.
    pub bytes: core::ops::Range<usize>,
    /// Where the JSON starts and ends, in UTF-16 code units (JavaScript string indices).
    pub utf16: core::ops::Range<usize>,
}

/// Why a transport failed, in socket.io-client's terms (its `TransportError`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportFailure<P> {
    /// `xhr poll error`, `xhr post error` or `websocket error`.
    pub message: &'static str,
    /// The HTTP status, when there was a response.
    pub status: Option<u16>,
    /// What the driver has to show for it (the XMLHttpRequest in the browser).
    pub context: Option<P>,
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
            CloseReason::ForcedClose => Self::IoClientDisconnect,
        }
    }
}

/// Why a socket could not connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectError<P> {
    /// The server refused: CONNECT_ERROR with `{message, data}` (or a bare string).
    Refused(JsonSpan<P>),
    /// The connection failed before the socket connected.
    Transport(TransportFailure<P>),
    /// The CONNECT reply had no sid: the server speaks an older protocol.
    IncompatibleServer,
}

/// What a socket tells its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketEvent<P> {
    /// The namespace is connected under this Socket.IO sid.
    Connect { sid: String },
    /// The namespace could not connect.
    ConnectError(ConnectError<P>),
    /// The namespace is disconnected; `description` says more where there is more to say.
    Disconnect {
        reason: DisconnectReason,
        description: Option<String>,
    },
    /// The server emitted an event.
    Event(Inbound<P>),
}

/// An event waiting in the send buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbound<P> {
    /// The JSON array `[name, ...args]`, with placeholders for binaries.
    pub data: P,
    /// The binaries the placeholders point to, in order.
    pub attachments: Vec<P>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Connecting,
    Connected { sid: String },
}

/// One namespace's state on a connection.
#[derive(Debug)]
pub struct NamespaceSocket<P> {
    nsp: String,
    auth: Option<P>,
    state: State,
    send_buffer: Vec<Outbound<P>>,
}

impl<P: Clone> NamespaceSocket<P> {
    /// A socket about to connect to `nsp`, with `auth` as the CONNECT payload (a JSON object).
    pub fn new(nsp: &str, auth: Option<P>) -> Self {
        Self {
            nsp: nsp.to_owned(),
            auth,
            state: State::Connecting,
            send_buffer: Vec::new(),
        }
    }

    /// The namespace, such as `/` or `/admin`.
    pub fn nsp(&self) -> &str {
        &self.nsp
    }

    /// Whether the server accepted the CONNECT.
    pub fn is_connected(&self) -> bool {
        matches!(self.state, State::Connected { .. })
    }

    /// The CONNECT frame: `40`, `40{auth}` or `40/admin,{auth}`.
    pub fn connect_frame(&self) -> Frame<P> {
        self.frame(PacketKind::Connect, 0, self.auth.clone())
    }

    /// The DISCONNECT frame: `41` or `41/admin,`.
    pub fn disconnect_frame(&self) -> Frame<P> {
        self.frame(PacketKind::Disconnect, 0, None)
    }

    /// The frames of one event: the header and JSON, then each attachment as a binary frame.
    pub fn event_frames(&self, event: Outbound<P>) -> impl Iterator<Item = Frame<P>> {
        let kind = match event.attachments.is_empty() {
            true => PacketKind::Event,
            false => PacketKind::BinaryEvent,
        };
        let head = self.frame(kind, event.attachments.len(), Some(event.data));
        core::iter::once(head).chain(event.attachments.into_iter().map(Frame::Binary))
    }

    /// Keeps an event until the socket is connected.
    pub fn buffer(&mut self, event: Outbound<P>) {
        self.send_buffer.push(event);
    }

    /// Marks the socket connected and returns what was buffered meanwhile, in order.
    pub fn on_connected(&mut self, sid: String) -> Vec<Outbound<P>> {
        self.state = State::Connected { sid };
        core::mem::take(&mut self.send_buffer)
    }

    fn frame(&self, kind: PacketKind, attachments: usize, body: Option<P>) -> Frame<P> {
        let nsp_header = socket_packet::encode_header(kind, attachments, &self.nsp, None);
        let mut head = String::with_capacity(1 + nsp_header.len());
        head.push(PacketType::Message.as_char());
        head.push_str(&nsp_header);
        Frame::Text { head, body }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(frame: Frame<String>) -> String {
        match frame {
            Frame::Text { head, body } => head + body.as_deref().unwrap_or(""),
            Frame::Binary(bytes) => format!("<binary {bytes}>"),
        }
    }

    #[test]
    fn connect_frames_carry_namespace_and_auth() {
        let root = NamespaceSocket::new("/", Some(r#"{"token":"123"}"#.to_owned()));
        assert_eq!(text(root.connect_frame()), r#"40{"token":"123"}"#);
        let admin = NamespaceSocket::new("/custom", Some(r#"{"token":"abc"}"#.to_owned()));
        assert_eq!(text(admin.connect_frame()), r#"40/custom,{"token":"abc"}"#);
        assert_eq!(
            text(NamespaceSocket::<String>::new("/", None).connect_frame()),
            "40"
        );
    }

    #[test]
    fn disconnect_frames() {
        assert_eq!(
            text(NamespaceSocket::<String>::new("/", None).disconnect_frame()),
            "41"
        );
        assert_eq!(
            text(NamespaceSocket::<String>::new("/admin", None).disconnect_frame()),
            "41/admin,"
        );
    }

    #[test]
    fn binary_events_become_header_plus_attachments() {
        let socket = NamespaceSocket::new("/", None);
        let event = Outbound {
            data: r#"["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#
                .to_owned(),
            attachments: vec!["a".to_owned(), "b".to_owned()],
        };
        let frames: Vec<String> = socket.event_frames(event).map(text).collect();
        assert_eq!(
            frames,
            [
                r#"452-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#,
                "<binary a>",
                "<binary b>"
            ]
        );
    }

    #[test]
    fn buffered_events_are_released_in_order_on_connect() {
        let mut socket = NamespaceSocket::new("/", None);
        for n in 0..3 {
            socket.buffer(Outbound {
                data: n.to_string(),
                attachments: vec![],
            });
        }
        assert!(!socket.is_connected());
        let released: Vec<String> = socket
            .on_connected("sid".into())
            .into_iter()
            .map(|e| e.data)
            .collect();
        assert_eq!(released, ["0", "1", "2"]);
        assert!(socket.is_connected());
    }

    #[test]
    fn close_reasons_map_to_disconnect_reasons() {
        assert_eq!(
            DisconnectReason::from(CloseReason::PingTimeout).as_str(),
            "ping timeout"
        );
        assert_eq!(
            DisconnectReason::from(CloseReason::ForcedClose).as_str(),
            "io client disconnect"
        );
        assert_eq!(
            DisconnectReason::from(CloseReason::ParseError).as_str(),
            "parse error"
        );
    }
}
