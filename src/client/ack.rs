//! The server's ack requests, as a handle that answers at most once.

use std::cell::Cell;
use std::rc::{Rc, Weak};

use serde::Serialize;
use wasm_bindgen::JsValue;

use super::error::EmitError;
use super::payload::{encode_reply, to_js};
use super::socket::SocketInner;

/// One ack request of the server's, shared by the listeners of its event.
pub(crate) struct AckSlot {
    socket: Weak<SocketInner>,
    wire: u64,
    sent: Cell<bool>,
}

impl AckSlot {
    pub(crate) fn new(socket: Weak<SocketInner>, wire: u64) -> Rc<Self> {
        Rc::new(Self {
            socket,
            wire,
            sent: Cell::new(false),
        })
    }
}

/// The answer the server asked for with an event (its `socket.emit(ev, data, callback)`).
/// Sending consumes it, and only the first answer of all the event's listeners goes out.
#[must_use = "the server waits for this answer"]
pub struct Ack {
    slot: Rc<AckSlot>,
}

impl core::fmt::Debug for Ack {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Ack")
            .field("sent", &self.slot.sent.get())
            .finish()
    }
}

impl Ack {
    pub(crate) fn new(slot: Rc<AckSlot>) -> Self {
        Self { slot }
    }

    /// Answers with one value (the server's callback gets it as its argument).
    pub fn send<T: Serialize + ?Sized>(self, value: &T) -> Result<(), EmitError> {
        self.send_js(&[to_js(value)?])
    }

    /// Answers with JS values as the arguments. An answer that cannot be encoded is not sent
    /// and does not count.
    pub fn send_js(self, args: &[JsValue]) -> Result<(), EmitError> {
        let reply = encode_reply(args)?;
        if self.slot.sent.replace(true) {
            return Err(EmitError::AlreadyAnswered);
        }
        let socket = self.slot.socket.upgrade().ok_or(EmitError::NotSent)?;
        socket.ack(self.slot.wire, reply)
    }

    /// Whether an answer has been sent already.
    pub fn is_sent(&self) -> bool {
        self.slot.sent.get()
    }
}
