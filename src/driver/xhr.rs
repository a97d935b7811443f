//! The XMLHttpRequest backend of [`HttpRequest`](super::polling::HttpRequest), as
//! socket.io-client's `XHR` transport makes its requests and names their failures
//! (`xhr poll error` / `xhr post error`, the status, the XMLHttpRequest).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::XmlHttpRequest;

use super::polling::{finish, Completion, Request, RequestOutcome};
use super::send::Sendable;
use crate::protocol::socket::TransportFailure;

/// An XMLHttpRequest and its listeners, removed on drop.
pub struct XhrRequest {
    xhr: XmlHttpRequest,
    _on_load: Closure<dyn FnMut()>,
    _on_error: Closure<dyn FnMut()>,
}

impl XhrRequest {
    /// Sends `request`; its outcome goes to `completion`.
    pub fn send(
        request: &Request,
        completion: Completion,
    ) -> Result<Self, TransportFailure<JsValue>> {
        let is_post = request.is_post();
        let xhr = XmlHttpRequest::new().map_err(|error| failure(is_post, 0, error))?;
        let on_load = {
            let (xhr, completion) = (xhr.clone(), completion.clone());
            Closure::<dyn FnMut()>::new(move || finish(&completion, outcome(&xhr, is_post)))
        };
        let on_error = {
            let xhr = xhr.clone();
            Closure::<dyn FnMut()>::new(move || {
                let status = xhr.status().unwrap_or(0);
                let failed = RequestOutcome::Failed(failure(is_post, status, xhr.clone().into()));
                finish(&completion, failed);
            })
        };
        xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
        xhr.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        xhr.set_ontimeout(Some(on_error.as_ref().unchecked_ref()));
        let sent = Self {
            xhr,
            _on_load: on_load,
            _on_error: on_error,
        };
        sent.start(request)
            .map_err(|error| failure(is_post, 0, error))?;
        Ok(sent)
    }

    fn start(&self, request: &Request) -> Result<(), JsValue> {
        let xhr = &self.xhr;
        let method = if request.is_post() { "POST" } else { "GET" };
        xhr.open_with_async(method, request.url, true)?;
        xhr.set_with_credentials(request.options.with_credentials);
        if let Some(timeout) = request.options.timeout {
            xhr.set_timeout(timeout);
        }
        for (name, value) in &request.options.extra_headers {
            xhr.set_request_header(name, value)?;
        }
        match request.body {
            Some(body) => {
                xhr.set_request_header("Content-Type", "text/plain;charset=UTF-8")?;
                xhr.unchecked_ref::<Sendable>().send(body)
            }
            None => xhr.send(),
        }
    }

    /// Aborts the request (its listeners are gone or about to go).
    pub fn abort(&self) {
        // Nothing useful can be done if abort fails; the request is unreachable now.
        let _ = self.xhr.abort();
    }
}

/// HTTP 200 with a text body is done; any other status failed.
fn outcome(xhr: &XmlHttpRequest, is_post: bool) -> RequestOutcome {
    let status = xhr.status().unwrap_or(0);
    let body = xhr.response().ok().and_then(|body| body.dyn_into().ok());
    match (status, body) {
        (200, Some(body)) => RequestOutcome::Done(body),
        _ => RequestOutcome::Failed(failure(is_post, status, xhr.clone().into())),
    }
}

fn failure(is_post: bool, status: u16, context: JsValue) -> TransportFailure<JsValue> {
    TransportFailure {
        message: if is_post {
            "xhr post error"
        } else {
            "xhr poll error"
        },
        description: Some(JsValue::from(status)),
        context: Some(context),
    }
}

impl Drop for XhrRequest {
    fn drop(&mut self) {
        self.xhr.set_onload(None);
        self.xhr.set_onerror(None);
        self.xhr.set_ontimeout(None);
    }
}
