// socketio-wasm: the package's entry point.
// Initialises the wasm module (top-level await: importers get a ready `io`), then finishes the
// socket.io-client API in the few places wasm-bindgen exports cannot: variadic and chainable
// methods, getter-setters, the per-server Manager cache of `io()`, and `socket.io` identity.
import init, { _lookup, Manager, Socket } from "./socketio_wasm.js";

await init({ module_or_path: new URL("socketio_wasm_bg.wasm", import.meta.url) });

// Listener methods shared by Socket and Manager (both have `_on(event, fn, once)` and `_off`).
const listenerMethods = {
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
};
for (const cls of [Socket, Manager]) {
  Object.assign(cls.prototype, listenerMethods);
  cls.prototype.addEventListener = cls.prototype.on;
  cls.prototype.removeListener = cls.prototype.off;
  cls.prototype.removeEventListener = cls.prototype.off;
  cls.prototype.removeAllListeners = function (event) {
    return this.off(event);
  };
}

const socketConnect = Socket.prototype.connect;
const socketDisconnect = Socket.prototype.disconnect;
Object.assign(Socket.prototype, {
  emit(event, ...args) {
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : undefined;
    const { volatile = false, timeout } = this._flags ?? {};
    this._flags = undefined;
    const send = (packet) => this._emit(packet, ack, volatile, timeout);
    const packet = [event, ...args];
    if (this._reading === undefined && !containsBlob(packet)) {
      send(packet);
    } else {
      queueBehindBlobs(this, packet, send);
    }
    return this;
  },
  send(...args) {
    return this.emit("message", ...args);
  },
  emitWithAck(event, ...args) {
    return new Promise((resolve, reject) => {
      const ack = (error, value) => (error ? reject(error) : resolve(value));
      ack.withError = true;
      this.emit(event, ...args, ack);
    });
  },
  timeout(ms) {
    this._flags = { ...this._flags, timeout: ms };
    return this;
  },
  // Accepted for compatibility: the browser decides WebSocket compression.
  compress() {
    return this;
  },
  connect() {
    socketConnect.call(this);
    return this;
  },
  open() {
    return this.connect();
  },
  disconnect() {
    socketDisconnect.call(this);
    return this;
  },
  close() {
    return this.disconnect();
  },
  onAny(listener) {
    this._onAny(listener, false, false);
    return this;
  },
  prependAny(listener) {
    this._onAny(listener, true, false);
    return this;
  },
  offAny(listener) {
    this._offAny(listener, false);
    return this;
  },
  listenersAny() {
    return this._listenersAny(false);
  },
  onAnyOutgoing(listener) {
    this._onAny(listener, false, true);
    return this;
  },
  prependAnyOutgoing(listener) {
    this._onAny(listener, true, true);
    return this;
  },
  offAnyOutgoing(listener) {
    this._offAny(listener, true);
    return this;
  },
  listenersAnyOutgoing() {
    return this._listenersAny(true);
  },
});
Object.defineProperties(Socket.prototype, {
  volatile: {
    get() {
      this._flags = { ...this._flags, volatile: true };
      return this;
    },
  },
  // The Manager this socket belongs to (the same object for every socket that shares it).
  io: {
    get() {
      return this._manager;
    },
  },
  // The emits waiting to be sent, as socket.io-client's packets (a copy: assigning an empty
  // array drops them).
  sendBuffer: {
    get() {
      return this._sendBuffer().map((data) => ({ type: 2, nsp: this.nsp, data }));
    },
    set(packets) {
      if (Array.isArray(packets) && packets.length === 0) this._clearSendBuffer();
    },
  },
  // Events received before the CONNECT reply are delivered right after it, never kept longer.
  receiveBuffer: {
    get() {
      return [];
    },
  },
});

// Blob and File arguments: their bytes are read (asynchronously) before the event goes to the
// wasm side; every later emit of the socket waits its turn, so the order of emits is kept.
const isBlob = (value) => typeof Blob !== "undefined" && value instanceof Blob;

function containsBlob(value, depth = 0) {
  if (isBlob(value)) return true;
  if (depth > 64 || value === null || typeof value !== "object" || ArrayBuffer.isView(value)) {
    return false;
  }
  if (value instanceof ArrayBuffer) return false;
  const items = Array.isArray(value) ? value : Object.values(value);
  return items.some((item) => containsBlob(item, depth + 1));
}

