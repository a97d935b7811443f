//! The Rust API in headless Chromium against real socket.io 4.8 servers
//! (tests/servers/rust-api.mjs, started by scripts/browser-rust.sh, which bakes their URLs in).
//!
//! Every wait has a generous deadline (the machine is shared and loaded): a test fails on a
//! wrong value or a missing event, never on timing.
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::panic,
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing
)]

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use futures_util::future::{select, Either};
use futures_util::{Stream, StreamExt};
use gloo_timers::future::TimeoutFuture;
use serde::{Deserialize, Serialize};
use socketio_wasm::{
    io, AckError, ConnectError, DisconnectReason, EmitError, Manager, Socket, StateChange,
    Transport,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const URL: &str = match option_env!("SOCKETIO_RUST_TEST_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:3210",
};
const RESTART_URL: &str = match option_env!("SOCKETIO_RUST_RESTART_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:3211",
};

/// Far longer than anything should take, even on a loaded machine.
const DEADLINE_MS: u32 = 20_000;

async fn within<F: std::future::Future>(what: &str, future: F) -> F::Output {
    let future = Box::pin(future);
    match select(future, TimeoutFuture::new(DEADLINE_MS)).await {
        Either::Left((output, _)) => output,
        Either::Right(_) => panic!("timed out waiting for {what}"),
    }
}

async fn next<S: Stream + Unpin>(what: &str, stream: &mut S) -> S::Item {
    within(what, stream.next())
        .await
        .unwrap_or_else(|| panic!("{what}: stream ended"))
}

/// A socket on its own Manager, once connected.
async fn connected(url: &str, nsp: &str) -> Socket {
    let manager = Manager::builder(url)
        .reconnection_delay(Duration::from_millis(100))
        .reconnection_delay_max(Duration::from_millis(500))
        .build()
        .expect("manager");
    let socket = manager.socket(nsp);
    wait_connected(&socket).await;
    socket
}

/// Waits until the socket runs over the WebSocket.
async fn wait_upgraded(socket: &Socket) {
    let (sender, mut upgrades) = futures_channel::mpsc::unbounded();
    let _upgrade = socket.on_upgrade(move |transport| {
        let _ = sender.unbounded_send(*transport);
    });
    while socket.transport() != Some(Transport::WebSocket) {
        next("upgrade", &mut upgrades).await;
    }
}

/// A socket on its own WebSocket-only Manager, once connected.
async fn connected_over_websocket() -> Socket {
    let manager = Manager::builder(URL)
        .transports(&[Transport::WebSocket])
        .build()
        .expect("manager");
    let socket = manager.socket("/");
    wait_connected(&socket).await;
    socket
}

async fn wait_connected(socket: &Socket) {
    let mut states = socket.states();
    while !socket.connected() {
        let change = next("connect", &mut states).await;
        assert!(
            !matches!(change, StateChange::ConnectFailed(_)),
            "connect failed: {change:?}"
        );
    }
}

#[cfg(feature = "binary")]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Kind {
    Plain,
    Pair(i32, String),
    Shape { sides: u8, name: String },
}

#[cfg(feature = "binary")]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Part {
    label: String,
    #[serde(with = "serde_bytes")]
    blob: Vec<u8>,
}

/// A value of every shape, bytes among them (the cargo feature `binary`).
#[cfg(feature = "binary")]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Message {
    text: String,
    count: i64,
    ratio: f64,
    present: Option<u32>,
    absent: Option<String>,
    kinds: Vec<Kind>,
    parts: Vec<Part>,
    #[serde(with = "serde_bytes")]
    top: Vec<u8>,
    tags: BTreeMap<String, bool>,
}

#[cfg(feature = "binary")]
fn sample() -> Message {
    Message {
        text: String::from("héllo wörld ✓ 🌍 \u{2028} \"quoted\" \\ 日本語"),
        count: -9_007_199_254_740_991,
        ratio: 0.125,
        present: Some(7),
        absent: None,
        kinds: vec![
            Kind::Plain,
            Kind::Pair(-3, String::from("ü")),
            Kind::Shape {
                sides: 6,
                name: String::from("hexagon"),
            },
        ],
        parts: vec![
            Part {
                label: String::from("zeros"),
                blob: vec![0; 16],
            },
            Part {
                label: String::from("all bytes"),
                blob: (0..=255).collect(),
            },
        ],
        top: vec![1, 2, 3, 255],
        tags: BTreeMap::from([(String::from("a"), true), (String::from("ß"), false)]),
    }
}

