// Calls made from inside listeners: a call has its effects and events before it returns, in
// socket.io-client's order, whether it is made from a listener or from top-level code.
//
// The matrix test calls each public method from inside `connect`, `disconnect`, `connect_error`
// and event listeners and records, in order, every event the page hears from the start of that
// listener's dispatch to the end of it (a second listener of the same event shows what runs
// after the call), then the state a moment later. The expected logs are socket.io-client 4.8's
// own (API_CLIENT=reference passes them; RECORD=file appends what a client produces to file).
//
//   API_CLIENT=reference node --test tests/api/reentrancy.test.mjs   # socket.io-client 4.8
//   node --test tests/api/reentrancy.test.mjs                        # socketio-wasm (pkg/)
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync } from "node:fs";
import { T, ioServer, serveBasics, until, useBrowser } from "./harness.mjs";

const browser = useBrowser();

// A server with the standard handlers, a namespace whose middleware refuses everyone, and a
// record of why server-side sockets disconnected.
async function server(t, options = {}) {
  const reasons = [];
  const srv = await ioServer(t, {
    options,
    setup(io) {
      serveBasics(io);
      io.of("/refused").use((_socket, next) => next(new Error("refused")));
      io.of("/").on("connection", (socket) => {
        socket.on("disconnect", (reason) => reasons.push(reason));
        // Holds the POST that carries this event for a while (polling): the next POST waits.
        socket.on("slow", () => {});
        // An echo sent once the POST that asked for it is answered: over polling, a volatile
        // emit from its listener then finds the transport writable in both clients (without the
        // wait, socket.io-client drops it when its POST is still in flight, a race).
        socket.on("echo-later", (value) => setTimeout(() => socket.emit("echo", value), 100));
      });
    },
  });
  return { srv, reasons };
}

test("disconnect() in a connect listener, then manager.socket() in the disconnect listener, settles: done once", T, async (t) => {
  const { srv } = await server(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    let done = 0;
    const manager = new Manager(url, { transports: ["websocket"] });
    const socket = manager.socket("/");
    socket.on("connect", () => socket.disconnect());
    socket.on("disconnect", () => {
      const again = manager.socket("/");
      again.on("connect", () => {
        again.disconnect();
        done++;
      });
    });
    await until(() => done > 0, 5000, "done");
    await sleep(1000);
    return { done, active: socket.active, connected: socket.connected };
  }, { url: srv.url });
  assert.deepEqual(r, { done: 1, active: false, connected: false });
});

test("disconnect() inside a connect listener: disconnected, with close then disconnect, before it returns", T, async (t) => {
  const { srv } = await server(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const log = [];
    const socket = io(url, { forceNew: true, transports: ["websocket"] });
    socket.io.on("close", (reason) => log.push(`close ${reason}`));
    socket.on("disconnect", (reason) => log.push(`disconnect ${reason}`));
    socket.on("connect", () => {
      socket.disconnect();
      log.push(`returned connected=${socket.connected} active=${socket.active} id=${socket.id}`);
    });
    socket.on("connect", () => log.push(`second connect listener connected=${socket.connected}`));
    await until(() => log.length >= 4);
    return log;
  }, { url: srv.url });
  assert.deepEqual(r, [
    "close forced close",
    "disconnect io client disconnect",
    "returned connected=false active=false id=undefined",
    "second connect listener connected=false",
  ]);
});

test("an exception thrown by a disconnect listener reaches the caller of disconnect(); the socket is still disconnected", T, async (t) => {
  const { srv } = await server(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url, { forceNew: true, transports: ["websocket"] });
    await waitFor(socket, "connect");
    const boom = new Error("boom");
    socket.on("disconnect", () => {
      throw boom;
    });
    let caught;
    try {
      socket.disconnect();
    } catch (error) {
      caught = error;
    }
    return { same: caught === boom, connected: socket.connected, active: socket.active };
  }, { url: srv.url });
  assert.deepEqual(r, { same: true, connected: false, active: false });
});

test("an exception thrown by an onAnyOutgoing listener reaches the caller of emit(), and that emit is not sent", T, async (t) => {
  const { srv } = await server(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url, { forceNew: true, transports: ["websocket"] });
    await waitFor(socket, "connect");
    const echoes = [];
    socket.on("echo", (value) => echoes.push(value));
    const throwing = () => {
      throw new Error("outgoing");
    };
    socket.onAnyOutgoing(throwing);
    let message;
    try {
      socket.timeout(200).emit("echo", "withheld", (err) => echoes.push(`ack: ${err?.message}`));
    } catch (error) {
      message = error.message;
    }
    socket.offAnyOutgoing(throwing);
    socket.emit("echo", "sent");
    await until(() => echoes.length >= 2, 3000, "the echo and the ack timeout");
    await sleep(100);
    return { message, echoes, connected: socket.connected };
  }, { url: srv.url });
  // The withheld emit's ack stays registered and times out, as in socket.io-client.
  assert.deepEqual(r, { message: "outgoing", echoes: ["sent", "ack: operation has timed out"], connected: true });
});

