// socketio-wasm: the package's entry point, and the JavaScript half of `Socket` and `Manager`.
//
// The wasm half (src/js/*.rs) runs the protocol: connection state, packets, timers, acks. This
// half holds everything the user hands over (listeners, ack callbacks, `auth`), encodes emits and
// decodes received packets with the browser's JSON, and adds what wasm-bindgen exports cannot
// express: variadic and chainable methods, getter-setters, the per-server Manager cache of `io()`.
//
// Why listeners live here: the garbage collector cannot see references held inside wasm. If wasm
// held a socket's listeners, and a listener referred to its socket (the usual case), the socket
// could never be freed. So wasm holds only a `WeakRef` to each object, and `live` below keeps an
// object reachable exactly while it can still receive events (socket.io-client's objects are
// kept alive the same way, by their transport's listeners).
import init, { _lookup, Manager as WasmManager, Socket } from "./socketio_wasm.js";

await init({ module_or_path: new URL("socketio_wasm_bg.wasm", import.meta.url) });

const RESERVED_EVENTS = new Set([
  "connect",
  "connect_error",
  "disconnect",
  "disconnecting",
  "newListener",
  "removeListener",
]);
const MAX_ATTACHMENTS = 10;

// ---- keeping objects alive -------------------------------------------------------------------

const live = new Set();
const keepSocket = (socket) => keep(socket, socket.active || socket._acks.size > 0);
const keepManager = (manager) => keep(manager, !manager._idle);
function keep(object, alive) {
  if (alive) live.add(object);
  else live.delete(object);
}

// ---- calls and exceptions --------------------------------------------------------------------

// A listener's exception must never unwind into wasm (it would skip the Rust code's cleanup),
// yet in socket.io-client it propagates to whoever made the listener run. So an exception ends
// that event's dispatch (the listeners after it do not run, as in socket.io-client's Emitter)
// and is kept: during a call the app made (`disconnect()`, `emit()`...), the first one is thrown
// to the app when the call returns; anywhere else (network events, timers) it is reported as
// uncaught. Each public method that enters wasm runs between `enter()` and `leave()`.
const NO_ERROR = Symbol("no error");
let callDepth = 0;
let callError = NO_ERROR;

function enter() {
  callDepth++;
  const outer = callError;
  callError = NO_ERROR;
  return outer;
}

function leave(outer) {
  callDepth--;
  const error = callError;
  callError = outer;
  if (error !== NO_ERROR) throw error;
}

// Runs `run` as a call the app made, and returns `result`.
function appCall(result, run) {
  const outer = enter();
  try {
    run();
  } finally {
    leave(outer);
  }
  return result;
}

// ---- listeners -------------------------------------------------------------------------------

