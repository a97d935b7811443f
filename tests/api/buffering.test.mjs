// Buffering of emits: before connect (autoConnect: false, then connect()), right after io(),
// and while disconnected during a server restart; the buffer is flushed in order and before
// the "connect" listeners run; socket.sendBuffer shows (and can drop) buffered packets;
// volatile emits are dropped when they cannot be sent; a buffered emit whose ack timer fires
// leaves the buffer. Order is checked on a real socket.io 4.8 server.
//
//   API_CLIENT=reference node --test tests/api/buffering.test.mjs   # socket.io-client 4.8
//   node --test tests/api/buffering.test.mjs                        # socketio-wasm (pkg/)
import { test } from "node:test";
import assert from "node:assert/strict";
import { T, ioServer, serveBasics, sleep, until, useBrowser } from "./harness.mjs";

const browser = useBrowser();

// The server records every event received on "/" (across restarts) as "event:arg".
async function recordingServer(t) {
  const log = [];
  const srv = await ioServer(t, {
    setup: (io) => {
      serveBasics(io);
      io.on("connection", (socket) => {
        socket.onAny((event, ...args) => {
          if (event !== "whoami") log.push(`${event}:${args.filter((a) => typeof a !== "function").join(",")}`);
        });
      });
    },
  });
  return { srv, log };
}

test("emits before connect() (autoConnect: false) are sent on connect, in order, before the connect listener's emits", T, async (t) => {
  const { srv, log } = await recordingServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url, { autoConnect: false });
    socket.emit("a", 1);
    socket.emit("b", 2);
    const buffered = socket.sendBuffer.length;
    const beforeConnect = { connected: socket.connected, active: socket.active };
    socket.on("connect", () => socket.emit("from-connect-handler", 3));
    socket.connect();
    socket.emit("c", 4); // still connecting: buffered after a and b
    await waitFor(socket, "connect");
    socket.emit("d", 5);
    const acked = await new Promise((resolve) => socket.emit("ack", "done", resolve));
    return { buffered, beforeConnect, acked, bufferAfter: socket.sendBuffer.length };
  }, { url: srv.url });
  assert.equal(r.buffered, 2, "socket.sendBuffer holds the two emits");
  assert.deepEqual(r.beforeConnect, { connected: false, active: false });
  assert.equal(r.acked, "done");
  assert.equal(r.bufferAfter, 0, "sendBuffer is empty once connected");
  assert.deepEqual(log, ["a:1", "b:2", "c:4", "from-connect-handler:3", "d:5", "ack:done"]);
});

test("emits right after io() (autoConnect) arrive in order with later emits", T, async (t) => {
  const { srv, log } = await recordingServer(t);
  const page = await browser.open(t);
  await page.evaluate(async ({ url }) => {
    const socket = io(url);
    for (let i = 0; i < 20; i++) socket.emit("n", i);
    await waitFor(socket, "connect");
    for (let i = 20; i < 40; i++) socket.emit("n", i);
    await new Promise((resolve) => socket.emit("ack", "end", resolve));
  }, { url: srv.url });
  assert.deepEqual(log, [...Array.from({ length: 40 }, (_, i) => `n:${i}`), "ack:end"]);
});

test("sendBuffer shows buffered packets (data = [event, ...args]) and assigning [] drops them", T, async (t) => {
  const { srv, log } = await recordingServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url, { autoConnect: false });
    socket.emit("dropped", 1, { x: true });
    socket.emit("dropped", 2);
    const snapshot = socket.sendBuffer.map((packet) => packet.data);
    socket.sendBuffer = [];
    socket.emit("kept", 3);
    socket.connect();
    await waitFor(socket, "connect");
    await new Promise((resolve) => socket.emit("ack", "end", resolve));
    return { snapshot };
  }, { url: srv.url });
  assert.deepEqual(r.snapshot, [["dropped", 1, { x: true }], ["dropped", 2]]);
  assert.deepEqual(log, ["kept:3", "ack:end"]);
});

