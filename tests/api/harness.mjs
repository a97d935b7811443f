// Shared harness for the public-API conformance suite (tests/api/*.test.mjs).
//
//   API_CLIENT=reference node --test tests/api/   # socket.io-client 4.8's own ESM build
//   node --test tests/api/                        # socketio-wasm (pkg/index.js), the default
//
// Pieces:
// - a static HTTP server (127.0.0.1, port 0) serving /page.html (an import map points
//   "socket.io-client" at the chosen client), /pkg/* (the whole wasm-pack output, with the right
//   MIME types), /reference/socket.io.esm.min.js, and the pages and scripts tests add
//   (openHtml, serve: a worker's script, say);
// - startIoServer(): a real socket.io 4.8 server on its own http server and port, restartable on
//   the same port with a fresh `Server` that gets the same setup(io) call;
// - startBlackhole(): an http server that accepts requests and never answers (timeouts);
// - Chromium via playwright-core (flags as in tests/e2e/chat.test.mjs), one page per file that
//   each test reloads (a fresh JS realm per test), with small page helpers (waitFor, until,
//   sleep, describe, record) installed before the client loads. Test bodies in page.evaluate()
//   use window.io / window.Manager / window.Socket exactly like an app does;
// - T: per-test options ({ timeout: 20000 }) so that nothing hangs.
import { after, before } from "node:test";
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../../scripts/chromium.mjs";
import { Server } from "socket.io";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PKG_DIR = join(ROOT, "pkg");
const REFERENCE_FILE = join(ROOT, "node_modules/socket.io-client/dist/socket.io.esm.min.js");
const REFERENCE_CLASSIC_FILE = join(ROOT, "node_modules/socket.io-client/dist/socket.io.min.js");
/** Where the page finds the chosen client's ES module and its classic script (global `io`). */
export const CLIENT_PATHS = {
  reference: { module: "/reference/socket.io.esm.min.js", classic: "/reference/socket.io.min.js" },
  wasm: { module: "/pkg/index.js", classic: "/pkg/socketio-wasm.js" },
};

