// Hostile input: a server (tests/api/hostile-server.mjs) that sends what a real one never would,
// over WebSocket and over long-polling. For each case the client must end in a clear state (a
// `connect_error`, a `disconnect` with socket.io-client's reason, or the bad packet ignored while
// the connection keeps working), never panic (no wasm `unreachable` / RuntimeError on the page)
// and never hang; and the page must then reach a good server with `io()` and echo.
// Where socket.io-client and socketio-wasm differ in a way that harms nobody (an absurd
// `pingInterval`: socket.io-client's timer overflows and it times out at once, socketio-wasm
// keeps the connection), the test asserts what both do: an outcome, no crash, a working page.
//
//   API_CLIENT=reference node --test tests/api/hostile.test.mjs   # socket.io-client 4.8
//   node --test tests/api/hostile.test.mjs                        # socketio-wasm (pkg/)
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { IS_REFERENCE, IS_WASM, serveBasics, startIoServer, useBrowser } from "./harness.mjs";
import { answerConnect, startHostileServer } from "./hostile-server.mjs";

const browser = useBrowser();
const BOTH = ["websocket", "polling"];
const placeholder = (num) => `{"_placeholder":true,"num":${num}}`;
const BIG_LENGTH = 50 * 1024 * 1024;

/** Sends `packets` (strings: text packets; else binary attachments) on `session`. */
function sendAll(session, packets) {
  for (const packet of packets) {
    if (typeof packet === "string") session.send(packet);
    else session.sendBinary(packet);
  }
}

// The hostile part comes once the client is connected and has emitted "probe", in place of or
// before the "probe-reply" (so that it travels on its own, after the CONNECT reply).
/** A scenario that answers the probe with `packets`, then "probe-reply". */
function onProbe(...packets) {
  return then((session) => sendAll(session, packets));
}

/** A scenario that answers the probe by calling `hostile(session)`, then "probe-reply". */
function then(hostile) {
  return {
    probe(session) {
      hostile(session);
      session.send('42["probe-reply"]');
    },
  };
}

