// Engine.IO-level options of io()/Manager, seen from a real socket.io 4.8 server (request URLs,
// headers and transports as the server gets them): path, query (object and URL query string),
// transports, upgrade, rememberUpgrade, tryAllTransports, timestampRequests/timestampParam,
// withCredentials, extraHeaders, transportOptions, addTrailingSlash, forceBase64,
// requestTimeout, protocols, closeOnBeforeunload.
//
//   API_CLIENT=reference node --test tests/api/options.test.mjs   # socket.io-client 4.8
//   node --test tests/api/options.test.mjs                        # socketio-wasm (pkg/)
import { test } from "node:test";
import assert from "node:assert/strict";
import { IS_REFERENCE, T, ioServer, serveBasics, startBlackhole, until, useBrowser } from "./harness.mjs";

const browser = useBrowser();

// An io server that records every HTTP request ("GET /socket.io/?EIO=4&transport=polling...")
// and WebSocket upgrade ("UPGRADE /socket.io/?...") with its headers.
async function recordingServer(t, options = {}, extra = () => {}) {
  const requests = [];
  const srv = await ioServer(t, {
    options,
    setup: (io, s) => {
      serveBasics(io);
      extra(io);
      s.httpServer.prependListener("request", (req) => requests.push({ line: `${req.method} ${req.url}`, headers: req.headers }));
      // Only next to engine.io's own "upgrade" listener: a lone listener would leave the
      // upgrade request unanswered (Node destroys it when nobody listens).
      if (!options.transports || options.transports.includes("websocket")) {
        s.httpServer.prependListener("upgrade", (req) => requests.push({ line: `UPGRADE ${req.url}`, headers: req.headers }));
      }
    },
  });
  return { srv, requests };
}

const query = (line) => new URL(line.split(" ")[1], "http://x").searchParams;
const isPolling = (r) => /^(GET|POST) /.test(r.line) && query(r.line).get("transport") === "polling";

test("path: a server on a custom path is reached with { path }", T, async (t) => {
  const { srv, requests } = await recordingServer(t, { path: "/custom-path/" });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url, { path: "/custom-path" });
    await waitFor(socket, "connect");
    const who = await new Promise((resolve) => socket.emit("whoami", resolve));
    return who.nsp;
  }, { url: srv.url });
  assert.equal(r, "/");
  assert.ok(requests.length > 0 && requests.every((x) => x.line.split(" ")[1].startsWith("/custom-path/?")), requests.map((x) => x.line).join("\n"));
});

test("path: an empty path is the default one, written into the Manager's opts at once (socket.io-client reads it with ||)", T, async (t) => {
  const { srv, requests } = await recordingServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url, { path: "", forceNew: true });
    const pathAtOnce = socket.io.opts.path;
    await waitFor(socket, "connect");
    return { pathAtOnce };
  }, { url: srv.url });
  assert.equal(r.pathAtOnce, "/socket.io");
  assert.ok(requests.length > 0 && requests.every((x) => x.line.split(" ")[1].startsWith("/socket.io/?")), requests.map((x) => x.line).join("\n"));
});

test("query: the query option (an object or a string) and a URL query string reach handshake.query", T, async (t) => {
  const { srv, requests } = await recordingServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const a = io(url, { query: { room: "blue", n: 7 }, forceNew: true });
    const b = io(url + "/admin?token=abc&x=1", { forceNew: true });
    const c = io(url, { query: "color=red&size=2", forceNew: true });
    await Promise.all([waitFor(a, "connect"), waitFor(b, "connect"), waitFor(c, "connect")]);
    const ask = (s) => new Promise((resolve) => s.emit("whoami", resolve));
    return { a: await ask(a), b: await ask(b), c: await ask(c) };
  }, { url: srv.url });
  assert.equal(r.c.query.color, "red");
  assert.equal(r.c.query.size, "2");
  assert.equal(r.a.query.room, "blue");
  assert.equal(r.a.query.n, "7");
  assert.equal(r.b.query.token, "abc");
  assert.equal(r.b.query.x, "1");
  assert.equal(r.b.nsp, "/admin");
  assert.ok(requests.some((x) => query(x.line).get("room") === "blue"));
});

