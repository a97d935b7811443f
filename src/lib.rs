//! socketio-wasm: a Socket.IO v4 client for the browser, in Rust compiled to WebAssembly.
//!
//! # Rust quick start
//!
//! ```ignore
//! use serde::{Deserialize, Serialize};
//! use socketio_wasm::{io, StateChange};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Chat { user: String, text: String }
//!
//! let socket = io("https://chat.example.com/")?;        // connects at once
//! let _state = socket.on_state(|change: &StateChange| log(&format!("{change:?}")));
//! let _chat = socket.on("chat", |msg: Chat| show(&msg)); // removed when dropped
//! socket.emit("chat", &Chat { user: "ana".into(), text: "hi".into() })?;
//! let count: u32 = socket.timeout(Duration::from_secs(5))
//!     .emit_with_ack("count", &())
//!     .await?;
//! ```
//!
//! `Manager::builder` takes socket.io-client's options (reconnection, transports, `auth`,
//! `ackTimeout`...) and `Manager::socket` opens several namespaces on one connection.
//! Events also come as streams (`Socket::events`, `Socket::states`); bytes travel as binary
//! attachments when marked `#[serde(with = "serde_bytes")]`. Dropping a `Listener` removes
//! it, dropping the last handle of a `Socket` disconnects it. These exist on `wasm32` only.
//!
//! # Layers
//!
//! Four layers, one direction:
//! - [`protocol`]: the sans-IO core (codecs and state machines); plain Rust, tested natively
//!   on a virtual clock. It owns every Socket.IO rule and all connection state.
//! - `driver`: runs the core in the browser or a worker (WebSocket, XMLHttpRequest or `fetch`,
//!   one timer); owns every closure, and no protocol logic.
//! - `client`: the typed Rust API (`io`, `Manager`, `Socket`), re-exported here.
//! - `js` (cargo feature `js`, which the npm build turns on): the socket.io-client-compatible
//!   API for JavaScript (`io`, `Manager`, `Socket`). A Rust app compiles none of it.
//!
//! # Cargo features
//!
//! - `polling` (default): HTTP long-polling and the upgrade from it to WebSocket. Without it
//!   (`default-features = false`) the client is WebSocket-only, as socket.io-client's
//!   `SocketWithoutUpgrade` with its WebSocket transport: `transports` defaults to WebSocket
//!   alone and a list without it is refused. The npm package ships that build as
//!   `socketio-wasm/websocket` (about 6 KB gzip less).
//! - `js`: the JavaScript API, above.
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

#![warn(missing_docs)]

pub mod protocol;

/// With the feature `small-alloc`, talc replaces Rust's default dlmalloc on wasm32: less code
/// in the wasm, with in-place growth like dlmalloc's (a smaller allocator whose realloc always
/// moves raised the memory high-water under bursts).
#[cfg(all(feature = "small-alloc", target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

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
    Volatile, WeakSocket,
};
