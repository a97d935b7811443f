// `npm run bench` (scripts/bench.sh builds pkg/ first): socketio-wasm against socket.io-client 4.8
// and against a bare WebSocket client (the floor), in one headless Chromium, one run.
//
//   node bench/run.mjs [--quick]
//
// Every workload cell runs each client in turn, several rounds, the order rotating each round so
// no client always goes first; one unrecorded warm-up run per client comes before. Each client has
// its own browser context and page (its own renderer heap). The median round is reported with the
// spread, and the ratios to the floor and between the two Socket.IO clients.
// Writes bench/results.json and bench/results.md (--quick writes *.quick.* beside them).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cpus, release } from "node:os";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../scripts/chromium.mjs";
import { sizes, writeReport } from "./report.mjs";
import { startServers } from "./servers.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const quick = process.argv.includes("--quick");

// Sized so the full run stays well under 15 minutes on 2 cores; --quick is a smoke test.
const CONFIG = quick
  ? {
      rounds: 2,
      fakeRounds: 2,
      n: {
        network: { small: 2000, "1k": 500, "64k": 30, bin64k: 30 },
        fake: { small: 5000, "1k": 2000, "64k": 50, bin64k: 1000 },
      },
      acks: 500,
      ackRounds: 2,
      connects: 10,
      connectRounds: 2,
      memEvents: 5000,
      memCycles: 20,
      memRounds: 1,
      timeoutMs: 30000,
    }
  : {
      rounds: 5,
      // Over the network Chromium's own WebSocket path costs ~0.1-0.2 ms a message on this VM;
      // the fake is far cheaper, so its cells get more events and rounds (and a full-size
      // warm-up) to last long enough to be measured.
      fakeRounds: 9,
      n: {
        network: { small: 20000, "1k": 5000, "64k": 300, bin64k: 300 },
        fake: { small: 100000, "1k": 30000, "64k": 600, bin64k: 20000 },
      },
      acks: 10000,
      ackRounds: 3,
      connects: 50,
      connectRounds: 3,
      memEvents: 100000,
      memCycles: 200,
      memRounds: 3,
      timeoutMs: 120000,
    };
const SIZES = ["small", "1k", "64k", "bin64k"];
// With BENCH_BASELINE=dir (another build of pkg/, e.g. main's before a change), that build runs
// too, as "base", in every throughput, ack and connect cell, and the report compares the two.
const BASELINE = process.env.BENCH_BASELINE;
const CLIENTS = ["wasm", "sioc", "floor", ...(BASELINE ? ["base"] : [])];
const MEMORY_CLIENTS = ["wasm", "sioc", "floor"];

const log = (...args) => console.log(...args);
const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const summary = (values) => ({
  median: median(values),
  min: Math.min(...values),
  max: Math.max(...values),
  rounds: values,
});

// ---- browser pages -------------------------------------------------------------------------

// What the pages said on the console, deduplicated (ids, ports and numbers blanked) and counted;
// the first of each kind is printed as it happens, all go into the report.
const consoleSeen = new Map();
let currentCell = "";
function note(client, kind, text) {
  const key = `${client} | ${kind}: ${text.replace(/sid=[\w-]+/g, "sid=…").replace(/\d+/g, "N")}`;
  const seen = consoleSeen.get(key) ?? { client, kind, text, count: 0, cells: new Set() };
  if (seen.count === 0) log(`  [${client}] ${kind}: ${text}`);
  seen.count++;
  seen.cells.add(currentCell);
  consoleSeen.set(key, seen);
}

let browser;
let baseUrl;
const pages = new Map(); // "client:fake" -> page
const cdps = new Map(); // page -> its CDP session

async function newPage(client, fake) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("pageerror", (err) => note(client, "page error", err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error" || msg.type() === "warning") note(client, `console ${msg.type()}`, msg.text());
  });
  await page.goto(`${baseUrl}/page/index.html?client=${client}${fake ? "&fake=1" : ""}`);
  await page.waitForFunction(() => window.bench?.ready === true, null, { timeout: 30000 });
  return page;
}

