// Leaks over many cycles: 1,000 connect/disconnect cycles, and 1,000 reconnections of one socket,
// leave the JS heap and the wasm memory flat after garbage collection. Each run warms up first
// (the first cycles fill caches and grow the allocator's arenas), then measures the heap
// after forced collections (Chromium's HeapProfiler.collectGarbage) before and after the rest.
// The wasm memory is observed through a page hook (harness.mjs, watchWasmMemory;
// socket.io-client has none, so its row shows only the heap). The figures are
// printed as test diagnostics, for the README's Reliability section.
//
//   API_CLIENT=reference node --test tests/api/leaks.test.mjs   # socket.io-client 4.8
//   node --test tests/api/leaks.test.mjs                        # socketio-wasm (pkg/)
import { test } from "node:test";
import assert from "node:assert/strict";
import { CLIENT, ioServer, memoryAfterGc, serveBasics, useBrowser, watchWasmMemory } from "./harness.mjs";

const browser = useBrowser();
const WARM_UP = 300;
const CYCLES = 1000;
// A flat heap moves by a few hundred KB between measurements (compiled code, inline caches);
// a leak of even 1 KB per cycle shows as 1 MB over 1,000 cycles.
const HEAP_SLACK = 768 * 1024;
// The allocator may take one more 64 KiB page of wasm memory while its free lists settle (three
// runs of each: WebSocket +64 KB every time, polling 0, 0 and +64 KB); a leak of 66 bytes per
// cycle would take two.
const WASM_SLACK = 64 * 1024;
// The measured cycles run in steps, with forced collections between them. A wasm object is freed
// by its JS wrapper's finalizer, which runs only after a collection, and wasm allocations put no
// pressure on the JS collector: without one, the wasm memory holds the dead sockets of however
// many cycles ran since the last collection (the +192 KB that loaded CI runs saw on polling now
// and then). That is a high-water mark, not a leak; the warm-up, which runs in one go, reaches a
// higher one than any step does, so a step grows the memory only by what it keeps.
const STEP = 100;

const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;

async function leakCheck(t, label, run) {
  const srv = await ioServer(t, {
    setup(io) {
      serveBasics(io);
      io.on("connection", (socket) => socket.on("drop", () => socket.conn.close()));
    },
  });
  await browser.open(t); // the context exists after the first open: hook it, then reload
  const page = browser.page;
  await watchWasmMemory(page);
  await browser.open(t);
  await run(page, srv.url, WARM_UP);
  const before = await memoryAfterGc(page);
  let afterRun = before;
  for (let done = 0; done < CYCLES; done += STEP) {
    await run(page, srv.url, STEP);
    afterRun = await memoryAfterGc(page);
  }
  const heapGrowth = afterRun.heap - before.heap;
  const wasmGrowth = afterRun.wasm - before.wasm;
  t.diagnostic(
    `${CLIENT} ${label}: JS heap ${kb(before.heap)} -> ${kb(afterRun.heap)} (${heapGrowth >= 0 ? "+" : ""}${kb(heapGrowth)}), ` +
      `wasm memory ${kb(before.wasm)} -> ${kb(afterRun.wasm)}`,
  );
  assert.ok(heapGrowth < HEAP_SLACK, `the JS heap grew by ${kb(heapGrowth)} over ${CYCLES} ${label}`);
  assert.ok(wasmGrowth <= WASM_SLACK, `the wasm memory grew by ${kb(wasmGrowth)} over ${CYCLES} ${label}`);
  // Over polling, a request may race the session's end and get a 400, which the browser logs
  // (both clients, a few times in a thousand cycles); anything else logged is a failure.
  assert.deepEqual(page.errors.filter((e) => !e.includes("Failed to load resource")), []);
}

for (const transports of [["websocket"], ["polling"]]) {
  test(`1,000 connect/disconnect cycles leave the heap and the wasm memory flat (${transports})`, { timeout: 120000 }, async (t) => {
    await leakCheck(t, "connect/disconnect cycles", (page, url, cycles) =>
      page.evaluate(
        async ({ url, cycles, transports }) => {
          for (let i = 0; i < cycles; i++) {
            const socket = io(url, { forceNew: true, transports });
            socket.on("echo", () => socket.emit("again"));
            await waitFor(socket, "connect");
            socket.disconnect();
          }
          await sleep(200); // the last close handshakes
        },
        { url, cycles, transports },
      ),
    );
  });
}

test("1,000 reconnections of one socket leave the heap and the wasm memory flat (websocket)", { timeout: 120000 }, async (t) => {
  await leakCheck(t, "reconnections", (page, url, cycles) =>
    page.evaluate(
      async ({ url, cycles }) => {
        window.socket ??= io(url, { transports: ["websocket"], reconnectionDelay: 1, randomizationFactor: 0 });
        const socket = window.socket;
        if (!socket.connected) await waitFor(socket, "connect");
        for (let i = 0; i < cycles; i++) {
          // The server ends the Engine.IO connection (not the namespace): the client reconnects.
          socket.emit("echo", i);
          await waitFor(socket, "echo");
          socket.emit("drop");
          await waitFor(socket, "connect");
        }
      },
      { url, cycles },
    ),
  );
});
