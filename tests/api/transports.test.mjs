// HTTP long-polling and the polling -> WebSocket upgrade: order kept across the upgrade, a long
// polling-only session through many heartbeats, POST bodies split under the server's maxPayload
// (and an oversized packet ending the session), a polling-only server (no upgrade; a
// WebSocket-only client fails unless tryAllTransports), a refused handshake, a session the
// server forgot, and query / timestampParam / timestampRequests / extraHeaders /
// withCredentials on the handshake request. The page has another origin than the server, so
// every polling request is a CORS request. Against real socket.io 4.8 servers. (These checks
// come from the wasm-bindgen tests tests/browser_polling.rs, which drove the Rust exports
// without index.js.)
//
//   API_CLIENT=reference node --test tests/api/transports.test.mjs   # socket.io-client 4.8
//   node --test tests/api/transports.test.mjs                        # socketio-wasm (pkg/)
import { test } from "node:test";
import assert from "node:assert/strict";
import { T, ioServer, serveBasics, useBrowser } from "./harness.mjs";

const browser = useBrowser();

// Makes the server forget `conn` as a restart would: no close packet reaches the client.
// engine.io 6.6: the session lives in engine.clients[sid] (requests with an unknown sid get 400
// "Session ID unknown"); the handshake's "close" listener on conn deletes that entry and
// decrements engine.clientsCount, so closing conn ourselves keeps the count right.
function killSession(conn) {
  const transport = conn.transport;
  if (transport.name === "websocket") {
    // ws.WebSocket#terminate() destroys the TCP socket: no close frame, the browser sees 1006.
    transport.socket.terminate();
    return;
  }
  delete conn.server.clients[conn.id];
  // A pending GET would get the close packet when conn closes: end it with a noop first, so the
  // client's next GET (to an unknown sid now) is the one that fails.
  if (transport.writable) transport.send([{ type: "noop" }]);
  // discarded: Polling#doClose() closes at once instead of waiting for a GET to write a close
  // packet into.
  transport.discard();
  conn.onClose("transport close");
}

// An io server with serveBasics (every event in `log`) plus:
//   info(cb)       -> cb({ id, transport, upgraded, query, headers }) of the handshake request;
//                     upgraded: whether this Engine.IO connection went polling -> websocket
//   kill-session   -> killSession(socket.conn) (after this tick: the POST that carried the
//                     event has had its "ok" answer by then)
// `requests`: every HTTP request { method, url, headers } and every upgrade request (method
// "UPGRADE"; on a server without WebSocket the upgrade is refused by destroying the socket, as
// Node does when nobody listens).
async function server(t, options = {}) {
  const log = [];
  const requests = [];
  const upgraded = new WeakSet();
  const srv = await ioServer(t, {
    options,
    setup: (io, s) => {
      serveBasics(io, { log });
      io.engine.on("connection", (conn) => conn.once("upgrade", () => upgraded.add(conn)));
      io.on("connection", (socket) => {
        socket.on("info", (cb) =>
          cb({
            id: socket.id,
            transport: socket.conn.transport.name,
            upgraded: upgraded.has(socket.conn),
            query: socket.handshake.query,
            headers: socket.handshake.headers,
          }),
        );
        socket.on("kill-session", () => setImmediate(() => killSession(socket.conn)));
      });
      s.httpServer.prependListener("request", (req) => requests.push({ method: req.method, url: req.url, headers: req.headers }));
      const websocket = !options.transports || options.transports.includes("websocket");
      if (websocket) {
        s.httpServer.prependListener("upgrade", (req) => requests.push({ method: "UPGRADE", url: req.url, headers: req.headers }));
      } else {
        s.httpServer.on("upgrade", (req, socket) => {
          requests.push({ method: "UPGRADE", url: req.url, headers: req.headers });
          socket.destroy();
        });
      }
    },
  });
  return { srv, log, requests };
}

