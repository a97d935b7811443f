// Manager API: multiplexing of namespaces over one Engine.IO connection (io() cache, forceNew,
// multiplex), the option getters/setters, new Manager() + manager.socket()/open(), and the
// Manager events open / packet / ping / close / error, in headless Chromium against a real
// socket.io 4.8 server. Engine ids are read on the server (socket.conn.id).
//
//   API_CLIENT=reference node --test tests/api/manager.test.mjs   # socket.io-client 4.8
//   node --test tests/api/manager.test.mjs                        # socketio-wasm (pkg/)
import { test } from "node:test";
import assert from "node:assert/strict";
import { IS_WASM, T, ioServer, serveBasics, startBlackhole, until, useBrowser } from "./harness.mjs";

const browser = useBrowser();

test("io(url) and io(url + '/admin') share one Manager and one Engine.IO connection (same server-side engine id)", T, async (t) => {
  const srv = await ioServer(t, { setup: (io) => serveBasics(io) });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const main = io(url);
    const admin = io(url + "/admin");
    await Promise.all([waitFor(main, "connect"), waitFor(admin, "connect")]);
    const ask = (s) => new Promise((resolve) => s.emit("whoami", resolve));
    return {
      mainId: main.id,
      adminId: admin.id,
      sameManager: main.io === admin.io,
      isManager: main.io instanceof Manager,
      isSocket: main instanceof Socket && admin instanceof Socket,
      whoMain: await ask(main),
      whoAdmin: await ask(admin),
    };
  }, { url: srv.url });
  assert.equal(r.sameManager, true, "socket.io === otherSocket.io");
  assert.equal(r.isManager, true, "socket.io instanceof Manager");
  assert.equal(r.isSocket, true, "sockets are instances of the exported Socket");
  assert.notEqual(r.mainId, r.adminId, "each namespace socket has its own id");
  const mainSocket = await srv.waitSocket(r.mainId, "/");
  const adminSocket = await srv.waitSocket(r.adminId, "/admin");
  assert.equal(mainSocket.conn.id, adminSocket.conn.id, "same engine id (socket.conn.id) for both namespaces");
  assert.equal(srv.io.engine.clientsCount, 1, "one Engine.IO connection in total");
  assert.equal(r.whoMain.engineId, r.whoAdmin.engineId);
  assert.equal(r.whoMain.nsp, "/");
  assert.equal(r.whoAdmin.nsp, "/admin");
  assert.equal(r.whoMain.id, r.mainId, "socket.id is the server-side socket id");
  assert.equal(r.whoAdmin.id, r.adminId);
});

test("forceNew, multiplex:false and a second io() to an open namespace each create a new Manager and connection", T, async (t) => {
  const srv = await ioServer(t, { setup: (io) => serveBasics(io) });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const first = io(url);
    const forced = io(url, { forceNew: true });
    const unplexed = io(url + "/admin", { multiplex: false });
    const again = io(url); // "/" is already open on the cached Manager: a new Manager
    const cachedAdmin = io(url + "/admin"); // "/admin" is not open on the cached one: reused
    const all = { first, forced, unplexed, again, cachedAdmin };
    await Promise.all(Object.values(all).map((s) => waitFor(s, "connect")));
    const ask = (s) => new Promise((resolve) => s.emit("whoami", resolve));
    const engineIds = {};
    for (const [name, s] of Object.entries(all)) engineIds[name] = (await ask(s)).engineId;
    return {
      engineIds,
      forcedNew: forced.io !== first.io,
      unplexedNew: unplexed.io !== first.io,
      againNew: again.io !== first.io && again.io !== forced.io,
      cachedAdminShared: cachedAdmin.io === first.io,
    };
  }, { url: srv.url });
  assert.equal(r.forcedNew, true, "forceNew: true gives a new Manager");
  assert.equal(r.unplexedNew, true, "multiplex: false gives a new Manager");
  assert.equal(r.againNew, true, "io() to a namespace already open gives a new Manager");
  assert.equal(r.cachedAdminShared, true, "io() to another namespace reuses the cached Manager");
  const { first, forced, unplexed, again, cachedAdmin } = r.engineIds;
  assert.equal(new Set([first, forced, unplexed, again]).size, 4, "four distinct engine ids");
  assert.equal(cachedAdmin, first, "the reused Manager shares the engine id");
  assert.equal(srv.io.engine.clientsCount, 4);
});

