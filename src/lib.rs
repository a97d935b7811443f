//! socketio-wasm: a Socket.IO v4 client for the browser, in Rust compiled to WebAssembly.
//!
//! Four layers, one direction:
//! - [`protocol`]: the sans-IO core (codecs and state machines); plain Rust, tested natively
//!   on a virtual clock. It owns every Socket.IO rule and all client state.
//! - `driver`: runs the core in the browser (WebSocket, XMLHttpRequest, one timer); owns every
//!   closure, and no protocol logic.
//! - `js`: the socket.io-client-compatible API for JavaScript (`io`, `Manager`, `Socket`).
//!
//! # The run loop
//!
//! Every entry point, a browser event or a call of the app's, follows the same steps:
//!
//! 1. the input goes to the core (`Client::handle_*`, `emit`, `disconnect`...) with the time;
//! 2. the driver takes every output the core holds at that moment and acts on each in order:
//!    transport commands at once, events by calling the app's listeners with no borrow held;
//! 3. a listener may call any public method: that call runs steps 1 and 2 for its own outputs
//!    before it returns, so its state changes and events happen before it returns, in
//!    socket.io-client's order, and the outer delivery then goes on;
//! 4. a long-polling body is read one packet per step, each packet's outputs delivered before
//!    the next is read;
//! 5. the one timer is re-armed for the core's next deadline.
//!
//! Nothing waits for an outer loop. An exception thrown by a JS listener never unwinds into
//! wasm: it is thrown to the app when the app's call returns, or reported as uncaught when no
//! call of the app's is under way, which is where socket.io-client lets it propagate.

pub mod protocol;

#[cfg(target_arch = "wasm32")]
mod client;
#[cfg(target_arch = "wasm32")]
mod driver;
#[cfg(all(target_arch = "wasm32", feature = "js"))]
pub mod js;

#[cfg(target_arch = "wasm32")]
pub use client::{
    io, Ack, AckError, ClientError, ConnectError, DisconnectReason, EmitError, EventError,
    EventStream, Listener, Manager, ManagerBuilder, Socket, StateChange, Timeout, Transport,
    WeakSocket,
};
