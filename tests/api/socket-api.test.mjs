// The rest of the Socket API, used as an app uses it: send, compress, catch-all listeners
// (onAny/prependAny/offAny/listenersAny and the *Outgoing ones), on/once/off chaining,
// listeners/hasListeners, the Emitter aliases, connect/open and disconnect/close, the id /
// connected / disconnected / active / recovered properties, auth (object and function, called
// on every reconnection), reserved event names, and the module's exports (io, connect,
// default, Manager, Socket, protocol). Against a real socket.io 4.8 server.
//
//   API_CLIENT=reference node --test tests/api/socket-api.test.mjs   # socket.io-client 4.8
//   node --test tests/api/socket-api.test.mjs                        # socketio-wasm (pkg/)
import { test } from "node:test";
import assert from "node:assert/strict";
import { T, ioServer, serveBasics, until, useBrowser } from "./harness.mjs";

const browser = useBrowser();

async function basicServer(t, extra = () => {}) {
  const log = [];
  const srv = await ioServer(t, {
    setup: (io) => {
      serveBasics(io, { log });
      extra(io);
    },
  });
  return { srv, log };
}

test("send(...args) emits a 'message' event and returns the socket", T, async (t) => {
  const { srv, log } = await basicServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url);
    const chain = socket.send("hello", { a: 1 }) === socket;
    socket.send("second");
    await new Promise((resolve) => socket.emit("ack", resolve)); // the messages went before
    return { chain };
  }, { url: srv.url });
  assert.equal(r.chain, true);
  await until(() => log.length >= 2, 3000, "two messages");
  assert.deepEqual(log.slice(0, 2).map((e) => [e.event, e.args]), [
    ["message", ["hello", { a: 1 }]],
    ["message", ["second"]],
  ]);
});

test("compress(false).emit is delivered and compress() returns the socket", T, async (t) => {
  const { srv, log } = await basicServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url);
    await waitFor(socket, "connect");
    const chain = socket.compress(false) === socket;
    socket.emit("plain", 0);
    socket.compress(false).emit("uncompressed", "x".repeat(5000));
    const acked = await new Promise((resolve) => socket.compress(true).emit("ack", "done", resolve));
    return { chain, acked };
  }, { url: srv.url });
  assert.equal(r.chain, true);
  assert.equal(r.acked, "done");
  assert.deepEqual(log.map((e) => e.event), ["plain", "uncompressed", "ack"]);
  assert.equal(log[1].args[0].length, 5000);
});

test("onAny, prependAny, offAny, listenersAny: catch-all listeners run first, in order, not for reserved events", T, async (t) => {
  let serverSocket;
  const { srv } = await basicServer(t, (io) => io.on("connection", (s) => (serverSocket = s)));
  const page = await browser.open(t);
  await page.evaluate(async ({ url }) => {
    window.socket = io(url);
    window.calls = [];
    window.anyA = (event, ...args) => calls.push(["A", event, ...args]);
    window.anyB = (event, ...args) => calls.push(["B", event, ...args]);
    window.anyFirst = (event, ...args) => calls.push(["first", event, ...args]);
    window.chains = [socket.onAny(anyA), socket.onAny(anyB), socket.prependAny(anyFirst)].every((x) => x === socket);
    socket.on("e1", (...args) => calls.push(["listener", "e1", ...args]));
    await waitFor(socket, "connect");
  }, { url: srv.url });
  await until(() => serverSocket, 3000, "server socket");
  serverSocket.emit("e1", 1, "one");
  const r = await page.evaluate(async () => {
    await until(() => calls.some((c) => c[0] === "listener"), 3000, "e1");
    const listeners = socket.listenersAny();
    const order = listeners.map((fn) => (fn === anyFirst ? "first" : fn === anyA ? "A" : fn === anyB ? "B" : "?"));
    const first = calls.splice(0);
    const offOne = socket.offAny(anyA) === socket;
    const afterOffOne = socket.listenersAny().length;
    return { chains, first, order, offOne, afterOffOne };
  });
  assert.equal(r.chains, true, "onAny/prependAny return the socket");
  assert.deepEqual(r.first, [
    ["first", "e1", 1, "one"],
    ["A", "e1", 1, "one"],
    ["B", "e1", 1, "one"],
    ["listener", "e1", 1, "one"],
  ], "catch-all listeners (prepended first) run before the event's listeners; not for connect");
  assert.deepEqual(r.order, ["first", "A", "B"], "listenersAny() in call order");
  assert.equal(r.offOne, true);
  assert.equal(r.afterOffOne, 2);
  serverSocket.emit("e2", 2);
  const r2 = await page.evaluate(async () => {
    await until(() => calls.length >= 2, 3000, "e2");
    const got = calls.splice(0);
    socket.offAny();
    const left = socket.listenersAny().length;
    return { got, left };
  });
  assert.deepEqual(r2.got, [["first", "e2", 2], ["B", "e2", 2]], "offAny(fn) removed only that listener");
  assert.equal(r2.left, 0, "offAny() removes them all");
  serverSocket.emit("e3", 3);
  const r3 = await page.evaluate(async () => {
    const echoed = waitFor(socket, "echo");
    socket.emit("echo", "sync");
    await echoed;
    return calls;
  });
  assert.deepEqual(r3, [], "no catch-all call after offAny()");
});