async function pageFor(client, fake) {
  const key = `${client}:${fake}`;
  if (!pages.has(key)) {
    const page = await newPage(client, fake);
    pages.set(key, page);
    cdps.set(page, await page.context().newCDPSession(page));
  }
  return pages.get(key);
}

async function dropPage(client, fake) {
  const key = `${client}:${fake}`;
  const page = pages.get(key);
  pages.delete(key);
  cdps.delete(page);
  await page?.context().close().catch(() => {});
}

// Runs window.bench[fn](arg) in the client's page; an exception becomes {error}, and the page is
// replaced so a broken connection cannot leak into the next run.
async function run(client, fake, fn, arg) {
  const page = await pageFor(client, fake);
  try {
    // Every run starts from a collected heap, so no run pays for garbage left by the previous one.
    await cdps.get(page).send("HeapProfiler.collectGarbage");
    return await page.evaluate(([f, a]) => window.bench[f](a), [fn, arg]);
  } catch (err) {
    await dropPage(client, fake);
    return { error: String(err.message ?? err).split("\n")[0] };
  }
}

// ---- targets ---------------------------------------------------------------------------------

// Where each client connects in each mode. The floor never talks to socket.io: in both network
// modes it uses the floor server, in fake mode the fake's floor peer.
let servers;
function target(mode) {
  const ws = { transports: ["websocket"] };
  switch (mode) {
    case "socket.io":
      return { fake: false, url: servers.sioUrl, opts: ws, floorUrl: servers.floorUrl };
    case "socket.io polling":
      return { fake: false, url: servers.sioUrl, opts: { transports: ["polling"] }, floorUrl: null };
    case "socket.io polling+upgrade":
      return { fake: false, url: servers.sioUrl, opts: {}, floorUrl: null };
    case "minimal ws":
      return { fake: false, url: servers.miniUrl, opts: ws, floorUrl: servers.floorUrl };
    case "in-page fake":
      return { fake: true, url: "http://fake.invalid", opts: ws, floorUrl: "ws://fake.invalid/floor" };
    default:
      throw new Error(mode);
  }
}

// ---- workload cells --------------------------------------------------------------------------

