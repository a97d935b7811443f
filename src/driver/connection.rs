//! The loop that runs the protocol core in the browser: browser events in, core outputs out.
//!
//! A [`Connection`] owns the core [`Client`], its transports (WebSockets and long-polling
//! request pairs) and the one timer. The run loop, which every entry point follows:
//!
//! 1. An input (a browser event, or a call of the app's) borrows the core, hands the input over
//!    (`handle_*`, `emit`, `disconnect`...) and releases the borrow.
//! 2. [`deliver`] takes every output the core holds at that moment and acts on each in order:
//!    transport commands at once, events by calling their sink with the borrow released.
//! 3. A sink (an app's listener) may call back into the connection. That call runs steps 1-2
//!    for its own outputs before it returns, so its state changes and events happen before it
//!    returns, as in socket.io-client; then the outer delivery goes on with what it had taken.
//! 4. A polling body is read one packet per step ([`Client::continue_body`]), each packet's
//!    outputs delivered before the next is read.
//! 5. The timer is re-armed for the core's next deadline after every delivery.

use core::time::Duration;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use wasm_bindgen::JsValue;

use super::clock::now;
use super::global::GlobalListener;
#[cfg(feature = "polling")]
use super::payload::rust_string;
#[cfg(feature = "polling")]
use super::polling::{polling_body, HttpRequest, RequestOutcome};
use super::websocket::{TransportEvent, WebSocketOptions, WebSocketTransport};
use crate::protocol::acks::Ticket;
use crate::protocol::ascii;
use crate::protocol::client::{Client, ManagerEvent, Output, Settings, SocketId};
use crate::protocol::engine::{
    Command, EngineConfig, Frame, TransportId, TransportKind, UpgradeMemory,
};
#[cfg(feature = "polling")]
use crate::protocol::engine_packet::PacketType;
use crate::protocol::socket::{
    Auth, EmitFlags, Outbound, SocketEvent, SocketOptions, TransportFailure,
};
use crate::protocol::uri::ServerUrl;
use crate::protocol::{DecodeError, Instant};

thread_local! {
    /// Whether the last session of this page to open did so on a WebSocket (`rememberUpgrade`).
    static PAGE_UPGRADE_MEMORY: UpgradeMemory = UpgradeMemory::default();
}

/// Where a socket's events go.
pub type EventSink = Rc<dyn Fn(SocketEvent<JsValue>)>;

/// Where the connection's own events go.
pub type ManagerSink = Rc<dyn Fn(ManagerEvent<JsValue>)>;

/// Where and how to connect.
#[derive(Debug, Clone)]
pub struct ConnectionConfig {
    /// The server.
    pub url: ServerUrl,
    /// The Engine.IO path, such as `/socket.io/`.
    pub path: String,
    /// Transports, upgrade and fallback.
    pub engine: EngineConfig,
    /// Reconnection and the open timeout.
    pub settings: Settings,
    /// Start on WebSocket if it worked before on this page (`rememberUpgrade`).
    pub remember_upgrade: bool,
    /// The URLs of polling requests.
    pub polling_url: UrlOptions,
    /// The URLs of WebSockets.
    pub websocket_url: UrlOptions,
    /// Credentials and headers of polling requests (read, and unused, in a WebSocket-only build).
    #[cfg_attr(not(feature = "polling"), allow(dead_code))]
    pub http: HttpOptions,
    /// How WebSockets are opened.
    pub websocket: WebSocketOptions,
    /// Close the transports when the page unloads (`closeOnBeforeunload`).
    pub close_on_beforeunload: bool,
}

/// How a transport's URLs are made: socket.io-client's `query`, `timestampRequests` and
/// `timestampParam`, with `transportOptions[name]` over them.
#[derive(Debug, Clone, Default)]
pub struct UrlOptions {
    /// The encoded query string; `None`: the server URL's own.
    pub query: Option<String>,
    /// `query` came from `transportOptions[name]`: socket.io-client then sends it alone,
    /// without the `EIO`, `transport` and `sid` it adds otherwise, and so does this client.
    pub whole_query: bool,
    /// The name of the cache-busting parameter, when the URLs carry one.
    pub timestamp_param: Option<String>,
    /// Ask the server for binary messages as base64 text (`b64`, with `forceBase64`); polling
    /// asks in its handshake only, as socket.io-client does.
    pub base64: bool,
}

