//! The demo chat of `www/` (nickname, rooms with join and leave notices and member counts,
//! who is typing, the `/admin` live counts, the connection's state) written in Rust with wasm-bindgen and
//! web-sys, on the socketio-wasm Rust API, against the same server (`www/server.mjs`, whose
//! header is the protocol).
//!
//! Three parts: this file holds the page's state and draws it; `net` is the only part that
//! knows Socket.IO (the crate's feature `client`); `dom` creates and finds elements. What
//! users type is only ever written with `textContent`, never parsed as HTML.
//!
//! Without the feature `client`, `net` is a local loopback with the same interface, so the
//! page is the same program minus the client: the build `scripts/example.sh` measures.

use std::cell::{OnceCell, RefCell};
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlButtonElement, HtmlElement, HtmlInputElement};

mod dom;
#[cfg(feature = "client")]
mod net;
#[cfg(not(feature = "client"))]
#[path = "loopback.rs"]
mod net;

use dom::{element, find, Listeners};

/// At most one "typing" event per this many ms while typing.
const TYPING_EVERY: f64 = 1000.0;
/// A typing notice goes away this many ms after it came, unless renewed.
const TYPING_SHOWN: u32 = 3000;

/// This connection's nickname and rooms, as the server last said ("you"); sent back as the
/// `auth` of every reconnection so the server restores them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Me {
    nick: Option<String>,
    rooms: Vec<String>,
}

/// A room and how many are in it ("rooms").
#[derive(Debug, Clone, Deserialize)]
pub struct RoomInfo {
    name: String,
    members: u32,
}

/// Somebody joined or left a room, or is typing in it ("joined", "left", "typing").
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Presence {
    room: String,
    nick: String,
}

/// A chat message ("chat"); `time` in ms since the epoch.
#[derive(Debug, Clone, Deserialize)]
pub struct ChatLine {
    room: String,
    nick: String,
    text: String,
    time: f64,
}

/// The live counts of the `/admin` namespace ("stats").
#[derive(Debug, Clone, Deserialize)]
pub struct Stats {
    users: u32,
    rooms: u32,
}

/// Where the connection stands, as the status line shows it.
#[derive(Debug, Clone)]
pub enum Connection {
    /// Not connected yet, and the last attempt failed with this error (the page starts as
    /// plain "connecting").
    Connecting(String),
    /// Connected over this transport, with this id.
    Connected {
        /// `polling` or `websocket`.
        transport: &'static str,
        /// The Socket.IO id.
        id: String,
    },
    /// Trying again (attempt number, from 1).
    Reconnecting(u32),
    /// Disconnected, and why.
    Offline(String),
}

/// The page's elements.
struct Ui {
    status: HtmlElement,
    stats: HtmlElement,
    notice: HtmlElement,
    nick: HtmlInputElement,
    set_nick: HtmlButtonElement,
    messages: Element,
    typing: HtmlElement,
    send_room: HtmlElement,
    message: HtmlInputElement,
    send: HtmlButtonElement,
    rooms: Element,
    room: HtmlInputElement,
    join_room: HtmlButtonElement,
}

/// Somebody typing in a room, until the timer ends it.
struct Typist {
    who: Presence,
    _expiry: Timeout,
}

#[derive(Default)]
struct State {
    me: Me,
    /// The room messages go to.
    current: Option<String>,
    rooms: Vec<RoomInfo>,
    /// Who is typing, in the order they started.
    typists: Vec<Typist>,
    /// When we last sent "typing" (ms since the epoch; 0: not since our last message).
    last_typing: f64,
}

/// The chat page: its elements, its state and its link to the server.
pub struct App {
    ui: Ui,
    state: RefCell<State>,
    net: OnceCell<net::Link>,
    listeners: RefCell<Listeners>,
}

thread_local! {
    /// The page's app, alive as long as the page.
    static APP: RefCell<Option<Rc<App>>> = const { RefCell::new(None) };
}

