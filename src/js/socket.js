// `Socket`: socket.io-client's socket for one namespace. This is its JavaScript half: what the
// app hands over (listeners, ack callbacks, `auth`), the variadic and chainable forms, and the
// encoding and decoding of payloads. Its state (id, connected, active, buffers) is the wasm
// half's (`_w`, src/js/socket.rs), read at each access, never copied here.
import { appCall, callEach, callListeners, callOne, emitterMethods, enter, leave } from "./emitter.js";
import {
  BLOB,
  ILLEGAL_ATTACHMENTS,
  NOTHING,
  RESERVED_EVENTS,
  decodeArray,
  encode,
  isEvent,
  queueBehindBlobs,
  readBlobs,
  restoreBinaries,
  scan,
} from "./payload.js";
import { keep, whenReady } from "./wasm.js";

/** `io()` makes its socket before it knows the Manager and namespace (see manager.js). */
export const DEFERRED = Symbol("bound later");

/** A Socket.IO socket: one namespace over a Manager's connection. */
export class Socket {
  /** A socket for `nsp` on `manager`, connected at once when the Manager has `autoConnect`. */
  constructor(manager, nsp, opts, deferred) {
    this._manager = manager;
    this.nsp = nsp;
    this._auth = opts?.auth;
    this._acks = new Map(); // ticket -> { fn, errorFirst }
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
    const data = this._w?._sendBuffer() ?? [];
    return data.map((args) => ({ type: 2, nsp: this.nsp, data: args }));
  }
  set sendBuffer(packets) {
    if (Array.isArray(packets) && packets.length === 0) whenBound(this, () => this._w._clearSendBuffer());
  }
  // The events received before the CONNECT reply (a recovering server replays missed ones
  // first), which the listeners get right before "connect": their `[event, ...args]` arrays,
  // frozen, as socket.io-client keeps them.
  get receiveBuffer() {
    const events = this._w?._receiveBuffer() ?? [];
    return events.flatMap(([frame, start, end, attachments, ackId]) => {
      const args = decodeArray(frame, start, end, attachments);
      if (!Array.isArray(args) || !isEvent(args)) return [];
      if (ackId !== undefined) args.push(ackFunction(this, ackId));
      return [Object.freeze(args)];
    });
  }

  // ---- calls ---------------------------------------------------------------------------------

  emit(event, ...args) {
    if (RESERVED_EVENTS.has(event)) throw new Error(`"${event}" is a reserved event name`);
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : undefined;
    const { volatile = false, timeout } = this._flags ?? {};
    this._flags = undefined;
    const packet = [event, ...args];
    const found = scan(packet);
    const send = (value) =>
      whenBound(this, () => sendEvent(this, value, found !== NOTHING, ack, volatile, timeout));
    if (this._reading !== undefined || found & BLOB) queueBehindBlobs(this, packet, send);
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

  _onEvent(frame, start, end, attachments, ackId) {
    const args = decodeArray(frame, start, end, attachments);
    if (!Array.isArray(args) || !isEvent(args)) {
      this._w._reject(args === ILLEGAL_ATTACHMENTS);
      return;
    }
    if (ackId !== undefined) args.push(ackFunction(this, ackId));
    if (this._any?.length && !callEach(this, this._any, args)) return;
    const name = args.shift();
    callListeners(this, String(name), args);
  }
  // shape (AckShape in target.rs): 0 as usual, 1 the server's arguments as they are, 2 only
  // the first of them.
  _onAck(ticket, frame, start, end, attachments, shape) {
    const args = decodeArray(frame, start, end, attachments);
    if (!Array.isArray(args)) {
      this._w._reject(args === ILLEGAL_ATTACHMENTS);
      ackFailed(this, ticket, false);
      return;
    }
    const entry = this._acks.get(ticket);
    if (!entry) return;
    this._acks.delete(ticket);
    keepSocket(this);
    if (shape === 2) args.length = 1;
    else if (shape !== 1 && entry.errorFirst) args.unshift(null);
    callOne(this, entry.fn, args);
  }
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
  }
}
Object.assign(Socket.prototype, emitterMethods);

/** Binds `socket` to its wasm half, made by `manager` for `nsp` with `opts`, and connects it
 * when the Manager has `autoConnect` (as socket.io-client's Socket constructor does). */
export function bindSocket(socket, manager, nsp, opts) {
  socket.nsp = nsp;
  socket._manager = manager;
  socket._w = manager._w._socket(nsp, opts);
  socket._w._bind(new WeakRef(socket));
  if (manager._w._autoConnect) socket.connect();
}

// Runs `fn` once the socket has its wasm half (at once when it has).
function whenBound(socket, fn) {
  if (socket._w) fn();
  else whenReady(fn);
}

const keepSocket = (socket) => keep(socket, socket.active || socket._acks.size > 0);

function sendEvent(socket, packet, binary, ack, volatile, timeout) {
  const [json, attachments] = encode(packet, binary);
  const w = socket._w;
  // socket.io-client tells the outgoing listeners just before it writes, and a throw there
  // skips the write: when the core would write now, they are told here first.
  const told = socket._anyOutgoing?.length > 0 && w._writesNow(volatile);
  const withheld = told && !callEach(socket, socket._anyOutgoing, packet);
  // While this emit is written, a `sent` notice for it hands the listeners `packet` itself
  // (or nothing, when they were told already).
  const outer = socket._sending;
  socket._sending = { json, packet, told };
  let ticket;
  try {
    ticket = w._emit(json, attachments, ack !== undefined, volatile, timeout, withheld);
  } finally {
    socket._sending = outer;
  }
  if (ack !== undefined && ticket !== undefined) {
    const errorFirst = timeout !== undefined || ack.withError === true || w._errorFirstAcks;
    socket._acks.set(ticket, { fn: ack, errorFirst });
    keep(socket, true);
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
      socket._w._ack(id, json, attachments);
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
  const answer = (data) => socket._w._authenticate(data == null ? undefined : JSON.stringify(data));
  const auth = socket._auth;
  if (typeof auth !== "function") return answer(auth);
  try {
    auth(answer);
  } catch (error) {
    reportError(error);
  }
}
