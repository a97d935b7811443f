// Turns the numbers from bench/run.mjs into bench/results.json and bench/results.md, and measures
// download sizes. Every ratio is a ratio of costs (time per event, per round trip, per connect):
// 2.00× means twice the time of the reference, below 1 means faster. Ratios compare medians.
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const NAMES = { wasm: "socketio-wasm", sioc: "socket.io-client", floor: "raw WebSocket" };

// ---- sizes -----------------------------------------------------------------------------------

function measure(root, file) {
  const data = readFileSync(join(root, file));
  return {
    file,
    raw: data.length,
    gzip: gzipSync(data, { level: 9 }).length,
    brotli: brotliCompressSync(data, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
    }).length,
  };
}

const total = (files, name) => ({
  file: name,
  raw: files.reduce((s, f) => s + f.raw, 0),
  gzip: files.reduce((s, f) => s + f.gzip, 0),
  brotli: files.reduce((s, f) => s + f.brotli, 0),
});

// What a page downloads for each client: for socketio-wasm the wasm and the ES module entry (one
// bundle since issue 11), each compressed on its own.
export function sizes(root) {
  const wasmFiles = ["pkg/socketio_wasm_bg.wasm", "pkg/index.js"].map((f) => measure(root, f));
  const sioc = ["socket.io.min.js", "socket.io.esm.min.js"].map((f) =>
    measure(root, `node_modules/socket.io-client/dist/${f}`),
  );
  return { wasm: [...wasmFiles, total(wasmFiles, "socketio-wasm total")], sioc };
}

// ---- ratios ----------------------------------------------------------------------------------

// The cost ratio a ÷ b for one cell, or null when either side has no number.
function costRatio(cell, a, b, key) {
  const x = cell.clients[a]?.[key]?.median;
  const y = cell.clients[b]?.[key]?.median;
  if (!x || !y) return null;
  return key === "rate" ? y / x : x / y; // a rate is the inverse of a cost
}

function addRatios(cell) {
  const keys = Object.keys(Object.values(cell.clients).find((e) => Object.keys(e).some((k) => e[k]?.median)) ?? {});
  cell.ratios = {};
  for (const key of keys.filter((k) => !["unsupported", "error"].includes(k))) {
    cell.ratios[key] = {
      wasmToFloor: costRatio(cell, "wasm", "floor", key),
      siocToFloor: costRatio(cell, "sioc", "floor", key),
      wasmToSioc: costRatio(cell, "wasm", "sioc", key),
      wasmToBase: costRatio(cell, "wasm", "base", key),
    };
  }
}

// ---- markdown --------------------------------------------------------------------------------

const int = (v) => Math.round(v).toLocaleString("en-US");
const ms = (v) => (v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3));
const kb = (v) => `${(v / 1024).toLocaleString("en-US", { maximumFractionDigits: 1 })} KB`;
const ratio = (v) => (v == null ? "–" : `${v.toFixed(2)}×`);

function value(entry, key, fmt) {
  if (!entry) return "–";
  if (entry.unsupported) return "unsupported";
  const s = entry[key];
  if (!s) return entry.error ? "error" : "–";
  if (fmt(s.min) === fmt(s.max)) return fmt(s.median);
  return `${fmt(s.median)} <sub>${fmt(s.min)}–${fmt(s.max)}</sub>`;
}

