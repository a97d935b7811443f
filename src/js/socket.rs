//! `Socket` for JavaScript: socket.io-client's socket for one namespace.
//!
//! Methods that socket.io-client makes variadic or chainable (`emit(ev, ...args)`, `on()`
//! returning `this`) are finished in `index.js`; the exports here take plain arguments.
//! While connected, the connection holds the socket's event sink (and so the socket): a
//! connected socket stays alive and keeps receiving even if the page drops its reference,
//! as in socket.io-client. The link is cut when the socket disconnects.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, JsString, JSON};
use wasm_bindgen::prelude::*;

use super::emitter::Emitter;
use super::errors::{error_with_data, transport_error, type_error};
use super::payload::{decode_connect_error, decode_event, encode_event};
use crate::driver::{Connection, EventSink};
use crate::protocol::client::SocketId;
use crate::protocol::socket::{ConnectError, SocketEvent};
use crate::protocol::socket_packet::is_reserved_event;

/// A Socket.IO socket: one namespace over a shared connection.
#[wasm_bindgen]
pub struct Socket {
    shared: Rc<Shared>,
}

struct Shared {
    connection: Connection,
    nsp: String,
    auth: Option<JsValue>,
    state: RefCell<State>,
    listeners: Emitter,
}

#[derive(Default)]
struct State {
    /// The socket on the connection while connecting or connected.
    socket: Option<SocketId>,
    /// The Socket.IO sid, while connected.
    sid: Option<String>,
}

impl Socket {
    /// A socket for `nsp` on `connection`, not yet connected.
    pub fn new(connection: Connection, nsp: String, auth: Option<JsValue>) -> Self {
        let shared = Shared {
            connection,
            nsp,
            auth,
            state: RefCell::default(),
            listeners: Emitter::default(),
        };
        Self {
            shared: Rc::new(shared),
        }
    }
}

#[wasm_bindgen]
impl Socket {
    /// The Socket.IO sid while connected, else `undefined`.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> Option<String> {
        self.shared.state.borrow().sid.clone()
    }

    /// Whether the socket is connected to its namespace.
    #[wasm_bindgen(getter)]
    pub fn connected(&self) -> bool {
        self.shared.state.borrow().sid.is_some()
    }

    /// The opposite of `connected`.
    #[wasm_bindgen(getter)]
    pub fn disconnected(&self) -> bool {
        !self.connected()
    }

    /// The transport in use (`polling` or `websocket`), while there is a connection.
    #[wasm_bindgen(getter)]
    pub fn transport(&self) -> Option<String> {
        self.shared.connection.transport_name().map(str::to_owned)
    }

    /// The namespace, such as `/` or `/admin`.
    #[wasm_bindgen(getter)]
    pub fn nsp(&self) -> String {
        self.shared.nsp.clone()
    }

    /// Connects, unless already connected or connecting.
    pub fn connect(&self) -> Result<(), JsValue> {
        let shared = &self.shared;
        if shared.state.borrow().socket.is_some() {
            return Ok(());
        }
        let auth = match &shared.auth {
            Some(auth) => Some(JSON::stringify(auth)?.into()),
            None => None,
        };
        let sink_owner = shared.clone();
        let sink: EventSink = Rc::new(move |event| sink_owner.on_event(event));
        let id = shared.connection.connect(&shared.nsp, auth, sink);
        shared.state.borrow_mut().socket = id;
        Ok(())
    }

    /// Disconnects; the `disconnect` event follows with `io client disconnect` if connected.
    pub fn disconnect(&self) {
        let id = self.shared.state.borrow_mut().socket.take();
        if let Some(id) = id {
            self.shared.connection.disconnect(id);
        }
    }

    /// Emits `[event, ...args]` (the JS wrapper builds the array). Throws for reserved names.
    #[wasm_bindgen(js_name = "_emit")]
    pub fn emit_packet(&self, packet: Array) -> Result<(), JsValue> {
        let name = packet.get(0);
        if name
            .as_string()
            .is_some_and(|name| is_reserved_event(&name))
        {
            let mut message = String::from("\"");
            message.push_str(&name.as_string().unwrap_or_default());
            message.push_str("\" is a reserved event name");
            return Err(type_error(&message));
        }
        let event = encode_event(&packet)?;
        let Some(id) = self.shared.state.borrow().socket else {
            return Ok(());
        };
        self.shared.connection.emit(id, event);
        Ok(())
    }

    /// Adds a listener (`once` removes it after its first call).
    #[wasm_bindgen(js_name = "_on")]
    pub fn add_listener(&self, event: JsString, listener: Function, once: bool) {
        self.shared
            .listeners
            .add(String::from(event), listener, once);
    }

    /// Removes listeners: all, all of `event`, or one.
    #[wasm_bindgen(js_name = "_off")]
    pub fn remove_listener(&self, event: Option<String>, listener: Option<Function>) {
        self.shared
            .listeners
            .remove(event.as_deref(), listener.as_ref());
    }
}

impl Shared {
    /// Handles what the connection says about this socket, then tells the listeners.
    fn on_event(&self, event: SocketEvent<JsValue>) {
        match event {
            SocketEvent::Connect { sid } => {
                self.state.borrow_mut().sid = Some(sid);
                self.listeners.emit("connect", &Array::new());
            }
            SocketEvent::ConnectError(cause) => {
                *self.state.borrow_mut() = State::default();
                self.listeners
                    .emit("connect_error", &Array::of1(&connect_error(cause)));
            }
            SocketEvent::Disconnect {
                reason,
                description,
            } => {
                *self.state.borrow_mut() = State::default();
                let details =
                    description.map_or(JsValue::UNDEFINED, |text| error_with_data(&text, None));
                self.listeners
                    .emit("disconnect", &Array::of2(&reason.as_str().into(), &details));
            }
            SocketEvent::Event(inbound) => {
                if let Some((name, args)) = decode_event(&inbound) {
                    self.listeners.emit(&name, &args);
                }
            }
        }
    }
}

fn connect_error(cause: ConnectError<JsValue>) -> JsValue {
    match cause {
        ConnectError::Refused(span) => decode_connect_error(&span),
        ConnectError::Transport(failure) => {
            transport_error(failure.message, failure.status, failure.context.as_ref())
        }
        ConnectError::IncompatibleServer => error_with_data(
            "the server's CONNECT reply has no sid: it speaks an older Socket.IO protocol than v5",
            None,
        ),
    }
}
