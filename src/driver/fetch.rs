//! The `fetch` backend of [`HttpRequest`](super::polling::HttpRequest), for workers without
//! XMLHttpRequest. Failures are named as socket.io-client's `Fetch` transport names them:
//! `fetch read error` / `fetch write error`, with the status and the `Response` for an
//! unsuccessful status, or the rejection (a `TypeError`, a `DOMException`) when there was no
//! response.
//!
//! A small JS function makes the request and its promise chain, which ends in exactly one call
//! of a once-closure: the closure frees itself then, and nothing else outlives the request.
//! The `AbortController` it returns has one owner, the [`FetchRequest`]: dropping a pending
//! request aborts it, so its chain ends soon, reporting to nobody (the completion is gone).
//! `requestTimeout` aborts it with a `TimeoutError`, reported as a failure. (The same with a
//! Rust future, `JsFuture` and web-sys's `RequestInit` cost 2.5 KB gzip more.)

use js_sys::{Array, JsString};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::AbortController;

use super::polling::{finish, Completion, Request, RequestOutcome};
use crate::protocol::socket::TransportFailure;

#[wasm_bindgen(inline_js = "
export function fetchRequest(url, body, headers, withCredentials, timeout, done) {
  const controller = new AbortController();
  const post = body !== undefined;
  let timer;
  Promise.resolve()
    .then(() => {
      const init = {
        method: post ? 'POST' : 'GET',
        headers: new Headers(headers),
        credentials: withCredentials ? 'include' : 'same-origin',
        signal: controller.signal,
      };
      if (post) {
        init.body = body;
        init.headers.set('Content-Type', 'text/plain;charset=UTF-8');
      }
      if (timeout !== undefined) {
        timer = setTimeout(() =>
          controller.abort(new DOMException('signal timed out', 'TimeoutError')), timeout);
      }
      return fetch(url, init);
    })
    .then((res) => !res.ok ? { description: res.status, context: res }
      : post ? { body: '' } : res.text().then((body) => ({ body })))
    .catch((description) => ({ description }))
    .then((outcome) => {
      clearTimeout(timer);
      done(outcome.body, outcome.description, outcome.context);
    });
  return controller;
}")]
extern "C" {
    /// Starts the request; calls `done(body)` on a success status, else `done(undefined,
    /// description, context?)`, exactly once and never before returning (an invalid header
    /// too is reported there, as fetch's rejection).
    #[wasm_bindgen(js_name = fetchRequest)]
    fn fetch_request(
        url: &str,
        body: Option<&JsValue>,
        headers: &Array,
        with_credentials: bool,
        timeout: Option<u32>,
        done: JsValue,
    ) -> AbortController;
}

/// A fetch in flight: its abort switch.
pub struct FetchRequest {
    controller: AbortController,
}

impl FetchRequest {
    /// Sends `request`; its outcome goes to `completion`.
    pub fn send(request: &Request, completion: Completion) -> Self {
        let is_post = request.is_post();
        let done = Closure::once_into_js(move |body: JsValue, description, context: JsValue| {
            let outcome = match body.dyn_into::<JsString>() {
                Ok(body) => RequestOutcome::Done(body),
                Err(_) => {
                    let context = (!context.is_undefined()).then_some(context);
                    RequestOutcome::Failed(failure(is_post, description, context))
                }
            };
            finish(&completion, outcome);
        });
        let options = request.options;
        let controller = fetch_request(
            request.url,
            request.body,
            &request.headers(),
            options.with_credentials,
            options.timeout,
            done,
        );
        Self { controller }
    }

    /// Aborts the request: its promise rejects, and its chain ends.
    pub fn abort(&self) {
        self.controller.abort();
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
