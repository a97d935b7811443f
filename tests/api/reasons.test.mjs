// Disconnect reasons and their `description` argument, as the "disconnect" listener (and the
// Manager's "close" listener) get them: "io server disconnect", "io client disconnect",
// "transport close" (polling and websocket), "ping timeout", "transport error" (polling and
// websocket), "parse error"; whether the client reconnects by itself afterwards (never after
// "io server disconnect", "io client disconnect" or a middleware connect_error: socket.connect()
// does it by hand), and the connect_error of a namespace middleware (err.message, err.data).
// The server (socket.io 4.8) causes each case with server-side hooks; the page only uses the
// public API.
//
//   API_CLIENT=reference node --test tests/api/reasons.test.mjs   # socket.io-client 4.8
//   node --test tests/api/reasons.test.mjs                        # socketio-wasm (pkg/)
import { test } from "node:test";
import assert from "node:assert/strict";
import { T, ioServer, serveBasics, stopPings, until, useBrowser } from "./harness.mjs";

const browser = useBrowser();

// Server-side triggers, sent by the page as events.
function setup(state) {
  return (io) => {
    serveBasics(io);
    io.on("connection", (socket) => {
      socket.on("disconnect", (reason) => state.serverReasons.push(reason));
      // The Engine.IO socket closes its transport: polling answers the pending GET with a close
      // packet, websocket sends a close frame.
      socket.on("close-transport", () => socket.conn.close());
      socket.on("stop-pings", () => stopPings(socket.conn));
      // Polling: the TCP connection of the pending GET is destroyed.
      socket.on("cut-poll", () => setTimeout(() => socket.conn.transport.req?.socket.destroy(), 20));
      // WebSocket: an invalid frame (reserved opcode 0xF) makes the browser fail the connection.
      socket.on("bad-frame", () => socket.conn.transport.socket._socket.write(Buffer.from([0x8f, 0x00])));
      // A raw Engine.IO message that is not a valid Socket.IO packet: 42["unterminated
      socket.on("malformed", () => socket.conn.write('2["unterminated'));
    });
  };
}

// Opens a socket (transports as given), sends `trigger`, and returns what the "disconnect" and
// Manager "close" listeners got, the events around it, and whether the socket reconnected by
// itself within `reconnectWithinMs` (0: do not wait).
async function disconnectWith(t, { transports, trigger, clientDisconnect = false, serverOptions = {}, reconnectWithinMs = 3000 }) {
  const state = { serverReasons: [] };
  const srv = await ioServer(t, { options: serverOptions, setup: setup(state) });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url, transports, trigger, clientDisconnect, reconnectWithinMs }) => {
    const socket = io(url, { transports, reconnectionDelay: 100, reconnectionDelayMax: 100 });
    const log = record(socket, ["connect", "disconnect", "connect_error"]);
    record(socket.io, ["close", "error", "reconnect_attempt", "reconnect"], log);
    await waitFor(socket, "connect");
    const firstId = socket.id;
    const disconnected = waitFor(socket, "disconnect", 5000);
    const started = performance.now();
    if (clientDisconnect) socket.disconnect();
    else socket.emit(trigger);
    const [reason, description] = await disconnected;
    const elapsed = performance.now() - started;
    const afterDisconnect = { active: socket.active, connected: socket.connected };
    let reconnected = false;
    if (reconnectWithinMs > 0) {
      reconnected = await until(() => socket.connected, reconnectWithinMs, "reconnection").then(
        () => true,
        () => false,
      );
    }
    return {
      reason,
      description: describe(description),
      descriptionType: typeof description,
      elapsed,
      afterDisconnect,
      reconnected,
      sameIdAfterReconnect: socket.id === firstId,
      log: log.map(({ event, args }) => ({ event, args })),
    };
  }, { url: srv.url, transports, trigger, clientDisconnect, reconnectWithinMs });
  const close = r.log.find((e) => e.event === "close");
  r.managerClose = close?.args;
  r.events = r.log.map((e) => e.event);
  return { r, state, srv, page };
}

test("reason 'io server disconnect' (server socket.disconnect()): description undefined, active false, no automatic reconnection", T, async (t) => {
  const { r, state } = await disconnectWith(t, { trigger: "disconnect-me", reconnectWithinMs: 600 });
  assert.equal(r.reason, "io server disconnect");
  assert.equal(r.descriptionType, "undefined");
  assert.deepEqual(r.afterDisconnect, { active: false, connected: false });
  assert.equal(r.reconnected, false, "no automatic reconnection");
  assert.ok(!r.events.includes("reconnect_attempt"));
  assert.deepEqual(state.serverReasons, ["server namespace disconnect"]);
  // The manager closed the connection (its only socket is gone): "forced close".
  assert.deepEqual(r.managerClose, ["forced close", { $undefined: true }]);
});

