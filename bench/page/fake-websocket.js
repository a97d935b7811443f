// A stand-in for the browser's WebSocket that talks to an in-page BenchPeer: no sockets, no
// network, no other process. With it installed as window.WebSocket (before a client library is
// loaded, so libraries that capture the constructor at load time get it too), what is measured is
// the client alone: its framing, parsing, dispatch and the JS/wasm boundary.
//
// URLs whose path starts with /floor get the floor peer (no Engine.IO layer); any other URL gets
// the minimal Socket.IO peer. Nothing is delivered synchronously: replies come in a later task.
import { BenchPeer } from "./protocol.js";

// A task queue on a MessageChannel: unlike setTimeout it is not clamped to 4 ms when nested.
const queue = [];
const channel = new MessageChannel();
channel.port1.onmessage = () => {
  const fn = queue.shift();
  fn?.();
};
function later(fn) {
  queue.push(fn);
  channel.port2.postMessage(0);
}

export class FakeWebSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;

  constructor(url, protocols) {
    this.url = String(url);
    this.protocol = Array.isArray(protocols) ? (protocols[0] ?? "") : (protocols ?? "");
    this.extensions = "";
    this.readyState = FakeWebSocket.CONNECTING;
    this.binaryType = "blob";
    this.bufferedAmount = 0;
    this.outbox = [];
    this.onopen = this.onmessage = this.onerror = this.onclose = null;
    const floor = new URL(this.url).pathname.startsWith("/floor");
    this.peer = new BenchPeer(
      {
        sendText: (text) => this.deliver(text),
        sendBinary: (buffer) => this.deliver(buffer),
        later: (fn) => later(fn),
        backlog: () => 0,
        every: (fn, ms) => {
          const timer = setInterval(fn, ms);
          return () => clearInterval(timer);
        },
      },
      { engineIO: !floor },
    );
    later(() => {
      if (this.readyState !== FakeWebSocket.CONNECTING) return;
      this.readyState = FakeWebSocket.OPEN;
      this.onopen?.({ type: "open", target: this });
      this.peer.open();
    });
  }

  // Server -> client. Frames queued in one task arrive together in the next task: a blast of 256
  // frames costs one task hop, not 256, so the fake itself stays cheap next to the client.
  deliver(data) {
    if (this.readyState !== FakeWebSocket.OPEN) return;
    this.outbox.push(data);
    if (this.outbox.length > 1) return;
    later(() => {
      const frames = this.outbox;
      this.outbox = [];
      // A browser stamps each event with its time (event.timeStamp), which a client may read;
      // the frames of one task share one stamp here, as they arrive together.
      const timeStamp = performance.now();
      for (const data of frames) {
        if (this.readyState !== FakeWebSocket.OPEN) return;
        this.onmessage?.({ type: "message", data, target: this, timeStamp });
      }
    });
  }

  // Client -> server: the peer sees the frame at once (it only counts or queues replies).
  send(data) {
    if (this.readyState !== FakeWebSocket.OPEN) throw new DOMException("not open", "InvalidStateError");
    if (typeof data === "string") this.peer.onText(data);
    else this.peer.onBinary(data);
  }

  close() {
    if (this.readyState >= FakeWebSocket.CLOSING) return;
    this.readyState = FakeWebSocket.CLOSING;
    this.peer.close();
    later(() => {
      this.readyState = FakeWebSocket.CLOSED;
      this.onclose?.({ type: "close", code: 1000, reason: "", wasClean: true, target: this });
    });
  }

  addEventListener(type, listener) {
    // Enough for code that prefers addEventListener; the clients measured here use onX.
    const prop = `on${type}`;
    const previous = this[prop];
    this[prop] = (event) => {
      previous?.(event);
      listener(event);
    };
  }

  removeEventListener() {}
}
