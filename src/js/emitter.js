// Listeners and their exceptions: the emitter of Socket, Manager and `manager.engine`, and the
// rule for what a listener's exception does.
//
// Listeners live here, in JS, where the garbage collector can see them: if wasm held them and a
// listener referred to its socket (the usual case), the socket could never be freed.

// A listener's exception must never unwind into wasm (it would skip the Rust code's cleanup),
// yet in socket.io-client it propagates to whoever made the listener run. So an exception ends
// that event's dispatch (the listeners after it do not run, as in socket.io-client's Emitter)
// and is kept: during a call the app made (`disconnect()`, `emit()`...), the first one is thrown
// to the app when the call returns; anywhere else (network events, timers) it is reported as
// uncaught. Each public method that enters wasm runs between `enter()` and `leave()`.
const NO_ERROR = Symbol("no error");
let callDepth = 0;
let callError = NO_ERROR;

export function enter() {
  callDepth++;
  const outer = callError;
  callError = NO_ERROR;
  return outer;
}

export function leave(outer) {
  callDepth--;
  const error = callError;
  callError = outer;
  if (error !== NO_ERROR) throw error;
}

// Runs `run` as a call the app made, and returns `result`.
export function appCall(result, run) {
  const outer = enter();
  try {
    run();
  } finally {
    leave(outer);
  }
  return result;
}

// Calls `fn` with `args`; returns whether it returned normally (see above for exceptions).
export function callOne(target, fn, args) {
  try {
    fn.apply(target, args);
    return true;
  } catch (error) {
    if (callDepth > 0 && callError === NO_ERROR) callError = error;
    else reportError(error);
    return false;
  }
}

// Calls each function on a snapshot of the list (a listener may add or remove listeners) until
// one throws; returns whether none did.
export function callEach(target, functions, args) {
  if (functions.length === 1) return callOne(target, functions[0], args);
  return functions.slice().every((fn) => callOne(target, fn, args));
}

export function callListeners(target, event, args) {
  const list = target._events?.get(event);
  if (!list) return;
  if (list.some((entry) => entry.once)) {
    target._events.set(
      event,
      list.filter((entry) => !entry.once),
    );
  }
  if (list.length === 1) callOne(target, list[0].fn, args);
  else list.slice().every((entry) => callOne(target, entry.fn, args));
}

// on, once, off, listeners, hasListeners: the emitter of Socket, Manager and `manager.engine`.
export const emitterMethods = {
  on(event, fn) {
    return addListener(this, event, fn, false);
  },
  once(event, fn) {
    return addListener(this, event, fn, true);
  },
  off(event, fn) {
    if (event === undefined) {
      this._events = undefined;
      return this;
    }
    const key = String(event);
    const list = this._events?.get(key);
    if (list && fn === undefined) this._events.delete(key);
    if (list && fn !== undefined) {
      const index = list.findIndex((entry) => entry.fn === fn);
      if (index >= 0) list.splice(index, 1);
    }
    return this;
  },
  listeners(event) {
    return (this._events?.get(String(event)) ?? []).map((entry) => entry.fn);
  },
  hasListeners(event) {
    return (this._events?.get(String(event))?.length ?? 0) > 0;
  },
  removeAllListeners(event) {
    return this.off(event);
  },
};
emitterMethods.addEventListener = emitterMethods.on;
emitterMethods.removeListener = emitterMethods.off;
emitterMethods.removeEventListener = emitterMethods.off;

export function addListener(target, event, fn, once) {
  const key = String(event);
  target._events ??= new Map();
  const list = target._events.get(key);
  if (list) list.push({ fn, once });
  else target._events.set(key, [{ fn, once }]);
  return target;
}
