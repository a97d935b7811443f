//! Helpers shared by the browser tests: connecting to the test server, emitting, and waiting
//! for events with a deadline.
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use js_sys::{Array, JsString, Reflect, JSON};
use socketio_wasm::js::{io, Socket};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

pub const SERVER: &str = match option_env!("SOCKETIO_TEST_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:3100",
};

#[wasm_bindgen(inline_js = r#"
export function eventPromise(event, ms) {
  let listener;
  const promise = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no '" + event + "' within " + ms + " ms")), ms);
    listener = (...args) => { clearTimeout(timer); resolve(args); };
  });
  return [listener, promise];
}
// Like eventPromise, but every object argument (an Error) is read inside the listener into
// { isError, message, description, type, status, responseText }: socket.io-client aborts the
// failed XMLHttpRequest (its `context`) right after emitting, which resets status and body.
export function eventSnapshotPromise(event, ms) {
  const snapshot = (value) => {
    if (value === null || typeof value !== "object") return value;
    const context = value.context;
    return {
      isError: value instanceof Error,
      message: value.message,
      description: value.description,
      type: value.type,
      status: context ? context.status : undefined,
      responseText: context && typeof context.responseText === "string" ? context.responseText : undefined,
    };
  };
  let listener;
  const promise = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no '" + event + "' within " + ms + " ms")), ms);
    listener = (...args) => { clearTimeout(timer); resolve(args.map(snapshot)); };
  });
  return [listener, promise];
}
// [listener, promise]: the promise resolves with the first arguments of the first `count` calls.
export function collect(event, count, ms) {
  let listener;
  const promise = new Promise((resolve, reject) => {
    const seen = [];
    const timer = setTimeout(() => reject(new Error("only " + seen.length + " of " + count + " '" + event + "' within " + ms + " ms")), ms);
    listener = (first) => {
      seen.push(first);
      if (seen.length === count) { clearTimeout(timer); resolve(seen); }
    };
  });
  return [listener, promise];
}
// A listener that appends [event, ...args as strings] to `log`.
export function recorder(event, log) {
  return (...args) => { log.push([event, ...args.map((arg) => (arg instanceof Error ? arg.message : String(arg)))]); };
}
export function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }
export function sameJson(a, b) { return JSON.stringify(a) === JSON.stringify(b); }
"#)]
extern "C" {
    /// `[listener, promise]`: the promise resolves with the listener's arguments, or fails after `ms`.
    #[wasm_bindgen(js_name = eventPromise)]
    pub fn event_promise(event: &str, ms: u32) -> Array;
    /// Like `event_promise`, with Error arguments read at once into plain objects.
    #[wasm_bindgen(js_name = eventSnapshotPromise)]
    pub fn event_snapshot_promise(event: &str, ms: u32) -> Array;
    /// `[listener, promise]`: the first arguments of `count` calls, or fails after `ms`.
    pub fn collect(event: &str, count: u32, ms: u32) -> Array;
    /// A listener that appends `[event, ...args]` to `log`.
    pub fn recorder(event: &str, log: &Array) -> js_sys::Function;
    pub fn sleep(ms: u32) -> js_sys::Promise;
    #[wasm_bindgen(js_name = sameJson)]
    pub fn same_json(a: &JsValue, b: &JsValue) -> bool;
}

/// Listens once for `event` on `socket` with the listener of a `[listener, promise]` pair and
/// gives the promise.
pub fn listen_once(socket: &Socket, event: &str, pair: &Array) -> js_sys::Promise {
    socket.add_listener(JsString::from(event), pair.get(0).into(), true);
    pair.get(1).into()
}

pub async fn settle(promise: js_sys::Promise) -> Array {
    let args = JsFuture::from(promise).await;
    Array::from(&args.unwrap_or_else(|error| panic!("{error:?}")))
}

/// Listens for the next `event` on `socket`; the promise gives its arguments (or fails after `ms`).
pub fn next_event_promise(socket: &Socket, event: &str, ms: u32) -> js_sys::Promise {
    listen_once(socket, event, &event_promise(event, ms))
}

/// The arguments of the next `event` on `socket`, failing after `ms`.
pub async fn next(socket: &Socket, event: &str, ms: u32) -> Array {
    settle(next_event_promise(socket, event, ms)).await
}

/// The arguments of the next `event` on `socket`, errors read at once (see eventSnapshotPromise).
pub fn next_snapshot_promise(socket: &Socket, event: &str, ms: u32) -> js_sys::Promise {
    listen_once(socket, event, &event_snapshot_promise(event, ms))
}

pub async fn pause(ms: u32) {
    JsFuture::from(sleep(ms)).await.unwrap();
}

pub fn json(text: &str) -> JsValue {
    JSON::parse(text).unwrap()
}

pub fn field(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |value, key| {
        Reflect::get(&value, &key.into()).unwrap()
    })
}

pub fn text(value: &JsValue, path: &str) -> Option<String> {
    field(value, path).as_string()
}

pub fn connect(namespace: &str, opts: &str) -> Socket {
    io(
        JsValue::from_str(&format!("{SERVER}{namespace}")),
        json(opts),
    )
    .unwrap()
}

pub fn emit(socket: &Socket, event: &str, args: &[JsValue]) {
    let packet = Array::of1(&event.into());
    args.iter().for_each(|arg| {
        packet.push(arg);
    });
    socket.emit_packet(packet, None, false, None).unwrap();
}

pub async fn connected(namespace: &str, opts: &str) -> Socket {
    let socket = connect(namespace, opts);
    next(&socket, "connect", 5_000).await;
    socket
}
