//! The browser driver: turns the protocol core's commands into WebSocket and XMLHttpRequest
//! calls and timers, and browser events back into core inputs. No protocol logic lives here.

mod clock;
mod connection;
mod payload;
mod polling;
mod send;
mod unload;
mod websocket;

pub use connection::{Connection, ConnectionConfig, EventSink, ManagerSink, UrlOptions};
pub use polling::HttpOptions;
pub use websocket::WebSocketOptions;