#[wasm_bindgen_test]
#[cfg(feature = "polling")]
async fn reports_the_transport_and_its_upgrade() {
    let manager = Manager::builder(URL).build().expect("manager");
    let socket = manager.socket("/");
    let (sender, mut upgrades) = futures_channel::mpsc::unbounded();
    let _upgrade = socket.on_upgrade(move |transport| {
        let _ = sender.unbounded_send(*transport);
    });
    wait_connected(&socket).await;
    // Polling first (the default), then the WebSocket once the upgrade is through.
    assert_eq!(next("upgrade", &mut upgrades).await, Transport::WebSocket);
    assert_eq!(socket.transport(), Some(Transport::WebSocket));
    manager.close();
    assert_eq!(socket.transport(), None, "no transport once closed");
}

#[wasm_bindgen_test]
async fn set_auth_is_the_payload_of_the_next_connect() {
    let manager = Manager::builder(URL)
        .auth(&BTreeMap::from([("nick", "first")]))
        .build()
        .expect("manager");
    let socket = manager.socket("/");
    wait_connected(&socket).await;
    let auth: BTreeMap<String, String> = within("auth", socket.emit_with_ack("auth", &()))
        .await
        .expect("auth");
    assert_eq!(auth["nick"], "first");
    socket
        .set_auth(&BTreeMap::from([("nick", "second")]))
        .expect("set_auth");
    socket.disconnect();
    socket.connect();
    wait_connected(&socket).await;
    let auth: BTreeMap<String, String> = within("auth", socket.emit_with_ack("auth", &()))
        .await
        .expect("auth");
    assert_eq!(auth["nick"], "second");
}

#[wasm_bindgen_test]
async fn the_auth_function_is_asked_on_every_connect() {
    let asked = Rc::new(Cell::new(0));
    let count = asked.clone();
    let manager = Manager::builder(URL)
        .transports(&[Transport::WebSocket])
        .reconnection_delay(Duration::from_millis(100))
        .reconnection_delay_max(Duration::from_millis(500))
        .auth_with(move || {
            count.set(count.get() + 1);
            BTreeMap::from([("token", format!("token-{}", count.get()))])
        })
        .build()
        .expect("manager");
    let socket = manager.socket("/");
    let token = |socket: &Socket| {
        let asking = socket.emit_with_ack::<BTreeMap<String, String>, _>("auth", &());
        async move { within("auth", asking).await.expect("auth")["token"].clone() }
    };
    wait_connected(&socket).await;
    assert_eq!(token(&socket).await, "token-1");

    // The server closes the connection: the Manager reconnects and asks again.
    let mut states = socket.states();
    socket.emit("drop-connection", &()).expect("emit");
    assert_eq!(
        next("disconnect", &mut states).await,
        StateChange::Disconnected(DisconnectReason::TransportClose)
    );
    wait_connected(&socket).await;
    assert_eq!(token(&socket).await, "token-2");

    // As does a reconnection of the socket alone.
    socket.disconnect();
    socket.connect();
    wait_connected(&socket).await;
    assert_eq!(token(&socket).await, "token-3");
    assert_eq!(asked.get(), 3, "asked once per CONNECT");

    // A socket's own function replaces the Manager's.
    socket
        .set_auth_with(|| BTreeMap::from([("token", "mine")]))
        .expect("set_auth_with");
    socket.disconnect();
    socket.connect();
    wait_connected(&socket).await;
    assert_eq!(token(&socket).await, "mine");
    assert_eq!(asked.get(), 3);
}

/// A value for the server's `remember`, kept under a tag of the test's own.
#[derive(Serialize)]
struct Remember<'a> {
    tag: &'a str,
    value: u32,
}

/// What the server's `remember` kept under `tag`, in the order it arrived.
async fn recall(socket: &Socket, tag: &str) -> Vec<u32> {
    within("recall", socket.emit_with_ack("recall", tag))
        .await
        .expect("recall")
}

