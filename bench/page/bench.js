// The in-page half of the benchmark. The page URL says which client this page runs
// (?client=wasm|base|sioc|floor) and whether the network is replaced by the in-page fake (&fake=1).
// Each page holds exactly one client library, so clients never share a heap or a JIT. Node calls
// the workloads below through page.evaluate; they time themselves with performance.now().
import { FakeWebSocket } from "./fake-websocket.js";
import { FloorSocket } from "./floor-client.js";
import { makePayload } from "./protocol.js";

const params = new URLSearchParams(location.search);
const client = params.get("client");
const fake = params.get("fake") === "1";

// The wasm Memory of any instance created on this page, captured as the client instantiates its
// module: its buffer size is the wasm heap (it only ever grows).
const memories = [];
for (const name of ["instantiate", "instantiateStreaming"]) {
  const original = WebAssembly[name];
  WebAssembly[name] = async function (...args) {
    const result = await original.apply(this, args);
    const instance = result instanceof WebAssembly.Instance ? result : result.instance;
    for (const value of Object.values(instance.exports)) {
      if (value instanceof WebAssembly.Memory) memories.push(value);
    }
    return result;
  };
}

if (fake) window.WebSocket = FakeWebSocket;

let io = null;
if (client === "wasm" || client === "base") {
  // "base": another build of socketio-wasm (BENCH_BASELINE), to compare before and after.
  const lib = await import(client === "wasm" ? "/pkg/index.js" : "/pkg-base/index.js");
  await lib.ready; // the wasm half loads in the background: measure a loaded client
  io = lib.io;
}
else if (client === "sioc") io = (await import("/sioc/socket.io.esm.min.js")).io;
else if (client !== "floor") throw new Error(`unknown client ${client}`);

const now = () => performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Rejects after `ms` so a stuck workload (a lost frame, a missing feature) fails instead of hanging.
function deadline(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// A new socket for `target` ({url, floorUrl, opts}); resolves once it is connected.
function open(target, timeoutMs = 10000) {
  const socket =
    client === "floor"
      ? new FloorSocket(target.floorUrl)
      : io(target.url, { forceNew: true, ...target.opts });
  return deadline(
    new Promise((resolve, reject) => {
      socket.on("connect", () => resolve(socket));
      socket.on("connect_error", (err) => reject(new Error(`connect_error: ${err?.message ?? err}`)));
    }),
    timeoutMs,
    "connect",
  ).catch((err) => {
    socket.disconnect();
    throw err;
  });
}

// Sends "recv": the server sends n events, timed from the request to the nth event.
async function recv({ target, n, size, timeoutMs }) {
  const socket = await open(target);
  try {
    let count = 0;
    let done;
    const all = new Promise((resolve) => (done = resolve));
    socket.on("ev", () => {
      if (++count === n) done(now());
    });
    const t0 = now();
    socket.emit("recv", { n, size });
    const t1 = await deadline(all, timeoutMs, `recv ${n} ${size} (got ${count})`);
    return { ms: t1 - t0, rate: (n * 1000) / (t1 - t0) };
  } finally {
    socket.disconnect();
  }
}

// Emits n events; timed from the first emit to the server's "done" (all n counted there).
async function emit({ target, n, size, timeoutMs }) {
  const socket = await open(target);
  try {
    const payload = makePayload(size);
    const done = new Promise((resolve) => socket.on("done", () => resolve(now())));
    socket.emit("expect", { n });
    const t0 = now();
    for (let i = 0; i < n; i++) socket.emit("ev", payload);
    const t1 = await deadline(done, timeoutMs, `emit ${n} ${size}`);
    return { ms: t1 - t0, rate: (n * 1000) / (t1 - t0) };
  } finally {
    socket.disconnect();
  }
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

// n sequential acknowledged emits; per-call round-trip times.
async function ack({ target, n, timeoutMs }) {
  const socket = await open(target);
  try {
    if (typeof socket.emitWithAck !== "function") return { unsupported: "no emitWithAck" };
    const times = new Float64Array(n);
    const run = async () => {
      for (let i = 0; i < n; i++) {
        const t0 = now();
        await socket.emitWithAck("ack", i);
        times[i] = now() - t0;
      }
    };
    const t0 = now();
    await deadline(run(), timeoutMs, `ack x${n}`);
    const total = now() - t0;
    times.sort();
    return { ms: total, p50: percentile(times, 0.5), p99: percentile(times, 0.99) };
  } finally {
    socket.disconnect();
  }
}

// n connects, each from io() to "connect", then a disconnect and a short pause (not timed).
async function connect({ target, n }) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = now();
    const socket = await open(target);
    times.push(now() - t0);
    socket.disconnect();
    await sleep(5);
  }
  times.sort((a, b) => a - b);
  return { median: percentile(times, 0.5), min: times[0], max: times[times.length - 1] };
}

// n connect/disconnect cycles, dropping every socket (for the memory workload). open()'s
// "connect" listener closes over the socket, as application code usually does: a client whose
// sockets live partly outside the JS heap must still let such a socket be collected.
async function cycles({ target, n }) {
  for (let i = 0; i < n; i++) {
    const socket = await open(target);
    socket.disconnect();
  }
  await sleep(200); // let close handshakes and pending requests finish before the heap is read
  return { n };
}

// A socket kept connected across calls (the memory workload reads the heap between them).
let held = null;
async function hold({ target }) {
  held = await open(target);
  return {};
}
async function holdRecv({ n, size, timeoutMs }) {
  let count = 0;
  const all = new Promise((resolve) => {
    held.off?.("ev");
    held.on("ev", () => {
      if (++count === n) resolve();
    });
  });
  held.emit("recv", { n, size });
  await deadline(all, timeoutMs, `recv ${n} (got ${count})`);
  return {};
}

const wasmMemoryBytes = () => memories.reduce((sum, m) => sum + m.buffer.byteLength, 0);

window.bench = {
  client,
  fake,
  recv,
  emit,
  ack,
  connect,
  cycles,
  hold,
  holdRecv,
  wasmMemoryBytes,
  ready: true,
};