test("default options: connect over polling, then upgrade to websocket without losing order (2000 buffered emits, 100 echoes during the upgrade)", T, async (t) => {
  const { srv, log } = await server(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url);
    // Emitted before the connection even exists: buffered, then sent over polling (several
    // POSTs) and, if the upgrade comes in between, over the WebSocket.
    for (let n = 0; n < 2000; n++) socket.emit("seq", n);
    const seqDone = new Promise((resolve) => socket.emit("ack", "seq-done", resolve));
    await waitFor(socket, "connect");
    const transportAtConnect = socket.io.engine.transport.name;

    // Round trips while the upgrade is under way: replies arrive over either transport, in order.
    const echoed = [];
    const burstDone = new Promise((resolve) =>
      socket.on("echo", (n) => {
        echoed.push(n);
        if (echoed.length === 100) resolve();
      }),
    );
    for (let n = 0; n < 100; n++) socket.emit("echo", n);
    await Promise.race([burstDone, sleep(5000)]);
    socket.off("echo");
    await seqDone;

    if (socket.io.engine.transport.name !== "websocket") await waitFor(socket.io.engine, "upgrade", 5000);
    const info = await new Promise((resolve) => socket.emit("info", resolve));
    const roundTrip = async (...args) => {
      const back = waitFor(socket, "echo");
      socket.emit("echo", ...args);
      return await back;
    };
    const text = await roundTrip("after the upgrade");
    const binary = await roundTrip(new Uint8Array([1, 2, 3, 4]), { nested: new Uint8Array([5, 6, 7]).buffer });
    return {
      transportAtConnect,
      echoed,
      info: { transport: info.transport, upgraded: info.upgraded, sameId: info.id === socket.id },
      transport: socket.io.engine.transport.name,
      text,
      binary: describe(binary),
      isArrayBuffer: binary[0] instanceof ArrayBuffer && binary[1].nested instanceof ArrayBuffer,
    };
  }, { url: srv.url });
  assert.deepEqual(r.echoed, Array.from({ length: 100 }, (_, n) => n), "echo replies in order");
  const seq = log.filter((e) => e.event === "seq").map((e) => e.args[0]);
  assert.equal(seq.length, 2000);
  assert.deepEqual(seq, Array.from({ length: 2000 }, (_, n) => n), "the 2000 buffered emits arrive in order");
  // "websocket" right after connect is fine only because the upgrade happened in between
  // (upgraded: true below); a direct WebSocket connection would have upgraded false.
  assert.ok(["polling", "websocket"].includes(r.transportAtConnect), `transport right after connect: ${r.transportAtConnect}`);
  assert.deepEqual(r.info, { transport: "websocket", upgraded: true, sameId: true });
  assert.equal(r.transport, "websocket");
  assert.deepEqual(r.text, ["after the upgrade"]);
  assert.deepEqual(r.binary, [
    { $bin: "ArrayBuffer", bytes: [1, 2, 3, 4] },
    { nested: { $bin: "ArrayBuffer", bytes: [5, 6, 7] } },
  ]);
  assert.equal(r.isArrayBuffer, true);
});

// Issue: "stays up for 30 s of chat"; 6 s already spans about ten heartbeats of this server (a
// ping every 400 ms, each to be answered within 300 ms) and keeps the suite fast.
const POLLING_SESSION_MS = 6000;

test("a polling-only session keeps chatting (JSON and binary) through many heartbeats", { ...T, timeout: 30000 }, async (t) => {
  const { srv } = await server(t, { transports: ["polling"], pingInterval: 400, pingTimeout: 300 });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url, sessionMs }) => {
    const socket = io(url, { transports: ["polling"] });
    await waitFor(socket, "connect");
    const troubles = record(socket, ["disconnect", "connect_error"]);
    record(socket.io, ["error", "close"], troubles);
    let pings = 0;
    socket.io.on("ping", () => pings++);
    const mismatches = [];
    const started = performance.now();
    let sent = 0;
    while (performance.now() - started < sessionMs) {
      const message = { from: "alice", text: `message ${sent}` };
      const back = waitFor(socket, "echo");
      socket.emit("echo", message, new Uint8Array([1, 2, 3, 4]), { nested: new Uint8Array([1, 2, 3, 4]).buffer });
      const args = await back;
      const got = JSON.stringify(describe(args));
      const want = JSON.stringify([message, { $bin: "ArrayBuffer", bytes: [1, 2, 3, 4] }, { nested: { $bin: "ArrayBuffer", bytes: [1, 2, 3, 4] } }]);
      if (got !== want) mismatches.push({ sent, got });
      sent++;
      await sleep(200);
    }
    const info = await new Promise((resolve) => socket.emit("info", resolve));
    return {
      sent,
      pings,
      mismatches,
      troubles: troubles.map((e) => e.event),
      connected: socket.connected,
      transport: socket.io.engine.transport.name,
      server: info.transport,
    };
  }, { url: srv.url, sessionMs: POLLING_SESSION_MS });
  assert.ok(r.sent >= 10, `only ${r.sent} round trips`);
  assert.deepEqual(r.mismatches, [], "every echo came back equal");
  assert.ok(r.pings >= 8, `only ${r.pings} heartbeats in ${POLLING_SESSION_MS} ms`);
  assert.deepEqual(r.troubles, [], "no disconnect, connect_error, Manager error or close");
  assert.equal(r.connected, true);
  assert.equal(r.transport, "polling");
  assert.equal(r.server, "polling");
});

