// Gives the wasm's imports and exports short names, in the wasm and in its wasm-bindgen glue.
//
//   node scripts/shorten-names.mjs <module.wasm> <glue.js>   (both rewritten in place)
//
// wasm-bindgen names each import after its function plus a 16-digit hash
// (`__wbg_deliverEvent_474b6cee6ed24921`) and each closure shim after its full Rust type. Every
// name is written twice, in the wasm and as a key in the glue, and the hashes do not compress:
// together they are about a tenth of the gzipped wasm. The glue names an import only as the key
// of its function in the import object, and an export only as `wasm.<name>`, so both can be
// renamed consistently. Any name not found exactly where expected fails the build: a newer
// wasm-bindgen that names them differently must not produce a package that fails to load.
import { readFileSync, writeFileSync } from "node:fs";

const [wasmPath, gluePath] = process.argv.slice(2);
const KEEP = new Set(["memory"]); // read by name by the harnesses that watch the wasm heap
const IMPORT_SECTION = 2;
const EXPORT_SECTION = 7;

function fail(message) {
  console.error(`shorten-names: ${message}`);
  process.exit(1);
}

// Short identifiers in order: a..z, A..Z, then two letters, and so on.
function* shortNames() {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (let n = 0; ; n++) {
    let name = "";
    let i = n;
    do {
      name = letters[i % letters.length] + name;
      i = Math.floor(i / letters.length) - 1;
    } while (i >= 0);
    yield name;
  }
}

// A reader of the wasm binary format's unsigned LEB128 numbers and length-prefixed names.
class Reader {
  constructor(bytes, at = 0) {
    this.bytes = bytes;
    this.at = at;
  }
  u32() {
    let value = 0;
    let shift = 0;
    let byte;
    do {
      byte = this.bytes[this.at++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  }
  name() {
    const length = this.u32();
    const text = Buffer.from(this.bytes.subarray(this.at, this.at + length)).toString("utf8");
    this.at += length;
    return text;
  }
}

function leb(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return Buffer.from(out);
}

const encodeName = (text) => {
  const bytes = Buffer.from(text, "utf8");
  return Buffer.concat([leb(bytes.length), bytes]);
};

// The length in bytes of an import's description (after its two names).
function skipImportDesc(reader) {
  const kind = reader.bytes[reader.at++];
  if (kind === 0) reader.u32(); // function: type index
  else if (kind === 1) {
    reader.at++; // table: element type, then limits
    skipLimits(reader);
  } else if (kind === 2) skipLimits(reader); // memory
  else if (kind === 3) reader.at += 2; // global: value type, mutability
  else if (kind === 4) reader.at += 1 + (reader.u32(), 0); // tag: attribute, type index
  else fail(`unknown import kind ${kind}`);
}

function skipLimits(reader) {
  const flags = reader.bytes[reader.at++];
  reader.u32();
  if (flags & 1) reader.u32();
}

// Rewrites the section body with each name replaced as `rename(name)` says.
function rewriteImports(body, rename) {
  const reader = new Reader(body);
  const count = reader.u32();
  const parts = [leb(count)];
  for (let i = 0; i < count; i++) {
    const module = reader.name();
    const name = reader.name();
    const descStart = reader.at;
    skipImportDesc(reader);
    parts.push(encodeName(module), encodeName(rename(module, name)), body.subarray(descStart, reader.at));
  }
  return Buffer.concat(parts);
}

function rewriteExports(body, rename) {
  const reader = new Reader(body);
  const count = reader.u32();
  const parts = [leb(count)];
  for (let i = 0; i < count; i++) {
    const name = reader.name();
    const descStart = reader.at;
    reader.at++; // kind
    reader.u32(); // index
    parts.push(encodeName(rename(name)), body.subarray(descStart, reader.at));
  }
  return Buffer.concat(parts);
}

const wasm = readFileSync(wasmPath);
let glue = readFileSync(gluePath, "utf8");
const names = shortNames();
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// Replaces the one occurrence of `pattern` (a RegExp source matching `old`) with `replacement`.
function replaceOnce(source, old, replacement, what) {
  const found = glue.match(new RegExp(source, "g"))?.length ?? 0;
  if (found !== 1) fail(`expected the ${what} ${old} once in the glue, found it ${found} times`);
  glue = glue.replace(new RegExp(source), replacement);
}

const importNames = new Map();
function renameImport(module, name) {
  // Only the glue's own module: the snippets' functions are imported by their JS names.
  if (module !== "./socketio_wasm_bg.js" || KEEP.has(name)) return name;
  if (!importNames.has(name)) {
    const short = names.next().value;
    importNames.set(name, short);
    replaceOnce(`(?<=[{,\\s])${escape(name)}(?=:)`, name, short, "import");
  }
  return importNames.get(name);
}

// An export the glue does not use (a toolchain's own, such as `__abort_handler`) keeps its name.
function renameExport(name) {
  const uses = new RegExp(`\\bwasm\\.${escape(name)}\\b`, "g");
  if (KEEP.has(name) || !uses.test(glue)) return name;
  const short = names.next().value;
  glue = glue.replace(uses, `wasm.${short}`);
  return short;
}

const reader = new Reader(wasm, 8);
const out = [wasm.subarray(0, 8)];
while (reader.at < wasm.length) {
  const id = wasm[reader.at++];
  const size = reader.u32();
  const body = wasm.subarray(reader.at, reader.at + size);
  reader.at += size;
  let rewritten = body;
  if (id === IMPORT_SECTION) rewritten = rewriteImports(body, renameImport);
  else if (id === EXPORT_SECTION) rewritten = rewriteExports(body, renameExport);
  out.push(Buffer.from([id]), leb(rewritten.length), rewritten);
}
writeFileSync(wasmPath, Buffer.concat(out));
writeFileSync(gluePath, glue);
