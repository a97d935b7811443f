//! Reconnection delays: exponential backoff with jitter, as socket.io-client computes them.
//!
//! The n-th delay (counting from 0) is `min · 2ⁿ`, moved up or down by a random share of at most
//! `jitter` of itself, and capped at `max`. Randomness comes from a small seeded generator, so
//! the driver seeds it from `Math.random()` and native tests replay exact sequences.

use core::time::Duration;

/// The settings socket.io-client calls `reconnectionDelay`, `reconnectionDelayMax` and
/// `randomizationFactor`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BackoffConfig {
    /// The first delay, in milliseconds.
    pub min: u64,
    /// The longest delay, in milliseconds.
    pub max: u64,
    /// How far a delay may stray from its nominal value, as a share of it (0 to 1).
    pub jitter: f64,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        Self {
            min: 1000,
            max: 5000,
            jitter: 0.5,
        }
    }
}

/// Counts reconnection attempts and picks the delay before each.
#[derive(Debug, Clone)]
pub struct Backoff {
    attempts: u32,
    random: Random,
}

impl Backoff {
    /// A backoff whose jitter is drawn from a generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            attempts: 0,
            random: Random::new(seed),
        }
    }

    /// Attempts counted since the last [`reset`](Self::reset).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The delay before the next attempt; counts the attempt.
    pub fn next_delay(&mut self, config: &BackoffConfig) -> Duration {
        let exponent = i32::try_from(self.attempts).unwrap_or(i32::MAX);
        self.attempts = self.attempts.saturating_add(1);
        let mut millis = config.min as f64 * 2f64.powi(exponent);
        let jitter = config.jitter;
        if jitter > 0.0 && jitter <= 1.0 {
            let draw = self.random.next_unit();
            let deviation = (draw * jitter * millis).floor();
            // socket.io-client picks the direction from the same draw's first decimal digit.
            let downwards = ((draw * 10.0).floor() as u64) & 1 == 0;
            millis = if downwards {
                millis - deviation
            } else {
                millis + deviation
            };
        }
        let capped = millis.min(config.max as f64).max(0.0);
        Duration::from_millis(capped as u64)
    }

    /// Starts counting again from the first delay.
    pub fn reset(&mut self) {
        self.attempts = 0;
    }
}

/// xorshift64*: small, fast and good enough for jitter (not for anything secret).
#[derive(Debug, Clone)]
struct Random(u64);

impl Random {
    fn new(seed: u64) -> Self {
        // The state must never be zero.
        Self(seed ^ 0x9E37_79B9_7F4A_7C15 | 1)
    }

    /// A number in [0, 1).
    fn next_unit(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        let bits = x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
        bits as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(jitter: f64) -> BackoffConfig {
        BackoffConfig {
            min: 1000,
            max: 5000,
            jitter,
        }
    }

    #[test]
    fn without_jitter_delays_double_up_to_the_cap() {
        let mut backoff = Backoff::new(1);
        let delays: Vec<u128> = (0..5)
            .map(|_| backoff.next_delay(&config(0.0)).as_millis())
            .collect();
        assert_eq!(delays, [1000, 2000, 4000, 5000, 5000]);
        assert_eq!(backoff.attempts(), 5);
        backoff.reset();
        assert_eq!(backoff.next_delay(&config(0.0)).as_millis(), 1000);
    }

    #[test]
    fn jittered_delays_stay_within_the_factor_of_nominal() {
        for seed in 0..200 {
            let mut backoff = Backoff::new(seed);
            for attempt in 0..6u32 {
                let nominal = 1000f64 * 2f64.powi(attempt as i32);
                let delay = backoff.next_delay(&config(0.5)).as_millis() as f64;
                assert!(
                    delay >= (nominal * 0.5).min(5000.0).floor(),
                    "{delay} {nominal}"
                );
                assert!(delay <= 5000.0);
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_delays_and_seeds_differ() {
        let run = |seed| {
            let mut backoff = Backoff::new(seed);
            (0..4)
                .map(|_| backoff.next_delay(&config(0.5)).as_millis())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    #[test]
    fn draws_are_spread_over_the_unit_interval() {
        let mut random = Random::new(0);
        let draws: Vec<f64> = (0..1000).map(|_| random.next_unit()).collect();
        assert!(draws.iter().all(|d| (0.0..1.0).contains(d)));
        let low = draws.iter().filter(|d| **d < 0.5).count();
        assert!((400..600).contains(&low), "{low}");
    }

    #[test]
    fn an_out_of_range_jitter_is_ignored_as_socket_io_client_does() {
        let mut backoff = Backoff::new(3);
        assert_eq!(backoff.next_delay(&config(1.5)).as_millis(), 1000);
    }
}