/// How every polling request of a connection is made (socket.io-client's `withCredentials`,
/// `extraHeaders` and `requestTimeout`).
#[derive(Debug, Clone, Default)]
pub struct HttpOptions {
    /// Send cookies cross-origin (for sticky sessions behind a load balancer).
    pub with_credentials: bool,
    /// Headers added to every request.
    pub extra_headers: Vec<(String, String)>,
    /// Milliseconds after which a request fails as unanswered.
    pub timeout: Option<u32>,
}

/// A connection to one server, shared by the sockets that use it.
#[derive(Clone)]
pub struct Connection {
    inner: Rc<RefCell<Inner>>,
}

/// One transport the driver holds for the core.
enum Transport {
    WebSocket(WebSocketTransport),
    #[cfg(feature = "polling")]
    Polling {
        get: Option<HttpRequest>,
        post: Option<HttpRequest>,
        /// The session id, kept for the last POST (the close packet), which goes out after the
        /// core has let go of the session.
        sid: Option<String>,
    },
}

struct Inner {
    config: ConnectionConfig,
    client: Client<JsValue>,
    transports: Vec<(TransportId, Transport)>,
    /// POSTs of closed polling transports, kept until they finish (a client close packet).
    #[cfg(feature = "polling")]
    lingering: Vec<HttpRequest>,
    timer: Option<(Instant, Timeout)>,
    /// The `beforeunload` listener, while there are transports to close.
    unload: Option<GlobalListener>,
    /// The `offline` and `online` listeners, while the connection is open or reconnecting.
    network: Option<[GlobalListener; 2]>,
    sinks: Vec<(SocketId, EventSink)>,
    manager_sink: Option<ManagerSink>,
    requests: u32,
    /// The output queue `deliver` drained last, empty, given back to the core for the next
    /// outputs (see `Client::take_outputs`).
    spare_outputs: VecDeque<Output<JsValue>>,
}

/// Room for outputs kept between inputs (a received event makes one): the smallest a queue
/// allocates. A burst (connecting, a replay of missed packets) may leave more, which goes.
const KEPT_OUTPUTS: usize = 4;

#[cfg(feature = "polling")]
impl Drop for Inner {
    /// The last handle is gone. Every transport, request, timer and listener goes with its
    /// field (each removes its browser callbacks on drop: WebSockets close, GETs abort); the
    /// POSTs, which carry what the app sent last (a DISCONNECT, the close packet), are left to
    /// finish, unheard.
    fn drop(&mut self) {
        let posts = self
            .transports
            .iter_mut()
            .filter_map(|(_, transport)| match transport {
                Transport::Polling { post, .. } => post.take(),
                Transport::WebSocket(_) => None,
            });
        posts
            .collect::<Vec<_>>()
            .into_iter()
            .chain(self.lingering.drain(..))
            .for_each(HttpRequest::forget);
    }
}

