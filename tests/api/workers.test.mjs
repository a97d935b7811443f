// io() in workers: a dedicated module worker that imports the ES module, a classic worker that
// loads the classic script with importScripts (the wasm file is found beside the script, not
// beside the worker), and a service worker, which has no XMLHttpRequest: socketio-wasm polls
// with fetch there by itself, socket.io-client is given its Fetch transport. Each worker runs
// the same scenario: connect over the default transports (polling first), echo, upgrade to
// WebSocket, echo again; the server sees a polling session that upgraded. A refused handshake
// in the service worker gives socket.io-client's Fetch error; without XMLHttpRequest, polling
// requests carry extraHeaders, and cookies with withCredentials. Then, socketio-wasm
// only: a fetch request that the client drops (connect timeout) or that runs past
// requestTimeout is aborted, and the server sees it closed.
//
//   API_CLIENT=reference node --test tests/api/workers.test.mjs   # socket.io-client 4.8
//   node --test tests/api/workers.test.mjs                        # socketio-wasm (pkg/)
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { CLIENT, CLIENT_PATHS, IS_REFERENCE, T, ioServer, serveBasics, until, useBrowser } from "./harness.mjs";

const browser = useBrowser();
const { module: MODULE_URL, classic: CLASSIC_URL } = CLIENT_PATHS[CLIENT];

