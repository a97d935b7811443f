// Calls made at once, before socketio-wasm's wasm half has loaded: in the next classic <script>
// after the client's (the tutorials' way), on DOMContentLoaded, and at an ES module's top level.
// Nothing is awaited; the calls are queued and done in order, so the server and the listeners
// see what they see with socket.io-client (whose classic build is /socket.io/socket.io.js's).
//
//   API_CLIENT=reference node --test tests/api/early-calls.test.mjs   # socket.io-client 4.8
//   node --test tests/api/early-calls.test.mjs                        # socketio-wasm (pkg/)
import { test } from "node:test";
import assert from "node:assert/strict";
import { CLIENT, CLIENT_PATHS, T, ioServer, serveBasics, until, useBrowser } from "./harness.mjs";

const browser = useBrowser();

// What the page runs at once. `io` is the global (classic) or the module's export.
const SCENARIO = `
  const log = [];
  window.results = { log };
  const socket = io(SERVER);
  window.results.first = {
    connected: socket.connected,
    active: socket.active,
    id: socket.id ?? null,
    isSocket: socket instanceof io.Socket,
    hasManager: socket.io instanceof io.Manager,
  };
  socket.io.on("open", () => log.push("manager open"));
  socket.on("connect", () => log.push("connect"));
  socket.on("echo", (value) => log.push("echo " + value));
  socket.emit("echo", 1);
  socket.emit("ack", 2, (value) => log.push("ack " + value));
  const admin = io(SERVER + "/admin");
  admin.on("connect", () => log.push("admin connect"));
  admin.on("echo", (value) => log.push("admin echo " + value));
  admin.emit("echo", "admin");
  const manual = new io.Manager(SERVER, { autoConnect: false });
  const other = manual.socket("/");
  other.emit("echo", "dropped");
  other.sendBuffer = [];
  other.on("connect", () => {
    log.push("manual connect");
    other.disconnect();
  });
  other.on("disconnect", (reason) => log.push("manual disconnect " + reason));
  other.connect();
`;

const pages = {
  "classic script, then a script using the global io": (server) => `<!doctype html>
<script src="${CLIENT_PATHS[CLIENT].classic}"></script>
<script>const SERVER = ${JSON.stringify(server)};${SCENARIO}</script>`,
  "classic script, io() on DOMContentLoaded": (server) => `<!doctype html>
<script src="${CLIENT_PATHS[CLIENT].classic}"></script>
<script>
  document.addEventListener("DOMContentLoaded", () => {
    const SERVER = ${JSON.stringify(server)};${SCENARIO}
  });
</script>`,
  "ES module, io() at the top level": (server) => `<!doctype html>
<script type="importmap">${JSON.stringify({ imports: { "socket.io-client": CLIENT_PATHS[CLIENT].module } })}</script>
<script type="module">
  import { io } from "socket.io-client";
  const SERVER = ${JSON.stringify(server)};${SCENARIO}
</script>`,
};

let counter = 0;
for (const [name, html] of Object.entries(pages)) {
  test(`${name}: calls made before the client is ready are done in order`, T, async (t) => {
    const received = [];
    const engines = {};
    const srv = await ioServer(t, {
      setup(io) {
        serveBasics(io);
        for (const nsp of ["/", "/admin"]) {
          io.of(nsp).on("connection", (socket) => {
            (engines[nsp] ??= []).push(socket.conn.id);
            socket.onAny((event, ...args) => received.push(`${nsp} ${event} ${args.filter((a) => typeof a !== "function")}`));
          });
        }
      },
    });
    const page = await browser.openHtml(t, `/early-${counter++}.html`, html(srv.url));
    await page.waitForFunction(() => window.results?.log.length >= 7, null, { timeout: 5000 });
    await until(() => received.length >= 3, 3000, "the server's events");
    const { first, log } = await page.evaluate(() => window.results);
    assert.deepEqual(first, { connected: false, active: true, id: null, isSocket: true, hasManager: true });
    assert.deepEqual(received, ["/ echo 1", "/ ack 2", "/admin echo admin"], "in order, and nothing dropped sent");
    // io() and io(url + "/admin") share one Engine.IO connection; the manual Manager has its own.
    // Which of the two "/" sockets reaches the server first is a race, so compare as a set.
    assert.equal(engines["/"].length, 2);
    assert.notEqual(engines["/"][1], engines["/"][0]);
    assert.ok(engines["/"].includes(engines["/admin"][0]), "/admin shares an Engine.IO connection with a \"/\" socket");
    const at = (line) => log.indexOf(line);
    for (const line of ["manager open", "connect", "echo 1", "ack 2", "admin connect", "admin echo admin", "manual connect", "manual disconnect io client disconnect"]) {
      assert.ok(at(line) >= 0, `${line} in ${log}`);
    }
    assert.ok(at("manager open") < at("connect") && at("connect") < at("echo 1"), String(log));
    assert.deepEqual(page.errors, []);
  });
}