test("disconnecting one namespace socket keeps the shared connection open for the other", T, async (t) => {
  const srv = await ioServer(t, { setup: (io) => serveBasics(io) });
  const page = await browser.open(t);
  const before = await page.evaluate(async ({ url }) => {
    window.main = io(url);
    window.admin = io(url + "/admin");
    await Promise.all([waitFor(main, "connect"), waitFor(admin, "connect")]);
    return { main: main.id, admin: admin.id };
  }, { url: srv.url });
  const serverMain = await srv.waitSocket(before.main, "/");
  const serverAdmin = await srv.waitSocket(before.admin, "/admin");
  const engineId = serverMain.conn.id;
  const adminGone = new Promise((resolve) => serverAdmin.once("disconnect", resolve));

  const r = await page.evaluate(async () => {
    const reasons = [];
    admin.on("disconnect", (reason) => reasons.push(reason));
    admin.disconnect();
    await sleep(200);
    const echoed = waitFor(main, "echo");
    main.emit("echo", "still here");
    return {
      reasons,
      echo: await echoed,
      main: { connected: main.connected, active: main.active },
      admin: { connected: admin.connected, active: admin.active, id: admin.id ?? null },
    };
  });
  assert.equal(await adminGone, "client namespace disconnect", "server-side reason for /admin");
  assert.deepEqual(r.reasons, ["io client disconnect"]);
  assert.deepEqual(r.echo, ["still here"]);
  assert.deepEqual(r.main, { connected: true, active: true });
  assert.deepEqual(r.admin, { connected: false, active: false, id: null });
  assert.equal(serverMain.connected, true, "server still sees / connected");
  assert.equal(srv.socket(before.main, "/").conn.id, engineId, "engine id unchanged");
  assert.equal(srv.io.engine.clientsCount, 1);

  // Disconnecting the last socket closes the Engine.IO connection.
  await page.evaluate(() => main.disconnect());
  await until(() => srv.io.engine.clientsCount === 0, 3000, "the engine connection to close");
});

test("Manager getters return the defaults (true, Infinity, 1000, 5000, 0.5, 20000)", T, async (t) => {
  const srv = await ioServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(({ url }) => {
    const m = new Manager(url, { autoConnect: false });
    return {
      reconnection: m.reconnection(),
      reconnectionAttempts: m.reconnectionAttempts(),
      reconnectionDelay: m.reconnectionDelay(),
      reconnectionDelayMax: m.reconnectionDelayMax(),
      randomizationFactor: m.randomizationFactor(),
      timeout: m.timeout(),
    };
  }, { url: srv.url });
  assert.deepEqual(r, {
    reconnection: true,
    reconnectionAttempts: Infinity,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 5000,
    randomizationFactor: 0.5,
    timeout: 20000,
  });
});

test("Manager setters set the value and return the manager; constructor options are reflected", T, async (t) => {
  const srv = await ioServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(({ url }) => {
    const m = new Manager(url, {
      autoConnect: false,
      reconnection: false,
      reconnectionAttempts: 7,
      reconnectionDelay: 123,
      reconnectionDelayMax: 456,
      randomizationFactor: 0.25,
      timeout: 789,
    });
    const fromOptions = {
      reconnection: m.reconnection(),
      reconnectionAttempts: m.reconnectionAttempts(),
      reconnectionDelay: m.reconnectionDelay(),
      reconnectionDelayMax: m.reconnectionDelayMax(),
      randomizationFactor: m.randomizationFactor(),
      timeout: m.timeout(),
    };
    const returnsManager = [
      m.reconnection(true),
      m.reconnectionAttempts(3),
      m.reconnectionDelay(500),
      m.reconnectionDelayMax(2000),
      m.randomizationFactor(0.1),
      m.timeout(1500),
    ].every((x) => x === m);
    const afterSet = {
      reconnection: m.reconnection(),
      reconnectionAttempts: m.reconnectionAttempts(),
      reconnectionDelay: m.reconnectionDelay(),
      reconnectionDelayMax: m.reconnectionDelayMax(),
      randomizationFactor: m.randomizationFactor(),
      timeout: m.timeout(),
    };
    m.timeout(false);
    const timeoutFalse = m.timeout();
    // io() returns a Socket whose .io is a Manager built from the same options.
    const s = io(url, { autoConnect: false, forceNew: true, reconnectionDelay: 321, timeout: 654 });
    return {
      fromOptions,
      returnsManager,
      afterSet,
      timeoutFalse,
      viaIo: { delay: s.io.reconnectionDelay(), timeout: s.io.timeout() },
    };
  }, { url: srv.url });
  assert.deepEqual(r.fromOptions, {
    reconnection: false,
    reconnectionAttempts: 7,
    reconnectionDelay: 123,
    reconnectionDelayMax: 456,
    randomizationFactor: 0.25,
    timeout: 789,
  });
  assert.equal(r.returnsManager, true, "every setter returns the manager (chainable)");
  assert.deepEqual(r.afterSet, {
    reconnection: true,
    reconnectionAttempts: 3,
    reconnectionDelay: 500,
    reconnectionDelayMax: 2000,
    randomizationFactor: 0.1,
    timeout: 1500,
  });
  assert.equal(r.timeoutFalse, false, "timeout(false) disables the connect timeout");
  assert.deepEqual(r.viaIo, { delay: 321, timeout: 654 });
});

