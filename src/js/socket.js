// `Socket`: socket.io-client's socket for one namespace. This is its JavaScript half: what the
// app hands over (listeners, ack callbacks, `auth`), and the variadic and chainable forms. Its
// state (id, connected, active, buffers) and every Socket.IO rule (payload encoding and
// decoding, reserved names, error-first acks) are the wasm half's (`_w`, src/js/socket.rs):
// state is read at each access, never copied here, and listeners get the arrays it decoded.
import { appCall, callEach, callListeners, callOne, emitterMethods, enter, leave } from "./emitter.js";
import { queueBehindBlobs, readBlobs } from "./blobs.js";
import { keep, link, whenReady } from "./wasm.js";

/** `io()` makes its socket before it knows the Manager and namespace (see manager.js). */
export const DEFERRED = Symbol("bound later");

/** A Socket.IO socket: one namespace over a Manager's connection. */
export class Socket {
  /** A socket for `nsp` on `manager`, connected at once when the Manager has `autoConnect`. */
  constructor(manager, nsp, opts, deferred) {
    this._manager = manager;
    this.nsp = nsp;
    this._auth = opts?.auth;
    this._acks = new Map(); // ticket -> ack callback
    // Until the wasm half is bound: whether the calls made so far leave the socket active.
    this._activeSoon = manager.opts.autoConnect !== false;
    if (deferred !== DEFERRED) whenReady(() => bindSocket(this, manager, nsp, opts));
  }

  // ---- state, read off the wasm half -------------------------------------------------------

  get id() {
    return this._w?.id;
  }
  get connected() {
    return this._w?.connected ?? false;
  }
  get disconnected() {
    return !this.connected;
  }
  get active() {
    return this._w ? this._w.active : this._activeSoon;
  }
  get recovered() {
    return this._w?.recovered ?? false;
  }
  // The Manager this socket belongs to (the same object for every socket that shares it).
  get io() {
    return this._manager;
  }
  get volatile() {
    this._flags = { ...this._flags, volatile: true };
    return this;
  }
  // The CONNECT payload: an object, or a function `(cb) => cb(data)` asked on every connect.
  get auth() {
    return this._auth;
  }
  set auth(auth) {
    this._auth = auth;
    whenBound(this, () => {
      const asked = typeof auth === "function";
      this._w._setAuth(asked || auth == null ? undefined : JSON.stringify(auth), asked);
    });
  }
  // The emits waiting to be sent, as socket.io-client's packets (a copy: assigning an empty
  // array drops them).
  get sendBuffer() {
    return this._w?._sendBuffer() ?? [];
  }
  set sendBuffer(packets) {
    if (Array.isArray(packets) && packets.length === 0) whenBound(this, () => this._w._clearSendBuffer());
  }
  // The events received before the CONNECT reply (a recovering server replays missed ones
  // first), which the listeners get right before "connect": their `[event, ...args]` arrays,
  // frozen, as socket.io-client keeps them.
  get receiveBuffer() {
    const events = this._w?._receiveBuffer() ?? [];
    return events.map(([packet, ackId]) => {
      if (ackId !== undefined) packet.push(ackFunction(this, ackId));
      return Object.freeze(packet);
    });
  }

    // ---- calls ---------------------------------------------------------------------------------

