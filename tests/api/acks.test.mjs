// Acknowledgements: emit(ev, ...args, cb), server-to-client acks (the listener gets an ack
// function last; calling it twice sends one ACK), timeout(ms).emit, emitWithAck, the ackTimeout
// option, error-first acks at disconnect, and `retries` delivering 500 acked emits exactly once
// and in order across a real socket.io 4.8 server restart.
//
//   API_CLIENT=reference node --test tests/api/acks.test.mjs   # socket.io-client 4.8
//   node --test tests/api/acks.test.mjs                        # socketio-wasm (pkg/)
import { test } from "node:test";
import assert from "node:assert/strict";
import { T, ioServer, serveBasics, until, useBrowser } from "./harness.mjs";

const browser = useBrowser();

// "/" handlers: basics plus "never" (never acks) and "ack-later" (acks after ms).
function setup(io) {
  serveBasics(io);
  io.on("connection", (socket) => {
    socket.on("never", () => {});
    socket.on("ack-later", (ms, cb) => setTimeout(() => cb("late", ms), ms));
  });
}

test("emit(ev, ...args, cb): the callback receives the server's ack values", T, async (t) => {
  const srv = await ioServer(t, { setup });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url);
    const acked = await new Promise((resolve) => {
      const ret = socket.emit("ack", 1, "two", { three: [3] }, null, (...args) => resolve({ args }));
      window.chain = ret === socket;
    });
    const none = await new Promise((resolve) => socket.emit("ack", (...args) => resolve(args.length)));
    socket.disconnect();
    return { args: acked.args, chain, none };
  }, { url: srv.url });
  assert.deepEqual(r.args, [1, "two", { three: [3] }, null]);
  assert.equal(r.chain, true, "emit() returns the socket");
  assert.equal(r.none, 0, "an ack without values calls back with no arguments");
});

test("server emit with ack: the client listener gets an ack function last and its values reach the server", T, async (t) => {
  let serverSocket;
  const srv = await ioServer(t, {
    setup: (io) => io.on("connection", (socket) => (serverSocket = socket)),
  });
  const page = await browser.open(t);
  await page.evaluate(async ({ url }) => {
    window.socket = io(url);
    window.seen = [];
    socket.on("question", (...args) => {
      const ack = args.at(-1);
      seen.push({ args: args.slice(0, -1), ackType: typeof ack });
      ack("answer", { n: args[0] + 1 });
    });
    await waitFor(socket, "connect");
  }, { url: srv.url });
  await until(() => serverSocket, 3000, "server socket");
  // socket.emit(ev, data, cb) on the server...
  const viaCallback = await new Promise((resolve) => serverSocket.emit("question", 1, "x", (...a) => resolve(a)));
  // ...and socket.emitWithAck(ev, data) (resolves with the first value).
  const viaPromise = await serverSocket.emitWithAck("question", 41, "y");
  assert.deepEqual(viaCallback, ["answer", { n: 2 }]);
  assert.equal(viaPromise, "answer");
  const seen = await page.evaluate(() => seen);
  assert.deepEqual(seen, [
    { args: [1, "x"], ackType: "function" },
    { args: [41, "y"], ackType: "function" },
  ]);
});

test("calling the client-side ack function twice sends a single ACK packet", T, async (t) => {
  let serverSocket;
  const ackPackets = [];
  const srv = await ioServer(t, {
    setup: (io) => {
      serveBasics(io);
      io.on("connection", (socket) => {
        serverSocket = socket;
        // Raw Engine.IO messages from the client: Socket.IO ACK packets start with "3".
        socket.conn.on("packet", (packet) => {
          if (packet.type === "message" && typeof packet.data === "string" && packet.data.startsWith("3")) {
            ackPackets.push(packet.data);
          }
        });
      });
    },
  });
  const page = await browser.open(t);
  await page.evaluate(async ({ url }) => {
    window.socket = io(url, { transports: ["websocket"] });
    socket.on("twice", (ack) => {
      ack("first");
      ack("second");
    });
    await waitFor(socket, "connect");
  }, { url: srv.url });
  await until(() => serverSocket, 3000, "server socket");
  let calls = 0;
  const values = [];
  serverSocket.emit("twice", (value) => {
    calls += 1;
    values.push(value);
  });
  await until(() => calls > 0, 3000, "the ack");
  // Give a second ACK time to arrive.
  await page.evaluate(async () => {
    const done = waitFor(socket, "echo");
    socket.emit("echo", "flush");
    await done;
  });
  assert.equal(calls, 1);
  assert.deepEqual(values, ["first"]);
  assert.equal(ackPackets.length, 1, `one ACK packet on the wire: ${JSON.stringify(ackPackets)}`);
  assert.equal(ackPackets[0], '30["first"]');
});

