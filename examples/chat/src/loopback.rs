//! The link without a server (the crate without its feature `client`): the page's own
//! messages come straight back, in one room. It has `net`'s interface so that the page is the
//! same program minus the Socket.IO client, which is what `scripts/example.sh` measures.

use std::cell::RefCell;
use std::rc::Weak;

use crate::{App, ChatLine, Connection, Me, Presence, RoomInfo};

/// Who we are, and the app to tell.
pub struct Link {
    app: Weak<App>,
    me: RefCell<Me>,
}

impl Link {
    /// Nothing to connect to.
    pub fn connect(app: Weak<App>) -> Result<Self, String> {
        if let Some(page) = app.upgrade() {
            page.connection(&Connection::Connected {
                transport: "loopback",
                id: String::from("local"),
            });
        }
        Ok(Self {
            app,
            me: RefCell::default(),
        })
    }

    /// Takes `nick` and joins the lobby.
    pub fn nick(&self, nick: &str) {
        self.me.borrow_mut().nick = Some(nick.to_owned());
        self.join("lobby");
    }

    /// Joins `room`.
    pub fn join(&self, room: &str) {
        let me = {
            let mut me = self.me.borrow_mut();
            me.rooms.push(room.to_owned());
            me.clone()
        };
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let rooms = me.rooms.iter().map(|name| RoomInfo {
            name: name.clone(),
            members: 1,
        });
        app.rooms(rooms.collect());
        app.you(me.clone());
        let nick = me.nick.unwrap_or_default();
        app.joined(&Presence {
            room: room.to_owned(),
            nick,
        });
    }

    /// Leaves `room`.
    pub fn leave(&self, room: &str) {
        let me = {
            let mut me = self.me.borrow_mut();
            me.rooms.retain(|name| name != room);
            me.clone()
        };
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let nick = me.nick.clone().unwrap_or_default();
        app.left(&Presence {
            room: room.to_owned(),
            nick,
        });
        app.you(me);
    }

    /// Says `text` in `room`: it comes straight back.
    pub fn chat(&self, room: &str, text: &str) {
        let nick = self.me.borrow().nick.clone().unwrap_or_default();
        if let Some(app) = self.app.upgrade() {
            app.chat(&ChatLine {
                room: room.to_owned(),
                nick,
                text: text.to_owned(),
                time: js_sys::Date::now(),
            });
        }
    }

    /// Nobody to tell.
    pub fn typing(&self, _room: &str) {}

    /// Nothing to remember it for.
    pub fn remember(&self, _me: &Me) {}
}
