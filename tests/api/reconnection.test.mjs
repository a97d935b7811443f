// Reconnection: the Manager's reconnect_attempt / reconnect_error / reconnect / reconnect_failed
// events across a real socket.io 4.8 server restart (same port), the exponential backoff bounds
// (reconnectionDelay, reconnectionDelayMax, randomizationFactor), reconnection: false, and
// what connect_error gives while the server is down. Small delays keep it fast.
//
//   API_CLIENT=reference node --test tests/api/reconnection.test.mjs   # socket.io-client 4.8
//   node --test tests/api/reconnection.test.mjs                        # socketio-wasm (pkg/)
import { test } from "node:test";
import assert from "node:assert/strict";
import { T, ioServer, serveBasics, useBrowser } from "./harness.mjs";

const browser = useBrowser();

// Slack for timers and for the failed connection attempt itself (connection refused on
// 127.0.0.1 takes a few ms) between two reconnect_attempt events.
const EARLY_MS = 15;
const LATE_MS = 200;

// Starts a page with a connected socket whose Manager events are recorded (with timestamps) in
// window.log. Returns the page.
async function connectedPage(t, srv, opts) {
  const page = await browser.open(t);
  await page.evaluate(async ({ url, opts }) => {
    window.socket = io(url, opts);
    window.log = record(socket.io, ["reconnect_attempt", "reconnect_error", "reconnect", "reconnect_failed", "close", "open"]);
    record(socket, ["connect", "disconnect", "connect_error"], log);
    await waitFor(socket, "connect");
    // On WebSocket, a server that stops closes the transport ('transport close') every time; on
    // polling between two GETs the request would be refused instead ('transport error').
    if (socket.io.engine.transport.name !== "websocket") await waitFor(socket.io.engine, "upgrade");
  }, { url: srv.url, opts });
  return page;
}

test("reconnects after a server restart: disconnect 'transport close', reconnect_attempt(n), reconnect_error, reconnect(n)", T, async (t) => {
  const srv = await ioServer(t, { setup: (io) => serveBasics(io) });
  const page = await connectedPage(t, srv, {
    reconnectionDelay: 100,
    reconnectionDelayMax: 200,
    randomizationFactor: 0,
  });
  const firstId = await page.evaluate(() => socket.id);
  await srv.restart({ downMs: 700 });
  const r = await page.evaluate(async () => {
    await until(() => socket.connected, 5000, "reconnection");
    const who = await new Promise((resolve) => socket.emit("whoami", resolve));
    return {
      log: log.map(({ event, args }) => ({ event, args })),
      id: socket.id,
      who,
      active: socket.active,
      recovered: socket.recovered,
    };
  });
  const events = r.log.map((e) => e.event);
  const disconnect = r.log.find((e) => e.event === "disconnect");
  assert.equal(disconnect.args[0], "transport close", "the restart closes the transport");
  const attempts = r.log.filter((e) => e.event === "reconnect_attempt").map((e) => e.args[0]);
  assert.ok(attempts.length >= 2, `several attempts while down (got ${attempts})`);
  assert.deepEqual(attempts, attempts.map((_, i) => i + 1), "attempt numbers 1, 2, 3, ...");
  const errors = r.log.filter((e) => e.event === "reconnect_error");
  assert.equal(errors.length, attempts.length - 1, "one reconnect_error per failed attempt");
  for (const e of errors) {
    assert.equal(e.args[0].message, "xhr poll error");
    assert.equal(e.args[0].type, "TransportError");
  }
  const reconnect = r.log.filter((e) => e.event === "reconnect");
  assert.equal(reconnect.length, 1);
  assert.equal(reconnect[0].args[0], attempts.at(-1), "reconnect(attempt) = the successful attempt's number");
  // While down, the socket got connect_error for each failed attempt (the same TransportError).
  const connectErrors = r.log.filter((e) => e.event === "connect_error");
  assert.equal(connectErrors.length, errors.length, "connect_error for each failed attempt");
  assert.equal(connectErrors[0].args[0].message, "xhr poll error");
  // Order: disconnect, close, attempt 1, ..., reconnect, connect.
  assert.ok(events.indexOf("disconnect") < events.indexOf("reconnect_attempt"));
  assert.ok(events.lastIndexOf("reconnect") < events.lastIndexOf("connect"), "reconnect before connect");
  assert.notEqual(r.id, firstId, "a new socket id after a restart (no state recovery)");
  assert.equal(r.who.id, r.id);
  assert.equal(r.active, true);
  // socket.io-client 4.8 sets `recovered = pid && this._pid === pid`: without connection state
  // recovery on the server that is `undefined` after a reconnection (false before the first one).
  assert.ok(!r.recovered, "recovered is falsy");
});

