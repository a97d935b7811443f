//! Every JS error the facade creates or reports, in one place.

use js_sys::{Error, Reflect};
use wasm_bindgen::JsValue;

use crate::client::payload::refusal;
use crate::client::EmitError;
use crate::protocol::socket::{CloseDetails, ConnectError, JsonSpan, TransportFailure};

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

/// What `emit()` throws: a `TypeError` for a value JSON cannot write (as `JSON.stringify`
/// throws) or binary data in a build without it, else an `Error` (a reserved name, too many
/// attachments).
pub fn emit_error(error: &EmitError) -> JsValue {
    match error {
        EmitError::Serialize(_) | EmitError::BinaryLeftOut => type_error(&error.message()),
        _ => error_with_data(&error.message(), None),
    }
}

/// socket.io-client's `TransportError`: `message` (`xhr poll error`, `fetch read error`, ...),
/// `description` (the HTTP status, fetch's rejection, or a WebSocket's `error` event) and
/// `context` (the XMLHttpRequest, whose `responseText` has the server's reason, or fetch's
/// `Response`).
pub fn transport_error(failure: &TransportFailure<JsValue>) -> JsValue {
    let error = Error::new(failure.message);
    let set = |name: &str, value: &JsValue| {
        // Setting a property on a fresh Error cannot fail.
        let _ = Reflect::set(&error, &JsValue::from_str(name), value);
    };
    set("type", &JsValue::from_str("TransportError"));
    if let Some(description) = &failure.description {
        set("description", description);
    }
    if let Some(context) = &failure.context {
        set("context", context);
    }
    error.into()
}

/// The value of `connect_error` (and of the Manager's `error`) for each way connecting fails.
pub fn connect_error(cause: ConnectError<JsValue>) -> JsValue {
    match cause {
        ConnectError::Refused(span) => refused(&span),
        ConnectError::Transport(failure) => transport_error(&failure),
        // The client layer owns these messages.
        ConnectError::Timeout | ConnectError::IncompatibleServer => {
            error_with_data(crate::client::ConnectError::from(cause).message(), None)
        }
    }
}

/// The `connect_error` value for a server's refusal: an `Error` with its `message` and `data`.
fn refused(span: &JsonSpan<JsValue>) -> JsValue {
    let (message, data) = refusal(span);
    error_with_data(&message, data.as_ref())
}

/// The second argument of `disconnect` (and of the Manager's `close`), as socket.io-client
/// gives it: `{ description, context? }` for a closed transport (the WebSocket's `CloseEvent`),
/// the `TransportError` for a failed one, an `Error` for a parse error, else `undefined`.
pub fn close_details(details: Option<CloseDetails<JsValue>>) -> JsValue {
    match details {
        None => JsValue::UNDEFINED,
        Some(CloseDetails::Closed {
            description,
            context,
        }) => {
            let details = js_sys::Object::new();
            // Setting a property on a fresh object cannot fail.
            let _ = Reflect::set(&details, &"description".into(), &description.into());
            if let Some(context) = context {
                let _ = Reflect::set(&details, &"context".into(), &context);
            }
            details.into()
        }
        Some(CloseDetails::Failed(failure)) => transport_error(&failure),
        Some(CloseDetails::Invalid(error)) => error_with_data(error.as_str(), None),
    }
}
