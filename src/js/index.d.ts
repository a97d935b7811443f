// Types for socketio-wasm: socket.io-client 4.x's API (see docs/api.md for what each member does).
//
// Typed events work as in socket.io-client: `Socket<ListenEvents, EmitEvents>` takes two maps
// from event names to listener signatures, one for the events the server sends, one for those the
// app emits. An ack is the last parameter of an emitted event's signature, when it is a function:
//
//   interface ServerToClient { chat: (m: { text: string }) => void }
//   interface ClientToServer { chat: (m: { text: string }, ack: (ok: boolean) => void) => void }
//   const socket: Socket<ServerToClient, ClientToServer> = io();
//
// Without maps (`io()`, `Socket`), any event name and any arguments are accepted.

/** Why a socket disconnected (`forced close`: its Manager was closed by `manager.disconnect()`). */
export type DisconnectReason =
  | "io server disconnect"
  | "io client disconnect"
  | "ping timeout"
  | "transport close"
  | "transport error"
  | "parse error"
  | "forced close";

/** The second argument of `disconnect` and of the Manager's `close`, when there is one. */
export type DisconnectDescription = Error | { description: string; context?: unknown };

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
  /** Fail a polling request that gets no answer within this many ms (`xhr poll error`; with
   * fetch, where there is no XMLHttpRequest, `fetch read error` with a `TimeoutError`). */
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
  /** `"TransportError"` when the connection itself failed (`xhr poll error`, `fetch read error`, `websocket error`, ...). */
  type?: string;
  /** For transport errors: the HTTP status (0 when there was no response; with fetch, the
   * rejection instead), or the WebSocket's `error` Event. */
  description?: number | Event | Error;
  /** For polling errors: the XMLHttpRequest (`responseText` has the server's `{code, message}`),
   * or, with fetch, the `Response` of an unsuccessful status. */
  context?: unknown;
}

/** socket.io-client's name for the `connect_error` value. */
export type ExtendedError = ConnectError;

// ---- event maps --------------------------------------------------------------------------------

/** Event names mapped to listener signatures, e.g. `{ chat: (text: string) => void }`. */
export interface EventsMap {
  [event: string]: any;
}

/** The map of an untyped socket: every event name, any arguments. */
export interface DefaultEventsMap {
  [event: string]: (...args: any[]) => void;
}

/** The event names of a map. */
export type EventNames<Map extends EventsMap> = keyof Map & (string | symbol);

/** The arguments of one event of a map. */
export type EventParams<Map extends EventsMap, Ev extends EventNames<Map>> = Map[Ev] extends (
  ...args: infer Params
) => any
  ? Params
  : never;

/** The events a Socket emits itself, listened to with `on`, whatever the app's maps say. */
export interface SocketReservedEvents {
  connect: () => void;
  connect_error: (error: ConnectError) => void;
  disconnect: (reason: DisconnectReason, description?: DisconnectDescription) => void;
}

/** What the Manager reports as `packet`: a decoded Socket.IO packet. */
export interface Packet {
  type: number;
  nsp: string;
  id?: number;
  data?: unknown;
}

/** The events of a Manager (it has no others). */
export interface ManagerReservedEvents {
  open: () => void;
  error: (error: ConnectError) => void;
  ping: () => void;
  packet: (packet: Packet) => void;
  close: (reason: string, description?: DisconnectDescription) => void;
  reconnect_attempt: (attempt: number) => void;
  reconnect: (attempt: number) => void;
  reconnect_error: (error: ConnectError) => void;
  reconnect_failed: () => void;
}

/**
 * How a Socket calls the ack callbacks of its emits: with the server's values (`"plain"`), or
 * with an error or `null` first (`"error-first"`, what `timeout(ms)` returns).
 */
export type AckStyle = "plain" | "error-first";

// ---- helpers (not exported) --------------------------------------------------------------------

type AnyFunction = (...args: any[]) => any;
type Listener = (...args: any[]) => void;

/** Names `emit` refuses at run time (socket.io-client's reserved names). */
type ReservedName =
  | "connect"
  | "connect_error"
  | "disconnect"
  | "disconnecting"
  | "newListener"
  | "removeListener";

