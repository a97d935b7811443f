//! The global object (the page's `window`, or a worker's `self`): the page's location, whether
//! it has `XMLHttpRequest`, and listeners for `beforeunload` (`closeOnBeforeunload`) and
//! `offline`/`online` (the network watch).
//!
//! A [`GlobalListener`] is owned: dropping it removes the listener, so a connection that goes
//! away leaves nothing registered on the page.
//!
//! `globalThis` is read directly: js-sys's `global()` probes four names and caches the answer
//! in a thread-local, all of which the wasm carries for what every browser context now has.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::EventTarget;

#[wasm_bindgen(inline_js = "
export const globalObject = () => globalThis;
export function locationPart(name) {
  const value = globalThis.location?.[name];
  return typeof value === 'string' ? value : undefined;
}
export const hasXhr = () => 'XMLHttpRequest' in globalThis;")]
extern "C" {
    #[wasm_bindgen(js_name = globalObject)]
    fn global_object() -> EventTarget;
    /// `location[name]`, when there is a location and that is a string.
    #[wasm_bindgen(js_name = locationPart)]
    fn location_part(name: &str) -> Option<String>;
    /// Whether the global object has `XMLHttpRequest` (workers have only `fetch`).
    #[cfg(feature = "polling")]
    #[wasm_bindgen(js_name = hasXhr)]
    pub fn has_xhr() -> bool;
}

/// `location.protocol` and `location.host` of the page (or worker), when there is one.
pub fn page_location() -> Option<(String, String)> {
    Some((location_part("protocol")?, location_part("host")?))
}

/// A listener for one event of the global object, registered while this value lives.
pub struct GlobalListener {
    target: EventTarget,
    event: &'static str,
    callback: Closure<dyn FnMut()>,
}

impl GlobalListener {
    /// Calls `on_event` on each `event` of the global object; `None` where the global object
    /// takes no listeners (its `addEventListener` call throws).
    pub fn new(event: &'static str, on_event: impl FnMut() + 'static) -> Option<Self> {
        let target = global_object();
        let callback = Closure::<dyn FnMut()>::new(on_event);
        target
            .add_event_listener_with_callback(event, callback.as_ref().unchecked_ref())
            .ok()?;
        Some(Self {
            target,
            event,
            callback,
        })
    }
}

impl Drop for GlobalListener {
    fn drop(&mut self) {
        // Removing a listener that is registered cannot fail.
        let _ = self.target.remove_event_listener_with_callback(
            self.event,
            self.callback.as_ref().unchecked_ref(),
        );
    }
}
