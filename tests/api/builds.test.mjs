// The smaller builds, each loaded as an app loads it, against a real socket.io 4.8 server.
//
// The WebSocket-only build (`socketio-wasm/websocket`, pkg/websocket/: the cargo features
// without `polling`) connects with its defaults over WebSocket alone, never asks for polling,
// and does what the full build does on it: acks, binary, a clean disconnect. So does the minimal
// build (`socketio-wasm/minimal`, pkg/minimal/: also without `retries`, `recovery` and `binary`),
// but for binary: it refuses the `retries` option and binary data in an emit, never offers to
// recover a session, and ends the connection with a `parse error` on a binary packet.
// socket.io-client's counterpart is its WebSocket transport alone, which the reference run is
// given as an option.
//
//   API_CLIENT=reference node --test tests/api/builds.test.mjs   # socket.io-client 4.8
//   node --test tests/api/builds.test.mjs                        # socketio-wasm (both builds)
import { test } from "node:test";
import assert from "node:assert/strict";
import { CLIENT_PATHS, IS_REFERENCE, T, ioServer, serveBasics, until, useBrowser } from "./harness.mjs";

const browser = useBrowser();

const BUILDS = {
  "WebSocket-only": IS_REFERENCE ? CLIENT_PATHS.reference.module : "/pkg/websocket/index.js",
  minimal: IS_REFERENCE ? CLIENT_PATHS.reference.module : "/pkg/minimal/index.js",
};
// What the reference needs to be WebSocket-only; the builds need nothing.
const DEFAULTS = IS_REFERENCE ? { transports: ["websocket"] } : {};

// A page that loads a build's client as an app imports it.
async function openBuild(t, build) {
  const page = await browser.openHtml(t, "/build.html", `<!doctype html>
<script type="module">
import * as client from "${BUILDS[build]}";
await client.ready; // socketio-wasm's own (calls made before it are queued anyway)
window.io = client.io;
window.clientReady = true;
</script>`);
  await page.waitForFunction(() => window.clientReady, null, { timeout: 10000 });
  return page;
}

// A server that logs every event, every Engine.IO connection's first transport, every polling
// request and every disconnect reason.
async function loggingServer(t) {
  const seen = { events: [], transports: [], polling: 0, reasons: [] };
  const srv = await ioServer(t, {
    setup: (io) => {
      serveBasics(io, { log: seen.events });
      io.engine.on("connection", (conn) => seen.transports.push(conn.transport.name));
      io.engine.on("initial_headers", (_, req) => {
        if (req.url.includes("transport=polling")) seen.polling += 1;
      });
      io.on("connection", (socket) => socket.on("disconnect", (reason) => seen.reasons.push(reason)));
    },
  });
  return { srv, seen };
}

// Which builds carry binary attachments (the minimal one has none).
const WITH_BINARY = { "WebSocket-only": true, minimal: false };

for (const build of Object.keys(BUILDS)) {
  const what = WITH_BINARY[build] ? "acks, binary" : "acks";
  test(`${build} build: its defaults connect over WebSocket alone; ${what} and a clean disconnect`, T, async (t) => {
    const { srv, seen } = await loggingServer(t);
    const page = await openBuild(t, build);
    const r = await page.evaluate(async ({ url, defaults, binary }) => {
      const socket = io(url, defaults);
      await waitFor(socket, "connect");
      const who = await new Promise((resolve) => socket.emit("whoami", resolve));
      const acked = await socket.timeout(5000).emitWithAck("ack", "hi", { n: 1 });
      const sent = binary ? new Uint8Array([1, 2, 3]).buffer : [1, 2, 3];
      socket.emit("echo", sent, "text");
      const [echoed, text] = await new Promise((resolve) => socket.once("echo", (...args) => resolve(args)));
      const transport = socket.io.engine.transport.name;
      socket.disconnect();
      const bytes = binary ? Array.from(new Uint8Array(echoed)) : echoed;
      return { who, acked, bytes, text, transport, connected: socket.connected };
    }, { url: srv.url, defaults: DEFAULTS, binary: WITH_BINARY[build] });
    assert.equal(r.who.transport, "websocket");
    assert.equal(r.transport, "websocket");
    assert.deepEqual(r.acked, "hi");
    assert.deepEqual(r.bytes, [1, 2, 3]);
    assert.equal(r.text, "text");
    assert.equal(r.connected, false);
    await until(() => seen.reasons.length === 1, 5000, "the server's disconnect");
    assert.deepEqual(seen.reasons, ["client namespace disconnect"]);
    assert.deepEqual(seen.transports, ["websocket"]);
    assert.equal(seen.polling, 0, "no polling request");
    assert.deepEqual(page.errors, []);
  });
}

