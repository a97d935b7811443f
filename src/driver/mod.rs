//! The browser driver: turns the protocol core's commands into WebSocket and HTTP calls
//! (XMLHttpRequest, or `fetch` in workers that lack it) and timers, and browser events back into
//! core inputs. No protocol logic lives here.

mod clock;
mod connection;
mod global;
mod payload;
#[cfg(feature = "polling")]
mod polling;
mod websocket;

pub use connection::{
    Connection, ConnectionConfig, EventSink, HttpOptions, ManagerSink, UrlOptions,
};
pub use global::page_location;
pub use websocket::WebSocketOptions;