type IsAny<T> = 0 extends 1 & T ? true : false;

// An argument list split at its ack callback: `Last` is its last element (found whether that is
// required or optional), an ack when it is a function. An untyped list (`any[]`) gives `any`.
type LastArg<Args extends any[]> = Args extends [...infer _Before, (infer Last | undefined)?]
  ? Last
  : never;
type ArgsBefore<Args extends any[]> = Args extends [...infer Before, unknown?] ? Before : Args;
type HasAck<Args extends any[]> =
  IsAny<LastArg<Args>> extends true ? true : LastArg<Args> extends AnyFunction ? true : false;

/** The arguments of an emit without its ack callback (all of them when the event has none). */
type ArgsWithoutAck<Args extends any[]> =
  IsAny<LastArg<Args>> extends true ? Args : HasAck<Args> extends true ? ArgsBefore<Args> : Args;

/** The first value the ack callback receives: what `emitWithAck` resolves to. */
type AckValue<Args extends any[]> =
  IsAny<LastArg<Args>> extends true
    ? any
    : LastArg<Args> extends (...values: infer Values) => any
      ? Values extends []
        ? undefined
        : Values[0]
      : unknown; // (not reached: emitWithAck takes only events with an ack)

// An argument list whose ack callback (if any) takes an error first. At run time that argument
// is `null` when the server acked; it is typed `Error`, as in socket.io-client, so that callbacks
// written for socket.io-client (`(err: Error, value) => ...`) still fit.
type ErrorFirstAck<Args extends any[]> = Args extends [...infer Before, infer Ack]
  ? Ack extends (...values: infer Values) => infer Result
    ? [...Before, (error: Error, ...values: Values) => Result]
    : Args
  : // an optional ack: the list without it, or with it error-first
    Args extends [...infer Before, (infer Ack | undefined)?]
    ? Ack extends (...values: infer Values) => infer Result
      ? Before | [...Before, (error: Error, ...values: Values) => Result]
      : Args
    : Args;

/** What `emit(ev, ...)` takes after the name. */
type EmitArgs<
  Map extends EventsMap,
  Ev extends EventNames<Map>,
  Style extends AckStyle,
> = Style extends "error-first" ? ErrorFirstAck<EventParams<Map, Ev>> : EventParams<Map, Ev>;

/** The names `emit` accepts. */
type EmitNames<Map extends EventsMap> = Exclude<EventNames<Map>, ReservedName>;

/** The names `emitWithAck` accepts: the events whose signature has an ack callback. */
type AckNames<Map extends EventsMap> = {
  [Ev in EmitNames<Map>]: HasAck<EventParams<Map, Ev>> extends true ? Ev : never;
}[EmitNames<Map>];

/** The names `on` accepts: the reserved events and the map's. */
type ListenNames<Reserved extends EventsMap, Map extends EventsMap> =
  | EventNames<Reserved>
  | EventNames<Map>;

/** The listener of one event: the reserved signature wins over the map's. */
type ListenerOf<
  Reserved extends EventsMap,
  Map extends EventsMap,
  Ev,
> = Ev extends EventNames<Reserved>
  ? Reserved[Ev]
  : Ev extends EventNames<Map>
    ? Map[Ev] extends AnyFunction
      ? Map[Ev]
      : (...args: any[]) => void
    : (...args: any[]) => void;

// A catch-all listener's arguments: the event name, then that event's arguments. Any names and
// arguments for a map that takes any name (`DefaultEventsMap`): then an untyped socket is
// assignable to a typed one, as in socket.io-client.
type AnyArgs<Map extends EventsMap> = string extends EventNames<Map>
  ? any[]
  : { [Ev in EventNames<Map>]: [event: Ev, ...args: EventParams<Map, Ev>] }[EventNames<Map>];

/** An outgoing catch-all listener's arguments: an emit's, without its ack callback. */
type AnyOutgoingArgs<Map extends EventsMap> = string extends EventNames<Map>
  ? any[]
  : {
      [Ev in EmitNames<Map>]: [event: Ev, ...args: ArgsWithoutAck<EventParams<Map, Ev>>];
    }[EmitNames<Map>];

