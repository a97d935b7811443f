// Binary payloads, over HTTP long-polling only (transports: ["polling"]) and over WebSocket only
// (transports: ["websocket"]): ArrayBuffer, Uint8Array (also a subarray view), Int16Array,
// Float64Array, DataView, Blob and File, nested in objects and arrays, several per event, mixed
// with JSON, in events both ways and inside acks both ways; received binary is an ArrayBuffer.
// Blobs keep their order among other emits. The 10-attachment limit of socket.io-parser 4.2.7
// (used by socket.io 4.8.4 and by socket.io-client 4.8.4) in both directions.
//
//   API_CLIENT=reference node --test tests/api/binary.test.mjs   # socket.io-client 4.8
//   node --test tests/api/binary.test.mjs                        # socketio-wasm (pkg/)
import { test } from "node:test";
import assert from "node:assert/strict";
import { T, IS_REFERENCE, ioServer, sleep, until, useBrowser } from "./harness.mjs";

const browser = useBrowser();
const TRANSPORTS = ["polling", "websocket"];

// Node-side description of what the server received: Buffers as { $bin: "Buffer", bytes }.
function describeNode(value) {
  if (Buffer.isBuffer(value)) return { $bin: "Buffer", bytes: [...value] };
  if (value instanceof ArrayBuffer) return { $bin: "ArrayBuffer", bytes: [...new Uint8Array(value)] };
  if (typeof value === "function") return { $fn: true };
  if (Array.isArray(value)) return value.map(describeNode);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, describeNode(v)]));
  }
  return value;
}

function setup(state) {
  return (io) =>
    io.on("connection", (socket) => {
      state.socket = socket;
      socket.on("error", (err) => state.errors.push(err.message));
      socket.on("disconnect", (reason) => state.disconnects.push(reason));
      socket.on("echo", (...args) => {
        state.received.push(describeNode(args));
        socket.emit("echo", ...args);
      });
      socket.on("echo-ack", (...args) => {
        const cb = args.pop();
        state.received.push(describeNode(args));
        cb(...args);
      });
      socket.on("seq", (n, value) => state.order.push({ n, kind: Buffer.isBuffer(value) ? `bin${value.length}` : typeof value }));
      socket.on("many", (...args) => state.received.push({ many: args.length }));
    });
}

// Deeper than any fixed recursion limit a client might set for finding binaries.
const DEEP = 150;

const newState = () => ({ socket: null, received: [], order: [], errors: [], disconnects: [] });

// Defined in the page: the payload with every binary type, nested, mixed with JSON (8 attachments).
const PAYLOAD_SOURCE = `window.makePayload = () => {
  const ab = new Uint8Array([1, 2, 3]).buffer;
  const u8 = new Uint8Array([4, 5, 6]);
  const i16 = new Int16Array([-1, 258]);
  const f64 = new Float64Array([1.5]);
  const dv = new DataView(new Uint8Array([9, 8, 7, 6]).buffer, 1, 2);
  const sub = new Uint8Array([0, 1, 2, 3, 4, 5]).subarray(2, 4);
  const blob = new Blob([new Uint8Array([10, 11])]);
  const file = new File([new Uint8Array([12, 13, 14])], "f.bin", { type: "application/octet-stream" });
  return ["text", 42, { ab, nested: { list: [u8, "mid", i16], f64 }, dv, sub }, [blob, { file }], null];
};`;

const F64 = [...new Uint8Array(new Float64Array([1.5]).buffer)];
const I16 = [...new Uint8Array(new Int16Array([-1, 258]).buffer)];
function expectedPayload(bin) {
  const b = (bytes) => ({ $bin: bin, bytes });
  return [
    "text",
    42,
    { ab: b([1, 2, 3]), nested: { list: [b([4, 5, 6]), "mid", b(I16)], f64: b(F64) }, dv: b([8, 7]), sub: b([2, 3]) },
    [b([10, 11]), { file: b([12, 13, 14]) }],
    null,
  ];
}

async function openSocket(t, state, transport) {
  const srv = await ioServer(t, { setup: setup(state) });
  const page = await browser.open(t);
  await page.addScriptTag({ content: PAYLOAD_SOURCE });
  await page.evaluate(async ({ url, transport }) => {
    window.socket = io(url, { transports: [transport], reconnectionDelay: 100, reconnectionDelayMax: 100 });
    await waitFor(socket, "connect");
  }, { url: srv.url, transport });
  return { srv, page };
}

