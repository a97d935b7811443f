// Blob and File arguments: JSON cannot carry them, and their bytes can only be read
// asynchronously, which the wasm half cannot wait for. When it finds one in an emit, it hands the
// emit back, and this reads the bytes (as ArrayBuffers) first.

const BlobClass = typeof Blob === "function" ? Blob : undefined;
const isBinary = (value) => value instanceof ArrayBuffer || ArrayBuffer.isView(value);

/** A copy of `value` with each Blob replaced by its bytes. */
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

/** Calls `send` with `value`'s Blobs read, after the emits queued before it: every later emit of
 * the socket waits its turn, so the order of emits is kept. */
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