// One cell: every client (that applies) × rounds, interleaved. `value` picks the number(s) kept
// from one run's result.
async function cell({ workload, mode, size, n, rounds, fn, arg, values, warmN }) {
  const t = target(mode);
  const clients = CLIENTS.filter((c) => c !== "floor" || t.floorUrl);
  const base = { target: { url: t.url, opts: t.opts, floorUrl: t.floorUrl }, size, timeoutMs: CONFIG.timeoutMs };
  const label = `${workload} | ${mode}${size ? ` | ${size}` : ""}`;
  currentCell = label;
  const started = Date.now();
  const out = {};
  for (const c of clients) out[c] = { runs: [] };
  for (const c of clients) await run(c, t.fake, fn, { ...base, ...arg, n: warmN }); // warm-up
  for (let r = 0; r < rounds; r++) {
    const order = clients.map((_, i) => clients[(i + r) % clients.length]);
    for (const c of order) {
      if (out[c].unsupported || out[c].errors >= 2) continue;
      const res = await run(c, t.fake, fn, { ...base, ...arg, n });
      if (res.unsupported) out[c].unsupported = res.unsupported;
      else if (res.error) {
        out[c].errors = (out[c].errors ?? 0) + 1;
        out[c].error = res.error;
        log(`  ${label}: ${c}: ${res.error}`);
      } else out[c].runs.push(values(res));
    }
  }
  const result = { workload, mode, size: size ?? null, n, clients: {} };
  for (const c of clients) {
    const { runs, unsupported, error } = out[c];
    const entry = {};
    if (unsupported) entry.unsupported = unsupported;
    if (error) entry.error = error;
    if (runs.length) {
      for (const key of Object.keys(runs[0])) entry[key] = summary(runs.map((v) => v[key]));
    }
    result.clients[c] = entry;
  }
  const brief = clients
    .map((c) => {
      const e = result.clients[c];
      const key = Object.keys(e).find((k) => e[k]?.median !== undefined);
      return `${c}=${key ? `${+e[key].median.toPrecision(4)} ${key}` : (e.unsupported ? "unsupported" : "error")}`;
    })
    .join("  ");
  log(`${label.padEnd(44)} ${brief}  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return result;
}

const warm = (n) => Math.max(10, Math.round(n / 10));

async function throughputCells() {
  const cells = [];
  const rate = (r) => ({ rate: r.rate });
  const plan = (workload, fn, modes) =>
    modes.flatMap((mode) =>
      SIZES.map((size) => {
        const fake = mode === "in-page fake";
        const n = CONFIG.n[fake ? "fake" : "network"][size];
        const rounds = fake ? CONFIG.fakeRounds : CONFIG.rounds;
        return { workload, mode, size, n, rounds, fn, arg: {}, values: rate, warmN: fake ? n : warm(n) };
      }),
    );
  for (const spec of [
    ...plan("receive", "recv", ["socket.io", "socket.io polling", "minimal ws", "in-page fake"]),
    ...plan("emit", "emit", ["socket.io", "minimal ws", "in-page fake"]),
  ]) {
    cells.push(await cell(spec));
  }
  return cells;
}

async function ackCells() {
  const cells = [];
  // A round trip is latency, not throughput: the real server and the client alone say enough.
  for (const mode of ["socket.io", "in-page fake"]) {
    cells.push(
      await cell({
        workload: "ack",
        mode,
        n: CONFIG.acks,
        rounds: CONFIG.ackRounds,
        fn: "ack",
        arg: {},
        values: (r) => ({ p50: r.p50, p99: r.p99 }),
        warmN: warm(CONFIG.acks),
      }),
    );
  }
  return cells;
}

async function connectCells() {
  const cells = [];
  for (const mode of ["socket.io", "socket.io polling+upgrade", "minimal ws", "in-page fake"]) {
    cells.push(
      await cell({
        workload: "connect",
        mode,
        n: CONFIG.connects,
        rounds: CONFIG.connectRounds,
        fn: "connect",
        arg: {},
        values: (r) => ({ ms: r.median }),
        warmN: 3,
      }),
    );
  }
  return cells;
}

// ---- memory ----------------------------------------------------------------------------------

// JS heap in use after a full GC (twice, with a pause for finalizers that free wasm objects),
// and the wasm Memory size, read through the page's own CDP session.
async function heap(page, cdp) {
  for (let i = 0; i < 2; i++) {
    await cdp.send("HeapProfiler.collectGarbage");
    await page.waitForTimeout(100);
  }
  const { usedSize } = await cdp.send("Runtime.getHeapUsage");
  const wasm = await page.evaluate(() => window.bench.wasmMemoryBytes());
  return { js: usedSize, wasm };
}

// Each measurement in a fresh page: heap at the start (client loaded, warmed up), halfway, and
// after the work, each after GC. The second half's growth tells a leak (grows on) from caches
// and JIT code filling up once (flat). Events come from the in-page fake (fast, and nothing but
// the client allocates for them); cycles go to the real socket.io server.
async function memoryOnce(client, kind) {
  const page = await newPage(client, kind === "events");
  const cdp = await page.context().newCDPSession(page);
  try {
    const call = (fn, arg) => page.evaluate(([f, a]) => window.bench[f](a), [fn, arg]);
    let work;
    if (kind === "events") {
      await call("hold", { target: target("in-page fake") });
      work = (n) => call("holdRecv", { n, size: "small", timeoutMs: CONFIG.timeoutMs });
      await work(1000);
    } else {
      work = (n) => call("cycles", { target: target("socket.io"), n });
      await work(5);
    }
    const n = kind === "events" ? CONFIG.memEvents : CONFIG.memCycles;
    const before = await heap(page, cdp);
    await work(n / 2);
    const half = await heap(page, cdp);
    await work(n / 2);
    const after = await heap(page, cdp);
    return { before, half, after };
  } catch (err) {
    return { error: String(err.message ?? err).split("\n")[0] };
  } finally {
    await page.context().close();
  }
}

async function memoryCells() {
  const cells = [];
  for (const kind of ["events", "cycles"]) {
    const started = Date.now();
    currentCell = `memory | ${kind}`;
    const runs = Object.fromEntries(MEMORY_CLIENTS.map((c) => [c, []]));
    const errors = {};
    for (let r = 0; r < CONFIG.memRounds; r++) {
      for (let i = 0; i < MEMORY_CLIENTS.length; i++) {
        const c = MEMORY_CLIENTS[(i + r) % MEMORY_CLIENTS.length];
        const res = await memoryOnce(c, kind);
        if (res.error) {
          errors[c] = res.error;
          log(`  memory ${kind}: ${c}: ${res.error}`);
        } else runs[c].push(res);
      }
    }
    const n = kind === "events" ? CONFIG.memEvents : CONFIG.memCycles;
    const clients = {};
    for (const c of MEMORY_CLIENTS) {
      const rs = runs[c];
      if (!rs.length) {
        clients[c] = { error: errors[c] };
        continue;
      }
      const pick = (f) => summary(rs.map(f));
      clients[c] = {
        jsBefore: pick((x) => x.before.js),
        jsAfter: pick((x) => x.after.js),
        jsGrowth: pick((x) => x.after.js - x.before.js),
        wasmBefore: pick((x) => x.before.wasm),
        wasmAfter: pick((x) => x.after.wasm),
        wasmGrowth: pick((x) => x.after.wasm - x.before.wasm),
        // JS + wasm growth over the second half, per event or cycle.
        secondHalfPerOp: pick((x) => (x.after.js + x.after.wasm - x.half.js - x.half.wasm) / (n / 2)),
      };
    }
    cells.push({ workload: "memory", kind, n, clients });
    const kb = (v) => `${(v / 1024).toFixed(0)} KB`;
    log(
      `memory | ${kind} x${n}`.padEnd(44),
      MEMORY_CLIENTS.map((c) => `${c}=js ${clients[c].jsGrowth ? kb(clients[c].jsGrowth.median) : "error"}` +
        (clients[c].wasmGrowth ? ` wasm ${kb(clients[c].wasmGrowth.median)}` : "") +
        (clients[c].secondHalfPerOp ? ` (2nd half ${clients[c].secondHalfPerOp.median.toFixed(0)} B/op)` : "")).join("  "),
      `(${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
  }
  return cells;
}

// ---- machine ---------------------------------------------------------------------------------

function machine(chromiumVersion) {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const model = cpuinfo.match(/^model name\s*:\s*(.+)$/m)?.[1] ?? cpus()[0]?.model ?? "unknown";
  const version = (pkg) => JSON.parse(readFileSync(`${ROOT}/node_modules/${pkg}/package.json`, "utf8")).version;
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {}
  return {
    cpu: model,
    cores: cpus().length,
    kernel: release(),
    chromium: chromiumVersion,
    node: process.version,
    socketIoServer: version("socket.io"),
    socketIoClient: version("socket.io-client"),
    commit,
    baseline: BASELINE ?? null,
    date: new Date().toISOString(),
  };
}

// ---- main ------------------------------------------------------------------------------------

async function main() {
  if (!existsSync(`${ROOT}/pkg/socketio_wasm_bg.wasm`)) {
    throw new Error("pkg/ is not built: run `bash scripts/build.sh` (or `npm run bench`)");
  }
  const started = Date.now();
  servers = await startServers();
  baseUrl = servers.sioUrl;
  browser = await launchChromium();
  const results = { quick, config: CONFIG, machine: machine(browser.version()) };
  log(`bench${quick ? " --quick" : ""}: ${results.machine.cpu}, ${results.machine.cores} cores, Chromium ${results.machine.chromium}, node ${process.version}`);
  try {
    results.size = sizes(ROOT);
    results.cells = [
      ...(await throughputCells()),
      ...(await ackCells()),
      ...(await connectCells()),
    ];
    for (const key of [...pages.keys()]) await dropPage(...key.split(":").map((v, i) => (i ? v === "true" : v)));
    results.memory = await memoryCells();
  } finally {
    await browser.close();
    await servers.close();
  }
  results.durationSec = Math.round((Date.now() - started) / 1000);
  results.console = [...consoleSeen.values()].map((v) => ({ ...v, cells: [...v.cells] }));
  const files = writeReport(results, `${ROOT}/bench`, quick ? ".quick" : "");
  log(`done in ${results.durationSec} s: ${files.join(", ")}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
