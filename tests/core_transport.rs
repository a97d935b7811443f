//! Long-polling, batching within maxPayload, and the upgrade to WebSocket, driven on a virtual
//! clock with the transports played by the test.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod support;

use socketio_wasm::protocol::engine::{EngineConfig, TransportKind};
use socketio_wasm::protocol::socket::{CloseDetails, TransportFailure};
use support::*;

const SID: &str = "eio-sid";

fn open_polling() -> Seen {
    Seen::Open(TransportKind::Polling, None)
}

fn probe() -> Seen {
    Seen::Open(TransportKind::WebSocket, Some(SID.into()))
}

fn polling_only() -> EngineConfig {
    EngineConfig {
        transports: vec![TransportKind::Polling],
        upgrade: true,
        try_all: false,
        remember_upgrade: None,
    }
}

/// A socket connected over polling (default options), the probe not yet answered.
fn connected_polling(config: EngineConfig) -> (Driver, u32) {
    let mut driver = Driver::with(config);
    let socket = driver.connect("/", None);
    driver.poll_response(OPEN_POLLING);
    driver.post_done();
    driver.poll_response(r#"40{"sid":"io-sid"}"#);
    driver.drain();
    (driver, socket)
}

#[test]
fn default_options_open_with_a_polling_handshake_then_probe_websocket() {
    let mut driver = Driver::with(EngineConfig::default());
    let socket = driver.connect("/", Some(r#"{"token":"1"}"#));
    assert_eq!(driver.drain(), [open_polling(), Seen::Poll]);
    driver.poll_response(OPEN_POLLING);
    assert_eq!(
        driver.drain(),
        [probe(), post(r#"40{"token":"1"}"#), Seen::Poll]
    );
    driver.post_done();
    driver.poll_response(r#"40{"sid":"io-sid"}"#);
    assert_eq!(
        driver.drain(),
        [Seen::Connect(socket, "io-sid".into()), Seen::Poll]
    );
}

#[test]
fn polling_only_never_probes() {
    let mut driver = Driver::with(polling_only());
    driver.connect("/", None);
    driver.poll_response(OPEN_POLLING);
    assert!(!driver.drain().contains(&probe()));
    let mut driver = Driver::with(EngineConfig {
        upgrade: false,
        ..EngineConfig::default()
    });
    driver.connect("/", None);
    driver.poll_response(OPEN_POLLING);
    assert!(!driver.drain().contains(&probe()));
}

#[test]
fn a_polling_body_delivers_every_packet_with_its_own_span() {
    let (mut driver, socket) = connected_polling(polling_only());
    driver.poll_response("42[\"a\",1]\u{1e}2\u{1e}42[\"ü\",\"😀\"]\u{1e}6");
    assert_eq!(
        driver.drain(),
        [
            Seen::Event(socket, r#"["a",1]"#.into(), vec![]),
            post("3"),
            Seen::Event(socket, r#"["ü","😀"]"#.into(), vec![]),
            Seen::Poll
        ]
    );
}

#[test]
fn polling_spans_count_utf16_across_packets() {
    use socketio_wasm::protocol::client::Output;
    use socketio_wasm::protocol::socket::SocketEvent;
    let (mut driver, _) = connected_polling(polling_only());
    let body = "42[\"😀\"]\u{1e}42[\"é\"]";
    let transport = driver.last(TransportKind::Polling);
    let at = driver.at();
    driver
        .client
        .handle_poll_response(at, transport, body.to_owned(), body.to_owned());
    let mut outputs: Vec<_> = std::iter::from_fn(|| driver.client.poll_output()).collect();
    while driver.client.continue_body(at) {
        outputs.extend(std::iter::from_fn(|| driver.client.poll_output()));
    }
    let spans: Vec<_> = outputs
        .into_iter()
        .filter_map(|output| match output {
            Output::Socket(_, SocketEvent::Event(inbound)) => Some(inbound.data),
            _ => None,
        })
        .collect();
    let units: Vec<u16> = body.encode_utf16().collect();
    let texts: Vec<String> = spans
        .iter()
        .map(|span| {
            let end = span.end.unwrap().utf16;
            String::from_utf16(&units[span.start.utf16..end]).unwrap()
        })
        .collect();
    assert_eq!(texts, [r#"["😀"]"#, r#"["é"]"#]);
}

#[test]
#[cfg(feature = "binary")]
fn binary_over_polling_is_base64_both_ways() {
    let (mut driver, socket) = connected_polling(polling_only());
    driver.poll_response("451-[\"bin\",{\"_placeholder\":true,\"num\":0}]\u{1e}bAQID");
    let seen = driver.drain();
    assert_eq!(
        seen[0],
        Seen::Event(
            socket,
            r#"["bin",{"_placeholder":true,"num":0}]"#.into(),
            vec!["AQID".into()]
        )
    );
    driver.emit(socket, r#"["up",{"_placeholder":true,"num":0}]"#, &["BAUG"]);
    assert_eq!(
        driver.drain(),
        [post(
            "451-[\"up\",{\"_placeholder\":true,\"num\":0}]\u{1e}bBAUG"
        )]
    );
}

#[test]
fn one_post_at_a_time_and_batches_stay_within_max_payload() {
    let mut driver = Driver::with(polling_only());
    let socket = driver.connect("/", None);
    let open =
        r#"0{"sid":"s","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":40}"#;
    driver.poll_response(open);
    driver.post_done();
    driver.poll_response(r#"40{"sid":"io"}"#);
    driver.drain();
    for n in 0..10 {
        driver.emit(socket, &format!(r#"["n",{n}]"#), &[]);
    }
    let mut posts = Vec::new();
    loop {
        let seen = driver.drain();
        let batch: Vec<String> = seen
            .into_iter()
            .filter_map(|seen| match seen {
                Seen::Post(body) => Some(body),
                _ => None,
            })
            .collect();
        assert!(batch.len() <= 1, "two POSTs in flight: {batch:?}");
        let Some(body) = batch.into_iter().next() else {
            break;
        };
        assert!(body.len() <= 40, "{body} is over maxPayload");
        posts.push(body);
        driver.post_done();
    }
    let packets: Vec<String> = posts
        .iter()
        .flat_map(|body| body.split('\u{1e}'))
        .map(str::to_owned)
        .collect();
    let expected: Vec<String> = (0..10).map(|n| format!(r#"42["n",{n}]"#)).collect();
    assert_eq!(packets, expected);
    assert!(posts.len() > 1 && posts.len() < 10, "{posts:?}");
}

#[test]
fn a_single_packet_larger_than_max_payload_is_still_sent() {
    let mut driver = Driver::with(polling_only());
    let socket = driver.connect("/", None);
    driver.poll_response(
        r#"0{"sid":"s","upgrades":[],"pingInterval":1,"pingTimeout":1,"maxPayload":10}"#,
    );
    driver.post_done();
    driver.poll_response(r#"40{"sid":"io"}"#);
    driver.drain();
    driver.emit(socket, r#"["far too long for the limit"]"#, &[]);
    assert_eq!(
        driver.drain(),
        [post(r#"42["far too long for the limit"]"#)]
    );
}

#[test]
fn upgrade_pauses_polling_waits_for_requests_and_keeps_order() {
    let (mut driver, socket) = connected_polling(EngineConfig::default());
    let ws = driver.last(TransportKind::WebSocket);
    driver.client.handle_transport_open(driver.at(), ws);
    assert_eq!(driver.drain(), [sent("2probe")]);
    driver.emit(socket, r#"["before",1]"#, &[]);
    assert_eq!(driver.drain(), [post(r#"42["before",1]"#)]);
    driver.receive_on(ws, "3probe");
    driver.emit(socket, r#"["during",2]"#, &[]);
    assert_eq!(
        driver.drain(),
        [],
        "paused: nothing written while the GET and POST are in flight"
    );
    driver.poll_response("6");
    assert_eq!(driver.drain(), [], "the POST is still in flight");
    driver.post_done();
    assert_eq!(
        driver.drain(),
        [sent("5"), Seen::Close, sent(r#"42["during",2]"#)]
    );
    driver.emit(socket, r#"["after",3]"#, &[]);
    driver.receive_on(ws, r#"42["server","after"]"#);
    assert_eq!(
        driver.drain(),
        [
            sent(r#"42["after",3]"#),
            Seen::Event(socket, r#"["server","after"]"#.into(), vec![])
        ]
    );
    assert_eq!(driver.client.transport(), Some(TransportKind::WebSocket));
    assert_eq!(
        driver
            .manager
            .iter()
            .filter(|e| e.starts_with("upgrade"))
            .collect::<Vec<_>>(),
        ["upgrade websocket"],
        "the Manager hears of the upgrade once"
    );
}

#[test]
fn a_failed_probe_leaves_the_connection_on_polling() {
    let (mut driver, socket) = connected_polling(EngineConfig::default());
    let ws = driver.last(TransportKind::WebSocket);
    driver.fail(ws, "websocket error");
    assert_eq!(driver.drain(), [Seen::Close]);
    driver.emit(socket, r#"["still",1]"#, &[]);
    assert_eq!(driver.drain(), [post(r#"42["still",1]"#)]);
    assert_eq!(driver.client.transport(), Some(TransportKind::Polling));
}

#[test]
fn a_probe_that_answers_wrongly_is_dropped_even_while_paused() {
    let (mut driver, socket) = connected_polling(EngineConfig::default());
    let ws = driver.last(TransportKind::WebSocket);
    driver.client.handle_transport_open(driver.at(), ws);
    driver.receive_on(ws, "3nope");
    driver.emit(socket, r#"["x"]"#, &[]);
    assert_eq!(
        driver.drain(),
        [sent("2probe"), Seen::Close, post(r#"42["x"]"#)]
    );
    let (mut driver, socket) = connected_polling(EngineConfig::default());
    let ws = driver.last(TransportKind::WebSocket);
    driver.client.handle_transport_open(driver.at(), ws);
    driver.receive_on(ws, "3probe");
    driver.emit(socket, r#"["y"]"#, &[]);
    driver.client.handle_transport_close(driver.at(), ws, None);
    assert_eq!(
        driver.drain(),
        [sent("2probe"), Seen::Close, post(r#"42["y"]"#)]
    );
}

#[test]
fn the_heartbeat_carries_across_the_switch() {
    let (mut driver, socket) = connected_polling(EngineConfig::default());
    let ws = driver.last(TransportKind::WebSocket);
    driver.client.handle_transport_open(driver.at(), ws);
    driver.receive_on(ws, "3probe");
    driver.poll_response("6");
    driver.drain();
    driver.now = 25_000;
    driver.receive_on(ws, "2");
    assert_eq!(driver.drain(), [sent("3")]);
    driver.client.handle_timeout(support_instant(70_000));
    assert_eq!(
        driver.drain(),
        [Seen::Close, Seen::Disconnect(socket, "ping timeout", None)]
    );
}

fn support_instant(millis: u64) -> socketio_wasm::protocol::Instant {
    socketio_wasm::protocol::Instant::from_millis(millis)
}

#[test]
fn try_all_transports_falls_back_when_the_first_cannot_open() {
    let config = EngineConfig {
        transports: vec![TransportKind::WebSocket, TransportKind::Polling],
        upgrade: true,
        try_all: true,
        remember_upgrade: None,
    };
    let mut driver = Driver::with(config);
    let socket = driver.connect("/", None);
    let ws = driver.transport();
    driver.fail(ws, "websocket error");
    assert_eq!(
        driver.drain(),
        [open_ws(), Seen::Close, open_polling(), Seen::Poll]
    );
    driver.poll_response(OPEN_POLLING);
    driver.post_done();
    driver.poll_response(r#"40{"sid":"io"}"#);
    assert!(driver.drain().contains(&Seen::Connect(socket, "io".into())));
}

#[test]
fn without_try_all_a_transport_that_cannot_open_is_a_connect_error() {
    let mut driver = Driver::with(EngineConfig {
        transports: vec![TransportKind::WebSocket, TransportKind::Polling],
        upgrade: true,
        try_all: false,
        remember_upgrade: None,
    });
    let socket = driver.connect("/", None);
    let ws = driver.transport();
    driver.fail(ws, "websocket error");
    assert_eq!(
        driver.drain(),
        [
            open_ws(),
            Seen::Close,
            Seen::ConnectError(socket, "websocket error".into())
        ]
    );
}

#[test]
fn a_poll_error_after_connect_is_a_transport_error_disconnect() {
    let (mut driver, socket) = connected_polling(polling_only());
    let polling = driver.last(TransportKind::Polling);
    driver.fail(polling, "xhr poll error");
    assert_eq!(
        driver.drain(),
        [
            Seen::Close,
            Seen::Disconnect(socket, "transport error", Some("xhr poll error".into()))
        ]
    );
}

#[test]
fn a_poll_error_keeps_its_status_and_request_for_close_and_disconnect() {
    let (mut driver, _) = connected_polling(polling_only());
    let polling = driver.last(TransportKind::Polling);
    let failure = TransportFailure {
        message: "xhr poll error",
        description: Some(String::from("400")),
        context: Some(String::from("the XMLHttpRequest")),
    };
    driver
        .client
        .handle_transport_error(driver.at(), polling, failure.clone());
    let details = Some(CloseDetails::Failed(failure));
    assert_eq!(driver.close_details(), [details.clone(), details]);
}

#[test]
fn a_close_packet_in_a_poll_ends_the_session_without_polling_again() {
    let (mut driver, socket) = connected_polling(polling_only());
    driver.poll_response("1");
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
}

#[test]
fn client_disconnect_on_polling_posts_the_close_packet() {
    let (mut driver, socket) = connected_polling(polling_only());
    let id = driver.ids[socket as usize];
    driver.client.disconnect(driver.at(), id);
    assert_eq!(
        driver.drain(),
        [
            post("41"),
            Seen::Disconnect(socket, "io client disconnect", None),
        ]
    );
    assert_eq!(driver.manager.last().unwrap(), "close: forced close");
    // One POST at a time, even when closing: the close packet waits for the DISCONNECT's POST.
    driver.post_done();
    assert_eq!(driver.drain(), [post("1"), Seen::Close]);
}

#[test]
fn client_disconnect_with_an_emit_in_flight_still_sends_disconnect_then_close() {
    let (mut driver, socket) = connected_polling(polling_only());
    let transport = driver.last(TransportKind::Polling);
    driver.emit(socket, r#"["busy"]"#, &[]);
    assert_eq!(driver.drain(), [post(r#"42["busy"]"#)]);
    driver
        .client
        .disconnect(driver.at(), driver.ids[socket as usize]);
    assert_eq!(
        driver.drain(),
        [Seen::Disconnect(socket, "io client disconnect", None)]
    );
    assert!(
        driver.in_flight(transport, false),
        "the GET is not aborted yet"
    );
    driver.post_done_on(transport);
    assert_eq!(driver.drain(), [post("41")]);
    // The close packet alone: beside the DISCONNECT, the server would act on it first.
    driver.post_done_on(transport);
    assert_eq!(driver.drain(), [post("1"), Seen::Close]);
    // The session is over: a late answer to the aborted GET changes nothing.
    assert!(!driver.in_flight(transport, false));
}

#[test]
fn what_is_queued_at_close_goes_out_within_max_payload() {
    let open = OPEN_POLLING.replace("1000000", "3");
    let mut driver = Driver::with(polling_only());
    let socket = driver.connect("/", None);
    driver.poll_response(&open);
    driver.post_done();
    driver.poll_response(r#"40{"sid":"io-sid"}"#);
    driver.drain();
    driver.emit(socket, r#"["a"]"#, &[]);
    driver.emit(socket, r#"["b"]"#, &[]);
    driver
        .client
        .disconnect(driver.at(), driver.ids[socket as usize]);
    driver.drain();
    driver.post_done();
    assert_eq!(driver.drain(), [post(r#"42["b"]"#)]);
    driver.post_done();
    assert_eq!(driver.drain(), [post("41")]);
    driver.post_done();
    assert_eq!(driver.drain(), [post("1"), Seen::Close]);
}

#[test]
fn a_bad_polling_body_is_a_parse_error_after_the_good_packets() {
    let (mut driver, socket) = connected_polling(polling_only());
    driver.poll_response("42[\"kept\"]\u{1e}\u{1e}42[\"never\"]");
    let seen = driver.drain();
    assert_eq!(seen[0], Seen::Event(socket, r#"["kept"]"#.into(), vec![]));
    assert!(
        seen.contains(&Seen::Disconnect(
            socket,
            "parse error",
            Some("empty packet".into())
        )),
        "{seen:?}"
    );
    assert!(!seen
        .iter()
        .any(|seen| matches!(seen, Seen::Event(_, data, _) if data.contains("never"))));
}

#[test]
fn each_packet_of_a_polling_body_sees_what_listeners_did_about_the_one_before() {
    use socketio_wasm::protocol::client::Output;
    use socketio_wasm::protocol::socket::SocketEvent;
    let (mut driver, _) = connected_polling(polling_only());
    let transport = driver.last(TransportKind::Polling);
    let id = driver.ids[0];
    let body = "42[\"first\"]\u{1e}42[\"second\"]";
    let at = driver.at();
    driver
        .client
        .handle_poll_response(at, transport, body.to_owned(), body.to_owned());
    let events = |driver: &mut Driver| {
        std::iter::from_fn(|| driver.client.poll_output())
            .filter(|output| matches!(output, Output::Socket(_, SocketEvent::Event(_))))
            .count()
    };
    assert_eq!(events(&mut driver), 1, "only the first packet so far");
    // The listener of the first event disconnects its socket: the second is not delivered.
    driver.client.disconnect(at, id);
    assert_eq!(events(&mut driver), 0);
    while driver.client.continue_body(at) {
        assert_eq!(events(&mut driver), 0);
    }
}

#[test]
fn remember_upgrade_starts_on_websocket_only_after_one_worked() {
    use socketio_wasm::protocol::engine::UpgradeMemory;
    let memory = UpgradeMemory::default();
    let config = EngineConfig {
        remember_upgrade: Some(memory.clone()),
        ..EngineConfig::default()
    };
    // First session: polling, upgraded to WebSocket.
    let mut driver = Driver::with(config.clone());
    driver.connect("/", None);
    driver.poll_response(OPEN_POLLING);
    assert!(!memory.websocket_worked(), "opened on polling");
    let ws = driver.last(TransportKind::WebSocket);
    driver.client.handle_transport_open(driver.at(), ws);
    driver.receive_on(ws, "3probe");
    assert!(memory.websocket_worked(), "the probe answered");
    // Next session starts on WebSocket; it fails before opening: forgotten.
    let mut next = Driver::with(config.clone());
    next.connect("/", None);
    assert_eq!(next.drain(), [open_ws()]);
    let failed = next.last(TransportKind::WebSocket);
    next.fail(failed, "websocket error");
    assert!(
        !memory.websocket_worked(),
        "a WebSocket that failed is not remembered"
    );
    // So the one after starts on polling again.
    let mut third = Driver::with(config);
    third.connect("/", None);
    assert_eq!(third.drain(), [open_polling(), Seen::Poll]);
}

#[test]
fn a_volatile_emit_during_the_switch_to_websocket_waits_for_it() {
    use socketio_wasm::protocol::socket::EmitFlags;
    let mut driver = Driver::with(EngineConfig::default());
    let socket = driver.connect("/", None);
    driver.poll_response(OPEN_POLLING);
    driver.post_done();
    driver.poll_response(r#"40{"sid":"io-sid"}"#);
    let ws = driver.last(TransportKind::WebSocket);
    driver.client.handle_transport_open(driver.at(), ws);
    driver.receive_on(ws, "3probe");
    driver.drain();
    // Switching: polling pauses until its GET is back; the transport still takes packets.
    let volatile = EmitFlags {
        volatile: true,
        ..EmitFlags::default()
    };
    driver.emit_with(socket, r#"["v"]"#, &[], volatile);
    assert_eq!(driver.drain(), []);
    driver.poll_response("6");
    assert_eq!(driver.drain(), [sent("5"), Seen::Close, sent(r#"42["v"]"#)]);
}