// The scenario, run inside the worker (serialized into its script): resolves with what the
// worker saw, rejects with the first thing that went wrong.
async function scenario(io, url, options) {
  const once = (emitter, event) => new Promise((resolve) => emitter.once(event, (...args) => resolve(args)));
  const within = (promise, what) =>
    Promise.race([
      promise,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 8000)),
    ]);
  const socket = io(url, { forceNew: true, reconnection: false, ...options });
  try {
    const opened = once(socket.io, "open").then(() => socket.io.engine.transport.name);
    const failed = once(socket, "connect_error").then(([error]) => {
      throw new Error(`connect_error: ${error.message} (${error.description})`);
    });
    await within(Promise.race([once(socket, "connect"), failed]), "connect");
    const echo = (...args) => {
      const reply = once(socket, "echo");
      socket.emit("echo", ...args);
      return within(reply, "echo");
    };
    const first = await echo("hello", { n: 1 });
    const end = Date.now() + 8000;
    while (socket.io.engine.transport.name !== "websocket") {
      if (Date.now() > end) throw new Error(`no upgrade: still on ${socket.io.engine.transport.name}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const second = await echo("again", [2]);
    return {
      hasXhr: typeof XMLHttpRequest !== "undefined",
      openedOn: await opened,
      first,
      upgradedTo: socket.io.engine.transport.name,
      second,
    };
  } finally {
    socket.disconnect();
  }
}

// The other scenario, for a server that refuses the handshake: what connect_error carries.
async function refusedScenario(io, url, options) {
  const socket = io(url, { forceNew: true, reconnection: false, ...options });
  const [error] = await new Promise((resolve) => socket.once("connect_error", (...args) => resolve(args)));
  socket.disconnect();
  return {
    message: error.message,
    type: error.type,
    description: error.description,
    context: error.context?.constructor?.name,
    body: await error.context?.text?.(),
  };
}

// A worker's message handler: runs `run(data)`, posts { result } or { error } to `reply`.
const handler = (run, reply) => `async (data) => {
  try {
    ${reply}({ result: await (${run})(data) });
  } catch (error) {
    ${reply}({ error: String(error?.stack ?? error) });
  }
}`;

const moduleWorker = (prelude = "") => `import * as client from "${MODULE_URL}";
${prelude}
${scenario}
const run = ${handler("(data) => scenario(client.io, data.url, {})", "self.postMessage")};
self.onmessage = ({ data }) => run(data);
`;

const classicWorker = `importScripts("${CLASSIC_URL}");
${scenario}
const run = ${handler("(data) => scenario(self.io, data.url, {})", "self.postMessage")};
self.onmessage = ({ data }) => run(data);
`;

// The reference has no polling without XMLHttpRequest unless given its Fetch transport.
const SERVICE_WORKER_OPTIONS = IS_REFERENCE ? "{ transports: [client.Fetch, client.WebSocket] }" : "{}";
const serviceWorker = `import * as client from "${MODULE_URL}";
${scenario}
${refusedScenario}
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("message", (event) => {
  const port = event.ports[0];
  const pick = (data) => (data.refused ? refusedScenario : scenario);
  const run = ${handler(`(data) => pick(data)(client.io, data.url, ${SERVICE_WORKER_OPTIONS})`, "port.postMessage.bind(port)")};
  event.waitUntil(run(event.data));
});
`;

/** Starts `script` as a dedicated worker of a fresh page, posts `data`, resolves with its reply.
 * The worker lives on until the test leaves the page (terminating it would cancel its
 * requests, which the last test watches). */
async function inWorker(t, script, type, data) {
  browser.serve("/workers/worker.js", script);
  const page = await browser.openHtml(t, "/workers/page.html", "<!doctype html><title>workers</title>");
  const reply = await page.evaluate(
    ({ type, data }) => {
      const worker = new Worker("/workers/worker.js", { type });
      window.worker = worker;
      return new Promise((resolve, reject) => {
        worker.onmessage = ({ data }) => resolve(data);
        worker.onerror = (event) => reject(new Error(`worker error: ${event.message}`));
        worker.postMessage(data);
        setTimeout(() => reject(new Error("the worker did not answer")), 15000);
      });
    },
    { type, data },
  );
  assert.deepEqual(page.errors, [], "no page error");
  return reply;
}

/** Registers `script` as a module service worker, posts `data` to it once it is active,
 * resolves with its reply, and unregisters it. */
async function inServiceWorker(t, script, data) {
  browser.serve("/sw/worker.js", script);
  const page = await browser.openHtml(t, "/sw/page.html", "<!doctype html><title>service worker</title>");
  return page.evaluate(async (data) => {
    const registration = await navigator.serviceWorker.register("/sw/worker.js", { type: "module", scope: "/sw/" });
    try {
      const worker = registration.installing ?? registration.waiting ?? registration.active;
      await new Promise((resolve, reject) => {
        const check = () => {
          if (worker.state === "activated") resolve();
          if (worker.state === "redundant") reject(new Error("the service worker failed to install"));
        };
        worker.addEventListener("statechange", check);
        check();
      });
      const channel = new MessageChannel();
      const reply = new Promise((resolve, reject) => {
        channel.port1.onmessage = ({ data }) => resolve(data);
        setTimeout(() => reject(new Error("the service worker did not answer")), 15000);
      });
      worker.postMessage(data, [channel.port2]);
      return await reply;
    } finally {
      await registration.unregister();
    }
  }, data);
}

/** An io server with the echo handlers; `engines`: how each Engine.IO session began and
 * whether it upgraded. */
async function echoServer(t) {
  const engines = [];
  const srv = await ioServer(t, {
    setup: (io) => {
      serveBasics(io);
      io.engine.on("connection", (conn) => {
        const engine = { openedOn: conn.transport.name, upgradedTo: null };
        engines.push(engine);
        conn.once("upgrade", (transport) => (engine.upgradedTo = transport.name));
      });
    },
  });
  return { srv, engines };
}

function assertScenario(reply, engines, { hasXhr }) {
  assert.equal(reply.error, undefined, `the worker failed: ${reply.error}`);
  assert.deepEqual(reply.result, {
    hasXhr,
    openedOn: "polling",
    first: ["hello", { n: 1 }],
    upgradedTo: "websocket",
    second: ["again", [2]],
  });
  assert.deepEqual(engines, [{ openedOn: "polling", upgradedTo: "websocket" }], "the server's view");
}

test("a dedicated module worker: connect over polling, echo, upgrade to websocket, echo", T, async (t) => {
  const { srv, engines } = await echoServer(t);
  const reply = await inWorker(t, moduleWorker(), "module", { url: srv.url });
  assertScenario(reply, engines, { hasXhr: true });
});

test("a classic worker with importScripts: connect over polling, echo, upgrade to websocket, echo", T, async (t) => {
  const { srv, engines } = await echoServer(t);
  const reply = await inWorker(t, classicWorker, "classic", { url: srv.url });
  assertScenario(reply, engines, { hasXhr: true });
});

test("a service worker (no XMLHttpRequest): connect over polling with fetch, echo, upgrade to websocket, echo", T, async (t) => {
  const { srv, engines } = await echoServer(t);
  const reply = await inServiceWorker(t, serviceWorker, { url: srv.url });
  assertScenario(reply, engines, { hasXhr: false });
});

test("a service worker, refused handshake: connect_error 'fetch read error' with the status and the Response", T, async (t) => {
  const srv = await ioServer(t, {
    options: { allowRequest: (_req, callback) => callback("refused by allowRequest", false) },
  });
  const reply = await inServiceWorker(t, serviceWorker, { url: srv.url, refused: true });
  assert.equal(reply.error, undefined, `the worker failed: ${reply.error}`);
  assert.deepEqual(reply.result, {
    message: "fetch read error",
    type: "TransportError",
    description: 403,
    context: "Response",
    body: JSON.stringify({ code: 4, message: "refused by allowRequest" }),
  });
});

// Without XMLHttpRequest, over polling only: a session without withCredentials, then one with
// it, both with extraHeaders; each connects and gets an ack.
async function credentialsScenario(io, url, options) {
  for (const run of ["without", "with"]) {
    const socket = io(`${url}?run=${run}`, {
      forceNew: true,
      reconnection: false,
      withCredentials: run === "with",
      extraHeaders: { "x-worker": "fetch" },
      ...options,
    });
    await new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", (error) => reject(new Error(`connect_error: ${error.message}`)));
    });
    await new Promise((resolve) => socket.emit("ack", "hi", resolve));
    socket.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return "done";
}

// socket.io-client polls without XMLHttpRequest only when given its Fetch transport.
const POLLING_WITHOUT_XHR = IS_REFERENCE ? "{ transports: [client.Fetch] }" : '{ transports: ["polling"] }';

test("without XMLHttpRequest, polling requests carry extraHeaders, and cookies with withCredentials only", T, async (t) => {
  const requests = [];
  const srv = await ioServer(t, {
    options: { cookie: { name: "io", sameSite: "lax", path: "/" } },
    setup: (io, s) => {
      serveBasics(io);
      s.httpServer.prependListener("request", (req) => requests.push({ method: req.method, url: req.url, headers: req.headers }));
    },
  });
  const script = moduleWorker(`delete self.XMLHttpRequest;\n${credentialsScenario}`).replace(
    "scenario(client.io, data.url, {})",
    `credentialsScenario(client.io, data.url, ${POLLING_WITHOUT_XHR})`,
  );
  const reply = await inWorker(t, script, "module", { url: srv.url });
  assert.deepEqual(reply, { result: "done" });
  const sent = (run) => requests.filter((r) => r.method !== "OPTIONS" && r.url.includes(`run=${run}`));
  for (const run of ["without", "with"]) {
    assert.ok(sent(run).length >= 3, `${run}: handshake, GETs and POSTs reached the server`);
    assert.ok(sent(run).every((r) => r.headers["x-worker"] === "fetch"), `${run}: every request carries extraHeaders`);
  }
  assert.ok(sent("without").every((r) => !r.headers.cookie), "no cookie without withCredentials");
  // The handshake response sets io=<sid>; the session's later requests send it.
  const cookies = sent("with").slice(1).map((r) => r.headers.cookie ?? "");
  assert.ok(cookies.some((cookie) => /(^|; )io=/.test(cookie)), cookies.join(" | "));
});

// An http server that records every request and never answers; `closed`: the client hung up.
async function silentServer(t) {
  const requests = [];
  const server = createServer((req, res) => {
    const request = { url: req.url, closed: false };
    requests.push(request);
    res.on("close", () => (request.closed = true));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${server.address().port}`, requests };
}

// Without XMLHttpRequest: one client whose GET is dropped when its connect timeout ends the
// attempt, one whose GET runs past requestTimeout; both report their connect_error.
async function abortScenario(io, { dropped, timedOut }) {
  const failure = (url, options) =>
    new Promise((resolve) => {
      const socket = io(url, { forceNew: true, reconnection: false, transports: ["polling"], ...options });
      socket.once("connect_error", (error) => {
        socket.disconnect();
        const description = error.description;
        resolve({ message: error.message, description: description?.name ?? description });
      });
    });
  return {
    dropped: await failure(dropped, { timeout: 500 }),
    timedOut: await failure(timedOut, { requestTimeout: 500, timeout: 10000 }),
  };
}

test(
  "without XMLHttpRequest, a fetch request that is dropped, or that runs past requestTimeout, is aborted (socketio-wasm)",
  { ...T, skip: IS_REFERENCE && "socket.io-client's Fetch transport neither aborts nor times out its requests" },
  async (t) => {
    const dropped = await silentServer(t);
    const timedOut = await silentServer(t);
    const script = moduleWorker(`delete self.XMLHttpRequest;\n${abortScenario}`).replace(
      "scenario(client.io, data.url, {})",
      "abortScenario(client.io, data)",
    );
    const reply = await inWorker(t, script, "module", { dropped: dropped.url, timedOut: timedOut.url });
    assert.equal(reply.error, undefined, `the worker failed: ${reply.error}`);
    assert.deepEqual(reply.result, {
      dropped: { message: "timeout", description: undefined },
      timedOut: { message: "fetch read error", description: "TimeoutError" },
    });
    // The server sees each request closed by the client.
    await until(() => dropped.requests.length === 1 && dropped.requests[0].closed, 5000, "the dropped GET closed");
    await until(() => timedOut.requests.length === 1 && timedOut.requests[0].closed, 5000, "the timed-out GET closed");
  },
);
