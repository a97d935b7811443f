// The wasm half: loading it, the calls made before it is ready, and how the JS objects it
// reports to stay alive.
//
// Loading is asynchronous (the module is fetched and compiled), but an app calls `io()` at once:
// in the next <script>, at a module's top level, in a worker. So nothing waits for it: a call
// that needs the wasm half before it is ready is queued, and the queue runs, in call order, as
// soon as it is. There is no top-level await, which bundlers' default targets and service
// workers refuse.
//
// wasm holds each JS object through a link that is weak (a `WeakRef`) unless the object is kept:
// a strong reference for the object's whole life would close a cycle through wasm memory that
// the garbage collector cannot see (listeners usually refer to their socket). `keep` makes the
// link strong exactly while the object can still receive events, as socket.io-client's objects
// are kept alive by their transport's listeners; wasm reaching a kept object then costs a
// property read instead of a `deref()`.
import init, * as glue from "./socketio_wasm.js";

export { glue };

let ready = false;
const waiting = [];

/** Runs `fn` now if the wasm half is ready, else once it is (in call order). */
export function whenReady(fn) {
  if (ready) fn();
  else waiting.push(fn);
}

/** Whether the wasm half is ready. */
export const isReady = () => ready;

/** Settles once the wasm half is loaded and the calls that waited for it are done (or
 * rejects if it cannot load). Nobody needs to wait for it: calls are queued until then. */
export const loaded = init({
  module_or_path: new URL("socketio_wasm_bg.wasm", import.meta.url),
}).then(() => {
  ready = true;
  // The app's calls that waited: their errors have no caller left to reach.
  for (const fn of waiting.splice(0)) {
    try {
      fn();
    } catch (error) {
      reportError(error);
    }
  }
});
loaded.catch(reportError);

/** The link that wasm holds to `object` (see target.rs): `{ weak, strong }`, weak at first. */
export function link(object) {
  object._link = { weak: new WeakRef(object), strong: undefined };
  return object._link;
}

/** Keeps `object` reachable while `alive` (its link is strong), lets it go otherwise. */
export function keep(object, alive) {
  object._link.strong = alive ? object : undefined;
}
