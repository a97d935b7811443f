//! Time as the core sees it: instants passed in by the driver, never read from a clock.
//!
//! The browser driver converts `performance.now()` into an [`Instant`]; native tests move a
//! virtual clock by hand, so a 45-second ping timeout is tested in microseconds.

use core::time::Duration;

/// A point in time, in whole milliseconds on the driver's monotonic clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(u64);

impl Instant {
    /// The instant `millis` milliseconds after the clock's origin.
    pub const fn from_millis(millis: u64) -> Self {
        Self(millis)
    }

    /// Milliseconds since the clock's origin.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// This instant moved `duration` later, saturating instead of overflowing.
    pub fn after(self, duration: Duration) -> Self {
        let millis = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
        Self(self.0.saturating_add(millis))
    }

    /// The time from `earlier` to this instant, zero if `earlier` is later.
    pub fn since(self, earlier: Instant) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_and_since_are_inverse() {
        let start = Instant::from_millis(1_000);
        let later = start.after(Duration::from_millis(45_000));
        assert_eq!(later.as_millis(), 46_000);
        assert_eq!(later.since(start), Duration::from_millis(45_000));
        assert_eq!(start.since(later), Duration::ZERO);
    }

    #[test]
    fn after_saturates() {
        let end = Instant::from_millis(u64::MAX - 1).after(Duration::from_secs(10));
        assert_eq!(end.as_millis(), u64::MAX);
    }
}