test("transports: ['websocket'] connects over WebSocket directly, without a polling request", T, async (t) => {
  const { srv, requests } = await recordingServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url, { transports: ["websocket"] });
    await waitFor(socket, "connect");
    const who = await new Promise((resolve) => socket.emit("whoami", resolve));
    return { client: socket.io.engine.transport.name, server: who.transport };
  }, { url: srv.url });
  assert.deepEqual(r, { client: "websocket", server: "websocket" });
  assert.ok(!requests.some(isPolling), "no polling request");
  assert.ok(requests.some((x) => x.line.startsWith("UPGRADE ")));
});

test("upgrade: false stays on polling; the default upgrades to websocket", T, async (t) => {
  const { srv, requests } = await recordingServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url, { upgrade: false });
    await waitFor(socket, "connect");
    await sleep(500);
    const who = await new Promise((resolve) => socket.emit("whoami", resolve));
    return { client: socket.io.engine.transport.name, server: who.transport };
  }, { url: srv.url });
  assert.deepEqual(r, { client: "polling", server: "polling" });
  assert.ok(!requests.some((x) => x.line.startsWith("UPGRADE ")), "no WebSocket upgrade request");
});

test("rememberUpgrade: after a successful WebSocket upgrade, the next connection starts on websocket", T, async (t) => {
  const { srv } = await recordingServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const first = io(url, { rememberUpgrade: true, forceNew: true });
    await waitFor(first, "connect");
    if (first.io.engine.transport.name !== "websocket") await waitFor(first.io.engine, "upgrade");
    const second = io(url, { rememberUpgrade: true, forceNew: true });
    const startedWith = second.io.engine.transport.name;
    await waitFor(second, "connect");
    const without = io(url, { forceNew: true });
    return { startedWith, withoutStartsWith: without.io.engine.transport.name };
  }, { url: srv.url });
  assert.equal(r.startedWith, "websocket");
  assert.equal(r.withoutStartsWith, "polling", "without rememberUpgrade it starts on polling");
});

test("rememberUpgrade: a WebSocket that failed is not remembered; the next Manager connects over polling", T, async (t) => {
  const { srv: pollingOnly } = await recordingServer(t, { transports: ["polling"] });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const failing = io(url, { forceNew: true, transports: ["websocket"], rememberUpgrade: true, reconnection: false });
    const [error] = await waitFor(failing, "connect_error");
    const next = io(url, { forceNew: true, rememberUpgrade: true, reconnection: false });
    await waitFor(next, "connect");
    return { first: error.message, transport: next.io.engine.transport.name };
  }, { url: pollingOnly.url });
  assert.deepEqual(r, { first: "websocket error", transport: "polling" });
});

test("tryAllTransports: falls back to polling when websocket fails; without it connect_error", T, async (t) => {
  const { srv } = await recordingServer(t, { transports: ["polling"] });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const failing = io(url, { transports: ["websocket", "polling"], reconnection: false, forceNew: true });
    const [err] = await waitFor(failing, "connect_error");
    const fallback = io(url, { transports: ["websocket", "polling"], tryAllTransports: true, forceNew: true });
    await waitFor(fallback, "connect");
    return { err: err.message, transport: fallback.io.engine.transport.name };
  }, { url: srv.url });
  assert.equal(r.err, "websocket error");
  assert.equal(r.transport, "polling");
});