async function readBlobs(value) {
  if (isBlob(value)) return value.arrayBuffer();
  if (value === null || typeof value !== "object" || ArrayBuffer.isView(value)) return value;
  if (value instanceof ArrayBuffer || typeof value.toJSON === "function") return value;
  if (Array.isArray(value)) return Promise.all(value.map(readBlobs));
  const entries = await Promise.all(
    Object.entries(value).map(async ([key, item]) => [key, await readBlobs(item)]),
  );
  return Object.fromEntries(entries);
}

function queueBehindBlobs(socket, packet, send) {
  const turn = (socket._reading ?? Promise.resolve())
    .then(() => readBlobs(packet))
    .then(send)
    .catch((error) => reportError(error));
  socket._reading = turn;
  turn.then(() => {
    if (socket._reading === turn) socket._reading = undefined;
  });
}

// Manager getter-setters: `m.reconnectionDelay()` reads, `m.reconnectionDelay(500)` sets and
// returns the manager.
for (const name of [
  "reconnection",
  "reconnectionAttempts",
  "reconnectionDelay",
  "reconnectionDelayMax",
  "randomizationFactor",
  "timeout",
]) {
  Manager.prototype[name] = function (value) {
    if (arguments.length === 0) return this._setting(name);
    this._setSetting(name, value);
    return this;
  };
}
Object.assign(Manager.prototype, {
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
    this._open(typeof callback !== "function");
    return this;
  },
  connect(callback) {
    return this.open(callback);
  },
  disconnect() {
    this._close();
    return this;
  },
  close() {
    return this.disconnect();
  },
  // One socket per namespace, as in socket.io-client; `_socket` makes a new one.
  socket(nsp, opts) {
    this._nsps ??= new Map();
    let socket = this._nsps.get(nsp);
    if (!socket) {
      socket = bind(this._socket(nsp, opts), this);
      this._nsps.set(nsp, socket);
    } else if (this._autoConnect && !socket.active) {
      socket.connect();
    }
    return socket;
  },
});

// `manager.engine`: the Engine.IO connection's id, readyState and transport name (read live),
// and its `upgrade` event.
Object.defineProperty(Manager.prototype, "engine", {
  get() {
    const manager = this;
    this._engine ??= {
      get id() {
        return manager._engineState.id;
      },
      get readyState() {
        return manager._engineState.readyState;
      },
      get transport() {
        return manager._engineState.transport;
      },
      on(event, listener) {
        manager._onEngine(String(event), listener, false);
        return this;
      },
      once(event, listener) {
        manager._onEngine(String(event), listener, true);
        return this;
      },
      off(event, listener) {
        manager._offEngine(event === undefined ? undefined : String(event), listener);
        return this;
      },
    };
    return this._engine;
  },
});

// Gives a socket its manager and the two JS functions the wasm side calls: the ack function
// for a server's ack request (sends at most once) and the caller of an `auth` function.
function bind(socket, manager) {
  socket._manager = manager;
  socket._bind(
    (id) => {
      let sent = false;
      return (...args) => {
        if (sent) return;
        sent = true;
        if (containsBlob(args)) {
          readBlobs(args).then((values) => socket._ack(id, values), reportError);
        } else {
          socket._ack(id, args);
        }
      };
    },
    (auth) => auth((data) => socket._authenticate(data)),
  );
  return socket;
}

// socket.io-client's `lookup`: one Manager per server (scheme, host, port, path), reused for
// every namespace, unless `forceNew`, `multiplex: false`, or the namespace is already open on it.
const cache = new Map();

/** Creates a socket for the namespace of `url`, connected at once unless `autoConnect: false`. */
export function io(url, opts) {
  if (typeof url === "object" && url !== null) {
    opts = url;
    url = undefined;
  }
  opts = opts || {};
  const { id, nsp } = _lookup(url, opts);
  const cached = cache.get(id);
  const sameNamespace = cached !== undefined && cached._nsps?.has(nsp);
  const fresh = opts.forceNew || opts["force new connection"] || opts.multiplex === false || sameNamespace;
  let manager;
  if (fresh) {
    manager = new Manager(url, opts);
  } else {
    manager = cached ?? new Manager(url, opts);
    cache.set(id, manager);
  }
  return manager.socket(nsp, opts);
}
io.connect = io;
io.protocol = 5;
io.Manager = Manager;
io.Socket = Socket;
io.io = io;

export { io as connect, Manager, Socket };
export const protocol = 5;
export default io;