/** What `send(...)` takes: the arguments of a `message` event, if the map has one. */
type SendArgs<Map extends EventsMap, Style extends AckStyle> = "message" extends EventNames<Map>
  ? EmitArgs<Map, "message", Style>
  : never;

// ---- Socket ------------------------------------------------------------------------------------

/**
 * A connection to one namespace.
 *
 * @typeParam ListenEvents the events the server sends (listened to with `on`)
 * @typeParam EmitEvents the events the app emits (default: the same map)
 * @typeParam Acks `"error-first"` after `timeout(ms)`: the next emit's ack gets `(err, ...values)`
 */
export declare class Socket<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  Acks extends AckStyle = "plain",
> {
  private constructor();
  /** The Manager this socket belongs to. */
  readonly io: Manager<ListenEvents, EmitEvents>;
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
  emit<Ev extends EmitNames<EmitEvents>>(ev: Ev, ...args: EmitArgs<EmitEvents, Ev, Acks>): this;
  /**
   * Emits and resolves with the server's ack value (rejects on timeout or disconnect).
   * Only for events whose signature ends with an ack callback; pass the arguments before it.
   */
  emitWithAck<Ev extends AckNames<EmitEvents>>(
    ev: Ev,
    ...args: ArgsWithoutAck<EventParams<EmitEvents, Ev>>
  ): Promise<AckValue<EventParams<EmitEvents, Ev>>>;
  /** The next emit's ack callback gets `(err, ...values)` and times out after `ms`. */
  timeout(ms: number): Socket<ListenEvents, EmitEvents, "error-first">;
  /** Accepted for compatibility: the browser decides WebSocket compression. */
  compress(compress: boolean): this;
  /** Emits a `message` event. */
  send(...args: SendArgs<EmitEvents, Acks>): this;
  on<Ev extends ListenNames<SocketReservedEvents, ListenEvents>>(
    ev: Ev,
    listener: ListenerOf<SocketReservedEvents, ListenEvents, Ev>,
  ): this;
  once<Ev extends ListenNames<SocketReservedEvents, ListenEvents>>(
    ev: Ev,
    listener: ListenerOf<SocketReservedEvents, ListenEvents, Ev>,
  ): this;
  /** Without a listener, removes the event's listeners; without arguments, all listeners. */
  off<Ev extends ListenNames<SocketReservedEvents, ListenEvents>>(
    ev?: Ev,
    listener?: ListenerOf<SocketReservedEvents, ListenEvents, Ev>,
  ): this;
  listeners<Ev extends ListenNames<SocketReservedEvents, ListenEvents>>(
    ev: Ev,
  ): ListenerOf<SocketReservedEvents, ListenEvents, Ev>[];
  hasListeners<Ev extends ListenNames<SocketReservedEvents, ListenEvents>>(ev: Ev): boolean;
  /** Same as `on`. */
  addEventListener<Ev extends ListenNames<SocketReservedEvents, ListenEvents>>(
    ev: Ev,
    listener: ListenerOf<SocketReservedEvents, ListenEvents, Ev>,
  ): this;
  /** Same as `off`. */
  removeListener<Ev extends ListenNames<SocketReservedEvents, ListenEvents>>(
    ev?: Ev,
    listener?: ListenerOf<SocketReservedEvents, ListenEvents, Ev>,
  ): this;
  /** Same as `off`. */
  removeEventListener<Ev extends ListenNames<SocketReservedEvents, ListenEvents>>(
    ev?: Ev,
    listener?: ListenerOf<SocketReservedEvents, ListenEvents, Ev>,
  ): this;
  /** Same as `off(ev)`. */
  removeAllListeners<Ev extends ListenNames<SocketReservedEvents, ListenEvents>>(ev?: Ev): this;
  /** Hears every event from the server (not the reserved ones), before its own listeners. */
  onAny(listener: (...args: AnyArgs<ListenEvents>) => void): this;
  prependAny(listener: (...args: AnyArgs<ListenEvents>) => void): this;
  offAny(listener?: (...args: AnyArgs<ListenEvents>) => void): this;
  listenersAny(): ((...args: AnyArgs<ListenEvents>) => void)[];
  /** Hears every event the socket sends, without its ack callback. */
  onAnyOutgoing(listener: (...args: AnyOutgoingArgs<EmitEvents>) => void): this;
  prependAnyOutgoing(listener: (...args: AnyOutgoingArgs<EmitEvents>) => void): this;
  offAnyOutgoing(listener?: (...args: AnyOutgoingArgs<EmitEvents>) => void): this;
  listenersAnyOutgoing(): ((...args: AnyOutgoingArgs<EmitEvents>) => void)[];
}