test("timestampRequests / timestampParam: polling requests carry a cache-busting parameter, renamed or removed", T, async (t) => {
  const { srv, requests } = await recordingServer(t);
  const page = await browser.open(t);
  const run = (opts) =>
    page.evaluate(async ({ url, opts }) => {
      const socket = io(url, { forceNew: true, ...opts });
      await waitFor(socket, "connect");
      await new Promise((resolve) => socket.emit("ack", resolve));
      socket.disconnect();
      await sleep(50);
    }, { url: srv.url, opts });
  const take = () => requests.splice(0).filter((x) => x.line.startsWith("GET ") || x.line.startsWith("UPGRADE "));

  await run({ transports: ["polling"] });
  const byDefault = take().filter(isPolling);
  assert.ok(byDefault.length > 0 && byDefault.every((x) => query(x.line).has("t")), "default: t=... on polling requests");

  await run({ transports: ["polling"], timestampParam: "ts" });
  const renamed = take().filter(isPolling);
  assert.ok(renamed.every((x) => query(x.line).has("ts") && !query(x.line).has("t")), "timestampParam: ts");

  await run({ transports: ["polling"], timestampRequests: false });
  assert.ok(take().filter(isPolling).every((x) => !query(x.line).has("t")), "timestampRequests: false: none");

  await run({ transports: ["websocket"] });
  assert.ok(take().every((x) => !query(x.line).has("t")), "websocket: none by default");

  await run({ transports: ["websocket"], timestampRequests: true });
  const ws = take().filter((x) => x.line.startsWith("UPGRADE "));
  assert.ok(ws.length === 1 && query(ws[0].line).has("t"), "timestampRequests: true adds it to the WebSocket URL too");
});

test("extraHeaders and transportOptions.polling.extraHeaders are sent with polling requests", T, async (t) => {
  const { srv, requests } = await recordingServer(t);
  const page = await browser.open(t);
  await page.evaluate(async ({ url }) => {
    const socket = io(url, {
      transports: ["polling"],
      extraHeaders: { "x-custom": "one" },
      transportOptions: { polling: { extraHeaders: { "x-custom": "one", "x-polling": "two" } } },
    });
    await waitFor(socket, "connect");
    await new Promise((resolve) => socket.emit("ack", resolve));
  }, { url: srv.url });
  const polls = requests.filter(isPolling);
  assert.ok(polls.length >= 2);
  for (const req of polls) {
    assert.equal(req.headers["x-custom"], "one", req.line);
    assert.equal(req.headers["x-polling"], "two", req.line);
  }
});

test("transportOptions.websocket: its query replaces the whole query (EIO and transport included); its protocols and timestampRequests apply", T, async (t) => {
  const { srv, requests } = await recordingServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url, {
      transports: ["websocket"],
      query: { top: "1" },
      transportOptions: {
        websocket: {
          // socket.io-client adds no EIO, transport or sid to a transport's own query.
          query: { EIO: 4, transport: "websocket", ws: "2" },
          protocols: ["chat-v1"],
          timestampRequests: true,
          timestampParam: "ts",
        },
      },
    });
    await waitFor(socket, "connect");
    return new Promise((resolve) => socket.emit("whoami", resolve));
  }, { url: srv.url });
  assert.equal(r.transport, "websocket");
  assert.equal(r.query.ws, "2");
  assert.equal(r.query.top, undefined, "the top-level query is replaced");
  const upgrade = requests.find((x) => x.line.startsWith("UPGRADE "));
  assert.deepEqual([...query(upgrade.line).keys()], ["EIO", "transport", "ws", "ts"]);
  assert.equal(upgrade.headers["sec-websocket-protocol"], "chat-v1");
});

test("withCredentials: true sends the server's cookie with cross-origin requests; false does not", T, async (t) => {
  const { srv, requests } = await recordingServer(t, { cookie: { name: "io", sameSite: "lax", path: "/" } });
  const page = await browser.open(t);
  const run = (opts) =>
    page.evaluate(async ({ url, opts }) => {
      const socket = io(url, { forceNew: true, transports: ["polling"], ...opts });
      await waitFor(socket, "connect");
      await new Promise((resolve) => socket.emit("ack", resolve));
      socket.disconnect();
      await sleep(50);
    }, { url: srv.url, opts });
  await run({});
  const without = requests.splice(0).filter(isPolling);
  assert.ok(without.every((x) => !x.headers.cookie), "no cookie without withCredentials");
  await run({ withCredentials: true });
  const withCreds = requests.splice(0).filter(isPolling);
  // The handshake response sets io=<sid>; the session's later requests send it.
  assert.ok(withCreds.slice(1).some((x) => /(^|; )io=/.test(x.headers.cookie ?? "")), withCreds.map((x) => x.headers.cookie).join(" | "));
});

