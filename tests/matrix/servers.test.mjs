// The server-agnostic part of the API suite against three Socket.IO servers: socket.io 4.8
// (Node), socketioxide (Rust) and python-socketio (aiohttp). Each serves the same small contract
// (tests/servers/: whoami, echo, ack, ask, disconnect-me on "/" and "/admin", and "/private"
// refusing a wrong auth), so one test body checks every server, for either client:
//
//   node --test tests/matrix/                        # socketio-wasm
//   API_CLIENT=reference node --test tests/matrix/   # socket.io-client 4.8
//
// scripts/servers.sh builds the socketioxide server and the Python virtualenv first; a missing
// server fails its tests with the command to run, it is never skipped silently. None of the three
// servers' features that only socket.io has (connection state recovery) is tested here.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { T, startIoServer, useBrowser } from "../api/harness.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const browser = useBrowser();

/** socket.io 4.8 in this process, serving the matrix contract. */
async function startNode() {
  const serve = (nsp) =>
    nsp.on("connection", (socket) => {
      socket.on("whoami", (cb) => cb({ id: socket.id, nsp: nsp.name, transport: socket.conn.transport.name }));
      socket.on("echo", (value) => socket.emit("echo", value));
      socket.on("ack", (value, cb) => cb(value));
      socket.on("ask", async (value, cb) => cb(await socket.timeout(5000).emitWithAck("question", value)));
      socket.on("disconnect-me", () => socket.disconnect());
    });
  const srv = await startIoServer({
    options: { cors: { origin: "*" } },
    setup(io) {
      serve(io.of("/"));
      serve(io.of("/admin"));
      const privateNsp = io.of("/private");
      privateNsp.use((socket, next) =>
        next(socket.handshake.auth?.token === "secret" ? undefined : new Error("not authorized")),
      );
      serve(privateNsp);
    },
  });
  return { url: srv.url, close: () => srv.close() };
}

/** A server in a child process that prints `listening <port>` when it is ready. */
function startChild(name, command, args, hint) {
  if (!existsSync(command)) {
    throw new Error(`${name} is not built: ${command} is missing (run: ${hint})`);
  }
  const child = spawn(command, [...args, "0"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 20 s: ${stderr}`)), 20000);
    child.once("exit", (code) => reject(new Error(`${name} exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      const port = /^listening (\d+)$/.exec(line)?.[1];
      if (!port) return;
      clearTimeout(timer);
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise((done) => (child.exitCode === null ? (child.once("exit", done), child.kill()) : done())),
      });
    });
  });
}

const SERVERS = {
  "socket.io": startNode,
  socketioxide: () =>
    startChild(
      "socketioxide",
      `${ROOT}target/servers/release/socketioxide-test-server`,
      [],
      "bash scripts/servers.sh",
    ),
  "python-socketio": () =>
    startChild("python-socketio", `${ROOT}target/py/bin/python`, ["tests/servers/python/server.py"], "bash scripts/servers.sh"),
};

const running = {};
before(async () => {
  for (const [name, start] of Object.entries(SERVERS)) {
    running[name] = start().catch((err) => err);
  }
});
after(async () => {
  for (const server of Object.values(running)) {
    const value = await server;
    if (!(value instanceof Error)) await value.close();
  }
});
async function serverUrl(name) {
  const value = await running[name];
  if (value instanceof Error) throw value;
  return value.url;
}

// Every JSON kind, nested, with unicode beyond the BMP.
const VALUE = { text: "héllo ✓ 🚀", n: 42, float: 1.5, list: [1, "two", { three: 3 }], nested: { ok: true, none: null } };

