// Connection state recovery: a socket.io 4.8 server with connectionStateRecovery (path
// /recovery/, maxDisconnectionDuration 60 s, skipMiddlewares) closes the client's transport
// abruptly; after the automatic reconnection socket.recovered === true, socket.id is unchanged,
// and the events the server emitted to the socket's room while it was away arrive in order.
// A server-side disconnect ("io server disconnect") is not recovered.
//
//   API_CLIENT=reference node --test tests/api/recovery.test.mjs   # socket.io-client 4.8
//   node --test tests/api/recovery.test.mjs                        # socketio-wasm (pkg/)
import { test } from "node:test";
import assert from "node:assert/strict";
import { T, ioServer, until, useBrowser } from "./harness.mjs";

const browser = useBrowser();
const PATH = "/recovery/";

// Closes `socket`'s transport abruptly from the server: WebSocket: the TCP connection is cut
// (ws terminate(), the browser sees close code 1006); polling: the pending GET's TCP connection
// is destroyed.
function cutTransport(socket) {
  const transport = socket.conn.transport;
  if (transport.name === "websocket") transport.socket.terminate();
  else transport.req?.socket.destroy();
}

async function recoveryServer(t) {
  const state = { connections: [], middlewareRuns: 0, disconnects: [] };
  const srv = await ioServer(t, {
    options: {
      path: PATH,
      connectionStateRecovery: { maxDisconnectionDuration: 60000, skipMiddlewares: true },
    },
    setup: (io) => {
      io.use((socket, next) => {
        state.middlewareRuns += 1;
        next();
      });
      io.on("connection", (socket) => {
        state.connections.push({ id: socket.id, recovered: socket.recovered });
        // A first event gives the client an offset to recover from.
        if (!socket.recovered) socket.emit("welcome", 0);
        socket.on("cut", () => setTimeout(() => cutTransport(socket), 20));
        socket.on("disconnect-me", () => socket.disconnect());
        socket.on("disconnect", (reason) => {
          state.disconnects.push(reason);
          // Emitted while the client is away: to the socket's own room (its id).
          for (let i = 1; i <= 3; i++) io.to(socket.id).emit("missed", i, { i });
        });
      });
    },
  });
  return { srv, state };
}

for (const transport of ["websocket", "polling"]) {
  test(`connectionStateRecovery over ${transport}: after an abrupt transport close, recovered is true, the id is kept and missed events arrive in order`, T, async (t) => {
    const { srv, state } = await recoveryServer(t);
    const page = await browser.open(t);
    const r = await page.evaluate(async ({ url, path, transport }) => {
      const socket = io(url, { path, transports: [transport], reconnectionDelay: 200, reconnectionDelayMax: 200 });
      const events = [];
      socket.on("connect", () => events.push({ event: "connect", recovered: socket.recovered }));
      socket.on("missed", (i, obj) => events.push({ event: "missed", i, obj }));
      socket.on("disconnect", (reason) => events.push({ event: "disconnect", reason }));
      const welcome = waitFor(socket, "welcome");
      await waitFor(socket, "connect");
      const first = { id: socket.id, recovered: socket.recovered };
      const welcomeArgs = await welcome;
      socket.emit("cut");
      await waitFor(socket, "disconnect");
      const duringDisconnect = { id: socket.id ?? null, connected: socket.connected };
      await waitFor(socket, "connect", 5000);
      await until(() => events.filter((e) => e.event === "missed").length >= 3, 2000, "3 missed events");
      return {
        first,
        welcomeArgs: welcomeArgs.length,
        duringDisconnect,
        after: { id: socket.id, recovered: socket.recovered },
        events,
      };
    }, { url: srv.url, path: PATH, transport });
    assert.equal(r.first.recovered, false, "recovered is false on the first connection");
    assert.equal(r.after.recovered, true, "socket.recovered === true after the reconnection");
    assert.equal(r.after.id, r.first.id, "socket.id unchanged");
    assert.deepEqual(r.duringDisconnect, { id: null, connected: false }, "no id while disconnected");
    const missed = r.events.filter((e) => e.event === "missed").map((e) => [e.i, e.obj]);
    assert.deepEqual(missed, [
      [1, { i: 1 }],
      [2, { i: 2 }],
      [3, { i: 3 }],
    ]);
    const reason = r.events.find((e) => e.event === "disconnect").reason;
    assert.equal(reason, transport === "websocket" ? "transport close" : "transport error");
    // Server side: the second connection is the recovered one, with the same id, and
    // skipMiddlewares skipped the middleware.
    assert.deepEqual(state.connections, [
      { id: r.first.id, recovered: false },
      { id: r.first.id, recovered: true },
    ]);
    assert.equal(state.middlewareRuns, 1, "skipMiddlewares: the middleware ran once");
    // The server appends the offset to each stored event: listeners get it as an extra last
    // argument (socket.io-client 4.8 passes it through), so "welcome" had 2 arguments.
    assert.equal(r.welcomeArgs, 2, "welcome(0) arrives with the offset appended");
    // The server writes the missed events before its CONNECT reply; socket.io-client 4.8 keeps
    // them until the CONNECT and hands them to the listeners before the "connect" event fires.
    assert.deepEqual(
      r.events.map((e) => e.event),
      ["connect", "disconnect", "missed", "missed", "missed", "connect"],
    );
  });
}

