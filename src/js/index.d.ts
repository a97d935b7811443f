// Types for socketio-wasm: socket.io-client 4.x's API (see docs/api.md for what each member does).

export type DisconnectReason =
  | "io server disconnect"
  | "io client disconnect"
  | "ping timeout"
  | "transport close"
  | "transport error"
  | "parse error";

export interface ManagerOptions {
  /** The Engine.IO path on the server. Default `/socket.io`. */
  path?: string;
  /** Whether to append a trailing slash to `path`. Default `true`. */
  addTrailingSlash?: boolean;
  /** Query parameters sent with every request. */
  query?: Record<string, string | number | boolean> | string;
  /** Transports in order of preference. Default `["polling", "websocket"]`. */
  transports?: ("polling" | "websocket")[];
  /** Upgrade from polling to WebSocket when the server offers it. Default `true`. */
  upgrade?: boolean;
  /** Start on WebSocket when a WebSocket connection already worked on this page. Default `false`. */
  rememberUpgrade?: boolean;
  /** Fall back to the next transport when one cannot open. Default `false`. */
  tryAllTransports?: boolean;
  /** Add a cache-busting parameter to requests (unset: polling requests only). */
  timestampRequests?: boolean;
  /** The name of that parameter. Default `"t"`. */
  timestampParam?: string;
  /** Send cookies with cross-origin polling requests. Default `false`. */
  withCredentials?: boolean;
  /** Headers for polling requests (browsers cannot set headers on a WebSocket). */
  extraHeaders?: Record<string, string>;
  /** Fail a polling request that gets no answer within this many ms (`xhr poll error`). */
  requestTimeout?: number;
  /** WebSocket subprotocols offered to the server (`new WebSocket(url, protocols)`). */
  protocols?: string | string[];
  /**
   * Options for one transport over the top-level ones (`query`, `timestampRequests`,
   * `timestampParam`; polling: `withCredentials`, `extraHeaders`, `requestTimeout`; websocket:
   * `protocols`). A transport's own `query` replaces the whole query, `EIO` and `transport`
   * included, as in socket.io-client.
   */
  transportOptions?: {
    polling?: Partial<ManagerOptions>;
    websocket?: Partial<ManagerOptions>;
  };
  /** Close the connection cleanly (polling sends its close packet) when the page unloads. Default `false`. */
  closeOnBeforeunload?: boolean;
  /** Send binary over WebSocket as base64 text frames, and ask the server to do the same. Default `false`. */
  forceBase64?: boolean;
  /** Reconnect after the connection drops. Default `true`. */
  reconnection?: boolean;
  /** Give up after this many attempts. Default `Infinity`. */
  reconnectionAttempts?: number;
  /** The first reconnection delay in ms, doubled on each attempt. Default `1000`. */
  reconnectionDelay?: number;
  /** The longest reconnection delay in ms. Default `5000`. */
  reconnectionDelayMax?: number;
  /** How far a delay may stray from its nominal value (0 to 1). Default `0.5`. */
  randomizationFactor?: number;
  /** How long opening the connection may take, in ms (`false`: forever). Default `20000`. */
  timeout?: number | false;
  /** Whether to connect at once. Default `true`. */
  autoConnect?: boolean;
}

export interface SocketOptions {
  /** Sent to the server with the namespace CONNECT; a function is asked on every (re)connect. */
  auth?: Record<string, unknown> | ((callback: (data: Record<string, unknown>) => void) => void);
  /** Queue emits and resend each until acknowledged, at most this many more times. */
  retries?: number;
  /** The default ack timeout in ms (ack callbacks become error-first). */
  ackTimeout?: number;
}

export interface IoOptions extends ManagerOptions, SocketOptions {
  /** A new Manager even if one for this server exists. Default `false`. */
  forceNew?: boolean;
  /** Share one Manager per server between namespaces. Default `true`. */
  multiplex?: boolean;
}

export interface ConnectError extends Error {
  /** What the server's middleware attached (`err.data`). */
  data?: unknown;
  /** `"TransportError"` when the connection itself failed (`xhr poll error`, `websocket error`, ...). */
  type?: string;
  /** For transport errors: the HTTP status (0 when there was no response), or the WebSocket's `error` Event. */
  description?: number | Event;
  /** For polling errors: the XMLHttpRequest (`responseText` has the server's `{code, message}`). */
  context?: unknown;
}

type Listener = (...args: any[]) => void;

