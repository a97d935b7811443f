// socketio-wasm: the package's ES module entry, a drop-in for socket.io-client 4.x.
//
// The JavaScript half of the client is split by concern: wasm.js loads the wasm half (the
// protocol, src/js/*.rs) and queues what is asked of it before it is ready; socket.js and
// manager.js are the public classes; emitter.js holds listeners and the rule for their
// exceptions; blobs.js reads Blob arguments, which the wasm half cannot wait for. Socket.IO's
// rules are all in the wasm half.
import { Manager, io } from "./manager.js";
import { Socket } from "./socket.js";
import { loaded } from "./wasm.js";

/** Settles when the wasm half is loaded (socketio-wasm's own: socket.io-client has no such
 * wait). Calls made before are queued, so apps need not wait; tests that read state at once
 * do. Also `io.ready`, for the classic script. */
export const ready = loaded;
io.ready = ready;

export { io, io as connect, Manager, Socket };
export const protocol = 5;
export default io;
