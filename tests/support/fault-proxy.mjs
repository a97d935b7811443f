// A fault-injecting TCP proxy for the browser tests: Chromium talks to the proxy's port, the
// proxy forwards every TCP connection to the real socket.io server, and the test breaks the path
// the way real networks do. Each byte stream (client->server, server->client) is a queue of
// chunks with a delivery time, so latency, jitter and throttling never reorder a connection's
// bytes, and a black hole simply stops delivering (nothing forwarded, nothing closed).
//
//   const proxy = await startFaultProxy({ port: srv.port });
//   proxy.url                      // http://127.0.0.1:<port>: give this to io()
//   proxy.cut()                    // RST every open connection (both sides), like a NAT reboot
//   proxy.blackhole(true/false)    // dead Wi-Fi: hold all traffic (and closes) until false;
//                                  // what was held is then delivered, as TCP retransmits would
//   proxy.latency(ms, jitterMs)    // each chunk waits ms + random(0..jitterMs), order kept
//   proxy.throttle(bytesPerSecond) // each direction of each connection at most this rate (0: off)
//   proxy.refuse("rst" | "close" | false)
//                                  // "rst": accept and reset at once (connection refused/reset);
//                                  // "close": stop listening (ECONNREFUSED); false: accept again
//   proxy.tap = (direction, chunk, conn) => {}  // sees every chunk as it arrives ("up": from
//                                  // the browser, "down": from the server), before any delay
//   proxy.stats                    // { accepted, refused, cut, bytesUp, bytesDown }
//   await proxy.close()            // RST everything, stop listening, clear every timer
import { createServer, connect } from "node:net";

/** One direction of one proxied connection: chunks wait in order for their delivery time. */
class Pipe {
  constructor(proxy, to) {
    this.proxy = proxy;
    this.to = to;
    this.queue = []; // { chunk | null (end), at }
    this.lastAt = 0;
    this.timer = null;
    this.waitingDrain = false;
  }

  push(chunk) {
    const { latencyMs, jitterMs, bytesPerSecond } = this.proxy.settings;
    const now = Date.now();
    let at = now + latencyMs + (jitterMs > 0 ? Math.random() * jitterMs : 0);
    // Order is kept: a chunk never overtakes the one before it.
    at = Math.max(at, this.lastAt);
    if (bytesPerSecond > 0 && chunk) at = Math.max(at, this.lastAt, now) + (chunk.length * 1000) / bytesPerSecond;
    this.lastAt = at;
    this.queue.push({ chunk, at });
    this.pump();
  }

  pump() {
    if (this.timer || this.waitingDrain || this.to.destroyed) return;
    if (this.proxy.settings.blackhole) return; // blackhole(false) pumps every pipe again
    while (this.queue.length > 0) {
      const head = this.queue[0];
      const wait = head.at - Date.now();
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = null;
          this.pump();
        }, wait);
        return;
      }
      this.queue.shift();
      if (head.chunk === null) {
        this.to.end();
        return;
      }
      if (!this.to.write(head.chunk)) {
        this.waitingDrain = true;
        this.to.once("drain", () => {
          this.waitingDrain = false;
          this.pump();
        });
        return;
      }
    }
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
  }
}

/** A browser connection and its upstream connection to the server. */
class Link {
  constructor(proxy, client) {
    this.proxy = proxy;
    this.client = client;
    this.server = connect({ host: proxy.target.host, port: proxy.target.port });
    this.up = new Pipe(proxy, this.server);
    this.down = new Pipe(proxy, this.client);
    this.closed = false;
    this.wire(client, this.up, "up");
    this.wire(this.server, this.down, "down");
  }

  wire(from, pipe, direction) {
    from.on("data", (chunk) => {
      this.proxy.stats[direction === "up" ? "bytesUp" : "bytesDown"] += chunk.length;
      this.proxy.tap?.(direction, chunk, this);
      pipe.push(chunk);
    });
    // A clean end travels like data (in order, held by a black hole); an error or a reset on
    // one side resets the other one.
    from.on("end", () => pipe.push(null));
    from.on("error", () => this.reset());
    from.on("close", (hadError) => {
      if (hadError) this.reset();
      else if (this.client.destroyed && this.server.destroyed) this.drop();
    });
  }

  reset() {
    if (this.closed) return;
    this.closed = true;
    this.up.stop();
    this.down.stop();
    for (const socket of [this.client, this.server]) {
      if (!socket.destroyed) socket.resetAndDestroy();
    }
    this.drop();
  }

  drop() {
    this.up.stop();
    this.down.stop();
    this.proxy.links.delete(this);
  }
}

/** Starts a proxy on 127.0.0.1 (a free port unless `listenPort`) to `host`:`port`. */
export async function startFaultProxy({ port, host = "127.0.0.1", listenPort = 0 }) {
  const proxy = {
    target: { host, port },
    settings: { latencyMs: 0, jitterMs: 0, bytesPerSecond: 0, blackhole: false, refuse: false },
    links: new Set(),
    stats: { accepted: 0, refused: 0, cut: 0, bytesUp: 0, bytesDown: 0 },
    tap: null,
    port: 0,
    url: null,
    server: null,
    listening: false,

    cut() {
      for (const link of [...proxy.links]) {
        proxy.stats.cut += 1;
        link.reset();
      }
    },
    blackhole(on = true) {
      proxy.settings.blackhole = on;
      if (!on) {
        for (const link of proxy.links) {
          link.up.pump();
          link.down.pump();
        }
      }
    },
    latency(ms, jitterMs = 0) {
      proxy.settings.latencyMs = ms;
      proxy.settings.jitterMs = jitterMs;
    },
    throttle(bytesPerSecond) {
      proxy.settings.bytesPerSecond = bytesPerSecond;
    },
    async refuse(mode) {
      proxy.settings.refuse = mode;
      if (mode === "close" && proxy.listening) await stopListening();
      if (mode !== "close" && !proxy.listening) await listen();
    },
    async close() {
      proxy.cut();
      proxy.tap = null;
      if (proxy.listening) await stopListening();
    },
  };

  function onConnection(client) {
    if (proxy.settings.refuse) {
      proxy.stats.refused += 1;
      client.on("error", () => {});
      client.resetAndDestroy();
      return;
    }
    proxy.stats.accepted += 1;
    client.setNoDelay(true);
    const link = new Link(proxy, client);
    link.server.setNoDelay(true);
    proxy.links.add(link);
  }

  function listen() {
    proxy.server = createServer(onConnection);
    return new Promise((resolve, reject) => {
      proxy.server.once("error", reject);
      proxy.server.listen(proxy.port || listenPort, "127.0.0.1", () => {
        proxy.server.off("error", reject);
        proxy.listening = true;
        proxy.port = proxy.server.address().port;
        proxy.url = `http://127.0.0.1:${proxy.port}`;
        resolve();
      });
    });
  }

  // The listening socket closes at once; close()'s callback would also wait for every link.
  function stopListening() {
    proxy.listening = false;
    const server = proxy.server;
    return new Promise((resolve) => {
      server.close();
      setImmediate(resolve);
    });
  }

  await listen();
  return proxy;
}
