// Demo chat client: the socketio-wasm package used as a drop-in for socket.io-client.
// Chat protocol: see www/server.mjs. User data is only ever written with textContent.
import { io } from "socketio-wasm";

const $ = (id) => document.getElementById(id);
const status = $("status");
const notice = $("notice");
const joinForm = $("join-form");
const nickInput = $("nick");
const joinButton = $("join");
const sendForm = $("send-form");
const messageInput = $("message");
const sendButton = $("send");
const messages = $("messages");
const users = $("users");

let nick = null; // our nickname once the server welcomed us; sent again after a reconnect
let joined = false; // whether this connection has joined the chat

function setStatus(state, text) {
  status.dataset.state = state;
  status.textContent = text;
}

function showNotice(text) {
  notice.textContent = text;
  notice.hidden = !text;
}

function setJoined(value) {
  joined = value;
  nickInput.disabled = joined;
  joinButton.disabled = joined;
  messageInput.disabled = !joined;
  sendButton.disabled = !joined;
  messageInput.placeholder = joined ? "type a message, Enter sends" : "join to chat";
  if (joined) messageInput.focus();
}

function addLine(className, ...parts) {
  const li = document.createElement("li");
  li.className = className;
  for (const [partClass, text] of parts) {
    const span = document.createElement("span");
    span.className = partClass;
    span.textContent = text;
    li.append(span);
  }
  const atBottom = messages.scrollTop + messages.clientHeight >= messages.scrollHeight - 4;
  messages.append(li);
  if (atBottom) messages.scrollTop = messages.scrollHeight;
}

function showUsers(list) {
  users.replaceChildren(
    ...list.map((name) => {
      const li = document.createElement("li");
      li.textContent = name;
      if (name === nick) li.className = "me";
      return li;
    }),
  );
}

const clock = (time) =>
  new Date(time).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

const socket = io(window.location.origin);

// The live transport: polling first, then websocket once the upgrade is done. socketio-wasm
// exposes it as `socket.transport`; socket.io-client as `socket.io.engine.transport.name`.
const transportName = () => socket.transport ?? socket.io?.engine?.transport?.name ?? "?";
const showConnected = () => setStatus("connected", `connected over ${transportName()} (${socket.id})`);
setInterval(() => {
  if (socket.connected) showConnected();
}, 500);

socket.on("connect", () => {
  showConnected();
  if (nick) socket.emit("join", nick); // a new connection has to join again
});
socket.on("disconnect", (reason) => {
  setStatus("disconnected", `disconnected (${reason})`);
  setJoined(false);
  showUsers([]);
});
socket.on("connect_error", (err) => {
  setStatus("error", `connect error (${err.message})`);
});

socket.on("welcome", (data) => {
  nick = data.nick;
  setJoined(true);
  showNotice("");
  showUsers(data.users);
  addLine("notice", ["text", `you joined as ${data.nick}`]);
});
socket.on("rejected", (data) => {
  showNotice(String(data?.reason ?? "rejected"));
  if (!joined) nick = null; // a refused (re)join: let the user pick a nickname again
});
socket.on("joined", (data) => {
  showUsers(data.users);
  addLine("notice", ["text", `${data.nick} joined`]);
});
socket.on("left", (data) => {
  showUsers(data.users);
  addLine("notice", ["text", `${data.nick} left`]);
});
socket.on("chat", (data) => {
  addLine(
    data.nick === nick ? "msg mine" : "msg",
    ["time", clock(data.time)],
    ["nick", data.nick],
    ["text", data.text],
  );
});

joinForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const name = nickInput.value.trim();
  if (!name) return;
  socket.emit("join", name);
});

sendForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = messageInput.value.trim();
  if (!text) return;
  socket.emit("chat", { text });
  messageInput.value = "";
});