test("polling splits POST bodies under the server's maxPayload; one packet over it ends the session with 'transport error'", T, async (t) => {
  // maxHttpBufferSize 20000: the handshake says maxPayload 20000 and a bigger POST body gets 413.
  const LIMIT = 20000;
  const { srv, log, requests } = await server(t, { maxHttpBufferSize: LIMIT });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    window.socket = io(url, { transports: ["polling"] });
    await waitFor(socket, "connect");
    const filler = "p".repeat(200);
    for (let n = 0; n < 300; n++) socket.emit("seq", n, filler);
    await new Promise((resolve) => socket.emit("ack", "seq-done", resolve));
    return { connected: socket.connected };
  }, { url: srv.url });
  assert.equal(r.connected, true);
  const seq = log.filter((e) => e.event === "seq");
  assert.equal(seq.length, 300);
  assert.deepEqual(seq.map((e) => e.args[0]), Array.from({ length: 300 }, (_, n) => n), "in order");
  assert.ok(seq.every((e) => e.args[1] === "p".repeat(200)));
  const posts = requests.splice(0).filter((x) => x.method === "POST");
  const sizes = posts.map((x) => Number(x.headers["content-length"]));
  // 300 packets of ~215 bytes: more than 60 kB, so at least 4 POSTs.
  assert.ok(posts.length >= 4, `${posts.length} POSTs: ${sizes}`);
  assert.ok(sizes.every((n) => n > 0 && n <= LIMIT), `every POST body within ${LIMIT} bytes: ${sizes}`);

  // One packet bigger than the limit goes alone in a POST; the server answers 413, and
  // socket.io-client 4.8 reports `transport error`.
  const r2 = await page.evaluate(async ({ url }) => {
    const disconnected = waitFor(socket, "disconnect");
    socket.emit("echo", "x".repeat(30000));
    const [reason] = await disconnected;
    const connected = socket.connected;
    socket.disconnect();
    const again = io(url, { transports: ["polling"] });
    await waitFor(again, "connect");
    const echoed = waitFor(again, "echo");
    again.emit("echo", "still fine");
    return { reason, connected, echo: await echoed };
  }, { url: srv.url });
  assert.deepEqual(r2, { reason: "transport error", connected: false, echo: ["still fine"] });
  const big = requests.filter((x) => x.method === "POST" && Number(x.headers["content-length"]) > LIMIT);
  assert.equal(big.length, 1, "the oversized packet went out in one POST");
  assert.ok(!log.some((e) => e.event === "echo" && e.args[0].length === 30000), "the server never handled it");
});

test("default transports stay on polling when the server offers no upgrade (polling-only server)", T, async (t) => {
  const { srv, requests } = await server(t, { transports: ["polling"], pingInterval: 400, pingTimeout: 300 });
  const page = await browser.open(t);
  const out = await page.evaluate(async ({ url }) => {
    const socket = io(url);
    const troubles = record(socket, ["disconnect", "connect_error"]);
    await waitFor(socket, "connect");
    const atConnect = socket.io.engine.transport.name;
    let pings = 0;
    socket.io.on("ping", () => pings++);
    // Nothing to wait for: watch the session for a while (several heartbeats).
    await sleep(2000);
    const info = await new Promise((resolve) => socket.emit("info", resolve));
    return {
      atConnect,
      pings,
      troubles: troubles.map((e) => e.event),
      connected: socket.connected,
      transport: socket.io.engine.transport.name,
      info: { transport: info.transport, upgraded: info.upgraded },
    };
  }, { url: srv.url });
  assert.equal(out.atConnect, "polling");
  assert.deepEqual(out.troubles, []);
  assert.ok(out.pings >= 2, `only ${out.pings} heartbeats`);
  assert.equal(out.connected, true);
  assert.equal(out.transport, "polling");
  assert.deepEqual(out.info, { transport: "polling", upgraded: false });
  assert.deepEqual(requests.filter((x) => x.method === "UPGRADE").map((x) => x.url), [], "no WebSocket attempt");
});

test("transports: ['websocket'] against a polling-only server fails with 'websocket error'; ['websocket', 'polling'] with tryAllTransports falls back to polling", T, async (t) => {
  const { srv } = await server(t, { transports: ["polling"], pingInterval: 400, pingTimeout: 300 });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const failing = io(url, { transports: ["websocket"] });
    const [err] = await waitFor(failing, "connect_error");
    const failed = { isError: err instanceof Error, message: err.message, type: err.type, connected: failing.connected };
    failing.disconnect();
    const socket = io(url, { transports: ["websocket", "polling"], tryAllTransports: true });
    await waitFor(socket, "connect");
    const info = await new Promise((resolve) => socket.emit("info", resolve));
    return { failed, transport: socket.io.engine.transport.name, server: info.transport };
  }, { url: srv.url });
  assert.deepEqual(r, {
    failed: { isError: true, message: "websocket error", type: "TransportError", connected: false },
    transport: "polling",
    server: "polling",
  });
});

