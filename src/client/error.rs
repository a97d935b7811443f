//! The errors of the Rust API, each a `std::error::Error` with a message.
//!
//! They carry what the core reports ([`DisconnectReason`](crate::protocol::socket::DisconnectReason),
//! [`ConnectError`](crate::protocol::socket::ConnectError)) in a form with no payload type:
//! the JS values in them are the server's own data.

use core::fmt;
use std::borrow::Cow;

use wasm_bindgen::JsValue;

use super::payload::refusal;
use crate::protocol::socket::ConnectError as CoreConnectError;
use crate::protocol::uri::UrlError;
use crate::protocol::DecodeError;

/// A Manager could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientError {
    /// The URL does not name a server.
    Url(UrlError),
    /// An option's value is not allowed.
    InvalidOption(&'static str),
    /// The `auth` payload cannot be encoded.
    Emit(EmitError),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Url(error) => f.write_str(error.as_str()),
            Self::InvalidOption(message) => f.write_str(message),
            Self::Emit(error) => write!(f, "auth: {error}"),
        }
    }
}

impl std::error::Error for ClientError {}

/// An event could not be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmitError {
    /// The name is one Socket.IO keeps for itself (`connect`, `disconnect`...).
    ReservedName(String),
    /// More binary attachments than a server accepts (10).
    TooManyAttachments,
    /// The value cannot be written as JSON.
    Serialize(String),
    /// The socket is gone (its connection was busy or closed for good).
    NotSent,
    /// Another listener answered this ack request already.
    AlreadyAnswered,
    /// A `Blob` or `File` is in the value: its bytes are read asynchronously, so read them
    /// first (`Blob::array_buffer`) and send those.
    UnreadBlob,
    /// The value holds bytes (or, in JS, an `ArrayBuffer`, typed array, `DataView` or `Blob`),
    /// and this build has no binary attachments (it lacks the cargo feature `binary`).
    BinaryLeftOut,
}

impl EmitError {
    /// The message `Display` writes. Built without `format!`, and what the JS facade throws: so
    /// the npm build carries none of the formatting machinery.
    pub fn message(&self) -> Cow<'static, str> {
        match self {
            Self::ReservedName(name) => joined(&["\"", name, "\" is a reserved event name"]),
            Self::TooManyAttachments => "at most 10 binary attachments per event".into(),
            Self::Serialize(message) => joined(&["cannot encode the value: ", message]),
            Self::NotSent => "the event was not sent".into(),
            Self::AlreadyAnswered => "the server's ack request was answered already".into(),
            Self::UnreadBlob => "a Blob must be read before it is sent".into(),
            Self::BinaryLeftOut => DecodeError::BinaryLeftOut.as_str().into(),
        }
    }
}

/// `parts` end to end (`concat` would bring in a generic joiner, for two messages).
fn joined(parts: &[&str]) -> Cow<'static, str> {
    let mut out = String::new();
    for part in parts {
        out.push_str(part);
    }
    Cow::Owned(out)
}

impl fmt::Display for EmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for EmitError {}

/// A received event's arguments do not fit the listener's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventError {
    /// The event's name.
    pub event: String,
    /// What did not fit.
    pub message: String,
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "event \"{}\": {}", self.event, self.message)
    }
}

impl std::error::Error for EventError {}

/// An acknowledgement that did not come, or did not fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AckError {
    /// The event could not be sent.
    Emit(EmitError),
    /// No answer within the timeout.
    Timeout,
    /// The socket disconnected before the answer came.
    Disconnected,
    /// The answer does not fit the expected type.
    Decode(String),
    /// With `retries` and no ack timeout, the server's answer to the last try began with an
    /// error (its first argument, as JSON), as socket.io-client reads it.
    Rejected(String),
}

impl fmt::Display for AckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Emit(error) => error.fmt(f),
            Self::Timeout => f.write_str("operation has timed out"),
            Self::Disconnected => f.write_str("socket has been disconnected"),
            Self::Decode(message) => write!(f, "cannot decode the acknowledgement: {message}"),
            Self::Rejected(error) => write!(f, "the server answered with an error: {error}"),
        }
    }
}

impl std::error::Error for AckError {}

impl From<EmitError> for AckError {
    fn from(error: EmitError) -> Self {
        Self::Emit(error)
    }
}

/// Why a socket could not connect (socket.io-client's `connect_error`).
#[derive(Debug, Clone, PartialEq)]
pub enum ConnectError {
    /// The server refused the namespace (a middleware's `next(new Error(message))`).
    Refused {
        /// The error's message.
        message: String,
        /// The error's `data`, when the server set one (read it with serde-wasm-bindgen).
        data: Option<JsValue>,
    },
    /// The connection failed: `xhr poll error`, `xhr post error` or `websocket error`.
    Transport(&'static str),
    /// The connection did not open within the `timeout` option.
    Timeout,
    /// The server speaks an older Socket.IO protocol than v5.
    IncompatibleServer,
}

impl From<CoreConnectError<JsValue>> for ConnectError {
    fn from(error: CoreConnectError<JsValue>) -> Self {
        match error {
            CoreConnectError::Refused(span) => {
                let (message, data) = refusal(&span);
                Self::Refused { message, data }
            }
            CoreConnectError::Transport(failure) => Self::Transport(failure.message),
            CoreConnectError::Timeout => Self::Timeout,
            CoreConnectError::IncompatibleServer => Self::IncompatibleServer,
        }
    }
}

impl ConnectError {
    /// The message `Display` writes (see [`EmitError::message`]).
    pub fn message(&self) -> &str {
        match self {
            Self::Refused { message, .. } => message,
            Self::Transport(message) => message,
            Self::Timeout => "timeout",
            Self::IncompatibleServer => {
                "the server's CONNECT reply has no sid: it speaks an older Socket.IO protocol than v5"
            }
        }
    }
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for ConnectError {}
