// Object lifetimes, as the garbage collector sees them. A socket that was disconnected and
// dropped by the app must be collected, even when its listeners refer to it (the usual case):
// socketio-wasm keeps listeners in JS and holds its JS objects only weakly from wasm, so no
// reference cycle hides in wasm memory. An active socket the app keeps no reference to must go
// on working, as socket.io-client's does. Collection is observed with a FinalizationRegistry in
// the page, after forced garbage collections (Chromium's HeapProfiler.collectGarbage).
//
//   API_CLIENT=reference node --test tests/api/memory.test.mjs   # socket.io-client 4.8
//   node --test tests/api/memory.test.mjs                        # socketio-wasm (pkg/)
import { test } from "node:test";
import assert from "node:assert/strict";
import { T, ioServer, serveBasics, sleep, useBrowser } from "./harness.mjs";

const browser = useBrowser();

// Collects garbage until `collected()` (in the page) reaches `count`, or gives up after ~5 s.
async function collectUntil(page, count) {
  const cdp = await page.context().newCDPSession(page);
  let seen = 0;
  for (let round = 0; round < 25 && seen < count; round++) {
    await cdp.send("HeapProfiler.collectGarbage");
    await sleep(200); // finalization callbacks run in a later task
    seen = await page.evaluate(() => window.collected);
  }
  await cdp.detach();
  return seen;
}

for (const transports of [["websocket"], ["polling", "websocket"]]) {
  test(`disconnected sockets whose listeners refer to them are collected (${transports.join("+")})`, T, async (t) => {
    const srv = await ioServer(t, { setup: (io) => serveBasics(io) });
    const page = await browser.open(t);
    const cycles = 20;
    await page.evaluate(
      async ({ url, cycles, transports }) => {
        window.collected = 0;
        // Kept on window: a registry that is itself collected calls back nobody.
        const registry = (window.registry = new FinalizationRegistry(() => window.collected++));
        for (let i = 0; i < cycles; i++) {
          const socket = io(url, { forceNew: true, transports });
          socket.on("echo", () => socket.emit("again")); // the listener refers to its socket
          socket.io.on("reconnect", () => socket.emit("back"));
          await waitFor(socket, "connect");
          registry.register(socket, i);
          registry.register(socket.io, -i);
          socket.disconnect();
        }
        await sleep(300); // close handshakes and the last polling requests
      },
      { url: srv.url, cycles, transports },
    );
    const collected = await collectUntil(page, 2 * cycles);
    // A socket or manager may stay reachable a little while (the page's last task); all but a
    // few must go.
    assert.ok(collected >= 2 * cycles - 4, `${collected} of ${2 * cycles} sockets and managers collected`);
  });
}

test("a connected socket the app keeps no reference to goes on receiving events after garbage collection", T, async (t) => {
  const state = { sockets: [] };
  const srv = await ioServer(t, { setup: (io) => io.on("connection", (socket) => state.sockets.push(socket)) });
  const page = await browser.open(t);
  await page.evaluate(async ({ url }) => {
    window.collected = 0;
    window.news = [];
    await new Promise((resolve) => {
      // forceNew: no Manager cache holds it either; only the listeners refer to nothing but window.
      io(url, { forceNew: true })
        .on("news", (value) => window.news.push(value))
        .on("connect", resolve);
    });
  }, { url: srv.url });
  await collectUntil(page, 1); // nothing should be collected: give it every chance
  assert.equal(state.sockets.length, 1);
  state.sockets[0].emit("news", "after collection");
  await page.waitForFunction(() => window.news.length >= 1, null, { timeout: 5000 });
  assert.deepEqual(await page.evaluate(() => window.news), ["after collection"]);
  assert.equal(state.sockets[0].connected, true);
});
