// socketio-wasm: the package's entry point.
// Initialises the wasm module (top-level await: importers get a ready `io`) and adds the
// variadic and chainable method forms that wasm-bindgen exports cannot express.
import init, { io as createSocket, Socket } from "./socketio_wasm.js";

await init({ module_or_path: new URL("socketio_wasm_bg.wasm", import.meta.url) });

Object.assign(Socket.prototype, {
  emit(event, ...args) {
    this._emit([event, ...args]);
    return this;
  },
  send(...args) {
    this._emit(["message", ...args]);
    return this;
  },
  on(event, listener) {
    this._on(String(event), listener, false);
    return this;
  },
  once(event, listener) {
    this._on(String(event), listener, true);
    return this;
  },
  off(event, listener) {
    this._off(event === undefined ? undefined : String(event), listener);
    return this;
  },
  open() {
    this.connect();
    return this;
  },
  close() {
    this.disconnect();
    return this;
  },
});
Socket.prototype.addEventListener = Socket.prototype.on;
Socket.prototype.removeListener = Socket.prototype.off;

for (const name of ["connect", "disconnect"]) {
  const inner = Socket.prototype[name];
  Socket.prototype[name] = function () {
    inner.call(this);
    return this;
  };
}

/** Creates a socket for the namespace of `url`, connected at once unless `autoConnect: false`. */
export function io(url, opts) {
  return createSocket(url, opts);
}
io.connect = io;
io.protocol = 5;

export { io as connect, Socket };
export const protocol = 5;
export default io;
