//! Listeners on the global object (the page's `window`, or a worker's `self`): `beforeunload`
//! for `closeOnBeforeunload`, and `offline`/`online` for the network watch.
//!
//! A [`GlobalListener`] is owned: dropping it removes the listener, so a connection that goes
//! away leaves nothing registered on the page.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::EventTarget;

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
        let target = js_sys::global().unchecked_into::<EventTarget>();
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
