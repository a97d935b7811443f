// Socket.IO 4.8 server for the browser tests (wasm-bindgen-test) of socketio-wasm.
//
//   node tests/servers/test-server.mjs      (port from TEST_PORT, default 0 = any free port)
//
// Prints `test server listening on http://127.0.0.1:<port>` once ready; exits 0 on SIGTERM/SIGINT.
// One http server carries two Socket.IO servers (CORS open: the test page has another origin):
//   path /socket.io/   default heartbeat (pingInterval 25000, pingTimeout 20000)
//   path /short-ping/  pingInterval 300, pingTimeout 200
//   both accept messages up to 10 MB (maxHttpBufferSize), for the 1 MB round trip
// Namespace "/" on both answers the test events below; namespace "/reject" refuses everyone.
// Nothing is sent on connection: a test asks for what it wants.
//
//   whoami               -> "whoami" { id, auth, query, transport, engineId }
//   echo ...args         -> "echo" ...args (a trailing ack function is passed on as well, so
//                           the client's ack of this "echo" calls the client's own ack)
//   ack ...args, fn      -> fn(...args)
//   seq n / seq-done     -> "seq-result" { count, inOrder } (then the record is cleared)
//   disconnect-me        -> server-side socket.disconnect()
//   malformed            -> raw Engine.IO message `2["unterminated"` (wire: 42["unterminated")
//   malformed-reserved   -> raw Engine.IO message `2["connect"]`     (wire: 42["connect"])
//   stop-pings           -> this connection gets no more Engine.IO pings and the server never
//                           times it out, so the client's own ping timeout fires
import { createServer } from "node:http";
import { Server } from "socket.io";

const SERVERS = [
  { path: "/socket.io/" },
  { path: "/short-ping/", pingInterval: 300, pingTimeout: 200 },
];

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

function onConnection(socket) {
  let received = [];

  socket.on("whoami", () => {
    socket.emit("whoami", {
      id: socket.id,
      auth: socket.handshake.auth,
      query: socket.handshake.query,
      transport: socket.conn.transport.name,
      engineId: socket.conn.id,
    });
  });
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
}

function rejectAll(_socket, next) {
  const err = new Error("not authorized");
  err.data = { code: 4001, reason: "token" };
  next(err);
}

const httpServer = createServer((_req, res) => {
  res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
});

const ioServers = SERVERS.map((opts) => {
  const io = new Server(httpServer, { ...opts, serveClient: false, maxHttpBufferSize: 1e7, cors: { origin: "*" } });
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