for (const name of Object.keys(SERVERS)) {
  test(`${name}: default transports connect over polling, upgrade to websocket, and echo every JSON kind`, T, async (t) => {
    const url = await serverUrl(name);
    const page = await browser.open(t);
    const r = await page.evaluate(async ({ url, value }) => {
      const socket = io(url);
      let first = null;
      socket.io.once("open", () => (first = socket.io.engine.transport.name));
      await waitFor(socket, "connect");
      await until(() => socket.io.engine.transport.name === "websocket", 5000, "the upgrade");
      const who = await socket.emitWithAck("whoami");
      socket.emit("echo", value);
      const [echoed] = await waitFor(socket, "echo");
      socket.disconnect();
      return { first, who, id: socket.id ?? null, echoed };
    }, { url, value: VALUE });
    assert.equal(r.first, "polling");
    assert.equal(r.who.transport, "websocket");
    assert.equal(r.who.nsp, "/");
    assert.deepEqual(r.echoed, VALUE);
  });

  for (const transport of ["polling", "websocket"]) {
    test(`${name}: transports: ['${transport}'] connects, socket.id is the server's id, and echoes`, T, async (t) => {
      const url = await serverUrl(name);
      const page = await browser.open(t);
      const r = await page.evaluate(async ({ url, transport, value }) => {
        const socket = io(url, { transports: [transport] });
        await waitFor(socket, "connect");
        const who = await socket.emitWithAck("whoami");
        socket.emit("echo", value);
        const [echoed] = await waitFor(socket, "echo");
        const result = { id: socket.id, who, echoed, transport: socket.io.engine.transport.name };
        socket.disconnect();
        return result;
      }, { url, transport, value: VALUE });
      assert.equal(r.transport, transport);
      assert.equal(r.who.transport, transport);
      assert.equal(r.who.id, r.id);
      assert.deepEqual(r.echoed, VALUE);
    });
  }

  test(`${name}: acks both ways: the server acks an emit, and the client answers the server's question`, T, async (t) => {
    const url = await serverUrl(name);
    const page = await browser.open(t);
    const r = await page.evaluate(async ({ url, value }) => {
      const socket = io(url);
      socket.on("question", (n, cb) => cb({ doubled: n * 2 }));
      const acked = await socket.timeout(5000).emitWithAck("ack", value);
      const answered = await socket.timeout(5000).emitWithAck("ask", 21);
      socket.disconnect();
      return { acked, answered };
    }, { url, value: VALUE });
    assert.deepEqual(r.acked, VALUE);
    assert.deepEqual(r.answered, { doubled: 42 });
  });

  for (const transport of ["polling", "websocket"]) {
    test(`${name}: binary nested in an object round-trips by echo and by ack over ${transport}`, T, async (t) => {
      const url = await serverUrl(name);
      const page = await browser.open(t);
      const r = await page.evaluate(async ({ url, transport }) => {
        const socket = io(url, { transports: [transport] });
        const value = { name: "bytes", data: new Uint8Array([0, 1, 2, 127, 128, 255]), more: [new Uint8Array([9])] };
        socket.emit("echo", value);
        const [echoed] = await waitFor(socket, "echo");
        const acked = await socket.timeout(5000).emitWithAck("ack", value);
        socket.disconnect();
        return { echoed: describe(echoed), acked: describe(acked) };
      }, { url, transport });
      const expected = {
        name: "bytes",
        data: { $bin: "ArrayBuffer", bytes: [0, 1, 2, 127, 128, 255] },
        more: [{ $bin: "ArrayBuffer", bytes: [9] }],
      };
      assert.deepEqual(r.echoed, expected);
      assert.deepEqual(r.acked, expected);
    });
  }

  test(`${name}: "/" and "/admin" share one connection and each talks to its own namespace`, T, async (t) => {
    const url = await serverUrl(name);
    const page = await browser.open(t);
    const r = await page.evaluate(async ({ url }) => {
      const main = io(url);
      const admin = io(url + "/admin");
      await Promise.all([waitFor(main, "connect"), waitFor(admin, "connect")]);
      const [whoMain, whoAdmin] = await Promise.all([main.emitWithAck("whoami"), admin.emitWithAck("whoami")]);
      admin.emit("echo", "to admin");
      const [echoed] = await waitFor(admin, "echo");
      const shared = main.io === admin.io;
      admin.disconnect();
      const stillConnected = main.connected;
      main.disconnect();
      return { whoMain, whoAdmin, echoed, shared, stillConnected, ids: [main.id ?? null, whoMain.id] };
    }, { url });
    assert.equal(r.shared, true);
    assert.equal(r.whoMain.nsp, "/");
    assert.equal(r.whoAdmin.nsp, "/admin");
    assert.equal(r.echoed, "to admin");
    assert.equal(r.stillConnected, true, "leaving /admin keeps / connected");
  });

  test(`${name}: a refused handshake gives connect_error with the server's message; the right auth connects`, T, async (t) => {
    const url = await serverUrl(name);
    const page = await browser.open(t);
    const r = await page.evaluate(async ({ url }) => {
      const refused = io(url + "/private", { auth: { token: "wrong" }, forceNew: true });
      const [err] = await waitFor(refused, "connect_error");
      const after = { active: refused.active, connected: refused.connected };
      refused.disconnect();
      const allowed = io(url + "/private", { auth: { token: "secret" }, forceNew: true });
      await waitFor(allowed, "connect");
      const who = await allowed.emitWithAck("whoami");
      allowed.disconnect();
      return { err: describe(err), after, who };
    }, { url });
    assert.equal(r.err.$error, "Error");
    assert.equal(r.err.message, "not authorized");
    assert.deepEqual(r.after, { active: false, connected: false });
    assert.equal(r.who.nsp, "/private");
  });

  test(`${name}: a server-side disconnect ends with 'io server disconnect' and no reconnection`, T, async (t) => {
    const url = await serverUrl(name);
    const page = await browser.open(t);
    const r = await page.evaluate(async ({ url }) => {
      const socket = io(url);
      await waitFor(socket, "connect");
      socket.emit("disconnect-me");
      const [reason] = await waitFor(socket, "disconnect");
      await sleep(300);
      return { reason, active: socket.active, connected: socket.connected };
    }, { url });
    assert.deepEqual(r, { reason: "io server disconnect", active: false, connected: false });
  });
}