// Calls `fn` with `args`; returns whether it returned normally (see above for exceptions).
function callOne(target, fn, args) {
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
function callEach(target, functions, args) {
  if (functions.length === 1) return callOne(target, functions[0], args);
  return functions.slice().every((fn) => callOne(target, fn, args));
}

function callListeners(target, event, args) {
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
const emitterMethods = {
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

function addListener(target, event, fn, once) {
  const key = String(event);
  target._events ??= new Map();
  const list = target._events.get(key);
  if (list) list.push({ fn, once });
  else target._events.set(key, [{ fn, once }]);
  return target;
}

// ---- payloads --------------------------------------------------------------------------------

const BlobClass = typeof Blob === "function" ? Blob : undefined;
const isBinary = (value) => value instanceof ArrayBuffer || ArrayBuffer.isView(value);
const NOTHING = 0;
const BINARY = 1;
const BLOB = 2;

// Past this many objects, a walk remembers the objects it has met: only a cycle makes a walk
// endless, and most emits never get that far.
const LONG_WALK = 256;

// What an emit's arguments hold, in one walk: NOTHING, BINARY (ArrayBuffer, typed arrays,
// DataView) and/or BLOB (Blob, File: read before sending). The walk keeps its own stack, so it
// reaches any depth; an object met again in a long walk (shared or circular) is skipped.
// Primitives are never pushed: this walk runs on every emit.
function scan(root) {
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
function encode(value, binary) {
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

const ILLEGAL_ATTACHMENTS = Symbol("illegal attachments");

// A received packet's JSON array, binaries put back; undefined if the JSON is malformed or not
// an array, ILLEGAL_ATTACHMENTS if a placeholder points nowhere.
function decodeArray(frame, start, end, attachments) {
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
function restoreBinaries(root, attachments) {
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
const isEvent = (args) =>
  args.length > 0 &&
  (typeof args[0] === "number" || (typeof args[0] === "string" && !RESERVED_EVENTS.has(args[0])));

// Blob and File arguments: their bytes are read (asynchronously) before the event goes to the
// wasm side; every later emit of the socket waits its turn, so the order of emits is kept.
async function readBlobs(value) {
  if (value === null || typeof value !== "object" || isBinary(value)) return value;
  if (BlobClass && value instanceof BlobClass) return value.arrayBuffer();
  if (typeof value.toJSON === "function") return value;
  if (Array.isArray(value)) return Promise.all(value.map(readBlobs));
  const entries = await Promise.all(
    Object.entries(value).map(async ([key, item]) => [key, await readBlobs(item)]),
  );
  return Object.fromEntries(entries);
}

function queueBehindBlobs(socket, value, send) {
  const turn = (socket._reading ?? Promise.resolve())
    .then(() => readBlobs(value))
    .then(send)
    .catch((error) => reportError(error));
  socket._reading = turn;
  turn.then(() => {
    if (socket._reading === turn) socket._reading = undefined;
  });
}

// ---- Socket ----------------------------------------------------------------------------------

Object.assign(Socket.prototype, emitterMethods, {
  emit(event, ...args) {
    if (RESERVED_EVENTS.has(event)) throw new Error(`"${event}" is a reserved event name`);
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : undefined;
    const { volatile = false, timeout } = this._flags ?? {};
    this._flags = undefined;
    const packet = [event, ...args];
    const found = scan(packet);
    const send = (value) => sendEvent(this, value, found !== NOTHING, ack, volatile, timeout);
    if (this._reading === undefined && !(found & BLOB)) {
      const outer = enter();
      try {
        send(packet);
      } finally {
        leave(outer);
      }
    } else queueBehindBlobs(this, packet, send);
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
    return appCall(this, () => {
      this._connect();
      keepSocket(this);
    });
  },
  open() {
    return this.connect();
  },
  disconnect() {
    return appCall(this, () => {
      this._disconnect();
      keepSocket(this);
    });
  },
  close() {
    return this.disconnect();
  },
  onAny(listener) {
    (this._any ??= []).push(listener);
    return this;
  },
  prependAny(listener) {
    (this._any ??= []).unshift(listener);
    return this;
  },
  offAny(listener) {
    removeAny(this, "_any", listener);
    return this;
  },
  listenersAny() {
    return [...(this._any ?? [])];
  },
  onAnyOutgoing(listener) {
    (this._anyOutgoing ??= []).push(listener);
    this._reportSent();
    return this;
  },
  prependAnyOutgoing(listener) {
    (this._anyOutgoing ??= []).unshift(listener);
    this._reportSent();
    return this;
  },
  offAnyOutgoing(listener) {
    removeAny(this, "_anyOutgoing", listener);
    return this;
  },
  listenersAnyOutgoing() {
    return [...(this._anyOutgoing ?? [])];
  },

  // What the wasm half reports (see target.rs).
  _onEvent(frame, start, end, attachments, ackId) {
    const args = decodeArray(frame, start, end, attachments);
    if (!Array.isArray(args) || !isEvent(args)) {
      this._reject(args === ILLEGAL_ATTACHMENTS);
      return;
    }
    if (ackId !== undefined) args.push(ackFunction(this, ackId));
    if (this._any?.length && !callEach(this, this._any, args)) return;
    const name = args.shift();
    callListeners(this, String(name), args);
  },
  _onAck(ticket, frame, start, end, attachments) {
    const args = decodeArray(frame, start, end, attachments);
    if (!Array.isArray(args)) {
      this._reject(args === ILLEGAL_ATTACHMENTS);
      ackFailed(this, ticket, false);
      return;
    }
    const entry = this._acks.get(ticket);
    if (!entry) return;
    this._acks.delete(ticket);
    keepSocket(this);
    if (entry.errorFirst) args.unshift(null);
    callOne(this, entry.fn, args);
  },
  _onNotice(name, first, second) {
    switch (name) {
      case "connect":
        callListeners(this, "connect", []);
        break;
      case "sent":
        notifySent(this, first, second);
        break;
      case "connect_error":
        callListeners(this, "connect_error", [first]);
        break;
      case "disconnect":
        callListeners(this, "disconnect", [first, second]);
        break;
      case "auth":
        askAuth(this);
        break;
      case "ack_failed":
        ackFailed(this, first, second);
        break;
    }
    keepSocket(this);
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
  // The CONNECT payload: an object, or a function `(cb) => cb(data)` asked on every connect.
  auth: {
    get() {
      return this._auth;
    },
    set(auth) {
      this._auth = auth;
      const asked = typeof auth === "function";
      this._setAuth(asked || auth == null ? undefined : JSON.stringify(auth), asked);
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
  // The events received before the CONNECT reply (a recovering server replays missed ones
  // first), which the listeners get right before "connect": their `[event, ...args]` arrays,
  // frozen, as socket.io-client keeps them.
  receiveBuffer: {
    get() {
      return this._receiveBuffer().flatMap(([frame, start, end, attachments, ackId]) => {
        const args = decodeArray(frame, start, end, attachments);
        if (!Array.isArray(args) || !isEvent(args)) return [];
        if (ackId !== undefined) args.push(ackFunction(this, ackId));
        return [Object.freeze(args)];
      });
    },
  },
});

// Gives a new socket its JS state and binds it to its wasm half.
function setUpSocket(socket, manager, opts) {
  socket._manager = manager;
  socket._auth = opts?.auth;
  socket._acks = new Map(); // ticket -> { fn, errorFirst }
  socket._bind(new WeakRef(socket));
  return socket;
}

function sendEvent(socket, packet, binary, ack, volatile, timeout) {
  const [json, attachments] = encode(packet, binary);
  // socket.io-client tells the outgoing listeners just before it writes, and a throw there
  // skips the write: when the core would write now, they are told here first.
  const told = socket._anyOutgoing?.length > 0 && socket._writesNow(volatile);
  const withheld = told && !callEach(socket, socket._anyOutgoing, packet);
  // While this emit is written, a `sent` notice for it hands the listeners `packet` itself
  // (or nothing, when they were told already).
  const outer = socket._sending;
  socket._sending = { json, packet, told };
  let ticket;
  try {
    ticket = socket._emit(json, attachments, ack !== undefined, volatile, timeout, withheld);
  } finally {
    socket._sending = outer;
  }
  if (ack !== undefined && ticket !== undefined) {
    const errorFirst = timeout !== undefined || ack.withError === true || socket._errorFirstAcks;
    socket._acks.set(ticket, { fn: ack, errorFirst });
    live.add(socket);
  }
}

// The core wrote an event (`onAnyOutgoing`): the packet being emitted right now, or one that
// waited in a buffer, decoded from what was sent.
function notifySent(socket, json, attachments) {
  if (!socket._anyOutgoing?.length) return;
  const sending = socket._sending;
  const current = sending !== undefined && sending.json === json;
  if (current && sending.told) return;
  let packet = current ? sending.packet : undefined;
  if (packet === undefined) {
    try {
      packet = JSON.parse(json);
      if (attachments.length > 0) packet = restoreBinaries(packet, attachments);
    } catch (error) {
      return reportError(error);
    }
  }
  callEach(socket, socket._anyOutgoing, packet);
}

function removeAny(socket, field, listener) {
  const list = socket[field];
  if (!list) return;
  if (listener === undefined) {
    socket[field] = [];
    return;
  }
  const index = list.indexOf(listener);
  if (index >= 0) list.splice(index, 1);
}

// The function a listener gets when the server asks for an ack: it answers at most once.
function ackFunction(socket, id) {
  let sent = false;
  return (...args) => {
    if (sent) return;
    sent = true;
    const found = scan(args);
    const reply = (values) => {
      const [json, attachments] = encode(values, found !== NOTHING);
      socket._ack(id, json, attachments);
    };
    if (found & BLOB) readBlobs(args).then(reply, reportError);
    else reply(args);
  };
}

function ackFailed(socket, ticket, timedOut) {
  const entry = socket._acks.get(ticket);
  if (!entry) return;
  socket._acks.delete(ticket);
  if (timedOut) callOne(socket, entry.fn, [new Error("operation has timed out")]);
  else if (entry.errorFirst) callOne(socket, entry.fn, [new Error("socket has been disconnected")]);
}

function askAuth(socket) {
  const answer = (data) => socket._authenticate(data == null ? undefined : JSON.stringify(data));
  const auth = socket._auth;
  if (typeof auth !== "function") return answer(auth);
  try {
    auth(answer);
  } catch (error) {
    reportError(error);
  }
}

// ---- Manager ---------------------------------------------------------------------------------

const MANAGER_EVENT_ARITY = { open: 0, ping: 0, reconnect_failed: 0, close: 2 };

/** A connection to one server, shared by the sockets of its namespaces. */
class Manager extends WasmManager {
  constructor(uri, opts) {
    super(uri, opts);
    if (typeof uri === "object" && uri !== null) opts = uri;
    this.opts = opts ?? {};
    this.opts.path ??= "/socket.io";
    this._bind(new WeakRef(this));
    if (this._autoConnect) this.open();
  }

  on(event, fn) {
    if (String(event) === "packet") this._reportPackets();
    return addListener(this, event, fn, false);
  }

  once(event, fn) {
    if (String(event) === "packet") this._reportPackets();
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
    return appCall(this, () => {
      this._open(typeof callback !== "function");
      keepManager(this);
    });
  }

  connect(callback) {
    return this.open(callback);
  }

  disconnect() {
    return appCall(this, () => {
      this._close();
      keepManager(this);
    });
  }

  close() {
    return this.disconnect();
  }

  // One socket per namespace, as in socket.io-client; `_socket` makes a new one.
  socket(nsp, opts) {
    this._nsps ??= new Map();
    let socket = this._nsps.get(nsp);
    if (!socket) {
      const options = opts ?? this.opts;
      socket = setUpSocket(this._socket(nsp, options), this, options);
      this._nsps.set(nsp, socket);
      if (this._autoConnect) socket.connect();
    } else if (this._autoConnect && !socket.active) {
      socket.connect();
    }
    return socket;
  }

  // `manager.engine`: the Engine.IO connection's id, readyState and transport name (read live),
  // and its `upgrade` event.
  get engine() {
    const manager = this;
    this._engine ??= Object.assign(
      {
        get id() {
          return manager._engineState.id;
        },
        get readyState() {
          return manager._engineState.readyState;
        },
        get transport() {
          return manager._engineState.transport;
        },
      },
      emitterMethods,
    );
    return this._engine;
  }

  // What the wasm half reports (see target.rs).
  _onNotice(name, first, second) {
    if (name === "upgrade") {
      if (this._engine) callListeners(this._engine, "upgrade", [first]);
    } else {
      const arity = MANAGER_EVENT_ARITY[name] ?? 1;
      callListeners(this, name, [first, second].slice(0, arity));
    }
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

// ---- io() ------------------------------------------------------------------------------------

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
