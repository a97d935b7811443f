// Types for socketio-wasm: the subset of socket.io-client 4.x's API available so far.

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
  /** Transports to use; only `"websocket"` is available so far. */
  transports?: ("websocket" | "polling")[];
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
