//! How a `Socket` or `Manager` reaches its JS object without owning it.
//!
//! Listeners, ack callbacks and `auth` functions live on the JS side of each object (index.js),
//! where the garbage collector can see them. wasm keeps only a `WeakRef` to the object: a strong
//! reference would close a cycle through wasm that the collector cannot see (an object's
//! listeners usually refer to the object), and no socket would ever be freed. index.js keeps an
//! object alive itself for as long as it can still receive events.

use std::cell::RefCell;

use js_sys::Array;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = "
export function deliverEvent(ref, frame, start, end, attachments, ackId) {
  ref.deref()?._onEvent(frame, start, end, attachments, ackId);
}
export function deliverAck(ref, ticket, frame, start, end, attachments, shape) {
  ref.deref()?._onAck(ticket, frame, start, end, attachments, shape);
}
export function deliverNotice(ref, name, first, second) {
  ref.deref()?._onNotice(name, first, second);
}")]
extern "C" {
    #[wasm_bindgen(js_name = deliverEvent)]
    fn deliver_event(
        target: &JsValue,
        frame: &JsValue,
        start: u32,
        end: Option<u32>,
        attachments: Option<Array>,
        ack_id: Option<f64>,
    );
    #[wasm_bindgen(js_name = deliverAck)]
    fn deliver_ack(
        target: &JsValue,
        ticket: f64,
        frame: &JsValue,
        start: u32,
        end: Option<u32>,
        attachments: Option<Array>,
        shape: u32,
    );
    #[wasm_bindgen(js_name = deliverNotice)]
    fn deliver_notice(target: &JsValue, name: &str, first: &JsValue, second: &JsValue);
}

/// How an ack's arguments reach the callback (the `shape` argument of `_onAck`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckShape {
    /// As usual: `null` first for error-first callbacks.
    Usual = 0,
    /// As the server sent them (a queued emit without a timeout: the first one is the error).
    AsSent = 1,
    /// Only the first one, the error (the last try of such an emit failed).
    ErrorOnly = 2,
}

/// A JSON payload as the JS side reads it: `JSON.parse(frame.slice(start, end))`, then the
/// binary attachments put back in place of their placeholders.
pub struct JsonAt<'a> {
    pub frame: &'a JsValue,
    pub start: u32,
    pub end: Option<u32>,
    pub attachments: Option<Array>,
}

/// The JS object of a `Socket` or `Manager`, held weakly (unset until index.js binds it).
#[derive(Default)]
pub struct Target(RefCell<Option<JsValue>>);

impl Target {
    /// Binds the object (`weak` is a `WeakRef` to it).
    pub fn bind(&self, weak: JsValue) {
        *self.0.borrow_mut() = Some(weak);
    }

    fn weak(&self) -> Option<JsValue> {
        self.0.borrow().clone()
    }

    /// `_onEvent(frame, start, end, attachments, ackId)`: an event from the server.
    pub fn event(&self, json: JsonAt<'_>, ack_id: Option<u64>) {
        if let Some(weak) = self.weak() {
            let ack_id = ack_id.map(|id| id as f64);
            deliver_event(
                &weak,
                json.frame,
                json.start,
                json.end,
                json.attachments,
                ack_id,
            );
        }
    }

    /// `_onAck(ticket, frame, start, end, attachments, shape)`: the server's answer to an
    /// emit, passed as `shape` says.
    pub fn ack(&self, ticket: u64, json: JsonAt<'_>, shape: AckShape) {
        if let Some(weak) = self.weak() {
            let ticket = ticket as f64;
            deliver_ack(
                &weak,
                ticket,
                json.frame,
                json.start,
                json.end,
                json.attachments,
                shape as u32,
            );
        }
    }

    /// `_onNotice(name, first, second)`: anything else (`connect`, `disconnect`, `open`...).
    pub fn notice(&self, name: &str, first: &JsValue, second: &JsValue) {
        if let Some(weak) = self.weak() {
            deliver_notice(&weak, name, first, second);
        }
    }
}