/// Finds the page's elements, connects, and wires the forms.
#[wasm_bindgen(start)]
pub fn start() -> Result<(), JsValue> {
    let ui = Ui {
        status: find("status")?,
        stats: find("stats")?,
        notice: find("notice")?,
        nick: find("nick")?,
        set_nick: find("set-nick")?,
        messages: find("messages")?,
        typing: find("typing")?,
        send_room: find("send-room")?,
        message: find("message")?,
        send: find("send")?,
        rooms: find("rooms")?,
        room: find("room")?,
        join_room: find("join-room")?,
    };
    let app = Rc::new(App {
        ui,
        state: RefCell::default(),
        net: OnceCell::new(),
        listeners: RefCell::default(),
    });
    let link = net::Link::connect(Rc::downgrade(&app)).map_err(|e| JsValue::from_str(&e))?;
    let _ = app.net.set(link);
    app.wire()?;
    app.render_forms();
    APP.with(|cell| *cell.borrow_mut() = Some(app));
    Ok(())
}

impl App {
    fn net(&self) -> Option<&net::Link> {
        self.net.get()
    }

    /// The forms' submits and the room list's clicks (one listener for all its buttons).
    fn wire(self: &Rc<Self>) -> Result<(), JsValue> {
        let mut listeners = Listeners::default();
        let weak = Rc::downgrade(self);
        listeners.on(
            &find::<web_sys::EventTarget>("nick-form")?,
            "submit",
            handler(&weak, App::submit_nick),
        )?;
        listeners.on(
            &find::<web_sys::EventTarget>("room-form")?,
            "submit",
            handler(&weak, App::submit_room),
        )?;
        listeners.on(
            &find::<web_sys::EventTarget>("send-form")?,
            "submit",
            handler(&weak, App::submit_chat),
        )?;
        listeners.on(&self.ui.rooms, "click", handler(&weak, App::click_room))?;
        listeners.on(
            &self.ui.message,
            "input",
            handler(&weak, App::input_message),
        )?;
        *self.listeners.borrow_mut() = listeners;
        Ok(())
    }

    fn submit_nick(&self, event: &Event) {
        event.prevent_default();
        let nick = self.ui.nick.value();
        let nick = nick.trim();
        if let (false, Some(net)) = (nick.is_empty(), self.net()) {
            net.nick(nick);
        }
    }

    fn submit_room(&self, event: &Event) {
        event.prevent_default();
        let room = self.ui.room.value();
        let room = room.trim();
        if let (false, Some(net)) = (room.is_empty(), self.net()) {
            net.join(room);
            self.ui.room.set_value("");
        }
    }

    fn submit_chat(&self, event: &Event) {
        event.prevent_default();
        let text = self.ui.message.value();
        let text = text.trim();
        let current = self.state.borrow().current.clone();
        if let (false, Some(room), Some(net)) = (text.is_empty(), current, self.net()) {
            net.chat(&room, text);
            self.ui.message.set_value("");
            self.state.borrow_mut().last_typing = 0.0;
        }
    }

    /// Typing in the message box tells the room, at most once a second (volatile: a stale
    /// "typing" is noise, so it is dropped rather than sent late).
    fn input_message(&self, _event: &Event) {
        let now = js_sys::Date::now();
        let room = {
            let mut state = self.state.borrow_mut();
            let due = now - state.last_typing >= TYPING_EVERY;
            let room = state.current.clone().filter(|_| due);
            if room.is_some() && !self.ui.message.value().is_empty() {
                state.last_typing = now;
                room
            } else {
                None
            }
        };
        if let (Some(room), Some(net)) = (room, self.net()) {
            net.typing(&room);
        }
    }

    /// A joined room's name selects it for sending, another room's name joins it, "leave"
    /// leaves it.
    fn click_room(&self, event: &Event) {
        let Some(button) = event
            .target()
            .and_then(|target| target.dyn_into::<Element>().ok())
            .and_then(|target| target.closest("button").ok().flatten())
        else {
            return;
        };
        let (Some(room), Some(action)) = (
            button.get_attribute("data-room"),
            button.get_attribute("data-action"),
        ) else {
            return;
        };
        match (action.as_str(), self.net()) {
            ("select", _) => self.select(Some(room)),
            ("join", Some(net)) => net.join(&room),
            ("leave", Some(net)) => net.leave(&room),
            _ => {}
        }
    }

    // ---- what the server says -----------------------------------------------------------

