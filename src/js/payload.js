// Payloads: what an emit's arguments hold, socket.io-parser's encoding with binary placeholders,
// and the decoding and checks of received packets. JSON text never enters wasm: the browser's
// JSON does both ways, and the core only locates a packet's JSON in its frame.

export const RESERVED_EVENTS = new Set([
  "connect",
  "connect_error",
  "disconnect",
  "disconnecting",
  "newListener",
  "removeListener",
]);
const MAX_ATTACHMENTS = 10;

const BlobClass = typeof Blob === "function" ? Blob : undefined;
const isBinary = (value) => value instanceof ArrayBuffer || ArrayBuffer.isView(value);
export const NOTHING = 0;
const BINARY = 1;
export const BLOB = 2;

// Past this many objects, a walk remembers the objects it has met: only a cycle makes a walk
// endless, and most emits never get that far.
const LONG_WALK = 256;

// What an emit's arguments hold, in one walk: NOTHING, BINARY (ArrayBuffer, typed arrays,
// DataView) and/or BLOB (Blob, File: read before sending). The walk keeps its own stack, so it
// reaches any depth; an object met again in a long walk (shared or circular) is skipped.
// Primitives are never pushed: this walk runs on every emit.
export function scan(root) {
  let found = NOTHING;
  let seen;
  let visits = 0;
  const stack = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (isBinary(value)) found |= BINARY;
    else if (BlobClass && value instanceof BlobClass) found |= BLOB;
    else if (typeof value.toJSON === "function") continue;
    else if (++visits <= LONG_WALK) pushObjects(stack, value);
    else if (!(seen ??= new Set()).has(value)) {
      seen.add(value);
      pushObjects(stack, value);
    }
  }
  return found;
}

// Pushes the object values among `value`'s own items.
function pushObjects(stack, value) {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (typeof item === "object" && item !== null) stack.push(item);
    }
    return;
  }
  for (const key in value) {
    const item = value[key];
    if (typeof item === "object" && item !== null && Object.hasOwn(value, key)) stack.push(item);
  }
}

// [JSON text, binary attachments or undefined]: socket.io-parser's encoding, binaries swapped
// for `{ _placeholder: true, num }`.
export function encode(value, binary) {
  if (!binary) return [JSON.stringify(value), undefined];
  const attachments = [];
  const data = withPlaceholders(value, attachments);
  if (attachments.length > MAX_ATTACHMENTS) {
    throw new TypeError("socketio-wasm: at most 10 binary attachments per event");
  }
  return [JSON.stringify(data), attachments];
}

// A copy of `root` with each binary swapped for its placeholder, numbered in document order as
// socket.io-parser does. The copy is made with its own stack of (container, key) slots, so it
// reaches any depth. In a long walk an object met again gets the same copy, so that a cycle
// ends (and JSON.stringify rejects it, as it would the original).
function withPlaceholders(root, attachments) {
  const top = [root];
  const stack = [top, 0];
  let copies;
  let visits = 0;
  while (stack.length > 0) {
    const key = stack.pop();
    const holder = stack.pop();
    const value = holder[key];
    if (isBinary(value)) {
      attachments.push(value);
      holder[key] = { _placeholder: true, num: attachments.length - 1 };
      continue;
    }
    if (typeof value.toJSON === "function") continue;
    const known = ++visits > LONG_WALK ? (copies ??= new Map()).get(value) : undefined;
    if (known !== undefined) {
      holder[key] = known;
      continue;
    }
    const copy = Array.isArray(value) ? value.slice() : Object.assign({}, value);
    copies?.set(value, copy);
    holder[key] = copy;
    pushSlots(stack, copy);
  }
  return top[0];
}

// Pushes the slots of `copy` that still hold an object, last first (so they pop in order).
function pushSlots(stack, copy) {
  if (Array.isArray(copy)) {
    for (let i = copy.length - 1; i >= 0; i--) {
      const item = copy[i];
      if (typeof item === "object" && item !== null) stack.push(copy, i);
    }
    return;
  }
  const keys = Object.keys(copy);
  for (let i = keys.length - 1; i >= 0; i--) {
    const item = copy[keys[i]];
    if (typeof item === "object" && item !== null) stack.push(copy, keys[i]);
  }
}

export const ILLEGAL_ATTACHMENTS = Symbol("illegal attachments");

// A received packet's JSON array, binaries put back; undefined if the JSON is malformed or not
// an array, ILLEGAL_ATTACHMENTS if a placeholder points nowhere.
export function decodeArray(frame, start, end, attachments) {
  let value;
  try {
    value = JSON.parse(end === undefined ? frame.slice(start) : frame.slice(start, end));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  if (attachments === undefined) return value;
  try {
    return restoreBinaries(value, attachments);
  } catch {
    return ILLEGAL_ATTACHMENTS;
  }
}

// Puts the attachments in place of their placeholders, in the freshly parsed tree `root` (an
// array), walking with its own stack so that any depth is reached.
export function restoreBinaries(root, attachments) {
  const stack = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    for (const key in value) {
      const item = value[key];
      if (item === null || typeof item !== "object" || !Object.hasOwn(value, key)) continue;
      if (item._placeholder === true) value[key] = attachment(item, attachments);
      else stack.push(item);
    }
  }
  return root;
}

function attachment({ num }, attachments) {
  if (typeof num === "number" && num >= 0 && num < attachments.length) return attachments[num];
  throw new Error("illegal attachments");
}

// An event is named by a number or a string that is not reserved (socket.io-parser's rule).
export const isEvent = (args) =>
  args.length > 0 &&
  (typeof args[0] === "number" || (typeof args[0] === "string" && !RESERVED_EVENTS.has(args[0])));

// Blob and File arguments: their bytes are read (asynchronously) before the event goes to the
// wasm side; every later emit of the socket waits its turn, so the order of emits is kept.
export async function readBlobs(value) {
  if (value === null || typeof value !== "object" || isBinary(value)) return value;
  if (BlobClass && value instanceof BlobClass) return value.arrayBuffer();
  if (typeof value.toJSON === "function") return value;
  if (Array.isArray(value)) return Promise.all(value.map(readBlobs));
  const entries = await Promise.all(
    Object.entries(value).map(async ([key, item]) => [key, await readBlobs(item)]),
  );
  return Object.fromEntries(entries);
}

export function queueBehindBlobs(socket, value, send) {
  const turn = (socket._reading ?? Promise.resolve())
    .then(() => readBlobs(value))
    .then(send)
    .catch((error) => reportError(error));
  socket._reading = turn;
  turn.then(() => {
    if (socket._reading === turn) socket._reading = undefined;
  });
}
