// Basics an app relies on first: a WebSocket-only connection and its id, a round trip of mixed
// arguments (JSON of every kind, unicode, a 1 MB string, binary) over each transport, the order
// of 1000 emits, what a server-side disconnect leaves on the socket, the ping timeout's timing,
// malformed packets from the server ending in "parse error" without breaking the page, and a
// throwing listener. Against a real socket.io 4.8 server. (These checks come from the
// wasm-bindgen tests tests/browser.rs, which drove the Rust exports without index.js.)
//
//   API_CLIENT=reference node --test tests/api/basics.test.mjs   # socket.io-client 4.8
//   node --test tests/api/basics.test.mjs                        # socketio-wasm (pkg/)
import { test } from "node:test";
import assert from "node:assert/strict";
import { T, ioServer, serveBasics, stopPings, until, useBrowser } from "./harness.mjs";

const browser = useBrowser();

// serveBasics (whoami, echo, ack, disconnect-me; every event in `log`) plus server-side triggers:
//   stop-pings           this connection gets no more pings (the client's ping timeout fires)
//   malformed            raw Engine.IO message 2["unterminated   (wire: 42["unterminated)
//   malformed-reserved   raw Engine.IO message 2["connect"]      (an event with a reserved name)
//   boom                 the server emits "boom" then "after-boom"
async function basicServer(t, options = {}) {
  const log = [];
  const srv = await ioServer(t, {
    options,
    setup: (io) => {
      serveBasics(io, { log });
      io.on("connection", (socket) => {
        socket.on("stop-pings", () => stopPings(socket.conn));
        socket.on("malformed", () => socket.conn.write('2["unterminated'));
        socket.on("malformed-reserved", () => socket.conn.write('2["connect"]'));
        socket.on("boom", (n) => {
          socket.emit("boom", n);
          socket.emit("after-boom", n);
        });
      });
    },
  });
  return { srv, log };
}

test("transports: ['websocket']: connected, not disconnected, and socket.id is the id the server sees", T, async (t) => {
  const { srv } = await basicServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url, { transports: ["websocket"] });
    await waitFor(socket, "connect");
    const who = await new Promise((resolve) => socket.emit("whoami", resolve));
    return {
      id: socket.id,
      connected: socket.connected,
      disconnected: socket.disconnected,
      transport: socket.io.engine.transport.name,
      who,
    };
  }, { url: srv.url });
  assert.equal(typeof r.id, "string");
  assert.equal(r.connected, true);
  assert.equal(r.disconnected, false);
  assert.equal(r.who.id, r.id, "socket.id is the server-side socket.id");
  assert.equal(r.who.transport, "websocket");
  assert.equal(r.transport, "websocket");
});

// The arguments of the old test (every JSON kind, unicode, a 1 MB string), then the same with
// binary next to them (a BINARY_EVENT instead of an EVENT).
const MIXED_SOURCE = `window.mixedArgs = () => [
  "a string",
  42.5,
  { nested: { list: [1, { deep: [true, false, null] }], empty: {} } },
  [1, "two", [3]],
  null,
  "ünïcödé ☃ 😀 中文",
  "x".repeat(1 << 20),
];`;

for (const transport of ["polling", "websocket"]) {
  test(`mixed arguments come back equal over ${transport}: JSON of every kind, unicode, a 1 MB string, then the same with binary`, T, async (t) => {
    const { srv, log } = await basicServer(t);
    const page = await browser.open(t);
    await page.addScriptTag({ content: MIXED_SOURCE });
    const r = await page.evaluate(async ({ url, transport }) => {
      const socket = io(url, { transports: [transport] });
      await waitFor(socket, "connect");
      const roundTrip = async (args) => {
        const echoed = waitFor(socket, "echo", 10000);
        socket.emit("echo", ...args);
        return await echoed;
      };
      const sent = mixedArgs();
      const back = await roundTrip(sent);
      const plain = {
        count: back.length,
        same: sent.map((arg, i) => JSON.stringify(arg) === JSON.stringify(back[i])),
        bigLength: back[6].length,
        unicode: back[5],
      };
      const withBinary = await roundTrip([...mixedArgs(), new Uint8Array([1, 2, 3, 4]), { nested: new Uint8Array([5, 6, 7]).buffer }]);
      const binary = {
        count: withBinary.length,
        same: sent.map((arg, i) => JSON.stringify(arg) === JSON.stringify(withBinary[i])),
        bin: describe(withBinary.slice(7)),
        isArrayBuffer: withBinary[7] instanceof ArrayBuffer && withBinary[8].nested instanceof ArrayBuffer,
      };
      return { plain, binary, transport: socket.io.engine.transport.name };
    }, { url: srv.url, transport });
    assert.equal(r.transport, transport);
    assert.equal(r.plain.count, 7);
    assert.deepEqual(r.plain.same, Array(7).fill(true), "every argument comes back equal");
    assert.equal(r.plain.bigLength, 1 << 20);
    assert.equal(r.plain.unicode, "ünïcödé ☃ 😀 中文");
    assert.equal(r.binary.count, 9);
    assert.deepEqual(r.binary.same, Array(7).fill(true), "the JSON arguments next to binary come back equal");
    assert.deepEqual(r.binary.bin, [
      { $bin: "ArrayBuffer", bytes: [1, 2, 3, 4] },
      { nested: { $bin: "ArrayBuffer", bytes: [5, 6, 7] } },
    ]);
    assert.equal(r.binary.isArrayBuffer, true);
    // What the server got (not only what came back): the same unicode text, the whole 1 MB.
    const echoes = log.filter((e) => e.event === "echo");
    assert.equal(echoes.length, 2);
    for (const e of echoes) {
      assert.equal(e.args[5], "ünïcödé ☃ 😀 中文");
      assert.equal(e.args[6], "x".repeat(1 << 20));
      assert.equal(e.args[1], 42.5);
    }
    assert.deepEqual([...echoes[1].args[7]], [1, 2, 3, 4], "the server got the binary as a Buffer");
  });
}