test("timeout(ms).emit: Error('operation has timed out') when the server never acks, (null, ...values) when it does", T, async (t) => {
  const srv = await ioServer(t, { setup });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url);
    await waitFor(socket, "connect");
    const started = performance.now();
    const timedOut = await new Promise((resolve) =>
      socket.timeout(150).emit("never", 1, (...args) => resolve({ args: args.map((a) => describe(a)), isError: args[0] instanceof Error, elapsed: performance.now() - started })),
    );
    const acked = await new Promise((resolve) => socket.timeout(1000).emit("ack", "a", 2, (...args) => resolve(args)));
    // The timeout flag applies to one emit only.
    const plain = await new Promise((resolve) => socket.emit("ack", "b", (...args) => resolve(args)));
    const chain = socket.timeout(10) === socket;
    socket.disconnect();
    return { timedOut, acked, plain, chain };
  }, { url: srv.url });
  assert.equal(r.timedOut.isError, true);
  assert.equal(r.timedOut.args.length, 1, "only the error");
  assert.equal(r.timedOut.args[0].message, "operation has timed out");
  assert.ok(r.timedOut.elapsed >= 140 && r.timedOut.elapsed < 1000, `after ~150 ms (${Math.round(r.timedOut.elapsed)})`);
  assert.deepEqual(r.acked, [null, "a", 2], "error-first: null then the values");
  assert.deepEqual(r.plain, ["b"], "a later plain emit is not error-first");
  assert.equal(r.chain, true, "timeout() returns the socket");
});

test("emitWithAck resolves with the server's first ack value; timeout(50).emitWithAck rejects", T, async (t) => {
  const srv = await ioServer(t, { setup });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url);
    const value = await socket.emitWithAck("ack", { x: 1 }, "ignored second value");
    const none = await socket.emitWithAck("ack");
    let rejected;
    try {
      await socket.timeout(50).emitWithAck("never", 1);
      rejected = "resolved";
    } catch (err) {
      rejected = describe(err);
    }
    const late = await socket.timeout(2000).emitWithAck("ack-later", 30);
    socket.disconnect();
    return { value, none: describe(none), rejected, late };
  }, { url: srv.url });
  assert.deepEqual(r.value, { x: 1 });
  assert.deepEqual(r.none, { $undefined: true });
  assert.equal(r.rejected.$error, "Error");
  assert.equal(r.rejected.message, "operation has timed out");
  assert.equal(r.late, "late");
});

test("ackTimeout option: ack callbacks become error-first and time out", T, async (t) => {
  const srv = await ioServer(t, { setup });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url, { ackTimeout: 150 });
    await waitFor(socket, "connect");
    const ok = await new Promise((resolve) => socket.emit("ack", "v", (...args) => resolve(args)));
    const started = performance.now();
    const late = await new Promise((resolve) =>
      socket.emit("never", (...args) => resolve({ err: describe(args[0]), n: args.length, elapsed: performance.now() - started })),
    );
    // timeout(ms) overrides ackTimeout for one emit.
    const overridden = await new Promise((resolve) => socket.timeout(1000).emit("ack-later", 300, (...args) => resolve(args)));
    let rejected;
    try {
      await socket.emitWithAck("never");
    } catch (err) {
      rejected = err.message;
    }
    socket.disconnect();
    return { ok, late, overridden, rejected };
  }, { url: srv.url });
  assert.deepEqual(r.ok, [null, "v"]);
  assert.equal(r.late.err.message, "operation has timed out");
  assert.equal(r.late.n, 1);
  assert.ok(r.late.elapsed >= 140 && r.late.elapsed < 1000, `after ~150 ms (${Math.round(r.late.elapsed)})`);
  assert.deepEqual(r.overridden, [null, "late", 300]);
  assert.equal(r.rejected, "operation has timed out", "emitWithAck uses ackTimeout too");
});

