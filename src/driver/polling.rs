//! HTTP long-polling requests: one abstraction over the browser's two ways of making them.
//!
//! Windows have `XMLHttpRequest`; dedicated and service workers may not (a service worker never
//! has it), and there [`fetch`](super::fetch) does the same job. The backend is picked per
//! request from what the global object offers, so a client works wherever it is loaded, with no
//! option to set (socket.io-client makes the user pick its `Fetch` transport by hand).
//!
//! An [`HttpRequest`] owns its backend; dropping it before it finished aborts it, and its late
//! completion, if any, reaches nobody. The engine in the core decides when to GET and POST (one
//! of each in flight at most); this module only performs them.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, JsString};
use wasm_bindgen::prelude::*;

use super::connection::HttpOptions;
use super::fetch::FetchRequest;
use super::global::has_xhr;
use super::payload::base64_message;
use super::xhr::XhrRequest;
use crate::protocol::engine::Frame;
use crate::protocol::socket::TransportFailure;

/// How a request ended.
pub enum RequestOutcome {
    /// A success status: the response body.
    Done(JsString),
    /// Another status, or no response at all, described as socket.io-client's transport for the
    /// backend describes it.
    Failed(TransportFailure<JsValue>),
}

/// Where a request's outcome goes; emptied once it has gone, or when the request is dropped.
pub type Completion = Rc<RefCell<Option<Box<dyn FnOnce(RequestOutcome)>>>>;

/// What a backend is asked to send.
pub struct Request<'a> {
    /// The full URL, query included.
    pub url: &'a str,
    /// The POST body (a JS string); `None` for a GET.
    pub body: Option<&'a JsValue>,
    /// Credentials, headers and timeout.
    pub options: &'a HttpOptions,
}

impl Request<'_> {
    /// A POST (with a body), or a GET.
    pub fn is_post(&self) -> bool {
        self.body.is_some()
    }

    /// `extraHeaders` as `[name, value]` pairs.
    pub fn headers(&self) -> Array {
        self.options
            .extra_headers
            .iter()
            .map(|(name, value)| Array::of2(&name.into(), &value.into()))
            .collect()
    }
}

/// One GET or POST in flight.
pub struct HttpRequest {
    completion: Completion,
    backend: Backend,
}

enum Backend {
    Xhr(XhrRequest),
    Fetch(FetchRequest),
}

impl HttpRequest {
    /// A long-polling GET.
    pub fn get(
        url: &str,
        options: &HttpOptions,
        on_done: impl FnOnce(RequestOutcome) + 'static,
    ) -> Result<Self, TransportFailure<JsValue>> {
        let request = Request {
            url,
            body: None,
            options,
        };
        Self::send(&request, Box::new(on_done))
    }

    /// A POST of one payload (a JS string), as `text/plain;charset=UTF-8`.
    pub fn post(
        url: &str,
        body: &JsValue,
        options: &HttpOptions,
        on_done: impl FnOnce(RequestOutcome) + 'static,
    ) -> Result<Self, TransportFailure<JsValue>> {
        let request = Request {
            url,
            body: Some(body),
            options,
        };
        Self::send(&request, Box::new(on_done))
    }

    fn send(
        request: &Request,
        on_done: Box<dyn FnOnce(RequestOutcome)>,
    ) -> Result<Self, TransportFailure<JsValue>> {
        let completion: Completion = Rc::new(RefCell::new(Some(on_done)));
        let backend = match has_xhr() {
            true => Backend::Xhr(XhrRequest::send(request, completion.clone())?),
            false => Backend::Fetch(FetchRequest::send(request, completion.clone())),
        };
        Ok(Self {
            completion,
            backend,
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

impl Drop for HttpRequest {
    fn drop(&mut self) {
        if self.completion.borrow_mut().take().is_some() {
            match &self.backend {
                Backend::Xhr(xhr) => xhr.abort(),
                Backend::Fetch(fetch) => fetch.abort(),
            }
        }
    }
}

/// Calls the completion once, with no borrow held while it runs.
pub fn finish(completion: &Completion, outcome: RequestOutcome) {
    let on_done = completion.borrow_mut().take();
    if let Some(on_done) = on_done {
        on_done(outcome);
    }
}

/// One polling body: the frames joined by `\x1e`, binaries as `b` + base64.
pub fn polling_body(frames: &[Frame<JsValue>]) -> JsValue {
    let mut body = JsString::from("");
    for (index, frame) in frames.iter().enumerate() {
        let separator = if index == 0 { "" } else { "\u{1e}" };
        body = match frame {
            Frame::Text {
                head,
                body: payload,
            } => {
                let head = JsString::from(String::from(separator) + head);
                match payload {
                    Some(payload) => body.concat(&head).concat(payload),
                    None => body.concat(&head),
                }
            }
            Frame::Binary(data) => {
                body.concat(&JsString::from(String::from(separator) + &base64_message(data)).into())
            }
        };
    }
    body.into()
}