test("addTrailingSlash: false requests /socket.io?EIO=... (no trailing slash)", T, async (t) => {
  const { srv, requests } = await recordingServer(t, { addTrailingSlash: false });
  const page = await browser.open(t);
  await page.evaluate(async ({ url }) => {
    const socket = io(url, { addTrailingSlash: false });
    await waitFor(socket, "connect");
    await new Promise((resolve) => socket.emit("ack", resolve));
  }, { url: srv.url });
  assert.ok(requests.length > 0);
  assert.ok(requests.every((x) => x.line.split(" ")[1].startsWith("/socket.io?")), requests.map((x) => x.line).join("\n"));
});

test("forceBase64: binary goes out as base64 text frames over websocket and still arrives as binary", T, async (t) => {
  const frames = [];
  const received = [];
  const { srv, requests } = await recordingServer(t, {}, (io) =>
    io.on("connection", (socket) => {
      socket.conn.transport.socket?.on("message", (data, isBinary) => frames.push({ isBinary, text: isBinary ? null : String(data) }));
      socket.on("ack", (buf) => received.push(Buffer.isBuffer(buf) ? [...buf] : typeof buf));
    }),
  );
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url, { transports: ["websocket"], forceBase64: true });
    await waitFor(socket, "connect");
    // One binary emit at a time: socket.io-client 4.8 base64-encodes attachments
    // asynchronously (FileReader) with forceBase64 over websocket, so two binary emits in the
    // same tick go out as header, header, attachment, attachment and the server drops the
    // connection ("got plaintext data when reconstructing a packet").
    await new Promise((resolve) => socket.emit("ack", new Uint8Array([1, 2, 3]), resolve));
    const echoed = waitFor(socket, "echo");
    socket.emit("echo", new Uint8Array([4, 5]));
    const [back] = await echoed;
    return { isAB: back instanceof ArrayBuffer, bytes: [...new Uint8Array(back)] };
  }, { url: srv.url });
  await until(() => received.length === 1, 3000, "the binary ack event");
  assert.deepEqual(received, [[1, 2, 3]]);
  assert.deepEqual(r, { isAB: true, bytes: [4, 5] });
  assert.ok(frames.length > 0);
  assert.ok(frames.every((f) => !f.isBinary), "no binary frame from the client");
  assert.ok(frames.some((f) => f.text === "bAQID"), `the attachment as "b" + base64: ${JSON.stringify(frames)}`);
  const upgrade = requests.find((x) => x.line.startsWith("UPGRADE "));
  assert.equal(query(upgrade.line).get("b64"), "1", "the server is asked for base64 too");
});

test("requestTimeout: a polling request that gets no answer fails after requestTimeout ms", T, async (t) => {
  const hole = await startBlackhole();
  t.after(() => hole.close());
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const started = performance.now();
    const socket = io(url, { requestTimeout: 300, reconnection: false });
    const [err] = await waitFor(socket, "connect_error", 5000);
    return { message: err.message, type: err.type, elapsed: performance.now() - started };
  }, { url: hole.url });
  assert.equal(r.message, "xhr poll error");
  assert.equal(r.type, "TransportError");
  assert.ok(r.elapsed >= 280 && r.elapsed < 2000, `after ~300 ms (${Math.round(r.elapsed)})`);
});

test("protocols: the WebSocket subprotocols are offered in the upgrade request", T, async (t) => {
  const { srv, requests } = await recordingServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const socket = io(url, { transports: ["websocket"], protocols: ["chat-v1", "chat-v2"] });
    await waitFor(socket, "connect");
    return socket.io.engine.transport.name;
  }, { url: srv.url });
  assert.equal(r, "websocket");
  const upgrade = requests.find((x) => x.line.startsWith("UPGRADE "));
  assert.equal(upgrade.headers["sec-websocket-protocol"], "chat-v1, chat-v2");
});

