//! The loop that runs the protocol core in the browser: browser events in, core outputs out.
//!
//! A [`Connection`] owns the core [`Client`], its transports (WebSockets and long-polling
//! request pairs) and the one timer. Every input is followed by [`pump`], which acts on each
//! output in order. User code (a socket's event sink) is only ever called with the `RefCell`
//! released, so a listener may call `emit` or `disconnect` on the same connection; such a nested
//! call queues its outputs and the outer pump acts on them.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use wasm_bindgen::JsValue;

use super::clock::now;
use super::payload::polling_body;
use super::polling::{HttpOptions, HttpRequest, RequestOutcome};
use super::websocket::{TransportEvent, WebSocketTransport};
use crate::protocol::client::{Client, Output, SocketId};
use crate::protocol::engine::{Command, EngineConfig, Frame, TransportId, TransportKind};
use crate::protocol::socket::{Outbound, SocketEvent, TransportFailure};
use crate::protocol::uri::ServerUrl;
use crate::protocol::Instant;

thread_local! {
    /// Whether a WebSocket connection has worked on this page (`rememberUpgrade`).
    static PRIOR_WEBSOCKET_SUCCESS: Cell<bool> = const { Cell::new(false) };
}

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
    /// Transports, upgrade and fallback.
    pub engine: EngineConfig,
    /// Start on WebSocket if it worked before on this page (`rememberUpgrade`).
    pub remember_upgrade: bool,
    /// The cache-busting query parameter (`timestampParam`).
    pub timestamp_param: String,
    /// `timestampRequests`: unset stamps polling requests only, as socket.io-client does.
    pub timestamp_requests: Option<bool>,
    /// Credentials and headers of polling requests.
    pub http: HttpOptions,
}

/// A connection to one server, shared by the sockets that use it.
#[derive(Clone)]
pub struct Connection {
    inner: Rc<RefCell<Inner>>,
}

/// One transport the driver holds for the core.
enum Transport {
    WebSocket(WebSocketTransport),
    Polling {
        get: Option<HttpRequest>,
        post: Option<HttpRequest>,
    },
}

struct Inner {
    config: ConnectionConfig,
    client: Client<JsValue>,
    transports: Vec<(TransportId, Transport)>,
    /// POSTs of closed polling transports, kept until they finish (a client close packet).
    lingering: Vec<HttpRequest>,
    timer: Option<(Instant, Timeout)>,
    sinks: Vec<(SocketId, EventSink)>,
    pumping: bool,
    requests: u32,
}