impl Connection {
    /// A connection that opens its transport when the first socket connects.
    pub fn new(mut config: ConnectionConfig) -> Self {
        if config.remember_upgrade {
            config.engine.remember_upgrade = Some(PAGE_UPGRADE_MEMORY.with(Clone::clone));
        }
        let seed = (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64;
        let inner = Inner {
            client: Client::new(config.engine.clone(), config.settings, seed),
            config,
            transports: Vec::new(),
            #[cfg(feature = "polling")]
            lingering: Vec::new(),
            timer: None,
            unload: None,
            network: None,
            sinks: Vec::new(),
            manager_sink: None,
            requests: 0,
            spare_outputs: VecDeque::new(),
        };
        Self {
            inner: Rc::new(RefCell::new(inner)),
        }
    }

    /// Sends the connection's own events (`open`, `reconnect`...) to `sink`.
    pub fn set_manager_sink(&self, sink: ManagerSink) {
        if let Ok(mut inner) = self.inner.try_borrow_mut() {
            inner.manager_sink = Some(sink);
        }
    }

    /// Registers a socket for `nsp` (inactive until [`connect`](Self::connect)); its events go
    /// to `sink` for the connection's lifetime.
    pub fn socket(
        &self,
        nsp: &str,
        auth: Auth,
        options: SocketOptions,
        sink: EventSink,
    ) -> Option<SocketId> {
        let mut inner = self.inner.try_borrow_mut().ok()?;
        let id = inner.client.socket(nsp, auth, options);
        inner.sinks.push((id, sink));
        Some(id)
    }

    /// Opens the connection unless it is open or opening; `retry`: reconnect if that fails.
    pub fn open(&self, retry: bool) {
        self.with_client(|client| client.open(now(), retry));
    }

    /// Closes the connection for good (no reconnection).
    pub fn close(&self) {
        self.with_client(|client| client.close(now()));
    }

    /// Connects a socket (opening the connection if needed).
    pub fn connect(&self, id: SocketId) {
        self.with_client(|client| client.connect(now(), id));
    }

    /// Disconnects a socket whose handle is gone and forgets it and its sink.
    pub fn remove_socket(&self, id: SocketId) {
        if let Ok(mut inner) = self.inner.try_borrow_mut() {
            inner.sinks.retain(|(known, _)| *known != id);
        }
        self.with_client(|client| client.remove_socket(now(), id));
    }

    /// Disconnects a socket (its sink hears `io client disconnect` if it was connected).
    pub fn disconnect(&self, id: SocketId) {
        self.with_client(|client| client.disconnect(now(), id));
    }

    /// Emits (or buffers, queues or drops) an event; the ticket names its ack callback.
    pub fn emit(&self, id: SocketId, event: Outbound<JsValue>, flags: EmitFlags) -> Option<Ticket> {
        self.with_client(|client| client.emit(now(), id, event, flags))
            .flatten()
    }

    /// Whether an emit on the socket now would be written at once.
    #[cfg(feature = "js")]
    pub fn writes_now(&self, id: SocketId, volatile: bool) -> bool {
        self.read(|client| client.writes_now(now(), id, volatile))
            .unwrap_or(false)
    }

    /// Answers the server's ack request `wire`.
    pub fn ack(&self, id: SocketId, wire: u64, reply: Outbound<JsValue>) {
        self.with_client(|client| client.ack(now(), id, wire, reply));
    }

    /// The answer of a socket's auth function.
    pub fn authenticate(&self, id: SocketId, auth: Option<&str>) {
        self.with_client(|client| client.authenticate(now(), id, auth));
    }

    /// Replaces a socket's CONNECT payload for its next connection.
    pub fn set_auth(&self, id: SocketId, auth: Auth) {
        self.with_client(|client| client.set_auth(id, auth));
    }

    /// Turns the Manager's `packet` events on or off.
    #[cfg(feature = "js")]
    pub fn report_packets(&self, on: bool) {
        self.with_client(|client| client.report_packets(on));
    }

    /// The facade found a received event or ack malformed: closes with `parse error`.
    pub fn reject_packet(&self, error: DecodeError) {
        self.with_client(|client| client.reject_packet(now(), error));
    }

    /// Turns on a socket's `Sent` events (`onAnyOutgoing`).
    pub fn report_sent(&self, id: SocketId) {
        self.with_client(|client| client.report_sent(id, true));
    }

    /// Drops the emits waiting in a socket's send buffer.
    pub fn clear_send_buffer(&self, id: SocketId) {
        self.with_client(|client| client.clear_send_buffer(id));
    }

    /// Reads something off the core without acting (`None` while the core is busy).
    pub fn read<T>(&self, read: impl FnOnce(&Client<JsValue>) -> T) -> Option<T> {
        let inner = self.inner.try_borrow().ok()?;
        Some(read(&inner.client))
    }

    /// Changes the reconnection settings.
    #[cfg(feature = "js")]
    pub fn set_settings(&self, settings: Settings) {
        self.with_client(|client| client.set_settings(settings));
    }

    /// The name of the transport in use (`polling`, `websocket`), while connected.
    #[cfg(feature = "js")]
    pub fn transport_name(&self) -> Option<&'static str> {
        self.read(|client| client.transport().map(TransportKind::name))
            .flatten()
    }

    /// Runs one call on the core, then delivers its outputs (step 1 and 2 of the run loop).
    fn with_client<T>(&self, act: impl FnOnce(&mut Client<JsValue>) -> T) -> Option<T> {
        let result = act(&mut self.inner.try_borrow_mut().ok()?.client);
        deliver(&self.inner);
        Some(result)
    }
}