test("Manager constructor: 0 for reconnectionAttempts/Delay/DelayMax means the default; randomizationFactor 0 and timeout 0 are kept", T, async (t) => {
  const srv = await ioServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(({ url }) => {
    const m = new Manager(url, {
      autoConnect: false,
      reconnectionAttempts: 0,
      reconnectionDelay: 0,
      reconnectionDelayMax: 0,
      randomizationFactor: 0,
      timeout: 0,
    });
    return {
      reconnectionAttempts: m.reconnectionAttempts(),
      reconnectionDelay: m.reconnectionDelay(),
      reconnectionDelayMax: m.reconnectionDelayMax(),
      randomizationFactor: m.randomizationFactor(),
      timeout: m.timeout(),
    };
  }, { url: srv.url });
  // socket.io-client 4.8: `opts.reconnectionAttempts || Infinity`, `opts.reconnectionDelay ||
  // 1000`, `opts.reconnectionDelayMax || 5000`, `opts.randomizationFactor ?? 0.5`,
  // `opts.timeout == null ? 20000 : opts.timeout`.
  assert.deepEqual(r, {
    reconnectionAttempts: Infinity,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 5000,
    randomizationFactor: 0,
    timeout: 0,
  });
});

test("manager.opts holds the options given to io() / new Manager(), with path defaulting to '/socket.io'", T, async (t) => {
  const srv = await ioServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(({ url }) => {
    const socket = io(url, { autoConnect: false, reconnectionDelay: 250, query: { a: "1" } });
    const manager = new Manager(url, { autoConnect: false, path: "/custom", timeout: 1234 });
    return {
      io: { path: socket.io.opts.path, reconnectionDelay: socket.io.opts.reconnectionDelay, query: socket.io.opts.query },
      manager: { path: manager.opts.path, timeout: manager.opts.timeout },
    };
  }, { url: srv.url });
  assert.deepEqual(r, {
    io: { path: "/socket.io", reconnectionDelay: 250, query: { a: "1" } },
    manager: { path: "/custom", timeout: 1234 },
  });
});