test("closeOnBeforeunload: true closes a polling session cleanly when the page unloads (server: 'transport close'); false leaves it to the browser ('transport error')", T, async (t) => {
  const reasons = {};
  const srv = await ioServer(t, {
    setup: (io) =>
      io.on("connection", (socket) =>
        socket.on("disconnect", (reason) => (reasons[socket.handshake.query.mode] = reason)),
      ),
  });
  for (const mode of ["true", "false"]) {
    const page = await browser.open(t);
    await page.evaluate(async ({ url, mode }) => {
      const socket = io(url, { transports: ["polling"], closeOnBeforeunload: mode === "true", query: { mode } });
      await waitFor(socket, "connect");
    }, { url: srv.url, mode });
    await page.goto("about:blank");
    await until(() => reasons[mode], 3000, `the server-side disconnect (${mode})`);
  }
  assert.deepEqual(reasons, { true: "transport close", false: "transport error" });
});

test("closeOnBeforeunload: the page's beforeunload listener lives while the connection is open", T, async (t) => {
  const srv = await ioServer(t, { setup: (io) => serveBasics(io) });
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const listeners = new Set();
    const add = window.addEventListener;
    const remove = window.removeEventListener;
    window.addEventListener = function (type, fn, ...rest) {
      if (type === "beforeunload") listeners.add(fn);
      return add.call(this, type, fn, ...rest);
    };
    window.removeEventListener = function (type, fn, ...rest) {
      if (type === "beforeunload") listeners.delete(fn);
      return remove.call(this, type, fn, ...rest);
    };
    const before = listeners.size;
    const socket = io(url, { transports: ["polling"], closeOnBeforeunload: true });
    await waitFor(socket, "connect");
    const open = listeners.size;
    socket.disconnect();
    await sleep(50);
    return { before, open, closed: listeners.size };
  }, { url: srv.url });
  assert.deepEqual(r, { before: 0, open: 1, closed: 0 });
});

test("options of the wrong type are refused at once with a TypeError that names them; a getter's own error is thrown as it is", { ...T, skip: IS_REFERENCE && "socket.io-client does not check the types of its options" }, async (t) => {
  const { srv } = await recordingServer(t);
  const page = await browser.open(t);
  const r = await page.evaluate(async ({ url }) => {
    const wrong = {
      path: 5,
      upgrade: "yes",
      reconnectionDelay: "1000",
      timeout: true,
      transports: "websocket",
      query: 5,
      extraHeaders: "x-a: 1",
      protocols: 7,
      auth: "token",
      transportOptions: { polling: { query: 5 } },
    };
    const refusals = {};
    for (const [name, value] of Object.entries(wrong)) {
      try {
        io(url, { [name]: value, forceNew: true, autoConnect: false });
        refusals[name] = "accepted";
      } catch (error) {
        refusals[name] = `${error.name}: ${error.message}`;
      }
    }
    let thrown;
    try {
      io(url, { forceNew: true, get reconnectionDelay() { throw new RangeError("from the getter"); } });
    } catch (error) {
      thrown = `${error.name}: ${error.message}`;
    }
    // null counts as absent, and the client goes on working after every refusal.
    const socket = io(url, { forceNew: true, query: null, extraHeaders: null, timeout: false, protocols: "chat" });
    await waitFor(socket, "connect");
    socket.disconnect();
    return { refusals, thrown };
  }, { url: srv.url });
  for (const [name, refusal] of Object.entries(r.refusals)) {
    const named = name === "transportOptions" ? "query" : name;
    assert.match(refusal, new RegExp(`^TypeError: socketio-wasm: option \`${named}\` must be `), name);
  }
  assert.equal(r.thrown, "RangeError: from the getter");
});
