// Demo chat server: serves the chat page (www/) and the built package (pkg/ at /pkg/), and runs
// the chat on a Socket.IO 4.8 server.
//
//   PORT=3000 node www/server.mjs     (PORT=0 picks a free port; default 3000)
//
// Chat protocol (every input is checked here; the browser is not trusted):
//   client -> server  "join" nick          nick: string, trimmed, 1..24 chars, no control chars,
//                                          not already taken; once per connection
//   client -> server  "chat" { text }      text: string, trimmed, 1..500 chars; only after join
//   server -> joiner  "welcome" { nick, users }
//   server -> others  "joined"  { nick, users }
//   server -> others  "left"    { nick, users }        (when a joined client disconnects)
//   server -> all     "chat"    { nick, text, time }   (time: ms since epoch; sender included)
//   server -> client  "rejected" { reason }            (invalid join or chat)
// `users` is the sorted list of the nicknames online.
import { createServer } from "node:http";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Server } from "socket.io";

const SELF = fileURLToPath(import.meta.url);
const WWW = fileURLToPath(new URL(".", import.meta.url)); // both roots end with a separator
const PKG = fileURLToPath(new URL("../pkg/", import.meta.url));
const MAX_NICK = 24;
const MAX_TEXT = 500;

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

// Maps a URL path to a file under www/ or pkg/, or null. The decoded path is resolved and must
// stay inside its root, so `..` (plain or percent-encoded) cannot leave it.
function fileFor(urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (path.includes("\0")) return null;
  let root = WWW;
  if (path.startsWith("/pkg/")) {
    root = PKG;
    path = path.slice("/pkg".length);
  }
  if (path.endsWith("/")) path += "index.html";
  const file = resolve(join(root, path));
  if (file === SELF) return null; // the server's own source is not part of the site
  return file.startsWith(root) ? file : null;
}

async function serveStatic(req, res) {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD" }).end();
    return;
  }
  const file = fileFor(new URL(req.url, "http://localhost").pathname);
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

const httpServer = createServer((req, res) => {
  serveStatic(req, res).catch(() => {
    if (!res.headersSent) res.writeHead(500).end();
    else res.destroy();
  });
});
const io = new Server(httpServer, { serveClient: false, maxHttpBufferSize: 16 * 1024 });

const nicks = new Map(); // socket.id -> nickname, for the sockets that joined
const userList = () => [...nicks.values()].sort((a, b) => a.localeCompare(b));

io.on("connection", (socket) => {
  socket.on("join", (value) => {
    if (nicks.has(socket.id)) return socket.emit("rejected", { reason: "already joined" });
    const nick = cleanString(value, MAX_NICK);
    if (!nick) {
      return socket.emit("rejected", { reason: `nickname must be 1 to ${MAX_NICK} printable characters` });
    }
    if ([...nicks.values()].includes(nick)) {
      return socket.emit("rejected", { reason: "nickname taken" });
    }
    nicks.set(socket.id, nick);
    socket.emit("welcome", { nick, users: userList() });
    socket.broadcast.emit("joined", { nick, users: userList() });
  });

  socket.on("chat", (message) => {
    const nick = nicks.get(socket.id);
    if (!nick) return socket.emit("rejected", { reason: "join first" });
    const text = cleanString(message?.text, MAX_TEXT);
    if (!text) {
      return socket.emit("rejected", { reason: `message must be 1 to ${MAX_TEXT} printable characters` });
    }
    io.emit("chat", { nick, text, time: Date.now() });
  });

  socket.on("disconnect", () => {
    const nick = nicks.get(socket.id);
    if (!nick) return;
    nicks.delete(socket.id);
    socket.broadcast.emit("left", { nick, users: userList() });
  });
});

httpServer.listen(Number(process.env.PORT || 3000), () => {
  console.log(`chat listening on http://localhost:${httpServer.address().port}`);
});

function stop() {
  setTimeout(() => process.exit(0), 1000).unref();
  io.close(() => process.exit(0));
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