export declare class Socket {
  private constructor();
  /** The Manager this socket belongs to. */
  readonly io: Manager;
  /** The Socket.IO id while connected. */
  readonly id: string | undefined;
  readonly connected: boolean;
  readonly disconnected: boolean;
  /** Whether the socket is connected or will (re)connect on its own. */
  readonly active: boolean;
  /** Whether the last connection restored the session (connection state recovery). */
  readonly recovered: boolean;
  /** The namespace. */
  readonly nsp: string;
  /** The live transport (`"polling"` or `"websocket"`) while there is a connection. */
  readonly transport: "polling" | "websocket" | undefined;
  /** The CONNECT payload, or a function asked on every (re)connect. */
  auth: SocketOptions["auth"];
  /** Emits waiting to be sent (a copy; assign `[]` to drop them). */
  sendBuffer: { type: number; nsp: string; data: unknown[] }[];
  /** Events received before the CONNECT reply (`[event, ...args]`, frozen), delivered right before `connect`. */
  readonly receiveBuffer: readonly (readonly unknown[])[];
  /** The next emit is dropped unless it can be written at once. */
  readonly volatile: this;
  connect(): this;
  open(): this;
  disconnect(): this;
  close(): this;
  /** Emits an event; a function as last argument receives the server's ack. Throws for reserved names. */
  emit(event: string, ...args: any[]): this;
  /** Emits and resolves with the server's ack value (rejects on timeout or disconnect). */
  emitWithAck(event: string, ...args: any[]): Promise<any>;
  /** The next emit's ack callback gets `(err, ...values)` and times out after `ms`. */
  timeout(ms: number): this;
  /** Accepted for compatibility: the browser decides WebSocket compression. */
  compress(compress: boolean): this;
  /** Emits a `message` event. */
  send(...args: any[]): this;
  on(event: "connect", listener: () => void): this;
  on(event: "connect_error", listener: (error: ConnectError) => void): this;
  on(
    event: "disconnect",
    listener: (
      reason: DisconnectReason,
      description?: ConnectError | { description: string; context?: unknown },
    ) => void,
  ): this;
  on(event: string, listener: Listener): this;
  once(event: string, listener: Listener): this;
  off(event?: string, listener?: Listener): this;
  listeners(event: string): Listener[];
  hasListeners(event: string): boolean;
  onAny(listener: (event: string, ...args: any[]) => void): this;
  prependAny(listener: (event: string, ...args: any[]) => void): this;
  offAny(listener?: Listener): this;
  listenersAny(): Listener[];
  onAnyOutgoing(listener: (event: string, ...args: any[]) => void): this;
  prependAnyOutgoing(listener: (event: string, ...args: any[]) => void): this;
  offAnyOutgoing(listener?: Listener): this;
  listenersAnyOutgoing(): Listener[];
}

/** The Engine.IO connection under a Manager: live state and the `upgrade` event. */
export interface Engine {
  readonly id: string | undefined;
  readonly readyState: "opening" | "open" | "closed";
  readonly transport: { name: "polling" | "websocket" | undefined };
  on(event: "upgrade", listener: (transport: { name: string }) => void): this;
  once(event: "upgrade", listener: (transport: { name: string }) => void): this;
  off(event?: string, listener?: Listener): this;
}

/** One connection to a server, shared by the sockets of its namespaces. */
export declare class Manager {
  constructor(url?: string, opts?: IoOptions);
  constructor(opts?: IoOptions);
  readonly engine: Engine;
  /** The socket for `nsp` on this connection (one per namespace). */
  socket(nsp: string, opts?: SocketOptions): Socket;
  open(callback?: (error?: Error) => void): this;
  connect(callback?: (error?: Error) => void): this;
  /** Closes the connection for good. */
  disconnect(): this;
  close(): this;
  reconnection(): boolean;
  reconnection(value: boolean): this;
  reconnectionAttempts(): number;
  reconnectionAttempts(value: number): this;
  reconnectionDelay(): number;
  reconnectionDelay(value: number): this;
  reconnectionDelayMax(): number;
  reconnectionDelayMax(value: number): this;
  randomizationFactor(): number;
  randomizationFactor(value: number): this;
  timeout(): number | false;
  timeout(value: number | false): this;
  on(event: "open" | "ping" | "reconnect_failed", listener: () => void): this;
  on(event: "error" | "reconnect_error", listener: (error: ConnectError) => void): this;
  on(event: "close", listener: (reason: string, description?: unknown) => void): this;
  on(event: "reconnect_attempt" | "reconnect", listener: (attempt: number) => void): this;
  on(
    event: "packet",
    listener: (packet: { type: number; nsp: string; id?: number; data?: unknown }) => void,
  ): this;
  on(event: string, listener: Listener): this;
  once(event: string, listener: Listener): this;
  off(event?: string, listener?: Listener): this;
}

export declare function io(opts?: IoOptions): Socket;
export declare function io(url: string, opts?: IoOptions): Socket;
export declare namespace io {
  const protocol: number;
  const connect: typeof io;
  const Manager: typeof import("./index").Manager;
  const Socket: typeof import("./index").Socket;
}
export { io as connect };
export declare const protocol: number;
export default io;
