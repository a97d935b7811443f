// `Manager` (one connection to a server, shared by the sockets of its namespaces) and `io()`,
// socket.io-client's entry with its per-server Manager cache. As for Socket, this is the
// JavaScript half: listeners, `opts`, the namespace map and the variadic forms; the connection
// itself is the wasm half's (`_w`, src/js/manager.rs).
import { addListener, appCall, callListeners, emitterMethods } from "./emitter.js";
import { DEFERRED, Socket, bindSocket } from "./socket.js";
import { glue, isReady, keep, link, whenReady } from "./wasm.js";


/** A connection to one server, shared by the sockets of its namespaces. */
export class Manager {
  /** `new Manager(url?, opts?)`: opens at once unless `autoConnect: false`. */
  constructor(uri, opts, deferred) {
    if (typeof uri === "object" && uri !== null) {
      opts = uri;
      uri = undefined;
    }
    this.opts = opts ?? {};
    // socket.io-client writes the default path into the options it is given, where an app can
    // read it at once, before the wasm half has loaded; an empty path counts as none. The Rust
    // API's own default (`Options::default`) is the same path; each face's tests connect on it.
    this.opts.path ||= "/socket.io";
    this._nsps = new Map();
    if (deferred !== DEFERRED) whenReady(() => bindManager(this, uri, this.opts));
  }

  on(event, fn) {
    if (String(event) === "packet") whenBound(this, () => this._w._reportPackets());
    return addListener(this, event, fn, false);
  }
  once(event, fn) {
    if (String(event) === "packet") whenBound(this, () => this._w._reportPackets());
    return addListener(this, event, fn, true);
  }

  open(callback) {
    if (typeof callback === "function") {
      const onOpen = () => {
        this.off("error", onError);
        callback();
      };
      const onError = (error) => {
        this.off("open", onOpen);
        callback(error);
      };
      this.once("open", onOpen).once("error", onError);
    }
    const retry = typeof callback !== "function";
    if (!this._w) {
      whenReady(() => this._open(retry));
      return this;
    }
    return this._open(retry);
  }
  connect(callback) {
    return this.open(callback);
  }
  disconnect() {
    if (!this._w) {
      whenReady(() => this.disconnect());
      return this;
    }
    return appCall(this, () => {
      this._w._close();
      keepManager(this);
    });
  }
  close() {
    return this.disconnect();
  }

  /** One socket per namespace, as in socket.io-client. */
  socket(nsp, opts) {
    let socket = this._nsps.get(nsp);
    if (!socket) {
      socket = new Socket(this, nsp, opts ?? this.opts);
      this._nsps.set(nsp, socket);
    } else if (!socket.active) {
      whenBound(this, () => this._w._autoConnect && socket.connect());
    }
    return socket;
  }

  // `manager.engine`: the Engine.IO connection's id, readyState and transport name (read live),
  // and its `upgrade` event.
  get engine() {
    const manager = this;
    const state = () => manager._w?._engineState ?? { readyState: "closed", transport: {} };
    this._engine ??= Object.assign(
      {
        get id() {
          return state().id;
        },
        get readyState() {
          return state().readyState;
        },
        get transport() {
          return state().transport;
        },
      },
      emitterMethods,
    );
    return this._engine;
  }

  get _readyState() {
    return this._w?._readyState ?? "closed";
  }

  _open(retry) {
    return appCall(this, () => {
      this._w._open(retry);
      keepManager(this);
    });
  }

  // What the wasm half reports (src/js/target.rs).
  _onNotice(name, args) {
    if (name !== "upgrade") callListeners(this, name, args);
    else if (this._engine) callListeners(this._engine, name, args);
    keepManager(this);
  }
}
for (const name of ["off", "listeners", "hasListeners", "removeAllListeners"]) {
  Manager.prototype[name] = emitterMethods[name];
}
Manager.prototype.addEventListener = Manager.prototype.on;
Manager.prototype.removeListener = emitterMethods.off;
Manager.prototype.removeEventListener = emitterMethods.off;