// What the client must do: "closes" (disconnect or connect_error, with one of `reasons` when
// given), "ignores" (the probe emitted after connecting is answered and nothing closes), or
// "survives" (any outcome at all: connected, closed or refused, as long as it is one).
const CASES = [
  // Truncated packets and unknown packet types.
  { name: "truncated-event", transports: BOTH, scenario: onProbe('42["unterminated'), expect: "closes", reasons: ["parse error"] },
  { name: "truncated-header", transports: BOTH, scenario: onProbe("45"), expect: "closes", reasons: ["parse error"] },
  { name: "empty-message", transports: BOTH, scenario: onProbe("4"), expect: "closes", reasons: ["parse error"] },
  { name: "unknown-socketio-type", transports: BOTH, scenario: onProbe('49["x"]'), expect: "closes", reasons: ["parse error"] },
  { name: "unknown-engineio-type", transports: BOTH, scenario: onProbe("9hello"), expect: "closes", reasons: ["parse error", "transport error"] },
  { name: "empty-frame", transports: ["websocket"], scenario: onProbe(""), expect: "closes", reasons: ["parse error", "transport error"] },
  // Bad JSON.
  { name: "bad-json-array", transports: BOTH, scenario: onProbe('42["a",]'), expect: "closes", reasons: ["parse error"] },
  { name: "bad-json-object", transports: BOTH, scenario: onProbe('42{"a":1'), expect: "closes", reasons: ["parse error"] },
  // Binary packets that do not add up.
  {
    name: "placeholder-out-of-range",
    transports: BOTH,
    scenario: onProbe(`451-["bin",${placeholder(3)}]`, [1, 2, 3]),
    expect: "closes",
    reasons: ["parse error"],
  },
  {
    name: "placeholder-number-as-string",
    transports: BOTH,
    scenario: onProbe(`451-["bin",{"_placeholder":true,"num":"0"}]`, [1]),
    expect: "closes",
    reasons: ["parse error"],
  },
  {
    name: "more-attachments-than-announced",
    transports: BOTH,
    scenario: onProbe(`451-["bin",${placeholder(0)}]`, [1], [2]),
    expect: "closes",
    reasons: ["parse error"],
  },
  { name: "attachment-without-header", transports: BOTH, scenario: onProbe([1, 2, 3]), expect: "closes", reasons: ["parse error"] },
  {
    name: "fewer-attachments-than-announced",
    transports: BOTH,
    scenario: onProbe(`452-["bin",${placeholder(0)},${placeholder(1)}]`, [1]),
    expect: "closes",
    reasons: ["parse error"],
  },
  // A 50 MB frame: delivered or refused, but handled.
  { name: "huge-frame", transports: BOTH, scenario: then((s) => s.send(`42["big","${"x".repeat(BIG_LENGTH)}"]`)), expect: "survives" },
  // Invalid UTF-8: the browser fails the WebSocket; XMLHttpRequest decodes it with U+FFFD.
  {
    name: "invalid-utf8",
    transports: ["websocket"],
    scenario: then((s) => s.rawFrame(Buffer.concat([Buffer.from('42["utf","'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"]')]))),
    expect: "closes",
    reasons: ["transport close", "transport error"],
  },
  {
    name: "invalid-utf8-body",
    transports: ["polling"],
    scenario: then((s) => s.rawBody(Buffer.concat([Buffer.from('42["utf","'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"]')]))),
    expect: "survives",
  },
  // Answers to questions never asked.
  { name: "connect-for-unknown-namespace", transports: BOTH, scenario: onProbe('40/never,{"sid":"zz"}'), expect: "ignores" },
  { name: "ack-for-unknown-id", transports: BOTH, scenario: onProbe("43999[1]", "4317[]"), expect: "ignores" },
  // Absurd open packets.
  ...[
    ["ping-interval-2pow53", { pingInterval: 2 ** 53 }],
    ["ping-interval-negative", { pingInterval: -1000 }],
    ["ping-interval-1e300", '{"sid":"x","upgrades":[],"pingInterval":1e300,"pingTimeout":20000,"maxPayload":1000000}'],
    ["ping-timeout-2pow53", { pingTimeout: 2 ** 53 }],
    ["max-payload-negative", { maxPayload: -1 }],
    ["max-payload-1e300", '{"sid":"x","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1e300}'],
    ["max-payload-zero", { maxPayload: 0 }],
  ].map(([name, open]) => ({ name, transports: BOTH, scenario: { open }, expect: "survives", hugeTimers: true })),
  // Polling bodies with the wrong separator (a newline, a comma, Engine.IO v3's length prefix).
  { name: "newline-separator", transports: ["polling"], scenario: then((s) => s.rawBody('42["a"]\n42["b"]')), expect: "closes", reasons: ["parse error"] },
  { name: "comma-separator", transports: ["polling"], scenario: then((s) => s.rawBody('42["a"],42["b"]')), expect: "closes", reasons: ["parse error"] },
  { name: "eio3-length-prefix", transports: ["polling"], scenario: then((s) => s.rawBody('7:42["a"]')), expect: "closes", reasons: ["parse error", "transport error"] },
  // A server that accepts and never answers: the `timeout` option ends the attempt.
  { name: "never-answers", transports: BOTH, scenario: { open: null }, expect: "closes", reasons: ["timeout"] },
];

let hostile;
let good;
before(async () => {
  hostile = await startHostileServer(Object.fromEntries(CASES.map((c) => [c.name, c.scenario])));
  good = await startIoServer({ setup: (io) => serveBasics(io) });
});
after(async () => {
  await hostile?.close();
  await good?.close();
});

/** Runs case `c` on `transport` in a fresh page; returns what the page saw. */
async function run(t, c, transport) {
  const page = await browser.open(t);
  return page.evaluate(
    async ({ url, goodUrl, name, transport }) => {
      // Every timer delay the page asks for: browsers fire one over 2^31 - 1 ms, or a negative
      // one (what a u32 delay over 2^31 - 1 becomes through gloo-timers' `as i32`), at once.
      const delays = [];
      const setTimeout = window.setTimeout;
      window.setTimeout = (fn, ms, ...args) => {
        delays.push(ms);
        return setTimeout(fn, ms, ...args);
      };
      const socket = io(url, { transports: [transport], reconnection: false, timeout: 2000, forceNew: true, query: { case: name } });
      const log = record(socket, ["connect", "connect_error", "disconnect", "probe-reply", "utf"]);
      record(socket.io, ["error", "close"], log);
      // A 50 MB argument is measured, not copied into the log.
      socket.on("big", (text) => log.push({ event: "big", length: text.length }));
      socket.on("connect", () => socket.emit("probe"));
      const ended = (e) => ["connect_error", "disconnect", "probe-reply"].includes(e.event);
      const outcome = await until(() => log.some(ended), 15000, "an outcome").then(
        () => "ok",
        () => "none",
      );
      // Whatever comes right after the outcome (a close after an ignored packet, say).
      await sleep(300);
      const state = { connected: socket.connected, active: socket.active };
      const seen = log.splice(0);
      socket.disconnect();
      window.setTimeout = setTimeout;
      // The page still works: a good server, a new connection, an echo.
      const fresh = io(goodUrl, { transports: [transport], forceNew: true });
      const echoed = Promise.race([
        new Promise((resolve) => fresh.on("echo", (value) => resolve(value))),
        sleep(8000).then(() => "no echo"),
      ]);
      fresh.emit("echo", "still-alive");
      const echo = await echoed;
      fresh.disconnect();
      return { outcome, log: seen, state, echo, hugeDelays: delays.filter((ms) => !(ms >= 0 && ms <= 2 ** 31 - 1)) };
    },
    { url: hostile.url, goodUrl: good.url, name: c.name, transport },
  ).then((result) => ({ ...result, errors: page.errors }));
}

const reasonOf = (entry) => {
  const [first] = entry.args;
  return typeof first === "string" ? first : first?.message;
};

for (const c of CASES) {
  for (const transport of c.transports) {
    test(`${c.name} over ${transport}`, { timeout: 45000 }, async (t) => {
      const r = await run(t, c, transport);
      const events = r.log.map((e) => `${e.event}${e.args ? `(${reasonOf(e) ?? ""})` : ""}`);
      const context = `${c.name} over ${transport}: ${events.join(", ")}`;
      // Never a panic nor an uncaught error.
      const crashes = r.errors.filter((e) => e.startsWith("page error") || /unreachable|RuntimeError|panicked/i.test(e));
      assert.deepEqual(crashes, [], context);
      // Never a hang.
      assert.equal(r.outcome, "ok", `no outcome within 15 s: ${context}`);
      assert.equal(r.echo, "still-alive", `the page could not echo through a good server afterwards: ${context}`);
      const closings = r.log.filter((e) => e.event === "disconnect" || e.event === "connect_error");
      if (c.expect === "closes") {
        assert.ok(closings.length > 0, `expected a disconnect or connect_error: ${context}`);
        assert.ok(
          closings.some((e) => c.reasons.includes(reasonOf(e))),
          `expected ${c.reasons.join(" or ")}: ${context}`,
        );
        assert.equal(r.state.connected, false, context);
      } else if (c.expect === "ignores") {
        assert.ok(r.log.some((e) => e.event === "probe-reply"), `the probe was not answered: ${context}`);
        assert.deepEqual(closings, [], context);
        assert.equal(r.state.connected, true, context);
      }
      if (c.name === "huge-frame") {
        const big = r.log.find((e) => e.event === "big");
        assert.ok(big === undefined || big.length === BIG_LENGTH, context);
      }
      // socket.io-client hands setTimeout whatever pingInterval + pingTimeout adds up to; the
      // browser fires such a timer at once (it times the connection out). socketio-wasm clamps
      // its delays to 0..=2^31 - 1 ms.
      if (c.hugeTimers && IS_WASM) assert.deepEqual(r.hugeDelays, [], context);
      if (IS_REFERENCE) t.diagnostic(context);
    });
  }
}
