//! What happens to a socket's connection, as one enum for callbacks and streams.

use super::error::ConnectError;
pub use crate::protocol::socket::DisconnectReason;

/// A step in a socket's connection: what socket.io-client reports as `connect`,
/// `connect_error` and `disconnect` on the socket, and `reconnect_attempt`, `reconnect` and
/// `reconnect_failed` on its Manager.
#[derive(Debug, Clone, PartialEq)]
pub enum StateChange {
    /// The namespace is connected; `recovered` when the server restored the session
    /// (connection state recovery).
    Connected {
        /// Whether the server restored the previous session.
        recovered: bool,
    },
    /// The namespace could not connect.
    ConnectFailed(ConnectError),
    /// The namespace is disconnected.
    Disconnected(DisconnectReason),
    /// The Manager is trying to reconnect (attempt number, from 1).
    Reconnecting(u32),
    /// The Manager reconnected after this many attempts.
    Reconnected(u32),
    /// The Manager gave up (`reconnectionAttempts` used up).
    ReconnectFailed,
}