test("emits while disconnected (server restarting) are buffered and flushed in order after the reconnection", T, async (t) => {
  const { srv, log } = await recordingServer(t);
  const page = await browser.open(t);
  await page.evaluate(async ({ url }) => {
    window.socket = io(url, { reconnectionDelay: 100, reconnectionDelayMax: 100, randomizationFactor: 0 });
    await waitFor(socket, "connect");
    socket.emit("before", 0);
    await new Promise((resolve) => socket.emit("ack", "sync", resolve));
  }, { url: srv.url });
  const stopped = srv.stop();
  const r = await page.evaluate(async () => {
    await until(() => !socket.connected, 3000, "disconnect");
    for (let i = 1; i <= 5; i++) socket.emit("while-down", i);
    const buffered = socket.sendBuffer.length;
    return { buffered };
  });
  await stopped;
  await sleep(200);
  await srv.start();
  await page.evaluate(async () => {
    await until(() => socket.connected, 5000, "reconnect");
    socket.emit("after", 6);
    await new Promise((resolve) => socket.emit("ack", "end", resolve));
  });
  assert.equal(r.buffered, 5, "the 5 emits wait in sendBuffer");
  assert.deepEqual(log, [
    "before:0",
    "ack:sync",
    "while-down:1",
    "while-down:2",
    "while-down:3",
    "while-down:4",
    "while-down:5",
    "after:6",
    "ack:end",
  ]);
});

test("volatile.emit while disconnected is dropped, not buffered", T, async (t) => {
  const { srv, log } = await recordingServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url, { autoConnect: false });
    const chain = socket.volatile === socket;
    socket.volatile.emit("volatile-before", 1);
    const buffered = socket.sendBuffer.length;
    socket.emit("normal-before", 2);
    socket.connect();
    await waitFor(socket, "connect");
    await new Promise((resolve) => socket.emit("ack", "end", resolve));
    return { chain, buffered };
  }, { url: srv.url });
  assert.equal(r.chain, true, "socket.volatile returns the socket");
  assert.equal(r.buffered, 0, "the volatile emit is not in sendBuffer");
  assert.deepEqual(log, ["normal-before:2", "ack:end"]);
});

test("volatile.emit during the initial connection is dropped; once connected it is delivered", T, async (t) => {
  const { srv, log } = await recordingServer(t);
  const page = await browser.open(t);
  await page.evaluate(async ({ url }) => {
    const socket = io(url);
    socket.volatile.emit("volatile-connecting", 1); // the transport is not writable yet
    await waitFor(socket, "connect");
    // On polling the POST that carried CONNECT may still be open when its reply arrives (the
    // transport is not writable until it is done): let it finish.
    await sleep(100);
    socket.volatile.emit("volatile-connected", 2);
    // The flag applies to one emit only: this one is buffered normally if needed.
    socket.emit("normal", 3);
    await new Promise((resolve) => socket.emit("ack", "end", resolve));
  }, { url: srv.url });
  assert.deepEqual(log, ["volatile-connected:2", "normal:3", "ack:end"]);
});

test("a buffered emit with timeout(ms) leaves sendBuffer when its ack timer fires", T, async (t) => {
  const { srv, log } = await recordingServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url, { autoConnect: false });
    const results = [];
    socket.timeout(100).emit("expires", 1, (err) => results.push(err?.message ?? "acked"));
    socket.emit("stays", 2);
    const before = socket.sendBuffer.length;
    await sleep(250);
    const after = socket.sendBuffer.length;
    socket.connect();
    await waitFor(socket, "connect");
    await new Promise((resolve) => socket.emit("ack", "end", resolve));
    return { before, after, results };
  }, { url: srv.url });
  assert.equal(r.before, 2);
  assert.equal(r.after, 1, "the timed-out packet was removed from sendBuffer");
  assert.deepEqual(r.results, ["operation has timed out"]);
  assert.deepEqual(log, ["stays:2", "ack:end"]);
});

test("50 events sent by the server arrive at the listener in order", T, async (t) => {
  let serverSocket;
  const srv = await ioServer(t, { setup: (io) => io.on("connection", (s) => (serverSocket = s)) });
  const page = await browser.open(t);
  await page.evaluate(async ({ url }) => {
    window.got = [];
    window.socket = io(url);
    socket.on("n", (i) => got.push(i));
    await waitFor(socket, "connect");
  }, { url: srv.url });
  await until(() => serverSocket, 3000, "server socket");
  for (let i = 0; i < 50; i++) serverSocket.emit("n", i);
  const got = await page.evaluate(() => until(() => got.length === 50, 3000, "50 events").then(() => got));
  assert.deepEqual(got, [...Array(50).keys()]);
});