impl Connection {
    /// A connection that opens its transport when the first socket connects.
    pub fn new(mut config: ConnectionConfig) -> Self {
        let transports = &mut config.engine.transports;
        if config.remember_upgrade
            && PRIOR_WEBSOCKET_SUCCESS.get()
            && transports.contains(&TransportKind::WebSocket)
        {
            transports.retain(|kind| *kind == TransportKind::WebSocket);
        }
        let inner = Inner {
            client: Client::new(config.engine.clone()),
            config,
            transports: Vec::new(),
            lingering: Vec::new(),
            timer: None,
            sinks: Vec::new(),
            pumping: false,
            requests: 0,
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

    /// The name of the transport in use (`polling`, `websocket`), while connected.
    pub fn transport_name(&self) -> Option<&'static str> {
        let inner = self.inner.try_borrow().ok()?;
        inner.client.transport().map(TransportKind::name)
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
        if inner.client.transport() == Some(TransportKind::WebSocket) {
            PRIOR_WEBSOCKET_SUCCESS.set(true);
        }
        arm_timer(&mut inner, shared);
    }
}

/// Acts on outputs until one is for a sink, and returns it with its sink.
fn next_delivery(shared: &Rc<RefCell<Inner>>) -> Option<(EventSink, SocketEvent<JsValue>)> {
    let mut inner = shared.try_borrow_mut().ok()?;
    loop {
        match inner.client.poll_output()? {
            Output::Transport(command) => act(&mut inner, shared, command),
            Output::Socket(id, event) => {
                if let Some(sink) = sink_for(&mut inner, id, &event) {
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

fn act(inner: &mut Inner, shared: &Rc<RefCell<Inner>>, command: Command<JsValue>) {
    match command {
        Command::Open {
            id,
            kind: TransportKind::WebSocket,
            sid,
        } => open_websocket(inner, shared, id, sid.as_deref()),
        Command::Open {
            id,
            kind: TransportKind::Polling,
            ..
        } => {
            inner.transports.push((
                id,
                Transport::Polling {
                    get: None,
                    post: None,
                },
            ));
        }
        Command::Send(id, frame) => send_frame(inner, id, &frame),
        Command::Poll(id) => start_request(inner, shared, id, None),
        Command::Post(id, frames) => start_request(inner, shared, id, Some(polling_body(&frames))),
        Command::Close(id) => close_transport(inner, id),
    }
}

fn open_websocket(
    inner: &mut Inner,
    shared: &Rc<RefCell<Inner>>,
    id: TransportId,
    sid: Option<&str>,
) {
    let url = transport_url(inner, TransportKind::WebSocket, sid);
    let weak = Rc::downgrade(shared);
    match WebSocketTransport::open(&url, move |event| on_websocket_event(&weak, id, event)) {
        Ok(socket) => inner.transports.push((id, Transport::WebSocket(socket))),
        Err(_) => inner
            .client
            .handle_transport_error(now(), id, websocket_failure()),
    }
}

fn send_frame(inner: &mut Inner, id: TransportId, frame: &Frame<JsValue>) {
    let Some(Transport::WebSocket(socket)) = transport_mut(inner, id) else {
        return;
    };
    let sent = match frame {
        Frame::Text { head, body } => socket.send_text(head, body.as_ref()),
        Frame::Binary(data) => socket.send_binary(data),
    };
    if sent.is_err() {
        inner
            .client
            .handle_transport_error(now(), id, websocket_failure());
    }
}

/// Starts the GET (no body) or the POST of polling transport `id`.
fn start_request(
    inner: &mut Inner,
    shared: &Rc<RefCell<Inner>>,
    id: TransportId,
    body: Option<JsValue>,
) {
    let sid = inner.client.sid();
    let url = transport_url(inner, TransportKind::Polling, sid.as_deref());
    let weak = Rc::downgrade(shared);
    let is_post = body.is_some();
    let request = match &body {
        Some(body) => HttpRequest::post(&url, body, &inner.config.http, move |outcome| {
            on_request_done(&weak, id, true, outcome)
        }),
        None => HttpRequest::get(&url, &inner.config.http, move |outcome| {
            on_request_done(&weak, id, false, outcome)
        }),
    };
    match (request, transport_mut(inner, id)) {
        (Ok(request), Some(Transport::Polling { get, post })) => {
            *(if is_post { post } else { get }) = Some(request);
        }
        (Ok(_), _) => {}
        (Err(error), _) => {
            let failure = polling_failure(is_post, 0, Some(error));
            inner.client.handle_transport_error(now(), id, failure);
        }
    }
}

fn close_transport(inner: &mut Inner, id: TransportId) {
    let Some(index) = inner.transports.iter().position(|(known, _)| *known == id) else {
        return;
    };
    let (_, transport) = inner.transports.remove(index);
    if let Transport::Polling {
        post: Some(post), ..
    } = transport
    {
        // The last POST may carry the close packet: let it finish; the GET is aborted.
        inner.lingering.retain(HttpRequest::is_pending);
        inner.lingering.push(post);
    }
}

fn transport_mut(inner: &mut Inner, id: TransportId) -> Option<&mut Transport> {
    inner
        .transports
        .iter_mut()
        .find(|(known, _)| *known == id)
        .map(|(_, transport)| transport)
}

/// The URL for a transport request: the server, path and query, plus `sid` and the
/// cache-busting timestamp where they apply.
fn transport_url(inner: &mut Inner, kind: TransportKind, sid: Option<&str>) -> String {
    let config = &inner.config;
    let websocket = kind == TransportKind::WebSocket;
    let mut url = config
        .url
        .transport_url(websocket, &config.path, &config.query, sid);
    if config.timestamp_requests.unwrap_or(!websocket) {
        inner.requests = inner.requests.wrapping_add(1);
        url.push('&');
        url.push_str(&config.timestamp_param);
        url.push('=');
        url.push_str(&cache_buster(inner.requests));
    }
    url
}

/// A short token that differs for every request of the page.
fn cache_buster(counter: u32) -> String {
    let mut token = String::new();
    let mut value = (now().as_millis() << 16) ^ u64::from(counter);
    loop {
        let digit = (value % 36) as u32;
        token.push(char::from_digit(digit, 36).unwrap_or('0'));
        value /= 36;
        if value == 0 {
            return token;
        }
    }
}

fn websocket_failure() -> TransportFailure<JsValue> {
    TransportFailure {
        message: "websocket error",
        status: None,
        context: None,
    }
}

fn polling_failure(
    is_post: bool,
    status: u16,
    context: Option<JsValue>,
) -> TransportFailure<JsValue> {
    let message = if is_post {
        "xhr post error"
    } else {
        "xhr poll error"
    };
    TransportFailure {
        message,
        status: Some(status),
        context,
    }
}

fn on_websocket_event(weak: &Weak<RefCell<Inner>>, id: TransportId, event: TransportEvent) {
    let Some(shared) = weak.upgrade() else { return };
    {
        let Ok(mut inner) = shared.try_borrow_mut() else {
            return;
        };
        let client = &mut inner.client;
        match event {
            TransportEvent::Open => client.handle_transport_open(now(), id),
            TransportEvent::Text(frame) => {
                if let Some(text) = frame.as_string() {
                    client.handle_text(now(), id, &text, frame);
                }
            }
            TransportEvent::Binary(data) => client.handle_binary(now(), id, data),
            TransportEvent::Error => client.handle_transport_error(now(), id, websocket_failure()),
            TransportEvent::Close => client.handle_transport_close(now(), id),
        }
    }
    pump(&shared);
}

fn on_request_done(
    weak: &Weak<RefCell<Inner>>,
    id: TransportId,
    is_post: bool,
    outcome: RequestOutcome,
) {
    let Some(shared) = weak.upgrade() else { return };
    {
        let Ok(mut inner) = shared.try_borrow_mut() else {
            return;
        };
        inner.lingering.retain(HttpRequest::is_pending);
        if let Some(Transport::Polling { get, post }) = transport_mut(&mut inner, id) {
            // The request has finished: dropping it now only releases its callbacks.
            *(if is_post { post } else { get }) = None;
        }
        let client = &mut inner.client;
        match (outcome, is_post) {
            (RequestOutcome::Done(_), true) => client.handle_post_done(now(), id),
            (RequestOutcome::Done(body), false) => match body.as_string() {
                Some(text) => client.handle_poll_response(now(), id, &text, body),
                None => client.handle_transport_error(now(), id, polling_failure(false, 200, None)),
            },
            (RequestOutcome::Failed { status, xhr }, _) => {
                client.handle_transport_error(
                    now(),
                    id,
                    polling_failure(is_post, status, Some(xhr)),
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
