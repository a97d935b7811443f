//! Where a socket's `auth` payload comes from: fixed JSON, or a function of the app's asked on
//! every (re)connect (socket.io-client's `auth: (cb) => cb(data)`), so that each CONNECT can
//! carry a fresh token.
//!
//! The function is the app's, so the socket holds it; the core only knows that it must ask
//! ([`Auth::Asked`], then [`SocketEvent::AuthRequired`](crate::protocol::socket::SocketEvent)).

use std::cell::RefCell;
use std::rc::Rc;

use serde::Serialize;
use wasm_bindgen::JsValue;

use super::error::ClientError;
use super::payload::to_json_text;
use crate::protocol::socket::Auth;

/// The app's auth function, its answer already written as JSON.
pub(crate) type AuthFn = Rc<RefCell<dyn FnMut() -> Result<String, ClientError>>>;

/// A socket's `auth` option.
#[derive(Clone)]
pub(crate) enum AuthSource {
    /// The same JSON (or none) on every CONNECT.
    Fixed(Option<String>),
    /// Asked on every CONNECT.
    Asked(AuthFn),
}

impl Default for AuthSource {
    fn default() -> Self {
        Self::Fixed(None)
    }
}

impl core::fmt::Debug for AuthSource {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Fixed(json) => f.debug_tuple("Fixed").field(json).finish(),
            Self::Asked(_) => f.write_str("Asked"),
        }
    }
}

impl AuthSource {
    /// A function whose every answer is serialized when asked.
    pub(crate) fn asked<T: Serialize>(mut function: impl FnMut() -> T + 'static) -> Self {
        Self::Asked(Rc::new(RefCell::new(move || to_json_text(&function()))))
    }

    /// What the core is told: the JSON, or that it must ask.
    pub(crate) fn for_core(&self) -> Auth {
        match self {
            Self::Fixed(json) => Auth::Fixed(json.clone()),
            Self::Asked(_) => Auth::Asked,
        }
    }

    /// The function to ask, if any.
    pub(crate) fn function(&self) -> Option<AuthFn> {
        match self {
            Self::Fixed(_) => None,
            Self::Asked(function) => Some(function.clone()),
        }
    }
}

/// Asks `function` for the payload. An answer that cannot be written as JSON is logged to the
/// console and the CONNECT goes without a payload (the server's middleware decides), rather
/// than the socket waiting forever; so does a function asked while it is running.
pub(crate) fn ask(function: &AuthFn) -> Option<String> {
    let answer = match function.try_borrow_mut() {
        Ok(mut function) => function(),
        Err(_) => return None,
    };
    answer
        .map_err(|error| web_sys::console::error_1(&JsValue::from_str(&error.to_string())))
        .ok()
}
