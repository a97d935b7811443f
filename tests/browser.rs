//! Browser tests: the JS facade in headless Chromium against a real socket.io 4.8 server.
//!
//! `scripts/browser-tests.sh` starts `tests/servers/test-server.mjs` and bakes its URL in as
//! `SOCKETIO_TEST_URL`. Each test drives a socket the way a page would and asserts what the page
//! (or the server, through its replies) observes.
#![cfg(target_arch = "wasm32")]
// Test code: a failed step should fail the test loudly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use js_sys::{Array, Function, JsString};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

mod web;

use web::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function throwingListener() { return () => { throw new Error("listener failure (expected by the test)"); }; }
export function silenceReportedErrors() {
  // The throwing-listener test's error is reported as uncaught on purpose; keep it from failing the run.
  addEventListener("error", (event) => { if (String(event.message).includes("expected by the test")) event.preventDefault(); });
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = throwingListener)]
    fn throwing_listener() -> Function;
    #[wasm_bindgen(js_name = silenceReportedErrors)]
    fn silence_reported_errors();
}

#[wasm_bindgen_test]
async fn connects_over_websocket_with_the_id_the_server_sees() {
    let socket = connected("", r#"{"transports":["websocket"]}"#).await;
    assert!(socket.connected());
    assert!(!socket.disconnected());
    emit(&socket, "whoami", &[]);
    let reply = next(&socket, "whoami", 5_000).await.get(0);
    assert_eq!(field(&reply, "id").as_string(), socket.id());
    assert_eq!(
        field(&reply, "transport").as_string().as_deref(),
        Some("websocket")
    );
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn mixed_arguments_come_back_equal() {
    let socket = connected("", "{}").await;
    let big = "x".repeat(1 << 20);
    let args = [
        JsValue::from_str("a string"),
        JsValue::from_f64(42.5),
        json(r#"{"nested":{"list":[1,{"deep":[true,false,null]}],"empty":{}}}"#),
        json(r#"[1,"two",[3]]"#),
        JsValue::NULL,
        JsValue::from_str("ünïcödé ☃ 😀 中文"),
        JsValue::from_str(&big),
    ];
    emit(&socket, "echo", &args);
    let echoed = next(&socket, "echo", 10_000).await;
    assert_eq!(echoed.length() as usize, args.len());
    for (index, sent) in args.iter().enumerate() {
        assert!(
            same_json(sent, &echoed.get(index as u32)),
            "argument {index} differs"
        );
    }
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn a_thousand_emits_arrive_in_order() {
    let socket = connected("", "{}").await;
    for n in 0..1_000 {
        emit(&socket, "seq", &[JsValue::from(n)]);
    }
    emit(&socket, "seq-done", &[]);
    let result = next(&socket, "seq-result", 10_000).await.get(0);
    assert_eq!(field(&result, "count").as_f64(), Some(1_000.0));
    assert_eq!(field(&result, "inOrder").as_bool(), Some(true));
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn server_side_disconnect_gives_io_server_disconnect() {
    let socket = connected("", "{}").await;
    emit(&socket, "disconnect-me", &[]);
    let args = next(&socket, "disconnect", 5_000).await;
    assert_eq!(
        args.get(0).as_string().as_deref(),
        Some("io server disconnect")
    );
    assert!(socket.disconnected());
    assert_eq!(socket.id(), None);
}

#[wasm_bindgen_test]
async fn client_side_disconnect_gives_io_client_disconnect() {
    let socket = connected("", "{}").await;
    let disconnect = next_event_promise(&socket, "disconnect", 5_000);
    socket.disconnect();
    let args = Array::from(
        &wasm_bindgen_futures::JsFuture::from(disconnect)
            .await
            .unwrap(),
    );
    assert_eq!(
        args.get(0).as_string().as_deref(),
        Some("io client disconnect")
    );
    assert!(!socket.connected());
}

#[wasm_bindgen_test]
async fn auth_and_query_reach_the_server() {
    let opts = r#"{"auth":{"token":"s3cret","n":7},"query":{"room":"lobby","v":2}}"#;
    let socket = connected("", opts).await;
    emit(&socket, "whoami", &[]);
    let reply = next(&socket, "whoami", 5_000).await.get(0);
    assert_eq!(
        field(&reply, "auth.token").as_string().as_deref(),
        Some("s3cret")
    );
    assert_eq!(field(&reply, "auth.n").as_f64(), Some(7.0));
    assert_eq!(
        field(&reply, "query.room").as_string().as_deref(),
        Some("lobby")
    );
    assert_eq!(field(&reply, "query.v").as_string().as_deref(), Some("2"));
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn middleware_rejection_gives_connect_error_with_message_and_data() {
    let socket = connect("/reject", "{}");
    let error = next(&socket, "connect_error", 5_000).await.get(0);
    assert!(error.is_instance_of::<js_sys::Error>());
    assert_eq!(
        field(&error, "message").as_string().as_deref(),
        Some("not authorized")
    );
    assert!(same_json(
        &field(&error, "data"),
        &json(r#"{"code":4001,"reason":"token"}"#)
    ));
    assert!(!socket.connected());
}

#[wasm_bindgen_test]
async fn a_silent_server_gives_ping_timeout_within_interval_plus_timeout() {
    // The server on /short-ping/ has pingInterval 300 ms and pingTimeout 200 ms.
    let socket = connected("", r#"{"path":"/short-ping/"}"#).await;
    let started = js_sys::Date::now();
    emit(&socket, "stop-pings", &[]);
    let args = next(&socket, "disconnect", 5_000).await;
    let elapsed = js_sys::Date::now() - started;
    assert_eq!(args.get(0).as_string().as_deref(), Some("ping timeout"));
    assert!(
        elapsed <= 300.0 + 200.0 + 400.0,
        "ping timeout after {elapsed} ms"
    );
}

#[wasm_bindgen_test]
async fn a_malformed_packet_gives_parse_error_and_the_page_keeps_working() {
    for command in ["malformed", "malformed-reserved"] {
        let socket = connected("", "{}").await;
        emit(&socket, command, &[]);
        let args = next(&socket, "disconnect", 5_000).await;
        assert_eq!(
            args.get(0).as_string().as_deref(),
            Some("parse error"),
            "after {command}"
        );
    }
    let socket = connected("", "{}").await;
    emit(&socket, "echo", &["still alive".into()]);
    let echoed = next(&socket, "echo", 5_000).await;
    assert_eq!(echoed.get(0).as_string().as_deref(), Some("still alive"));
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn a_throwing_listener_does_not_break_the_client() {
    silence_reported_errors();
    let socket = connected("", "{}").await;
    socket.add_listener(JsString::from("echo"), throwing_listener(), false);
    emit(&socket, "echo", &[1.into()]);
    next(&socket, "echo", 5_000).await;
    emit(&socket, "echo", &[2.into()]);
    let second = next(&socket, "echo", 5_000).await;
    assert_eq!(second.get(0).as_f64(), Some(2.0));
    socket.disconnect();
}

#[wasm_bindgen_test]
fn emitting_a_reserved_name_throws() {
    let socket = connect("", r#"{"autoConnect":false}"#);
    for name in [
        "connect",
        "connect_error",
        "disconnect",
        "disconnecting",
        "newListener",
        "removeListener",
    ] {
        assert!(
            socket
                .emit_packet(Array::of1(&name.into()), None, false, None)
                .is_err(),
            "{name} was accepted"
        );
    }
}

#[wasm_bindgen_test]
async fn once_listeners_fire_once_and_off_removes() {
    let socket = connected("", "{}").await;
    emit(&socket, "echo", &[1.into()]);
    next(&socket, "echo", 5_000).await;
    // Registered by `next` with once: nothing left for "echo" now; a removed listener stays silent.
    let never = throwing_listener();
    socket.add_listener(JsString::from("echo"), never.clone(), false);
    socket.remove_listener(Some("echo".into()), Some(never));
    emit(&socket, "echo", &[2.into()]);
    let second = next(&socket, "echo", 5_000).await;
    assert_eq!(second.get(0).as_f64(), Some(2.0));
    wasm_bindgen_futures::JsFuture::from(sleep(50))
        .await
        .unwrap();
    socket.disconnect();
}
