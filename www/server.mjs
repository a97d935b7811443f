// Demo chat server: serves the chat page (www/) and the built package (pkg/ at /pkg/, and again
// at /socketio-wasm/, the stable path of the classic script /socketio-wasm/socketio-wasm.js, as
// socket.io serves its own client at /socket.io/socket.io.js), the same chat in Rust at /rust/
// (target/example/, built by scripts/example.sh), and runs the chat on a Socket.IO 4.8 server.
//
//   PORT=3000 node www/server.mjs     (PORT=0 picks a free port; default 3000)
//   import { startServer } from "./www/server.mjs"   (the e2e test: start, stop, start again)
//
// Chat protocol on namespace "/" (every input is checked here; the browser is not trusted).
// Names (nicknames, rooms) are strings, trimmed, with no control characters: nicknames 1..24
// characters and unique, rooms 1..32 characters, at most 20 rooms (the lobby included).
//   handshake auth  { nick, rooms }       a reconnecting page's identity: restored as if it had
//                                         sent "nick" and "join" for each room (the server forgets
//                                         everything when a connection ends)
//   client -> server "nick" nick          once per connection; joins the lobby
//   client -> server "join" room          creates the room if nobody is in it
//   client -> server "leave" room
//   client -> server "chat" { room, text }  text 1..500 characters; only in a room one is in
//   client -> server "typing" room        volatile; invalid ones are dropped silently
//   server -> client "you"   { nick, rooms }        this connection's nickname (or null) and rooms,
//                                                   on connect and after each change
//   server -> all    "rooms" [{ name, members }]    the lobby, then the other rooms by name
//   server -> room   "joined" { room, nick }        the joiner included
//   server -> room   "left"   { room, nick }        the leaver included, unless it disconnected
//   server -> room   "chat"   { room, nick, text, time }   (time: ms since epoch; sender included)
//   server -> room   "typing" { room, nick }        volatile, not to the typist
//   server -> client "rejected" { reason }          an invalid nick, join, leave or chat
// The tutorial chat (www/classic.html), on "/" too: "chat message" text (1..500 characters) is
// sent to every connected socket, as in socket.io's get-started tutorial.
// Namespace "/admin" (read-only): server -> all "stats" { users, rooms }, on connect and on change.
import { createServer } from "node:http";
import { createReadStream, realpathSync } from "node:fs";
import { stat } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Server } from "socket.io";

const SELF = fileURLToPath(import.meta.url);
const WWW = fileURLToPath(new URL(".", import.meta.url)); // both roots end with a separator
const PKG = fileURLToPath(new URL("../pkg/", import.meta.url));
// The Rust chat (examples/chat), as scripts/example.sh builds it.
const EXAMPLE = fileURLToPath(new URL("../target/example/", import.meta.url));
const MAX_NICK = 24;
const MAX_ROOM = 32;
const MAX_ROOMS = 20;
const MAX_TEXT = 500;
const LOBBY = "lobby";
// Chat rooms live in the adapter under this prefix: a room named like a socket id would
// otherwise be that socket's private room.
const ROOM = "room:";

const CONTENT_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
};

// Maps a URL path to a file under www/ or pkg/ (or a directory mounted at a prefix), or null.
// The decoded path is resolved and must stay inside its root, so `..` (plain or
// percent-encoded) cannot leave it.
function fileFor(urlPath, mounts) {
  let path;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (path.includes("\0")) return null;
  let root = WWW;
  for (const [prefix, dir] of Object.entries({ "/pkg/": PKG, "/socketio-wasm/": PKG, "/rust/": EXAMPLE, ...mounts })) {
    if (path.startsWith(prefix)) {
      root = dir;
      path = path.slice(prefix.length - 1);
    }
  }
  if (path.endsWith("/")) path += "index.html";
  const file = resolve(join(root, path));
  if (file === SELF) return null; // the server's own source is not part of the site
  return file.startsWith(root) ? file : null;
}

async function serveStatic(req, res, mounts) {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD" }).end();
    return;
  }
  const file = fileFor(new URL(req.url, "http://localhost").pathname, mounts);
  const info = file && (await stat(file).catch(() => null));
  if (!info?.isFile()) {
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
    return;
  }
  res.writeHead(200, {
    "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
    "content-length": info.size,
    "cache-control": "no-cache",
    "x-content-type-options": "nosniff",
  });
  if (req.method === "HEAD") res.end();
  else createReadStream(file).on("error", () => res.destroy()).pipe(res);
}

// Returns the trimmed string if it is acceptable, else null.
function cleanString(value, max) {
  if (typeof value !== "string") return null;
  const text = value.trim();
  if (text.length === 0 || text.length > max || /\p{Cc}/u.test(text)) return null;
  return text;
}

