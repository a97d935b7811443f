//! The browser driver: turns the protocol core's outputs into WebSocket calls and timers, and
//! browser events back into core inputs. No protocol logic lives here.

mod clock;
mod connection;
mod websocket;

pub use connection::{Connection, ConnectionConfig, EventSink};