export declare namespace Socket {
  /** socket.io-client's name for the `disconnect` reason. */
  type DisconnectReason = import("./index").DisconnectReason;
}

// ---- Manager -----------------------------------------------------------------------------------

/** The Engine.IO connection under a Manager: live state and the `upgrade` event. */
export interface Engine {
  readonly id: string | undefined;
  readonly readyState: "opening" | "open" | "closed";
  readonly transport: { name: "polling" | "websocket" | undefined };
  on(event: "upgrade", listener: (transport: { name: string }) => void): this;
  once(event: "upgrade", listener: (transport: { name: string }) => void): this;
  off(event?: string, listener?: Listener): this;
}

/**
 * One connection to a server, shared by the sockets of its namespaces. Its type parameters are
 * those of the sockets `socket()` returns by default.
 */
export declare class Manager<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
> {
  constructor(url?: string, opts?: IoOptions);
  constructor(opts?: IoOptions);
  /** The options given to `new Manager()` or `io()`, with `path` filled in. */
  opts: IoOptions;
  readonly engine: Engine;
  /** The socket for `nsp` on this connection (one per namespace). */
  socket<L extends EventsMap = ListenEvents, E extends EventsMap = EmitEvents>(
    nsp: string,
    opts?: SocketOptions,
  ): Socket<L, E>;
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
  on<Ev extends EventNames<ManagerReservedEvents>>(
    ev: Ev,
    listener: ManagerReservedEvents[Ev],
  ): this;
  once<Ev extends EventNames<ManagerReservedEvents>>(
    ev: Ev,
    listener: ManagerReservedEvents[Ev],
  ): this;
  /** Without a listener, removes the event's listeners; without arguments, all listeners. */
  off<Ev extends EventNames<ManagerReservedEvents>>(
    ev?: Ev,
    listener?: ManagerReservedEvents[Ev],
  ): this;
  listeners<Ev extends EventNames<ManagerReservedEvents>>(ev: Ev): ManagerReservedEvents[Ev][];
  hasListeners<Ev extends EventNames<ManagerReservedEvents>>(ev: Ev): boolean;
  /** Same as `on`. */
  addEventListener<Ev extends EventNames<ManagerReservedEvents>>(
    ev: Ev,
    listener: ManagerReservedEvents[Ev],
  ): this;
  /** Same as `off`. */
  removeListener<Ev extends EventNames<ManagerReservedEvents>>(
    ev?: Ev,
    listener?: ManagerReservedEvents[Ev],
  ): this;
  /** Same as `off`. */
  removeEventListener<Ev extends EventNames<ManagerReservedEvents>>(
    ev?: Ev,
    listener?: ManagerReservedEvents[Ev],
  ): this;
  /** Same as `off(ev)`. */
  removeAllListeners<Ev extends EventNames<ManagerReservedEvents>>(ev?: Ev): this;
}

// ---- io() --------------------------------------------------------------------------------------

/** A socket for the namespace of `url` (default: the page's origin, namespace `/`). */
export declare function io<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
>(opts?: IoOptions): Socket<ListenEvents, EmitEvents>;
export declare function io<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
>(url: string, opts?: IoOptions): Socket<ListenEvents, EmitEvents>;
export declare namespace io {
  const protocol: number;
  const connect: typeof import("./index").io;
  const io: typeof import("./index").io;
  const Manager: typeof import("./index").Manager;
  const Socket: typeof import("./index").Socket;
}
export { io as connect };
export declare const protocol: number;
export default io;
