// Socket.IO 4.8 server for the browser tests (wasm-bindgen-test) of socketio-wasm.
//
//   node tests/servers/test-server.mjs      (port from TEST_PORT, default 0 = any free port)
//
// Prints `test server listening on http://127.0.0.1:<port>` once ready; exits 0 on SIGTERM/SIGINT.
// One http server carries several Socket.IO servers, one per path. Unless said otherwise each
// has the default heartbeat (pingInterval 25000, pingTimeout 20000), both transports, and accepts
// messages up to 10 MB (maxHttpBufferSize, for the 1 MB round trip):
//   path /socket.io/        the defaults
//   path /short-ping/       pingInterval 300, pingTimeout 200
//   path /polling-only/     transports ["polling"]; pingInterval 400, pingTimeout 300
//   path /websocket-only/   transports ["websocket"]
//   path /small-payload/    maxHttpBufferSize 20000: a bigger POST body gets 413
//   path /forbidden/        allowRequest refuses every handshake: 403
//                           {"code":4,"message":"custom refusal from allowRequest"}
// CORS: the test page has another origin. `origin: true` echoes the request's Origin and
// `credentials: true` allows cookies, so `withCredentials: true` works too (a browser refuses
// `*` for credentialed requests). Request headers asked for in a preflight are allowed (the cors
// package reflects Access-Control-Request-Headers), so `extraHeaders` pass.
// Namespace "/" on every server answers the test events below; namespace "/reject" refuses
// everyone. Nothing is sent on connection: a test asks for what it wants.
//
//   whoami               -> "whoami" { id, auth, query, headers, transport, upgraded, engineId }
//                           (query and headers are those of the handshake request; transport is
//                           the Engine.IO transport now; upgraded: whether it went polling ->
//                           websocket)
//   transport            -> "transport" "polling" | "websocket"
//   echo ...args         -> "echo" ...args (a trailing ack function is passed on as well, so
//                           the client's ack of this "echo" calls the client's own ack; binary
//                           comes back as binary)
//   ack ...args, fn      -> fn(...args)
//   seq n / seq-done     -> "seq-result" { count, inOrder } (then the record is cleared)
//   disconnect-me        -> server-side socket.disconnect()
//   malformed            -> raw Engine.IO message `2["unterminated"` (wire: 42["unterminated")
//   malformed-reserved   -> raw Engine.IO message `2["connect"]`     (wire: 42["connect"])
//   stop-pings           -> this connection gets no more Engine.IO pings and the server never
//                           times it out, so the client's own ping timeout fires
//   kill-session         -> the server forgets this Engine.IO session abruptly, as a restart
//                           would, without a close packet. Polling: the pending GET ends with a
//                           noop and every later GET/POST of the session gets 400
//                           {"code":1,"message":"Session ID unknown"}. WebSocket: the TCP
//                           connection is cut (the browser sees close code 1006).
import { createServer } from "node:http";
import { Server } from "socket.io";

const DEFAULTS = {
  serveClient: false,
  maxHttpBufferSize: 1e7,
  cors: { origin: true, credentials: true },
};

const SERVERS = [
  { path: "/socket.io/" },
  { path: "/short-ping/", pingInterval: 300, pingTimeout: 200 },
  { path: "/polling-only/", transports: ["polling"], pingInterval: 400, pingTimeout: 300 },
  { path: "/websocket-only/", transports: ["websocket"] },
  { path: "/small-payload/", maxHttpBufferSize: 20000 },
  {
    path: "/forbidden/",
    allowRequest: (_req, callback) => callback("custom refusal from allowRequest", false),
  },
];

// Engine.IO connections (socket.conn) that went polling -> websocket. Recorded from the engine's
// own "connection" event, so an upgrade that completes before the Socket.IO CONNECT is not missed.
const upgradedConnections = new WeakSet();

function trackUpgrades(engine) {
  engine.on("connection", (conn) => {
    conn.once("upgrade", () => upgradedConnections.add(conn));
  });
}

