// The three servers the browser talks to, all on 127.0.0.1 in this process:
//  - a real socket.io 4.8 server, which also serves the bench page, pkg/ and socket.io-client's
//    dist/ (same origin, so polling needs no CORS). It is the realistic case, but it tops out near
//    10,000 events/s here, which hides most client differences;
//  - a minimal Socket.IO server on raw `ws` (path /socket.io/): the Engine.IO handshake, then
//    pre-encoded frames as fast as the socket takes them, so the client is the bottleneck;
//  - the floor server (path /floor, same port): the same frames with no Engine.IO layer, for the
//    bare WebSocket client.
// The last two share BenchPeer (page/protocol.js) with the in-page fake WebSocket.
import { createServer } from "node:http";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { Server } from "socket.io";
import { WebSocketServer } from "ws";
import { BenchPeer, isBinarySize, makePayload } from "./page/protocol.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const MOUNTS = {
  "/page/": join(ROOT, "bench/page"),
  "/pkg/": join(ROOT, "pkg"),
  "/sioc/": join(ROOT, "node_modules/socket.io-client/dist"),
  // Another build of socketio-wasm to compare with (`BENCH_BASELINE=dir`), when there is one.
  ...(process.env.BENCH_BASELINE ? { "/pkg-base/": resolve(process.env.BENCH_BASELINE) } : {}),
};
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".map": "application/json",
};

async function serveStatic(req, res) {
  const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  const mount = Object.keys(MOUNTS).find((prefix) => path.startsWith(prefix));
  const base = mount && MOUNTS[mount];
  const file = base && resolve(base, `.${path.slice(mount.length - 1)}`);
  const info = file && file.startsWith(base + sep) && (await stat(file).catch(() => null));
  if (!info?.isFile()) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, {
    "content-type": TYPES[extname(file)] ?? "application/octet-stream",
    "content-length": info.size,
    "cache-control": "no-cache",
    // Cross-origin isolation: performance.now() then has 5 µs resolution instead of 100 µs,
    // which the ack round trips in the in-page fake need.
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-embedder-policy": "require-corp",
  });
  createReadStream(file).pipe(res);
}

const listen = (server) =>
  new Promise((done) => server.listen(0, "127.0.0.1", () => done(server.address().port)));

// The real socket.io server's side of the workloads (the same commands BenchPeer answers).
function attachSocketIo(httpServer) {
  const payloads = {};
  const payload = (size) => {
    if (!payloads[size]) {
      const p = makePayload(size);
      payloads[size] = isBinarySize(size) ? Buffer.from(p) : p;
    }
    return payloads[size];
  };
  const io = new Server(httpServer, { serveClient: false, maxHttpBufferSize: 1e7 });
  io.on("connection", (socket) => {
    let expected = 0;
    let received = 0;
    socket.on("recv", ({ n, size }) => {
      const data = payload(size);
      for (let i = 0; i < n; i++) socket.emit("ev", data);
    });
    socket.on("expect", ({ n }) => {
      expected = n;
      received = 0;
    });
    socket.on("ev", () => {
      if (expected > 0 && ++received === expected) {
        expected = 0;
        socket.emit("done", received);
      }
    });
    socket.on("ack", (x, callback) => callback(x));
  });
  return io;
}

// Raw ws: /socket.io/ gets the minimal Socket.IO peer, /floor the floor peer.
function attachRaw(httpServer) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1e8 });
  httpServer.on("upgrade", (req, socket, head) => {
    const path = new URL(req.url, "http://x").pathname;
    const engineIO = path.startsWith("/socket.io/");
    if (!engineIO && path !== "/floor") {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const peer = new BenchPeer(
        {
          sendText: (text) => ws.send(text, { binary: false }),
          sendBinary: (data) => ws.send(data, { binary: true }),
          later: (fn, congested) => (congested ? setTimeout(fn, 1) : setImmediate(fn)),
          backlog: () => ws.bufferedAmount,
          every: (fn, ms) => {
            const timer = setInterval(fn, ms);
            return () => clearInterval(timer);
          },
        },
        { engineIO, encode: (text) => Buffer.from(text) },
      );
      ws.on("message", (data, isBinary) => {
        if (isBinary) peer.onBinary(data);
        else peer.onText(data.toString());
      });
      ws.on("close", () => peer.close());
      ws.on("error", () => {});
      peer.open();
    });
  });
  httpServer.on("request", (req, res) => res.writeHead(404).end());
  return wss;
}

export async function startServers() {
  const sioHttp = createServer(serveStatic);
  const io = attachSocketIo(sioHttp);
  const rawHttp = createServer();
  const wss = attachRaw(rawHttp);
  const sioPort = await listen(sioHttp);
  const rawPort = await listen(rawHttp);
  return {
    sioUrl: `http://127.0.0.1:${sioPort}`,
    miniUrl: `http://127.0.0.1:${rawPort}`,
    floorUrl: `ws://127.0.0.1:${rawPort}/floor`,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise((done) => io.close(() => done()));
      await new Promise((done) => rawHttp.close(() => done()));
      sioHttp.closeAllConnections?.();
    },
  };
}
