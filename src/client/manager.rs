//! `Manager`: one connection to a server, shared by the sockets of its namespaces
//! (multiplexing), with socket.io-client's reconnection.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use super::auth::AuthSource;
use super::options::{ManagerBuilder, Options, Transport};
use super::socket::{Socket, SocketInner};
use super::state::StateChange;
use crate::driver::{Connection, ManagerSink};
use crate::protocol::client::ManagerEvent;
use crate::protocol::uri::ServerUrl;

/// What a Manager's handles and sockets share. The connection closes when the last of them
/// is dropped.
pub(crate) struct ManagerShared {
    pub(crate) connection: Connection,
    options: Options,
    auth: AuthSource,
    /// The live socket of each namespace.
    sockets: RefCell<Vec<(String, Weak<SocketInner>)>>,
}

/// A connection to one server (socket.io-client's `Manager`); [`socket`](Self::socket) makes
/// the sockets that share it. Clones are handles to the same Manager.
#[derive(Clone)]
pub struct Manager {
    shared: Rc<ManagerShared>,
}

impl core::fmt::Debug for Manager {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Manager").finish_non_exhaustive()
    }
}

impl Manager {
    /// Sets the options of a Manager for `url` (the URL's path, the namespace, is ignored).
    pub fn builder(url: &str) -> ManagerBuilder {
        ManagerBuilder::new(url)
    }

    pub(crate) fn create(url: ServerUrl, options: Options, auth: AuthSource) -> Self {
        let shared = Rc::new(ManagerShared {
            connection: Connection::new(options.connection_config(url)),
            options,
            auth,
            sockets: RefCell::new(Vec::new()),
        });
        let weak = Rc::downgrade(&shared);
        let sink: ManagerSink = Rc::new(move |event| {
            if let Some(shared) = weak.upgrade() {
                shared.on_event(&event);
            }
        });
        shared.connection.set_manager_sink(sink);
        if shared.options.auto_connect {
            shared.connection.open(true);
        }
        Self { shared }
    }

    /// The socket of namespace `nsp` (the live one, if there is one), connecting at once
    /// unless `autoConnect` is off.
    pub fn socket(&self, nsp: &str) -> Socket {
        if let Some(socket) = self.live_socket(nsp) {
            return socket;
        }
        let options = self.shared.options.socket.clone();
        let socket = Socket::new(self.shared.clone(), nsp, &self.shared.auth, options);
        if let Ok(mut sockets) = self.shared.sockets.try_borrow_mut() {
            sockets.retain(|(_, weak)| weak.strong_count() > 0);
            sockets.push((nsp.to_owned(), socket.downgrade_inner()));
        }
        if self.shared.options.auto_connect {
            socket.connect();
        }
        socket
    }

    fn live_socket(&self, nsp: &str) -> Option<Socket> {
        let sockets = self.shared.sockets.try_borrow().ok()?;
        let (_, weak) = sockets.iter().find(|(known, _)| known == nsp)?;
        weak.upgrade().map(Socket::from_inner)
    }

    /// Opens the connection unless it is open or opening (sockets connect on their own).
    pub fn open(&self) {
        self.shared.connection.open(true);
    }

    /// Closes the connection for good: its sockets disconnect with `ForcedClose`.
    pub fn close(&self) {
        self.shared.connection.close();
    }
}

impl ManagerShared {
    /// Tells every live socket what the connection did, where it is a socket's state or an
    /// upgrade.
    fn on_event(&self, event: &ManagerEvent<wasm_bindgen::JsValue>) {
        let change = match event {
            ManagerEvent::ReconnectAttempt(n) => StateChange::Reconnecting(*n),
            ManagerEvent::Reconnect(n) => StateChange::Reconnected(*n),
            ManagerEvent::ReconnectFailed => StateChange::ReconnectFailed,
            ManagerEvent::Upgrade(kind) => {
                let transport = Transport::from(*kind);
                self.live_sockets()
                    .iter()
                    .for_each(|socket| socket.on_upgrade(transport));
                return;
            }
            _ => return,
        };
        for socket in self.live_sockets() {
            socket.on_state(&change);
        }
    }

    fn live_sockets(&self) -> Vec<Rc<SocketInner>> {
        match self.sockets.try_borrow() {
            Ok(sockets) => sockets.iter().filter_map(|(_, w)| w.upgrade()).collect(),
            Err(_) => Vec::new(),
        }
    }
}

impl Drop for ManagerShared {
    fn drop(&mut self) {
        // Nothing uses the connection any more: end the session, as a closed page would.
        self.connection.close();
    }
}
