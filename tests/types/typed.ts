// Typed events: what must compile, and (`@ts-expect-error`) what must not.
// Checked by `tsc -p tests/types` in `npm test`; nothing here runs.
import io, { Manager, Socket } from "socketio-wasm";
import type { ConnectError, DisconnectDescription, DisconnectReason, Packet } from "socketio-wasm";
// @ts-expect-error: the declarations' helper types are not part of the package
import type { AckNames } from "socketio-wasm";

// Type-level assertions: `Expect<Equal<A, B>>` fails to compile unless A and B are the same type.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

// ---- the README example ----------------------------------------------------------------------

interface ServerToClient {
  chat: (m: { text: string }) => void;
}
interface ClientToServer {
  chat: (m: { text: string }, ack: (ok: boolean) => void) => void;
}
const s: Socket<ServerToClient, ClientToServer> = io();
s.on("chat", (m) => m.text);
s.emit("chat", { text: "hi" }, (ok) => {
  const b: boolean = ok;
});

// @ts-expect-error: no such event from the server
s.on("chat2", () => {});
// @ts-expect-error: no such event to the server
s.emit("chat2", { text: "hi" }, (ok: boolean) => ok);
// @ts-expect-error: a chat message is an object, not a string
s.on("chat", (m: string) => m);
// @ts-expect-error: wrong argument type
s.emit("chat", { text: 1 }, (ok) => ok);
// @ts-expect-error: the ack the map declares is missing
s.emit("chat", { text: "hi" });
// @ts-expect-error: the ack receives a boolean
s.emit("chat", { text: "hi" }, (ok: string) => ok);
// @ts-expect-error: an argument too many
s.emit("chat", { text: "hi" }, (ok) => ok, 1);
// @ts-expect-error: wrong argument type, after volatile
s.volatile.emit("chat", { text: 1 }, (ok) => ok);
// @ts-expect-error: wrong argument type, after compress
s.compress(false).emit("chat", "hi", (ok) => ok);
// @ts-expect-error: listeners of an unknown event
s.listeners("chat2");
// @ts-expect-error: off for an unknown event
s.off("chat2");
// @ts-expect-error: once checks the listener too
s.once("chat", (m: number) => m);

// listeners() returns the typed listeners.
type _listeners = Expect<Equal<ReturnType<typeof s.listeners<"chat">>, ((m: { text: string }) => void)[]>>;

// ---- reserved events -------------------------------------------------------------------------

s.on("connect", () => {});
s.once("connect_error", (err) => {
  const e: ConnectError = err;
  const data: unknown = err.data;
});
s.on("disconnect", (reason, description) => {
  type _reason = Expect<Equal<typeof reason, DisconnectReason>>;
  type _description = Expect<Equal<typeof description, DisconnectDescription | undefined>>;
  if (reason === "forced close") s.connect();
});
const forced: Socket.DisconnectReason = "forced close";
// @ts-expect-error: not a disconnect reason
const bogus: DisconnectReason = "bogus";
// @ts-expect-error: connect has no arguments
s.on("connect", (x: string) => x);
// @ts-expect-error: connect_error receives an Error
s.on("connect_error", (e: string) => e);
// @ts-expect-error: the disconnect reason is a string
s.on("disconnect", (reason: number) => reason);
// @ts-expect-error: nor is it a plain Error
s.once("disconnect", (reason: Error) => reason);

// Reserved names cannot be emitted, even when a map lists them.
interface WithReserved {
  connect: () => void;
  ping: () => void;
}
declare const r: Socket<WithReserved>;
r.emit("ping");
// @ts-expect-error: "connect" is reserved (emit throws at run time)
r.emit("connect");

// ---- emitWithAck: the value of the ack, not the callback, is what a call supplies --------------

interface AckEvents {
  hello: (name: string, cb: (reply: number) => void) => void;
  nothing: (cb: () => void) => void;
  several: (a: number, b: boolean, cb: (first: { id: string }, second: string) => void) => void;
  optional: (name: string, cb?: (reply: string) => void) => void;
  noAck: (user: { userId: string }) => void;
  message: (text: string) => void;
}
declare const a: Socket<ServerToClient, AckEvents>;

const hello = a.emitWithAck("hello", "x");
type _hello = Expect<Equal<typeof hello, Promise<number>>>;
const timed = a.timeout(1000).emitWithAck("hello", "x");
type _timed = Expect<Equal<typeof timed, Promise<number>>>;
const nothing = a.emitWithAck("nothing");
type _nothing = Expect<Equal<typeof nothing, Promise<undefined>>>;
const several = a.emitWithAck("several", 1, true);
type _several = Expect<Equal<typeof several, Promise<{ id: string }>>>;
const optional = a.timeout(5).emitWithAck("optional", "x");
type _optional = Expect<Equal<typeof optional, Promise<string>>>;
const volatileAck = a.volatile.emitWithAck("hello", "x");
type _volatileAck = Expect<Equal<typeof volatileAck, Promise<number>>>;

// @ts-expect-error: the argument before the ack is missing
a.emitWithAck("hello");
// @ts-expect-error: the name is a string
a.emitWithAck("hello", 1);
// @ts-expect-error: emitWithAck makes the callback itself
a.emitWithAck("hello", "x", (reply: number) => reply);
// @ts-expect-error: the same after timeout()
a.timeout(1000).emitWithAck("hello", "x", (err: Error, reply: number) => reply);
// @ts-expect-error: the event's signature has no ack: the promise would never settle
a.emitWithAck("noAck", { userId: "1" });
// @ts-expect-error: nor an unknown event
a.emitWithAck("nope");