for (const transport of ["polling", "websocket"]) {
    test(`connectionStateRecovery over ${transport}: socket.receiveBuffer holds the replayed events until the CONNECT reply (seen from the Manager's 'packet' listener)`, T, async (t) => {
    const { srv } = await recoveryServer(t);
    const page = await browser.open(t);
    const r = await page.evaluate(async ({ url, path, transport }) => {
      const socket = io(url, { path, transports: [transport], reconnectionDelay: 200, reconnectionDelayMax: 200 });
      const seen = [];
      // The socket handles each packet before this listener hears it.
      socket.io.on("packet", (packet) => {
        if (packet.type !== 2 || socket.connected) return;
        const buffer = socket.receiveBuffer;
        seen.push({ frozen: buffer.every((args) => Object.isFrozen(args)), events: buffer.map((args) => args.slice(0, 3)) });
      });
      const welcome = waitFor(socket, "welcome");
      await waitFor(socket, "connect");
      await welcome;
      const before = socket.receiveBuffer.length;
      socket.emit("cut");
      await waitFor(socket, "disconnect");
      await waitFor(socket, "connect", 5000);
      return { before, seen, after: socket.receiveBuffer.length, recovered: socket.recovered };
    }, { url: srv.url, path: PATH, transport });
    assert.equal(r.recovered, true);
    assert.equal(r.before, 0, "empty while connected");
    const missed = (i) => ["missed", i, { i }];
    assert.deepEqual(r.seen, [
      { frozen: true, events: [missed(1)] },
      { frozen: true, events: [missed(1), missed(2)] },
      { frozen: true, events: [missed(1), missed(2), missed(3)] },
    ]);
    assert.equal(r.after, 0, "emptied when the CONNECT reply came");
  });
}

test("connectionStateRecovery: a server-side disconnect is not recovered; socket.connect() gets a new id and recovered false", T, async (t) => {
  const { srv, state } = await recoveryServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url, path }) => {
    const socket = io(url, { path, reconnectionDelay: 100, reconnectionDelayMax: 100 });
    const missed = [];
    socket.on("missed", (i) => missed.push(i));
    const welcome = waitFor(socket, "welcome");
    await waitFor(socket, "connect");
    await welcome;
    const firstId = socket.id;
    socket.emit("disconnect-me");
    const [reason] = await waitFor(socket, "disconnect");
    await sleep(300);
    const reconnectedByItself = socket.connected;
    socket.connect();
    await waitFor(socket, "connect");
    await sleep(200);
    return { firstId, reason, reconnectedByItself, id: socket.id, recovered: socket.recovered, missed };
  }, { url: srv.url, path: PATH });
  assert.equal(r.reason, "io server disconnect");
  assert.equal(r.reconnectedByItself, false);
  assert.notEqual(r.id, r.firstId, "a new id");
  assert.equal(r.recovered, false);
  assert.deepEqual(r.missed, [], "nothing replayed");
  assert.equal(state.disconnects[0], "server namespace disconnect");
  assert.equal(state.middlewareRuns, 2, "the middleware ran again");
});