test("a refused handshake (allowRequest: 403) gives connect_error 'xhr poll error' with the status and the response body", T, async (t) => {
  const { srv } = await server(t, {
    allowRequest: (_req, callback) => callback("custom refusal from allowRequest", false),
  });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url);
    // Read inside the listener: socket.io-client aborts the failed XMLHttpRequest (err.context)
    // right after emitting, which resets its status and body.
    const err = await new Promise((resolve) =>
      socket.once("connect_error", (e) =>
        resolve({
          isError: e instanceof Error,
          message: e.message,
          type: e.type,
          description: e.description,
          status: e.context?.status,
          responseText: typeof e.context?.responseText === "string" ? e.context.responseText : null,
        }),
      ),
    );
    const connected = socket.connected;
    socket.disconnect();
    return { err, connected };
  }, { url: srv.url });
  assert.equal(r.err.isError, true);
  assert.equal(r.err.message, "xhr poll error");
  assert.equal(r.err.type, "TransportError");
  assert.equal(r.err.description, 403, "err.description: the HTTP status");
  assert.equal(r.err.status, 403, "err.context.status");
  assert.ok(r.err.responseText?.includes("custom refusal from allowRequest"), `err.context.responseText: ${r.err.responseText}`);
  assert.deepEqual(JSON.parse(r.err.responseText), { code: 4, message: "custom refusal from allowRequest" });
  assert.equal(r.connected, false);
});

// The server drops the Engine.IO session without a close packet, as a restart would.
// socket.io-client 4.8: `transport error` on polling (its next GET gets 400 "Session ID
// unknown"), `transport close` on WebSocket (close 1006).
for (const [transport, expected] of [["polling", "transport error"], ["websocket", "transport close"]]) {
  test(`a session the server forgot ends in '${expected}' over ${transport}, and a new io() works`, T, async (t) => {
    const { srv } = await server(t);
    const page = await browser.open(t);
    const r = await page.evaluate(async ({ url, transport }) => {
      const socket = io(url, { transports: [transport] });
      await waitFor(socket, "connect");
      const disconnected = waitFor(socket, "disconnect");
      socket.emit("kill-session");
      const [reason] = await disconnected;
      const connected = socket.connected;
      socket.disconnect();
      const again = io(url, { transports: [transport] });
      await waitFor(again, "connect");
      const echoed = waitFor(again, "echo");
      again.emit("echo", "after the restart");
      return { reason, connected, echo: await echoed };
    }, { url: srv.url, transport });
    assert.deepEqual(r, { reason: expected, connected: false, echo: ["after the restart"] });
  });
}

test("query, timestampParam, extraHeaders and withCredentials reach the server on polling; timestampRequests: false sends no timestamp", T, async (t) => {
  const { srv, requests } = await server(t, { cookie: { name: "io", sameSite: "lax", path: "/" } });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const ask = (s) => new Promise((resolve) => s.emit("info", resolve));
    const first = io(url, {
      transports: ["polling"],
      query: { room: "lobby" },
      timestampParam: "ts",
      extraHeaders: { "x-test": "yes" },
      withCredentials: true,
    });
    await waitFor(first, "connect");
    const a = await ask(first);
    await new Promise((resolve) => first.emit("ack", resolve));
    first.disconnect();
    const second = io(url, { transports: ["polling"], timestampRequests: false });
    await waitFor(second, "connect");
    const b = await ask(second);
    second.disconnect();
    return { a, b };
  }, { url: srv.url });
  assert.equal(r.a.headers["x-test"], "yes");
  assert.equal(r.a.query.room, "lobby");
  assert.ok(typeof r.a.query.ts === "string" && r.a.query.ts.length > 0, `a timestamp in ts: ${JSON.stringify(r.a.query)}`);
  assert.equal(r.a.query.t, undefined);
  assert.equal(r.b.query.t, undefined);
  assert.equal(r.b.query.ts, undefined);
  assert.equal(r.b.headers["x-test"], undefined);
  // Every polling request of the first socket carried the header; with withCredentials the
  // session's requests after the handshake carry the cookie the handshake response set.
  const ofFirst = requests.filter((x) => x.method !== "OPTIONS" && new URL(x.url, "http://x").searchParams.get("room") === "lobby");
  assert.ok(ofFirst.length >= 3, `${ofFirst.length} requests`);
  assert.ok(ofFirst.every((x) => x.headers["x-test"] === "yes"), "x-test on every request");
  assert.ok(ofFirst.slice(1).some((x) => /(^|; )io=/.test(x.headers.cookie ?? "")), ofFirst.map((x) => x.headers.cookie).join(" | "));
});
