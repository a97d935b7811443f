//! The XMLHttpRequest backend of [`HttpRequest`](super::polling::HttpRequest), as
//! socket.io-client's `XHR` transport makes its requests and names their failures
//! (`xhr poll error` / `xhr post error`, the status, the XMLHttpRequest).
//!
//! A small JS function sets the request up and sends it, and its three listeners report to one
//! closure that the [`XhrRequest`] owns: dropping the request removes them (and the closure), so
//! a late event reaches nobody. (The same through web-sys's `XmlHttpRequest` took eleven imports
//! and three closures.)

use std::cell::OnceCell;
use std::rc::Rc;

use js_sys::{Array, JsString};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::polling::{finish, Completion, Request, RequestOutcome};
use crate::protocol::socket::TransportFailure;

#[wasm_bindgen(inline_js = "
export function xhrRequest(url, body, headers, withCredentials, timeout, done) {
  const xhr = new XMLHttpRequest();
  xhr.open(body === undefined ? 'GET' : 'POST', url, true);
  xhr.withCredentials = withCredentials;
  if (timeout !== undefined) xhr.timeout = timeout;
  for (const [name, value] of headers) xhr.setRequestHeader(name, value);
  if (body !== undefined) xhr.setRequestHeader('Content-Type', 'text/plain;charset=UTF-8');
  xhr.onload = () =>
    done(xhr.status === 200 && typeof xhr.response === 'string' ? xhr.response : xhr.status);
  xhr.onerror = xhr.ontimeout = () => done(xhr.status);
  xhr.send(body);
  return xhr;
}
export function xhrStop(xhr, abort) {
  xhr.onload = xhr.onerror = xhr.ontimeout = null;
  if (abort) xhr.abort();
}")]
extern "C" {
    /// Opens and sends the request (`headers`: `[name, value]` pairs). `done` gets the body of
    /// a 200 response with a text body, else the status (0 without a response); it is called at
    /// most once, as the request ends. Throws what `open`, `setRequestHeader` or `send` throw.
    #[wasm_bindgen(js_name = xhrRequest, catch)]
    fn xhr_request(
        url: &str,
        body: Option<&JsValue>,
        headers: &Array,
        with_credentials: bool,
        timeout: Option<u32>,
        done: &Closure<dyn FnMut(JsValue)>,
    ) -> Result<JsValue, JsValue>;

    /// Removes the request's listeners and, with `abort`, aborts it.
    #[wasm_bindgen(js_name = xhrStop)]
    fn xhr_stop(xhr: &JsValue, abort: bool);
}

/// An XMLHttpRequest in flight and the closure its listeners call, removed on drop.
pub struct XhrRequest {
    xhr: JsValue,
    _done: Closure<dyn FnMut(JsValue)>,
}

impl XhrRequest {
    /// Sends `request`; its outcome goes to `completion`.
    pub fn send(
        request: &Request,
        completion: Completion,
    ) -> Result<Self, TransportFailure<JsValue>> {
        let is_post = request.is_post();
        // The failure's context is the XMLHttpRequest, which exists once `xhr_request` returns.
        let xhr = Rc::new(OnceCell::<JsValue>::new());
        let done = {
            let xhr = xhr.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |result: JsValue| {
                let outcome = match result.dyn_into::<JsString>() {
                    Ok(body) => RequestOutcome::Done(body),
                    Err(status) => {
                        let context = xhr.get().cloned().unwrap_or_default();
                        RequestOutcome::Failed(failure(is_post, status, context))
                    }
                };
                finish(&completion, outcome);
            })
        };
        let options = request.options;
        let sent = xhr_request(
            request.url,
            request.body,
            &request.headers(),
            options.with_credentials,
            options.timeout,
            &done,
        )
        .map_err(|error| failure(is_post, JsValue::from(0), error))?;
        let _ = xhr.set(sent.clone());
        Ok(Self {
            xhr: sent,
            _done: done,
        })
    }

    /// Aborts the request (its listeners go first).
    pub fn abort(&self) {
        xhr_stop(&self.xhr, true);
    }
}

fn failure(is_post: bool, status: JsValue, context: JsValue) -> TransportFailure<JsValue> {
    TransportFailure {
        message: if is_post {
            "xhr post error"
        } else {
            "xhr poll error"
        },
        description: Some(status),
        context: Some(context),
    }
}

impl Drop for XhrRequest {
    fn drop(&mut self) {
        xhr_stop(&self.xhr, false);
    }
}
