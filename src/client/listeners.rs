//! Listener lists and the handles that remove a listener when dropped.
//!
//! A list is called with no borrow held, so a listener may add or remove listeners, or call
//! any method of the socket, as in the JS API. A listener removed while a delivery is under way
//! is not called from then on; a listener that is already running (a re-entrant delivery of
//! the same list) is skipped rather than called inside itself.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

type Callback<E> = Rc<RefCell<dyn FnMut(&E)>>;

struct Entries<E: ?Sized> {
    next: u64,
    list: Vec<(u64, Callback<E>)>,
}

/// The listeners of one kind of event.
pub(crate) struct Registry<E: ?Sized + 'static> {
    entries: Rc<RefCell<Entries<E>>>,
}

impl<E: ?Sized + 'static> Default for Registry<E> {
    fn default() -> Self {
        Self {
            entries: Rc::new(RefCell::new(Entries {
                next: 0,
                list: Vec::new(),
            })),
        }
    }
}

impl<E: ?Sized + 'static> Registry<E> {
    /// Adds a listener; it stays until the handle is dropped or [`Listener::off`] is called.
    pub fn add(&self, callback: impl FnMut(&E) + 'static) -> Listener {
        let Ok(mut entries) = self.entries.try_borrow_mut() else {
            return Listener::inert();
        };
        let id = entries.next;
        entries.next += 1;
        entries.list.push((id, Rc::new(RefCell::new(callback))));
        let weak: Weak<RefCell<Entries<E>>> = Rc::downgrade(&self.entries);
        Listener {
            remove: Some(Box::new(move || {
                if let Some(entries) = weak.upgrade() {
                    if let Ok(mut entries) = entries.try_borrow_mut() {
                        entries.list.retain(|(known, _)| *known != id);
                    }
                }
            })),
        }
    }

    /// Calls every listener with `event`, in the order they were added.
    pub fn emit(&self, event: &E) {
        let snapshot: Vec<(u64, Callback<E>)> = match self.entries.try_borrow() {
            Ok(entries) => entries.list.clone(),
            Err(_) => return,
        };
        for (id, callback) in snapshot {
            let registered = self
                .entries
                .try_borrow()
                .is_ok_and(|entries| entries.list.iter().any(|(known, _)| *known == id));
            if !registered {
                continue;
            }
            if let Ok(mut callback) = callback.try_borrow_mut() {
                callback(event);
            }
        }
    }

    /// Whether any listener is registered.
    pub fn is_empty(&self) -> bool {
        self.entries
            .try_borrow()
            .map_or(true, |entries| entries.list.is_empty())
    }
}

/// A registered listener: dropping it (or calling [`off`](Self::off)) removes the listener,
/// which is never called again.
#[must_use = "the listener is removed when this handle is dropped"]
pub struct Listener {
    remove: Option<Box<dyn FnOnce()>>,
}

impl Listener {
    fn inert() -> Self {
        Self { remove: None }
    }

    /// Removes the listener now.
    pub fn off(mut self) {
        self.remove_now();
    }

    /// Keeps the listener for as long as its socket lives, dropping the handle.
    pub fn forget(mut self) {
        self.remove = None;
    }

    fn remove_now(&mut self) {
        if let Some(remove) = self.remove.take() {
            remove();
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.remove_now();
    }
}

impl core::fmt::Debug for Listener {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Listener")
            .field("registered", &self.remove.is_some())
            .finish()
    }
}