/// Acts on every output the core holds now, in order, calling sinks with the borrow released;
/// then re-arms the timer. Outputs of a call made from a sink are delivered by that call.
fn deliver(shared: &Rc<RefCell<Inner>>) {
    let mut outputs = match shared.try_borrow_mut() {
        Ok(mut inner) => {
            let spare = std::mem::take(&mut inner.spare_outputs);
            inner.client.take_outputs(spare)
        }
        Err(_) => return,
    };
    while let Some(output) = outputs.pop_front() {
        match output {
            Output::Transport(command) => {
                let fed_back = match shared.try_borrow_mut() {
                    Ok(mut inner) => {
                        act(&mut inner, shared, command);
                        inner.client.has_output()
                    }
                    Err(_) => false,
                };
                if fed_back {
                    // The command failed at once (a WebSocket URL refused): its outputs first.
                    deliver(shared);
                }
            }
            Output::Socket(id, event) => {
                if let Some(sink) = socket_sink(shared, id) {
                    sink(event);
                }
            }
            Output::Manager(event) => {
                let sink = shared
                    .try_borrow()
                    .ok()
                    .and_then(|i| i.manager_sink.clone());
                if let Some(sink) = sink {
                    sink(event);
                }
            }
        }
    }
    if let Ok(mut inner) = shared.try_borrow_mut() {
        // Kept only while connected: a closed connection may wait long for its JS wrapper's
        // finalizer, and a page that opens many holds all their spares until then.
        if outputs.capacity() <= KEPT_OUTPUTS && inner.client.transport().is_some() {
            inner.spare_outputs = outputs;
        }
        arm_timer(&mut inner, shared);
        watch_network(&mut inner, shared);
    }
}

fn socket_sink(shared: &Rc<RefCell<Inner>>, id: SocketId) -> Option<EventSink> {
    let inner = shared.try_borrow().ok()?;
    let (_, sink) = inner.sinks.iter().find(|(known, _)| *known == id)?;
    Some(sink.clone())
}

/// Feeds one input to the core and delivers its outputs (for browser events).
fn feed(shared: &Rc<RefCell<Inner>>, input: impl FnOnce(&mut Inner)) {
    match shared.try_borrow_mut() {
        Ok(mut inner) => input(&mut inner),
        Err(_) => return,
    }
    deliver(shared);
}

fn act(inner: &mut Inner, shared: &Rc<RefCell<Inner>>, command: Command<JsValue>) {
    match command {
        Command::Open {
            id,
            kind: TransportKind::WebSocket,
            sid,
        } => open_websocket(inner, shared, id, sid.as_deref()),
        #[cfg(feature = "polling")]
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
                    sid: None,
                },
            ));
        }
        #[cfg(feature = "polling")]
        Command::Poll(id) => start_request(inner, shared, id, None),
        #[cfg(feature = "polling")]
        Command::Post(id, frames) => start_request(inner, shared, id, Some(polling_body(&frames))),
        // The options never ask for polling in a build without it (see `Options`); should the
        // core open it anyway, it fails as a transport that cannot start.
        #[cfg(not(feature = "polling"))]
        Command::Open { id, .. } => {
            let failure = TransportFailure {
                message: "polling is not in this build",
                description: None,
                context: None,
            };
            inner.client.handle_transport_error(now(), id, failure);
        }
        #[cfg(not(feature = "polling"))]
        Command::Poll(_) | Command::Post(..) => {}
        Command::Send(id, frame) => send_frame(inner, id, &frame),
        Command::Close(id) => close_transport(inner, id),
    }
    watch_unload(inner, shared);
}

/// Listens for the page unloading while there are transports, with `closeOnBeforeunload`.
fn watch_unload(inner: &mut Inner, shared: &Rc<RefCell<Inner>>) {
    let wanted = inner.config.close_on_beforeunload && !inner.transports.is_empty();
    if wanted != inner.unload.is_some() {
        let weak = Rc::downgrade(shared);
        inner.unload = wanted
            .then(|| GlobalListener::new("beforeunload", move || on_unload(&weak)))
            .flatten();
    }
}

/// Listens for the browser's `offline` and `online` events while the connection is open or
/// reconnecting. As socket.io-client does, not for a server on `localhost`, where a page under
/// development keeps working offline.
fn watch_network(inner: &mut Inner, shared: &Rc<RefCell<Inner>>) {
    let wanted = inner.config.url.host != "localhost" && !inner.client.is_idle();
    if wanted != inner.network.is_some() {
        inner.network = wanted.then(|| network_listeners(shared)).flatten();
    }
}