// Getter-setters: `m.reconnectionDelay()` reads, `m.reconnectionDelay(500)` sets and returns m.
// Before the wasm half is ready a read gives undefined and a change waits for it.
for (const name of [
  "reconnection",
  "reconnectionAttempts",
  "reconnectionDelay",
  "reconnectionDelayMax",
  "randomizationFactor",
  "timeout",
]) {
  Manager.prototype[name] = function (value) {
    if (arguments.length === 0) return this._w?._setting(name);
    whenBound(this, () => this._w._setSetting(name, value));
    return this;
  };
}

// Makes the wasm half of `manager` and opens it when `autoConnect`.
function bindManager(manager, uri, opts) {
  manager._w = new glue.Manager(uri, opts);
  manager._w._bind(link(manager));
  if (manager._w._autoConnect) manager.open();
}

function whenBound(manager, fn) {
  if (manager._w) fn();
  else whenReady(fn);
}

const keepManager = (manager) => keep(manager, !manager._w._idle);

// ---- io() ------------------------------------------------------------------------------------

// socket.io-client's `lookup`: one Manager per server (scheme, host, port, path), reused for
// every namespace, unless `forceNew`, `multiplex: false`, or the namespace is already open on it.
const cache = new Map();

/** Creates a socket for the namespace of `url`, connected at once unless `autoConnect: false`.
 * Before the wasm half is ready, which server and namespace `url` names is not known yet: the
 * socket and a provisional Manager are made at once and settled when it is (see `settle`). */
export function io(url, opts) {
  if (typeof url === "object" && url !== null) {
    opts = url;
    url = undefined;
  }
  opts = opts || {};
  if (isReady()) return lookup(url, opts);
  const provisional = new Manager(url, opts, DEFERRED);
  const socket = new Socket(provisional, undefined, opts, DEFERRED);
  whenReady(() => lookup(url, opts, provisional, socket));
  return socket;
}
io.connect = io;
io.protocol = 5;
io.Manager = Manager;
io.Socket = Socket;
io.io = io;

// Finds or makes the Manager for `url` and its socket. `provisional` and `socket` are what an
// `io()` call made before the wasm half was ready has handed out already.
function lookup(url, opts, provisional, socket) {
  const { id, nsp } = glue._lookup(url, opts);
  const cached = cache.get(id);
  const sameNamespace = cached !== undefined && cached._nsps.has(nsp);
  const fresh = opts.forceNew || opts["force new connection"] || opts.multiplex === false || sameNamespace;
  let manager = fresh ? undefined : cached;
  if (manager === undefined) {
    manager = provisional ?? new Manager(url, opts);
    if (provisional) bindManager(provisional, url, provisional.opts);
  } else if (provisional) {
    settle(provisional, manager);
  }
  if (!fresh) cache.set(id, manager);
  if (!socket) return manager.socket(nsp, opts);
  manager._nsps.set(nsp, socket);
  bindSocket(socket, manager, nsp, opts);
  return socket;
}

// An early `io()` made `provisional` for a server that already has a Manager: from now on it
// shares that Manager's state, listeners included, so either object works the same (only
// `===` tells them apart). Listeners added to it early join the Manager's.
function settle(provisional, manager) {
  manager._events ??= new Map();
  for (const [event, entries] of provisional._events ?? []) {
    const list = manager._events.get(event);
    if (list) list.push(...entries);
    else manager._events.set(event, entries);
  }
  if (provisional._engine) {
    const engine = manager.engine;
    for (const [event, entries] of provisional._engine._events ?? []) {
      for (const { fn, once } of entries) addListener(engine, event, fn, once);
    }
  }
  Object.assign(provisional, {
    _w: manager._w,
    _events: manager._events,
    _nsps: manager._nsps,
    _engine: manager.engine,
    opts: manager.opts,
  });
}
