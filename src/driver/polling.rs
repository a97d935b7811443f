//! HTTP long-polling requests, made the two ways a browser offers.
//!
//! Windows have `XMLHttpRequest`; dedicated and service workers may not (a service worker never
//! has it), and there `fetch` does the same job. The way is picked per request from what the
//! global object offers, so a client works wherever it is loaded, with no option to set
//! (socket.io-client makes the user pick its `Fetch` transport by hand). Failures are named as
//! socket.io-client's `XHR` and `Fetch` transports name them: `xhr poll error` / `xhr post error`
//! with the status and the XMLHttpRequest; `fetch read error` / `fetch write error` with the
//! status and the `Response`, or with the rejection (a `TypeError`, a `DOMException`) when there
//! was no response.
//!
//! One JS function makes the request either way and reports its end to one closure that the
//! [`HttpRequest`] owns. Dropping the request first stops the reports (and aborts the request if
//! it is still running), so a late end reaches nobody, and the closure goes with the request.
//! `requestTimeout` ends it as a failure. The engine in the core decides when to GET and POST
//! (one of each in flight at most); this module only performs them.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, JsString};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::connection::HttpOptions;
use super::global::has_xhr;
use super::payload::base64_message;
use crate::protocol::engine::Frame;
use crate::protocol::socket::TransportFailure;

#[wasm_bindgen(inline_js = "
export function httpRequest(xhr, url, body, headers, withCredentials, timeout, done) {
  const post = body !== undefined;
  let report = done;
  const end = (text, description, context) => {
    const to = report;
    report = undefined;
    to?.(text, description, context);
  };
  if (xhr) {
    const request = new XMLHttpRequest();
    request.open(post ? 'POST' : 'GET', url, true);
    request.withCredentials = withCredentials;
    if (timeout !== undefined) request.timeout = timeout;
    for (const [name, value] of headers) request.setRequestHeader(name, value);
    if (post) request.setRequestHeader('Content-Type', 'text/plain;charset=UTF-8');
    const failed = () => end(undefined, request.status, request);
    request.onload = () =>
      request.status === 200 && typeof request.response === 'string' ? end(request.response) : failed();
    request.onerror = request.ontimeout = failed;
    request.send(body);
    return (abort) => {
      report = undefined;
      request.onload = request.onerror = request.ontimeout = null;
      if (abort) request.abort();
    };
  }
  const controller = new AbortController();
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
      : post ? { text: '' } : res.text().then((text) => ({ text })))
    .catch((description) => ({ description }))
    .then((outcome) => {
      clearTimeout(timer);
      end(outcome.text, outcome.description, outcome.context);
    });
  return (abort) => {
    report = undefined;
    if (abort) controller.abort();
  };
}
export const stopRequest = (stop, abort) => stop(abort);")]
extern "C" {
    /// Starts a GET (no `body`) or a POST with XMLHttpRequest, else with `fetch`; `headers` are
    /// `[name, value]` pairs. `done(text)` on a success status (the body; empty for a POST), else
    /// `done(undefined, description, context?)`; at most once, never before returning. Returns
    /// the function that stops it (see [`stop_request`]). Throws what XMLHttpRequest's `open`,
    /// `setRequestHeader` or `send` throw (a fetch reports its errors through `done`).
    #[wasm_bindgen(js_name = httpRequest, catch)]
    fn http_request(
        xhr: bool,
        url: &str,
        body: Option<&JsValue>,
        headers: &Array,
        with_credentials: bool,
        timeout: Option<u32>,
        done: &Closure<dyn FnMut(JsValue, JsValue, JsValue)>,
    ) -> Result<JsValue, JsValue>;

    /// Stops a request's reports, and with `abort` the request itself.
    #[wasm_bindgen(js_name = stopRequest)]
    fn stop_request(stop: &JsValue, abort: bool);
}

/// How a request ended.
pub enum RequestOutcome {
    /// A success status: the response body.
    Done(JsString),
    /// Another status, or no response at all, described as socket.io-client's transport for the
    /// way it was made describes it.
    Failed(TransportFailure<JsValue>),
}

/// Where a request's outcome goes; emptied once it has gone, or when the request is dropped.
type Completion = Rc<RefCell<Option<Box<dyn FnOnce(RequestOutcome)>>>>;

/// One GET or POST in flight.
pub struct HttpRequest {
    completion: Completion,
    /// The JS function that stops the request.
    stop: JsValue,
    _report: Closure<dyn FnMut(JsValue, JsValue, JsValue)>,
}

impl HttpRequest {
    /// A long-polling GET.
    pub fn get(
        url: &str,
        options: &HttpOptions,
        on_done: impl FnOnce(RequestOutcome) + 'static,
    ) -> Result<Self, TransportFailure<JsValue>> {
        Self::send(url, None, options, Box::new(on_done))
    }

    /// A POST of one payload (a JS string), as `text/plain;charset=UTF-8`.
    pub fn post(
        url: &str,
        body: &JsValue,
        options: &HttpOptions,
        on_done: impl FnOnce(RequestOutcome) + 'static,
    ) -> Result<Self, TransportFailure<JsValue>> {
        Self::send(url, Some(body), options, Box::new(on_done))
    }

    fn send(
        url: &str,
        body: Option<&JsValue>,
        options: &HttpOptions,
        on_done: Box<dyn FnOnce(RequestOutcome)>,
    ) -> Result<Self, TransportFailure<JsValue>> {
        let (xhr, post) = (has_xhr(), body.is_some());
        let completion: Completion = Rc::new(RefCell::new(Some(on_done)));
        let report = {
            let completion = completion.clone();
            Closure::<dyn FnMut(JsValue, JsValue, JsValue)>::new(
                move |text: JsValue, description, context| {
                    let outcome = match text.dyn_into::<JsString>() {
                        Ok(text) => RequestOutcome::Done(text),
                        Err(_) => RequestOutcome::Failed(failure(xhr, post, description, context)),
                    };
                    // Taken first: no borrow is held while the completion runs.
                    let on_done = completion.borrow_mut().take();
                    if let Some(on_done) = on_done {
                        on_done(outcome);
                    }
                },
            )
        };
        let headers = options
            .extra_headers
            .iter()
            .map(|(name, value)| Array::of2(&name.into(), &value.into()))
            .collect();
        let stop = http_request(
            xhr,
            url,
            body,
            &headers,
            options.with_credentials,
            options.timeout,
            &report,
        )
        .map_err(|error| failure(xhr, post, JsValue::from(0), error))?;
        Ok(Self {
            completion,
            stop,
            _report: report,
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
        let pending = self.completion.borrow_mut().take().is_some();
        stop_request(&self.stop, pending);
    }
}

/// A failure as socket.io-client names it for the way the request was made.
fn failure(
    xhr: bool,
    post: bool,
    description: JsValue,
    context: JsValue,
) -> TransportFailure<JsValue> {
    TransportFailure {
        message: match (xhr, post) {
            (true, false) => "xhr poll error",
            (true, true) => "xhr post error",
            (false, false) => "fetch read error",
            (false, true) => "fetch write error",
        },
        description: Some(description),
        context: (!context.is_undefined()).then_some(context),
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