function table(head, rows, textColumns = 2) {
  return [
    `| ${head.join(" | ")} |`,
    `| ${head.map((h, i) => (i < textColumns ? "---" : "---:")).join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

const RATIO_HEAD = ["wasm ÷ floor", "sioc ÷ floor", "wasm ÷ sioc"];
const ratioCells = (cell, key) => {
  const r = cell.ratios[key] ?? {};
  return [ratio(r.wasmToFloor), ratio(r.siocToFloor), ratio(r.wasmToSioc)];
};

function throughputTable(cells, workload) {
  const rows = cells
    .filter((c) => c.workload === workload)
    .map((c) => [
      c.mode,
      `${c.size} ×${int(c.n)}`,
      ...["wasm", "sioc", "floor"].map((k) => value(c.clients[k], "rate", int)),
      ...ratioCells(c, "rate"),
    ]);
  return table(["server", "payload", "socketio-wasm", "socket.io-client", "raw WebSocket", ...RATIO_HEAD], rows);
}

function ackTable(cells) {
  const rows = cells
    .filter((c) => c.workload === "ack")
    .flatMap((c) =>
      ["p50", "p99"].map((key) => [
        c.mode,
        key,
        ...["wasm", "sioc", "floor"].map((k) => value(c.clients[k], key, ms)),
        ...ratioCells(c, key),
      ]),
    );
  return table(["server", "", "socketio-wasm", "socket.io-client", "raw WebSocket", ...RATIO_HEAD], rows);
}

// socketio-wasm against the baseline build (BENCH_BASELINE), cell by cell.
function baselineTable(cells) {
  const keyed = { receive: ["rate"], emit: ["rate"], ack: ["p50", "p99"], connect: ["ms"] };
  const rows = cells
    .filter((c) => c.clients.base && keyed[c.workload])
    .flatMap((c) =>
      keyed[c.workload].map((key) => {
        const fmt = key === "rate" ? int : ms;
        const what = c.workload === "ack" ? key : c.size ? `${c.size} ×${int(c.n)}` : "";
        return [c.workload, c.mode, what, value(c.clients.wasm, key, fmt), value(c.clients.base, key, fmt), ratio(c.ratios[key]?.wasmToBase)];
      }),
    );
  return table(["workload", "server", "", "socketio-wasm", "baseline", "wasm ÷ baseline"], rows, 3);
}

function connectTable(cells) {
  const rows = cells
    .filter((c) => c.workload === "connect")
    .map((c) => [
      c.mode,
      c.mode.includes("polling") ? "polling, then upgrade" : "websocket",
      ...["wasm", "sioc", "floor"].map((k) => value(c.clients[k], "ms", ms)),
      ...ratioCells(c, "ms"),
    ]);
  return table(["server", "transport", "socketio-wasm", "socket.io-client", "raw WebSocket", ...RATIO_HEAD], rows);
}

function memoryTable(memory) {
  const rows = [];
  for (const m of memory) {
    const what = m.kind === "events" ? `${int(m.n)} events received` : `${int(m.n)} connect/disconnect cycles`;
    for (const c of ["wasm", "sioc", "floor"]) {
      const e = m.clients[c];
      if (!e?.jsGrowth) {
        rows.push([what, NAMES[c], e?.error ?? "error", "", "", "", "", "", ""]);
        continue;
      }
      const wasm = c === "wasm";

      rows.push([
        what,
        NAMES[c],
        kb(e.jsBefore.median),
        kb(e.jsAfter.median),
        value(e, "jsGrowth", kb),
        wasm ? kb(e.wasmBefore.median) : "–",
        wasm ? kb(e.wasmAfter.median) : "–",
        wasm ? value(e, "wasmGrowth", kb) : "–",
        value(e, "secondHalfPerOp", (v) => `${Math.round(v).toLocaleString("en-US")} B`),
      ]);
    }
  }
  return table(
    ["workload", "client", "JS heap before", "JS heap after", "JS growth", "wasm memory before", "wasm memory after", "wasm growth", "2nd half: growth per event / cycle"],
    rows,
  );
}

function sizeTable(size) {
  const rows = [...size.wasm, ...size.sioc].map((f) => [
    f.file.startsWith("node_modules/") ? `socket.io-client \`dist/${f.file.split("/").pop()}\`` : f.file,
    int(f.raw),
    int(f.gzip),
    int(f.brotli),
  ]);
  const ours = size.wasm[size.wasm.length - 1];
  const esm = size.sioc.find((f) => f.file.endsWith("esm.min.js"));
  rows.push([
    "socketio-wasm total ÷ socket.io.esm.min.js",
    ...["raw", "gzip", "brotli"].map((k) => `${(ours[k] / esm[k]).toFixed(2)}×`),
  ]);
  return table(["file", "raw (bytes)", "gzip -9", "brotli"], rows, 1);
}

function notes(results) {
  const out = [];
  for (const cell of [...results.cells, ...results.memory]) {
    for (const [c, e] of Object.entries(cell.clients)) {
      const where = `${cell.workload}${cell.mode ? ` / ${cell.mode}` : ""}${cell.size ? ` / ${cell.size}` : ""}${cell.kind ? ` / ${cell.kind}` : ""}`;
      if (e.unsupported) out.push(`- ${where}: ${NAMES[c]} unsupported (${e.unsupported}).`);
      else if (e.error) out.push(`- ${where}: ${NAMES[c]} failed ${e.rate || e.ms || e.p50 ? "in some rounds" : "every round"}: ${e.error}`);
    }
  }
  for (const seen of results.console ?? []) {
    const text = seen.text.length > 200 ? `${seen.text.slice(0, 200)}…` : seen.text;
    out.push(
      `- ${NAMES[seen.client]}, ${seen.kind} ×${seen.count} (in ${seen.cells.join("; ")}): \`${text.replace(/`/g, "'")}\``,
    );
  }
  return out;
}