test("after 'io server disconnect', socket.connect() reconnects by hand with a new id", T, async (t) => {
  const state = { serverReasons: [] };
  const srv = await ioServer(t, { setup: setup(state) });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url, { reconnectionDelay: 50, reconnectionDelayMax: 50 });
    await waitFor(socket, "connect");
    const firstId = socket.id;
    socket.emit("disconnect-me");
    await waitFor(socket, "disconnect");
    await sleep(300);
    const stayed = socket.connected;
    socket.connect();
    await waitFor(socket, "connect", 3000);
    return { stayed, active: socket.active, newId: socket.id !== firstId };
  }, { url: srv.url });
  assert.deepEqual(r, { stayed: false, active: true, newId: true });
});

test("reason 'io client disconnect' (socket.disconnect()): description undefined, active false, no automatic reconnection", T, async (t) => {
  const { r, state } = await disconnectWith(t, { clientDisconnect: true, reconnectWithinMs: 600 });
  assert.equal(r.reason, "io client disconnect");
  assert.equal(r.descriptionType, "undefined");
  assert.deepEqual(r.afterDisconnect, { active: false, connected: false });
  assert.equal(r.reconnected, false);
  assert.ok(!r.events.includes("reconnect_attempt"));
  await until(() => state.serverReasons.length === 1, 3000, "server-side disconnect");
  assert.deepEqual(state.serverReasons, ["client namespace disconnect"]);
});

test("after 'io client disconnect', socket.connect() reconnects by hand", T, async (t) => {
  const state = { serverReasons: [] };
  const srv = await ioServer(t, { setup: setup(state) });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url, { reconnectionDelay: 50, reconnectionDelayMax: 50 });
    await waitFor(socket, "connect");
    socket.disconnect();
    await sleep(300);
    const stayed = socket.connected;
    socket.connect();
    await waitFor(socket, "connect", 3000);
    const echoed = waitFor(socket, "echo");
    socket.emit("echo", "back");
    return { stayed, echo: await echoed, active: socket.active };
  }, { url: srv.url });
  assert.deepEqual(r, { stayed: false, echo: ["back"], active: true });
});

test("namespace middleware error: connect_error with err.message and err.data, active false, no automatic retry; socket.connect() retries", T, async (t) => {
  let attempts = 0;
  const srv = await ioServer(t, {
    setup: (io) => {
      serveBasics(io);
      io.of("/guarded").use((_socket, next) => {
        attempts += 1;
        if (attempts === 1) {
          const err = new Error("nope");
          err.data = { code: 42, why: ["first", "try"] };
          return next(err);
        }
        next();
      });
    },
  });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const main = io(url, { reconnectionDelay: 50, reconnectionDelayMax: 50 });
    const guarded = io(url + "/guarded");
    const log = record(guarded, ["connect", "connect_error", "disconnect"]);
    const [err] = await waitFor(guarded, "connect_error");
    const afterError = {
      err: describe(err),
      isError: err instanceof Error,
      active: guarded.active,
      connected: guarded.connected,
    };
    await until(() => main.connected, 3000, "/ connected");
    await sleep(400);
    const events = log.map((e) => e.event);
    const mainConnected = main.connected;
    guarded.connect();
    await waitFor(guarded, "connect", 3000);
    return { afterError, events, mainConnected, connected: guarded.connected, sameManager: main.io === guarded.io };
  }, { url: srv.url });
  assert.equal(r.afterError.isError, true);
  assert.equal(r.afterError.err.message, "nope");
  assert.deepEqual(r.afterError.err.data, { code: 42, why: ["first", "try"] });
  assert.equal(r.afterError.active, false, "socket.active is false after a middleware error");
  assert.equal(r.afterError.connected, false);
  assert.deepEqual(r.events, ["connect_error"], "no automatic retry");
  assert.equal(r.mainConnected, true, "the other namespace on the same connection is unaffected");
  assert.equal(r.sameManager, true);
  assert.equal(r.connected, true, "socket.connect() retries and the middleware lets it in");
  assert.equal(attempts, 2);
});

test("reason 'transport close' over polling (server closes the transport): description { description: 'transport closed by the server' }; reconnects", T, async (t) => {
  const { r, state } = await disconnectWith(t, { transports: ["polling"], trigger: "close-transport" });
  assert.equal(r.reason, "transport close");
  assert.deepEqual(r.description, { description: "transport closed by the server" });
  assert.deepEqual(r.managerClose, ["transport close", { description: "transport closed by the server" }]);
  assert.deepEqual(r.afterDisconnect, { active: true, connected: false });
  assert.equal(r.reconnected, true, "reconnects by itself");
  assert.deepEqual(state.serverReasons, ["forced close"]);
});

