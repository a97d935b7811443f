//! The WebSocket transport: one browser `WebSocket` and the four callbacks it needs.
//!
//! The transport owns its closures. Dropping it detaches every handler and closes the socket,
//! so a thousand reconnects leave nothing behind (no `Closure::forget`).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, MessageEvent, WebSocket};

use super::send::Sendable;

/// What the browser reported about the socket.
pub enum TransportEvent {
    /// The socket is open.
    Open,
    /// A text frame: the JS string itself.
    Text(JsValue),
    /// A binary frame, as an `ArrayBuffer`.
    Binary(JsValue),
    /// The socket failed; a close follows.
    Error,
    /// The socket closed.
    Close,
}

/// An open (or opening) browser WebSocket whose events go to one handler.
pub struct WebSocketTransport {
    socket: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut()>,
    _on_close: Closure<dyn FnMut()>,
}

impl WebSocketTransport {
    /// Opens `url`; every event goes to `handler`, which is called from the browser's event loop.
    pub fn open(url: &str, handler: impl Fn(TransportEvent) + 'static) -> Result<Self, JsValue> {
        let socket = WebSocket::new(url)?;
        socket.set_binary_type(BinaryType::Arraybuffer);
        let handler = std::rc::Rc::new(handler);

        let on_open = {
            let handler = handler.clone();
            Closure::<dyn FnMut()>::new(move || handler(TransportEvent::Open))
        };
        let on_message = {
            let handler = handler.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let data = event.data();
                handler(match data.is_string() {
                    true => TransportEvent::Text(data),
                    false => TransportEvent::Binary(data),
                });
            })
        };
        let on_error = {
            let handler = handler.clone();
            Closure::<dyn FnMut()>::new(move || handler(TransportEvent::Error))
        };
        let on_close = Closure::<dyn FnMut()>::new(move || handler(TransportEvent::Close));

        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Self {
            socket,
            _on_open: on_open,
            _on_message: on_message,
            _on_error: on_error,
            _on_close: on_close,
        })
    }

    /// Writes a text frame made of `head` followed by the JS string `body`.
    pub fn send_text(&self, head: &str, body: Option<&JsValue>) -> Result<(), JsValue> {
        match body {
            None => self.socket.send_with_str(head),
            Some(body) => {
                let frame = js_sys::JsString::from(head).concat(body);
                self.socket.unchecked_ref::<Sendable>().send(&frame)
            }
        }
    }

    /// Writes a binary frame (`ArrayBuffer`, typed array, `DataView` or `Blob`).
    pub fn send_binary(&self, data: &JsValue) -> Result<(), JsValue> {
        self.socket.unchecked_ref::<Sendable>().send(data)
    }
}

impl Drop for WebSocketTransport {
    fn drop(&mut self) {
        self.socket.set_onopen(None);
        self.socket.set_onmessage(None);
        self.socket.set_onerror(None);
        self.socket.set_onclose(None);
        if self.socket.ready_state() <= WebSocket::OPEN {
            // Nothing useful can be done if close itself fails; the socket is unreachable now.
            let _ = self.socket.close();
        }
    }
}