test("WebSocket-only build: `transports` naming polling alone is refused at once; polling beside WebSocket is left out", { ...T, skip: IS_REFERENCE && "socket.io-client's WebSocket-only socket takes transport classes, not names" }, async (t) => {
  const { srv, seen } = await loggingServer(t);
  const page = await openBuild(t, "WebSocket-only");
  const r = await page.evaluate(async ({ url }) => {
    let refused;
    try {
      io(url, { transports: ["polling"], forceNew: true });
    } catch (error) {
      refused = { name: error.name, message: error.message };
    }
    const socket = io(url, { transports: ["polling", "websocket"], forceNew: true });
    await waitFor(socket, "connect");
    const transport = socket.io.engine.transport.name;
    socket.disconnect();
    return { refused, transport };
  }, { url: srv.url });
  assert.equal(r.refused?.name, "TypeError");
  assert.match(r.refused.message, /transports.*this build has no polling/);
  assert.equal(r.transport, "websocket");
  assert.equal(seen.polling, 0, "no polling request");
});

test("minimal build: `retries` and binary emits are refused at once; an abrupt close is not recovered though the server offers it; a binary event is a parse error", { ...T, skip: IS_REFERENCE && "socket.io-client has no build without retries, recovery or binary" }, async (t) => {
  const sessions = [];
  const srv = await ioServer(t, {
    options: { connectionStateRecovery: { maxDisconnectionDuration: 60000 } },
    setup: (io) =>
      io.on("connection", (socket) => {
        sessions.push({ id: socket.id, recovered: socket.recovered });
        // An event gives a recovering client an offset to offer.
        socket.emit("welcome", 1);
        socket.on("cut", () => setTimeout(() => socket.conn.transport.socket.terminate(), 20));
        socket.on("send binary", () => socket.emit("x", Buffer.from([1])));
      }),
  });
  const page = await openBuild(t, "minimal");
  const r = await page.evaluate(async ({ url }) => {
    let refused;
    try {
      io(url, { retries: 2, forceNew: true });
    } catch (error) {
      refused = { name: error.name, message: error.message };
    }
    const socket = io(url, { forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 100 });
    const welcome = waitFor(socket, "welcome");
    await waitFor(socket, "connect");
    await welcome;
    const firstId = socket.id;
    socket.emit("cut");
    const [reason] = await waitFor(socket, "disconnect");
    await waitFor(socket, "connect", 5000);
    const after = { id: socket.id, recovered: socket.recovered };
    const binaryRefused = {};
    for (const [kind, value] of [["ArrayBuffer", new ArrayBuffer(1)], ["Blob", new Blob(["x"])]]) {
      try {
        socket.emit("echo", { nested: [value] });
      } catch (error) {
        binaryRefused[kind] = { name: error.name, message: error.message };
      }
    }
    let received = false;
    socket.on("x", () => (received = true));
    socket.emit("send binary");
    const [binaryReason] = await waitFor(socket, "disconnect");
    socket.disconnect();
    return { refused, firstId, reason, after, binaryRefused, binaryReason, received };
  }, { url: srv.url });
  assert.equal(r.refused?.name, "TypeError");
  assert.match(r.refused.message, /retries.*this build has no retry queue/);
  assert.equal(r.reason, "transport close");
  assert.notEqual(r.after.id, r.firstId, "a new session");
  assert.equal(r.after.recovered, false);
  assert.deepEqual(sessions.map((s) => s.recovered).slice(0, 2), [false, false]);
  for (const kind of ["ArrayBuffer", "Blob"]) {
    assert.equal(r.binaryRefused[kind]?.name, "TypeError", kind);
    assert.match(r.binaryRefused[kind].message, /binary data needs a build with binary attachments/, kind);
  }
  assert.equal(r.binaryReason, "parse error");
  assert.equal(r.received, false, "the binary event is not delivered");
});