test("onAnyOutgoing, prependAnyOutgoing, offAnyOutgoing, listenersAnyOutgoing: (event, ...args) without the ack; buffered emits reported when flushed", T, async (t) => {
  const { srv } = await basicServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url, { autoConnect: false });
    const calls = [];
    const outA = (event, ...args) => calls.push(["A", event, ...args]);
    const outFirst = (event, ...args) => calls.push(["first", event, ...args]);
    const chains = [socket.onAnyOutgoing(outA), socket.prependAnyOutgoing(outFirst)].every((x) => x === socket);
    const order = socket.listenersAnyOutgoing().map((fn) => (fn === outFirst ? "first" : fn === outA ? "A" : "?"));
    socket.emit("buffered", 1);
    const whileBuffered = calls.length;
    socket.connect();
    await waitFor(socket, "connect");
    await new Promise((resolve) => socket.emit("ack", "x", 2, resolve));
    const seen = calls.splice(0);
    socket.offAnyOutgoing(outFirst);
    socket.emit("echo", "after-off-one");
    const afterOne = calls.splice(0);
    socket.offAnyOutgoing();
    socket.emit("echo", "after-off-all");
    return { chains, order, whileBuffered, seen, afterOne, afterAll: calls, left: socket.listenersAnyOutgoing().length };
  }, { url: srv.url });
  assert.equal(r.chains, true);
  assert.deepEqual(r.order, ["first", "A"]);
  assert.equal(r.whileBuffered, 0, "socket.io-client 4.8 reports a buffered emit only when it is sent");
  assert.deepEqual(r.seen, [
    ["first", "buffered", 1],
    ["A", "buffered", 1],
    ["first", "ack", "x", 2],
    ["A", "ack", "x", 2],
  ], "the ack callback is not passed to outgoing listeners");
  assert.deepEqual(r.afterOne, [["A", "echo", "after-off-one"]]);
  assert.deepEqual(r.afterAll, []);
  assert.equal(r.left, 0);
});

