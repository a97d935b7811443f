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
