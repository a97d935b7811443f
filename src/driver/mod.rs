//! The browser driver: turns the protocol core's commands into WebSocket and HTTP calls
//! (XMLHttpRequest, or `fetch` in workers that lack it) and timers, and browser events back into
//! core inputs. No protocol logic lives here.

mod clock;
mod connection;
mod fetch;
mod global_event;
mod payload;
mod polling;
mod send;
mod websocket;
mod xhr;

pub use connection::{Connection, ConnectionConfig, EventSink, ManagerSink, UrlOptions};
pub use polling::HttpOptions;
pub use websocket::WebSocketOptions;