fn network_listeners(shared: &Rc<RefCell<Inner>>) -> Option<[GlobalListener; 2]> {
    let (offline, online) = (Rc::downgrade(shared), Rc::downgrade(shared));
    let on_offline = move || on_network(&offline, |client, at| client.handle_offline(at));
    let on_online = move || on_network(&online, |client, at| client.handle_online(at));
    Some([
        GlobalListener::new("offline", on_offline)?,
        GlobalListener::new("online", on_online)?,
    ])
}

fn on_network(weak: &Weak<RefCell<Inner>>, input: impl FnOnce(&mut Client<JsValue>, Instant)) {
    if let Some(shared) = weak.upgrade() {
        feed(&shared, |inner| input(&mut inner.client, now()));
    }
}

/// The page is unloading: each transport closes as socket.io-client's does, unheard by the core
/// (there is no one left to tell). Polling sends its close packet and leaves its requests
/// running, so that the server reads the close before the page cuts them; a WebSocket closes as
/// it is dropped. Should the page stay after all, the session ends by its heartbeat, as in
/// socket.io-client.
fn on_unload(weak: &Weak<RefCell<Inner>>) {
    let Some(shared) = weak.upgrade() else { return };
    let Ok(mut inner) = shared.try_borrow_mut() else {
        return;
    };
    let transports = std::mem::take(&mut inner.transports);
    #[cfg(feature = "polling")]
    leave_polling(&mut inner, transports);
    #[cfg(not(feature = "polling"))]
    drop(transports);
}

