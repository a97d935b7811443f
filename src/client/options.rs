//! The Manager's options with socket.io-client's defaults, and the builder that sets them.
//!
//! [`Options`] is the one owner of every default: the JavaScript facade starts from
//! [`Options::default`] and overrides what `io(url, opts)` names; the Rust builder does the same
//! with its methods. The reconnection and transport defaults themselves stay with the core
//! types they configure ([`Settings`], [`EngineConfig`], [`BackoffConfig`]).

use std::time::Duration;

use super::auth::AuthSource;
use super::error::ClientError;
use super::manager::Manager;
use crate::driver::{page_location, ConnectionConfig, HttpOptions, UrlOptions, WebSocketOptions};
use crate::protocol::client::Settings;
use crate::protocol::engine::{EngineConfig, TransportKind};
use crate::protocol::socket::SocketOptions;
use crate::protocol::uri::{encode_query, engine_path, Location, ServerUrl};

/// The parameter that carries the cache-busting timestamp (`timestampParam`).
pub(crate) const DEFAULT_TIMESTAMP_PARAM: &str = "t";

/// A Manager's options, defaulted as in socket.io-client.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// `path`, before [`engine_path`] normalises it.
    pub path: String,
    /// `addTrailingSlash`.
    pub add_trailing_slash: bool,
    /// `retries` and `ackTimeout`.
    pub socket: SocketOptions,
    /// Reconnection and the open `timeout`.
    pub settings: Settings,
    /// `autoConnect`.
    pub auto_connect: bool,
    /// `transports`, `upgrade`, `tryAllTransports`.
    pub engine: EngineConfig,
    /// `rememberUpgrade`.
    pub remember_upgrade: bool,
    /// Polling's `query`, `timestampRequests`, `timestampParam` and `forceBase64`.
    pub polling_url: UrlOptions,
    /// The WebSocket's `query`, `timestampRequests`, `timestampParam` and `forceBase64`.
    pub websocket_url: UrlOptions,
    /// Polling's `withCredentials`, `extraHeaders` and `requestTimeout`.
    pub http: HttpOptions,
    /// `protocols` and `forceBase64`.
    pub websocket: WebSocketOptions,
    /// `closeOnBeforeunload`.
    pub close_on_beforeunload: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            path: String::from("/socket.io"),
            add_trailing_slash: true,
            socket: SocketOptions::default(),
            settings: Settings::default(),
            auto_connect: true,
            engine: EngineConfig {
                transports: usable_transports(EngineConfig::default().transports)
                    .unwrap_or_default(),
                ..EngineConfig::default()
            },
            remember_upgrade: false,
            // socket.io-client stamps polling URLs unless told not to, WebSocket URLs only when
            // told to.
            polling_url: UrlOptions {
                timestamp_param: Some(String::from(DEFAULT_TIMESTAMP_PARAM)),
                ..UrlOptions::default()
            },
            websocket_url: UrlOptions::default(),
            http: HttpOptions::default(),
            websocket: WebSocketOptions::default(),
            close_on_beforeunload: false,
        }
    }
}

impl Options {
    /// The Engine.IO path as requested (`/socket.io/`).
    pub fn engine_path(&self) -> String {
        engine_path(&self.path, self.add_trailing_slash)
    }

    /// What the driver needs to connect to `url`.
    pub fn connection_config(&self, url: ServerUrl) -> ConnectionConfig {
        ConnectionConfig {
            url,
            path: self.engine_path(),
            engine: self.engine.clone(),
            settings: self.settings,
            remember_upgrade: self.remember_upgrade,
            polling_url: self.polling_url.clone(),
            websocket_url: self.websocket_url.clone(),
            http: self.http.clone(),
            websocket: self.websocket.clone(),
            close_on_beforeunload: self.close_on_beforeunload,
        }
    }
}

/// The server and namespace of `url`, resolved against the page's location as
/// socket.io-client does (`None`: the page's own server).
pub(crate) fn resolve_url(url: Option<&str>) -> Result<ServerUrl, crate::protocol::uri::UrlError> {
    let page = page_location();
    let location = page
        .as_ref()
        .map(|(protocol, host)| Location { protocol, host });
    ServerUrl::resolve(url, location)
}

