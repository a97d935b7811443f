// Demo chat client: the socketio-wasm package used as a drop-in for socket.io-client.
// Chat protocol: see www/server.mjs. User data is only ever written with textContent.
import { io } from "socketio-wasm";

const TYPING_EVERY = 1000; // ms: at most one "typing" event per second while typing
const TYPING_SHOWN = 3000; // ms: a typing notice goes away unless renewed

const $ = (id) => document.getElementById(id);
const status = $("status");
const stats = $("stats");
const notice = $("notice");
const nickForm = $("nick-form");
const nickInput = $("nick");
const sendForm = $("send-form");
const sendRoom = $("send-room");
const messageInput = $("message");
const sendButton = $("send");
const messages = $("messages");
const typingLine = $("typing");
const roomList = $("rooms");
const roomForm = $("room-form");
const roomInput = $("room");
const setNickButton = $("set-nick");
const joinRoomButton = $("join-room");

// What the server last told us ("you"): kept while offline, and sent back in `auth` on every
// (re)connect so the server restores it before the events buffered while offline.
let me = { nick: null, rooms: [] };
let current = null; // the room messages are sent to
let rooms = []; // every room with its member count ("rooms")
let connection = { state: "connecting", detail: "" };
const typists = new Map(); // "room\nnick" -> timer (names hold no control characters)
let lastTyping = 0; // when we last sent "typing"

// No URL: the page is served by the socket.io server itself. `io("/admin")` below shares this
// socket's Manager, so both namespaces travel over one connection.
const socket = io({ auth: (send) => send(me.nick ? me : {}) });
const admin = io("/admin");

// ---- rendering ------------------------------------------------------------------------------

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const plural = (count, word) => `${count} ${word}${count === 1 ? "" : "s"}`;

function showNotice(text) {
  notice.textContent = text;
  notice.hidden = !text;
}

// Emits the client holds until the connection is back: only chat messages are counted.
const waitingMessages = () =>
  socket.sendBuffer.filter((packet) => packet.data[0] === "chat").length;

function renderStatus() {
  const { state, detail } = connection;
  let text = {
    connecting: "connecting",
    connected: `connected over ${socket.io.engine.transport.name} (${socket.id})`,
    reconnecting: `reconnecting (attempt ${detail})`,
    offline: "offline",
  }[state];
  if (detail && state !== "reconnecting") text += ` (${detail})`;
  const waiting = waitingMessages();
  if (waiting) text += `, ${plural(waiting, "message")} waiting`;
  status.dataset.state = state;
  status.textContent = text;
}

function setConnection(state, detail = "") {
  connection = { state, detail };
  renderStatus();
}

// The input stays usable while offline: the client buffers what is sent meanwhile.
function renderForms() {
  nickInput.disabled = setNickButton.disabled = Boolean(me.nick);
  roomInput.disabled = joinRoomButton.disabled = !me.nick;
  messageInput.disabled = sendButton.disabled = !current;
  sendRoom.textContent = current ? `#${current}` : "no room";
  messageInput.placeholder = current
    ? "type a message, Enter sends"
    : me.nick
      ? "join a room"
      : "pick a nickname";
}

function roomItem({ name, members }) {
  const joined = me.rooms.includes(name);
  const li = element("li", joined ? "joined" : "");
  li.dataset.room = name;
  if (name === current) li.classList.add("current");
  // A joined room's name selects it for sending; another room's name joins it.
  const pick = element("button", "name", `#${name}`);
  pick.type = "button";
  pick.disabled = !me.nick;
  pick.addEventListener("click", () => (joined ? select(name) : socket.emit("join", name)));
  li.append(pick, element("span", "count", String(members)));
  if (joined) {
    const leave = element("button", "leave", "leave");
    leave.type = "button";
    leave.addEventListener("click", () => socket.emit("leave", name));
    li.append(leave);
  }
  return li;
}

function renderRooms() {
  roomList.replaceChildren(...rooms.map(roomItem));
}

