//! The server address: from the `url` given to `io()` to the URL a transport opens.
//!
//! `io()` accepts what socket.io-client accepts: a full URL, `//host`, a path relative to the
//! page (`/admin`), a bare `host:port`, or nothing (the page's own origin). The URL's path is the
//! namespace; the Engine.IO `path` option (default `/socket.io/`) is separate.

use super::ascii;

/// Why an `io()` URL could not be understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlError {
    /// No URL given and no page location to default to.
    NoLocation,
    /// The scheme is not http, https, ws or wss.
    UnsupportedScheme,
    /// The host or port is missing or malformed.
    BadAuthority,
}

impl UrlError {
    /// A message for the `TypeError` the facade throws.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoLocation => "no URL given and no page location to default to",
            Self::UnsupportedScheme => "the URL scheme must be http, https, ws or wss",
            Self::BadAuthority => "the URL has no valid host or port",
        }
    }
}

/// The page's location, for URLs that leave out scheme or host: `protocol` as in
/// `location.protocol` (`"https:"`) and `host` as in `location.host` (`"example.com:8080"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location<'a> {
    /// As `location.protocol`, such as `https:`.
    pub protocol: &'a str,
    /// As `location.host`, such as `example.com:8080`.
    pub host: &'a str,
}

/// A parsed server URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerUrl {
    /// `https` / `wss` rather than `http` / `ws`.
    pub secure: bool,
    /// The host name, with brackets for IPv6 (`[::1]`).
    pub host: String,
    /// The port, defaulted from the scheme.
    pub port: u16,
    /// The URL's path: the namespace (`/` when empty).
    pub nsp: String,
    /// The URL's query string, without `?`, still percent-encoded.
    pub query: String,
}

impl ServerUrl {
    /// Parses `url` as socket.io-client does, filling gaps from the page `location`.
    pub fn resolve(url: Option<&str>, location: Option<Location<'_>>) -> Result<Self, UrlError> {
        let absolute = absolutize(url.unwrap_or(""), location)?;
        parse_absolute(&absolute)
    }

    /// Identifies the server for sharing one connection: scheme, host, port and `path`.
    pub fn id(&self, path: &str) -> String {
        let mut id = String::from(if self.secure { "https://" } else { "http://" });
        id.push_str(&self.host);
        id.push(':');
        push_decimal(&mut id, u64::from(self.port));
        id.push_str(path);
        id
    }

    /// The URL a transport opens: `ws://host:port/socket.io/?EIO=4&transport=websocket...`.
    /// `query` is already encoded (see [`encode_query`]); `sid` resumes an Engine.IO session.
    pub fn transport_url(
        &self,
        websocket: bool,
        path: &str,
        query: &str,
        sid: Option<&str>,
    ) -> String {
        let mut url = self.base_url(websocket, path, query.len());
        url.push('?');
        if !query.is_empty() {
            url.push_str(query);
            url.push('&');
        }
        url.push_str("EIO=4&transport=");
        url.push_str(if websocket { "websocket" } else { "polling" });
        if let Some(sid) = sid {
            url.push_str("&sid=");
            push_component(&mut url, sid);
        }
        url
    }

    /// The URL of a transport whose whole query the user gave: socket.io-client's
    /// `transportOptions[name].query` replaces its `EIO`, `transport` and `sid` too.
    pub fn url_with_query(&self, websocket: bool, path: &str, query: &str) -> String {
        let mut url = self.base_url(websocket, path, query.len());
        if !query.is_empty() {
            url.push('?');
            url.push_str(query);
        }
        url
    }

    /// Scheme, host, port (unless the scheme's default) and `path`, with room for a query.
    fn base_url(&self, websocket: bool, path: &str, query_len: usize) -> String {
        let scheme = match (websocket, self.secure) {
            (true, true) => "wss://",
            (true, false) => "ws://",
            (false, true) => "https://",
            (false, false) => "http://",
        };
        let mut url = String::with_capacity(64 + query_len);
        url.push_str(scheme);
        url.push_str(&self.host);
        if self.port != default_port(self.secure) {
            url.push(':');
            push_decimal(&mut url, u64::from(self.port));
        }
        url.push_str(path);
        url
    }
}

/// The Engine.IO path as socket.io-client writes it: one trailing slash unless turned off.
pub fn engine_path(path: &str, add_trailing_slash: bool) -> String {
    let mut out = String::from(path.strip_suffix("/").unwrap_or(path));
    if add_trailing_slash {
        out.push('/');
    }
    out
}