test("disconnect() on polling with an emit still being posted: the server sees 'client namespace disconnect'", T, async (t) => {
  const { srv, reasons } = await server(t);
  const page = await browser.open(t);
  await page.evaluate(async ({ url }) => {
    const socket = io(url, { forceNew: true, transports: ["polling"] });
    await waitFor(socket, "connect");
    // The first emit goes out in a POST; the DISCONNECT that follows must wait for it.
    socket.emit("slow", "x".repeat(200000));
    socket.disconnect();
  }, { url: srv.url });
  await until(() => reasons.length > 0, 5000, "the server-side disconnect");
  assert.deepEqual(reasons, ["client namespace disconnect"]);
});

test("onAnyOutgoing does not hear emits dropped from the send buffer or timed out in it", T, async (t) => {
  const { srv } = await server(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const heard = [];
    const socket = io(url, { forceNew: true, autoConnect: false, transports: ["websocket"] });
    socket.onAnyOutgoing((event) => heard.push(event));
    socket.emit("cleared");
    socket.sendBuffer = [];
    let timedOut = false;
    socket.timeout(50).emit("timed out", () => (timedOut = true));
    await until(() => timedOut, 2000, "the ack timeout");
    socket.emit("kept");
    socket.connect();
    await waitFor(socket, "connect");
    socket.emit("after");
    return heard;
  }, { url: srv.url });
  assert.deepEqual(r, ["kept", "after"]);
});

// ---- the matrix ----------------------------------------------------------------------------

// What each listener context is (how it is reached) and the calls made in it.
const CONTEXTS = ["connect", "disconnect", "connect_error", "event"];
const CALLS = [
  "emit",
  "volatileEmit",
  "timeoutEmit",
  "emitWithAck",
  "disconnect",
  "connect",
  "socket",
  "open",
  "off",
  "clearSendBuffer",
  "setAuth",
  "reconnectionOff",
  "managerDisconnect",
];

// Runs in the page: a fresh Manager per call; the call is made once, from the first listener of
// the context's event. Returns the log of that dispatch and the state 300 ms later.
async function runMatrix({ url, context, calls, transports }) {
  const results = {};
  for (const call of calls) {
    const log = [];
    const nsp = context === "connect_error" ? "/refused" : "/";
    const manager = new Manager(url, { transports, reconnection: false, autoConnect: false });
    const socket = manager.socket(nsp);
    const trigger = context === "event" ? "echo" : context;
    const state = () => `connected=${socket.connected} active=${socket.active}`;
    const act = {
      emit: () => socket.emit("echo", "from listener"),
      volatileEmit: () => socket.volatile.emit("echo", "volatile"),
      timeoutEmit: () => socket.timeout(100).emit("ack", "timeout", (err) => note(`ack ${err?.message ?? "ok"}`)),
      emitWithAck: () =>
        socket.emitWithAck("ack", "with ack").then(
          (value) => note(`ack ${value}`),
          (err) => note(`ack rejected ${err.message}`),
        ),
      disconnect: () => socket.disconnect(),
      connect: () => socket.connect(),
      socket: () => manager.socket(nsp).connect(),
      open: () => manager.open(),
      off: () => socket.off(),
      clearSendBuffer: () => (socket.sendBuffer = []),
      setAuth: () => (socket.auth = { token: "t" }),
      reconnectionOff: () => manager.reconnection(false),
      managerDisconnect: () => manager.disconnect(),
    }[call];
    let recording = false;
    let called = false;
    // The context's event: the call from its first listener, then a second listener.
    socket.on(trigger, () => {
      if (called) return;
      called = true;
      recording = true;
      log.push(`call ${call} (${state()})`);
      act();
      log.push(`returned (${state()})`);
    });
    socket.on(trigger, () => recording && log.push(`second listener (${state()})`));
    // Everything else the page can hear, in order.
    const note = (line) => recording && log.push(line);
    manager.on("open", () => note("manager open"));
    manager.on("close", (reason) => note(`manager close ${reason}`));
    for (const event of ["connect", "disconnect", "connect_error"]) {
      socket.on(event, (arg) => note(`${event}${typeof arg === "string" ? " " + arg : ""}`));
    }
    socket.on("echo", (value) => note(`echo ${value}`));
    socket.onAnyOutgoing((event, value) => note(`outgoing ${event} ${value}`));
    socket.connect();
    if (context === "disconnect") {
      await until(() => socket.connected, 3000, "connect");
      socket.emit("disconnect-me");
    }
    if (context === "event") {
      await until(() => socket.connected, 3000, "connect");
      socket.emit("echo-later", "to trigger");
    }
    await until(() => called, 3000, `the ${context} listener`);
    await sleep(300);
    recording = false;
    log.push(`later (${state()})`);
    manager.disconnect();
    results[call] = log;
  }
  return results;
}