for (const transport of TRANSPORTS) {
  test(`binary over ${transport}: every binary type nested in objects and arrays, mixed with JSON, round trip as ArrayBuffer`, T, async (t) => {
    const state = newState();
    const { page } = await openSocket(t, state, transport);
    const r = await page.evaluate(async () => {
      const echoed = waitFor(socket, "echo");
      socket.emit("echo", ...makePayload());
      const args = await echoed;
      return {
        described: args.map((a) => describe(a)),
        topLevel: args[2].ab instanceof ArrayBuffer && args[3][0] instanceof ArrayBuffer,
      };
    });
    assert.deepEqual(state.received[0], expectedPayload("Buffer"), "the server got each binary as a Buffer with the right bytes");
    assert.deepEqual(r.described, expectedPayload("ArrayBuffer"), "the client gets every binary back as an ArrayBuffer");
    assert.equal(r.topLevel, true, "instanceof ArrayBuffer");
  });

  test(`binary over ${transport}: a binary nested ${DEEP} levels deep (and nothing shallower) round trips byte for byte`, T, async (t) => {
    const state = newState();
    const { page } = await openSocket(t, state, transport);
    const r = await page.evaluate(async (depth) => {
      let value = { bytes: new Uint8Array([1, 2, 250]) };
      for (let i = 0; i < depth; i++) value = i % 2 ? { next: value } : [value, i];
      const echoed = waitFor(socket, "echo");
      socket.emit("echo", "deep", value);
      const [, back] = await echoed;
      let node = back;
      for (let i = depth - 1; i >= 0; i--) node = i % 2 ? node.next : node[0];
      return describe(node.bytes);
    }, DEEP);
    assert.deepEqual(r, { $bin: "ArrayBuffer", bytes: [1, 2, 250] }, "the client gets the bytes back");
    let node = state.received[0][1];
    for (let i = DEEP - 1; i >= 0; i--) node = i % 2 ? node.next : node[0];
    assert.deepEqual(node.bytes, { $bin: "Buffer", bytes: [1, 2, 250] }, "the server got them as a Buffer");
  });

  test(`binary over ${transport}: inside acks both ways (client emit ack, server emitWithAck)`, T, async (t) => {
    const state = newState();
    const { page } = await openSocket(t, state, transport);
    const r = await page.evaluate(async () => {
      const acked = await new Promise((resolve) => socket.emit("echo-ack", ...makePayload(), (...args) => resolve(args)));
      socket.on("give", (n, ack) => ack({ n, blob: new Blob([new Uint8Array([n, n + 1])]), u8: new Uint8Array([7]) }, new Float64Array([1.5]).buffer));
      return acked.map((a) => describe(a));
    });
    assert.deepEqual(r, expectedPayload("ArrayBuffer"), "the ack carries the binaries back as ArrayBuffers");
    assert.deepEqual(state.received[0], expectedPayload("Buffer"));
    const fromClient = await new Promise((resolve) => state.socket.emit("give", 5, (...args) => resolve(args)));
    assert.deepEqual(describeNode(fromClient), [
      { n: 5, blob: { $bin: "Buffer", bytes: [5, 6] }, u8: { $bin: "Buffer", bytes: [7] } },
      { $bin: "Buffer", bytes: F64 },
    ]);
  });

  test(`binary over ${transport}: server-sent Buffers arrive as ArrayBuffer, several per event, nested`, T, async (t) => {
    const state = newState();
    const { page } = await openSocket(t, state, transport);
    const got = page.evaluate(async () => {
      const [args] = [await waitFor(socket, "bin")];
      return { described: args.map((a) => describe(a)), isAB: args[0] instanceof ArrayBuffer };
    });
    await until(() => state.socket, 3000, "server socket");
    await sleep(50);
    state.socket.emit("bin", Buffer.from([1, 2]), { deep: [Buffer.from([3]), "x"] }, new Uint8Array([4, 5]), 7);
    const r = await got;
    assert.equal(r.isAB, true);
    assert.deepEqual(r.described, [
      { $bin: "ArrayBuffer", bytes: [1, 2] },
      { deep: [{ $bin: "ArrayBuffer", bytes: [3] }, "x"] },
      { $bin: "ArrayBuffer", bytes: [4, 5] },
      7,
    ]);
  });

  test(`binary over ${transport}: Blobs and Files keep their order relative to other emits`, T, async (t) => {
    const state = newState();
    const { page } = await openSocket(t, state, transport);
    await page.evaluate(async () => {
      const big = new Uint8Array(200000).fill(1);
      socket.emit("seq", 0, "json");
      socket.emit("seq", 1, new Blob([big]));
      socket.emit("seq", 2, { json: true });
      socket.emit("seq", 3, new Blob([new Uint8Array([1, 2, 3])]));
      socket.emit("seq", 4, new Uint8Array([9]));
      socket.emit("seq", 5, new File([new Uint8Array(1000)], "x"));
      socket.emit("seq", 6, 6);
    });
    await until(() => state.order.length === 7, 5000, "7 events");
    assert.deepEqual(state.order, [
      { n: 0, kind: "string" },
      { n: 1, kind: "bin200000" },
      { n: 2, kind: "object" },
      { n: 3, kind: "bin3" },
      { n: 4, kind: "bin1" },
      { n: 5, kind: "bin1000" },
      { n: 6, kind: "number" },
    ]);
  });

  test(`binary over ${transport}: an event with exactly 10 attachments is delivered`, T, async (t) => {
    const state = newState();
    const { page } = await openSocket(t, state, transport);
    await page.evaluate(() => socket.emit("many", ...Array.from({ length: 10 }, (_, i) => new Uint8Array([i]))));
    await until(() => state.received.length === 1, 3000, "the event");
    assert.deepEqual(state.received, [{ many: 10 }]);
  });

  test(`binary over ${transport}: more than 10 attachments — reference: sent, the server rejects it and drops the connection; socketio-wasm: emit throws`, T, async (t) => {
    const state = newState();
    const { page } = await openSocket(t, state, transport);
    const r = await page.evaluate(async () => {
      const reasons = [];
      socket.on("disconnect", (reason, description) => reasons.push({ reason, description: describe(description) }));
      let threw = null;
      try {
        socket.emit("many", ...Array.from({ length: 11 }, (_, i) => new Uint8Array([i])));
      } catch (err) {
        threw = describe(err);
      }
      await sleep(600);
      return { threw, reasons, connected: socket.connected };
    });
    if (IS_REFERENCE) {
      // socket.io-client 4.8 has no limit when encoding; the server's decoder (maxAttachments 10)
      // throws "too many attachments", the server socket gets an "error" event and the server
      // closes the Engine.IO connection; the client sees "transport close" and reconnects.
      assert.equal(r.threw, null, "reference: emit does not throw");
      assert.equal(state.errors[0], "too many attachments", "the server rejected the packet");
      assert.equal(r.reasons[0]?.reason, "transport close");
      assert.ok(!state.received.some((x) => x.many), "the event never reached a handler");
    } else {
      // socketio-wasm refuses to encode it: emit throws and the connection stays up.
      assert.ok(r.threw && r.threw.$error, `emit throws an Error (got ${JSON.stringify(r.threw)})`);
      assert.deepEqual(r.reasons, [], "no disconnection");
      assert.equal(r.connected, true);
      assert.deepEqual(state.errors, []);
    }
  });
}

test("a server event with more than 10 binary attachments makes the client close with 'parse error' ('too many attachments') and reconnect", T, async (t) => {
  const state = newState();
  const { page } = await openSocket(t, state, "websocket");
  const r = page.evaluate(async () => {
    const got = [];
    socket.on("many", () => got.push("many"));
    const [reason, description] = await waitFor(socket, "disconnect");
    await waitFor(socket, "connect", 3000);
    return { reason, description: describe(description), got };
  });
  await until(() => state.socket, 3000, "server socket");
  await sleep(50);
  state.socket.emit("many", ...Array.from({ length: 11 }, (_, i) => Buffer.from([i])));
  const got = await r;
  assert.equal(got.reason, "parse error");
  assert.equal(got.description.$error, "Error");
  assert.equal(got.description.message, "too many attachments");
  assert.deepEqual(got.got, [], "the listener never ran");
});
