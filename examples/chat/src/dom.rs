//! Finding and creating elements, and DOM listeners owned by the page: each closure lives in
//! a `Listeners` and is removed from its element when that is dropped.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, Event, EventTarget};

fn document() -> Result<Document, JsValue> {
    web_sys::window()
        .and_then(|window| window.document())
        .ok_or_else(|| JsValue::from_str("no document"))
}

/// The element with this id, as a `T`.
pub fn find<T: JsCast>(id: &str) -> Result<T, JsValue> {
    document()?
        .get_element_by_id(id)
        .ok_or_else(|| JsValue::from_str(&format!("no #{id}")))?
        .dyn_into()
        .map_err(|_| JsValue::from_str(&format!("#{id} is not the element expected")))
}

/// A new `<tag class=...>` holding `text` as text (never parsed as HTML).
pub fn element(tag: &str, class: &str, text: Option<&str>) -> Result<Element, JsValue> {
    let node = document()?.create_element(tag)?;
    if !class.is_empty() {
        node.set_class_name(class);
    }
    if text.is_some() {
        node.set_text_content(text);
    }
    Ok(node)
}

type Handler = Closure<dyn FnMut(Event)>;

/// DOM listeners, removed when dropped.
#[derive(Default)]
pub struct Listeners {
    added: Vec<(EventTarget, &'static str, Handler)>,
}

impl Listeners {
    /// Calls `handler` on each `event` at `target` until `self` is dropped.
    pub fn on(
        &mut self,
        target: &EventTarget,
        event: &'static str,
        handler: impl FnMut(Event) + 'static,
    ) -> Result<(), JsValue> {
        let closure: Handler = Closure::new(handler);
        target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())?;
        self.added.push((target.clone(), event, closure));
        Ok(())
    }
}

impl Drop for Listeners {
    fn drop(&mut self) {
        for (target, event, closure) in &self.added {
            let _ =
                target.remove_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
        }
    }
}