test("on/once/off chain; listeners(ev) and hasListeners(ev); off(ev) and off() remove listeners", T, async (t) => {
  // "tick-me" n: the server emits "tick" n, then acks (so the tick has arrived by the ack).
  const { srv } = await basicServer(t, (io) =>
    io.on("connection", (s) =>
      s.on("tick-me", (n, cb) => {
        s.emit("tick", n);
        cb();
      }),
    ),
  );
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url);
    const calls = [];
    const tick = (n) => new Promise((resolve) => socket.emit("tick-me", n, resolve));
    const a = (x) => calls.push(["a", x]);
    const b = (x) => calls.push(["b", x]);
    const c = (x) => calls.push(["once", x]);
    const out = {};
    out.chains = [socket.on("tick", a), socket.on("tick", b), socket.once("tick", c)].every((x) => x === socket);
    out.info = {
      count: socket.listeners("tick").length,
      first: socket.listeners("tick")[0] === a,
      has: socket.hasListeners("tick"),
      hasNot: socket.hasListeners("nothing"),
      emptyList: socket.listeners("nothing").length,
    };
    await waitFor(socket, "connect");
    await tick(1);
    await tick(2);
    out.calls12 = calls.splice(0);
    out.countAfterOnce = socket.listeners("tick").length;
    out.offChain = socket.off("tick", a) === socket;
    await tick(3);
    out.calls3 = calls.splice(0);
    socket.on("tock", a);
    socket.off("tick");
    out.afterOffEv = { tick: socket.hasListeners("tick"), tock: socket.hasListeners("tock") };
    await tick(4);
    out.calls4 = calls.splice(0);
    socket.off();
    out.afterOffAll = { tock: socket.hasListeners("tock"), connect: socket.hasListeners("connect") };
    socket.disconnect();
    return out;
  }, { url: srv.url });
  assert.equal(r.chains, true, "on/once return the socket");
  assert.deepEqual(r.info, { count: 3, first: true, has: true, hasNot: false, emptyList: 0 });
  assert.deepEqual(r.calls12, [["a", 1], ["b", 1], ["once", 1], ["a", 2], ["b", 2]], "once fires once; in registration order");
  assert.equal(r.countAfterOnce, 2, "the once listener is gone after firing");
  assert.equal(r.offChain, true, "off returns the socket");
  assert.deepEqual(r.calls3, [["b", 3]], "off(ev, fn) removed only fn");
  assert.deepEqual(r.afterOffEv, { tick: false, tock: true }, "off(ev) removes every listener of ev");
  assert.deepEqual(r.calls4, []);
  assert.deepEqual(r.afterOffAll, { tock: false, connect: false }, "off() removes all listeners");
});

test("Emitter aliases: addEventListener, removeListener, removeEventListener, removeAllListeners", T, async (t) => {
  let serverSocket;
  const { srv } = await basicServer(t, (io) => io.on("connection", (s) => (serverSocket = s)));
  const page = await browser.open(t);
  await page.evaluate(async ({ url }) => {
    window.socket = io(url);
    window.calls = [];
    window.a = (x) => calls.push(["a", x]);
    window.b = (x) => calls.push(["b", x]);
    window.chains = [socket.addEventListener("ev", a), socket.addEventListener("ev", b)].every((s) => s === socket);
    await waitFor(socket, "connect");
  }, { url: srv.url });
  await until(() => serverSocket, 3000, "server socket");
  serverSocket.emit("ev", 1);
  const r = await page.evaluate(async () => {
    await until(() => calls.length === 2, 3000, "ev");
    const got = calls.splice(0);
    const removeChain = socket.removeListener("ev", a) === socket;
    const afterRemove = socket.listeners("ev").length;
    socket.removeEventListener("ev", b);
    const afterRemoveEvent = socket.listeners("ev").length;
    socket.on("ev", a).on("other", b);
    socket.removeAllListeners();
    return { chains, got, removeChain, afterRemove, afterRemoveEvent, all: socket.hasListeners("ev") || socket.hasListeners("other") };
  });
  assert.equal(r.chains, true);
  assert.deepEqual(r.got, [["a", 1], ["b", 1]]);
  assert.equal(r.removeChain, true);
  assert.equal(r.afterRemove, 1);
  assert.equal(r.afterRemoveEvent, 0);
  assert.equal(r.all, false);
});

test("connect()/open() and disconnect()/close() are aliases and return the socket", T, async (t) => {
  const { srv } = await basicServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url, { autoConnect: false });
    const out = {};
    out.openChain = socket.open() === socket;
    await waitFor(socket, "connect");
    out.closeChain = socket.close() === socket;
    out.afterClose = { connected: socket.connected, active: socket.active };
    out.connectChain = socket.connect() === socket;
    await waitFor(socket, "connect");
    out.connectAgain = socket.connect() === socket; // already connected: no-op
    out.disconnectChain = socket.disconnect() === socket;
    out.disconnectAgain = socket.disconnect() === socket; // already disconnected: no-op
    out.end = { connected: socket.connected, active: socket.active };
    return out;
  }, { url: srv.url });
  assert.deepEqual(r, {
    openChain: true,
    closeChain: true,
    afterClose: { connected: false, active: false },
    connectChain: true,
    connectAgain: true,
    disconnectChain: true,
    disconnectAgain: true,
    end: { connected: false, active: false },
  });
});

