//! Acknowledgements the socket waits for: which wire id answers which request, and until when.
//!
//! Every emit that wants an answer gets the next wire id (`42` + id + JSON). The answer may be
//! for a user callback (named by a [`Ticket`], so the driver can find the JS function) or for
//! the retry queue. A deadline, when set, turns a missing answer into a timeout.

use super::Instant;

/// Names a user's ack callback, from the emit that registered it to its answer or failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ticket(pub u64);

/// Who waits for an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiter {
    /// A user callback.
    User(Ticket),
    /// The head of the retry queue.
    Queue,
}

#[derive(Debug, Clone, Copy)]
struct Pending {
    wire: u64,
    deadline: Option<Instant>,
    waiter: Waiter,
}

/// The answers a socket waits for.
#[derive(Debug, Default)]
pub struct AckTable {
    next_wire: u64,
    pending: Vec<Pending>,
}

impl AckTable {
    /// Registers a request; returns the wire id to send it with.
    pub fn register(&mut self, waiter: Waiter, deadline: Option<Instant>) -> u64 {
        let wire = self.next_wire;
        self.next_wire = self.next_wire.wrapping_add(1);
        self.pending.push(Pending {
            wire,
            deadline,
            waiter,
        });
        wire
    }

    /// The waiter of `wire`, forgotten: an answer arrived.
    pub fn answer(&mut self, wire: u64) -> Option<Waiter> {
        let index = self.pending.iter().position(|p| p.wire == wire)?;
        Some(self.pending.remove(index).waiter)
    }

    /// Removes and returns the requests whose deadline is at or before `now`, in order.
    pub fn expire(&mut self, now: Instant) -> Vec<(u64, Waiter)> {
        let mut expired = Vec::new();
        self.pending.retain(|p| match p.deadline {
            Some(deadline) if deadline <= now => {
                expired.push((p.wire, p.waiter));
                false
            }
            _ => true,
        });
        expired
    }

    /// Removes and returns the requests for which `keep` is false, with whether each had a
    /// deadline (socket.io-client fails only those "error-first" waiters on disconnect).
    pub fn drain_unless(&mut self, keep: impl Fn(u64) -> bool) -> Vec<(Waiter, bool)> {
        let mut dropped = Vec::new();
        self.pending.retain(|p| {
            let kept = keep(p.wire);
            if !kept {
                dropped.push((p.waiter, p.deadline.is_some()));
            }
            kept
        });
        dropped
    }

    /// The earliest deadline.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.pending.iter().filter_map(|p| p.deadline).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_ids_count_up_and_answers_find_their_waiter_once() {
        let mut table = AckTable::default();
        let a = table.register(Waiter::User(Ticket(7)), None);
        let b = table.register(Waiter::Queue, None);
        assert_eq!((a, b), (0, 1));
        assert_eq!(table.answer(1), Some(Waiter::Queue));
        assert_eq!(table.answer(1), None);
        assert_eq!(table.answer(0), Some(Waiter::User(Ticket(7))));
    }

    #[test]
    fn deadlines_expire_in_order_and_only_when_due() {
        let mut table = AckTable::default();
        table.register(Waiter::User(Ticket(1)), Some(Instant::from_millis(100)));
        table.register(Waiter::User(Ticket(2)), None);
        table.register(Waiter::User(Ticket(3)), Some(Instant::from_millis(50)));
        assert_eq!(table.next_deadline(), Some(Instant::from_millis(50)));
        assert!(table.expire(Instant::from_millis(49)).is_empty());
        assert_eq!(
            table.expire(Instant::from_millis(100)),
            [(0, Waiter::User(Ticket(1))), (2, Waiter::User(Ticket(3)))]
        );
        assert_eq!(table.next_deadline(), None);
    }

    #[test]
    fn draining_keeps_what_the_caller_keeps() {
        let mut table = AckTable::default();
        table.register(Waiter::User(Ticket(1)), Some(Instant::from_millis(9)));
        table.register(Waiter::User(Ticket(2)), None);
        let dropped = table.drain_unless(|wire| wire == 1);
        assert_eq!(dropped, [(Waiter::User(Ticket(1)), true)]);
        assert_eq!(table.answer(1), Some(Waiter::User(Ticket(2))));
    }
}