/// Encodes `key=value` pairs like `encodeURIComponent`, joined with `&`.
pub fn encode_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (key, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        push_component(&mut out, key);
        out.push('=');
        push_component(&mut out, value);
    }
    out
}

fn absolutize(url: &str, location: Option<Location<'_>>) -> Result<String, UrlError> {
    if has_scheme(url) {
        return Ok(url.to_owned());
    }
    let Some(location) = location else {
        if url.is_empty() || url.starts_with("/") {
            return Err(UrlError::NoLocation);
        }
        return Ok(String::from("https://") + url);
    };
    let mut out = String::from(location.protocol);
    out.push_str("//");
    if url.starts_with("//") {
        out.push_str(ascii::skip_leading(url, b'/'));
    } else if url.starts_with("/") || url.is_empty() {
        out.push_str(location.host);
        out.push_str(url);
    } else {
        out.push_str(url);
    }
    Ok(out)
}

/// Whether `url` starts with `scheme://` (any scheme: unsupported ones are refused later).
fn has_scheme(url: &str) -> bool {
    split_scheme(url).is_some_and(|(scheme, _)| {
        scheme
            .as_bytes()
            .first()
            .is_some_and(u8::is_ascii_alphabetic)
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-'))
    })
}

/// `url` split around its first `:` when `//` follows it: `("wss", "host/path")`. (Searching for
/// the string `"://"` would bring in the standard library's substring search, for one call.)
fn split_scheme(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = ascii::split_once(url, b':')?;
    Some((scheme, rest.strip_prefix("//")?))
}

fn parse_absolute(url: &str) -> Result<ServerUrl, UrlError> {
    let (scheme, rest) = split_scheme(url).ok_or(UrlError::UnsupportedScheme)?;
    let secure = match scheme.to_ascii_lowercase().as_str() {
        "http" | "ws" => false,
        "https" | "wss" => true,
        _ => return Err(UrlError::UnsupportedScheme),
    };
    let rest = ascii::split_once(rest, b'#').map_or(rest, |(before, _)| before);
    let (before_query, query) = ascii::split_once(rest, b'?').unwrap_or((rest, ""));
    let authority_end = ascii::find(before_query, b'/').unwrap_or(before_query.len());
    let (authority, path) = before_query
        .split_at_checked(authority_end)
        .ok_or(UrlError::BadAuthority)?;
    let host_port = ascii::rsplit_once(authority, b'@').map_or(authority, |(_, after)| after);
    let (host, port) = split_host_port(host_port, secure)?;
    Ok(ServerUrl {
        secure,
        host,
        port,
        nsp: if path.is_empty() {
            String::from("/")
        } else {
            path.to_owned()
        },
        query: query.to_owned(),
    })
}

fn split_host_port(authority: &str, secure: bool) -> Result<(String, u16), UrlError> {
    let (host, port) = if let Some(ipv6_end) = authority
        .strip_prefix("[")
        .and_then(|_| ascii::find(authority, b']'))
    {
        let (host, after) = authority
            .split_at_checked(ipv6_end + 1)
            .ok_or(UrlError::BadAuthority)?;
        (host, after.strip_prefix(":"))
    } else {
        match ascii::rsplit_once(authority, b':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty()
        || host.bytes().any(|b| matches!(b, b'/' | b' ' | b'[' | b'@')) && !host.starts_with("[")
    {
        return Err(UrlError::BadAuthority);
    }
    let port = match port {
        None | Some("") => default_port(secure),
        Some(digits) => digits.parse().map_err(|_| UrlError::BadAuthority)?,
    };
    Ok((host.to_ascii_lowercase(), port))
}

fn default_port(secure: bool) -> u16 {
    if secure {
        443
    } else {
        80
    }
}

/// Appends `text` percent-encoded as `encodeURIComponent` does.
fn push_component(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
            )
        {
            out.push(char::from(byte));
        } else {
            out.push('%');
            for nibble in [byte >> 4, byte & 0x0f] {
                out.push(
                    HEX.get(usize::from(nibble))
                        .map_or('0', |&digit| char::from(digit)),
                );
            }
        }
    }
}