// socketio-wasm copies only the head of a text frame into wasm, up to its first character that is
// not ASCII and at most 128; a header that does not end inside it makes it read the whole frame.
test("event names that are not ASCII, and a namespace longer than the copied head: events and acks arrive whole", T, async (t) => {
  const long = "/" + "n".repeat(150);
  const log = [];
  const srv = await ioServer(t, {
    setup: (io) => {
      serveBasics(io, { nsps: ["/", long], log });
      for (const name of ["/", long]) {
        io.of(name).on("connection", (socket) => socket.on("emit-as", (event, ...args) => socket.emit(event, ...args)));
      }
    },
  });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url, long }) => {
    const run = async (socket) => {
      await waitFor(socket, "connect");
      const echoed = new Promise((resolve) => socket.once("сообщение", (...args) => resolve(args)));
      socket.emit("emit-as", "сообщение", "日本", { "ключ": "😀" });
      const acked = await socket.emitWithAck("ack", "é", 1);
      const result = { echoed: await echoed, acked };
      socket.disconnect();
      return result;
    };
    return {
      root: await run(io(url, { transports: ["websocket"], forceNew: true })),
      long: await run(io(url + long, { transports: ["websocket"], forceNew: true })),
    };
  }, { url: srv.url, long });
  for (const side of ["root", "long"]) {
    assert.deepEqual(r[side].echoed, ["日本", { "ключ": "😀" }], side);
    assert.equal(r[side].acked, "é", side);
  }
  assert.ok(log.some((e) => e.nsp === long && e.event === "emit-as"));
});

test("1000 emits arrive at the server in order", T, async (t) => {
  const { srv, log } = await basicServer(t);
  const page = await browser.open(t);
  await page.evaluate(async ({ url }) => {
    const socket = io(url);
    await waitFor(socket, "connect");
    for (let n = 0; n < 1000; n++) socket.emit("seq", n);
    // The server handles a socket's packets in order: once this is acked, every seq arrived.
    await new Promise((resolve) => socket.emit("ack", "done", resolve));
  }, { url: srv.url });
  const seq = log.filter((e) => e.event === "seq").map((e) => e.args[0]);
  assert.equal(seq.length, 1000);
  assert.deepEqual(seq, Array.from({ length: 1000 }, (_, n) => n), "in order");
  assert.equal(log.at(-1).event, "ack");
});

test("a server-side disconnect: 'io server disconnect', then disconnected, not connected, and socket.id undefined", T, async (t) => {
  const { srv } = await basicServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url);
    await waitFor(socket, "connect");
    const idBefore = socket.id;
    const disconnected = waitFor(socket, "disconnect");
    socket.emit("disconnect-me");
    const [reason] = await disconnected;
    return {
      reason,
      idBefore: typeof idBefore,
      id: describe(socket.id),
      connected: socket.connected,
      disconnected: socket.disconnected,
    };
  }, { url: srv.url });
  assert.deepEqual(r, {
    reason: "io server disconnect",
    idBefore: "string",
    id: { $undefined: true },
    connected: false,
    disconnected: true,
  });
});