  emit(event, ...args) {
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : undefined;
    const { volatile = false, timeout } = this._flags ?? {};
    this._flags = undefined;
    const packet = [event, ...args];
    const send = (value) => whenBound(this, () => sendEvent(this, value, ack, volatile, timeout));
    if (this._reading !== undefined) queueBehindBlobs(this, packet, send);
    else {
      const outer = enter();
      try {
        send(packet);
      } finally {
        leave(outer);
      }
    }
    return this;
  }
  send(...args) {
    return this.emit("message", ...args);
  }
  emitWithAck(event, ...args) {
    return new Promise((resolve, reject) => {
      const ack = (error, value) => (error ? reject(error) : resolve(value));
      ack.withError = true;
      this.emit(event, ...args, ack);
    });
  }
  timeout(ms) {
    this._flags = { ...this._flags, timeout: ms };
    return this;
  }
  // Accepted for compatibility: the browser decides WebSocket compression.
  compress() {
    return this;
  }
  connect() {
    if (!this._w) {
      this._activeSoon = true;
      whenReady(() => this.connect());
      return this;
    }
    return appCall(this, () => {
      this._w._connect();
      keepSocket(this);
    });
  }
  open() {
    return this.connect();
  }
  disconnect() {
    if (!this._w) {
      this._activeSoon = false;
      whenReady(() => this.disconnect());
      return this;
    }
    return appCall(this, () => {
      this._w._disconnect();
      keepSocket(this);
    });
  }
  close() {
    return this.disconnect();
  }
  onAny(listener) {
    (this._any ??= []).push(listener);
    return this;
  }
  prependAny(listener) {
    (this._any ??= []).unshift(listener);
    return this;
  }
  offAny(listener) {
    removeAny(this, "_any", listener);
    return this;
  }
  listenersAny() {
    return [...(this._any ?? [])];
  }
  onAnyOutgoing(listener) {
    (this._anyOutgoing ??= []).push(listener);
    whenBound(this, () => this._w._reportSent());
    return this;
  }
  prependAnyOutgoing(listener) {
    (this._anyOutgoing ??= []).unshift(listener);
    whenBound(this, () => this._w._reportSent());
    return this;
  }
  offAnyOutgoing(listener) {
    removeAny(this, "_anyOutgoing", listener);
    return this;
  }
  listenersAnyOutgoing() {
    return [...(this._anyOutgoing ?? [])];
  }

  // ---- what the wasm half reports (src/js/target.rs) ----------------------------------------

  _onEvent(packet, ackId) {
    if (ackId !== undefined) packet.push(ackFunction(this, ackId));
    if (this._any?.length && !callEach(this, this._any, packet)) return;
    const name = packet.shift();
    callListeners(this, String(name), packet);
  }
  // The ack callback of `ticket` with `args`, or dropped uncalled when there are none.
  _onAck(ticket, args) {
    const fn = this._acks.get(ticket);
    if (fn === undefined) return;
    this._acks.delete(ticket);
    keepSocket(this);
    if (args !== undefined) callOne(this, fn, args);
  }
  // An event is being written: false when an onAnyOutgoing listener threw (no write).
  _onOutgoing(packet) {
    return !this._anyOutgoing?.length || callEach(this, this._anyOutgoing, packet);
  }
  _onNotice(name, args) {
    if (name === "auth") askAuth(this);
    else callListeners(this, name, args);
    keepSocket(this);
  }
}
Object.assign(Socket.prototype, emitterMethods);

/** Binds `socket` to its wasm half, made by `manager` for `nsp` with `opts`, and connects it
 * when the Manager has `autoConnect` (as socket.io-client's Socket constructor does). */
export function bindSocket(socket, manager, nsp, opts) {
  socket.nsp = nsp;
  socket._manager = manager;
  socket._w = manager._w._socket(nsp, opts);
  socket._w._bind(link(socket));
  if (manager._w._autoConnect) socket.connect();
}

// Runs `fn` once the socket has its wasm half (at once when it has).
function whenBound(socket, fn) {
  if (socket._w) fn();
  else whenReady(fn);
}

const keepSocket = (socket) => keep(socket, socket.active || socket._acks.size > 0);

// Hands the emit to the wasm half; one holding Blobs waits for their bytes (its turn keeps the
// order of later emits).
function sendEvent(socket, packet, ack, volatile, timeout) {
  const ticket = socket._w._emit(packet, ack !== undefined, ack?.withError === true, volatile, timeout);
  if (ticket === false) queueBehindBlobs(socket, packet, (value) => sendEvent(socket, value, ack, volatile, timeout));
  else if (ticket !== undefined) {
    socket._acks.set(ticket, ack);
    keep(socket, true);
  }
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
    answerAck(socket, id, args);
  };
}

function answerAck(socket, id, args) {
  if (socket._w._ack(id, args) === false) readBlobs(args).then((values) => answerAck(socket, id, values), reportError);
}

function askAuth(socket) {
  const answer = (data) => socket._w._authenticate(data == null ? undefined : JSON.stringify(data));
  const auth = socket._auth;
  if (typeof auth !== "function") return answer(auth);
  try {
    auth(answer);
  } catch (error) {
    reportError(error);
  }
}