test("new Manager(url, opts): manager.socket(nsp, { auth }), manager.open(cb) and socket.connect()", T, async (t) => {
  const srv = await ioServer(t, { setup: (io) => serveBasics(io) });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const manager = new Manager(url, { autoConnect: false, reconnectionDelay: 50 });
    const admin = manager.socket("/admin", { auth: { token: "abc" } });
    const sameAgain = manager.socket("/admin") === admin;
    const beforeOpen = { connected: admin.connected, active: admin.active };
    const opened = await new Promise((resolve) => {
      const ret = manager.open((err) => resolve({ err: describe(err), chain: ret === manager }));
    });
    await sleep(100);
    const afterOpen = { connected: admin.connected, active: admin.active };
    admin.connect();
    await waitFor(admin, "connect");
    const who = await new Promise((resolve) => admin.emit("whoami", resolve));
    // connect(cb) is an alias of open(cb); on an open manager it is a no-op returning the manager.
    const connectAlias = manager.connect() === manager;
    const root = manager.socket("/");
    root.connect();
    await waitFor(root, "connect");
    const rootWho = await new Promise((resolve) => root.emit("whoami", resolve));
    admin.disconnect();
    root.disconnect();
    return { sameAgain, beforeOpen, opened, afterOpen, who, rootWho, connectAlias, sameIo: admin.io === manager };
  }, { url: srv.url });
  assert.equal(r.sameAgain, true, "manager.socket(nsp) returns the same Socket for the same nsp");
  assert.deepEqual(r.beforeOpen, { connected: false, active: false });
  assert.deepEqual(r.opened, { err: { $undefined: true }, chain: true }, "open(cb): cb() without error");
  assert.deepEqual(r.afterOpen, { connected: false, active: false }, "open() alone connects no namespace");
  assert.equal(r.who.nsp, "/admin");
  assert.deepEqual(r.who.auth, { token: "abc" }, "auth from manager.socket(nsp, { auth })");
  assert.equal(r.rootWho.engineId, r.who.engineId, "both sockets of the manager share the connection");
  assert.equal(r.connectAlias, true);
  assert.equal(r.sameIo, true, "socket.io is the manager");
});

test("manager.open(cb) calls back with the error when the server is down and does not reconnect", T, async (t) => {
  const srv = await ioServer(t);
  await srv.stop();
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const manager = new Manager(url, { autoConnect: false, reconnectionDelay: 50, reconnectionDelayMax: 50 });
    const log = record(manager, ["open", "error", "reconnect_attempt"]);
    const err = await new Promise((resolve) => manager.connect(resolve));
    await sleep(400);
    return { err: describe(err), events: log.map((e) => e.event) };
  }, { url: srv.url });
  assert.equal(r.err.$error, "Error");
  assert.equal(r.err.message, "xhr poll error");
  assert.equal(r.err.type, "TransportError");
  assert.deepEqual(r.events, ["error"], "an 'error' event, and no reconnect_attempt when open() got a callback");
});

test("Manager events: open, packet (CONNECT, EVENT), ping, close with reason, then open again", T, async (t) => {
  const srv = await ioServer(t, {
    options: { pingInterval: 200, pingTimeout: 2000 },
    setup: (io) => {
      serveBasics(io);
      io.on("connection", (socket) => {
        socket.on("hello-me", () => socket.emit("hello", 1, { two: 2 }));
        socket.on("close-transport", () => socket.conn.close());
      });
    },
  });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url, { reconnectionDelay: 50, reconnectionDelayMax: 50 });
    const log = record(socket.io, ["open", "packet", "ping", "close", "error", "reconnect"]);
    await waitFor(socket, "connect");
    const hello = waitFor(socket, "hello");
    socket.emit("hello-me");
    await hello;
    await waitFor(socket.io, "ping", 3000);
    const closed = waitFor(socket.io, "close");
    socket.emit("close-transport");
    const [reason] = await closed;
    await waitFor(socket, "connect", 3000);
    socket.disconnect();
    return { reason, log: log.map(({ event, args }) => ({ event, args })) };
  }, { url: srv.url });
  const events = r.log.map((e) => e.event);
  assert.equal(events[0], "open", "first event is open");
  const packets = r.log.filter((e) => e.event === "packet").map((e) => e.args[0]);
  assert.equal(packets[0].type, 0, "first packet: CONNECT (type 0)");
  assert.equal(packets[0].nsp, "/");
  assert.equal(typeof packets[0].data.sid, "string", "CONNECT data has the sid");
  const event = packets.find((p) => p.type === 2);
  assert.ok(event, "an EVENT packet (type 2)");
  assert.deepEqual(event.data, ["hello", 1, { two: 2 }]);
  assert.equal(event.nsp, "/");
  assert.ok(events.includes("ping"), "a ping event");
  assert.equal(r.reason, "transport close");
  const closeAt = events.indexOf("close");
  assert.ok(closeAt > 0);
  assert.equal(r.log[closeAt].args[0], "transport close", "close(reason, description)");
  assert.ok(events.indexOf("open", closeAt) > closeAt, "open again after the reconnection");
  assert.ok(events.indexOf("reconnect", closeAt) > closeAt, "reconnect after close");
  assert.ok(!events.includes("error"), "no error event");
});