test("id, connected, disconnected, active and recovered through the lifecycle", T, async (t) => {
  const { srv } = await basicServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const state = (socket) => ({
      id: socket.id ?? null,
      connected: socket.connected,
      disconnected: socket.disconnected,
      active: socket.active,
      // socket.io-client 4.8 has recovered === undefined (not false) once connected to a server
      // without connection state recovery: compare truthiness.
      recovered: Boolean(socket.recovered),
    });
    const socket = io(url, { autoConnect: false });
    const created = state(socket);
    socket.connect();
    const connecting = state(socket);
    let inConnect;
    socket.on("connect", () => (inConnect = state(socket)));
    let inDisconnect;
    socket.on("disconnect", () => (inDisconnect = state(socket)));
    await waitFor(socket, "connect");
    const who = await new Promise((resolve) => socket.emit("whoami", resolve));
    socket.disconnect();
    return { created, connecting, inConnect, who, inDisconnect, after: state(socket) };
  }, { url: srv.url });
  const off = { id: null, connected: false, disconnected: true, recovered: false };
  assert.deepEqual(r.created, { ...off, active: false });
  assert.deepEqual(r.connecting, { ...off, active: true });
  assert.equal(typeof r.inConnect.id, "string");
  assert.equal(r.inConnect.id, r.who.id, "socket.id is the server's socket.id");
  assert.deepEqual({ ...r.inConnect, id: null }, { id: null, connected: true, disconnected: false, active: true, recovered: false });
  assert.deepEqual(r.inDisconnect, { ...off, active: false }, "in the disconnect listener");
  assert.deepEqual(r.after, { ...off, active: false });
});

test("auth object: sent with the namespace CONNECT (server handshake.auth) and readable as socket.auth", T, async (t) => {
  const { srv } = await basicServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const auth = { token: "secret", n: 1, nested: { ok: true } };
    const socket = io(url, { auth });
    const admin = io(url + "/admin", { auth: { token: "admin-token" } });
    await Promise.all([waitFor(socket, "connect"), waitFor(admin, "connect")]);
    const who = await new Promise((resolve) => socket.emit("whoami", resolve));
    const adminWho = await new Promise((resolve) => admin.emit("whoami", resolve));
    return { who: who.auth, adminWho: adminWho.auth, prop: socket.auth };
  }, { url: srv.url });
  assert.deepEqual(r.who, { token: "secret", n: 1, nested: { ok: true } });
  assert.deepEqual(r.adminWho, { token: "admin-token" }, "each namespace socket sends its own auth");
  assert.deepEqual(r.prop, { token: "secret", n: 1, nested: { ok: true } });
});

test("auth function (cb) => cb({ token }) is called on every (re)connect, across a server restart", T, async (t) => {
  const tokens = [];
  const srv = await ioServer(t, {
    setup: (io) => io.on("connection", (socket) => tokens.push(socket.handshake.auth.token)),
  });
  const page = await browser.open(t);
  await page.evaluate(async ({ url }) => {
    window.authCalls = 0;
    window.socket = io(url, {
      reconnectionDelay: 100,
      reconnectionDelayMax: 100,
      auth: (cb) => {
        authCalls += 1;
        cb({ token: `t${authCalls}` });
      },
    });
    await waitFor(socket, "connect");
  }, { url: srv.url });
  await srv.restart({ downMs: 100 });
  const r = await page.evaluate(async () => {
    await until(() => socket.connected, 5000, "reconnection");
    // A manual disconnect + connect calls it once more.
    socket.disconnect();
    socket.connect();
    await waitFor(socket, "connect");
    return { authCalls, isFunction: typeof socket.auth === "function" };
  });
  assert.equal(r.authCalls, 3, "called for the first connect, the reconnection and connect()");
  assert.equal(r.isFunction, true, "socket.auth is the function");
  await until(() => tokens.length === 3, 3000, "three connections");
  assert.deepEqual(tokens, ["t1", "t2", "t3"]);
});