function select(room) {
  current = room;
  renderRooms();
  renderForms();
}

function addLine(className, ...parts) {
  const li = element("li", className);
  for (const [partClass, text] of parts) li.append(element("span", partClass, text));
  const atBottom = messages.scrollTop + messages.clientHeight >= messages.scrollHeight - 4;
  messages.append(li);
  if (atBottom) messages.scrollTop = messages.scrollHeight;
}

function renderTyping() {
  const who = [...typists.keys()].map((key) => {
    const [room, nick] = key.split("\n");
    return `${nick} is typing in #${room}…`;
  });
  typingLine.textContent = who.join(" ");
}

function stopTyping(room, nick) {
  const key = `${room}\n${nick}`;
  clearTimeout(typists.get(key));
  typists.delete(key);
  renderTyping();
}

const clock = (time) =>
  new Date(time).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

// ---- connection state -----------------------------------------------------------------------

function showTransport() {
  if (socket.connected) renderStatus();
}

socket.on("connect", () => {
  setConnection("connected");
  // polling first, then websocket once the engine upgrades. socket.io-client makes a new engine
  // per connection, socketio-wasm keeps one: off() first so a listener is never added twice.
  socket.io.engine.off("upgrade", showTransport);
  socket.io.engine.on("upgrade", showTransport);
});
socket.on("disconnect", (reason) => setConnection("offline", reason));
socket.on("connect_error", (err) => {
  if (connection.state === "connecting") setConnection("connecting", err.message);
});
socket.io.on("reconnect_attempt", (attempt) => setConnection("reconnecting", attempt));

// ---- chat events ----------------------------------------------------------------------------

socket.on("you", (data) => {
  me = data;
  if (!me.rooms.includes(current)) current = me.rooms[0] ?? null;
  if (me.nick) showNotice("");
  renderRooms();
  renderForms();
});
socket.on("rooms", (list) => {
  rooms = list;
  renderRooms();
});
socket.on("rejected", (data) => showNotice(String(data?.reason ?? "rejected")));
socket.on("joined", ({ room, nick }) => {
  addLine("notice", ["room", `#${room}`], ["text", `${nick} joined`]);
  if (nick === me.nick) select(room); // a room we just joined is where we talk next
});
socket.on("left", ({ room, nick }) => {
  addLine("notice", ["room", `#${room}`], ["text", `${nick} left`]);
  stopTyping(room, nick);
});
socket.on("chat", ({ room, nick, text, time }) => {
  stopTyping(room, nick);
  addLine(
    nick === me.nick ? "msg mine" : "msg",
    ["time", clock(time)],
    ["room", `#${room}`],
    ["nick", nick],
    ["text", text],
  );
});
socket.on("typing", ({ room, nick }) => {
  const key = `${room}\n${nick}`;
  clearTimeout(typists.get(key));
  typists.set(key, setTimeout(() => stopTyping(room, nick), TYPING_SHOWN));
  renderTyping();
});

admin.on("stats", ({ users, rooms: count }) => {
  stats.textContent = `${plural(users, "user")} online, ${plural(count, "room")}`;
});

// ---- user input -----------------------------------------------------------------------------

nickForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const nick = nickInput.value.trim();
  if (nick) socket.emit("nick", nick);
});

roomForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const room = roomInput.value.trim();
  if (!room) return;
  socket.emit("join", room);
  roomInput.value = "";
});

sendForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = messageInput.value.trim();
  if (!text || !current) return;
  socket.emit("chat", { room: current, text }); // buffered by the client while offline
  messageInput.value = "";
  lastTyping = 0;
  renderStatus(); // the count of messages waiting, when offline
});

// Volatile: dropped rather than buffered when it cannot go out now; a stale "typing" is noise.
messageInput.addEventListener("input", () => {
  const now = Date.now();
  if (!current || !messageInput.value || now - lastTyping < TYPING_EVERY) return;
  lastTyping = now;
  socket.volatile.emit("typing", current);
});

renderForms();
