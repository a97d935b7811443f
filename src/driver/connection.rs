//! The loop that runs the protocol core in the browser: browser events in, core outputs out.
//!
//! A [`Connection`] owns the core [`Client`], the open transport and the one timer. Every input
//! is followed by [`pump`], which acts on each output in order. User code (a socket's event sink)
//! is only ever called with the `RefCell` released, so a listener may call `emit` or `disconnect`
//! on the same connection; such a nested call queues its outputs and the outer pump sends them.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use wasm_bindgen::JsValue;

use super::clock::now;
use super::websocket::{TransportEvent, WebSocketTransport};
use crate::protocol::client::{Client, Output, SocketId};
use crate::protocol::engine::{CloseReason, Frame};
use crate::protocol::socket::{Outbound, SocketEvent};
use crate::protocol::uri::ServerUrl;
use crate::protocol::Instant;

/// Where a socket's events go.
pub type EventSink = Rc<dyn Fn(SocketEvent<JsValue>)>;

/// Where and how to connect.
#[derive(Debug, Clone)]
pub struct ConnectionConfig {
    /// The server.
    pub url: ServerUrl,
    /// The Engine.IO path, such as `/socket.io/`.
    pub path: String,
    /// The encoded query string sent with every request.
    pub query: String,
}

/// A connection to one server, shared by the sockets that use it.
#[derive(Clone)]
pub struct Connection {
    inner: Rc<RefCell<Inner>>,
}

struct Inner {
    config: ConnectionConfig,
    client: Client<JsValue>,
    transport: Option<WebSocketTransport>,
    timer: Option<(Instant, Timeout)>,
    sinks: Vec<(SocketId, EventSink)>,
    pumping: bool,
}

impl Connection {
    /// A connection that opens its transport when the first socket connects.
    pub fn new(config: ConnectionConfig) -> Self {
        let inner = Inner {
            config,
            client: Client::new(),
            transport: None,
            timer: None,
            sinks: Vec::new(),
            pumping: false,
        };
        Self {
            inner: Rc::new(RefCell::new(inner)),
        }
    }

    /// Connects a socket to `nsp`; its events go to `sink` until it disconnects.
    pub fn connect(&self, nsp: &str, auth: Option<JsValue>, sink: EventSink) -> Option<SocketId> {
        let id = {
            let mut inner = self.inner.try_borrow_mut().ok()?;
            let id = inner.client.connect(now(), nsp, auth);
            inner.sinks.push((id, sink));
            id
        };
        pump(&self.inner);
        Some(id)
    }

    /// Disconnects a socket (its sink hears `io client disconnect` if it was connected).
    pub fn disconnect(&self, id: SocketId) {
        self.with_client(|client| client.disconnect(now(), id));
    }

    /// Emits (or buffers) an event; false if the socket is no longer on this connection.
    pub fn emit(&self, id: SocketId, event: Outbound<JsValue>) -> bool {
        self.with_client(|client| client.emit(now(), id, event))
            .unwrap_or(false)
    }

    fn with_client<T>(&self, act: impl FnOnce(&mut Client<JsValue>) -> T) -> Option<T> {
        let result = act(&mut self.inner.try_borrow_mut().ok()?.client);
        pump(&self.inner);
        Some(result)
    }
}

/// Acts on every output of the core, calling sinks with the borrow released, then re-arms the
/// timer. A nested call (from a sink) returns at once: the outer loop picks up its outputs.
fn pump(shared: &Rc<RefCell<Inner>>) {
    {
        let Ok(mut inner) = shared.try_borrow_mut() else {
            return;
        };
        if inner.pumping {
            return;
        }
        inner.pumping = true;
    }
    while let Some((sink, event)) = next_delivery(shared) {
        sink(event);
    }
    if let Ok(mut inner) = shared.try_borrow_mut() {
        inner.pumping = false;
        arm_timer(&mut inner, shared);
    }
}

