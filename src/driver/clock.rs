//! The driver's clock: `performance.now()`, as the core's [`Instant`].

use std::cell::Cell;

use crate::protocol::Instant;
use wasm_bindgen::prelude::*;

// `performance` is looked up once: on a page it is a property of the window, whose lookup through
// the global object costs more than the call itself, and an emit reads the clock every time.
#[wasm_bindgen(inline_js = "
const performance = globalThis.performance;
export function now() { return performance.now(); }
")]
extern "C" {
    /// `performance.now()`: monotonic, and present in windows and workers alike.
    #[wasm_bindgen(js_name = now)]
    fn performance_now() -> f64;
}

thread_local! {
    /// The latest time handed to the core: event times may lag behind it, and the core's clock
    /// must never go back.
    static LATEST: Cell<u64> = const { Cell::new(0) };
}

/// Now, on the monotonic clock of the page.
pub fn now() -> Instant {
    now_at(performance_now())
}

/// The time of an event (`event.timeStamp`, on the same clock as `performance.now()`, and
/// cheaper to read), never earlier than a time already given.
pub fn now_at(millis: f64) -> Instant {
    // `as` saturates for floats: a negative or NaN reading becomes 0.
    let millis = LATEST.get().max(millis as u64);
    LATEST.set(millis);
    Instant::from_millis(millis)
}