test("at disconnect, a pending error-first ack gets Error('socket has been disconnected'); a plain ack is never called", T, async (t) => {
  const srv = await ioServer(t, { setup });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url);
    await waitFor(socket, "connect");
    const calls = [];
    socket.timeout(5000).emit("never", (...args) => calls.push({ kind: "timeout", args: args.map((a) => describe(a)) }));
    socket.emit("never", (...args) => calls.push({ kind: "plain", args: args.map((a) => describe(a)) }));
    const pending = socket.emitWithAck("never").then(
      () => ({ kind: "emitWithAck", outcome: "resolved" }),
      (err) => ({ kind: "emitWithAck", outcome: describe(err) }),
    );
    const order = [];
    socket.on("disconnect", (reason) => order.push(`disconnect:${reason}`));
    socket.timeout(5000).emit("never", () => order.push("ack-error"));
    socket.disconnect();
    const promised = await pending;
    await sleep(300);
    return { calls, promised, order };
  }, { url: srv.url });
  assert.deepEqual(r.calls, [
    { kind: "timeout", args: [{ $error: "Error", message: "socket has been disconnected" }] },
  ]);
  assert.deepEqual(r.promised, { kind: "emitWithAck", outcome: { $error: "Error", message: "socket has been disconnected" } });
  assert.deepEqual(r.order, ["disconnect:io client disconnect", "ack-error"], "the disconnect event comes first");
});

test("retries: 3 with ackTimeout: 500 acked emits complete in order, each handled exactly once, across a server restart", T, async (t) => {
  const handled = new Map(); // i -> times the server handled it, across restarts
  let restarted = false;
  let srv;
  srv = await ioServer(t, {
    setup: (io) =>
      io.on("connection", (socket) => {
        socket.on("inc", (i, cb) => {
          handled.set(i, (handled.get(i) ?? 0) + 1);
          cb(i * 2);
          if (i === 250 && !restarted) {
            restarted = true;
            srv.restart({ downMs: 300 });
          }
        });
      }),
  });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url, { retries: 3, ackTimeout: 1000, reconnectionDelay: 50, reconnectionDelayMax: 100 });
    const acks = [];
    const errors = [];
    const disconnects = [];
    socket.on("disconnect", (reason) => disconnects.push(reason));
    const all = [];
    for (let i = 0; i < 500; i++) {
      all.push(
        new Promise((resolve) =>
          socket.emit("inc", i, (err, value) => {
            if (err) errors.push({ i, message: err.message });
            else acks.push({ i, value });
            resolve();
          }),
        ),
      );
    }
    await Promise.race([Promise.all(all), sleep(15000)]);
    socket.disconnect();
    return { acks, errors, disconnects };
  }, { url: srv.url });
  assert.equal(restarted, true, "the server restarted in the middle");
  assert.ok(r.disconnects.length >= 1, "the client saw the restart");
  assert.deepEqual(r.errors, [], "no ack failed");
  assert.equal(r.acks.length, 500, "500 acks");
  assert.deepEqual(r.acks.map((a) => a.i), [...Array(500).keys()], "acks in emit order");
  assert.ok(r.acks.every((a) => a.value === a.i * 2), "each ack carries the server's value");
  const counts = [...Array(500).keys()].map((i) => handled.get(i) ?? 0);
  const wrong = counts.map((n, i) => [i, n]).filter(([, n]) => n !== 1);
  assert.deepEqual(wrong, [], "the server handled every i exactly once");
});