const CLIENTS = {
  reference: "/reference/socket.io.esm.min.js",
  wasm: "/pkg/index.js",
};
/** Which client the pages load: "reference" (socket.io-client) or "wasm" (socketio-wasm). */
export const CLIENT = (process.env.API_CLIENT || "wasm").trim().toLowerCase();
if (!(CLIENT in CLIENTS)) {
  throw new Error(`API_CLIENT must be "reference" or "wasm" (or unset), not "${CLIENT}"`);
}
export const IS_REFERENCE = CLIENT === "reference";
export const IS_WASM = CLIENT === "wasm";

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `predicate` (node side) until it returns a truthy value; rejects after `ms`. */
export async function until(predicate, ms = 5000, what = "condition") {
  const end = Date.now() + ms;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

function pageHtml() {
  const importMap = JSON.stringify({ imports: { "socket.io-client": CLIENTS[CLIENT] } });
  // A dynamic import (through the import map) instead of a static one, so that a missing export
  // or a failed wasm start shows up as window.clientError instead of a page that never gets ready.
  // It is the same as: import { io, Manager, Socket } from "socket.io-client";
  return `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<title>socket.io-client API conformance (${CLIENT})</title>
<script type="importmap">${importMap}</script>
<script type="module">
try {
  const client = await import("socket.io-client");
  // socketio-wasm loads its wasm half in the background (calls made before are queued, see
  // prequeue.test.mjs); the other tests start from a loaded client.
  if (client.ready) await client.ready;
  window.clientModule = client;
  window.io = client.io;
  window.Manager = client.Manager;
  window.Socket = client.Socket;
  window.clientReady = true;
} catch (err) {
  window.clientError = String((err && err.stack) || err);
}
</script>
</head>
<body></body>
</html>
`;
}

/** Starts the static server for the page and the client files. Resolves with { url, close }. */
export async function startStaticServer() {
  // Pages and scripts that tests add (`page(path, body, type)`), served as they are.
  const pages = new Map();
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const send = (status, type, body) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    try {
      if (path === "/" || path === "/page.html") return send(200, MIME[".html"], pageHtml());
      if (pages.has(path)) return send(200, pages.get(path).type, pages.get(path).body);
      if (path === "/favicon.ico") return send(204, MIME[".txt"], "");
      let file;
      if (path === CLIENTS.reference || path === CLIENTS.reference + ".map") {
        file = path.endsWith(".map") ? REFERENCE_FILE + ".map" : REFERENCE_FILE;
      } else if (path.startsWith(CLIENT_PATHS.reference.classic)) {
        file = path.endsWith(".map") ? REFERENCE_CLASSIC_FILE + ".map" : REFERENCE_CLASSIC_FILE;
      } else if (path.startsWith("/pkg/")) {
        file = normalize(join(PKG_DIR, path.slice("/pkg/".length)));
        if (!file.startsWith(PKG_DIR + sep)) return send(403, MIME[".txt"], "forbidden\n");
      } else {
        return send(404, MIME[".txt"], "not found\n");
      }
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) return send(404, MIME[".txt"], `not found: ${path}\n`);
      const type = MIME[extname(file)] ?? "application/octet-stream";
      return send(200, type, await readFile(file));
    } catch (err) {
      return send(500, MIME[".txt"], String(err));
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    page: (path, body, type = MIME[".html"]) => pages.set(path, { body, type }),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export function launchBrowser() {
  return launchChromium();
}

/**
 * A socket.io 4.8 server on its own http server (127.0.0.1). `setup(io, server)` is called for
 * every fresh `Server` (first start and each restart), so handlers survive restarts; keep state
 * that must survive in the caller's closure.
 *
 *   const srv = await startIoServer({ options: { pingInterval: 300 }, setup(io) { ... } });
 *   srv.url, srv.port, srv.io (the live Server), srv.generation (1, 2, ... per start)
 *   await srv.restart({ downMs: 500 });  // io.close() (disconnects clients), wait, listen again
 *   await srv.stop(); await srv.start();  // same port every time
 *   srv.socket(id, "/nsp")                // a connected server-side Socket by its id
 */
export async function startIoServer({ setup = () => {}, options = {}, port = 0 } = {}) {
  let httpServer = null;
  let io = null;
  let connections = new Set();
  const srv = {
    port,
    url: null,
    generation: 0,
    running: false,
    get io() {
      return io;
    },
    get httpServer() {
      return httpServer;
    },
    async start() {
      if (srv.running) return srv;
      httpServer = createServer();
      // Every TCP connection, upgraded (WebSocket) ones included, so that stop() can cut them.
      connections = new Set();
      httpServer.on("connection", (socket) => {
        connections.add(socket);
        socket.once("close", () => connections.delete(socket));
      });
      await new Promise((resolve, reject) => {
        httpServer.once("error", reject);
        httpServer.listen(srv.port, "127.0.0.1", () => {
          httpServer.off("error", reject);
          resolve();
        });
      });
      srv.port = httpServer.address().port;
      srv.url = `http://127.0.0.1:${srv.port}`;
      const generation = srv.generation + 1;
      const userAllowRequest = options.allowRequest;
      io = new Server(httpServer, {
        serveClient: false,
        maxHttpBufferSize: 1e7,
        cors: { origin: true, credentials: true },
        ...options,
        // While stop() is under way, a browser may still reach this server over a kept-alive
        // connection: refuse new handshakes (403) so that a stopped server never accepts one.
        allowRequest: (req, callback) => {
          if (!srv.running || srv.generation !== generation) return callback("server stopping", false);
          if (userAllowRequest) return userAllowRequest(req, callback);
          return callback(null, true);
        },
      });
      srv.generation = generation;
      srv.running = true;
      await setup(io, srv);
      return srv;
    },
    async stop() {
      if (!srv.running) return;
      srv.running = false;
      const closing = io.close(); // disconnects every socket, closes the engine and httpServer
      // Connections still open a moment later (kept-alive, or upgraded ones that nobody
      // answered) are cut.
      const cut = () => {
        httpServer.closeAllConnections();
        for (const socket of connections) socket.destroy();
      };
      const timer = setTimeout(cut, 100);
      await closing;
      clearTimeout(timer);
      cut();
    },
    async restart({ downMs = 0 } = {}) {
      await srv.stop();
      if (downMs > 0) await sleep(downMs);
      await srv.start();
    },
    close() {
      return srv.stop();
    },
    /** The connected server-side socket with this id in namespace `nsp` (default "/"). */
    socket(id, nsp = "/") {
      return io.of(nsp).sockets.get(id);
    },
    /** Waits until a server-side socket with this id is connected in `nsp`, returns it. */
    waitSocket(id, nsp = "/", ms = 5000) {
      return until(() => srv.socket(id, nsp), ms, `server socket ${id} in ${nsp}`);
    },
  };
  await srv.start();
  return srv;
}

/** An http server that accepts every request and never answers. Resolves with { url, port, close }. */
export async function startBlackhole() {
  const server = createServer(() => {});
  server.on("upgrade", () => {});
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = server.address().port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Page-side helpers, installed in every page before the client loads. Only used by test bodies;
 * they touch the client through its public API (on/off) only.
 */
function pageHelpers() {
  window.sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  // Resolves with the listener's arguments (an array) of the next `event` on `emitter`.
  window.waitFor = (emitter, event, ms = 5000) =>
    new Promise((resolve, reject) => {
      const handler = (...args) => {
        clearTimeout(timer);
        emitter.off(event, handler);
        resolve(args);
      };
      const timer = setTimeout(() => {
        emitter.off(event, handler);
        reject(new Error(`timed out after ${ms} ms waiting for "${event}"`));
      }, ms);
      emitter.on(event, handler);
    });
  // Polls `predicate` until truthy.
  window.until = async (predicate, ms = 5000, what = "condition") => {
    const end = Date.now() + ms;
    for (;;) {
      const value = await predicate();
      if (value) return value;
      if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  // A JSON-safe description of a value: binary as { $bin: type, bytes }, errors as
  // { $error: name, message, ...fields }, functions as { $fn: true }, undefined as { $undefined }.
  window.describe = (value, depth = 0) => {
    const d = (v) => window.describe(v, depth + 1);
    if (value === undefined) return { $undefined: true };
    if (value === null || typeof value !== "object") {
      if (typeof value === "function") return { $fn: true };
      if (typeof value === "number" && !Number.isFinite(value)) return { $number: String(value) };
      return value;
    }
    if (depth > 6) return { $deep: true };
    if (value instanceof ArrayBuffer) return { $bin: "ArrayBuffer", bytes: [...new Uint8Array(value)] };
    if (ArrayBuffer.isView(value)) {
      const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      return { $bin: value.constructor.name, bytes: [...bytes] };
    }
    if (typeof Blob !== "undefined" && value instanceof Blob) return { $bin: value.constructor.name, size: value.size };
    if (value instanceof Error) {
      const out = { $error: value.name, message: value.message };
      for (const key of ["type", "description", "data", "code"]) {
        if (key in value) out[key] = d(value[key]);
      }
      if ("context" in value) out.context = value.context?.constructor?.name ?? typeof value.context;
      return out;
    }
    if (typeof Event !== "undefined" && value instanceof Event) {
      const out = { $event: value.constructor.name, type: value.type };
      if ("code" in value) out.code = value.code;
      if ("wasClean" in value) out.wasClean = value.wasClean;
      return out;
    }
    if (Array.isArray(value)) return value.map(d);
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return { $object: value.constructor?.name ?? "?" };
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, d(v)]));
  };
  // Records every occurrence of `events` on `emitter` as { event, args: describe(args), t }.
  window.record = (emitter, events, log = []) => {
    for (const event of events) {
      emitter.on(event, (...args) => log.push({ event, args: args.map((a) => window.describe(a)), t: performance.now() }));
    }
    return log;
  };
}

/**
 * Per-file fixture: a static server, a browser and one browser context + page for the file.
 * `open(t)` loads /page.html afresh in that page (a new JS realm: no socket, Manager cache or
 * timer survives from the previous test; the old page's connections are closed by the
 * navigation) and resolves with the page once the client is loaded. Reusing the page instead of
 * opening a new one per test saves a renderer start (~0.5 s) per test.
 */
export function useBrowser() {
  const fixture = { staticServer: null, browser: null, context: null, page: null };
  before(async () => {
    fixture.staticServer = await startStaticServer();
    fixture.browser = await launchBrowser();
  });
  after(async () => {
    await fixture.browser?.close();
    await fixture.staticServer?.close();
  });
  async function freshPage() {
    await fixture.context?.close().catch(() => {});
    fixture.context = await fixture.browser.newContext();
    await fixture.context.addInitScript(pageHelpers);
    const page = await fixture.context.newPage();
    page.errors = [];
    page.on("pageerror", (err) => page.errors.push(`page error: ${err.message}`));
    page.on("console", (msg) => {
      if (msg.type() === "error") page.errors.push(`console error: ${msg.text()}`);
    });
    fixture.page = page;
  }
  /** Loads `html` (served at `path` from the static server, which also serves the clients at
   * CLIENT_PATHS) in the file's page, as it is: nothing is awaited but the load. */
  fixture.openHtml = async (t, path, html) => {
    if (!fixture.page || fixture.page.isClosed()) await freshPage();
    const page = fixture.page;
    t?.after(() => page.goto("about:blank").catch(() => {}));
    await page.goto("about:blank");
    page.errors.length = 0;
    fixture.staticServer.page(path, html);
    await page.goto(`${fixture.staticServer.url}${path}`);
    return page;
  };
  /** Serves `body` at `path` from the static server (a worker's script, say), as `type`. */
  fixture.serve = (path, body, type = MIME[".js"]) => fixture.staticServer.page(path, body, type);
  /** The file's page with the client freshly loaded (page.errors: this test's page errors). */
  fixture.open = async (t) => {
    if (!fixture.page || fixture.page.isClosed()) await freshPage();
    const page = fixture.page;
    // Leave the previous test's page first, so its connections are closed before the load.
    t?.after(() => page.goto("about:blank").catch(() => {}));
    await page.goto("about:blank");
    page.errors.length = 0;
    await page.goto(`${fixture.staticServer.url}/page.html`);
    await page.waitForFunction(() => window.clientReady || window.clientError, null, { timeout: 10000 });
    const loadError = await page.evaluate(() => window.clientError);
    if (loadError) throw new Error(`the ${CLIENT} client failed to load: ${loadError}`);
    return page;
  };
  return fixture;
}

/** Starts an io server for test `t` and closes it when the test ends. */
export async function ioServer(t, opts) {
  const srv = await startIoServer(opts);
  t.after(() => srv.close());
  return srv;
}

/**
 * Standard server-side handlers for namespaces `nsps` of `io` (default "/" and "/admin"):
 *   whoami(cb)           -> cb({ id, nsp, engineId, transport, auth, query })
 *   echo(...args)        -> emits "echo" ...args back (binary stays binary)
 *   ack(...args, cb)     -> cb(...args)
 *   disconnect-me        -> server-side socket.disconnect()
 * and keeps `log` (if given): { nsp, id, event, args } for every event received.
 */
export function serveBasics(io, { nsps = ["/", "/admin"], log = null } = {}) {
  for (const name of nsps) {
    io.of(name).on("connection", (socket) => {
      if (log) {
        socket.onAny((event, ...args) =>
          log.push({ nsp: name, id: socket.id, event, args: args.filter((a) => typeof a !== "function") }),
        );
      }
      socket.on("whoami", (cb) => {
        if (typeof cb !== "function") return;
        cb({
          id: socket.id,
          nsp: socket.nsp.name,
          engineId: socket.conn.id,
          transport: socket.conn.transport.name,
          auth: socket.handshake.auth,
          query: socket.handshake.query,
        });
      });
      socket.on("echo", (...args) => socket.emit("echo", ...args));
      socket.on("ack", (...args) => {
        const cb = args.pop();
        if (typeof cb === "function") cb(...args);
      });
      socket.on("disconnect-me", () => socket.disconnect());
    });
  }
}

// engine.io 6.6 (build/socket.js) arms `pingIntervalTimer` once in schedulePing() at open and
// re-arms it with .refresh() on every pong; resetPingTimeout() arms `pingTimeoutTimer` after each
// ping. Clearing both (a cleared Node timer ignores .refresh()) and making both methods no-ops on
// this one connection stops the server's heartbeat without the server timing the client out.
export function stopPings(conn) {
  clearTimeout(conn.pingIntervalTimer);
  clearTimeout(conn.pingTimeoutTimer);
  conn.pingIntervalTimer = null;
  conn.pingTimeoutTimer = null;
  conn.schedulePing = () => {};
  conn.resetPingTimeout = () => {};
}

/** Per-test options: every test fails after 20 s instead of hanging. */
export const T = { timeout: 20000 };

// Remembers every wasm memory the page instantiates (window.wasmMemories), once per page.
function hookWasmMemory() {
  if (window.wasmMemories) return;
  window.wasmMemories = [];
  const keep = (result) => {
    const instance = result.instance ?? result;
    for (const value of Object.values(instance.exports ?? {})) {
      if (value instanceof WebAssembly.Memory) window.wasmMemories.push(value);
    }
    return result;
  };
  for (const name of ["instantiate", "instantiateStreaming"]) {
    const original = WebAssembly[name];
    WebAssembly[name] = (...args) => original.apply(WebAssembly, args).then(keep);
  }
}

/** From the next load of `page` on, its wasm memories are seen by memoryAfterGc(). */
export function watchWasmMemory(page) {
  return page.context().addInitScript(hookWasmMemory);
}

/**
 * The page's memory after forced garbage collections: { heap: the JS heap's used bytes, wasm:
 * the bytes of the wasm memories that watchWasmMemory() saw (0 for socket.io-client) }.
 */
export async function memoryAfterGc(page) {
  const cdp = await page.context().newCDPSession(page);
  for (let i = 0; i < 3; i++) {
    await cdp.send("HeapProfiler.collectGarbage");
    await sleep(100);
  }
  const { usedSize } = await cdp.send("Runtime.getHeapUsage");
  await cdp.detach();
  const wasm = await page.evaluate(() => (window.wasmMemories ?? []).reduce((sum, m) => sum + m.buffer.byteLength, 0));
  return { heap: usedSize, wasm };
}