    /// The connection changed.
    pub fn connection(&self, connection: &Connection) {
        let (state, text) = match connection {
            Connection::Connecting(error) => ("connecting", format!("connecting ({error})")),
            Connection::Connected { transport, id } => {
                ("connected", format!("connected over {transport} ({id})"))
            }
            Connection::Reconnecting(n) => ("reconnecting", format!("reconnecting (attempt {n})")),
            Connection::Offline(reason) => ("offline", format!("offline ({reason})")),
        };
        let _ = self.ui.status.set_attribute("data-state", state);
        self.ui.status.set_text_content(Some(&text));
    }

    /// Our nickname and rooms ("you").
    pub fn you(&self, me: Me) {
        if me.nick.is_some() {
            self.show_notice("");
            if let Some(net) = self.net() {
                net.remember(&me);
            }
        }
        {
            let mut state = self.state.borrow_mut();
            if !state.current.as_ref().is_some_and(|c| me.rooms.contains(c)) {
                state.current = me.rooms.first().cloned();
            }
            state.me = me;
        }
        self.render_rooms();
        self.render_forms();
    }

    /// Every room and its member count ("rooms").
    pub fn rooms(&self, rooms: Vec<RoomInfo>) {
        self.state.borrow_mut().rooms = rooms;
        self.render_rooms();
    }

    /// The server refused a nickname, join, leave or message ("rejected").
    pub fn rejected(&self, reason: &str) {
        self.show_notice(reason);
    }

    /// Somebody joined a room we are in, or we did ("joined").
    pub fn joined(&self, who: &Presence) {
        self.add_line(
            "notice",
            &[
                ("room", &format!("#{}", who.room)),
                ("text", &format!("{} joined", who.nick)),
            ],
        );
        let mine = self.state.borrow().me.nick.as_deref() == Some(who.nick.as_str());
        if mine {
            self.select(Some(who.room.clone())); // where we talk next
        }
    }

    /// Somebody left a room we are in ("left").
    pub fn left(&self, who: &Presence) {
        self.stop_typing(who);
        self.add_line(
            "notice",
            &[
                ("room", &format!("#{}", who.room)),
                ("text", &format!("{} left", who.nick)),
            ],
        );
    }

    /// A message in a room we are in ("chat").
    pub fn chat(&self, line: &ChatLine) {
        self.stop_typing(&Presence {
            room: line.room.clone(),
            nick: line.nick.clone(),
        });
        let mine = self.state.borrow().me.nick.as_deref() == Some(line.nick.as_str());
        self.add_line(
            if mine { "msg mine" } else { "msg" },
            &[
                ("time", &clock(line.time)),
                ("room", &format!("#{}", line.room)),
                ("nick", &line.nick),
                ("text", &line.text),
            ],
        );
    }

    /// Somebody is typing in a room we are in ("typing"): shown for a few seconds, or until
    /// their message or departure.
    pub fn typing(self: &Rc<Self>, who: Presence) {
        let weak = Rc::downgrade(self);
        let ended = who.clone();
        let expiry = Timeout::new(TYPING_SHOWN, move || {
            if let Some(app) = weak.upgrade() {
                app.stop_typing(&ended);
            }
        });
        {
            let mut state = self.state.borrow_mut();
            match state.typists.iter_mut().find(|t| t.who == who) {
                // Renewed: keeps its place in the line.
                Some(typist) => typist._expiry = expiry,
                None => state.typists.push(Typist {
                    who,
                    _expiry: expiry,
                }),
            }
        }
        self.render_typing();
    }

    /// The live counts of `/admin` ("stats").
    pub fn stats(&self, stats: &Stats) {
        let text = format!(
            "{} online, {}",
            plural(stats.users, "user"),
            plural(stats.rooms, "room")
        );
        self.ui.stats.set_text_content(Some(&text));
    }

    // ---- drawing --------------------------------------------------------------------------

    fn select(&self, room: Option<String>) {
        self.state.borrow_mut().current = room;
        self.render_rooms();
        self.render_forms();
    }

    fn stop_typing(&self, who: &Presence) {
        let ended = {
            let mut state = self.state.borrow_mut();
            let index = state.typists.iter().position(|t| t.who == *who);
            index.map(|index| state.typists.remove(index))
        };
        // Dropped with no borrow held (this may run inside its own timer).
        if ended.is_some() {
            drop(ended);
            self.render_typing();
        }
    }

