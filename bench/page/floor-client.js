// The floor: the least a client can do with these frames. A bare WebSocket, JSON.stringify out,
// JSON.parse in, one listener per event, acks by id, one binary attachment put back in place.
// No Engine.IO layer, no reconnection, no buffering, no validation. Every real client does at
// least this much work per message, so the other clients are reported as multiples of it.

export class FloorSocket {
  constructor(url) {
    this.connected = false;
    this.id = undefined;
    this.handlers = new Map();
    this.acks = new Map();
    this.nextAck = 0;
    this.pending = null; // a binary event waiting for its attachment
    const ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    ws.onopen = () => ws.send("40");
    ws.onmessage = (event) => this.receive(event.data);
    ws.onclose = () => {
      const was = this.connected;
      this.connected = false;
      if (was) this.handlers.get("disconnect")?.("transport close");
    };
    this.ws = ws;
  }

  on(event, listener) {
    this.handlers.set(event, listener);
    return this;
  }

  emit(event, ...args) {
    const [first] = args;
    if (first instanceof ArrayBuffer) {
      this.ws.send(`451-${JSON.stringify([event, { _placeholder: true, num: 0 }, ...args.slice(1)])}`);
      this.ws.send(first);
    } else {
      this.ws.send(`42${JSON.stringify([event, ...args])}`);
    }
    return this;
  }

  emitWithAck(event, ...args) {
    const id = this.nextAck++;
    this.ws.send(`42${id}${JSON.stringify([event, ...args])}`);
    return new Promise((resolve) => this.acks.set(id, resolve));
  }

  disconnect() {
    this.ws.close();
    if (this.connected) {
      this.connected = false;
      this.handlers.get("disconnect")?.("io client disconnect");
    }
    return this;
  }

  dispatch(args) {
    const listener = this.handlers.get(args[0]);
    if (listener) listener(...args.slice(1));
  }

  receive(data) {
    if (typeof data !== "string") {
      const args = this.pending;
      this.pending = null;
      if (args) {
        args[1] = data; // the benchmark's binary events carry one attachment, first argument
        this.dispatch(args);
      }
      return;
    }
    switch (data.charCodeAt(1)) {
      case 50: // "42": event
        this.dispatch(JSON.parse(data.slice(2)));
        break;
      case 51: {
        // "43<id>[...]": ack
        const open = data.indexOf("[");
        const id = Number(data.slice(2, open));
        const resolve = this.acks.get(id);
        this.acks.delete(id);
        resolve?.(...JSON.parse(data.slice(open)));
        break;
      }
      case 53: // "451-[...]": binary event, attachment follows
        this.pending = JSON.parse(data.slice(data.indexOf("-") + 1));
        break;
      case 48: // "40{sid}": connected
        this.id = JSON.parse(data.slice(2)).sid;
        this.connected = true;
        this.handlers.get("connect")?.();
        break;
      default:
    }
  }
}