#[wasm_bindgen_test]
async fn volatile_emits_are_dropped_while_disconnected() {
    // WebSocket only: a volatile emit is also dropped while a polling request is under way.
    let socket = connected_over_websocket().await;
    let tag = "volatile";
    let remember = |value| Remember { tag, value };
    socket.disconnect();
    socket
        .volatile()
        .emit("remember", &remember(1))
        .expect("dropped, not refused");
    socket.emit("remember", &remember(2)).expect("buffered");
    socket.connect();
    wait_connected(&socket).await;
    socket
        .volatile()
        .emit("remember", &remember(3))
        .expect("written");
    assert_eq!(recall(&socket, tag).await, [2, 3]);
}

/// `name` and the arguments as JSON, as a log line.
fn logged(name: &str, args: &js_sys::Array) -> String {
    let json: String = js_sys::JSON::stringify(args).expect("JSON").into();
    format!("{name} {json}")
}

#[wasm_bindgen_test]
async fn on_any_hears_every_event_first_and_can_answer() {
    let socket = connected(URL, "/").await;
    let log = Rc::new(RefCell::new(Vec::new()));
    let seen = log.clone();
    let any = socket.on_any(move |name, args, ack| {
        seen.borrow_mut()
            .push(format!("any: {}", logged(name, &args)));
        if let Some(ack) = ack {
            ack.send("from on_any").expect("answer");
        }
    });
    let seen = log.clone();
    let _tick = socket.on("tick", move |n: u32| {
        seen.borrow_mut().push(format!("on: {n}"))
    });
    let mut ticks = socket.events::<u32>("tick");
    let request = serde_json::json!({ "event": "tick", "data": 7, "times": 2 });
    within("sent", socket.emit_with_ack::<(), _>("send-me", &request))
        .await
        .expect("sent");
    next("tick", &mut ticks).await.expect("tick");
    next("tick", &mut ticks).await.expect("tick");
    assert_eq!(
        *log.borrow(),
        ["any: tick [7]", "on: 7", "any: tick [7]", "on: 7"]
    );

    // The server's ack request reaches it too.
    #[derive(Debug, PartialEq, Deserialize)]
    struct Outcome {
        answer: Option<String>,
    }
    let outcome: Outcome = within("the answer", socket.emit_with_ack("ask", "who?"))
        .await
        .expect("ack");
    assert_eq!(outcome.answer.as_deref(), Some("from on_any"));
    assert_eq!(
        log.borrow().last().map(String::as_str),
        Some("any: question [\"who?\"]")
    );

    // Dropped, never called again.
    drop(any);
    log.borrow_mut().clear();
    let request = serde_json::json!({ "event": "tick", "data": 8, "times": 1 });
    within("sent", socket.emit_with_ack::<(), _>("send-me", &request))
        .await
        .expect("sent");
    next("tick", &mut ticks).await.expect("tick");
    assert_eq!(*log.borrow(), ["on: 8"]);
}

