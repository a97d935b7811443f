//! The connection state machine driven as the browser driver drives it, with a virtual clock:
//! frames in, outputs drained, time moved by hand.
#![cfg(not(target_arch = "wasm32"))]
// Test code: a failed step should fail the test loudly.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod support;

use socketio_wasm::protocol::client::{Output, Settings};
use socketio_wasm::protocol::engine::CloseReason;
use socketio_wasm::protocol::socket::{CloseDetails, DisconnectReason, SocketEvent};
use socketio_wasm::protocol::{DecodeError, Instant};
use support::*;

#[test]
fn connect_waits_for_the_open_packet_then_sends_connect_with_auth() {
    let mut driver = Driver::new();
    let socket = driver.connect("/", Some(r#"{"token":"123"}"#));
    assert_eq!(driver.drain(), [open_ws()]);
    driver.receive(OPEN);
    assert_eq!(driver.drain(), [sent(r#"40{"token":"123"}"#)]);
    driver.receive(r#"40{"sid":"oSO0OpakMV_3jnilAAAA"}"#);
    assert_eq!(
        driver.drain(),
        [Seen::Connect(socket, "oSO0OpakMV_3jnilAAAA".into())]
    );
}

#[test]
fn emits_before_connect_go_out_in_order_before_the_connect_event() {
    let mut driver = Driver::new();
    let socket = driver.connect("/", None);
    driver.emit(socket, r#"["a",1]"#, &[]);
    driver.receive(OPEN);
    driver.emit(socket, r#"["a",2]"#, &[]);
    assert_eq!(driver.drain(), [open_ws(), sent("40")]);
    driver.receive(r#"40{"sid":"s"}"#);
    assert_eq!(
        driver.drain(),
        [
            sent(r#"42["a",1]"#),
            sent(r#"42["a",2]"#),
            Seen::Connect(socket, "s".into())
        ]
    );
}

#[test]
fn namespaces_share_one_transport() {
    let mut driver = Driver::new();
    let root = driver.connect("/", None);
    let admin = driver.connect("/admin", Some(r#"{"token":"abc"}"#));
    driver.receive(OPEN);
    assert_eq!(
        driver.drain(),
        [open_ws(), sent("40"), sent(r#"40/admin,{"token":"abc"}"#)]
    );
    driver.receive(r#"40/admin,{"sid":"b"}"#);
    driver.receive(r#"40{"sid":"a"}"#);
    driver.receive(r#"2/admin,["bar"]"#.replace('2', "42").as_str());
    assert_eq!(
        driver.drain(),
        [
            Seen::Connect(admin, "b".into()),
            Seen::Connect(root, "a".into()),
            Seen::Event(admin, r#"["bar"]"#.into(), vec![])
        ]
    );
}

#[test]
fn events_carry_their_json_span_and_ack_id() {
    let (mut driver, socket) = Driver::connected("/");
    driver.receive(r#"42["message",1,"2",{"3":[true]}]"#);
    driver.receive(r#"42456["message-with-ack",1]"#);
    let seen = driver.drain();
    assert_eq!(
        seen[0],
        Seen::Event(socket, r#"["message",1,"2",{"3":[true]}]"#.into(), vec![])
    );
    assert_eq!(
        seen[1],
        Seen::Event(socket, r#"["message-with-ack",1]"#.into(), vec![])
    );
}

#[test]
fn json_span_counts_utf16_units_after_a_non_ascii_namespace() {
    let (mut driver, socket) = Driver::connected("/ü😀");
    let frame = r#"42/ü😀,["e"]"#;
    let transport = driver.transport();
    driver
        .client
        .handle_text(driver.at(), transport, frame, frame.to_owned());
    let span = std::iter::from_fn(|| driver.client.poll_output())
        .find_map(|output| match output {
            Output::Socket(id, SocketEvent::Event(inbound))
                if id == driver.ids[socket as usize] =>
            {
                Some(inbound.data)
            }
            _ => None,
        })
        .unwrap();
    assert_eq!(span_text(&span), r#"["e"]"#);
    assert_eq!(
        span.start.utf16,
        frame[..span.start.bytes].encode_utf16().count()
    );
    assert_eq!(span.start.utf16, 7); // 4 2 / ü 😀(2) , then ["e"]
    assert_eq!(span.end, None, "a WebSocket frame's JSON runs to its end");
}

#[test]
#[cfg(feature = "binary")]
fn an_attachment_may_come_as_base64_text() {
    let (mut driver, socket) = Driver::connected("/");
    driver.receive(r#"451-["bin",{"_placeholder":true,"num":0}]"#);
    driver.receive("bAQID");
    assert_eq!(
        driver.drain(),
        [Seen::Event(
            socket,
            r#"["bin",{"_placeholder":true,"num":0}]"#.into(),
            vec!["AQID".into()]
        )]
    );
}

#[test]
#[cfg(feature = "binary")]
fn binary_events_wait_for_all_their_attachments() {
    let (mut driver, socket) = Driver::connected("/");
    let transport = driver.transport();
    driver.receive(r#"452-["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#);
    driver
        .client
        .handle_binary(Instant::from_millis(1), transport, "first".into());
    assert_eq!(driver.drain(), []);
    driver
        .client
        .handle_binary(Instant::from_millis(1), transport, "second".into());
    assert_eq!(
        driver.drain(),
        [Seen::Event(
            socket,
            r#"["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#.into(),
            vec!["first".into(), "second".into()]
        )]
    );
}

#[test]
fn binary_emits_send_the_header_then_each_attachment() {
    let (mut driver, socket) = Driver::connected("/admin");
    driver.emit(
        socket,
        r#"["baz",{"_placeholder":true,"num":0}]"#,
        &["bytes"],
    );
    assert_eq!(
        driver.drain(),
        [
            sent(r#"451-/admin,["baz",{"_placeholder":true,"num":0}]"#),
            Seen::SentBinary("bytes".into())
        ]
    );
}

#[test]
fn server_refusal_is_a_connect_error_and_the_connection_stays_for_others() {
    let mut driver = Driver::new();
    let root = driver.connect("/", None);
    let nope = driver.connect("/nope", None);
    driver.receive(OPEN);
    driver.receive(r#"40{"sid":"a"}"#);
    driver.receive(r#"44/nope,{"message":"Invalid namespace"}"#);
    let seen = driver.drain();
    assert_eq!(
        seen.last(),
        Some(&Seen::ConnectError(
            nope,
            r#"{"message":"Invalid namespace"}"#.into()
        ))
    );
    assert!(!seen.contains(&Seen::Close));
    driver.receive(r#"42["still","here"]"#);
    assert_eq!(
        driver.drain(),
        [Seen::Event(root, r#"["still","here"]"#.into(), vec![])]
    );
}

#[test]
fn a_connect_reply_without_sid_means_an_incompatible_server() {
    let mut driver = Driver::new();
    let socket = driver.connect("/", None);
    driver.receive(OPEN);
    driver.receive("40");
    assert_eq!(
        driver.drain().last(),
        Some(&Seen::ConnectError(socket, "v2".into()))
    );
}

#[test]
fn server_disconnect_of_the_last_socket_closes_the_transport() {
    // socket.io-client's order: the Manager closes (its `close` event), then `disconnect`.
    let (mut driver, socket) = Driver::connected("/");
    driver.receive("41");
    assert_eq!(
        driver.drain(),
        [
            Seen::Close,
            Seen::Disconnect(socket, "io server disconnect", None),
        ]
    );
    assert_eq!(driver.manager.last().unwrap(), "close: forced close");
}

#[test]
fn client_disconnect_sends_disconnect_before_closing() {
    let (mut driver, socket) = Driver::connected("/admin");
    driver
        .client
        .disconnect(Instant::from_millis(5), driver.ids[socket as usize]);
    assert_eq!(
        driver.drain(),
        [
            sent("41/admin,"),
            Seen::Close,
            Seen::Disconnect(socket, "io client disconnect", None),
        ]
    );
    assert_eq!(driver.manager.last().unwrap(), "close: forced close");
    assert!(!driver.client.is_active(driver.ids[socket as usize]));
}

#[test]
fn a_removed_socket_disconnects_and_is_forgotten() {
    let mut driver = Driver::new();
    let root = driver.connect("/", None);
    let admin = driver.connect("/admin", None);
    driver.receive(OPEN);
    driver.receive(r#"40{"sid":"a"}"#);
    driver.receive(r#"40/admin,{"sid":"b"}"#);
    driver.drain();
    let id = driver.ids[admin as usize];
    driver.client.remove_socket(Instant::from_millis(1), id);
    let seen = driver.drain();
    assert!(seen.contains(&sent("41/admin,")), "{seen:?}");
    assert!(!seen.contains(&Seen::Close), "{seen:?}");
    assert!(driver.client.socket_state(id).is_none());
    driver.emit(root, r#"["x"]"#, &[]);
    assert_eq!(driver.drain(), [sent(r#"42["x"]"#)]);
}

#[test]
fn disconnecting_one_socket_keeps_the_connection_for_the_other() {
    let mut driver = Driver::new();
    let root = driver.connect("/", None);
    let admin = driver.connect("/admin", None);
    driver.receive(OPEN);
    driver.receive(r#"40{"sid":"a"}"#);
    driver.receive(r#"40/admin,{"sid":"b"}"#);
    driver.drain();
    driver
        .client
        .disconnect(Instant::from_millis(1), driver.ids[admin as usize]);
    let seen = driver.drain();
    assert!(!seen.contains(&Seen::Close), "{seen:?}");
    driver.emit(root, r#"["x"]"#, &[]);
    assert_eq!(driver.drain(), [sent(r#"42["x"]"#)]);
}

#[test]
fn heartbeat_pongs_and_times_out_on_the_virtual_clock() {
    let (mut driver, socket) = Driver::connected("/");
    assert_eq!(
        driver.client.poll_timeout(),
        Some(Instant::from_millis(45_000))
    );
    driver.now = 25_000;
    driver.receive("2");
    assert_eq!(driver.drain(), [sent("3")]);
    assert_eq!(
        driver.client.poll_timeout(),
        Some(Instant::from_millis(70_000))
    );
    driver.client.handle_timeout(Instant::from_millis(69_999));
    assert_eq!(driver.drain(), []);
    driver.client.handle_timeout(Instant::from_millis(70_000));
    assert_eq!(
        driver.drain(),
        [Seen::Close, Seen::Disconnect(socket, "ping timeout", None)]
    );
    assert_eq!(driver.client.poll_timeout(), None);
}

#[test]
fn a_write_after_a_missed_deadline_closes_with_ping_timeout_and_buffers_the_packet() {
    let (mut driver, socket) = Driver::connected("/");
    driver.now = 10 * 60 * 1000; // a background tab: the timer never ran
    driver.emit(socket, r#"["late"]"#, &[]);
    assert_eq!(
        driver.drain(),
        [Seen::Close, Seen::Disconnect(socket, "ping timeout", None)]
    );
    let id = driver.ids[socket as usize];
    assert_eq!(
        driver.client.buffered(id),
        [r#"["late"]"#],
        "kept for the next connection"
    );
    driver.client.connect(driver.at(), id);
    driver.receive(OPEN);
    driver.receive(r#"40{"sid":"again"}"#);
    assert_eq!(
        driver.drain(),
        [
            open_ws(),
            sent("40"),
            sent(r#"42["late"]"#),
            Seen::Connect(socket, "again".into())
        ]
    );
}

#[test]
fn malformed_packets_close_with_parse_error() {
    for bad in ["4999", "", "9", "42", "451[]", "40{", r#"41{}"#] {
        let (mut driver, socket) = Driver::connected("/");
        driver.receive(bad);
        let seen = driver.drain();
        assert_eq!(seen.first(), Some(&Seen::Close), "{bad:?}");
        assert!(
            matches!(seen.get(1), Some(Seen::Disconnect(s, "parse error", Some(_))) if *s == socket),
            "{bad:?}: {seen:?}"
        );
    }
}

/// The core reads only the header of an event: its JSON is handed on as it is, for the
/// facade to parse and check.
#[test]
fn malformed_event_json_is_passed_through_as_an_opaque_span() {
    for bad in [
        r#"["unterminated""#,
        r#"["connect"]"#,
        "{}",
        r#"[{"_placeholder":true,"num":5}]"#,
    ] {
        let (mut driver, socket) = Driver::connected("/");
        driver.receive(&(String::from("42") + bad));
        assert_eq!(driver.drain(), [Seen::Event(socket, bad.into(), vec![])]);
    }
}

/// The facade parses an event's JSON and rejects a malformed one: the connection closes with
/// `parse error` and the facade's reason.
#[test]
fn a_rejected_packet_closes_with_parse_error() {
    let (mut driver, socket) = Driver::connected("/");
    driver.receive(r#"42["connect"]"#);
    assert_eq!(
        driver.drain(),
        [Seen::Event(socket, r#"["connect"]"#.into(), vec![])]
    );
    driver
        .client
        .reject_packet(driver.at(), DecodeError::ReservedEventName);
    assert_eq!(
        driver.drain(),
        [
            Seen::Close,
            Seen::Disconnect(socket, "parse error", Some("reserved event name".into()))
        ]
    );
    assert_eq!(driver.manager.last().unwrap(), "close: parse error");
    driver
        .client
        .reject_packet(driver.at(), DecodeError::BadPlaceholder);
    assert_eq!(
        driver.drain(),
        [],
        "a closed connection is not closed again"
    );
}

/// Rejected by the facade or by the core, a malformed packet ends the connection the same way,
/// and the connection reconnects after the same delay.
#[test]
fn a_rejected_packet_ends_the_connection_as_a_decode_error_does() {
    let run = |reject: bool| {
        let settings = Settings {
            reconnection: true,
            ..Settings::default()
        };
        let mut driver = Driver::with_settings(websocket_only(), settings);
        driver.connect("/", None);
        driver.receive(OPEN);
        driver.receive(r#"40{"sid":"s"}"#);
        driver.drain();
        match reject {
            true => driver
                .client
                .reject_packet(driver.at(), DecodeError::UnknownPacketType),
            false => driver.receive("4999"),
        }
        let timeout = driver.client.poll_timeout();
        (driver.drain(), driver.manager, timeout)
    };
    let rejected = run(true);
    assert_eq!(rejected, run(false));
    assert!(rejected.0.contains(&Seen::Disconnect(
        0,
        "parse error",
        Some("unknown packet type".into())
    )));
}

#[test]
#[cfg(feature = "binary")]
fn text_in_the_middle_of_attachments_is_a_parse_error() {
    let (mut driver, socket) = Driver::connected("/");
    driver.receive(r#"451-["bin",{"_placeholder":true,"num":0}]"#);
    driver.receive(r#"42["text"]"#);
    assert!(driver.drain().contains(&Seen::Disconnect(
        socket,
        "parse error",
        Some("unexpected binary data".into())
    )));
}

/// Without the cargo feature `binary`, each way binary data arrives ends the connection as a
/// malformed packet does: a binary packet's header, a binary frame, a `b` (base64) message.
#[test]
#[cfg(not(feature = "binary"))]
fn binary_data_is_a_parse_error_without_binary_attachments() {
    let refused = Some(String::from(DecodeError::BinaryLeftOut.as_str()));
    let inputs: [fn(&mut Driver); 3] = [
        |driver| driver.receive(r#"451-["bin",{"_placeholder":true,"num":0}]"#),
        |driver| driver.receive(r#"461-1[{"_placeholder":true,"num":0}]"#),
        |driver| driver.receive("bAQID"),
    ];
    for input in inputs {
        let (mut driver, socket) = Driver::connected("/");
        input(&mut driver);
        let seen = driver.drain();
        assert!(
            seen.contains(&Seen::Disconnect(socket, "parse error", refused.clone())),
            "{seen:?}"
        );
    }
    let (mut driver, socket) = Driver::connected("/");
    let transport = driver.transport();
    driver
        .client
        .handle_binary(Instant::from_millis(1), transport, "bytes".into());
    let seen = driver.drain();
    assert!(
        seen.contains(&Seen::Disconnect(socket, "parse error", refused)),
        "{seen:?}"
    );
}

#[test]
fn binary_with_nothing_waiting_is_a_parse_error() {
    let (mut driver, socket) = Driver::connected("/");
    let transport = driver.transport();
    driver
        .client
        .handle_binary(Instant::from_millis(1), transport, "stray".into());
    assert!(
        matches!(driver.drain().get(1), Some(Seen::Disconnect(s, "parse error", _)) if *s == socket)
    );
}

#[test]
fn transport_failure_before_open_is_a_connect_error() {
    let mut driver = Driver::new();
    let socket = driver.connect("/", None);
    driver.drain();
    let transport = driver.transport();
    driver.fail(transport, "websocket error");
    assert_eq!(
        driver.drain(),
        [
            Seen::Close,
            Seen::ConnectError(socket, "websocket error".into())
        ]
    );
}

#[test]
fn transport_close_after_connect_is_a_transport_close_disconnect() {
    let (mut driver, socket) = Driver::connected("/");
    let transport = driver.transport();
    driver
        .client
        .handle_transport_close(driver.at(), transport, None);
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
    // A new connect opens a new transport.
    driver.connect("/", None);
    assert_eq!(driver.drain(), [open_ws()]);
}

#[test]
fn a_websocket_close_event_reaches_close_and_disconnect() {
    let (mut driver, _) = Driver::connected("/");
    let transport = driver.transport();
    let event = Some(String::from("CloseEvent 1006"));
    driver
        .client
        .handle_transport_close(driver.at(), transport, event.clone());
    let details = CloseDetails::Closed {
        description: "websocket connection closed",
        context: event,
    };
    assert_eq!(
        driver.close_details(),
        [Some(details.clone()), Some(details)]
    );
}

#[test]
fn events_for_unknown_namespaces_are_ignored() {
    let (mut driver, _) = Driver::connected("/");
    driver.receive(r#"42/other,["x"]"#);
    assert_eq!(driver.drain(), []);
}

#[test]
fn server_close_packet_is_transport_close() {
    let (mut driver, socket) = Driver::connected("/");
    driver.receive("1");
    assert_eq!(
        driver.drain(),
        [
            Seen::Close,
            Seen::Disconnect(
                socket,
                "transport close",
                Some("transport closed by the server".into())
            )
        ]
    );
    assert_eq!(
        DisconnectReason::from(CloseReason::TransportClose).as_str(),
        "transport close"
    );
}

#[test]
fn sent_is_told_only_for_events_that_reach_the_transport() {
    use socketio_wasm::protocol::socket::EmitFlags;
    let mut driver = Driver::new();
    let socket = driver.connect("/", None);
    let id = driver.ids[socket as usize];
    driver.client.report_sent(id, true);
    driver.emit(socket, r#"["cleared"]"#, &[]);
    driver.client.clear_send_buffer(id);
    let timeout = EmitFlags {
        ack: true,
        timeout: Some(100),
        ..EmitFlags::default()
    };
    driver.emit_with(socket, r#"["timed out"]"#, &[], timeout);
    driver.emit(socket, r#"["kept"]"#, &[]);
    driver.advance_to(150);
    driver.drain();
    assert!(driver.outgoing.is_empty(), "nothing was sent yet");
    driver.receive(OPEN);
    driver.receive(r#"40{"sid":"s"}"#);
    driver.emit(socket, r#"["now"]"#, &[]);
    driver.drain();
    assert_eq!(
        driver.outgoing,
        [
            (socket, r#"["kept"]"#.to_owned()),
            (socket, r#"["now"]"#.to_owned())
        ]
    );
}

#[test]
fn sid_and_recovered_are_kept_by_the_socket_while_connected() {
    let (mut driver, socket) = Driver::connected("/");
    let id = driver.ids[socket as usize];
    let state = driver.client.socket_state(id).unwrap();
    assert_eq!(state.sid(), Some("io-sid"));
    assert!(!state.is_recovered());
    driver.client.disconnect(driver.at(), id);
    assert_eq!(driver.client.socket_state(id).unwrap().sid(), None);
}

#[test]
fn a_withheld_emit_registers_its_ack_and_writes_nothing() {
    use socketio_wasm::protocol::socket::EmitFlags;
    let (mut driver, socket) = Driver::connected("/");
    let id = driver.ids[socket as usize];
    assert!(driver.client.writes_now(driver.at(), id, false));
    let withheld = EmitFlags {
        ack: true,
        timeout: Some(100),
        withheld: true,
        ..EmitFlags::default()
    };
    let ticket = driver.emit_with(socket, r#"["never"]"#, &[], withheld);
    assert_eq!(driver.drain(), []);
    // As in socket.io-client, the ack still times out.
    driver.advance_to(100);
    assert_eq!(
        driver.drain(),
        [Seen::AckFailed(socket, ticket.unwrap(), "timeout")]
    );
}

#[test]
fn writes_now_is_false_when_the_emit_would_wait() {
    let mut driver = Driver::new();
    let socket = driver.connect("/", None);
    let id = driver.ids[socket as usize];
    assert!(
        !driver.client.writes_now(driver.at(), id, false),
        "not connected"
    );
    driver.receive(OPEN);
    driver.receive(r#"40{"sid":"s"}"#);
    assert!(driver.client.writes_now(driver.at(), id, true));
    // Past the heartbeat deadline the write would close the session instead.
    assert!(!driver
        .client
        .writes_now(Instant::from_millis(45_000), id, false));
}

/// socket.io-client 4.8 (`_addToQueue`): a queued emit (`retries`) without a timeout reads the
/// server's reply error-first as it was sent. `null` first is a success and the callback gets
/// the arguments unchanged; anything else is a failed try, sent again while tries remain, and
/// the last failure passes only the server's first argument. With a timeout, any reply is a
/// success (the client's own wrapper puts `null` first).
#[test]
#[cfg(feature = "retries")]
fn queued_emits_without_a_timeout_read_the_reply_error_first() {
    use socketio_wasm::protocol::socket::{Auth, EmitFlags, SocketOptions};
    let mut driver = Driver::new();
    let retries = SocketOptions {
        retries: Some(1),
        ack_timeout: None,
    };
    let socket = driver.connect_with("/", Auth::Fixed(None), retries);
    driver.receive(OPEN);
    driver.receive(r#"40{"sid":"s"}"#);
    driver.drain();
    let with_ack = EmitFlags {
        ack: true,
        ..EmitFlags::default()
    };
    let ok = driver
        .emit_with(socket, r#"["ok"]"#, &[], with_ack)
        .unwrap();
    let refused = driver
        .emit_with(socket, r#"["no"]"#, &[], with_ack)
        .unwrap();
    assert_eq!(driver.drain(), [sent(r#"420["ok"]"#)], "one at a time");
    driver.receive(r#"430[null,7]"#);
    assert_eq!(
        driver.drain(),
        [
            sent(r#"421["no"]"#),
            Seen::AckAsSent(socket, ok, "[null,7]".into(), false)
        ]
    );
    // A non-null first argument: tried again once (retries: 1), then given up.
    driver.receive(r#"431["nope",1]"#);
    assert_eq!(driver.drain(), [sent(r#"422["no"]"#)]);
    driver.receive(r#"432[]"#);
    assert_eq!(
        driver.drain(),
        [Seen::AckAsSent(socket, refused, "[]".into(), true)]
    );
    // With a timeout, the same reply is a success on the first try.
    let timed = EmitFlags {
        ack: true,
        timeout: Some(1000),
        ..EmitFlags::default()
    };
    let quick = driver.emit_with(socket, r#"["t"]"#, &[], timed).unwrap();
    assert_eq!(driver.drain(), [sent(r#"423["t"]"#)]);
    driver.receive(r#"433["nope"]"#);
    assert_eq!(
        driver.drain(),
        [Seen::Ack(socket, quick, r#"["nope"]"#.into())]
    );
}
