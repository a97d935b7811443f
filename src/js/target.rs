//! How a `Socket` or `Manager` reaches its JS object without owning it.
//!
//! Listeners, ack callbacks and `auth` functions live on the JS side of each object (index.js),
//! where the garbage collector can see them. wasm keeps only a link `{ weak, strong }` to the
//! object, made by index.js (`link` in wasm.js): a lasting strong reference would close a cycle
//! through wasm that the collector cannot see (an object's listeners usually refer to the
//! object), and no socket would ever be freed. index.js sets `strong` for as long as the object
//! can still receive events, and clears it after; the calls below use it when it is set, which
//! spares a `WeakRef.deref()` per event.
//!
//! What crosses is decoded already: index.js gets the arrays its listeners are called with.

use std::cell::OnceCell;

use js_sys::Array;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = "
const reach = (link) => link.strong ?? link.weak.deref();
export function deliverEvent(link, packet, ackId) {
  reach(link)?._onEvent(packet, ackId);
}
export function deliverAck(link, ticket, args) {
  reach(link)?._onAck(ticket, args);
}
export function deliverOutgoing(link, packet) {
  return reach(link)?._onOutgoing(packet) ?? true;
}
export function deliverNotice(link, name, args) {
  reach(link)?._onNotice(name, args);
}")]
extern "C" {
    #[wasm_bindgen(js_name = deliverEvent)]
    fn deliver_event(target: &JsValue, packet: &Array, ack_id: Option<f64>);
    #[wasm_bindgen(js_name = deliverAck)]
    fn deliver_ack(target: &JsValue, ticket: f64, args: Option<Array>);
    #[wasm_bindgen(js_name = deliverOutgoing)]
    fn deliver_outgoing(target: &JsValue, packet: &Array) -> bool;
    #[wasm_bindgen(js_name = deliverNotice)]
    fn deliver_notice(target: &JsValue, name: &str, args: &Array);
}

/// The JS object of a `Socket` or `Manager`, through its link (unset until index.js binds it,
/// once).
#[derive(Default)]
pub struct Target(OnceCell<JsValue>);

impl Target {
    /// Binds the object (`link` is its link); index.js binds each object once.
    pub fn bind(&self, link: JsValue) {
        let _ = self.0.set(link);
    }

    fn link(&self) -> Option<&JsValue> {
        self.0.get()
    }

    /// `_onEvent(packet, ackId)`: an event `[name, ...args]` from the server.
    pub fn event(&self, packet: &Array, ack_id: Option<u64>) {
        if let Some(link) = self.link() {
            deliver_event(link, packet, ack_id.map(|id| id as f64));
        }
    }

    /// `_onAck(ticket, args)`: the arguments for the ack callback of an emit, or none when the
    /// callback is dropped without a call.
    pub fn ack(&self, ticket: u64, args: Option<Array>) {
        if let Some(link) = self.link() {
            deliver_ack(link, ticket as f64, args);
        }
    }

    /// `_onOutgoing(packet)`: an event `[name, ...args]` is written (`onAnyOutgoing`). False
    /// when a listener threw, which skips the write.
    pub fn outgoing(&self, packet: &Array) -> bool {
        self.link()
            .is_none_or(|link| deliver_outgoing(link, packet))
    }

    /// `_onNotice(name, args)`: anything else (`connect`, `disconnect`, `open`...), with the
    /// arguments its listeners get.
    pub fn notice(&self, name: &str, args: &Array) {
        if let Some(link) = self.link() {
            deliver_notice(link, name, args);
        }
    }
}
