//! `io(url, opts)`: the entry point, as in socket.io-client.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

use super::errors::type_error;
use super::options::IoOptions;
use super::socket::Socket;
use crate::driver::{Connection, ConnectionConfig};
use crate::protocol::uri::{Location, ServerUrl};

/// Creates a socket for the namespace in `url` (default: the page's origin, namespace `/`),
/// connecting at once unless `autoConnect` is false. `io(opts)` is accepted too.
#[wasm_bindgen]
pub fn io(url: JsValue, opts: JsValue) -> Result<Socket, JsValue> {
    let (url, opts) = match url.as_string() {
        Some(url) => (Some(url), opts),
        None if url.is_object() => (None, url),
        None => (None, opts),
    };
    let options = IoOptions::read(&opts)?;
    let (protocol, host) = page_location();
    let location = match (&protocol, &host) {
        (Some(protocol), Some(host)) => Some(Location { protocol, host }),
        _ => None,
    };
    let server =
        ServerUrl::resolve(url.as_deref(), location).map_err(|error| type_error(error.as_str()))?;
    let nsp = server.nsp.clone();
    let query = options.query.unwrap_or_else(|| server.query.clone());
    let connection = Connection::new(ConnectionConfig {
        url: server,
        path: options.path,
        query,
        engine: options.engine,
        remember_upgrade: options.remember_upgrade,
        timestamp_param: options.timestamp_param,
        timestamp_requests: options.timestamp_requests,
        http: options.http,
    });
    let socket = Socket::new(connection, nsp, options.auth);
    if options.auto_connect {
        socket.connect()?;
    }
    Ok(socket)
}

/// `location.protocol` and `location.host` of the page (or worker), when there is one.
fn page_location() -> (Option<String>, Option<String>) {
    let location = Reflect::get(&js_sys::global(), &JsValue::from_str("location"))
        .unwrap_or(JsValue::UNDEFINED);
    if !location.is_object() {
        return (None, None);
    }
    let field = |name: &str| {
        Reflect::get(&location, &JsValue::from_str(name))
            .ok()
            .and_then(|value| value.as_string())
    };
    (field("protocol"), field("host"))
}