// The optional ack may be left out of emit.
a.emit("optional", "x");
a.emit("optional", "x", (reply) => {
  const text: string = reply;
});
a.emit("noAck", { userId: "1" });

// ---- timeout(ms).emit: the ack becomes error-first ---------------------------------------------

a.timeout(1000).emit("hello", "x", (err, reply) => {
  const e: Error = err;
  const n: number = reply;
});
a.timeout(1000).volatile.emit("hello", "x", (err, reply) => {
  const n: number = reply;
});
a.timeout(1000).emit("optional", "x", (err, reply) => {
  const text: string = reply;
});
a.timeout(1000).emit("optional", "x");
// @ts-expect-error: after timeout() the ack's first argument is the error
a.timeout(1000).emit("hello", "x", (reply: number) => reply);
// @ts-expect-error: the ack is still required
a.timeout(1000).emit("hello", "x");
// timeout() applies to one emit; the socket itself is unchanged.
a.emit("hello", "x", (reply) => {
  const n: number = reply;
});

// ---- send: a `message` event ----------------------------------------------------------------------

a.send("hi");
// @ts-expect-error: message takes a string
a.send(1);
// @ts-expect-error: this map has no message event
s.send("hi");

// ---- catch-all listeners -------------------------------------------------------------------------

s.onAny((event, ...args) => {
  if (event === "chat") {
    const text: string = args[0].text;
  }
});
// The event name narrows the whole argument list (TypeScript does not narrow a `...rest` that is
// declared beside the name).
a.onAnyOutgoing((...packet) => {
  if (packet[0] === "hello") {
    // the ack callback is not passed to outgoing listeners
    type _packet = Expect<Equal<typeof packet, [event: "hello", name: string]>>;
  }
});
a.onAnyOutgoing((...packet) => {
  if (packet[0] === "noAck") packet[1].userId;
});
s.onAny((event: string, ...args: any[]) => {});
s.prependAny((event, ...args) => {});
s.offAny();
const anyListeners: ((event: "chat", m: { text: string }) => void)[] = s.listenersAny();
// @ts-expect-error: event names are strings
s.onAny((event: number) => event);
// @ts-expect-error: the arguments of chat do not include a number
a.onAnyOutgoing((event: "chat", m: number) => m);

// ---- Manager -------------------------------------------------------------------------------------

const m = s.io;
type _manager = Expect<Equal<typeof m, Manager<ServerToClient, ClientToServer>>>;
m.on("open", () => {})
  .on("error", (err) => err.message)
  .on("ping", () => {})
  .on("packet", (packet) => {
    const p: Packet = packet;
    const nsp: string = packet.nsp;
  })
  .on("close", (reason, description) => {
    const text: string = reason;
  })
  .on("reconnect_attempt", (attempt) => attempt.toFixed())
  .on("reconnect", (attempt) => attempt + 1)
  .on("reconnect_error", (err) => err.data)
  .on("reconnect_failed", () => {});
m.once("open", () => {}).off("open");
// @ts-expect-error: not a Manager event
m.on("connect", () => {});
// @ts-expect-error: not a Manager event either
m.on("reconnecting", () => {});
// @ts-expect-error: an attempt is a number
m.on("reconnect_attempt", (attempt: string) => attempt);
// @ts-expect-error: open has no arguments
m.once("open", (x: number) => x);

// A Manager's sockets take its maps, or the annotation's.
const manager = new Manager<ServerToClient, ClientToServer>("https://example.com", { reconnectionDelay: 500 });
const root = manager.socket("/");
type _root = Expect<Equal<typeof root, Socket<ServerToClient, ClientToServer>>>;
const admin: Socket<AckEvents> = manager.socket("/admin");

// io() with explicit maps, with a URL.
const explicit = io<ServerToClient, ClientToServer>("https://example.com", { transports: ["websocket"] });
type _explicit = Expect<Equal<typeof explicit, Socket<ServerToClient, ClientToServer>>>;
// @ts-expect-error: explicit maps are checked as well
explicit.emit("chat", { text: "hi" });

// One map for both directions when EmitEvents is left out.
declare const both: Socket<ClientToServer>;
both.emit("chat", { text: "hi" }, (ok) => ok);
both.on("chat", (m, ack) => ack(true));

// ---- assignability, as in socket.io-client ---------------------------------------------------------

// An untyped socket fits a typed variable (an app that types its socket after creating it), and a
// typed socket fits an untyped parameter; sockets with other maps do not fit.
const untypedSocket = io();
const typedLater: Socket<ServerToClient, ClientToServer> = untypedSocket;
function setUp(socket: Socket) {
  socket.emit("anything", 1, 2, 3);
}
setUp(s);
setUp(a.timeout(1000));
const managerOfTyped: Manager = s.io;
const timedFits: Socket<ServerToClient, ClientToServer> = s.timeout(1000);
const sameSocket: boolean = s.timeout(1000) === s;
// @ts-expect-error: the maps are swapped
const swapped: Socket<ClientToServer, ServerToClient> = s;