for (const transport of ["websocket", "polling"]) {
  for (const context of CONTEXTS) {
    test(`every public method called from a ${context} listener (${transport}): same events, order and state as socket.io-client`, { timeout: 60000 }, async (t) => {
      const { srv } = await server(t);
      const page = await browser.open(t);
      const options = { url: srv.url, context, calls: CALLS, transports: [transport] };
      const results = await page.evaluate(`(${runMatrix})(${JSON.stringify(options)})`);
      if (process.env.RECORD) appendFileSync(process.env.RECORD, JSON.stringify({ [context]: results }) + "\n");
      assert.deepEqual(results, EXPECTED[context]);
    });
  }
}

// socket.io-client 4.8's logs (recorded with API_CLIENT=reference RECORD=1).
const EXPECTED = {
  connect: {
    emit: [
      "call emit (connected=true active=true)",
      "outgoing echo from listener",
      "returned (connected=true active=true)",
      "second listener (connected=true active=true)",
      "connect",
      "echo from listener",
      "later (connected=true active=true)",
    ],
    volatileEmit: [
      "call volatileEmit (connected=true active=true)",
      "outgoing echo volatile",
      "returned (connected=true active=true)",
      "second listener (connected=true active=true)",
      "connect",
      "echo volatile",
      "later (connected=true active=true)",
    ],
    timeoutEmit: [
      "call timeoutEmit (connected=true active=true)",
      "outgoing ack timeout",
      "returned (connected=true active=true)",
      "second listener (connected=true active=true)",
      "connect",
      "ack ok",
      "later (connected=true active=true)",
    ],
    emitWithAck: [
      "call emitWithAck (connected=true active=true)",
      "outgoing ack with ack",
      "returned (connected=true active=true)",
      "second listener (connected=true active=true)",
      "connect",
      "ack with ack",
      "later (connected=true active=true)",
    ],
    disconnect: [
      "call disconnect (connected=true active=true)",
      "manager close forced close",
      "disconnect io client disconnect",
      "returned (connected=false active=false)",
      "second listener (connected=false active=false)",
      "connect",
      "later (connected=false active=false)",
    ],
    connect: [
      "call connect (connected=true active=true)",
      "returned (connected=true active=true)",
      "second listener (connected=true active=true)",
      "connect",
      "later (connected=true active=true)",
    ],
    socket: [
      "call socket (connected=true active=true)",
      "returned (connected=true active=true)",
      "second listener (connected=true active=true)",
      "connect",
      "later (connected=true active=true)",
    ],
    open: [
      "call open (connected=true active=true)",
      "returned (connected=true active=true)",
      "second listener (connected=true active=true)",
      "connect",
      "later (connected=true active=true)",
    ],
    off: [
      "call off (connected=true active=true)",
      "returned (connected=true active=true)",
      "second listener (connected=true active=true)",
      "connect",
      "later (connected=true active=true)",
    ],
    clearSendBuffer: [
      "call clearSendBuffer (connected=true active=true)",
      "returned (connected=true active=true)",
      "second listener (connected=true active=true)",
      "connect",
      "later (connected=true active=true)",
    ],
    setAuth: [
      "call setAuth (connected=true active=true)",
      "returned (connected=true active=true)",
      "second listener (connected=true active=true)",
      "connect",
      "later (connected=true active=true)",
    ],
    reconnectionOff: [
      "call reconnectionOff (connected=true active=true)",
      "returned (connected=true active=true)",
      "second listener (connected=true active=true)",
      "connect",
      "later (connected=true active=true)",
    ],
    managerDisconnect: [
      "call managerDisconnect (connected=true active=true)",
      "manager close forced close",
      "disconnect forced close",
      "returned (connected=false active=true)",
      "second listener (connected=false active=true)",
      "connect",
      "later (connected=false active=true)",
    ],
  },
  disconnect: {
    emit: [
      "call emit (connected=false active=false)",
      "returned (connected=false active=false)",
      "second listener (connected=false active=false)",
      "disconnect io server disconnect",
      "later (connected=false active=false)",
    ],
    volatileEmit: [
      "call volatileEmit (connected=false active=false)",
      "returned (connected=false active=false)",
      "second listener (connected=false active=false)",
      "disconnect io server disconnect",
      "later (connected=false active=false)",
    ],
    timeoutEmit: [
      "call timeoutEmit (connected=false active=false)",
      "returned (connected=false active=false)",
      "second listener (connected=false active=false)",
      "disconnect io server disconnect",
      "ack operation has timed out",
      "later (connected=false active=false)",
    ],
    emitWithAck: [
      "call emitWithAck (connected=false active=false)",
      "returned (connected=false active=false)",
      "second listener (connected=false active=false)",
      "disconnect io server disconnect",
      "later (connected=false active=false)",
    ],
    disconnect: [
      "call disconnect (connected=false active=false)",
      "manager close forced close",
      "returned (connected=false active=false)",
      "second listener (connected=false active=false)",
      "disconnect io server disconnect",
      "later (connected=false active=false)",
    ],
    connect: [
      "call connect (connected=false active=false)",
      "returned (connected=false active=true)",
      "second listener (connected=false active=true)",
      "disconnect io server disconnect",
      "manager open",
      "connect",
      "later (connected=true active=true)",
    ],
    socket: [
      "call socket (connected=false active=false)",
      "returned (connected=false active=true)",
      "second listener (connected=false active=true)",
      "disconnect io server disconnect",
      "manager open",
      "connect",
      "later (connected=true active=true)",
    ],
    open: [
      "call open (connected=false active=false)",
      "returned (connected=false active=false)",
      "second listener (connected=false active=false)",
      "disconnect io server disconnect",
      "manager open",
      "later (connected=false active=false)",
    ],
    off: [
      "call off (connected=false active=false)",
      "returned (connected=false active=false)",
      "second listener (connected=false active=false)",
      "disconnect io server disconnect",
      "later (connected=false active=false)",
    ],
    clearSendBuffer: [
      "call clearSendBuffer (connected=false active=false)",
      "returned (connected=false active=false)",
      "second listener (connected=false active=false)",
      "disconnect io server disconnect",
      "later (connected=false active=false)",
    ],
    setAuth: [
      "call setAuth (connected=false active=false)",
      "returned (connected=false active=false)",
      "second listener (connected=false active=false)",
      "disconnect io server disconnect",
      "later (connected=false active=false)",
    ],
    reconnectionOff: [
      "call reconnectionOff (connected=false active=false)",
      "returned (connected=false active=false)",
      "second listener (connected=false active=false)",
      "disconnect io server disconnect",
      "later (connected=false active=false)",
    ],
    managerDisconnect: [
      "call managerDisconnect (connected=false active=false)",
      "manager close forced close",
      "returned (connected=false active=false)",
      "second listener (connected=false active=false)",
      "disconnect io server disconnect",
      "later (connected=false active=false)",
    ],
  },
  connect_error: {
    emit: [
      "call emit (connected=false active=false)",
      "returned (connected=false active=false)",
      "second listener (connected=false active=false)",
      "connect_error",
      "later (connected=false active=false)",
    ],
    volatileEmit: [
      "call volatileEmit (connected=false active=false)",
      "returned (connected=false active=false)",
      "second listener (connected=false active=false)",
      "connect_error",
      "later (connected=false active=false)",
    ],
    timeoutEmit: [
      "call timeoutEmit (connected=false active=false)",
      "returned (connected=false active=false)",
      "second listener (connected=false active=false)",
      "connect_error",
      "ack operation has timed out",
      "later (connected=false active=false)",
    ],
    emitWithAck: [
      "call emitWithAck (connected=false active=false)",
      "returned (connected=false active=false)",
      "second listener (connected=false active=false)",
      "connect_error",
      "later (connected=false active=false)",
    ],
    disconnect: [
      "call disconnect (connected=false active=false)",
      "manager close forced close",
      "returned (connected=false active=false)",
      "second listener (connected=false active=false)",
      "connect_error",
      "later (connected=false active=false)",
    ],
    connect: [
      "call connect (connected=false active=false)",
      "returned (connected=false active=true)",
      "second listener (connected=false active=true)",
      "connect_error",
      "manager open",
      "manager close forced close",
      "second listener (connected=false active=false)",
      "connect_error",
      "later (connected=false active=false)",
    ],
    socket: [
      "call socket (connected=false active=false)",
      "returned (connected=false active=true)",
      "second listener (connected=false active=true)",
      "connect_error",
      "manager open",
      "manager close forced close",
      "second listener (connected=false active=false)",
      "connect_error",
      "later (connected=false active=false)",
    ],
    open: [
      "call open (connected=false active=false)",
      "returned (connected=false active=false)",
      "second listener (connected=false active=false)",
      "connect_error",
      "manager open",
      "later (connected=false active=false)",
    ],
    off: [
      "call off (connected=false active=false)",
      "returned (connected=false active=false)",
      "second listener (connected=false active=false)",
      "connect_error",
      "later (connected=false active=false)",
    ],
    clearSendBuffer: [
      "call clearSendBuffer (connected=false active=false)",
      "returned (connected=false active=false)",
      "second listener (connected=false active=false)",
      "connect_error",
      "later (connected=false active=false)",
    ],
    setAuth: [
      "call setAuth (connected=false active=false)",
      "returned (connected=false active=false)",
      "second listener (connected=false active=false)",
      "connect_error",
      "later (connected=false active=false)",
    ],
    reconnectionOff: [
      "call reconnectionOff (connected=false active=false)",
      "returned (connected=false active=false)",
      "second listener (connected=false active=false)",
      "connect_error",
      "later (connected=false active=false)",
    ],
    managerDisconnect: [
      "call managerDisconnect (connected=false active=false)",
      "manager close forced close",
      "returned (connected=false active=false)",
      "second listener (connected=false active=false)",
      "connect_error",
      "later (connected=false active=false)",
    ],
  },
  event: {
    emit: [
      "call emit (connected=true active=true)",
      "outgoing echo from listener",
      "returned (connected=true active=true)",
      "second listener (connected=true active=true)",
      "echo to trigger",
      "second listener (connected=true active=true)",
      "echo from listener",
      "later (connected=true active=true)",
    ],
    volatileEmit: [
      "call volatileEmit (connected=true active=true)",
      "outgoing echo volatile",
      "returned (connected=true active=true)",
      "second listener (connected=true active=true)",
      "echo to trigger",
      "second listener (connected=true active=true)",
      "echo volatile",
      "later (connected=true active=true)",
    ],
    timeoutEmit: [
      "call timeoutEmit (connected=true active=true)",
      "outgoing ack timeout",
      "returned (connected=true active=true)",
      "second listener (connected=true active=true)",
      "echo to trigger",
      "ack ok",
      "later (connected=true active=true)",
    ],
    emitWithAck: [
      "call emitWithAck (connected=true active=true)",
      "outgoing ack with ack",
      "returned (connected=true active=true)",
      "second listener (connected=true active=true)",
      "echo to trigger",
      "ack with ack",
      "later (connected=true active=true)",
    ],
    disconnect: [
      "call disconnect (connected=true active=true)",
      "manager close forced close",
      "disconnect io client disconnect",
      "returned (connected=false active=false)",
      "second listener (connected=false active=false)",
      "echo to trigger",
      "later (connected=false active=false)",
    ],
    connect: [
      "call connect (connected=true active=true)",
      "returned (connected=true active=true)",
      "second listener (connected=true active=true)",
      "echo to trigger",
      "later (connected=true active=true)",
    ],
    socket: [
      "call socket (connected=true active=true)",
      "returned (connected=true active=true)",
      "second listener (connected=true active=true)",
      "echo to trigger",
      "later (connected=true active=true)",
    ],
    open: [
      "call open (connected=true active=true)",
      "returned (connected=true active=true)",
      "second listener (connected=true active=true)",
      "echo to trigger",
      "later (connected=true active=true)",
    ],
    off: [
      "call off (connected=true active=true)",
      "returned (connected=true active=true)",
      "second listener (connected=true active=true)",
      "echo to trigger",
      "later (connected=true active=true)",
    ],
    clearSendBuffer: [
      "call clearSendBuffer (connected=true active=true)",
      "returned (connected=true active=true)",
      "second listener (connected=true active=true)",
      "echo to trigger",
      "later (connected=true active=true)",
    ],
    setAuth: [
      "call setAuth (connected=true active=true)",
      "returned (connected=true active=true)",
      "second listener (connected=true active=true)",
      "echo to trigger",
      "later (connected=true active=true)",
    ],
    reconnectionOff: [
      "call reconnectionOff (connected=true active=true)",
      "returned (connected=true active=true)",
      "second listener (connected=true active=true)",
      "echo to trigger",
      "later (connected=true active=true)",
    ],
    managerDisconnect: [
      "call managerDisconnect (connected=true active=true)",
      "manager close forced close",
      "disconnect forced close",
      "returned (connected=false active=true)",
      "second listener (connected=false active=true)",
      "echo to trigger",
      "later (connected=false active=true)",
    ],
  },
};