/// Polling's part of [`on_unload`]: the close packet, and the requests left running.
#[cfg(feature = "polling")]
fn leave_polling(inner: &mut Inner, transports: Vec<(TransportId, Transport)>) {
    let sid = inner.client.sid();
    for (_, transport) in transports {
        if let Transport::Polling { get, post, .. } = transport {
            if let Some(sid) = &sid {
                let url = transport_url(inner, TransportKind::Polling, Some(sid));
                let close = polling_body(&[Frame::control(PacketType::Close, "")]);
                let sent = HttpRequest::post(&url, &close, &inner.config.http, |_| {});
                sent.into_iter().for_each(HttpRequest::forget);
            }
            get.into_iter().chain(post).for_each(HttpRequest::forget);
        }
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
    let options = &inner.config.websocket;
    match WebSocketTransport::open(&url, options, move |at, event| {
        on_websocket_event(&weak, id, at, event)
    }) {
        Ok(socket) => inner.transports.push((id, Transport::WebSocket(socket))),
        Err(_) => inner
            .client
            .handle_transport_error(now(), id, websocket_failure(None)),
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
    if !sent {
        inner
            .client
            .handle_transport_error(now(), id, websocket_failure(None));
    }
}

/// Starts the GET (no body) or the POST of polling transport `id`.
#[cfg(feature = "polling")]
fn start_request(
    inner: &mut Inner,
    shared: &Rc<RefCell<Inner>>,
    id: TransportId,
    body: Option<JsValue>,
) {
    // A transport keeps the sid of its session: a retiring session's last POST (its close
    // packet, behind a busy POST) may start after the next session opened, and must not carry
    // the new sid (the server would close the new session).
    let sid = match (inner.client.sid(), transport_mut(inner, id)) {
        (
            _,
            Some(Transport::Polling {
                sid: Some(kept), ..
            }),
        ) => Some(kept.clone()),
        (Some(sid), Some(Transport::Polling { sid: kept, .. })) => {
            *kept = Some(sid.clone());
            Some(sid)
        }
        (sid, _) => sid,
    };
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
        (Ok(request), Some(Transport::Polling { get, post, .. })) => {
            *(if is_post { post } else { get }) = Some(request);
        }
        (Ok(_), _) => {}
        (Err(failure), _) => inner.client.handle_transport_error(now(), id, failure),
    }
}

fn close_transport(inner: &mut Inner, id: TransportId) {
    let Some(index) = inner.transports.iter().position(|(known, _)| *known == id) else {
        return;
    };
    let (_, transport) = inner.transports.remove(index);
    #[cfg(feature = "polling")]
    if let Transport::Polling {
        post: Some(post), ..
    } = transport
    {
        // The last POST may carry the close packet: let it finish; the GET is aborted.
        inner.lingering.retain(HttpRequest::is_pending);
        inner.lingering.push(post);
    }
    #[cfg(not(feature = "polling"))]
    drop(transport);
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
    let options = match websocket {
        true => &config.websocket_url,
        false => &config.polling_url,
    };
    let query = options.query.as_deref().unwrap_or(&config.url.query);
    let mut url = match options.whole_query {
        true => config.url.url_with_query(websocket, &config.path, query),
        false => config
            .url
            .transport_url(websocket, &config.path, query, sid),
    };
    if let Some(param) = &options.timestamp_param {
        inner.requests = inner.requests.wrapping_add(1);
        push_param(&mut url, param, &cache_buster(inner.requests));
    }
    if options.base64 && (websocket || sid.is_none()) {
        push_param(&mut url, "b64", "1");
    }
    url
}

/// Appends `name=value` to a URL's query (`name` and `value` need no encoding).
fn push_param(url: &mut String, name: &str, value: &str) {
    url.push(if ascii::find(url, b'?').is_some() {
        '&'
    } else {
        '?'
    });
    url.push_str(name);
    url.push('=');
    url.push_str(value);
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

/// A WebSocket failure; `event`: the browser's `error` event, when it reported one.
fn websocket_failure(event: Option<JsValue>) -> TransportFailure<JsValue> {
    TransportFailure {
        message: "websocket error",
        description: event,
        context: None,
    }
}

fn on_websocket_event(
    weak: &Weak<RefCell<Inner>>,
    id: TransportId,
    at: Instant,
    event: TransportEvent<'_>,
) {
    let Some(shared) = weak.upgrade() else { return };
    feed(&shared, |inner| {
        let client = &mut inner.client;
        match event {
            TransportEvent::Open => client.handle_transport_open(at, id),
            TransportEvent::Text { frame, head } => client.handle_text(at, id, head, frame),
            TransportEvent::Binary(data) => client.handle_binary(at, id, data),
            TransportEvent::Error(event) => {
                client.handle_transport_error(at, id, websocket_failure(Some(event)))
            }
            TransportEvent::Close(event) => client.handle_transport_close(at, id, Some(event)),
        }
    });
}

#[cfg(feature = "polling")]
fn on_request_done(
    weak: &Weak<RefCell<Inner>>,
    id: TransportId,
    is_post: bool,
    outcome: RequestOutcome,
) {
    let Some(shared) = weak.upgrade() else { return };
    feed(&shared, |inner| {
        inner.lingering.retain(HttpRequest::is_pending);
        if let Some(Transport::Polling { get, post, .. }) = transport_mut(inner, id) {
            // The request has finished: dropping it now only releases its callbacks.
            *(if is_post { post } else { get }) = None;
        }
        let client = &mut inner.client;
        match (outcome, is_post) {
            (RequestOutcome::Done(_), true) => client.handle_post_done(now(), id),
            (RequestOutcome::Done(body), false) => {
                let body = JsValue::from(body);
                client.handle_poll_response(now(), id, rust_string(&body), body)
            }
            (RequestOutcome::Failed(failure), _) => {
                client.handle_transport_error(now(), id, failure)
            }
        }
    });
    let mut more = true;
    while more {
        more = false;
        feed(&shared, |inner| more = inner.client.continue_body(now()));
    }
}

/// Keeps exactly one browser timer, armed for the core's next deadline.
fn arm_timer(inner: &mut Inner, shared: &Rc<RefCell<Inner>>) {
    let deadline = inner.client.poll_timeout();
    if inner.timer.as_ref().map(|(at, _)| *at) == deadline {
        return;
    }
    inner.timer = deadline.map(|at| {
        let weak = Rc::downgrade(shared);
        let timeout = Timeout::new(timer_delay(at.since(now())), move || on_timer(&weak));
        (at, timeout)
    });
}

/// The delay to give `setTimeout`: browsers store it as a signed 32-bit integer and fire at once
/// when it is larger (about 24.8 days), so a far deadline (an absurd `pingInterval` from the
/// server) would otherwise spin the run loop. Clamped, the timer fires early, the core finds
/// nothing due and the timer is armed again.
fn timer_delay(delay: Duration) -> u32 {
    const MAX_DELAY_MS: u32 = i32::MAX as u32;
    u32::try_from(delay.as_millis()).map_or(MAX_DELAY_MS, |ms| ms.min(MAX_DELAY_MS))
}

fn on_timer(weak: &Weak<RefCell<Inner>>) {
    let Some(shared) = weak.upgrade() else { return };
    feed(&shared, |inner| {
        inner.timer = None;
        inner.client.handle_timeout(now());
    });
}
