// Flaky networks: the browser reaches a real socket.io 4.8 server through a fault-injecting TCP
// proxy (tests/support/fault-proxy.mjs) that cuts connections (RST), black-holes traffic, adds
// latency and jitter, and refuses new connections. The same tests run for socketio-wasm and for
// socket.io-client (API_CLIENT=reference). Each test reports its figures with t.diagnostic
// ("figures {...}"); the README's "Reliability" section quotes them.
//
//   API_CLIENT=reference node --test tests/api/faults.test.mjs   # socket.io-client 4.8
//   node --test tests/api/faults.test.mjs                        # socketio-wasm (pkg/)
//
// Timing bounds are generous: the machine is shared and loaded. What is asserted strictly is
// what a user relies on: every acked emit is answered once and in order, no server event is lost
// or doubled under recovery, and the client comes back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CLIENT, ioServer, sleep, until, useBrowser } from "./harness.mjs";
import { startFaultProxy } from "../support/fault-proxy.mjs";

const browser = useBrowser();
const LONG = { timeout: 90000 };
/** Small heartbeat values, so that a dead path is noticed in 0.5 s. */
const FAST_PING = { pingInterval: 300, pingTimeout: 200 };

/** A socket.io server (with `options` and `setup(io)`) behind a fault proxy, both closed after `t`. */
async function faultyServer(t, { options = {}, setup = () => {} } = {}) {
  const srv = await ioServer(t, {
    options,
    setup: (io, server) => {
      // A polling transport that closes while no GET is pending waits up to closeTimeout (30 s)
      // for the client's next poll; after a black hole that wait only keeps node from exiting.
      io.engine.on("connection", (socket) => (socket.transport.closeTimeout = 500));
      return setup(io, server);
    },
  });
  const proxy = await startFaultProxy({ port: srv.port });
  t.after(() => proxy.close());
  return { srv, proxy };
}

function figures(t, values) {
  t.diagnostic(`figures ${CLIENT} ${t.name}: ${JSON.stringify(values)}`);
}

// ---- 1. a black hole longer than pingInterval + pingTimeout --------------------------------

for (const transport of ["websocket", "polling"]) {
  test(`black hole over ${transport}: "ping timeout" about pingInterval + pingTimeout after the last ping, then a reconnection once the path returns`, LONG, async (t) => {
    const { srv, proxy } = await faultyServer(t, {
      options: FAST_PING,
      setup: (io) => io.on("connection", (s) => s.on("ack", (v, cb) => cb(v))),
    });
    const page = await browser.open(t);
    await page.evaluate(async ({ url, transport }) => {
      const socket = io(url, { transports: [transport], reconnectionDelay: 100, reconnectionDelayMax: 300, timeout: 2000 });
      window.socket = socket;
      window.lastPing = 0;
      socket.io.on("ping", () => (window.lastPing = Date.now()));
      window.disconnected = waitFor(socket, "disconnect", 30000).then(([reason]) => ({ reason, at: Date.now() }));
      await waitFor(socket, "connect");
      await waitFor(socket.io, "ping", 5000);
    }, { url: proxy.url, transport });
    const holeAt = Date.now();
    proxy.blackhole(true);
    const r = await page.evaluate(async () => {
      const { reason, at } = await window.disconnected;
      return { reason, at, lastPing: window.lastPing };
    });
    // The path stays dead a little longer (the client's reconnection attempts time out), then
    // comes back.
    await sleep(500);
    const backAt = Date.now();
    proxy.blackhole(false);
    const after = await page.evaluate(async () => {
      if (!socket.connected) await waitFor(socket, "connect", 20000);
      const echoed = await socket.timeout(5000).emitWithAck("ack", 42);
      return { connectedAt: Date.now(), echoed };
    });
    const detection = { fromLastPing: r.at - r.lastPing, fromHole: r.at - holeAt, reconnect: after.connectedAt - backAt };
    figures(t, detection);
    assert.equal(r.reason, "ping timeout");
    // The client arms pingInterval + pingTimeout (500 ms) at each ping; 1.5 s of slack for load.
    assert.ok(detection.fromLastPing >= 450, `not before the deadline (${detection.fromLastPing} ms)`);
    assert.ok(detection.fromLastPing <= 2000, `within the deadline plus slack (${detection.fromLastPing} ms)`);
    assert.equal(after.echoed, 42, "the new connection works");
    void srv;
  });
}

