// `npm run size`: what a page downloads, raw, gzip -9 and brotli (quality 11), for each way of
// loading socketio-wasm (the wasm plus one entry: the ES module or the classic script; the
// WebSocket-only and minimal builds' wasm plus their ES module), beside socket.io-client 4.8's
// own files. `--check` fails when a total grew past its budget (scripts/size-budget.json, one per
// toolchain the build used, nightly or stable: `page` for the full build's pages, `websocket`
// and `minimal` for those builds' pages).
import { readFileSync } from "node:fs";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const read = (path) => readFileSync(root + path);
const sizes = (bytes) => ({
  raw: bytes.length,
  gzip: gzipSync(bytes, { level: 9 }).length,
  brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});
const sum = (a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli });

const files = Object.fromEntries(
  [
    "pkg/socketio_wasm_bg.wasm",
    "pkg/index.js",
    "pkg/socketio-wasm.js",
    "pkg/websocket/socketio_wasm_bg.wasm",
    "pkg/websocket/index.js",
    "pkg/minimal/socketio_wasm_bg.wasm",
    "pkg/minimal/index.js",
  ].map((path) => [path, sizes(read(path))]),
);
const rows = Object.entries(files);
// Each total with the budget it is held to.
const totals = {
  "ES module page (wasm + index.js)": [sum(files["pkg/socketio_wasm_bg.wasm"], files["pkg/index.js"]), "page"],
  "classic page (wasm + socketio-wasm.js)": [sum(files["pkg/socketio_wasm_bg.wasm"], files["pkg/socketio-wasm.js"]), "page"],
  "WebSocket-only page (websocket/ wasm + index.js)": [
    sum(files["pkg/websocket/socketio_wasm_bg.wasm"], files["pkg/websocket/index.js"]),
    "websocket",
  ],
  "minimal page (minimal/ wasm + index.js)": [
    sum(files["pkg/minimal/socketio_wasm_bg.wasm"], files["pkg/minimal/index.js"]),
    "minimal",
  ],
};
const reference = {
  "socket.io-client socket.io.min.js": sizes(read("node_modules/socket.io-client/dist/socket.io.min.js")),
  "socket.io-client socket.io.esm.min.js": sizes(read("node_modules/socket.io-client/dist/socket.io.esm.min.js")),
};
const toolchain = readFileSync(root + "target/js/toolchain", "utf8").trim();

const line = (name, s) =>
  `${name.padEnd(50)} ${String(s.raw).padStart(9)} ${String(s.gzip).padStart(9)} ${String(s.brotli).padStart(9)}`;
console.log(`socketio-wasm, built on ${toolchain}`);
console.log(line("file", { raw: "raw", gzip: "gzip-9", brotli: "brotli" }));
for (const [name, s] of rows) console.log(line(name, s));
for (const [name, [s]] of Object.entries(totals)) console.log(line(name, s));
for (const [name, s] of Object.entries(reference)) console.log(line(name, s));
const [esm] = totals["ES module page (wasm + index.js)"];
const ref = reference["socket.io-client socket.io.min.js"];
console.log(`ES module page ÷ socket.io.min.js, gzip: ${(esm.gzip / ref.gzip).toFixed(2)}×`);

if (process.argv.includes("--check")) {
  const budget = JSON.parse(readFileSync(root + "scripts/size-budget.json", "utf8"))[toolchain];
  const over = Object.entries(totals).filter(([, [s, kind]]) => s.gzip > budget[kind]);
  for (const [name, [s, kind]] of over) {
    console.error(`size: ${name} is ${s.gzip} B gzip, over the ${toolchain} budget of ${budget[kind]} B`);
  }
  if (over.length) process.exit(1);
  console.log(
    `size: within the ${toolchain} budget (gzip: ${budget.page} B a page, ${budget.websocket} B WebSocket-only, ${budget.minimal} B minimal)`,
  );
}
