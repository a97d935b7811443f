//! The Manager's side of the core on a virtual clock: reconnection with backoff, acks, the
//! retry queue, connection state recovery and auth functions, as a server would observe them.
#![cfg(not(target_arch = "wasm32"))]
// Test code: a failed step should fail the test loudly.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod support;

use socketio_wasm::protocol::backoff::BackoffConfig;
use socketio_wasm::protocol::client::Settings;
use socketio_wasm::protocol::socket::{Auth, EmitFlags, SocketOptions};
use support::*;

fn reconnecting(attempts: u32) -> Driver {
    Driver::with_settings(
        websocket_only(),
        Settings {
            reconnection: true,
            reconnection_attempts: attempts,
            backoff: BackoffConfig {
                min: 100,
                max: 1000,
                jitter: 0.5,
            },
            timeout: Some(20_000),
        },
    )
}

/// A socket on "/" connected through a reconnecting driver.
fn connected_reconnecting(attempts: u32) -> (Driver, u32) {
    let mut driver = reconnecting(attempts);
    let socket = driver.connect("/", None);
    driver.receive(OPEN);
    driver.receive(r#"40{"sid":"s1"}"#);
    driver.drain();
    driver.manager.clear();
    (driver, socket)
}

fn kill_transport(driver: &mut Driver) {
    let transport = driver.transport();
    driver
        .client
        .handle_transport_close(driver.at(), transport, None);
}

#[test]
fn a_dropped_connection_reopens_after_a_growing_jittered_delay_and_reconnects_sockets() {
    let (mut driver, socket) = connected_reconnecting(u32::MAX);
    kill_transport(&mut driver);
    assert_eq!(
        driver.drain(),
        [
            Seen::Close,
            Seen::Disconnect(
                socket,
                "transport close",
                Some("websocket connection closed".into())
            )
        ]
    );
    let mut last = driver.now;
    let mut delays = Vec::new();
    for attempt in 0..5u32 {
        let at = driver.fire_next();
        delays.push(at - last);
        assert_eq!(driver.drain(), [open_ws()], "attempt {attempt}");
        let transport = driver.transport();
        driver.fail(transport, "websocket error");
        assert_eq!(
            driver.drain(),
            [
                Seen::Close,
                Seen::ConnectError(socket, "websocket error".into())
            ]
        );
        last = driver.now;
    }
    for (n, delay) in delays.iter().enumerate() {
        let nominal = (100u64 << n) as f64;
        assert!(
            *delay as f64 >= (nominal * 0.5).min(1000.0).floor(),
            "{delays:?}"
        );
        assert!(*delay <= 1000, "{delays:?}");
    }
    assert!(delays[3] > delays[0], "the delays grow: {delays:?}");
    driver.fire_next();
    driver.receive(OPEN);
    driver.receive(r#"40{"sid":"s2"}"#);
    assert_eq!(
        driver.drain(),
        [open_ws(), sent("40"), Seen::Connect(socket, "s2".into())]
    );
    let events: Vec<&str> = driver.manager.iter().map(String::as_str).collect();
    assert_eq!(events[0], "close: transport close");
    assert_eq!(events[1], "reconnect_attempt 1");
    assert_eq!(events[2], "error: websocket error");
    assert_eq!(events[3], "reconnect_error: websocket error");
    assert_eq!(events[events.len() - 2], "open");
    assert_eq!(events[events.len() - 1], "reconnect 6");
}

#[test]
fn reconnect_failed_after_the_configured_attempts() {
    let (mut driver, _) = connected_reconnecting(2);
    kill_transport(&mut driver);
    for _ in 0..2 {
        driver.fire_next();
        let transport = driver.transport();
        driver.fail(transport, "websocket error");
    }
    assert_eq!(driver.client.poll_timeout(), None, "no further attempt");
    driver.drain();
    assert_eq!(
        driver.manager.last().unwrap(),
        "reconnect_error: websocket error"
    );
    assert!(driver.manager.iter().any(|e| e == "reconnect_failed"));
}

#[test]
fn no_reconnection_after_a_server_disconnect_but_connect_works_by_hand() {
    let (mut driver, socket) = connected_reconnecting(u32::MAX);
    driver.receive("41");
    assert_eq!(
        driver.drain(),
        [
            Seen::Close,
            Seen::Disconnect(socket, "io server disconnect", None),
        ]
    );
    assert_eq!(driver.client.poll_timeout(), None);
    assert!(!driver.client.is_active(driver.ids[0]));
    driver.client.connect(driver.at(), driver.ids[0]);
    driver.receive(OPEN);
    driver.receive(r#"40{"sid":"s2"}"#);
    assert_eq!(
        driver.drain(),
        [open_ws(), sent("40"), Seen::Connect(socket, "s2".into())]
    );
}

#[test]
fn no_reconnection_after_a_client_disconnect_or_a_refusal() {
    let (mut driver, socket) = connected_reconnecting(u32::MAX);
    driver.client.disconnect(driver.at(), driver.ids[0]);
    driver.drain();
    assert_eq!(driver.client.poll_timeout(), None);
    let mut driver = reconnecting(u32::MAX);
    let refused = driver.connect("/", None);
    driver.receive(OPEN);
    driver.receive(r#"44{"message":"nope"}"#);
    assert_eq!(
        driver.drain(),
        [
            open_ws(),
            sent("40"),
            Seen::Close,
            Seen::ConnectError(refused, r#"{"message":"nope"}"#.into()),
        ]
    );
    assert_eq!(driver.client.poll_timeout(), None);
    let _ = socket;
}

#[test]
fn a_connection_that_does_not_open_in_time_fails_with_timeout_and_retries() {
    let mut driver = reconnecting(u32::MAX);
    let socket = driver.connect("/", None);
    driver.drain();
    assert_eq!(driver.fire_next(), 20_000);
    assert_eq!(
        driver.drain(),
        [Seen::Close, Seen::ConnectError(socket, "timeout".into())]
    );
    assert_eq!(driver.manager, ["error: timeout"]);
    driver.fire_next();
    assert_eq!(driver.drain(), [open_ws()]);
}

#[test]
fn one_socket_leaving_keeps_the_connection_and_reconnection_for_the_other() {
    let mut driver = reconnecting(u32::MAX);
    let root = driver.connect("/", None);
    let admin = driver.connect("/admin", None);
    driver.receive(OPEN);
    driver.receive(r#"40{"sid":"a"}"#);
    driver.receive(r#"40/admin,{"sid":"b"}"#);
    driver.drain();
    driver
        .client
        .disconnect(driver.at(), driver.ids[admin as usize]);
    assert_eq!(
        driver.drain(),
        [
            sent("41/admin,"),
            Seen::Disconnect(admin, "io client disconnect", None)
        ]
    );
    kill_transport(&mut driver);
    driver.fire_next();
    driver.receive(OPEN);
    assert_eq!(
        driver.drain(),
        [
            Seen::Close,
            Seen::Disconnect(
                root,
                "transport close",
                Some("websocket connection closed".into())
            ),
            open_ws(),
            sent("40")
        ],
        "only the active socket reconnects"
    );
}

#[test]
fn emits_while_disconnected_wait_for_the_reconnection_and_go_before_connect() {
    let (mut driver, socket) = connected_reconnecting(u32::MAX);
    kill_transport(&mut driver);
    driver.emit(socket, r#"["a"]"#, &[]);
    driver.emit(socket, r#"["b"]"#, &[]);
    driver.drain();
    driver.fire_next();
    driver.receive(OPEN);
    driver.receive(r#"40{"sid":"s2"}"#);
    assert_eq!(
        driver.drain(),
        [
            open_ws(),
            sent("40"),
            sent(r#"42["a"]"#),
            sent(r#"42["b"]"#),
            Seen::Connect(socket, "s2".into())
        ]
    );
}

#[test]
fn acks_both_ways_over_the_connection() {
    let (mut driver, socket) = Driver::connected("/admin");
    let ack = EmitFlags {
        ack: true,
        ..EmitFlags::default()
    };
    let ticket = driver.emit_with(socket, r#"["q",1]"#, &[], ack).unwrap();
    assert_eq!(driver.drain(), [sent(r#"42/admin,0["q",1]"#)]);
    driver.receive(r#"43/admin,0["answer"]"#);
    driver.receive(r#"43/admin,0["again"]"#);
    assert_eq!(
        driver.drain(),
        [Seen::Ack(socket, ticket, r#"["answer"]"#.into())]
    );
    // A binary ack from the server, then the client answering a server request.
    #[cfg(feature = "binary")]
    {
        let ticket = driver.emit_with(socket, r#"["q",2]"#, &[], ack).unwrap();
        driver.receive(r#"461-/admin,1[{"_placeholder":true,"num":0}]"#);
        let transport = driver.transport();
        driver
            .client
            .handle_binary(driver.at(), transport, "AAE=".into());
        let seen = driver.drain();
        assert_eq!(
            seen[1],
            Seen::Ack(socket, ticket, r#"[{"_placeholder":true,"num":0}]"#.into())
        );
    }
    let reply = socketio_wasm::protocol::socket::Outbound {
        data: r#"["ok"]"#.to_owned(),
        attachments: vec![],
    };
    driver
        .client
        .ack(driver.at(), driver.ids[socket as usize], 7, reply);
    assert_eq!(driver.drain(), [sent(r#"43/admin,7["ok"]"#)]);
}

#[test]
fn ack_timeouts_fire_on_the_virtual_clock_and_pending_acks_fail_on_disconnect() {
    let (mut driver, socket) = connected_reconnecting(u32::MAX);
    let timed = EmitFlags {
        ack: true,
        timeout: Some(300),
        ..EmitFlags::default()
    };
    let late = driver.emit_with(socket, r#"["slow"]"#, &[], timed).unwrap();
    driver.drain();
    assert_eq!(driver.fire_next(), 300);
    assert_eq!(driver.drain(), [Seen::AckFailed(socket, late, "timeout")]);
    let lost = driver
        .emit_with(
            socket,
            r#"["lost"]"#,
            &[],
            EmitFlags {
                ack: true,
                ..EmitFlags::default()
            },
        )
        .unwrap();
    kill_transport(&mut driver);
    assert_eq!(
        driver.drain(),
        [
            sent(&format!(r#"42{}["lost"]"#, 1)),
            Seen::Close,
            Seen::Disconnect(
                socket,
                "transport close",
                Some("websocket connection closed".into())
            ),
            Seen::AckFailed(socket, lost, "disconnected")
        ]
    );
}

#[test]
#[cfg(feature = "retries")]
fn retries_survive_a_reconnection_in_order_without_duplicates() {
    let mut driver = reconnecting(u32::MAX);
    let options = SocketOptions {
        retries: Some(3),
        ack_timeout: Some(1_000),
    };
    let socket = driver.connect_with("/", Auth::Fixed(None), options);
    driver.receive(OPEN);
    driver.receive(r#"40{"sid":"s1"}"#);
    for n in 0..3 {
        driver.emit(socket, &format!("[\"inc\",{n}]"), &[]);
    }
    assert_eq!(
        driver.drain(),
        [
            open_ws(),
            sent("40"),
            Seen::Connect(socket, "s1".into()),
            sent(r#"420["inc",0]"#)
        ]
    );
    driver.receive(r#"430[]"#);
    assert_eq!(driver.drain(), [sent(r#"421["inc",1]"#)]);
    kill_transport(&mut driver);
    driver.drain();
    driver.fire_next();
    driver.receive(OPEN);
    driver.receive(r#"40{"sid":"s2"}"#);
    assert_eq!(
        driver.drain(),
        [
            open_ws(),
            sent("40"),
            sent(r#"422["inc",1]"#),
            Seen::Connect(socket, "s2".into())
        ],
        "the unacknowledged packet goes again, once, before connect"
    );
    driver.receive(r#"432[]"#);
    assert_eq!(driver.drain(), [sent(r#"423["inc",2]"#)]);
}

#[test]
#[cfg(feature = "recovery")]
fn connection_state_recovery_sends_pid_and_offset_and_reports_recovered() {
    let mut driver = reconnecting(u32::MAX);
    let socket = driver.connect("/", Some(r#"{"token":"t"}"#));
    driver.receive(OPEN);
    driver.receive(r#"40{"sid":"s1","pid":"p1"}"#);
    driver.receive(r#"42["news",1,"offset-1"]"#);
    driver.receive(r#"42["news",2,"offset-2"]"#);
    driver.drain();
    kill_transport(&mut driver);
    driver.fire_next();
    driver.receive(OPEN);
    let seen = driver.drain();
    assert!(
        seen.contains(&sent(r#"40{"pid":"p1","offset":"offset-2","token":"t"}"#)),
        "{seen:?}"
    );
    driver.receive(r#"40{"sid":"s1","pid":"p1"}"#);
    driver.receive(r#"42["news",3,"offset-3"]"#);
    assert_eq!(
        driver.drain(),
        [
            Seen::Recovered(socket, "s1".into()),
            Seen::Event(socket, r#"["news",3,"offset-3"]"#.into(), vec![])
        ]
    );
}

/// The offset ends the event's JSON, far past the head the driver hands in: the core reads
/// the whole frame for a socket that tracks offsets.
#[test]
#[cfg(feature = "recovery")]
fn recovery_reads_the_offset_of_a_long_event_from_the_whole_frame() {
    let mut driver = reconnecting(u32::MAX);
    let socket = driver.connect("/", None);
    driver.receive(OPEN);
    driver.receive(r#"40{"sid":"s1","pid":"p1"}"#);
    let event = format!(r#"["news","{}","offset-9"]"#, "x".repeat(500));
    driver.receive(&(String::from("42") + &event));
    assert_eq!(
        driver.drain().last(),
        Some(&Seen::Event(socket, event, vec![]))
    );
    kill_transport(&mut driver);
    driver.fire_next();
    driver.receive(OPEN);
    let seen = driver.drain();
    assert!(
        seen.contains(&sent(r#"40{"pid":"p1","offset":"offset-9"}"#)),
        "{seen:?}"
    );
}

#[test]
fn an_auth_function_is_asked_on_every_connection() {
    let mut driver = reconnecting(u32::MAX);
    let socket = driver.connect_with("/", Auth::Asked, SocketOptions::default());
    driver.receive(OPEN);
    assert_eq!(driver.drain(), [open_ws(), Seen::AuthRequired(socket)]);
    driver
        .client
        .authenticate(driver.at(), driver.ids[0], Some(r#"{"n":1}"#));
    driver.receive(r#"40{"sid":"s1"}"#);
    kill_transport(&mut driver);
    driver.drain();
    driver.fire_next();
    driver.receive(OPEN);
    let seen = driver.drain();
    assert_eq!(seen.last(), Some(&Seen::AuthRequired(socket)));
    driver
        .client
        .authenticate(driver.at(), driver.ids[0], Some(r#"{"n":2}"#));
    assert_eq!(driver.drain(), [sent(r#"40{"n":2}"#)]);
}

#[test]
fn pings_are_reported_to_the_manager() {
    let (mut driver, _) = connected_reconnecting(u32::MAX);
    driver.receive("2");
    assert_eq!(driver.drain(), [sent("3")]);
    assert_eq!(driver.manager, ["ping"]);
}

#[test]
fn volatile_emits_are_dropped_while_a_post_is_in_flight() {
    let mut driver = Driver::with(Default::default());
    let socket = driver.connect("/", None);
    driver.poll_response(OPEN_POLLING);
    driver.post_done();
    driver.poll_response(r#"40{"sid":"s"}"#);
    driver.drain();
    let volatile = EmitFlags {
        volatile: true,
        ..EmitFlags::default()
    };
    driver.emit_with(socket, r#"["v",1]"#, &[], volatile);
    driver.emit_with(socket, r#"["v",2]"#, &[], volatile);
    let posts: Vec<Seen> = driver
        .drain()
        .into_iter()
        .filter(|seen| matches!(seen, Seen::Post(_)))
        .collect();
    assert_eq!(posts, [post(r#"42["v",1]"#)]);
}

#[test]
fn an_open_with_a_callback_does_not_reconnect_when_it_fails() {
    let mut driver = reconnecting(u32::MAX);
    driver.client.open(driver.at(), false);
    let transport = driver.transport();
    driver.fail(transport, "websocket error");
    driver.drain();
    assert_eq!(driver.manager, ["error: websocket error"]);
    assert_eq!(driver.client.poll_timeout(), None);
}

#[test]
fn events_replayed_before_the_connect_reply_are_delivered_before_connect() {
    let mut driver = reconnecting(u32::MAX);
    let socket2 = driver.connect("/", None);
    driver.receive(OPEN);
    driver.receive(r#"42["missed",1,"o1"]"#);
    let id = driver.ids[socket2 as usize];
    let waiting = driver.client.receive_buffer(id);
    let waiting: Vec<String> = waiting.iter().map(|event| span_text(&event.data)).collect();
    assert_eq!(
        waiting,
        [r#"["missed",1,"o1"]"#],
        "kept in the receive buffer"
    );
    driver.receive(r#"40{"sid":"s1","pid":"p"}"#);
    assert!(driver.client.receive_buffer(id).is_empty(), "drained");
    assert_eq!(
        driver.drain(),
        [
            open_ws(),
            sent("40"),
            Seen::Event(socket2, r#"["missed",1,"o1"]"#.into(), vec![]),
            Seen::Connect(socket2, "s1".into())
        ]
    );
}

#[test]
fn packets_are_reported_to_the_manager_only_when_asked() {
    let (mut driver, _) = connected_reconnecting(u32::MAX);
    driver.receive(r#"42["quiet"]"#);
    driver.client.report_packets(true);
    driver.receive(r#"42/x,5["loud",1]"#);
    driver.drain();
    assert_eq!(driver.manager, [r#"packet Event /x Some(5) ["loud",1]"#]);
}

#[test]
fn offline_closes_at_once_with_transport_close_and_online_ends_the_backoff_wait() {
    let (mut driver, socket) = connected_reconnecting(u32::MAX);
    driver.client.handle_offline(driver.at());
    assert_eq!(
        driver.drain(),
        [
            Seen::Close,
            Seen::Disconnect(
                socket,
                "transport close",
                Some("network connection lost".into())
            )
        ],
        "the transport is closed, not left to the heartbeat"
    );
    // Offline, the first attempt fails; the next one waits out a backoff delay.
    driver.fire_next();
    let transport = driver.transport();
    driver.fail(transport, "websocket error");
    driver.drain();
    let waiting_until = driver.client.poll_timeout().unwrap().as_millis();
    assert!(waiting_until > driver.now, "a backoff delay is under way");
    driver.now += 10;
    driver.client.handle_online(driver.at());
    assert_eq!(
        driver.drain(),
        [open_ws()],
        "online: the attempt starts now"
    );
    driver.receive(OPEN);
    driver.receive(r#"40{"sid":"s2"}"#);
    assert_eq!(
        driver.drain(),
        [sent("40"), Seen::Connect(socket, "s2".into())]
    );
}

#[test]
fn offline_and_online_change_nothing_when_closed_or_connected() {
    let (mut driver, _socket) = connected_reconnecting(u32::MAX);
    driver.client.handle_online(driver.at());
    assert_eq!(driver.drain(), [], "online while connected");
    let mut idle = reconnecting(u32::MAX);
    idle.client.handle_offline(idle.at());
    idle.client.handle_online(idle.at());
    assert_eq!(idle.drain(), [], "a connection never opened");
    assert!(idle.client.is_idle());
}
