//! The one error type for everything decoded from the network.
//!
//! Every decoder in the protocol core returns `Result<_, DecodeError>`; the state machines turn
//! any of them into a `parse error` close, exactly as socket.io-client does. The JS facade, which
//! parses event and ack payloads, reports what it finds wrong with them the same way
//! (`Client::reject_packet`). The variants say what was wrong so that tests (and the
//! `description` handed to the user) can tell them apart.

use core::fmt;

/// Why a frame, payload or packet from the network could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// An empty Engine.IO packet or Socket.IO packet.
    Empty,
    /// The packet type character is not one the protocol defines.
    UnknownPacketType,
    /// A binary packet without a valid `<n>-` attachment count.
    BadAttachmentCount,
    /// A binary packet announcing more attachments than socket.io-client accepts (10).
    TooManyAttachments,
    /// An ack id that is not a number or does not fit in 53 bits.
    BadAckId,
    /// The namespace is not followed by a valid payload.
    BadNamespace,
    /// The JSON part is not valid JSON (the facade reports it for events and acks).
    InvalidJson,
    /// The JSON is valid but its shape is not allowed for this packet type.
    InvalidPayload,
    /// An event whose name is reserved (`connect`, `disconnect`, ...); found by the facade.
    ReservedEventName,
    /// A binary placeholder that is malformed or points past the attachments; found by the
    /// facade.
    BadPlaceholder,
    /// A `b` packet (polling) whose base64 is not valid.
    InvalidBase64,
    /// The Engine.IO open packet lacks a field it must have.
    InvalidHandshake,
    /// Binary data arrived while no binary packet was waiting for attachments.
    UnexpectedBinary,
    /// The driver's handle on a text frame gave no text.
    NotText,
    /// A binary packet or binary message, in a build without the cargo feature `binary`.
    BinaryLeftOut,
}

impl DecodeError {
    /// A short description, used as the `description` of a `parse error` disconnect.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Empty => "empty packet",
            Self::UnknownPacketType => "unknown packet type",
            Self::BadAttachmentCount => "illegal attachments",
            Self::TooManyAttachments => "too many attachments",
            Self::BadAckId => "invalid ack id",
            Self::BadNamespace => "invalid namespace",
            Self::InvalidJson => "invalid JSON",
            Self::InvalidPayload => "invalid payload",
            Self::ReservedEventName => "reserved event name",
            Self::BadPlaceholder => "illegal attachments",
            Self::InvalidBase64 => "invalid base64",
            Self::InvalidHandshake => "invalid handshake",
            Self::UnexpectedBinary => "unexpected binary data",
            Self::NotText => "not a text frame",
            // Also what an emit of binary data throws (`EmitError::BinaryLeftOut`): one string.
            Self::BinaryLeftOut => {
                "socketio-wasm: binary data needs a build with binary attachments (this build has none)"
            }
        }
    }
}

/// Whether this build takes binary data from the network: without the cargo feature `binary` a
/// binary packet or message is a decode error (a `parse error` close), so that the code which
/// collects attachments and puts them back is never reached and is left out.
pub fn binary_accepted() -> Result<(), DecodeError> {
    match cfg!(feature = "binary") {
        true => Ok(()),
        false => Err(DecodeError::BinaryLeftOut),
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