// The browser goes offline (CDP network emulation through playwright's context.setOffline) and
// back online: recorded for both clients (socket.io #4843: a client that stays silently dead
// after a network switch).
for (const transport of ["websocket", "polling"]) {
  test(`browser offline then online over ${transport}: the client notices and reconnects`, LONG, async (t) => {
    const { proxy } = await faultyServer(t, {
      options: FAST_PING,
      setup: (io) => io.on("connection", (s) => s.on("ack", (v, cb) => cb(v))),
    });
    const page = await browser.open(t);
    await page.evaluate(async ({ url, transport }) => {
      const socket = io(url, { transports: [transport], reconnectionDelay: 100, reconnectionDelayMax: 300, timeout: 2000 });
      window.socket = socket;
      window.disconnected = waitFor(socket, "disconnect", 30000).then(([reason]) => ({ reason, at: Date.now() }));
      await waitFor(socket, "connect");
    }, { url: proxy.url, transport });
    const offlineAt = Date.now();
    await page.context().setOffline(true);
    const r = await page.evaluate(() => window.disconnected);
    await sleep(500);
    const onlineAt = Date.now();
    await page.context().setOffline(false);
    const after = await page.evaluate(async () => {
      if (!socket.connected) await waitFor(socket, "connect", 20000);
      return { at: Date.now(), echoed: await socket.timeout(5000).emitWithAck("ack", 7) };
    });
    figures(t, { reason: r.reason, detect: r.at - offlineAt, reconnect: after.at - onlineAt });
    assert.ok(["ping timeout", "transport close", "transport error"].includes(r.reason), r.reason);
    assert.equal(after.echoed, 7);
  });
}

// ---- 2. cuts during a stream of acked emits with `retries` -----------------------------------

/**
 * Counts what the server receives: `n(i, cb)` records i and answers `reply(i)` (error-first or
 * not). `cutAt`: after these many receipts in total, the proxy cuts every connection before the
 * answer goes out (so that answer is lost and the client must send again).
 */
function countingServer(t, { errorFirst, cutAt, options = {} }) {
  const state = { received: 0, seen: new Map(), cuts: 0, proxy: null };
  const setup = (io) =>
    io.on("connection", (socket) => {
      socket.on("n", (i, cb) => {
        state.received += 1;
        state.seen.set(i, (state.seen.get(i) ?? 0) + 1);
        if (cutAt.includes(state.received)) {
          state.cuts += 1;
          state.proxy.cut();
        }
        if (errorFirst) cb(null, i);
        else cb(i);
      });
    });
  return faultyServer(t, { options, setup }).then(({ srv, proxy }) => {
    state.proxy = proxy;
    return { srv, proxy, state };
  });
}

/** Emits n(0..count-1) with an ack each (all at once: `retries` sends one at a time). */
async function emitAll(page, { url, transport, count, ackTimeout, timeoutMs }) {
  return page.evaluate(async ({ url, transport, count, ackTimeout, timeoutMs }) => {
    const socket = io(url, { transports: [transport], retries: 5, ackTimeout, reconnectionDelay: 50, reconnectionDelayMax: 200 });
    let disconnects = 0;
    socket.on("disconnect", () => (disconnects += 1));
    await waitFor(socket, "connect");
    const calls = new Array(count).fill(0);
    const order = [];
    const errors = [];
    const start = Date.now();
    for (let i = 0; i < count; i++) {
      socket.emit("n", i, (err, value) => {
        calls[i] += 1;
        if (err) errors.push({ i, err: String(err) });
        else order.push(value);
      });
    }
    await until(() => order.length + errors.length >= count, timeoutMs, "every ack");
    const elapsed = Date.now() - start;
    await sleep(300); // a late second answer would show up here
    const seenDisconnects = disconnects;
    socket.disconnect();
    return { calls, order, errors, elapsed, disconnects: seenDisconnects };
  }, { url, transport, count, ackTimeout, timeoutMs });
}