test("module exports: io, connect, default, Manager, Socket, protocol 5; io.connect, io.io, io.Manager, io.Socket", T, async (t) => {
  const page = await browser.open(t);
  const r = await page.evaluate(() => {
    const m = clientModule;
    return {
      ioFn: typeof m.io,
      connect: m.connect === m.io,
      default: m.default === m.io,
      Manager: typeof m.Manager,
      Socket: typeof m.Socket,
      protocol: m.protocol,
      ioConnect: m.io.connect === m.io,
      ioIo: m.io.io === m.io,
      ioManager: m.io.Manager === m.Manager,
      ioSocket: m.io.Socket === m.Socket,
      ioProtocol: describe(m.io.protocol),
    };
  });
  assert.deepEqual(
    { ...r, ioProtocol: undefined },
    {
      ioFn: "function",
      connect: true,
      default: true,
      Manager: "function",
      Socket: "function",
      protocol: 5,
      ioConnect: true,
      ioIo: true,
      ioManager: true,
      ioSocket: true,
      ioProtocol: undefined,
    },
  );
  // socket.io-client 4.8's ESM (and UMD) build does not set io.protocol (only the named export
  // `protocol`); a client that sets io.protocol = 5 as well is fine.
  assert.ok(r.ioProtocol.$undefined || r.ioProtocol === 5, `io.protocol is undefined or 5 (${JSON.stringify(r.ioProtocol)})`);
});

test("emit() of a reserved event name throws", T, async (t) => {
  const { srv } = await basicServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(({ url }) => {
    const socket = io(url, { autoConnect: false });
    const out = {};
    for (const name of ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"]) {
      try {
        socket.emit(name, 1);
        out[name] = "no throw";
      } catch (err) {
        out[name] = err.message;
      }
    }
    out.buffered = socket.sendBuffer.length;
    return out;
  }, { url: srv.url });
  assert.deepEqual(r, {
    connect: '"connect" is a reserved event name',
    connect_error: '"connect_error" is a reserved event name',
    disconnect: '"disconnect" is a reserved event name',
    disconnecting: '"disconnecting" is a reserved event name',
    newListener: '"newListener" is a reserved event name',
    removeListener: '"removeListener" is a reserved event name',
    buffered: 0,
  });
});

test("an exception thrown by an event listener does not disconnect the socket", T, async (t) => {
  let serverSocket;
  const { srv } = await basicServer(t, (io) => io.on("connection", (s) => (serverSocket = s)));
  const page = await browser.open(t);
  await page.evaluate(async ({ url }) => {
    window.socket = io(url);
    window.reasons = [];
    socket.on("disconnect", (reason) => reasons.push(reason));
    socket.on("boom", () => {
      throw new Error("listener failure");
    });
    await waitFor(socket, "connect");
  }, { url: srv.url });
  await until(() => serverSocket, 3000, "server socket");
  serverSocket.emit("boom");
  const r = await page.evaluate(async () => {
    await sleep(200);
    const echoed = waitFor(socket, "echo");
    socket.emit("echo", "alive");
    return { echo: await echoed, reasons, connected: socket.connected };
  });
  assert.deepEqual(r, { echo: ["alive"], reasons: [], connected: true });
  assert.ok(page.errors.some((e) => e.includes("listener failure")), "the error surfaces as an uncaught page error");
});

test("new Socket(manager, nsp, opts): connects at once when the Manager has autoConnect; not the socket manager.socket(nsp) returns", T, async (t) => {
  const { srv } = await basicServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const manager = new Manager(url, { transports: ["websocket"] });
    const socket = new Socket(manager, "/admin", { auth: { token: "t" } });
    await waitFor(socket, "connect");
    const me = await new Promise((resolve) => socket.emit("whoami", resolve));
    const quiet = new Socket(new Manager(url, { autoConnect: false }), "/");
    await sleep(100);
    return {
      nsp: me.nsp,
      auth: me.auth,
      sameAsManagers: manager.socket("/admin") === socket,
      quiet: { connected: quiet.connected, active: quiet.active },
    };
  }, { url: srv.url });
  assert.deepEqual(r, { nsp: "/admin", auth: { token: "t" }, sameAsManagers: false, quiet: { connected: false, active: false } });
});