fn push_decimal(out: &mut String, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut len = 0;
    loop {
        if let Some(slot) = digits.get_mut(len) {
            *slot = b'0' + (value % 10) as u8;
        }
        len += 1;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    for digit in digits.iter().take(len).rev() {
        out.push(char::from(*digit));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: Location<'static> = Location {
        protocol: "https:",
        host: "chat.example.com:8443",
    };

    fn resolve(url: &str) -> ServerUrl {
        ServerUrl::resolve(Some(url), Some(PAGE)).unwrap()
    }

    #[test]
    fn full_urls() {
        let url = resolve("http://localhost:3000/admin?token=a%20b");
        assert_eq!(
            (url.secure, url.host.as_str(), url.port),
            (false, "localhost", 3000)
        );
        assert_eq!(
            (url.nsp.as_str(), url.query.as_str()),
            ("/admin", "token=a%20b")
        );
        let url = resolve("wss://EXAMPLE.com");
        assert_eq!(
            (url.secure, url.host.as_str(), url.port, url.nsp.as_str()),
            (true, "example.com", 443, "/")
        );
        let url = resolve("http://[::1]:9000/");
        assert_eq!((url.host.as_str(), url.port), ("[::1]", 9000));
    }

    #[test]
    fn urls_relative_to_the_page() {
        assert_eq!(
            ServerUrl::resolve(None, Some(PAGE)).unwrap(),
            resolve("https://chat.example.com:8443")
        );
        assert_eq!(
            resolve("/admin"),
            resolve("https://chat.example.com:8443/admin")
        );
        assert_eq!(resolve("//other.org/x"), resolve("https://other.org/x"));
        assert_eq!(resolve("localhost:4000"), resolve("https://localhost:4000"));
        assert_eq!(
            ServerUrl::resolve(Some("/admin"), None),
            Err(UrlError::NoLocation)
        );
    }

    #[test]
    fn bad_urls_are_errors() {
        assert_eq!(
            ServerUrl::resolve(Some("ftp://x"), None),
            Err(UrlError::UnsupportedScheme)
        );
        assert_eq!(
            ServerUrl::resolve(Some("http://:80"), None),
            Err(UrlError::BadAuthority)
        );
        assert_eq!(
            ServerUrl::resolve(Some("http://host:99999"), None),
            Err(UrlError::BadAuthority)
        );
        assert_eq!(
            ServerUrl::resolve(Some("http://host:x"), None),
            Err(UrlError::BadAuthority)
        );
    }

    #[test]
    fn schemes_end_at_the_first_colon() {
        assert_eq!(split_scheme("wss://h/p?q"), Some(("wss", "h/p?q")));
        assert_eq!(split_scheme("http:/x?u=http://y"), None);
        assert_eq!(split_scheme("localhost:4000//a"), None);
        assert!(has_scheme("git+ssh://x") && !has_scheme("a:b://x") && !has_scheme("1a://x"));
    }

    #[test]
    fn id_ignores_the_namespace_and_defaults_the_port() {
        assert_eq!(
            resolve("http://localhost/admin").id("/socket.io/"),
            "http://localhost:80/socket.io/"
        );
        assert_eq!(
            resolve("https://a.b/x").id("/socket.io/"),
            resolve("https://a.b:443/y").id("/socket.io/")
        );
    }

    #[test]
    fn transport_urls() {
        let url = resolve("http://localhost:3000/admin");
        assert_eq!(
            url.transport_url(true, "/socket.io/", "", None),
            "ws://localhost:3000/socket.io/?EIO=4&transport=websocket"
        );
        let url = resolve("https://example.com");
        assert_eq!(
            url.transport_url(true, "/io/", "a=1", Some("x y")),
            "wss://example.com/io/?a=1&EIO=4&transport=websocket&sid=x%20y"
        );
        assert_eq!(
            url.transport_url(false, "/io", "", None),
            "https://example.com/io?EIO=4&transport=polling"
        );
        assert_eq!(
            url.url_with_query(true, "/io/", "EIO=4&x=1"),
            "wss://example.com/io/?EIO=4&x=1"
        );
        assert_eq!(
            url.url_with_query(false, "/io/", ""),
            "https://example.com/io/"
        );
    }

    #[test]
    fn paths_and_queries() {
        assert_eq!(engine_path("/socket.io", true), "/socket.io/");
        assert_eq!(engine_path("/socket.io/", false), "/socket.io");
        assert_eq!(
            encode_query([("a b", "ü&="), ("k", "v")]),
            "a%20b=%C3%BC%26%3D&k=v"
        );
    }
}