export function markdown(results) {
  const { machine: m, config: cfg } = results;
  const cells = results.cells;
  const noteLines = notes(results);
  return `# socketio-wasm browser benchmark${results.quick ? " (--quick smoke run)" : ""}

Generated by \`npm run bench\` (bench/run.mjs) on ${m.date}, ${results.durationSec} s in all.

| machine | |
| --- | --- |
| CPU | ${m.cpu} |
| cores | ${m.cores} |
| kernel | ${m.kernel} |
| Chromium | ${m.chromium} (headless) |
| node | ${m.node} |
| socket.io server / socket.io-client | ${m.socketIoServer} / ${m.socketIoClient} |
| socketio-wasm commit | ${m.commit} |

**Clients**: socketio-wasm (pkg/, release build); socket.io-client ${m.socketIoClient}
(\`dist/socket.io.esm.min.js\`); raw WebSocket, the floor: a bare \`WebSocket\` with
\`JSON.parse\`/\`JSON.stringify\` and the same frames (bench/page/floor-client.js). Each client runs
in its own browser context; every cell runs the clients in turn, order rotating, after one
warm-up run each, and each run starts right after a forced GC of its page. Numbers are the median
of the rounds, with the min–max spread in small print.

**Servers**: *socket.io* is a real socket.io ${m.socketIoServer} server (in-process, loopback);
*minimal ws* a bare \`ws\` server that does the Engine.IO/Socket.IO handshake and then sends
pre-encoded frames as fast as the socket takes them, so the client is the bottleneck; *in-page
fake* replaces \`window.WebSocket\` in that page with a fake that answers in a later task, with no
network at all: the client alone. The floor client never talks to socket.io: in the network rows it
uses the floor server (same frames, no Engine.IO layer), in the fake rows the fake.

**Ratios** are cost ratios of medians: time per event, per round trip or per connect, relative to
the reference. 2.00× = twice the time; below 1 = faster. *wasm ÷ sioc* is socketio-wasm against
socket.io-client.

## Receive throughput (events/s, higher is better)

The server sends N events \`"ev"\` as fast as it can; timed in the page from the request to the
Nth event. ${cfg.rounds} rounds over the network, ${cfg.fakeRounds} with the fake (where the
warm-up is a full run). Payloads: small = 56-byte JSON object, 1k = ~1 KB object, 64k = ~64 KB
object, bin64k = a 64 KB ArrayBuffer (one binary attachment). Polling
(\`transports: ["polling"]\`) runs only against the real server, which compresses its responses
(its default); it has no floor.

${throughputTable(cells, "receive")}

## Emit throughput (events/s, higher is better)

The client emits N events in a loop; timed from the first emit until the server (or the fake) has
counted all N and its \`"done"\` event arrives. ${cfg.rounds} rounds over the network,
${cfg.fakeRounds} with the fake.

${throughputTable(cells, "emit")}

## Ack round trip (ms, lower is better)

${int(cfg.acks)} sequential \`await socket.emitWithAck("ack", i)\`; the server acknowledges at once.
p50 and p99 of each round; ${cfg.ackRounds} rounds.

${ackTable(cells)}

## Connect time (ms, lower is better)

From \`io(url, opts)\` to the \`connect\` event (a new Manager each time: \`forceNew\`), then
disconnect; ${cfg.connects} connects a round, the round's median kept; ${cfg.connectRounds} rounds.
The floor's connect is WebSocket open plus the namespace CONNECT round trip (\`40\` → \`40{sid}\`).

${connectTable(cells)}

## Memory (after GC, lower is better)

Fresh page per measurement: the client is loaded and warmed up, the heap is read after a forced
GC (CDP \`HeapProfiler.collectGarbage\`, \`Runtime.getHeapUsage\`), the workload runs in two
halves, and the heap is read again after GC halfway and at the end. Events: one socket kept
connected to the in-page fake receives ${int(cfg.memEvents)} small events. Cycles:
${int(cfg.memCycles)} × (new socket to the socket.io server over WebSocket, connect, disconnect,
drop it); as in typical app code, the socket's \`connect\` listener closes over the socket itself.
wasm memory is the size of the wasm \`Memory\` (captured by wrapping \`WebAssembly.instantiate*\`);
it never shrinks, so its growth is a high-water mark. The last column is the JS + wasm growth over
the second half divided by its events or cycles: near 0 when the first half only filled caches,
steady when something is kept per event or cycle. ${cfg.memRounds} round(s), median with spread.

${memoryTable(results.memory)}

## Download size (bytes)

${sizeTable(results.size)}
${m.baseline ? `
## Against the baseline build

The same cells, socketio-wasm (pkg/) against another build of it run beside it in the same cells
(\`BENCH_BASELINE=${m.baseline}\`): cost ratios of medians, below 1 = this build is faster.

${baselineTable(cells)}
` : ""}${noteLines.length ? `\n## Notes\n\n${noteLines.join("\n")}\n` : ""}`;
}

// Writes results.json and results.md into `dir` (with an optional suffix: ".quick").
// `node bench/report.mjs [results.json]` re-renders the markdown from a saved run.
export function writeReport(results, dir, suffix = "") {
  for (const cell of results.cells) addRatios(cell);
  const json = join(dir, `results${suffix}.json`);
  const md = join(dir, `results${suffix}.md`);
  writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(md, markdown(results));
  return [json, md];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const file = process.argv[2] ?? new URL("results.json", import.meta.url).pathname;
  const results = JSON.parse(readFileSync(file, "utf8"));
  writeFileSync(file.replace(/\.json$/, ".md"), markdown(results));
}