// The chat on namespace "/" and its live counts on "/admin", both on `io`.
function serveChat(io) {
  const chat = io.of("/");
  const admin = io.of("/admin");

  const members = (room) => chat.adapter.rooms.get(ROOM + room)?.size ?? 0;
  const roomsOf = (socket) =>
    [...socket.rooms].filter((key) => key.startsWith(ROOM)).map((key) => key.slice(ROOM.length));
  const named = () => [...chat.sockets.values()].filter((socket) => socket.data.nick);

  // The lobby, always, then every room somebody is in (the adapter drops empty rooms).
  function roomList() {
    const others = [...chat.adapter.rooms.keys()]
      .filter((key) => key.startsWith(ROOM) && key !== ROOM + LOBBY)
      .map((key) => key.slice(ROOM.length))
      .sort((a, b) => a.localeCompare(b));
    return [LOBBY, ...others].map((name) => ({ name, members: members(name) }));
  }

  function reject(socket, reason) {
    socket.emit("rejected", { reason });
    return false;
  }

  const stats = () => ({ users: named().length, rooms: roomList().length });

  // Tells everyone the rooms and counts, which may have changed.
  function broadcastRooms() {
    chat.emit("rooms", roomList());
    admin.emit("stats", stats());
  }

  // Tells the socket where it stands, then everyone what changed.
  function update(socket) {
    socket.emit("you", { nick: socket.data.nick ?? null, rooms: roomsOf(socket) });
    broadcastRooms();
  }

  function setNick(socket, value) {
    if (socket.data.nick) return reject(socket, "you have a nickname already");
    const nick = cleanString(value, MAX_NICK);
    if (!nick) return reject(socket, `nickname must be 1 to ${MAX_NICK} printable characters`);
    if (named().some((other) => other.data.nick === nick)) return reject(socket, "nickname taken");
    socket.data.nick = nick;
    return true;
  }

  function joinRoom(socket, value) {
    const nick = socket.data.nick;
    if (!nick) return reject(socket, "pick a nickname first");
    const room = cleanString(value, MAX_ROOM);
    if (!room) return reject(socket, `room names must be 1 to ${MAX_ROOM} printable characters`);
    if (socket.rooms.has(ROOM + room)) return true;
    if (members(room) === 0 && room !== LOBBY && roomList().length >= MAX_ROOMS) {
      return reject(socket, `there are ${MAX_ROOMS} rooms already`);
    }
    socket.join(ROOM + room);
    chat.to(ROOM + room).emit("joined", { room, nick });
    return true;
  }

  // The room named by `value` if the socket is in it, else null.
  function ownRoom(socket, value) {
    const room = cleanString(value, MAX_ROOM);
    return room && socket.rooms.has(ROOM + room) ? room : null;
  }

  function leaveRoom(socket, value) {
    const room = ownRoom(socket, value);
    if (!room) return reject(socket, "you are not in that room");
    chat.to(ROOM + room).emit("left", { room, nick: socket.data.nick });
    socket.leave(ROOM + room);
    return true;
  }

  function sendChat(socket, message) {
    const room = ownRoom(socket, message?.room);
    if (!room) return reject(socket, "join the room first");
    const text = cleanString(message?.text, MAX_TEXT);
    if (!text) return reject(socket, `message must be 1 to ${MAX_TEXT} printable characters`);
    chat.to(ROOM + room).emit("chat", { room, nick: socket.data.nick, text, time: Date.now() });
  }

  // A page that reconnects sends its nickname and rooms in `auth`: it gets them back before the
  // events it buffered while offline are handled (the client sends those before "connect").
  function restore(socket, auth) {
    if (auth?.nick === undefined || !setNick(socket, auth.nick)) return;
    const rooms = Array.isArray(auth.rooms) ? auth.rooms.slice(0, MAX_ROOMS) : [];
    for (const room of rooms) joinRoom(socket, room);
  }

  chat.on("connection", (socket) => {
    restore(socket, socket.handshake.auth);
    update(socket);

    socket.on("nick", (value) => {
      if (!setNick(socket, value)) return;
      joinRoom(socket, LOBBY);
      update(socket);
    });
    socket.on("join", (value) => {
      if (joinRoom(socket, value)) update(socket);
    });
    socket.on("leave", (value) => {
      if (leaveRoom(socket, value)) update(socket);
    });
    socket.on("chat", (message) => sendChat(socket, message));
    socket.on("chat message", (value) => {
      const text = cleanString(value, MAX_TEXT);
      if (text) chat.emit("chat message", text);
    });
    socket.on("typing", (value) => {
      const room = ownRoom(socket, value);
      if (room) socket.to(ROOM + room).volatile.emit("typing", { room, nick: socket.data.nick });
    });
    // Still in its rooms here; gone from them by "disconnect".
    socket.on("disconnecting", () => {
      for (const room of roomsOf(socket)) {
        socket.to(ROOM + room).emit("left", { room, nick: socket.data.nick });
      }
    });
    socket.on("disconnect", () => {
      if (socket.data.nick) broadcastRooms();
    });
  });

  admin.on("connection", (socket) => {
    socket.emit("stats", stats());
  });
}

/**
 * Starts the page and chat server on `port` (0 picks a free one). Resolves with its `port`, its
 * `url` and `close()`, which disconnects every client and resolves once the port is free.
 * `mounts` serves more directories: `{ "/app/": "/abs/dir/" }` (the bundler tests' apps).
 */
export function startServer({ port = 3000, mounts = {} } = {}) {
  const httpServer = createServer((req, res) => {
    serveStatic(req, res, mounts).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  const io = new Server(httpServer, { serveClient: false, maxHttpBufferSize: 16 * 1024 });
  serveChat(io);
  // Stops taking connections and cuts the HTTP ones first: a page still open reconnects at
  // once, over keep-alive connections that the server would otherwise wait on forever. Then
  // socket.io closes its sockets and WebSockets, and resolves once the port is free.
  const close = () => {
    httpServer.close();
    httpServer.closeAllConnections();
    return io.close();
  };
  return new Promise((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(port, () => {
      const actual = httpServer.address().port;
      resolve({ port: actual, url: `http://localhost:${actual}`, close });
    });
  });
}

// Run as a program (`node www/server.mjs`), not imported. Node resolves symlinks in SELF.
if (process.argv[1] && realpathSync(process.argv[1]) === SELF) {
  const server = await startServer({ port: Number(process.env.PORT || 3000) });
  console.log(`chat listening on ${server.url}`);
  const stop = () => {
    setTimeout(() => process.exit(0), 1000).unref();
    server.close().then(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