// The server (pingInterval 300, pingTimeout 200) stops pinging: the client gives up
// pingInterval + pingTimeout (500 ms) after the last ping it got.
for (const transports of [undefined, ["polling"]]) {
  const label = transports ? transports.join() : "default transports";
  test(`a silent server gives 'ping timeout' within pingInterval + pingTimeout (${label})`, T, async (t) => {
    const { srv } = await basicServer(t, { pingInterval: 300, pingTimeout: 200 });
    const page = await browser.open(t);
    const r = await page.evaluate(async ({ url, transports }) => {
      const socket = io(url, { transports, reconnection: false });
      const pings = [];
      socket.io.on("ping", () => pings.push(performance.now()));
      await waitFor(socket, "connect");
      // At least one heartbeat first, so that "the last ping" is a real one.
      await waitFor(socket.io, "ping", 3000);
      const disconnected = waitFor(socket, "disconnect", 5000);
      const started = performance.now();
      socket.emit("stop-pings");
      const [reason] = await disconnected;
      const now = performance.now();
      return { reason, elapsed: now - started, sinceLastPing: now - pings.at(-1), connected: socket.connected };
    }, { url: srv.url, transports });
    assert.equal(r.reason, "ping timeout");
    assert.equal(r.connected, false);
    // The old test's bound: at most pingInterval + pingTimeout + 400 ms after asking the server.
    assert.ok(r.elapsed <= 300 + 200 + 400, `ping timeout ${Math.round(r.elapsed)} ms after stop-pings`);
    // And not early: pingInterval + pingTimeout after the last ping (timers may fire a bit late).
    assert.ok(r.sinceLastPing >= 500 - 20, `ping timeout ${Math.round(r.sinceLastPing)} ms after the last ping`);
    assert.ok(r.sinceLastPing <= 500 + 400, `ping timeout ${Math.round(r.sinceLastPing)} ms after the last ping`);
  });
}

test("a malformed packet or an event with a reserved name from the server gives 'parse error'; the page keeps working", T, async (t) => {
  const { srv } = await basicServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const out = {};
    for (const command of ["malformed", "malformed-reserved"]) {
      const socket = io(url, { forceNew: true });
      const heard = [];
      socket.on("connect", () => heard.push("connect"));
      await waitFor(socket, "connect");
      heard.length = 0;
      const disconnected = waitFor(socket, "disconnect");
      socket.emit(command);
      const [reason, description] = await disconnected;
      // Read now: the client reconnects by itself after a parse error.
      out[command] = { reason, description: describe(description), heard: [...heard], connected: socket.connected };
      socket.disconnect();
    }
    const socket = io(url, { forceNew: true });
    await waitFor(socket, "connect");
    const echoed = waitFor(socket, "echo");
    socket.emit("echo", "still alive");
    out.echo = await echoed;
    return out;
  }, { url: srv.url });
  for (const command of ["malformed", "malformed-reserved"]) {
    const got = r[command];
    assert.equal(got.reason, "parse error", `after ${command}`);
    assert.equal(got.description.$error, "Error", `after ${command}: the description is an Error`);
    assert.deepEqual(got.heard, [], `after ${command}: no "connect" listener call from the packet`);
    assert.equal(got.connected, false);
  }
  assert.deepEqual(r.echo, ["still alive"]);
});

test("a throwing listener does not break the client: listeners before it and later events still run, the error is reported", T, async (t) => {
  const { srv } = await basicServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url);
    const seen = [];
    const reasons = [];
    socket.on("disconnect", (reason) => reasons.push(reason));
    socket.on("boom", (n) => seen.push(["before", n]));
    socket.on("boom", () => {
      throw new Error("listener failure (expected by the test)");
    });
    socket.on("after-boom", (n) => seen.push(["after-boom", n]));
    await waitFor(socket, "connect");
    for (const n of [1, 2]) {
      const next = waitFor(socket, "after-boom");
      socket.emit("boom", n);
      await next;
    }
    const echoed = waitFor(socket, "echo");
    socket.emit("echo", "alive");
    return { seen, echo: await echoed, reasons, connected: socket.connected };
  }, { url: srv.url });
  assert.deepEqual(r.seen, [["before", 1], ["after-boom", 1], ["before", 2], ["after-boom", 2]]);
  assert.deepEqual(r.echo, ["alive"]);
  assert.deepEqual(r.reasons, []);
  assert.equal(r.connected, true);
  await until(() => page.errors.filter((e) => e.includes("expected by the test")).length >= 2, 2000, "two reported errors");
});

test("a throwing listener stops the listeners registered after it for that event (socket.io-client's Emitter)", T, async (t) => {
  const { srv } = await basicServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url);
    const seen = [];
    socket.on("boom", (n) => seen.push(["before", n]));
    socket.on("boom", () => {
      throw new Error("listener failure (expected by the test)");
    });
    socket.on("boom", (n) => seen.push(["later", n]));
    await waitFor(socket, "connect");
    const next = waitFor(socket, "after-boom");
    socket.emit("boom", 1);
    await next;
    return { seen, connected: socket.connected };
  }, { url: srv.url });
  assert.deepEqual(r, { seen: [["before", 1]], connected: true });
});