/// Acts on outputs until one is for a sink, and returns it with its sink.
fn next_delivery(shared: &Rc<RefCell<Inner>>) -> Option<(EventSink, SocketEvent<JsValue>)> {
    let mut inner = shared.try_borrow_mut().ok()?;
    loop {
        match inner.client.poll_output()? {
            Output::OpenTransport => open_transport(&mut inner, shared),
            Output::Transmit(frame) => transmit(&mut inner, &frame),
            Output::CloseTransport => inner.transport = None,
            Output::Socket(id, event) => {
                let sink = sink_for(&mut inner, id, &event);
                if let Some(sink) = sink {
                    return Some((sink, event));
                }
            }
        }
    }
}

/// The sink for `id`, forgotten when this event ends the socket's life on the connection.
fn sink_for(inner: &mut Inner, id: SocketId, event: &SocketEvent<JsValue>) -> Option<EventSink> {
    let index = inner.sinks.iter().position(|(known, _)| *known == id)?;
    let last = matches!(
        event,
        SocketEvent::Disconnect { .. } | SocketEvent::ConnectError(_)
    );
    match last {
        true => Some(inner.sinks.remove(index).1),
        false => inner.sinks.get(index).map(|(_, sink)| sink.clone()),
    }
}

fn open_transport(inner: &mut Inner, shared: &Rc<RefCell<Inner>>) {
    let config = &inner.config;
    let url = config
        .url
        .transport_url(true, &config.path, &config.query, None);
    let weak = Rc::downgrade(shared);
    match WebSocketTransport::open(&url, move |event| on_transport_event(&weak, event)) {
        Ok(transport) => inner.transport = Some(transport),
        Err(_) => inner
            .client
            .handle_transport_close(CloseReason::TransportError, Some("websocket error")),
    }
}

fn transmit(inner: &mut Inner, frame: &Frame<JsValue>) {
    let Some(transport) = &inner.transport else {
        return;
    };
    let sent = match frame {
        Frame::Text { head, body } => transport.send_text(head, body.as_ref()),
        Frame::Binary(data) => transport.send_binary(data),
    };
    if sent.is_err() {
        inner
            .client
            .handle_transport_close(CloseReason::TransportError, Some("websocket send failed"));
    }
}

fn on_transport_event(weak: &Weak<RefCell<Inner>>, event: TransportEvent) {
    let Some(shared) = weak.upgrade() else { return };
    {
        let Ok(mut inner) = shared.try_borrow_mut() else {
            return;
        };
        let client = &mut inner.client;
        match event {
            TransportEvent::Open => {}
            TransportEvent::Text(frame) => {
                if let Some(text) = frame.as_string() {
                    client.handle_text(now(), &text, frame);
                }
            }
            TransportEvent::Binary(data) => client.handle_binary(now(), data),
            TransportEvent::Error => {
                client.handle_transport_close(CloseReason::TransportError, Some("websocket error"))
            }
            TransportEvent::Close => {
                client.handle_transport_close(
                    CloseReason::TransportClose,
                    Some("websocket connection closed"),
                );
            }
        }
    }
    pump(&shared);
}

/// Keeps exactly one browser timer, armed for the core's next deadline.
fn arm_timer(inner: &mut Inner, shared: &Rc<RefCell<Inner>>) {
    let deadline = inner.client.poll_timeout();
    if inner.timer.as_ref().map(|(at, _)| *at) == deadline {
        return;
    }
    inner.timer = deadline.map(|at| {
        let delay = at.since(now()).as_millis();
        let weak = Rc::downgrade(shared);
        let timeout = Timeout::new(u32::try_from(delay).unwrap_or(u32::MAX), move || {
            on_timer(&weak)
        });
        (at, timeout)
    });
}

fn on_timer(weak: &Weak<RefCell<Inner>>) {
    let Some(shared) = weak.upgrade() else { return };
    if let Ok(mut inner) = shared.try_borrow_mut() {
        inner.timer = None;
        inner.client.handle_timeout(now());
    }
    pump(&shared);
}
