//! The listeners of one socket: `on`, `once`, `off`, and calling them safely.
//!
//! Listeners are called with the registry unborrowed, on a snapshot of the list, so a listener
//! may add or remove listeners (or emit) while it runs. An exception thrown by a listener is
//! reported as uncaught and does not stop the other listeners or the client.

use std::cell::RefCell;

use js_sys::{Array, Function};
use wasm_bindgen::JsValue;

use super::errors::report_listener_error;

struct Listener {
    event: String,
    function: Function,
    once: bool,
}

/// The listeners of one socket, in the order they were added.
#[derive(Default)]
pub struct Emitter {
    listeners: RefCell<Vec<Listener>>,
}

impl Emitter {
    /// Adds a listener for `event`; a `once` listener is removed before its first call.
    pub fn add(&self, event: String, function: Function, once: bool) {
        self.listeners.borrow_mut().push(Listener {
            event,
            function,
            once,
        });
    }

    /// Removes listeners: all of them, all for `event`, or the first registration of `function`.
    pub fn remove(&self, event: Option<&str>, function: Option<&Function>) {
        let mut listeners = self.listeners.borrow_mut();
        match (event, function) {
            (None, _) => listeners.clear(),
            (Some(event), None) => listeners.retain(|listener| listener.event != event),
            (Some(event), Some(function)) => {
                let found = listeners
                    .iter()
                    .position(|listener| listener.event == event && listener.function == *function);
                if let Some(index) = found {
                    listeners.remove(index);
                }
            }
        }
    }

    /// Calls every listener of `event` with `args`; returns whether there was any.
    pub fn emit(&self, event: &str, args: &Array) -> bool {
        let due = self.take_due(event);
        for function in &due {
            if let Err(error) = function.apply(&JsValue::UNDEFINED, args) {
                report_listener_error(&error);
            }
        }
        !due.is_empty()
    }

    /// The functions to call for `event`, with `once` listeners already removed.
    fn take_due(&self, event: &str) -> Vec<Function> {
        let mut listeners = self.listeners.borrow_mut();
        let due = listeners
            .iter()
            .filter(|listener| listener.event == event)
            .map(|listener| listener.function.clone())
            .collect();
        listeners.retain(|listener| !(listener.once && listener.event == event));
        due
    }
}
