// The benchmark's wire vocabulary, shared by node (bench/servers.mjs) and the page (the fake
// WebSocket): the payloads, the pre-encoded Socket.IO frames, and `BenchPeer`, the server side of
// one connection for the minimal Socket.IO-on-ws server and the raw floor server. One copy of this
// logic means the network modes and the in-page fake speak exactly the same frames.
//
// Commands a client sends (as Socket.IO events, so every client can send them with `emit`):
//   "recv"   {n, size}  the peer sends n events "ev" of that payload as fast as it can
//   "expect" {n}        the peer counts the next n "ev" events, then emits "done" n
//   "ack"    x          (with an ack id) the peer acknowledges with [x]

export const SIZES = ["small", "1k", "64k", "bin64k"];
export const BINARY_SIZE = 65536;

// A ~1 KB record; 64 of them make the 64 KB object.
function record(i) {
  const r = {
    id: 100000 + i,
    user: `user-${i}`,
    email: `user-${i}@example.com`,
    active: i % 2 === 0,
    score: 1234.5 + i,
    tags: ["alpha", "beta", "gamma", "delta"],
    address: { street: `${i} Main Street`, city: "Springfield", zip: "12345", country: "US" },
    items: [],
  };
  for (let k = 0; JSON.stringify(r).length < 1000; k++) {
    r.items.push({ sku: `SKU-${i}-${k}`, qty: k + 1, price: 9.99 + k, name: `item ${k}` });
  }
  return r;
}

// The payload of one event: a JSON-able object, or an ArrayBuffer for "bin64k".
export function makePayload(size) {
  switch (size) {
    case "small": // {"id":12345,"user":"alice","text":"hello, world","ok":true} = 56 bytes
      return { id: 12345, user: "alice", text: "hello, world", ok: true };
    case "1k":
      return record(0);
    case "64k":
      return { rows: Array.from({ length: 64 }, (_, i) => record(i)) };
    case "bin64k": {
      const bytes = new Uint8Array(BINARY_SIZE);
      for (let i = 0; i < bytes.length; i++) bytes[i] = i & 255;
      return bytes.buffer;
    }
    default:
      throw new Error(`unknown payload size ${size}`);
  }
}

export const isBinarySize = (size) => size === "bin64k";

// The frames of one "ev" event: [text] or, for binary, [header text, ArrayBuffer].
export function eventFrames(size) {
  const payload = makePayload(size);
  if (isBinarySize(size)) {
    return ['451-["ev",{"_placeholder":true,"num":0}]', payload];
  }
  return [`42${JSON.stringify(["ev", payload])}`];
}

export function handshakeFrame(sid) {
  return `0${JSON.stringify({
    sid,
    upgrades: [],
    pingInterval: 25000,
    pingTimeout: 20000,
    maxPayload: 1000000,
  })}`;
}

let sids = 0;
const newSid = (tag) => `${tag}${(++sids).toString(36).padStart(6, "0")}AAAAAAAAAAAA`.slice(0, 20);

// The server side of one connection. `link` is what the transport provides:
//   sendText(string), sendBinary(ArrayBuffer), later(fn) (a fresh task), backlog() (bytes queued),
//   every(fn, ms) -> cancel.
// `engineIO`: true for the minimal Socket.IO server (Engine.IO open packet, pings), false for the
// floor server, which speaks the same Socket.IO frames without the Engine.IO layer.
export class BenchPeer {
  constructor(link, { engineIO, encode = (x) => x }) {
    this.link = link;
    this.engineIO = engineIO;
    this.encode = encode; // node pre-encodes frames to Buffers; the page keeps strings
    this.expected = 0;
    this.received = 0;
    this.frames = new Map();
    this.stopPing = null;
  }

  open() {
    if (!this.engineIO) return;
    this.link.sendText(handshakeFrame(newSid("e")));
    this.stopPing = this.link.every(() => this.link.sendText("2"), 25000);
  }

  close() {
    this.stopPing?.();
    this.stopPing = null;
    this.expected = 0;
  }

  framesFor(size) {
    let frames = this.frames.get(size);
    if (!frames) {
      frames = eventFrames(size).map((f) => (typeof f === "string" ? this.encode(f) : f));
      this.frames.set(size, frames);
    }
    return frames;
  }

  countEvent() {
    if (++this.received === this.expected) {
      this.expected = 0;
      this.link.sendText(`42${JSON.stringify(["done", this.received])}`);
    }
  }

  onText(frame) {
    if (this.expected > 0) {
      // Counting: a text event, or a binary header whose attachment is counted when it arrives.
      if (frame.startsWith('42["ev"')) return this.countEvent();
      if (frame.startsWith("451-")) return;
    }
    if (frame === "3" || frame === "41") return; // pong; namespace disconnect
    if (frame.startsWith("40")) {
      this.link.sendText(`40${JSON.stringify({ sid: newSid("s") })}`);
      return;
    }
    if (!frame.startsWith("42")) return;
    let i = 2;
    while (i < frame.length && frame.charCodeAt(i) >= 48 && frame.charCodeAt(i) <= 57) i++;
    const ackId = frame.slice(2, i);
    const [name, arg] = JSON.parse(frame.slice(i));
    if (ackId) {
      this.link.sendText(`43${ackId}${JSON.stringify([arg])}`);
    } else if (name === "recv") {
      this.blast(arg.n, arg.size);
    } else if (name === "expect") {
      this.expected = arg.n;
      this.received = 0;
    }
  }

  onBinary() {
    if (this.expected > 0) this.countEvent();
  }

  // Sends n events as fast as the link takes them: batches of frames, a fresh task between
  // batches, and a pause while more than 4 MB wait in the outgoing buffer.
  blast(n, size) {
    const frames = this.framesFor(size);
    const [head, body] = frames;
    let sent = 0;
    const step = () => {
      for (let k = 0; k < 256 && sent < n; k++, sent++) {
        this.link.sendText(head);
        if (body) this.link.sendBinary(body);
      }
      if (sent < n) this.link.later(step, this.link.backlog() > 4 << 20);
    };
    step();
  }
}