    fn render_typing(&self) {
        let state = self.state.borrow();
        let line: Vec<String> = state
            .typists
            .iter()
            .map(|t| format!("{} is typing in #{}…", t.who.nick, t.who.room))
            .collect();
        self.ui.typing.set_text_content(Some(&line.join(" ")));
    }

    fn show_notice(&self, text: &str) {
        self.ui.notice.set_text_content(Some(text));
        self.ui.notice.set_hidden(text.is_empty());
    }

    /// The inputs stay usable while offline: the client buffers what is sent meanwhile.
    fn render_forms(&self) {
        let state = self.state.borrow();
        let named = state.me.nick.is_some();
        let current = state.current.as_deref();
        self.ui.nick.set_disabled(named);
        self.ui.set_nick.set_disabled(named);
        self.ui.room.set_disabled(!named);
        self.ui.join_room.set_disabled(!named);
        self.ui.message.set_disabled(current.is_none());
        self.ui.send.set_disabled(current.is_none());
        let label = current.map_or_else(|| String::from("no room"), |room| format!("#{room}"));
        self.ui.send_room.set_text_content(Some(&label));
        self.ui.message.set_placeholder(match (current, named) {
            (Some(_), _) => "type a message, Enter sends",
            (None, true) => "join a room",
            (None, false) => "pick a nickname",
        });
    }

    fn render_rooms(&self) {
        let state = self.state.borrow();
        self.ui.rooms.set_text_content(None);
        for room in &state.rooms {
            if let Ok(item) = room_item(&state, room) {
                let _ = self.ui.rooms.append_child(&item);
            }
        }
    }

    /// A line in the log: spans of (class, text), scrolled into view if the log was at its
    /// bottom.
    fn add_line(&self, class: &str, parts: &[(&str, &str)]) {
        let Ok(line) = element("li", class, None) else {
            return;
        };
        for (part, text) in parts {
            if let Ok(span) = element("span", part, Some(text)) {
                let _ = line.append_child(&span);
            }
        }
        let log = &self.ui.messages;
        let at_bottom = log.scroll_top() + log.client_height() >= log.scroll_height() - 4;
        let _ = log.append_child(&line);
        if at_bottom {
            log.set_scroll_top(log.scroll_height());
        }
    }
}

/// A room in the list: its name (a button that selects or joins it), its count, and "leave"
/// when we are in it.
fn room_item(state: &State, room: &RoomInfo) -> Result<Element, JsValue> {
    let joined = state.me.rooms.contains(&room.name);
    let current = state.current.as_deref() == Some(room.name.as_str());
    let class = match (joined, current) {
        (true, true) => "joined current",
        (true, false) => "joined",
        (false, _) => "",
    };
    let item = element("li", class, None)?;
    item.set_attribute("data-room", &room.name)?;
    let action = if joined { "select" } else { "join" };
    let name = button("name", &format!("#{}", room.name), &room.name, action)?;
    name.set_disabled(state.me.nick.is_none());
    item.append_child(&name)?;
    let count = element("span", "count", Some(&room.members.to_string()))?;
    item.append_child(&count)?;
    if joined {
        let leave = button("leave", "leave", &room.name, "leave")?;
        item.append_child(&leave)?;
    }
    Ok(item)
}

fn button(class: &str, text: &str, room: &str, action: &str) -> Result<HtmlButtonElement, JsValue> {
    let button: HtmlButtonElement = element("button", class, Some(text))?.dyn_into()?;
    button.set_type("button");
    button.set_attribute("data-room", room)?;
    button.set_attribute("data-action", action)?;
    Ok(button)
}

/// A DOM event handler that calls `method` on the app while it lives.
fn handler(weak: &Weak<App>, method: fn(&App, &Event)) -> impl FnMut(Event) + 'static {
    let weak = weak.clone();
    move |event| {
        if let Some(app) = weak.upgrade() {
            method(&app, &event);
        }
    }
}

fn plural(count: u32, word: &str) -> String {
    format!("{count} {word}{}", if count == 1 { "" } else { "s" })
}

/// `hh:mm` in the page's time zone.
fn clock(time: f64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(time));
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}
