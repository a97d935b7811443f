// The socket.io 4.8 servers of tests/browser_rust.rs (the Rust API in headless Chromium).
// Two servers on free ports, CORS open (the test page is served from the test runner's own
// origin):
//   main     echo and ack handlers, a second namespace, a refusing namespace, and a record of
//            disconnections that tests ask about;
//   restart  the same handlers; its `restart` event closes the whole server and starts it
//            again on the same port a moment later (a server restart, as the client sees one).
// Every event carries one argument (the Rust API's `emit(event, &data)`), then the ack.
// Prints `MAIN=<url>` and `RESTART=<url>` once both listen; stops on SIGTERM or SIGINT.
import { createServer } from "node:http";
import { Server } from "socket.io";

// Tag -> the values `remember` received with it, whichever connection brought them.
const remembered = new Map();

// Tag -> how many times `try` arrived with it (a retried emit arrives once per try).
const tries = new Map();

// Socket id -> disconnect reason, for `disconnect-reason` questions (main server).
const disconnections = new Map();
const waiters = new Map();

function recordDisconnect(id, reason) {
  disconnections.set(id, reason);
  for (const resolve of waiters.get(id) ?? []) resolve(reason);
  waiters.delete(id);
}

function disconnectReason(id) {
  if (disconnections.has(id)) return Promise.resolve(disconnections.get(id));
  return new Promise((resolve) => {
    waiters.set(id, [...(waiters.get(id) ?? []), resolve]);
    setTimeout(() => resolve("still connected"), 10_000);
  });
}

function handlers(io, restart) {
  io.on("connection", (socket) => {
    socket.on("disconnect", (reason) => recordDisconnect(socket.id, reason));
    // Sends the value back both as an event and as the ack answer.
    socket.on("echo", (data, ack) => {
      socket.emit("echo", data);
      if (typeof ack === "function") ack(data);
    });
    socket.on("ack-me", (data, ack) => ack(data));
    socket.on("no-ack", () => {});
    // Which of the value's fields arrived as binary (Buffer), and their sizes.
    socket.on("binary-fields", (data, ack) =>
      ack(Object.entries(data).map(([key, value]) => [key, Buffer.isBuffer(value) ? value.length : null])),
    );
    // Asks the client (an ack request to it), then answers with what the client said.
    socket.on("ask", async (question, ack) => {
      try {
        const answer = await socket.timeout(5000).emitWithAck("question", question);
        ack({ answer });
      } catch (error) {
        ack({ error: String(error) });
      }
    });
    // Emits `event` with `data`, `times` times.
    socket.on("send-me", ({ event, data, times }, ack) => {
      for (let i = 0; i < (times ?? 1); i++) socket.emit(event, data);
      ack?.();
    });
    // Keeps `value` under `tag` (a test's own); `recall` answers with what `tag` holds.
    socket.on("remember", ({ tag, value }) => remembered.set(tag, [...(remembered.get(tag) ?? []), value]));
    socket.on("recall", (tag, ack) => ack(remembered.get(tag) ?? []));
    // Answers the n-th try of `tag` with the arguments `answers[n]`, or not at all when that
    // is null or missing; `tries` tells how many came.
    socket.on("try", ({ tag, answers }, ack) => {
      const n = tries.get(tag) ?? 0;
      tries.set(tag, n + 1);
      if (answers[n]) ack(...answers[n]);
    });
    socket.on("tries", (tag, ack) => ack(tries.get(tag) ?? 0));
    socket.on("disconnect-reason", async (id, ack) => ack(await disconnectReason(id)));
    socket.on("whoami", (_, ack) => ack({ nsp: socket.nsp.name, engine: socket.conn.id }));
    socket.on("auth", (_, ack) => ack(socket.handshake.auth));
    // Closes the underlying connection (the client sees `transport close` and reconnects).
    socket.on("drop-connection", () => socket.conn.close());
    socket.on("restart", (_, ack) => {
      ack?.();
      restart?.();
    });
  });
  io.of("/admin").on("connection", (socket) => {
    socket.on("whoami", (_, ack) => ack({ nsp: socket.nsp.name, engine: socket.conn.id }));
  });
  io.of("/private").use((socket, next) => {
    const error = new Error("not allowed");
    error.data = { code: 42 };
    next(error);
  });
}

function listen(port, restart) {
  const http = createServer();
  const io = new Server(http, { cors: { origin: "*" } });
  handlers(io, restart);
  return new Promise((resolve) => http.listen(port, "127.0.0.1", () => resolve({ http, io })));
}

const main = await listen(0);
const mainPort = main.http.address().port;

let restartable;
async function restart() {
  const port = restartable.http.address().port;
  restartable.io.close();
  restartable.http.closeAllConnections();
  await new Promise((resolve) => setTimeout(resolve, 500));
  restartable = await listen(port, restart);
}
restartable = await listen(0, restart);
const restartPort = restartable.http.address().port;

console.log(`MAIN=http://127.0.0.1:${mainPort}`);
console.log(`RESTART=http://127.0.0.1:${restartPort}`);

function stop() {
  main.io.close();
  restartable.io.close();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
