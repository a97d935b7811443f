//! The WebSocket transport: one browser `WebSocket` and the four callbacks it needs.
//!
//! The transport owns its closures. Dropping it detaches every handler and closes the socket,
//! so a thousand reconnects leave nothing behind (no `Closure::forget`).
//!
//! Messages come through a small JS function that reads the frame, the head of a text frame (all
//! the core reads of an event: see `Client::handle_text`) and the event's time in one go, so a
//! message costs one call into wasm. The head is written straight into a buffer that wasm keeps
//! for it, [`HEAD`]: no allocation and no string conversion per frame.

use std::cell::Cell;

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, WebSocket};

use super::clock::{now, now_at};
use super::payload::base64_message;
use crate::protocol::Instant;

#[wasm_bindgen(inline_js = "
export function messageHandler(handler, memory, head, size) {
  let view = new Uint8Array(0);
  return (event) => {
    const data = event.data;
    let length = -1;
    if (typeof data === 'string') {
      // A view of wasm memory is emptied when the memory grows: then it is made again.
      if (view.byteLength === 0) view = new Uint8Array(memory.buffer, head, size);
      const end = Math.min(data.length, size);
      for (length = 0; length < end; length++) {
        const unit = data.charCodeAt(length);
        if (unit > 0x7f) break;
        view[length] = unit;
      }
    }
    handler(data, length, event.timeStamp > 0 ? event.timeStamp : performance.now());
  };
}
export function sendText(socket, head, body) {
  let text = '';
  for (let i = 0; i < head.length; i++) {
    if (head[i] > 0x7f) {
      text = new TextDecoder().decode(head);
      break;
    }
    text += String.fromCharCode(head[i]);
  }
  try {
    socket.send(body === undefined ? text : text + body);
    return true;
  } catch {
    return false;
  }
}")]
extern "C" {
    /// Sends `head` (UTF-8, read in place: a packet header is a few ASCII bytes, for which
    /// `TextDecoder` costs more than the send) followed by the JS string `body`; false if the
    /// socket refused it. The exception is caught in JS: wasm-bindgen's `catch` wraps every call
    /// in a generic handler that costs more than the send of a small frame.
    #[wasm_bindgen(js_name = sendText)]
    fn send_text_frame(socket: &WebSocket, head: &[u8], body: Option<&JsValue>) -> bool;

    /// `(event) => handler(event.data, length, event time)`: for a text frame, its head (up to
    /// `size` characters, stopping before the first that is not ASCII) is written at `head` in
    /// `memory`, and `length` is how many bytes that took; for a binary one, `length` is -1.
    #[wasm_bindgen(js_name = messageHandler)]
    fn message_handler(handler: &JsValue, memory: &JsValue, head: u32, size: u32) -> Function;
}

#[wasm_bindgen]
extern "C" {
    /// A WebSocket seen as taking any message: web-sys's typed `send_with_*` would copy a JS
    /// string into wasm and back out, and a binary message is sent as the value the app gave.
    type Sendable;

    #[wasm_bindgen(method, catch, js_name = send)]
    fn send(this: &Sendable, data: &JsValue) -> Result<(), JsValue>;
}

/// How much of a text frame is copied into wasm: room for any header with a namespace of
/// sensible length. A header that is longer, or that has a character other than ASCII, ends the
/// head early and makes the core ask for the whole text.
const HEAD_BYTES: usize = 128;

thread_local! {
    /// Where the message handler writes the head of each text frame, read right after.
    static HEAD: Cell<[u8; HEAD_BYTES]> = const { Cell::new([0; HEAD_BYTES]) };
}

/// How the WebSockets of a connection are opened.
#[derive(Debug, Clone, Default)]
pub struct WebSocketOptions {
    /// The subprotocols offered to the server (socket.io-client's `protocols`).
    pub protocols: Vec<String>,
    /// Send binary messages as `b<base64>` text frames (`forceBase64`).
    pub force_base64: bool,
}

/// What the browser reported about the socket.
pub enum TransportEvent<'a> {
    /// The socket is open.
    Open,
    /// A text frame: the JS string itself, and its first characters (ASCII), copied into wasm.
    Text { frame: JsValue, head: &'a str },
    /// A binary frame, as an `ArrayBuffer`.
    Binary(JsValue),
    /// The socket failed (the browser's `error` event); a close follows.
    Error(JsValue),
    /// The socket closed; the browser's `CloseEvent` (code, reason) goes to the user.
    Close(JsValue),
}

/// An open (or opening) browser WebSocket whose events go to one handler.
pub struct WebSocketTransport {
    socket: WebSocket,
    force_base64: bool,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(JsValue, i32, f64)>,
    _on_error: Closure<dyn FnMut(JsValue)>,
    _on_close: Closure<dyn FnMut(JsValue)>,
}

impl WebSocketTransport {
    /// Opens `url`; every event goes to `handler` with its time, from the browser's event loop.
    pub fn open(
        url: &str,
        options: &WebSocketOptions,
        handler: impl Fn(Instant, TransportEvent<'_>) + 'static,
    ) -> Result<Self, JsValue> {
        let socket = match options.protocols.as_slice() {
            [] => WebSocket::new(url)?,
            protocols => {
                let protocols: Array = protocols.iter().map(JsValue::from).collect();
                WebSocket::new_with_str_sequence(url, &protocols)?
            }
        };
        socket.set_binary_type(BinaryType::Arraybuffer);
        let handler = std::rc::Rc::new(handler);

        let on_open = {
            let handler = handler.clone();
            Closure::<dyn FnMut()>::new(move || handler(now(), TransportEvent::Open))
        };
        let on_message = {
            let handler = handler.clone();
            Closure::<dyn FnMut(JsValue, i32, f64)>::new(
                move |frame: JsValue, length: i32, time: f64| {
                    let Ok(length) = usize::try_from(length) else {
                        return handler(now_at(time), TransportEvent::Binary(frame));
                    };
                    let bytes = HEAD.with(Cell::get);
                    let head = bytes.get(..length).unwrap_or_default();
                    let head = std::str::from_utf8(head).unwrap_or_default();
                    handler(now_at(time), TransportEvent::Text { frame, head });
                },
            )
        };
        let on_error = {
            let handler = handler.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |event| {
                handler(now(), TransportEvent::Error(event))
            })
        };
        let on_close = Closure::<dyn FnMut(JsValue)>::new(move |event| {
            handler(now(), TransportEvent::Close(event))
        });
        let head = HEAD.with(|head| head.as_ptr() as usize);
        let on_message_shim = message_handler(
            on_message.as_ref(),
            &wasm_bindgen::memory(),
            u32::try_from(head).unwrap_or(0),
            HEAD_BYTES as u32,
        );

        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(&on_message_shim));
        socket.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Self {
            socket,
            force_base64: options.force_base64,
            _on_open: on_open,
            _on_message: on_message,
            _on_error: on_error,
            _on_close: on_close,
        })
    }

    /// Writes a text frame made of `head` followed by the JS string `body`; false if the
    /// browser refused it.
    pub fn send_text(&self, head: &str, body: Option<&JsValue>) -> bool {
        send_text_frame(&self.socket, head.as_bytes(), body)
    }

    /// Writes a binary message (`ArrayBuffer`, typed array, `DataView` or `Blob`): a binary
    /// frame, or with `forceBase64` a text frame; false if the browser refused it.
    pub fn send_binary(&self, data: &JsValue) -> bool {
        match self.force_base64 {
            true => self.send_text(&base64_message(data), None),
            false => self.socket.unchecked_ref::<Sendable>().send(data).is_ok(),
        }
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
