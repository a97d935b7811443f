//! socketio-wasm: a Socket.IO v4 client for the browser, in Rust compiled to WebAssembly.
//!
//! Four layers, one direction:
//! - [`protocol`]: the sans-IO core (codecs and state machines); plain Rust, tested natively.
//! - `driver`: runs the core in the browser (WebSocket, timers); owns every closure.
//! - `js`: the socket.io-client-compatible API for JavaScript (`io`, `Socket`).
//!
//! The run loop: a browser event becomes a `handle_*` call on the core, then the driver drains
//! the core's outputs (frames to write, events for listeners) and re-arms one timer for
//! the core's next deadline.

pub mod protocol;

#[cfg(target_arch = "wasm32")]
mod driver;
#[cfg(target_arch = "wasm32")]
pub mod js;
