//! The protocol core: Engine.IO v4 and Socket.IO v5, with no I/O and no clock.
//!
//! Everything here is plain Rust that compiles and is tested natively. The browser driver feeds
//! it inputs (a frame arrived, the transport opened or closed, a timer fired at `now`, the user
//! emitted) and drains its outputs (send this frame, open or close the transport, deliver this
//! event, wake me at that time). Payloads travel through the core as an opaque type `P` that the
//! driver chooses (a JS value in the browser, `String` in native tests), so that JSON text and
//! binary attachments never cross into wasm on the way out.
//!
//! - codecs: [`engine_packet`], [`socket_packet`], [`json`] (a validator, not a parser), [`base64`]
//! - state machines: [`engine`] (one Engine.IO session), [`socket`] (one namespace, with
//!   [`acks`]), [`client`] (the connection that multiplexes namespaces and reconnects with
//!   [`backoff`]: socket.io-client's `Manager`)
//! - [`ascii`]: splitting text at a delimiter byte
//! - [`uri`]: the connection URL, from `io(url, opts)` to the transport's request URL

pub mod acks;
pub mod ascii;
pub mod backoff;
pub mod base64;
pub mod client;
pub mod engine;
pub mod engine_packet;
pub mod error;
pub mod json;
pub mod payload;
pub mod socket;
pub mod socket_packet;
pub mod time;
pub mod uri;

pub use error::DecodeError;
pub use time::Instant;
