//! The `fetch` backend of [`HttpRequest`](super::polling::HttpRequest), for workers without
//! XMLHttpRequest. Failures are named as socket.io-client's `Fetch` transport names them:
//! `fetch read error` / `fetch write error`, with the status and the `Response` for an
//! unsuccessful status, or the rejection (a `TypeError`, a `DOMException`) when there was no
//! response.
//!
//! The request runs as a task ([`spawn_local`]) that ends when its promise settles, so no
//! callback outlives it. Its `AbortController` has one owner, the [`FetchRequest`]: dropping a
//! pending request aborts it (the task then ends on the rejection, and reports to nobody, the
//! completion being gone), and `requestTimeout` aborts it with a `TimeoutError`, reported as a
//! failure.

use gloo_timers::callback::Timeout;
use js_sys::futures::{spawn_local, JsFuture};
use js_sys::{JsString, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, DomException, Headers, RequestCredentials, RequestInit, Response};

use super::polling::{finish, Completion, Request, RequestOutcome};
use crate::protocol::socket::TransportFailure;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch`, the same in windows and workers.
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(url: &str, init: &RequestInit) -> Result<Promise, JsValue>;
}

/// A fetch in flight: its abort switch and its timeout.
pub struct FetchRequest {
    controller: AbortController,
    _timeout: Option<Timeout>,
}

impl FetchRequest {
    /// Sends `request`; its outcome goes to `completion`.
    pub fn send(
        request: &Request,
        completion: Completion,
    ) -> Result<Self, TransportFailure<JsValue>> {
        let is_post = request.is_post();
        let started = AbortController::new().and_then(|controller| {
            let promise = global_fetch(request.url, &init(request, &controller)?)?;
            Ok((controller, promise))
        });
        let (controller, promise) = started.map_err(|error| failure(is_post, error, None))?;
        spawn_local(async move {
            let outcome = settle(promise, is_post).await;
            finish(&completion, outcome);
        });
        let timeout = request.options.timeout.map(|millis| {
            let controller = controller.clone();
            Timeout::new(millis, move || {
                let reason =
                    DomException::new_with_message_and_name("signal timed out", "TimeoutError");
                controller.abort_with_reason(&reason.map_or(JsValue::UNDEFINED, JsValue::from));
            })
        });
        Ok(Self {
            controller,
            _timeout: timeout,
        })
    }

    /// Aborts the request: its promise rejects, and its task ends.
    pub fn abort(&self) {
        self.controller.abort();
    }
}

/// The method, headers, body, credentials and abort signal of `request`.
fn init(request: &Request, controller: &AbortController) -> Result<RequestInit, JsValue> {
    let headers = Headers::new()?;
    for (name, value) in &request.options.extra_headers {
        headers.append(name, value)?;
    }
    let init = RequestInit::new();
    match request.body {
        Some(body) => {
            headers.set("Content-Type", "text/plain;charset=UTF-8")?;
            init.set_method("POST");
            init.set_body(body);
        }
        None => init.set_method("GET"),
    }
    init.set_headers(&headers);
    // `same-origin` when not asked for more: what an XMLHttpRequest without `withCredentials`
    // does, so that a client moved into a worker keeps its same-origin cookies.
    init.set_credentials(match request.options.with_credentials {
        true => RequestCredentials::Include,
        false => RequestCredentials::SameOrigin,
    });
    init.set_signal(Some(&controller.signal()));
    Ok(init)
}

/// Waits for the response (and a GET's body): a success status is done, anything else failed.
async fn settle(promise: Promise, is_post: bool) -> RequestOutcome {
    let response = match JsFuture::from(promise).await {
        Ok(response) => response.unchecked_into::<Response>(),
        Err(error) => return RequestOutcome::Failed(failure(is_post, error, None)),
    };
    if !response.ok() {
        let status = JsValue::from(response.status());
        return RequestOutcome::Failed(failure(is_post, status, Some(response.into())));
    }
    if is_post {
        return RequestOutcome::Done(JsString::from(""));
    }
    let text = match response.text() {
        Ok(text) => JsFuture::from(text).await,
        Err(error) => Err(error),
    };
    match text.and_then(JsCast::dyn_into::<JsString>) {
        Ok(body) => RequestOutcome::Done(body),
        Err(error) => RequestOutcome::Failed(failure(is_post, error, None)),
    }
}

fn failure(
    is_post: bool,
    description: JsValue,
    context: Option<JsValue>,
) -> TransportFailure<JsValue> {
    TransportFailure {
        message: if is_post {
            "fetch write error"
        } else {
            "fetch read error"
        },
        description: Some(description),
        context,
    }
}
