//! The driver's clock: `performance.now()`, as the core's [`Instant`].

use crate::protocol::Instant;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `performance.now()`: monotonic, and present in windows and workers alike.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// Now, on the monotonic clock of the page.
pub fn now() -> Instant {
    // `as` saturates for floats: a negative or NaN reading becomes 0.
    Instant::from_millis(performance_now() as u64)
}
