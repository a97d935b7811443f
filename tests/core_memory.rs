//! Memory after bursts, on a virtual clock, counted by this test binary's own allocator.
//!
//! The wasm memory only grows: whatever the core keeps allocated after a burst is memory the
//! page never gets back. A burst the soak sees under latency is a recovered session's replay of
//! missed packets (thousands when the server stopped sending to a socket for a while), and the
//! retry queue's backlog while acks are slow. Once they are delivered, the core must hold no
//! more than before: no emptied buffer keeping the room of a burst.
//! Both bursts come from optional parts (the cargo features `recovery` and `retries`).
#![cfg(all(
    not(target_arch = "wasm32"),
    any(feature = "recovery", feature = "retries")
))]
// Test code: a failed step should fail the test loudly.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod support;

use std::alloc::System;
use std::sync::Mutex;

use socketio_wasm::protocol::backoff::BackoffConfig;
use socketio_wasm::protocol::client::Settings;
use socketio_wasm::protocol::socket::{Auth, SocketOptions};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use support::*;

#[global_allocator]
static ALLOCATOR: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The allocator's counts are the process's: one measurement at a time.
static MEASURING: Mutex<()> = Mutex::new(());

/// Bytes allocated in `region` and not freed since.
fn held(region: &Region<'_, System>) -> isize {
    let change = region.change();
    // A reallocation's growth or shrinking is counted in these two already.
    change.bytes_allocated as isize - change.bytes_deallocated as isize
}

/// Bursts large enough that a kept buffer shows (thousands of entries of tens of bytes).
const BURST: usize = 3000;
/// What may move between two measurements that are otherwise equal: the driver's own small
/// records, and what the test harness allocates on its own thread meanwhile (it reports the
/// other test's result: about 10 KB). A kept buffer of a burst is hundreds of KB.
const SLACK: isize = 32 * 1024;

fn reconnecting(options: SocketOptions) -> (Driver, u32) {
    let settings = Settings {
        reconnection: true,
        reconnection_attempts: u32::MAX,
        backoff: BackoffConfig {
            min: 100,
            max: 1000,
            jitter: 0.5,
        },
        timeout: Some(20_000),
    };
    let mut driver = Driver::with_settings(websocket_only(), settings);
    let socket = driver.connect_with("/", Auth::Fixed(None), options);
    (driver, socket)
}

#[test]
#[cfg(feature = "recovery")]
fn a_replay_of_missed_packets_leaves_nothing_allocated_once_delivered() {
    let _measuring = MEASURING.lock();
    let (mut driver, socket) = reconnecting(SocketOptions::default());
    driver.receive(OPEN);
    driver.receive(r#"40{"sid":"s1","pid":"p1"}"#);
    driver.receive(r#"42["chat","hello","offset-0"]"#);
    driver.drain();
    let transport = driver.transport();
    driver
        .client
        .handle_transport_close(driver.at(), transport, None);
    driver.fire_next();
    driver.receive(OPEN);
    driver.drain();
    driver.manager.clear();
    let replay: Vec<String> = (1..=BURST)
        .map(|i| format!(r#"42["chat","message {i}","offset-{i}"]"#))
        .collect();

    let region = Region::new(ALLOCATOR);
    // The server replays what the socket missed before it answers the CONNECT.
    for frame in &replay {
        driver.receive(frame);
    }
    driver.receive(r#"40{"sid":"s1","pid":"p1"}"#);
    let seen = driver.drain();
    assert_eq!(seen.len(), BURST + 1);
    assert_eq!(seen.last(), Some(&Seen::Recovered(socket, "s1".into())));
    drop(seen);
    driver.manager.clear();
    let kept = held(&region);

    assert!(
        kept < SLACK,
        "{kept} bytes still allocated after a replay of {BURST} packets was delivered"
    );
}

#[test]
#[cfg(feature = "retries")]
fn a_retry_queue_backlog_leaves_nothing_allocated_once_acknowledged() {
    use socketio_wasm::protocol::socket::EmitFlags;
    let _measuring = MEASURING.lock();
    let options = SocketOptions {
        retries: Some(5),
        ack_timeout: Some(2000),
    };
    let (mut driver, socket) = reconnecting(options);
    driver.receive(OPEN);
    driver.receive(r#"40{"sid":"s1"}"#);
    driver.drain();
    driver.manager.clear();
    let flags = EmitFlags {
        ack: true,
        ..EmitFlags::default()
    };
    let answers: Vec<String> = (0..BURST).map(|wire| format!("43{wire}[]")).collect();

    let region = Region::new(ALLOCATOR);
    // The app emits faster than the acks come back: one in flight, the rest wait their turn.
    for _ in 0..BURST {
        driver.emit_with(socket, r#"["chat","message"]"#, &[], flags);
    }
    driver.drain();
    let mut acked = 0;
    for answer in &answers {
        driver.receive(answer);
        acked += driver
            .drain()
            .iter()
            .filter(|seen| matches!(seen, Seen::Ack(..)))
            .count();
    }
    assert_eq!(acked, BURST);
    driver.manager.clear();
    let kept = held(&region);

    assert!(
        kept < SLACK,
        "{kept} bytes still allocated after a backlog of {BURST} emits was acknowledged"
    );
}