/// `transports` without those this build lacks (polling, without the cargo feature `polling`),
/// in the same order; `None` when none is left.
pub(crate) fn usable_transports(mut kinds: Vec<TransportKind>) -> Option<Vec<TransportKind>> {
    kinds.retain(|kind| cfg!(feature = "polling") || *kind != TransportKind::Polling);
    (!kinds.is_empty()).then_some(kinds)
}

/// A transport, for [`ManagerBuilder::transports`] and [`Socket::transport`](super::Socket::transport).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// HTTP long-polling.
    Polling,
    /// WebSocket.
    WebSocket,
}

impl From<TransportKind> for Transport {
    fn from(kind: TransportKind) -> Self {
        match kind {
            TransportKind::Polling => Self::Polling,
            TransportKind::WebSocket => Self::WebSocket,
        }
    }
}

/// Sets a [`Manager`]'s options; made by [`Manager::builder`]. Every option not set keeps
/// socket.io-client's default.
#[derive(Debug, Clone)]
#[must_use]
pub struct ManagerBuilder {
    url: String,
    options: Options,
    auth: AuthSource,
    error: Option<ClientError>,
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

impl ManagerBuilder {
    pub(crate) fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            options: Options::default(),
            auth: AuthSource::default(),
            error: None,
        }
    }

    /// Connects the builder's sockets as soon as they are made (`autoConnect`, default true).
    pub fn auto_connect(mut self, on: bool) -> Self {
        self.options.auto_connect = on;
        self
    }

    /// The Engine.IO path on the server (`path`, default `/socket.io`).
    pub fn path(mut self, path: &str) -> Self {
        path.clone_into(&mut self.options.path);
        self
    }

    /// Whether the path gets a trailing slash (`addTrailingSlash`, default true).
    pub fn add_trailing_slash(mut self, on: bool) -> Self {
        self.options.add_trailing_slash = on;
        self
    }

    /// Reconnects after a lost connection (`reconnection`, default true).
    pub fn reconnection(mut self, on: bool) -> Self {
        self.options.settings.reconnection = on;
        self
    }

    /// Gives up after this many attempts (`reconnectionAttempts`, default unlimited).
    pub fn reconnection_attempts(mut self, attempts: u32) -> Self {
        self.options.settings.reconnection_attempts = attempts;
        self
    }

    /// The first reconnection delay (`reconnectionDelay`, default 1 s).
    pub fn reconnection_delay(mut self, delay: Duration) -> Self {
        self.options.settings.backoff.min = millis(delay);
        self
    }

    /// The longest reconnection delay (`reconnectionDelayMax`, default 5 s).
    pub fn reconnection_delay_max(mut self, delay: Duration) -> Self {
        self.options.settings.backoff.max = millis(delay);
        self
    }

    /// How much each delay varies at random (`randomizationFactor`, default 0.5).
    pub fn randomization_factor(mut self, factor: f64) -> Self {
        self.options.settings.backoff.jitter = factor;
        self
    }

    /// How long opening a connection may take (`timeout`, default 20 s; `None`: forever).
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.options.settings.timeout = timeout.map(millis);
        self
    }

    /// The transports to use, in order (`transports`, default polling then WebSocket).
    pub fn transports(mut self, transports: &[Transport]) -> Self {
        let mut kinds = Vec::new();
        for transport in transports {
            let kind = match transport {
                Transport::Polling => TransportKind::Polling,
                Transport::WebSocket => TransportKind::WebSocket,
            };
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        match usable_transports(kinds) {
            Some(kinds) => self.options.engine.transports = kinds,
            None => {
                self.error = Some(ClientError::InvalidOption(
                    match cfg!(feature = "polling") {
                        true => "transports must not be empty",
                        false => "transports must include WebSocket (polling is not in this build)",
                    },
                ))
            }
        }
        self
    }

    /// Upgrades from polling to WebSocket (`upgrade`, default true).
    pub fn upgrade(mut self, on: bool) -> Self {
        self.options.engine.upgrade = on;
        self
    }

    /// Starts on WebSocket if it worked before on this page (`rememberUpgrade`, default false).
    pub fn remember_upgrade(mut self, on: bool) -> Self {
        self.options.remember_upgrade = on;
        self
    }

    /// Tries the next transport when one fails to open (`tryAllTransports`, default false).
    pub fn try_all_transports(mut self, on: bool) -> Self {
        self.options.engine.try_all = on;
        self
    }

    /// Query parameters added to every request (`query`).
    pub fn query<'a>(mut self, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let query = Some(encode_query(pairs));
        self.options.polling_url.query.clone_from(&query);
        self.options.websocket_url.query = query;
        self
    }

    /// Headers added to polling requests (`extraHeaders`).
    pub fn extra_headers<'a>(
        mut self,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        self.options.http.extra_headers = pairs
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect();
        self
    }

    /// Sends cookies with cross-origin polling requests (`withCredentials`, default false).
    pub fn with_credentials(mut self, on: bool) -> Self {
        self.options.http.with_credentials = on;
        self
    }

    /// Fails a polling request unanswered after this long (`requestTimeout`, default none).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        let ms = u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX);
        self.options.http.timeout = (ms > 0).then_some(ms);
        self
    }

    /// The WebSocket subprotocols offered to the server (`protocols`).
    pub fn protocols<'a>(mut self, protocols: impl IntoIterator<Item = &'a str>) -> Self {
        self.options.websocket.protocols = protocols.into_iter().map(str::to_owned).collect();
        self
    }

    /// Closes the connection when the page unloads (`closeOnBeforeunload`, default false).
    pub fn close_on_beforeunload(mut self, on: bool) -> Self {
        self.options.close_on_beforeunload = on;
        self
    }

    /// Resends each emit until acknowledged, at most this many times more (`retries`; with the
    /// cargo feature `retries`, a default one).
    #[cfg(feature = "retries")]
    pub fn retries(mut self, retries: u32) -> Self {
        self.options.socket.retries = Some(retries);
        self
    }

    /// The default timeout of [`Socket::emit_with_ack`](super::Socket::emit_with_ack)
    /// (`ackTimeout`, default none: wait until the socket disconnects).
    pub fn ack_timeout(mut self, timeout: Duration) -> Self {
        self.options.socket.ack_timeout = Some(millis(timeout));
        self
    }

    /// The `auth` payload sent with every CONNECT of this Manager's sockets.
    pub fn auth<T: serde::Serialize + ?Sized>(mut self, auth: &T) -> Self {
        match super::payload::to_json_text(auth) {
            Ok(json) => self.auth = AuthSource::Fixed(Some(json)),
            Err(error) => self.error = Some(error),
        }
        self
    }

    /// A function asked for the `auth` payload before every CONNECT of this Manager's
    /// sockets, the first and each reconnection's (socket.io-client's `auth: (cb) => cb(data)`),
    /// such as one that hands out a fresh token each time. It replaces [`auth`](Self::auth).
    ///
    /// It is called synchronously when the connection is open, with no borrow held (it may use
    /// the socket). An answer that cannot be written as JSON is logged to the console and that
    /// CONNECT carries no payload.
    ///
    /// ```no_run
    /// # use socketio_wasm::Manager;
    /// let mut issued = 0;
    /// let manager = Manager::builder("https://chat.example")
    ///     .auth_with(move || {
    ///         issued += 1;
    ///         serde_json::json!({ "token": format!("token-{issued}") })
    ///     })
    ///     .build()?;
    /// # Ok::<(), socketio_wasm::ClientError>(())
    /// ```
    pub fn auth_with<T: serde::Serialize>(mut self, auth: impl FnMut() -> T + 'static) -> Self {
        self.auth = AuthSource::asked(auth);
        self
    }

    /// The Manager (nothing opens until a socket connects, or at once with `autoConnect`).
    pub fn build(self) -> Result<Manager, ClientError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let url = resolve_url(Some(&self.url)).map_err(ClientError::Url)?;
        Ok(Manager::create(url, self.options, self.auth))
    }
}
