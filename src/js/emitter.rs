//! The listeners of one socket or manager: `on`, `once`, `off`, the catch-all `onAny` lists,
//! and calling them safely.
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
    /// `onAny` listeners, called with `(event, ...args)` before the event's own.
    any: RefCell<Vec<Function>>,
    /// `onAnyOutgoing` listeners, called with `(event, ...args)` for each emit.
    any_outgoing: RefCell<Vec<Function>>,
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

    /// The listeners of `event`, in order.
    pub fn listeners(&self, event: &str) -> Array {
        self.listeners
            .borrow()
            .iter()
            .filter(|listener| listener.event == event)
            .map(|listener| JsValue::from(&listener.function))
            .collect()
    }

    /// Adds a catch-all listener, at the end or (`prepend`) the front.
    pub fn add_any(&self, function: Function, prepend: bool, outgoing: bool) {
        let mut list = self.any_list(outgoing).borrow_mut();
        match prepend {
            true => list.insert(0, function),
            false => list.push(function),
        }
    }

    /// Removes the first registration of `function`, or every catch-all listener.
    pub fn remove_any(&self, function: Option<&Function>, outgoing: bool) {
        let mut list = self.any_list(outgoing).borrow_mut();
        match function {
            Some(function) => {
                if let Some(index) = list.iter().position(|known| known == function) {
                    list.remove(index);
                }
            }
            None => list.clear(),
        }
    }

    /// The catch-all listeners.
    pub fn any(&self, outgoing: bool) -> Array {
        self.any_list(outgoing)
            .borrow()
            .iter()
            .map(JsValue::from)
            .collect()
    }

    /// Delivers a received event: catch-all listeners get `(event, ...args)`, then the event's.
    pub fn emit_event(&self, event: &str, args: &Array) {
        if !self.any.borrow().is_empty() {
            let with_name = Array::of1(&JsValue::from_str(event)).concat(args);
            call_each(&self.any.borrow().clone(), &with_name);
        }
        self.emit(event, args);
    }

    /// Tells the outgoing catch-all listeners about `[event, ...args]`.
    pub fn emit_outgoing(&self, packet: &Array) {
        if !self.any_outgoing.borrow().is_empty() {
            call_each(&self.any_outgoing.borrow().clone(), packet);
        }
    }

    fn any_list(&self, outgoing: bool) -> &RefCell<Vec<Function>> {
        match outgoing {
            true => &self.any_outgoing,
            false => &self.any,
        }
    }

    /// Calls every listener of `event` with `args`; returns whether there was any.
    pub fn emit(&self, event: &str, args: &Array) -> bool {
        let due = self.take_due(event);
        call_each(&due, args);
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

/// Calls each function with `args`; a throwing one is reported and the rest still run.
fn call_each(functions: &[Function], args: &Array) {
    for function in functions {
        if let Err(error) = function.apply(&JsValue::UNDEFINED, args) {
            report_listener_error(&error);
        }
    }
}