test("reason 'transport close' over websocket (server closes the transport): description { description: 'websocket connection closed', context: CloseEvent }; reconnects", T, async (t) => {
  const { r } = await disconnectWith(t, { transports: ["websocket"], trigger: "close-transport" });
  assert.equal(r.reason, "transport close");
  assert.equal(r.description.description, "websocket connection closed");
  assert.equal(r.description.context.$event, "CloseEvent");
  assert.equal(typeof r.description.context.code, "number");
  assert.equal(r.managerClose[0], "transport close");
  assert.equal(r.reconnected, true);
});

test("reason 'transport close' over websocket when the TCP connection is cut: CloseEvent code 1006; reconnects", T, async (t) => {
  const state = { serverReasons: [] };
  const srv = await ioServer(t, {
    setup: (io) => {
      setup(state)(io);
      io.on("connection", (socket) => socket.on("terminate", () => socket.conn.transport.socket.terminate()));
    },
  });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url, { transports: ["websocket"], reconnectionDelay: 50, reconnectionDelayMax: 50 });
    await waitFor(socket, "connect");
    const closed = waitFor(socket, "disconnect");
    socket.emit("terminate");
    const [reason, description] = await closed;
    await waitFor(socket, "connect", 3000);
    return { reason, description: describe(description) };
  }, { url: srv.url });
  assert.equal(r.reason, "transport close");
  assert.equal(r.description.description, "websocket connection closed");
  assert.equal(r.description.context.code, 1006);
  assert.equal(r.description.context.wasClean, false);
});

test("reason 'ping timeout' when the server stops sending pings: description undefined; reconnects", T, async (t) => {
  const { r } = await disconnectWith(t, {
    transports: ["websocket"],
    trigger: "stop-pings",
    serverOptions: { pingInterval: 300, pingTimeout: 200 },
  });
  assert.equal(r.reason, "ping timeout");
  assert.equal(r.descriptionType, "undefined");
  assert.deepEqual(r.managerClose, ["ping timeout", { $undefined: true }]);
  // The client allows pingInterval + pingTimeout (500 ms) after the last ping.
  assert.ok(r.elapsed < 2000, `timed out after ${Math.round(r.elapsed)} ms`);
  assert.equal(r.reconnected, true);
});

test("reason 'transport error' over polling (the pending GET is cut): description is the TransportError 'xhr poll error'; Manager 'error' first; reconnects", T, async (t) => {
  const { r } = await disconnectWith(t, { transports: ["polling"], trigger: "cut-poll" });
  assert.equal(r.reason, "transport error");
  assert.equal(r.description.$error, "Error");
  assert.equal(r.description.message, "xhr poll error");
  assert.equal(r.description.type, "TransportError");
  assert.equal(typeof r.description.description, "number", "description.description: the HTTP status");
  assert.equal(r.description.context, "XMLHttpRequest", "description.context: the request");
  const errorAt = r.events.indexOf("error");
  assert.ok(errorAt >= 0 && errorAt < r.events.indexOf("disconnect"), `Manager "error" before "disconnect": ${r.events}`);
  assert.ok(!r.events.includes("connect_error"), "no connect_error for a connected socket");
  assert.equal(r.managerClose[0], "transport error");
  assert.equal(r.reconnected, true);
});

test("reason 'transport error' over websocket (invalid frame from the server): description is the TransportError 'websocket error'; reconnects", T, async (t) => {
  const { r } = await disconnectWith(t, { transports: ["websocket"], trigger: "bad-frame" });
  assert.equal(r.reason, "transport error");
  assert.equal(r.description.message, "websocket error");
  assert.equal(r.description.type, "TransportError");
  assert.deepEqual(r.description.description, { $event: "Event", type: "error" }, "description.description: the error event");
  assert.ok(r.events.indexOf("error") < r.events.indexOf("disconnect"));
  assert.equal(r.reconnected, true);
});

test("reason 'parse error' when the server sends a malformed packet: description is an Error; reconnects", T, async (t) => {
  const { r, state } = await disconnectWith(t, { transports: ["websocket"], trigger: "malformed" });
  assert.equal(r.reason, "parse error");
  assert.equal(r.description.$error, "Error");
  assert.equal(typeof r.description.message, "string");
  assert.equal(r.managerClose[0], "parse error");
  assert.equal(r.reconnected, true, "socket.io-client 4.8 reconnects after a parse error");
  await until(() => state.serverReasons.length >= 1, 3000, "server-side disconnect");
});