// Engine.IO (engine.io 6.6, build/socket.js) arms `pingIntervalTimer` once in schedulePing() at
// open and re-arms it with .refresh() on every pong; resetPingTimeout() arms `pingTimeoutTimer`
// after each ping. Clearing both timers (a cleared Node timer ignores .refresh()) and making the
// two scheduling methods no-ops on this one connection stops the heartbeat from the server side.
function stopPings(conn) {
  if (!("pingIntervalTimer" in conn) || typeof conn.schedulePing !== "function") {
    console.error("test server: engine.io internals changed, stop-pings may not work");
  }
  clearTimeout(conn.pingIntervalTimer);
  clearTimeout(conn.pingTimeoutTimer);
  conn.pingIntervalTimer = null;
  conn.pingTimeoutTimer = null;
  conn.schedulePing = () => {};
  conn.resetPingTimeout = () => {};
}

// Makes the server forget `conn` as a restart would: no close packet reaches the client.
// engine.io 6.6: the session lives in engine.clients[sid] (requests with an unknown sid get 400
// "Session ID unknown"); the handshake's "close" listener on conn deletes that entry and
// decrements engine.clientsCount, so closing conn ourselves keeps the count right.
function killSession(conn) {
  const transport = conn.transport;
  if (transport.name === "websocket") {
    // ws.WebSocket#terminate() destroys the TCP socket: no close frame, the browser sees 1006.
    // ws then emits "close", and engine.io closes conn ("transport close") and forgets it.
    transport.socket.terminate();
    return;
  }
  delete conn.server.clients[conn.id];
  // A pending GET would get the close packet when conn closes: end it with a noop first, so the
  // client's next GET (to an unknown sid now) is the one that fails.
  if (transport.writable) transport.send([{ type: "noop" }]);
  // discarded: Polling#doClose() closes at once instead of waiting 30 s for a GET to write a
  // close packet into. An in-flight POST is cut (the client sees a network error for it).
  transport.discard();
  conn.onClose("transport close");
}

function onConnection(socket) {
  let received = [];

  socket.on("whoami", () => {
    socket.emit("whoami", {
      id: socket.id,
      auth: socket.handshake.auth,
      query: socket.handshake.query,
      headers: socket.handshake.headers,
      transport: socket.conn.transport.name,
      upgraded: upgradedConnections.has(socket.conn),
      engineId: socket.conn.id,
    });
  });
  socket.on("transport", () => socket.emit("transport", socket.conn.transport.name));
  socket.on("echo", (...args) => socket.emit("echo", ...args));
  socket.on("ack", (...args) => {
    const callback = args.pop();
    if (typeof callback === "function") callback(...args);
  });
  socket.on("seq", (n) => received.push(n));
  socket.on("seq-done", () => {
    const inOrder = received.every((n, i) => n === i);
    socket.emit("seq-result", { count: received.length, inOrder });
    received = [];
  });
  socket.on("disconnect-me", () => socket.disconnect());
  // socket.conn is the Engine.IO socket: write() sends one Engine.IO "message" packet (type 4)
  // with this data as is, bypassing the Socket.IO encoder.
  socket.on("malformed", () => socket.conn.write('2["unterminated"'));
  socket.on("malformed-reserved", () => socket.conn.write('2["connect"]'));
  socket.on("stop-pings", () => stopPings(socket.conn));
  // After this tick: the POST that carried the event has had its "ok" answer by then.
  socket.on("kill-session", () => setImmediate(() => killSession(socket.conn)));
}

function rejectAll(_socket, next) {
  const err = new Error("not authorized");
  err.data = { code: 4001, reason: "token" };
  next(err);
}

const httpServer = createServer((_req, res) => {
  res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
});
// Each Socket.IO server adds its own "close" (and request/upgrade) listeners to the shared server.
httpServer.setMaxListeners(4 * SERVERS.length);

const ioServers = SERVERS.map((opts) => {
  const io = new Server(httpServer, { ...DEFAULTS, ...opts });
  trackUpgrades(io.engine);
  io.on("connection", onConnection);
  io.of("/reject").use(rejectAll);
  return io;
});

httpServer.listen(Number(process.env.TEST_PORT ?? 0), "127.0.0.1", () => {
  console.log(`test server listening on http://127.0.0.1:${httpServer.address().port}`);
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  // Each io.close() disconnects its clients, closes its engine and then the shared http server.
  // Connections still open after a moment (a hanging keep-alive request) are cut.
  setTimeout(() => httpServer.closeAllConnections(), 500).unref();
  setTimeout(() => process.exit(0), 2000).unref();
  await Promise.all(ioServers.map((io) => io.close()));
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