#[wasm_bindgen_test]
async fn on_any_outgoing_hears_each_event_when_it_is_written() {
    // WebSocket only: the volatile emit below is dropped only while disconnected.
    let socket = connected_over_websocket().await;
    let log = Rc::new(RefCell::new(Vec::new()));
    let seen = log.clone();
    let outgoing = socket.on_any_outgoing(move |name, args| {
        let binary = args.get(0).is_instance_of::<js_sys::Uint8Array>();
        let line = match binary {
            true => format!(
                "{name} binary {}",
                js_sys::Uint8Array::from(args.get(0)).length()
            ),
            false => logged(name, &args),
        };
        seen.borrow_mut().push(line);
    });
    let tag = "outgoing";
    socket
        .emit("remember", &Remember { tag, value: 1 })
        .expect("emit");
    let written = r#"remember [{"tag":"outgoing","value":1}]"#;
    assert_eq!(*log.borrow(), [written], "heard as it is written");
    #[cfg(feature = "binary")]
    {
        socket
            .emit("echo", &serde_bytes::Bytes::new(&[1, 2, 3]))
            .expect("emit");
        assert_eq!(
            log.borrow().last().map(String::as_str),
            Some("echo binary 3")
        );
    }
    // Handled before the disconnect below: the server ignores the events that it reads in the
    // same tick as the namespace's DISCONNECT.
    assert_eq!(recall(&socket, tag).await, [1]);

    // While disconnected: the buffered emit is heard when it goes out, the volatile one never.
    log.borrow_mut().clear();
    socket.disconnect();
    socket
        .emit("remember", &Remember { tag, value: 2 })
        .expect("buffered");
    socket
        .volatile()
        .emit("remember", &Remember { tag, value: 3 })
        .expect("dropped");
    assert!(log.borrow().is_empty(), "nothing written yet");
    socket.connect();
    wait_connected(&socket).await;
    assert_eq!(
        *log.borrow(),
        [r#"remember [{"tag":"outgoing","value":2}]"#]
    );
    assert_eq!(recall(&socket, tag).await, [1, 2]);

    drop(outgoing);
    log.borrow_mut().clear();
    socket
        .emit("remember", &Remember { tag, value: 4 })
        .expect("emit");
    assert!(log.borrow().is_empty(), "a dropped listener is not called");
}

#[wasm_bindgen_test]
async fn the_send_buffer_can_be_counted_and_cleared() {
    // WebSocket only: the volatile emit below is dropped only while disconnected.
    let socket = connected_over_websocket().await;
    let tag = "send-buffer";
    let remember = |value| Remember { tag, value };
    assert_eq!(socket.send_buffer_len(), 0);
    socket.disconnect();
    for value in 1..=3 {
        socket.emit("remember", &remember(value)).expect("buffered");
    }
    socket
        .volatile()
        .emit("remember", &remember(9))
        .expect("dropped");
    assert_eq!(socket.send_buffer_len(), 3, "the volatile one is not kept");
    let cleared = socket.emit_with_ack::<u32, _>("ack-me", &5);
    assert_eq!(socket.send_buffer_len(), 4);
    socket.clear_send_buffer();
    assert_eq!(socket.send_buffer_len(), 0);
    socket.emit("remember", &remember(4)).expect("buffered");
    assert_eq!(socket.send_buffer_len(), 1);
    socket.connect();
    wait_connected(&socket).await;
    assert_eq!(socket.send_buffer_len(), 0, "sent on connect");
    assert_eq!(recall(&socket, tag).await, [4]);
    // The cleared emit's ack ends with the next disconnection.
    socket.disconnect();
    assert_eq!(
        within("the ack", cleared).await,
        Err(AckError::Disconnected)
    );
}

#[wasm_bindgen_test]
async fn quick_disconnect_connect_cycles_over_polling_keep_the_new_session() {
    // disconnect() closes the connection (no other socket is active) and connect() opens the
    // next one at once: the old session's close packet, queued behind a busy POST, once went
    // out with the new session's sid and the server closed the new session (seen in 1 run out
    // of 2 or 3 with 40 cycles, before the driver kept each polling transport's own sid).
    let socket = connected(URL, "/").await;
    let mut states = socket.states();
    for cycle in 0..40u32 {
        socket.disconnect();
        socket.connect();
        wait_connected(&socket).await;
        let answer: Result<u32, _> = within("ack", socket.emit_with_ack("ack-me", &cycle)).await;
        assert_eq!(answer, Ok(cycle), "cycle {cycle}");
    }
    while let Some(Some(change)) = futures_util::FutureExt::now_or_never(states.next()) {
        if let StateChange::Disconnected(reason) = change {
            assert_eq!(reason, DisconnectReason::IoClientDisconnect);
        }
    }
}

#[wasm_bindgen_test]
async fn connects_and_reports_its_state() {
    let socket = io(URL).expect("io");
    assert!(socket.active(), "active as soon as it connects");
    wait_connected(&socket).await;
    assert!(socket.connected());
    assert!(socket.id().is_some_and(|id| !id.is_empty()));
    assert!(!socket.recovered());
    assert_eq!(socket.nsp(), "/");
    socket.disconnect();
    assert!(!socket.connected());
    assert!(!socket.active());
    assert_eq!(socket.id(), None);
}

#[wasm_bindgen_test]
#[cfg(feature = "binary")]
async fn typed_values_round_trip_as_events_and_acks() {
    let socket = connected(URL, "/").await;
    let mut echoes = socket.events::<Message>("echo");
    let sent = sample();
    let answer: Message = within("ack", socket.emit_with_ack("echo", &sent))
        .await
        .expect("ack answer");
    assert_eq!(answer, sent);
    let event = next("echo event", &mut echoes).await.expect("decodes");
    assert_eq!(event, sent);
}

#[wasm_bindgen_test]
async fn untyped_values_round_trip() {
    let socket = connected(URL, "/").await;
    let value = serde_json::json!({ "list": [1, "two", null, { "deep": [true] }], "n": 1.5 });
    let answer: serde_json::Value = within("ack", socket.emit_with_ack("ack-me", &value))
        .await
        .expect("ack answer");
    assert_eq!(answer, value);

    #[cfg(feature = "binary")]
    {
        let (sender, mut received) = futures_channel::mpsc::unbounded();
        let _listener = socket.on_js("echo", move |args, _| {
            let _ = sender.unbounded_send(args.length());
        });
        let bytes = js_sys::Uint8Array::from(&[9u8, 8, 7][..]);
        socket
            .emit_js("echo", &[bytes.into()])
            .expect("emit untyped");
        assert_eq!(next("untyped echo", &mut received).await, 1);
    }
}

#[wasm_bindgen_test]
async fn acks_time_out_when_the_server_never_answers() {
    let socket = connected(URL, "/").await;
    let outcome = within(
        "the timeout",
        socket
            .timeout(Duration::from_millis(300))
            .emit_with_ack::<(), _>("no-ack", &1),
    )
    .await;
    assert_eq!(outcome, Err(AckError::Timeout));
}

#[wasm_bindgen_test]
async fn the_ack_timeout_option_applies_to_every_ack() {
    let manager = Manager::builder(URL)
        .ack_timeout(Duration::from_millis(3000))
        .build()
        .expect("manager");
    let socket = manager.socket("/");
    wait_connected(&socket).await;
    let outcome = within("the timeout", socket.emit_with_ack::<(), _>("no-ack", &1)).await;
    assert_eq!(outcome, Err(AckError::Timeout));
    let answered: u32 = within("an answer", socket.emit_with_ack("ack-me", &5))
        .await
        .expect("answered in time");
    assert_eq!(answered, 5);
}

/// The `retries` queue (the cargo feature `retries`).
#[cfg(feature = "retries")]
mod retries {
    use super::*;

    /// A socket of a Manager with `retries` (and an `ackTimeout`, if given), once connected.
    async fn retrying(retries: u32, ack_timeout: Option<Duration>) -> Socket {
        let builder = Manager::builder(URL).retries(retries);
        let builder = match ack_timeout {
            Some(timeout) => builder.ack_timeout(timeout),
            None => builder,
        };
        let socket = builder.build().expect("manager").socket("/");
        wait_connected(&socket).await;
        socket
    }

    /// The server's `try`: its n-th arrival under `tag` is answered with `answers[n]`
    /// (the ack's arguments), or not at all when that is `null` or missing.
    fn attempt(tag: &str, answers: serde_json::Value) -> serde_json::Value {
        serde_json::json!({ "tag": tag, "answers": answers })
    }

    /// How many tries of `tag` reached the server, asked on a socket without `retries` (whose
    /// answers would be read error-first).
    async fn tries(socket: &Socket, tag: &str) -> u32 {
        within("tries", socket.emit_with_ack("tries", tag))
            .await
            .expect("tries")
    }

    #[wasm_bindgen_test]
    async fn retries_resend_until_the_server_answers_within_the_ack_timeout() {
        let observer = connected(URL, "/").await;
        let socket = retrying(3, Some(Duration::from_millis(2000))).await;
        let tag = "retry-timeout-answered";
        let request = attempt(tag, serde_json::json!([null, [5]]));
        let outcome: Result<u32, _> =
            within("the answer", socket.emit_with_ack("try", &request)).await;
        assert_eq!(outcome, Ok(5), "answered on the second try");
        assert_eq!(
            tries(&observer, tag).await,
            2,
            "not sent again once answered"
        );

        // Never answered: every try times out, then the emit fails with the timeout.
        let tag = "retry-timeout-unanswered";
        let request = attempt(tag, serde_json::json!([]));
        let socket = retrying(2, Some(Duration::from_millis(300))).await;
        let outcome: Result<u32, _> =
            within("the failure", socket.emit_with_ack("try", &request)).await;
        assert_eq!(outcome, Err(AckError::Timeout));
        assert_eq!(
            tries(&observer, tag).await,
            3,
            "the first try and 2 retries"
        );
    }

    #[wasm_bindgen_test]
    async fn retries_without_ack_timeout_read_the_answer_error_first() {
        let observer = connected(URL, "/").await;
        // As socket.io-client: the server's first argument is the error, a retry follows it.
        let socket = retrying(2, None).await;
        let tag = "retry-error-first-answered";
        let request = attempt(tag, serde_json::json!([["busy"], [null, 7]]));
        let outcome: Result<u32, _> =
            within("the answer", socket.emit_with_ack("try", &request)).await;
        assert_eq!(outcome, Ok(7));
        assert_eq!(tries(&observer, tag).await, 2);

        // An error on every try: the last one's error, as JSON.
        let tag = "retry-error-first-rejected";
        let request = attempt(
            tag,
            serde_json::json!([["busy"], ["busy"], [{ "code": 503 }]]),
        );
        let outcome: Result<u32, _> =
            within("the failure", socket.emit_with_ack("try", &request)).await;
        assert_eq!(
            outcome,
            Err(AckError::Rejected(String::from(r#"{"code":503}"#)))
        );
        assert_eq!(tries(&observer, tag).await, 3);
    }
}

#[wasm_bindgen_test]
async fn the_server_asks_and_the_listener_answers_once() {
    #[derive(Debug, PartialEq, Deserialize)]
    struct Outcome {
        answer: Option<String>,
    }
    let socket = connected(URL, "/").await;
    let second_send = Rc::new(Cell::new(None));
    let _first = socket.on_with_ack("question", |question: String, ack| {
        let ack = ack.expect("the server asked for an answer");
        ack.send(&format!("re: {question}")).expect("first answer");
    });
    let seen = second_send.clone();
    let _second = socket.on_with_ack("question", move |_: String, ack| {
        seen.set(Some(ack.expect("asked").send("too late")));
    });
    let outcome: Outcome = within("the answer", socket.emit_with_ack("ask", "ça va?"))
        .await
        .expect("ack");
    assert_eq!(outcome.answer.as_deref(), Some("re: ça va?"));
    assert_eq!(second_send.take(), Some(Err(EmitError::AlreadyAnswered)));
}

#[wasm_bindgen_test]
async fn two_namespaces_share_one_connection() {
    #[derive(Debug, Deserialize)]
    struct WhoAmI {
        nsp: String,
        engine: String,
    }
    let manager = Manager::builder(URL).build().expect("manager");
    let main = manager.socket("/");
    let admin = manager.socket("/admin");
    wait_connected(&main).await;
    wait_connected(&admin).await;
    assert_eq!(
        manager.socket("/admin").id(),
        admin.id(),
        "one socket per namespace"
    );
    let main_is: WhoAmI = within("main", main.emit_with_ack("whoami", &()))
        .await
        .expect("main");
    let admin_is: WhoAmI = within("admin", admin.emit_with_ack("whoami", &()))
        .await
        .expect("admin");
    assert_eq!(main_is.nsp, "/");
    assert_eq!(admin_is.nsp, "/admin");
    assert_eq!(main_is.engine, admin_is.engine, "multiplexed");
    assert_ne!(main.id(), admin.id());
}

#[wasm_bindgen_test]
async fn a_refused_namespace_is_a_typed_connect_error() {
    #[derive(Debug, PartialEq, Deserialize)]
    struct Data {
        code: u32,
    }
    let manager = Manager::builder(URL).build().expect("manager");
    let socket = manager.socket("/private");
    let mut states = socket.states();
    let error = loop {
        if let StateChange::ConnectFailed(error) = next("connect_error", &mut states).await {
            break error;
        }
    };
    let ConnectError::Refused { message, data } = &error else {
        panic!("expected a refusal, got {error:?}");
    };
    assert_eq!(message, "not allowed");
    let data: Data = serde_wasm_bindgen::from_value(data.clone().expect("data")).expect("data");
    assert_eq!(data, Data { code: 42 });
    assert_eq!(error.to_string(), "not allowed");
    assert!(!socket.active(), "a refused socket does not retry");
}

#[wasm_bindgen_test]
async fn reconnects_after_a_server_restart_step_by_step() {
    let socket = connected(RESTART_URL, "/").await;
    // On WebSocket first: over polling the restart may cut the ack's GET (then the emit fails
    // with `Disconnected`) or fall between two GETs (then the reason is `transport error`).
    wait_upgraded(&socket).await;
    let first_id = socket.id();
    let mut states = socket.states();
    within("restart ack", socket.emit_with_ack::<(), _>("restart", &()))
        .await
        .expect("restart acknowledged");
    assert_eq!(
        next("disconnect", &mut states).await,
        StateChange::Disconnected(DisconnectReason::TransportClose)
    );
    let mut attempts = Vec::new();
    loop {
        match next("reconnection", &mut states).await {
            StateChange::Reconnecting(n) => attempts.push(n),
            StateChange::Reconnected(n) => {
                assert_eq!(Some(&n), attempts.last(), "reconnected on the last attempt");
                break;
            }
            // An attempt made while the server is down fails with the transport's error.
            StateChange::ConnectFailed(ConnectError::Transport(_)) => {}
            other => panic!("unexpected step {other:?}"),
        }
    }
    let expected: Vec<u32> = (1..=attempts.len() as u32).collect();
    assert_eq!(attempts, expected, "attempts counted from 1");
    assert_eq!(
        next("connect", &mut states).await,
        StateChange::Connected { recovered: false }
    );
    assert!(socket.connected());
    assert_ne!(socket.id(), first_id, "a new session");
    let answer: u32 = within("ack", socket.emit_with_ack("ack-me", &3))
        .await
        .expect("works again");
    assert_eq!(answer, 3);
}

#[wasm_bindgen_test]
#[cfg(feature = "binary")]
async fn an_event_that_does_not_fit_is_an_error_not_a_panic() {
    #[derive(Debug, Serialize)]
    struct SendMe<'a, T> {
        event: &'a str,
        data: T,
        times: u32,
    }
    let socket = connected(URL, "/").await;
    let heard = Rc::new(Cell::new(0));
    let counter = heard.clone();
    let _typed = socket.on("mixed", move |_: Message| counter.set(counter.get() + 1));
    let (sender, mut errors) = futures_channel::mpsc::unbounded();
    let _errors = socket.on_error(move |error| {
        let _ = sender.unbounded_send(error.clone());
    });
    let mut stream = socket.events::<Message>("mixed");
    let request = SendMe {
        event: "mixed",
        data: "not a message",
        times: 1,
    };
    within("sent", socket.emit_with_ack::<(), _>("send-me", &request))
        .await
        .expect("sent");
    let error = next("the error", &mut errors).await;
    assert_eq!(error.event, "mixed");
    assert!(!error.message.is_empty());
    let streamed = next("the stream's error", &mut stream).await;
    assert!(streamed.is_err());
    assert_eq!(heard.get(), 0);
    // The socket goes on: a fitting value arrives.
    let request = SendMe {
        event: "mixed",
        data: sample(),
        times: 1,
    };
    within("sent", socket.emit_with_ack::<(), _>("send-me", &request))
        .await
        .expect("sent");
    assert_eq!(next("a fitting one", &mut stream).await, Ok(sample()));
    assert_eq!(heard.get(), 1);
    assert!(socket.connected());
}

#[wasm_bindgen_test]
#[cfg(feature = "binary")]
async fn bytes_travel_as_binary_attachments() {
    #[derive(Serialize)]
    struct Fields {
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
        numbers: Vec<u8>,
    }
    let socket = connected(URL, "/").await;
    let fields = Fields {
        bytes: vec![1, 2, 3],
        numbers: vec![4, 5],
    };
    let seen: Vec<(String, Option<u32>)> =
        within("ack", socket.emit_with_ack("binary-fields", &fields))
            .await
            .expect("answer");
    assert_eq!(
        seen,
        [
            (String::from("bytes"), Some(3)),
            (String::from("numbers"), None)
        ]
    );
}

#[wasm_bindgen_test]
async fn reserved_names_and_too_many_binaries_are_refused() {
    let socket = connected(URL, "/").await;
    assert_eq!(
        socket.emit("disconnect", &1),
        Err(EmitError::ReservedName(String::from("disconnect")))
    );
    #[cfg(feature = "binary")]
    {
        let many: Vec<serde_bytes::ByteBuf> = (0..11)
            .map(|i| serde_bytes::ByteBuf::from(vec![i]))
            .collect();
        assert_eq!(
            socket.emit("echo", &many),
            Err(EmitError::TooManyAttachments)
        );
        let ten = &many[..10];
        let answer: Vec<serde_bytes::ByteBuf> = within("ack", socket.emit_with_ack("ack-me", &ten))
            .await
            .expect("ten binaries are fine");
        assert_eq!(answer, ten);
    }
}

/// Without the cargo feature `binary`, bytes in an emit or an ack are refused with an error,
/// and the socket goes on.
#[wasm_bindgen_test]
#[cfg(not(feature = "binary"))]
async fn bytes_are_refused_without_binary_attachments() {
    let socket = connected(URL, "/").await;
    let bytes = serde_bytes::Bytes::new(&[1, 2, 3]);
    assert_eq!(socket.emit("echo", &bytes), Err(EmitError::BinaryLeftOut));
    let nested = serde_json::json!({ "list": [1] });
    let refused = socket
        .emit_with_ack::<(), _>("ack-me", &(nested, bytes))
        .await;
    assert_eq!(refused, Err(AckError::Emit(EmitError::BinaryLeftOut)));
    let answer: u32 = within("ack", socket.emit_with_ack("ack-me", &7))
        .await
        .expect("plain values still go");
    assert_eq!(answer, 7);
}

#[wasm_bindgen_test]
async fn a_dropped_listener_is_never_called_again() {
    let socket = connected(URL, "/").await;
    let dropped_calls = Rc::new(Cell::new(0));
    let counter = dropped_calls.clone();
    let dropped = socket.on("tick", move |_: u32| counter.set(counter.get() + 1));
    let off_calls = Rc::new(Cell::new(0));
    let counter = off_calls.clone();
    let off = socket.on("tick", move |_: u32| counter.set(counter.get() + 1));
    let mut ticks = socket.events::<u32>("tick");
    drop(dropped);
    off.off();
    let request = serde_json::json!({ "event": "tick", "data": 1, "times": 3 });
    within("sent", socket.emit_with_ack::<(), _>("send-me", &request))
        .await
        .expect("sent");
    for _ in 0..3 {
        assert_eq!(next("tick", &mut ticks).await, Ok(1));
    }
    assert_eq!(dropped_calls.get(), 0);
    assert_eq!(off_calls.get(), 0);
}

#[wasm_bindgen_test]
async fn a_dropped_socket_disconnects_on_the_server() {
    let observer = connected(URL, "/").await;
    let manager = Manager::builder(URL).build().expect("manager");
    let socket = manager.socket("/admin");
    wait_connected(&socket).await;
    // The same namespace's socket on the observer's server side: "/admin" ids are per
    // namespace, so ask about this one by its id.
    let id = socket.id().expect("id");
    let main = manager.socket("/");
    wait_connected(&main).await;
    let main_id = main.id().expect("id");
    drop(main);
    let reason: String = within(
        "the server's disconnect",
        observer.emit_with_ack("disconnect-reason", &main_id),
    )
    .await
    .expect("answer");
    assert_eq!(reason, "client namespace disconnect");
    assert!(socket.connected(), "the other namespace stays connected");
    assert_eq!(socket.id().as_deref(), Some(id.as_str()));
    // A new socket for the namespace works on the same connection.
    let again = manager.socket("/");
    wait_connected(&again).await;
    assert_ne!(again.id(), Some(main_id));
    let answer: u32 = within("ack", again.emit_with_ack("ack-me", &8))
        .await
        .expect("answer");
    assert_eq!(answer, 8);
}

#[wasm_bindgen_test]
async fn dropping_the_last_handle_ends_the_connection() {
    let observer = connected(URL, "/").await;
    let socket = io(URL).expect("io");
    wait_connected(&socket).await;
    let id = socket.id().expect("id");
    drop(socket);
    let reason: String = within(
        "the server's disconnect",
        observer.emit_with_ack("disconnect-reason", &id),
    )
    .await
    .expect("answer");
    assert_eq!(reason, "client namespace disconnect");
}

#[wasm_bindgen_test]
#[cfg(feature = "polling")]
async fn dropping_the_last_handle_on_polling_lets_the_disconnect_through() {
    let observer = connected(URL, "/").await;
    let manager = Manager::builder(URL)
        .transports(&[Transport::Polling])
        .build()
        .expect("manager");
    let socket = manager.socket("/");
    wait_connected(&socket).await;
    let id = socket.id().expect("id");
    drop(manager);
    drop(socket);
    let reason: String = within(
        "the server's disconnect",
        observer.emit_with_ack("disconnect-reason", &id),
    )
    .await
    .expect("answer");
    assert_eq!(reason, "client namespace disconnect");
}