test("reconnect_attempt delays double from reconnectionDelay up to reconnectionDelayMax (randomizationFactor: 0)", T, async (t) => {
  const srv = await ioServer(t);
  const page = await connectedPage(t, srv, {
    reconnectionDelay: 100,
    reconnectionDelayMax: 400,
    randomizationFactor: 0,
  });
  await srv.stop();
  const times = await page.evaluate(async () => {
    await until(() => log.filter((e) => e.event === "reconnect_attempt").length >= 5, 5000, "5 attempts");
    const closedAt = log.find((e) => e.event === "close").t;
    return [closedAt, ...log.filter((e) => e.event === "reconnect_attempt").map((e) => e.t)];
  });
  const gaps = times.slice(1).map((x, i) => x - times[i]);
  const expected = [100, 200, 400, 400, 400];
  expected.forEach((want, i) => {
    assert.ok(
      gaps[i] >= want - EARLY_MS && gaps[i] <= want + LATE_MS,
      `gap ${i + 1}: ${Math.round(gaps[i])} ms, expected ~${want} ms (all: ${gaps.map(Math.round)})`,
    );
  });
  assert.ok(gaps[1] > gaps[0] && gaps[2] > gaps[1], `delays grow: ${gaps.map(Math.round)}`);
});

test("reconnect_attempt delays stay within the randomized backoff bounds (randomizationFactor: 0.5)", T, async (t) => {
  const srv = await ioServer(t);
  const min = 100;
  const max = 600;
  const factor = 0.5;
  const page = await connectedPage(t, srv, {
    reconnectionDelay: min,
    reconnectionDelayMax: max,
    randomizationFactor: factor,
  });
  await srv.stop();
  const times = await page.evaluate(async () => {
    await until(() => log.filter((e) => e.event === "reconnect_attempt").length >= 5, 8000, "5 attempts");
    const closedAt = log.find((e) => e.event === "close").t;
    return [closedAt, ...log.filter((e) => e.event === "reconnect_attempt").map((e) => e.t)];
  });
  const gaps = times.slice(1).map((x, i) => x - times[i]);
  for (let n = 0; n < 5; n++) {
    // delay n = min(reconnectionDelay * 2^n * (1 ± factor), reconnectionDelayMax)
    const base = min * 2 ** n;
    const low = Math.min(base * (1 - factor), max);
    const high = Math.min(base * (1 + factor), max);
    assert.ok(
      gaps[n] >= low - EARLY_MS && gaps[n] <= high + LATE_MS,
      `gap ${n + 1}: ${Math.round(gaps[n])} ms, expected within [${low}, ${high}] (all: ${gaps.map(Math.round)})`,
    );
  }
});

