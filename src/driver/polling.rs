//! HTTP long-polling over the browser's XMLHttpRequest.
//!
//! An [`HttpRequest`] owns its callbacks; dropping it before it finished aborts it. The engine
//! in the core decides when to GET and POST (one of each in flight at most); this module only
//! performs them.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::XmlHttpRequest;

use super::send::Sendable;

/// How every request of a connection is made (socket.io-client's `withCredentials`,
/// `extraHeaders` and `requestTimeout`).
#[derive(Debug, Clone, Default)]
pub struct HttpOptions {
    /// Send cookies cross-origin (for sticky sessions behind a load balancer).
    pub with_credentials: bool,
    /// Headers added to every request.
    pub extra_headers: Vec<(String, String)>,
    /// Milliseconds after which a request fails as unanswered (the XHR `timeout`).
    pub timeout: Option<u32>,
}

/// How a request ended.
pub enum RequestOutcome {
    /// HTTP 200: the response body, as the JS string.
    Done(JsValue),
    /// Another status, or no response at all (status 0); `xhr` is the request, for the user.
    Failed { status: u16, xhr: JsValue },
}

type Completion = Rc<RefCell<Option<Box<dyn FnOnce(RequestOutcome)>>>>;

/// One GET or POST in flight.
pub struct HttpRequest {
    xhr: XmlHttpRequest,
    completion: Completion,
    _on_load: Closure<dyn FnMut()>,
    _on_error: Closure<dyn FnMut()>,
}

impl HttpRequest {
    /// A long-polling GET.
    pub fn get(
        url: &str,
        options: &HttpOptions,
        on_done: impl FnOnce(RequestOutcome) + 'static,
    ) -> Result<Self, JsValue> {
        Self::send("GET", url, None, options, Box::new(on_done))
    }

    /// A POST of one payload (a JS string), as `text/plain;charset=UTF-8`.
    pub fn post(
        url: &str,
        body: &JsValue,
        options: &HttpOptions,
        on_done: impl FnOnce(RequestOutcome) + 'static,
    ) -> Result<Self, JsValue> {
        Self::send("POST", url, Some(body), options, Box::new(on_done))
    }

    fn send(
        method: &str,
        url: &str,
        body: Option<&JsValue>,
        options: &HttpOptions,
        on_done: Box<dyn FnOnce(RequestOutcome)>,
    ) -> Result<Self, JsValue> {
        let xhr = XmlHttpRequest::new()?;
        xhr.open_with_async(method, url, true)?;
        xhr.set_with_credentials(options.with_credentials);
        if let Some(timeout) = options.timeout {
            xhr.set_timeout(timeout);
        }
        for (name, value) in &options.extra_headers {
            xhr.set_request_header(name, value)?;
        }
        if body.is_some() {
            xhr.set_request_header("Content-Type", "text/plain;charset=UTF-8")?;
        }
        let completion: Completion = Rc::new(RefCell::new(Some(on_done)));
        let on_load = {
            let (xhr, completion) = (xhr.clone(), completion.clone());
            Closure::<dyn FnMut()>::new(move || {
                let status = xhr.status().unwrap_or(0);
                let outcome = match status {
                    200 => RequestOutcome::Done(xhr.response().unwrap_or(JsValue::UNDEFINED)),
                    _ => RequestOutcome::Failed {
                        status,
                        xhr: xhr.clone().into(),
                    },
                };
                finish(&completion, outcome);
            })
        };
        let on_error = {
            let (xhr, completion) = (xhr.clone(), completion.clone());
            Closure::<dyn FnMut()>::new(move || {
                let status = xhr.status().unwrap_or(0);
                finish(
                    &completion,
                    RequestOutcome::Failed {
                        status,
                        xhr: xhr.clone().into(),
                    },
                );
            })
        };
        xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
        xhr.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        xhr.set_ontimeout(Some(on_error.as_ref().unchecked_ref()));
        match body {
            Some(body) => xhr.unchecked_ref::<Sendable>().send(body)?,
            None => xhr.send()?,
        }
        Ok(Self {
            xhr,
            completion,
            _on_load: on_load,
            _on_error: on_error,
        })
    }

    /// Stops listening without aborting: the request goes on, its outcome unheard.
    pub fn forget(self) {
        self.completion.borrow_mut().take();
    }

    /// Whether the request has not finished yet.
    pub fn is_pending(&self) -> bool {
        self.completion.borrow().is_some()
    }
}

/// Calls the completion once, with no borrow held while it runs.
fn finish(completion: &Completion, outcome: RequestOutcome) {
    let on_done = completion.borrow_mut().take();
    if let Some(on_done) = on_done {
        on_done(outcome);
    }
}

impl Drop for HttpRequest {
    fn drop(&mut self) {
        self.xhr.set_onload(None);
        self.xhr.set_onerror(None);
        self.xhr.set_ontimeout(None);
        if self.completion.borrow_mut().take().is_some() {
            // Nothing useful can be done if abort fails; the request is unreachable now.
            let _ = self.xhr.abort();
        }
    }
}
