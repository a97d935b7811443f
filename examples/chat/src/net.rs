//! The link to the chat server, on the socketio-wasm Rust API: one Manager, the sockets of
//! `/` and `/admin` on its one connection, typed listeners that hand each event to the app,
//! and the emits the page makes. The only part of the example that knows Socket.IO.

use std::rc::Weak;

use serde::Serialize;
use socketio_wasm::{Listener, Manager, Socket, StateChange, Transport};

use crate::{App, ChatLine, Connection, Me, Presence, RoomInfo, Stats};

/// The sockets and their listeners (removed when dropped).
pub struct Link {
    socket: Socket,
    _admin: Socket,
    _listeners: Vec<Listener>,
}

#[derive(Serialize)]
struct Outgoing<'a> {
    room: &'a str,
    text: &'a str,
}

#[derive(serde::Deserialize)]
struct Rejected {
    reason: String,
}

impl Link {
    /// Connects to the server the page came from.
    pub fn connect(app: Weak<App>) -> Result<Self, String> {
        let manager = Manager::builder("/").build().map_err(|e| e.to_string())?;
        let socket = manager.socket("/");
        let admin = manager.socket("/admin");
        let listeners = vec![
            on_state(&socket, &app),
            socket.on_upgrade({
                let (app, socket) = (app.clone(), socket.downgrade());
                move |_| show_connected(&app, socket.upgrade().as_ref())
            }),
            socket.on("you", with(&app, |app, me: Me| app.you(me))),
            socket.on(
                "rooms",
                with(&app, |app, rooms: Vec<RoomInfo>| app.rooms(rooms)),
            ),
            socket.on(
                "rejected",
                with(&app, |app, r: Rejected| app.rejected(&r.reason)),
            ),
            socket.on("joined", with(&app, |app, who: Presence| app.joined(&who))),
            socket.on("left", with(&app, |app, who: Presence| app.left(&who))),
            socket.on("chat", with(&app, |app, line: ChatLine| app.chat(&line))),
            socket.on("typing", {
                let app = app.clone();
                move |who: Presence| {
                    if let Some(app) = app.upgrade() {
                        app.typing(who);
                    }
                }
            }),
            admin.on("stats", with(&app, |app, stats: Stats| app.stats(&stats))),
        ];
        Ok(Self {
            socket,
            _admin: admin,
            _listeners: listeners,
        })
    }

    /// Picks our nickname.
    pub fn nick(&self, nick: &str) {
        self.send("nick", nick);
    }

    /// Joins `room` (creating it if nobody is in it).
    pub fn join(&self, room: &str) {
        self.send("join", room);
    }

    /// Leaves `room`.
    pub fn leave(&self, room: &str) {
        self.send("leave", room);
    }

    /// Says `text` in `room` (buffered by the client while offline).
    pub fn chat(&self, room: &str, text: &str) {
        self.send("chat", &Outgoing { room, text });
    }

    /// Tells `room` that we are typing; dropped rather than sent late when the connection
    /// cannot take it now (a volatile emit).
    pub fn typing(&self, room: &str) {
        if let Err(error) = self.socket.volatile().emit("typing", room) {
            log(&error.to_string());
        }
    }

    /// Who we are, sent as `auth` when the connection comes back so that the server restores
    /// it before the messages buffered meanwhile.
    pub fn remember(&self, me: &Me) {
        if let Err(error) = self.socket.set_auth(me) {
            log(&error.to_string());
        }
    }

    fn send<T: Serialize + ?Sized>(&self, event: &str, data: &T) {
        if let Err(error) = self.socket.emit(event, data) {
            log(&error.to_string());
        }
    }
}

/// A typed listener that hands its value to the app while the app lives.
fn with<T>(app: &Weak<App>, mut call: impl FnMut(&App, T) + 'static) -> impl FnMut(T) + 'static
where
    T: 'static,
{
    let app = app.clone();
    move |value| {
        if let Some(app) = app.upgrade() {
            call(&app, value);
        }
    }
}

/// The status line follows the socket's state: connect errors while connecting, reconnection
/// attempts, disconnections, and the transport once connected.
fn on_state(socket: &Socket, app: &Weak<App>) -> Listener {
    let (app, weak) = (app.clone(), socket.downgrade());
    let mut connecting = true;
    socket.on_state(move |change| {
        let Some(page) = app.upgrade() else { return };
        match change {
            StateChange::Connected { .. } => {
                connecting = false;
                show_connected(&app, weak.upgrade().as_ref());
            }
            StateChange::ConnectFailed(error) if connecting => {
                page.connection(&Connection::Connecting(error.to_string()));
            }
            StateChange::Disconnected(reason) => {
                page.connection(&Connection::Offline(reason.as_str().to_owned()));
            }
            StateChange::Reconnecting(attempt) => {
                page.connection(&Connection::Reconnecting(*attempt));
            }
            _ => {}
        }
    })
}

/// "connected over <transport> (<id>)", when the socket is connected.
fn show_connected(app: &Weak<App>, socket: Option<&Socket>) {
    let (Some(app), Some(socket)) = (app.upgrade(), socket) else {
        return;
    };
    let (Some(id), Some(transport)) = (socket.id(), socket.transport()) else {
        return;
    };
    let transport = match transport {
        Transport::Polling => "polling",
        Transport::WebSocket => "websocket",
    };
    app.connection(&Connection::Connected { transport, id });
}

fn log(message: &str) {
    web_sys::console::error_1(&message.into());
}
