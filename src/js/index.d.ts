// Types for socketio-wasm: the part of socket.io-client 4.x's API available so far.

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
}

export interface SocketOptions {
  /** Sent to the server with the namespace CONNECT. */
  auth?: Record<string, unknown>;
}

export interface IoOptions extends ManagerOptions, SocketOptions {
  /** Whether to connect at once. Default `true`. */
  autoConnect?: boolean;
}

export interface ConnectError extends Error {
  /** What the server's middleware attached (`err.data`). */
  data?: unknown;
  /** `"TransportError"` when the connection itself failed (`xhr poll error`, `websocket error`, ...). */
  type?: string;
  /** For transport errors: the HTTP status, when there was a response. */
  description?: number;
  /** For polling errors: the XMLHttpRequest (`responseText` has the server's `{code, message}`). */
  context?: unknown;
}

type Listener = (...args: any[]) => void;

export declare class Socket {
  private constructor();
  /** The Socket.IO id while connected. */
  readonly id: string | undefined;
  readonly connected: boolean;
  readonly disconnected: boolean;
  /** The namespace. */
  readonly nsp: string;
  /** The live transport (`"polling"` or `"websocket"`) while there is a connection. */
  readonly transport: "polling" | "websocket" | undefined;
  connect(): this;
  open(): this;
  disconnect(): this;
  close(): this;
  /** Emits an event; throws for reserved names (`connect`, `disconnect`, ...). */
  emit(event: string, ...args: any[]): this;
  /** Emits a `message` event. */
  send(...args: any[]): this;
  on(event: "connect", listener: () => void): this;
  on(event: "connect_error", listener: (error: ConnectError) => void): this;
  on(event: "disconnect", listener: (reason: DisconnectReason, description?: Error) => void): this;
  on(event: string, listener: Listener): this;
  once(event: string, listener: Listener): this;
  off(event?: string, listener?: Listener): this;
}

export declare function io(opts?: IoOptions): Socket;
export declare function io(url: string, opts?: IoOptions): Socket;
export declare namespace io {
  const protocol: number;
  const connect: typeof io;
}
export { io as connect };
export declare const protocol: number;
export default io;