test("Manager 'error' and socket 'connect_error' when the server is unreachable (polling and websocket)", T, async (t) => {
  const srv = await ioServer(t);
  await srv.stop();
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const out = {};
    for (const transports of [["polling"], ["websocket"]]) {
      const socket = io(url, { transports, reconnection: false, forceNew: true });
      const managerError = waitFor(socket.io, "error");
      const [connectError] = await waitFor(socket, "connect_error");
      const [err] = await managerError;
      out[transports[0]] = {
        err: describe(err),
        same: err === connectError,
        instanceOfError: connectError instanceof Error,
        active: socket.active,
        connected: socket.connected,
      };
    }
    return out;
  }, { url: srv.url });
  for (const [transport, message] of [["polling", "xhr poll error"], ["websocket", "websocket error"]]) {
    const got = r[transport];
    assert.equal(got.instanceOfError, true, `${transport}: connect_error gets an Error`);
    assert.equal(got.err.message, message, `${transport}: message`);
    assert.equal(got.err.type, "TransportError", `${transport}: err.type`);
    assert.equal(got.same, true, `${transport}: the manager's error is the socket's connect_error`);
    assert.equal(got.connected, false);
    assert.equal(got.active, true, `${transport}: socket.active stays true after a connection error`);
  }
});

test("timeout option: a handshake that never completes fails with Error('timeout')", T, async (t) => {
  const hole = await startBlackhole();
  t.after(() => hole.close());
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const started = performance.now();
    const socket = io(url, { timeout: 300, reconnection: false });
    const managerError = waitFor(socket.io, "error", 3000);
    const [err] = await waitFor(socket, "connect_error", 3000);
    const elapsed = performance.now() - started;
    await managerError;
    return { err: describe(err), elapsed };
  }, { url: hole.url });
  assert.equal(r.err.message, "timeout");
  assert.ok(r.elapsed >= 280 && r.elapsed < 1500, `fired after ~300 ms (took ${Math.round(r.elapsed)} ms)`);
});

test("socket.io.engine: transport name, 'upgrade' event and engine id", T, async (t) => {
  const srv = await ioServer(t, { setup: (io) => serveBasics(io) });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url);
    // At the Manager's "open" the engine has just opened (on polling); probing for the upgrade
    // starts after it, so the upgrade may finish before or after the namespace's "connect".
    const [first] = await Promise.all([
      waitFor(socket.io, "open").then(() => socket.io.engine.transport.name),
      waitFor(socket, "connect"),
    ]);
    const engine = socket.io.engine;
    if (engine.transport.name !== "websocket") await waitFor(engine, "upgrade");
    const who = await new Promise((resolve) => socket.emit("whoami", resolve));
    return { first, now: engine.transport.name, engineId: engine.id, who };
  }, { url: srv.url });
  assert.equal(r.first, "polling", "starts with HTTP long-polling");
  assert.equal(r.now, "websocket", "upgraded to WebSocket");
  assert.equal(r.who.transport, "websocket");
  assert.equal(r.engineId, r.who.engineId, "socket.io.engine.id is the engine id");
});

// disconnect() of the only socket closes the connection and connect() opens the next at once.
// socketio-wasm once sent the closing session's last packet (its close, queued behind a busy
// POST) with the new session's sid, and the server closed the new one: 2 runs out of 5.
test("quick disconnect()/connect() cycles (polling, upgrading): every new session stays up", { timeout: 60000 }, async (t) => {
  const srv = await ioServer(t, { setup: (io) => serveBasics(io) });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url, { reconnectionDelay: 100, reconnectionDelayMax: 500 });
    const reasons = [];
    socket.on("disconnect", (reason) => reasons.push(reason));
    await waitFor(socket, "connect");
    for (let cycle = 0; cycle < 120; cycle++) {
      socket.disconnect();
      socket.connect();
      await waitFor(socket, "connect", 10000);
      const answer = await new Promise((resolve) =>
        socket.timeout(10000).emit("ack", cycle, (err, value) => resolve(err ? String(err) : value)),
      );
      if (answer !== cycle) return { cycle, answer, reasons: reasons.slice(-3) };
    }
    socket.disconnect();
    return { cycles: 120, unexpected: reasons.filter((reason) => reason !== "io client disconnect") };
  }, { url: srv.url });
  assert.deepEqual(r, { cycles: 120, unexpected: [] });
});