test("reconnect_failed fires once after reconnectionAttempts failed attempts while the server stays down", T, async (t) => {
  const srv = await ioServer(t);
  const page = await connectedPage(t, srv, {
    reconnectionAttempts: 3,
    reconnectionDelay: 50,
    reconnectionDelayMax: 100,
  });
  await srv.stop();
  const r = await page.evaluate(async () => {
    await waitFor(socket.io, "reconnect_failed", 5000);
    await sleep(500); // nothing more happens after reconnect_failed
    return {
      events: log.map((e) => e.event).filter((e) => e.startsWith("reconnect")),
      attempts: log.filter((e) => e.event === "reconnect_attempt").map((e) => e.args[0]),
      connected: socket.connected,
      active: socket.active,
    };
  });
  assert.deepEqual(r.attempts, [1, 2, 3]);
  // socket.io-client 4.8 emits reconnect_failed *before* the last attempt's reconnect_error
  // (Manager#reconnect() runs, and gives up, before "reconnect_error" is emitted).
  assert.deepEqual(r.events, [
    "reconnect_attempt",
    "reconnect_error",
    "reconnect_attempt",
    "reconnect_error",
    "reconnect_attempt",
    "reconnect_failed",
    "reconnect_error",
  ]);
  assert.equal(r.connected, false);
  assert.equal(r.active, true, "socket.active is still true after reconnect_failed (socket.io-client 4.8)");

  // A manual socket.connect() afterwards works once the server is back.
  await srv.start();
  const again = await page.evaluate(async () => {
    socket.connect();
    await waitFor(socket, "connect", 5000);
    return socket.connected;
  });
  assert.equal(again, true);
});

test("reconnection: false — no reconnect_attempt after the server restarts; socket.connect() reconnects by hand", T, async (t) => {
  const srv = await ioServer(t);
  const page = await connectedPage(t, srv, { reconnection: false, reconnectionDelay: 50 });
  await srv.restart({ downMs: 50 });
  const r = await page.evaluate(async () => {
    await until(() => log.some((e) => e.event === "disconnect"), 3000, "disconnect");
    await sleep(500);
    const before = { events: log.map((e) => e.event), connected: socket.connected, active: socket.active };
    socket.connect();
    await waitFor(socket, "connect", 5000);
    return { before, connected: socket.connected };
  });
  assert.ok(!r.before.events.includes("reconnect_attempt"), `no reconnect_attempt: ${r.before.events}`);
  assert.equal(r.before.connected, false);
  assert.equal(r.before.active, true, "socket.active stays true (the socket was not disconnected by hand)");
  assert.equal(r.connected, true, "socket.connect() reconnects");
});

test("the manager's reconnection setters take effect for the next reconnection", T, async (t) => {
  const srv = await ioServer(t);
  const page = await connectedPage(t, srv, { reconnectionDelay: 5000, reconnectionDelayMax: 5000, randomizationFactor: 0 });
  await page.evaluate(() => {
    socket.io.reconnectionDelay(100).reconnectionDelayMax(100).randomizationFactor(0).reconnectionAttempts(2);
  });
  await srv.stop();
  const r = await page.evaluate(async () => {
    await waitFor(socket.io, "reconnect_failed", 3000);
    const closedAt = log.find((e) => e.event === "close").t;
    const attempts = log.filter((e) => e.event === "reconnect_attempt").map((e) => e.t);
    return { firstGap: attempts[0] - closedAt, count: attempts.length };
  });
  assert.equal(r.count, 2, "reconnectionAttempts(2)");
  assert.ok(r.firstGap < 100 + LATE_MS, `reconnectionDelay(100) used: ${Math.round(r.firstGap)} ms`);
});

test("connect_error while the server restarts is a TransportError; on websocket-only it is 'websocket error'", T, async (t) => {
  const srv = await ioServer(t);
  const page = await connectedPage(t, srv, {
    transports: ["websocket"],
    reconnectionDelay: 50,
    reconnectionDelayMax: 50,
  });
  await srv.restart({ downMs: 1000 });
  const r = await page.evaluate(async () => {
    await until(() => socket.connected, 5000, "reconnection");
    return {
      disconnect: log.find((e) => e.event === "disconnect").args,
      connectErrors: log.filter((e) => e.event === "connect_error").map((e) => e.args[0]),
    };
  });
  assert.equal(r.disconnect[0], "transport close");
  assert.equal(r.disconnect[1].description, "websocket connection closed");
  assert.ok(r.connectErrors.length >= 1);
  for (const err of r.connectErrors) {
    assert.equal(err.$error, "Error");
    assert.equal(err.message, "websocket error");
    assert.equal(err.type, "TransportError");
  }
});
