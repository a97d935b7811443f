//! `Stream`s of a socket's events: a listener that queues what it hears, removed when the
//! stream is dropped.

use core::pin::Pin;
use core::task::{Context, Poll};

use futures_channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use futures_core::Stream;

use super::listeners::Listener;

/// A stream of events, queued from the moment it was made; dropping it removes its listener.
#[derive(Debug)]
#[must_use = "streams do nothing unless polled, and stop listening when dropped"]
pub struct EventStream<T> {
    receiver: UnboundedReceiver<T>,
    _listener: Listener,
}

impl<T> EventStream<T> {
    /// A stream fed by the listener that `register` adds with the sender it is given.
    pub(crate) fn new(register: impl FnOnce(UnboundedSender<T>) -> Listener) -> Self {
        let (sender, receiver) = unbounded();
        Self {
            _listener: register(sender),
            receiver,
        }
    }
}

impl<T> Stream for EventStream<T> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        Pin::new(&mut self.receiver).poll_next(cx)
    }
}
