//! The typed Rust API: [`io`], [`Manager`] and [`Socket`], over the same driver and core as
//! the JavaScript facade.
//!
//! One module per concern: [`options`](ManagerBuilder) (socket.io-client's options and their
//! defaults), the manager, the socket, listeners and their handles, streams, acks, errors, and
//! the payload conversions (serde ↔ JS values ↔ JSON text, in one place).
//!
//! Everything follows the crate's run loop: a call made from a listener takes effect, and its
//! events are heard, before it returns. Listeners are called with no borrow held.

mod ack;
mod auth;
mod error;
mod listeners;
mod manager;
mod options;
pub(crate) mod payload;
mod socket;
mod state;
mod stream;

pub use ack::Ack;
pub use error::{AckError, ClientError, ConnectError, EmitError, EventError};
pub use listeners::Listener;
pub use manager::Manager;
pub(crate) use options::Options;
#[cfg(feature = "js")]
pub(crate) use options::DEFAULT_TIMESTAMP_PARAM;
pub use options::{ManagerBuilder, Transport};
pub use socket::{Socket, Timeout, Volatile, WeakSocket};
pub use state::{DisconnectReason, StateChange};
pub use stream::EventStream;

pub(crate) use options::resolve_url;
#[cfg(feature = "js")]
pub(crate) use options::usable_transports;

/// A socket for the namespace in `url` (`/` when it has none) on a new Manager with the
/// default options, connecting at once (socket.io-client's `io(url)`, without its cache of
/// Managers: use [`Manager::socket`] for several namespaces on one connection).
pub fn io(url: &str) -> Result<Socket, ClientError> {
    let server = resolve_url(Some(url)).map_err(ClientError::Url)?;
    let nsp = server.nsp.clone();
    let manager = Manager::create(server, Options::default(), auth::AuthSource::default());
    Ok(manager.socket(&nsp))
}
