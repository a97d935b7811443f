// Without event maps every event name and argument is accepted: the calls below are those the
// JS tests (tests/api, www/chat.js) make, written as an app would, and they must keep compiling.
// Checked by `tsc -p tests/types` in `npm test`; nothing here runs.
import io, { connect, io as namedIo, Manager, protocol, Socket } from "socketio-wasm";
import type { DefaultEventsMap } from "socketio-wasm";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

const url = "http://127.0.0.1:3000";
const socket = io(url, { transports: ["websocket"], reconnectionDelay: 100, randomizationFactor: 0 });
type _untyped = Expect<Equal<typeof socket, Socket<DefaultEventsMap, DefaultEventsMap>>>;
const plain: Socket = socket;
const other: Socket = io({ autoConnect: false, forceNew: true, auth: { token: "abc" } });
const viaConnect = connect(url, { multiplex: false });
const viaNamed = namedIo(url, { ackTimeout: 150, retries: 3 });

// Any event, any arguments, acks of any shape.
socket.emit("join", "nick");
socket.emit("chat", { text: "hi" });
socket.emit("binary", new Uint8Array([1, 2]), new ArrayBuffer(4));
socket.emit("ack", "a", 2, (...args: unknown[]) => args.length);
const resolved = new Promise((resolve) => socket.emit("ack", resolve));
socket.timeout(150).emit("never", 1, (...args: any[]) => args[0] instanceof Error);
socket.timeout(1000).emit("ack", "a", (err: Error, value: string) => value);
socket.volatile.emit("tick", 1);
socket.compress(false).emit("uncompressed", "x".repeat(5000));
socket.send("hello", { a: 1 });
const value = socket.emitWithAck("ack", { x: 1 }, "ignored second value");
type _value = Expect<Equal<typeof value, Promise<any>>>;
const none = socket.emitWithAck("ack");
const timedValue = socket.timeout(50).emitWithAck("never", 1);
type _timedValue = Expect<Equal<typeof timedValue, Promise<any>>>;
const chain: boolean = socket.timeout(10) === socket && socket.compress(true) === socket;

// Listeners: reserved ones typed, any other name with any arguments.
socket
  .on("connect", () => socket.id)
  .on("disconnect", (reason, description) => reason === "io server disconnect")
  .on("connect_error", (err) => err.message + String(err.data))
  .on("welcome", (data) => data.whatever)
  .on("question", (n: number, ack: (answer: number) => void) => ack(n + 1))
  .once("e1", (...args) => args.length);
const listener = (...args: any[]) => {};
socket.addEventListener("ev", listener).removeListener("ev", listener);
socket.removeEventListener("ev", listener);
socket.removeAllListeners("ev").removeAllListeners();
socket.off("welcome", listener).off("welcome").off();
const count: number = socket.listeners("welcome").length;
const has: boolean = socket.hasListeners("connect") || socket.hasListeners("welcome");
socket.onAny((event, ...args) => event.length + args.length).prependAny(listener).offAny(listener).offAny();
socket.onAnyOutgoing((event: string, ...args: any[]) => {}).prependAnyOutgoing(listener);
socket.offAnyOutgoing(listener).offAnyOutgoing();
const anyCount = socket.listenersAny().length + socket.listenersAnyOutgoing().length;

// State and lifecycle.
const state = [socket.id, socket.connected, socket.disconnected, socket.active, socket.recovered, socket.nsp];
const transport: string | undefined = socket.transport ?? socket.io.engine.transport.name;
socket.auth = { token: "next" };
socket.auth = (cb) => cb({ token: "fresh" });
socket.sendBuffer = [];
const buffered: unknown[] = socket.sendBuffer.map((packet) => packet.data);
const received = socket.receiveBuffer.length;
socket.connect().open().disconnect().close();

// The Manager.
const m = socket.io;
m.reconnectionDelay(500).reconnectionDelayMax(1000).reconnectionAttempts(3).randomizationFactor(0);
m.reconnection(false).timeout(false).timeout(1500);
const settings: [boolean, number, number, number, number, number | false] = [
  m.reconnection(),
  m.reconnectionAttempts(),
  m.reconnectionDelay(),
  m.reconnectionDelayMax(),
  m.randomizationFactor(),
  m.timeout(),
];
const path: string | undefined = m.opts.path;
m.on("open", () => {}).on("close", (reason) => `manager close ${reason}`);
m.on("error", (err) => err.message).on("reconnect_failed", () => {});
m.engine.on("upgrade", (t) => t.name).once("upgrade", () => {}).off("upgrade");
const engine = [m.engine.id, m.engine.readyState];
const manager = new Manager(url, { autoConnect: false, path: "/custom", timeout: 1234 });
const bare = new Manager({ reconnection: false });
const admin = manager.socket("/admin", { auth: { token: "t" } });
type _admin = Expect<Equal<typeof admin, Socket<DefaultEventsMap, DefaultEventsMap>>>;
manager.open((err) => err?.message).connect();
manager.disconnect().close();

// The module's other exports.
const exports = [io.connect === io, io.io === io, io.Manager === Manager, io.Socket === Socket, io.protocol];
const version: number = protocol;
const isSocket: boolean = socket instanceof Socket && m instanceof Manager;
