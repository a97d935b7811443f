//! `closeOnBeforeunload`: a `beforeunload` listener on the page's global object.
//!
//! socket.io-client can close its transport when the page unloads, so that the server sees a
//! clean `transport close` instead of a cut connection. The listener is owned: dropping an
//! [`UnloadListener`] removes it from the page.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::EventTarget;

/// A `beforeunload` listener, registered while this value lives.
pub struct UnloadListener {
    target: EventTarget,
    callback: Closure<dyn FnMut()>,
}

impl UnloadListener {
    /// Calls `on_unload` when the page is about to unload; `None` where the global object takes
    /// no listeners (its `addEventListener` call throws).
    pub fn new(on_unload: impl FnMut() + 'static) -> Option<Self> {
        let target = js_sys::global().unchecked_into::<EventTarget>();
        let callback = Closure::<dyn FnMut()>::new(on_unload);
        target
            .add_event_listener_with_callback("beforeunload", callback.as_ref().unchecked_ref())
            .ok()?;
        Some(Self { target, callback })
    }
}

impl Drop for UnloadListener {
    fn drop(&mut self) {
        // Removing a listener that is registered cannot fail.
        let _ = self.target.remove_event_listener_with_callback(
            "beforeunload",
            self.callback.as_ref().unchecked_ref(),
        );
    }
}
