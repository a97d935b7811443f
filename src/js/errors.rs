//! Every JS error the facade creates or reports, in one place.

use js_sys::{Error, Reflect};
use wasm_bindgen::JsValue;

use super::payload::decode_connect_error;
use crate::protocol::socket::{ConnectError, DisconnectReason};

/// An `Error` with `message`, and `data` when there is some (socket.io-client's `connect_error`).
pub fn error_with_data(message: &str, data: Option<&JsValue>) -> JsValue {
    let error = Error::new(message);
    if let Some(data) = data {
        // Setting a property on a fresh Error cannot fail.
        let _ = Reflect::set(&error, &JsValue::from_str("data"), data);
    }
    error.into()
}

/// A `TypeError`, for misuse of the API (thrown to the caller).
pub fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

/// socket.io-client's `TransportError`: `message` (`xhr poll error`, ...), `description` (the
/// HTTP status) and `context` (the XMLHttpRequest, whose `responseText` has the server's reason).
pub fn transport_error(message: &str, status: Option<u16>, context: Option<&JsValue>) -> JsValue {
    let error = Error::new(message);
    let set = |name: &str, value: &JsValue| {
        // Setting a property on a fresh Error cannot fail.
        let _ = Reflect::set(&error, &JsValue::from_str(name), value);
    };
    set("type", &JsValue::from_str("TransportError"));
    if let Some(status) = status {
        set("description", &JsValue::from(status));
    }
    if let Some(context) = context {
        set("context", context);
    }
    error.into()
}

/// The value of `connect_error` (and of the Manager's `error`) for each way connecting fails.
pub fn connect_error(cause: ConnectError<JsValue>) -> JsValue {
    match cause {
        ConnectError::Refused(span) => decode_connect_error(&span),
        ConnectError::Transport(failure) => {
            transport_error(failure.message, failure.status, failure.context.as_ref())
        }
        ConnectError::Timeout => error_with_data("timeout", None),
        ConnectError::IncompatibleServer => error_with_data(
            "the server's CONNECT reply has no sid: it speaks an older Socket.IO protocol than v5",
            None,
        ),
    }
}

/// The second argument of `disconnect` (and of the Manager's `close`): for a closed WebSocket
/// `{ description }` as socket.io-client gives, otherwise an `Error` saying what went wrong.
pub fn disconnect_details(reason: DisconnectReason, description: Option<&str>) -> JsValue {
    let Some(text) = description else {
        return JsValue::UNDEFINED;
    };
    match reason {
        DisconnectReason::TransportClose => {
            let details = js_sys::Object::new();
            let _ = Reflect::set(&details, &JsValue::from_str("description"), &text.into());
            details.into()
        }
        DisconnectReason::TransportError => transport_error(text, None, None),
        _ => error_with_data(text, None),
    }
}