function assertExactlyOnceInOrder(r, count) {
  assert.deepEqual(r.errors, [], "no emit failed");
  assert.equal(r.calls.filter((c) => c !== 1).length, 0, "every callback ran exactly once");
  assert.deepEqual(r.order, Array.from({ length: count }, (_, i) => i), "answers in emit order");
}

for (const [transport, count] of [["websocket", 5000], ["polling", 1000]]) {
  test(`${count} acked emits with retries + ackTimeout over ${transport}, two cuts: every emit acked once, in order (at-least-once on the server)`, LONG, async (t) => {
    const cutAt = [Math.floor(count * 0.3), Math.floor(count * 0.7)];
    const { proxy, state } = await countingServer(t, { errorFirst: false, cutAt });
    const page = await browser.open(t);
    const r = await emitAll(page, { url: proxy.url, transport, count, ackTimeout: 5000, timeoutMs: 60000 });
    const duplicates = state.received - state.seen.size;
    figures(t, { sent: count, cuts: state.cuts, serverReceived: state.received, duplicates, disconnects: r.disconnects, ms: r.elapsed });
    assertExactlyOnceInOrder(r, count);
    assert.equal(state.seen.size, count, "the server saw every emit");
    assert.equal(state.cuts, 2);
    assert.ok(duplicates <= state.cuts * 2, `few duplicates (${duplicates})`);
  });
}

// Without ackTimeout socket.io-client reads the server's reply error-first as it is sent: the
// server answers cb(null, value). A cut: the emit in flight is sent again after the reconnection.
test("1000 acked emits with retries and no ackTimeout over websocket, two cuts: every emit acked once, in order", LONG, async (t) => {
  const count = 1000;
  const { proxy, state } = await countingServer(t, { errorFirst: true, cutAt: [300, 700] });
  const page = await browser.open(t);
  const r = await emitAll(page, { url: proxy.url, transport: "websocket", count, ackTimeout: undefined, timeoutMs: 60000 });
  const duplicates = state.received - state.seen.size;
  figures(t, { sent: count, cuts: state.cuts, serverReceived: state.received, duplicates, disconnects: r.disconnects, ms: r.elapsed });
  assertExactlyOnceInOrder(r, count);
  assert.equal(state.seen.size, count);
});

// socket.io-client 4.8 `_addToQueue`: without a timeout the server's first argument is the
// error. null: the callback gets the arguments as sent; anything else: the emit is sent again
// while retries remain, then the callback gets that first argument alone.
test("retries without ackTimeout: the reply is read error-first as the server sent it", LONG, async (t) => {
  const seen = [];
  const { proxy } = await faultyServer(t, {
    setup: (io) =>
      io.on("connection", (s) => {
        s.on("plain", (i, cb) => (seen.push("plain"), cb(i)));
        s.on("none", (i, cb) => (seen.push("none"), cb()));
        s.on("errfirst", (i, cb) => (seen.push("errfirst"), cb(null, i, "x")));
      }),
  });
  const page = await browser.open(t);
  const r = await page.evaluate(async (url) => {
    const socket = io(url, { retries: 2 });
    await waitFor(socket, "connect");
    const out = {};
    for (const event of ["plain", "none", "errfirst"]) {
      out[event] = await new Promise((resolve) => socket.emit(event, 7, (...args) => resolve(describe(args))));
    }
    return out;
  }, proxy.url);
  assert.deepEqual(r, { plain: [7], none: [{ $undefined: true }], errfirst: [null, 7, "x"] });
  // 1 try + 2 retries for each failed one, 1 for the success.
  assert.deepEqual(seen, ["plain", "plain", "plain", "none", "none", "none", "errfirst"]);
});
