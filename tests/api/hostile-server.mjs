// A hostile Socket.IO server, for tests/api/hostile.test.mjs: it speaks just enough Engine.IO v4
// (WebSocket through the raw `ws` package, long-polling through raw node:http) to bring a client
// to where a case wants it, then sends what a real server never would: truncated packets,
// unknown types, bad JSON, stray or missing attachments, a 50 MB frame, invalid UTF-8, absurd
// open packets, polling bodies with the wrong separator, or nothing at all.
//
// One server serves every case at once: the client names its case in the query string
// (`io(url, { query: { case: "name" } })`, which the client repeats on every request), and the
// case says what to do at each step:
//
//   open:       the open packet's fields (merged over sane defaults), a raw string sent as is
//               (without the leading `0`), or null: accept the connection and never answer
//   connected(session, nsp): the client's CONNECT for `nsp` arrived; default: answer it
//   probe(session): the client emitted "probe"; default: emit "probe-reply" back
//
// and `session` offers send(packet), sendBinary(bytes), rawFrame(bytes, { binary }) (WebSocket:
// any bytes as one frame, invalid UTF-8 included) and rawBody(bytes) (polling: a GET response
// body as is).
import { createServer } from "node:http";
import { WebSocketServer } from "ws";

const SEPARATOR = "\x1e";

/** The open packet a sane server sends (upgrades are never offered: one transport per case). */
function openPacket(open, sid) {
  if (typeof open === "string") return `0${open}`;
  const fields = { sid, upgrades: [], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1000000, ...open };
  return `0${JSON.stringify(fields)}`;
}

/** A sane server's answer to the client's CONNECT for `nsp`. */
export function answerConnect(session, nsp) {
  session.send(nsp === "/" ? `40{"sid":"hostile-${session.id}"}` : `40${nsp},{"sid":"hostile-${session.id}"}`);
}

/** What a case does by default at each step. */
const DEFAULTS = {
  open: {},
  connected: answerConnect,
  probe(session) {
    session.send('42["probe-reply"]');
  },
};

/** Reacts to the Socket.IO packets the client sends (the same on both transports). */
function onClientPacket(session, packet) {
  if (packet.startsWith("0")) {
    const nsp = packet.startsWith("0/") ? packet.slice(1).split(",")[0] : "/";
    session.scenario.connected(session, nsp);
  } else if (packet.startsWith('2["probe"')) {
    session.scenario.probe(session);
  }
}

/**
 * Starts the server with `cases` ({ name: scenario }). Resolves with { url, sessions, close }:
 * `sessions` lists every session opened ({ case, transport, received: [packets] }).
 */
export async function startHostileServer(cases) {
  const sessions = [];
  const pollSessions = new Map();
  let nextId = 1;
  const newSession = (url, transport) => {
    const name = url.searchParams.get("case");
    const scenario = { ...DEFAULTS, ...(cases[name] ?? {}) };
    const session = { id: nextId++, case: name, transport, scenario, received: [] };
    sessions.push(session);
    return session;
  };

  const http = createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    const origin = req.headers.origin;
    const headers = { "content-type": "text/plain; charset=UTF-8", "cache-control": "no-store" };
    if (origin) Object.assign(headers, { "access-control-allow-origin": origin, "access-control-allow-credentials": "true" });
    if (req.method === "OPTIONS") {
      res.writeHead(204, { ...headers, "access-control-allow-headers": "content-type", "access-control-allow-methods": "GET, POST" });
      return res.end();
    }
    if (!url.pathname.startsWith("/socket.io/") || url.searchParams.get("transport") !== "polling") {
      res.writeHead(400, headers);
      return res.end();
    }
    const sid = url.searchParams.get("sid");
    if (!sid) return pollHandshake(url, res, headers);
    const session = pollSessions.get(sid);
    if (!session) {
      res.writeHead(400, { ...headers, "content-type": "application/json" });
      return res.end('{"code":1,"message":"Session ID unknown"}');
    }
    if (req.method === "POST") return pollPost(session, req, res, headers);
    session.pending = { res, headers };
    session.flush();
  });

  function pollHandshake(url, res, headers) {
    const session = newSession(url, "polling");
    const sid = `poll-${session.id}`;
    pollSessions.set(sid, session);
    session.queue = [];
    session.pending = null;
    session.flush = () => {
      if (!session.pending || session.queue.length === 0) return;
      const { res, headers } = session.pending;
      session.pending = null;
      // A raw body goes out alone, as it is; packets before it go out together before it.
      const raw = session.queue.findIndex((part) => typeof part !== "string");
      const parts = session.queue.splice(0, raw === -1 ? session.queue.length : Math.max(raw, 1));
      res.writeHead(200, headers);
      res.end(typeof parts[0] === "string" ? parts.join(SEPARATOR) : parts[0].bytes);
    };
    session.send = (packet) => {
      session.queue.push(packet);
      session.flush();
    };
    session.sendBinary = (bytes) => session.send(`b${Buffer.from(bytes).toString("base64")}`);
    session.rawBody = (bytes) => {
      session.queue.push({ bytes: Buffer.from(bytes) });
      session.flush();
    };
    if (session.scenario.open === null) return; // accepted, never answered
    res.writeHead(200, headers);
    res.end(openPacket(session.scenario.open, sid));
  }

  function pollPost(session, req, res, headers) {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      res.writeHead(200, headers);
      res.end("ok");
      for (const packet of Buffer.concat(chunks).toString("utf8").split(SEPARATOR)) {
        session.received.push(packet);
        if (packet.startsWith("4")) onClientPacket(session, packet.slice(1));
      }
    });
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 100 * 1024 * 1024 });
  http.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url, "http://x");
    if (url.searchParams.get("transport") !== "websocket") return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = newSession(url, "websocket");
      session.send = (packet) => ws.readyState === ws.OPEN && ws.send(packet);
      session.sendBinary = (bytes) => ws.readyState === ws.OPEN && ws.send(Buffer.from(bytes), { binary: true });
      // `ws` writes a Buffer sent with binary: false as a text frame without checking its UTF-8.
      session.rawFrame = (bytes, { binary = false } = {}) =>
        ws.readyState === ws.OPEN && ws.send(Buffer.from(bytes), { binary });
      ws.on("error", () => {});
      ws.on("message", (data, isBinary) => {
        if (isBinary) return;
        const packet = data.toString("utf8");
        session.received.push(packet);
        if (packet === "2probe") ws.send("3probe");
        else if (packet.startsWith("4")) onClientPacket(session, packet.slice(1));
      });
      if (session.scenario.open !== null) ws.send(openPacket(session.scenario.open, `ws-${session.id}`));
    });
  });

  const connections = new Set();
  http.on("connection", (socket) => {
    connections.add(socket);
    socket.once("close", () => connections.delete(socket));
  });
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${http.address().port}`,
    sessions,
    close() {
      for (const ws of wss.clients) ws.terminate();
      for (const socket of connections) socket.destroy();
      wss.close();
      return new Promise((resolve) => http.close(() => resolve()));
    },
  };
}
