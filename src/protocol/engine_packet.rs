//! Engine.IO v4 packets: WebSocket text frames, HTTP long-polling payloads and the open handshake.
//!
//! A text packet is `<type digit>[data]`. On WebSocket each frame is one packet (binary frames
//! are always messages and never reach this module); on polling a body joins packets with the
//! record separator `\x1e` and a binary message is written `b<base64>`. Decoding borrows from
//! the input and never panics: anything malformed is a [`DecodeError`].

use super::base64;
use super::error::{binary_accepted, DecodeError};
use super::json::{self, Cursor, Shape};

/// The separator between packets in a polling payload.
pub const RECORD_SEPARATOR: u8 = 0x1e;
/// The prefix that replaces the type digit of a binary message in a polling payload.
const BINARY_PREFIX: &str = "b";
/// `maxPayload` when the open packet does not say (the server's default).
const DEFAULT_MAX_PAYLOAD: u64 = 1_000_000;

/// The type of an Engine.IO packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacketType {
    /// `0`: the handshake, from the server.
    Open,
    /// `1`: the session ends.
    Close,
    /// `2`: the heartbeat (or an upgrade probe).
    Ping,
    /// `3`: the answer to a ping.
    Pong,
    /// `4`: a message (a Socket.IO packet).
    Message,
    /// `5`: switch to the probed transport.
    Upgrade,
    /// `6`: nothing (ends a polling cycle during an upgrade).
    Noop,
}

impl PacketType {
    /// The type written as `byte` (`b'0'..=b'6'`).
    pub fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            b'0' => Some(Self::Open),
            b'1' => Some(Self::Close),
            b'2' => Some(Self::Ping),
            b'3' => Some(Self::Pong),
            b'4' => Some(Self::Message),
            b'5' => Some(Self::Upgrade),
            b'6' => Some(Self::Noop),
            _ => None,
        }
    }

    /// The digit that writes this type.
    pub fn as_char(self) -> char {
        match self {
            Self::Open => '0',
            Self::Close => '1',
            Self::Ping => '2',
            Self::Pong => '3',
            Self::Message => '4',
            Self::Upgrade => '5',
            Self::Noop => '6',
        }
    }
}

/// A text packet, borrowing its data from the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextPacket<'a> {
    /// The packet type.
    pub kind: PacketType,
    /// What follows the type digit.
    pub data: &'a str,
}

/// Decodes one WebSocket text frame: `<digit>[data]`. Empty or unknown type -> error.
pub fn decode_text(frame: &str) -> Result<TextPacket<'_>, DecodeError> {
    let first = *frame.as_bytes().first().ok_or(DecodeError::Empty)?;
    let kind = PacketType::from_byte(first).ok_or(DecodeError::UnknownPacketType)?;
    // The type is one ASCII byte, so the data starts on a char boundary.
    let data = frame.get(1..).ok_or(DecodeError::UnknownPacketType)?;
    Ok(TextPacket { kind, data })
}

/// One packet of a polling payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadPacket<'a> {
    /// A text packet.
    Text(TextPacket<'a>),
    /// A binary packet (`b<base64>`), decoded.
    Binary(Vec<u8>),
}

/// Splits a polling response body on `\x1e` and decodes each packet (`b<base64>` is a binary
/// message). The iterator yields packets in order and stops after the first error (yielding the
/// `Err` once, then `None`).
pub fn decode_payload(body: &str) -> impl Iterator<Item = Result<PayloadPacket<'_>, DecodeError>> {
    body.split(char::from(RECORD_SEPARATOR))
        .map(decode_packet)
        .scan(false, |failed, packet| {
            if *failed {
                return None;
            }
            *failed = packet.is_err();
            Some(packet)
        })
}

/// One packet of a polling body, or a WebSocket text frame: `b<base64>` is a binary message
/// (over WebSocket when the client asked for base64 with `b64`).
pub fn decode_packet(packet: &str) -> Result<PayloadPacket<'_>, DecodeError> {
    match packet.strip_prefix(BINARY_PREFIX) {
        Some(encoded) => {
            binary_accepted()?;
            base64::decode(encoded).map(PayloadPacket::Binary)
        }
        None => decode_text(packet).map(PayloadPacket::Text),
    }
}

/// The Engine.IO open packet's JSON, decoded (the `0` already stripped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    /// The session id.
    pub sid: String,
    /// The transports the session may upgrade to.
    pub upgrades: Vec<String>,
    /// Milliseconds between the server's pings.
    pub ping_interval: u64,
    /// Milliseconds the server waits for a pong.
    pub ping_timeout: u64,
    /// The most bytes the server accepts in one polling body.
    pub max_payload: u64,
}

/// Decodes the open packet's JSON. It needs `sid`, `pingInterval` and `pingTimeout`; `upgrades`
/// defaults to empty and `maxPayload` to 1 000 000. Unknown fields are ignored.
///
/// Text that is not JSON is [`DecodeError::InvalidJson`]; valid JSON that is not such an object
/// is [`DecodeError::InvalidHandshake`].
pub fn decode_handshake(json: &str) -> Result<Handshake, DecodeError> {
    if json::validate(json)? != Shape::Object {
        return Err(DecodeError::InvalidHandshake);
    }
    // The text is known to be valid JSON: any failure below is a missing field or a wrong type.
    read_handshake(json).map_err(|_| DecodeError::InvalidHandshake)
}

/// The handshake's fields as they are read, in any order.
#[derive(Default)]
struct HandshakeFields {
    sid: Option<String>,
    upgrades: Vec<String>,
    ping_interval: Option<u64>,
    ping_timeout: Option<u64>,
    max_payload: Option<u64>,
}

impl HandshakeFields {
    /// Reads the value of field `key`, the cursor being on it.
    fn read_field(&mut self, key: &str, cursor: &mut Cursor<'_>) -> Result<(), DecodeError> {
        match key {
            "sid" => self.sid = Some(cursor.string()?.unescaped().into_owned()),
            "upgrades" => self.upgrades = read_string_array(cursor)?,
            "pingInterval" => self.ping_interval = Some(read_integer(cursor)?),
            "pingTimeout" => self.ping_timeout = Some(read_integer(cursor)?),
            "maxPayload" => self.max_payload = Some(read_integer(cursor)?),
            _ => {
                cursor.value()?;
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<Handshake, DecodeError> {
        match (self.sid, self.ping_interval, self.ping_timeout) {
            (Some(sid), Some(ping_interval), Some(ping_timeout)) => Ok(Handshake {
                sid,
                upgrades: self.upgrades,
                ping_interval,
                ping_timeout,
                max_payload: self.max_payload.unwrap_or(DEFAULT_MAX_PAYLOAD),
            }),
            _ => Err(DecodeError::InvalidHandshake),
        }
    }
}

/// Reads a flat object of known fields (anything else is skipped).
fn read_handshake(json: &str) -> Result<Handshake, DecodeError> {
    let mut fields = HandshakeFields::default();
    json::for_each_member(&mut Cursor::new(json), |key, cursor| {
        fields.read_field(&key.unescaped(), cursor)
    })?;
    fields.finish()
}

/// Reads `[ "a", "b", ... ]`.
fn read_string_array(cursor: &mut Cursor<'_>) -> Result<Vec<String>, DecodeError> {
    let mut strings = Vec::new();
    cursor.expect(b'[')?;
    cursor.skip_whitespace();
    if cursor.eat(b']') {
        return Ok(strings);
    }
    loop {
        cursor.skip_whitespace();
        strings.push(cursor.string()?.unescaped().into_owned());
        cursor.skip_whitespace();
        if !cursor.eat(b',') {
            cursor.expect(b']')?;
            return Ok(strings);
        }
    }
}

/// Reads a number written as plain non-negative digits that fits in a `u64`.
fn read_integer(cursor: &mut Cursor<'_>) -> Result<u64, DecodeError> {
    cursor
        .number()?
        .plain_integer
        .ok_or(DecodeError::InvalidHandshake)
}

/// Polling payload writer: appends packets to a body, inserting the `\x1e` separator between them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayloadWriter {
    body: String,
}

impl PayloadWriter {
    /// An empty body.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a text packet: `<type digit><data>`.
    pub fn push_text(&mut self, kind: PacketType, data: &str) {
        self.start_packet();
        self.body.push(kind.as_char());
        self.body.push_str(data);
    }

    /// Appends a binary message: `b<base64>`.
    pub fn push_binary(&mut self, bytes: &[u8]) {
        self.start_packet();
        self.body.push_str(BINARY_PREFIX);
        base64::encode_into(bytes, &mut self.body);
    }

    /// The body's length in bytes so far.
    pub fn len(&self) -> usize {
        self.body.len()
    }

    /// Whether nothing has been written yet.
    pub fn is_empty(&self) -> bool {
        self.body.is_empty()
    }

    /// The finished body.
    pub fn finish(self) -> String {
        self.body
    }

    fn start_packet(&mut self) {
        if !self.body.is_empty() {
            self.body.push(char::from(RECORD_SEPARATOR));
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const ALL_TYPES: [PacketType; 7] = [
        PacketType::Open,
        PacketType::Close,
        PacketType::Ping,
        PacketType::Pong,
        PacketType::Message,
        PacketType::Upgrade,
        PacketType::Noop,
    ];

    fn text(kind: PacketType, data: &str) -> TextPacket<'_> {
        TextPacket { kind, data }
    }

    fn payload(body: &str) -> Vec<Result<PayloadPacket<'_>, DecodeError>> {
        decode_payload(body).collect()
    }

    #[test]
    fn packet_type_digits() {
        for (digit, kind) in (b'0'..=b'6').zip(ALL_TYPES) {
            assert_eq!(PacketType::from_byte(digit), Some(kind));
            assert_eq!(kind.as_char(), char::from(digit));
        }
        for byte in [b'7', b'9', b'b', b'/', b' ', 0, 0xff] {
            assert_eq!(PacketType::from_byte(byte), None);
        }
    }

    #[test]
    fn websocket_frames() {
        assert_eq!(decode_text("2probe"), Ok(text(PacketType::Ping, "probe")));
        assert_eq!(decode_text("3probe"), Ok(text(PacketType::Pong, "probe")));
        assert_eq!(decode_text("2"), Ok(text(PacketType::Ping, "")));
        assert_eq!(decode_text("3"), Ok(text(PacketType::Pong, "")));
        assert_eq!(decode_text("6"), Ok(text(PacketType::Noop, "")));
        assert_eq!(decode_text("5"), Ok(text(PacketType::Upgrade, "")));
        assert_eq!(decode_text("1"), Ok(text(PacketType::Close, "")));
        assert_eq!(
            decode_text("4héllo"),
            Ok(text(PacketType::Message, "héllo"))
        );
        assert_eq!(
            decode_text(r#"42["foo"]"#),
            Ok(text(PacketType::Message, r#"2["foo"]"#))
        );
    }

    #[test]
    fn bad_websocket_frames() {
        assert_eq!(decode_text(""), Err(DecodeError::Empty));
        assert_eq!(decode_text("9x"), Err(DecodeError::UnknownPacketType));
        assert_eq!(decode_text("7"), Err(DecodeError::UnknownPacketType));
        assert_eq!(decode_text("bAQID"), Err(DecodeError::UnknownPacketType));
        assert_eq!(decode_text("é4"), Err(DecodeError::UnknownPacketType));
        assert_eq!(decode_text(" 4"), Err(DecodeError::UnknownPacketType));
    }

    #[test]
    fn open_packet_example() {
        let frame = r#"0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;
        let packet = decode_text(frame).unwrap();
        assert_eq!(packet.kind, PacketType::Open);
        assert_eq!(
            decode_handshake(packet.data),
            Ok(Handshake {
                sid: "lv_VI97HAXpY6yYWAAAC".into(),
                upgrades: vec!["websocket".into()],
                ping_interval: 25000,
                ping_timeout: 20000,
                max_payload: 1_000_000,
            })
        );
    }

    #[test]
    fn handshake_defaults_order_and_unknown_fields() {
        let json = r#" { "pingTimeout" : 5 , "extra" : {"a":[1,{"b":null}]}, "sid":"a\"b\u0063",
            "pingInterval":10, "n": -1.5e3, "t": true } "#;
        assert_eq!(
            decode_handshake(json),
            Ok(Handshake {
                sid: "a\"bc".into(),
                upgrades: vec![],
                ping_interval: 10,
                ping_timeout: 5,
                max_payload: DEFAULT_MAX_PAYLOAD,
            })
        );
        let websocket_direct =
            r#"{"sid":"x","upgrades":[],"pingInterval":1,"pingTimeout":2,"maxPayload":3}"#;
        let handshake = decode_handshake(websocket_direct).unwrap();
        assert!(handshake.upgrades.is_empty());
        assert_eq!(handshake.max_payload, 3);
        let two = r#"{"sid":"x","upgrades":[ "websocket" , "webtransport" ],"pingInterval":1,"pingTimeout":2}"#;
        assert_eq!(
            decode_handshake(two).unwrap().upgrades,
            vec!["websocket", "webtransport"]
        );
    }

    #[test]
    fn bad_handshakes() {
        let invalid_json = [
            "",
            "{",
            r#"{"sid":"x","pingInterval":1,"pingTimeout":2"#,
            r#"{"sid":"x","pingInterval":1,"pingTimeout":2}x"#,
            r#"{"sid":"x","pingInterval":01,"pingTimeout":2}"#,
            r#"{"sid":'x',"pingInterval":1,"pingTimeout":2}"#,
        ];
        for json in invalid_json {
            assert_eq!(
                decode_handshake(json),
                Err(DecodeError::InvalidJson),
                "{json}"
            );
        }
        let invalid_handshake = [
            "[]",
            "\"sid\"",
            "{}",
            r#"{"pingInterval":1,"pingTimeout":2}"#,
            r#"{"sid":"x","pingTimeout":2}"#,
            r#"{"sid":"x","pingInterval":1}"#,
            r#"{"sid":5,"pingInterval":1,"pingTimeout":2}"#,
            r#"{"sid":null,"pingInterval":1,"pingTimeout":2}"#,
            r#"{"sid":"x","pingInterval":"1","pingTimeout":2}"#,
            r#"{"sid":"x","pingInterval":-1,"pingTimeout":2}"#,
            r#"{"sid":"x","pingInterval":1.5,"pingTimeout":2}"#,
            r#"{"sid":"x","pingInterval":1,"pingTimeout":1e3}"#,
            r#"{"sid":"x","pingInterval":1,"pingTimeout":99999999999999999999999}"#,
            r#"{"sid":"x","pingInterval":1,"pingTimeout":2,"maxPayload":null}"#,
            r#"{"sid":"x","pingInterval":1,"pingTimeout":2,"upgrades":"websocket"}"#,
            r#"{"sid":"x","pingInterval":1,"pingTimeout":2,"upgrades":[1]}"#,
        ];
        for json in invalid_handshake {
            assert_eq!(
                decode_handshake(json),
                Err(DecodeError::InvalidHandshake),
                "{json}"
            );
        }
    }

    #[test]
    #[cfg(feature = "binary")]
    fn polling_payload_examples() {
        assert_eq!(
            payload("4hello\x1e2\x1e4world"),
            vec![
                Ok(PayloadPacket::Text(text(PacketType::Message, "hello"))),
                Ok(PayloadPacket::Text(text(PacketType::Ping, ""))),
                Ok(PayloadPacket::Text(text(PacketType::Message, "world"))),
            ]
        );
        assert_eq!(
            payload("4hello\x1ebAQIDBA=="),
            vec![
                Ok(PayloadPacket::Text(text(PacketType::Message, "hello"))),
                Ok(PayloadPacket::Binary(vec![1, 2, 3, 4])),
            ]
        );
        assert_eq!(
            payload("451-[\"bin\",{\"_placeholder\":true,\"num\":0}]\x1ebAQID"),
            vec![
                Ok(PayloadPacket::Text(text(
                    PacketType::Message,
                    "51-[\"bin\",{\"_placeholder\":true,\"num\":0}]"
                ))),
                Ok(PayloadPacket::Binary(vec![1, 2, 3])),
            ]
        );
        assert_eq!(
            payload("6"),
            vec![Ok(PayloadPacket::Text(text(PacketType::Noop, "")))]
        );
        assert_eq!(payload("b"), vec![Ok(PayloadPacket::Binary(vec![]))]);
    }

    #[test]
    fn polling_payload_stops_at_first_error() {
        // Without binary attachments a `b` packet is refused before its base64 is read.
        let bad_base64 = match cfg!(feature = "binary") {
            true => DecodeError::InvalidBase64,
            false => DecodeError::BinaryLeftOut,
        };
        assert_eq!(
            payload("4a\x1e\x1e4b"),
            vec![
                Ok(PayloadPacket::Text(text(PacketType::Message, "a"))),
                Err(DecodeError::Empty),
            ]
        );
        assert_eq!(payload(""), vec![Err(DecodeError::Empty)]);
        assert_eq!(
            payload("4a\x1e"),
            vec![
                Ok(PayloadPacket::Text(text(PacketType::Message, "a"))),
                Err(DecodeError::Empty),
            ]
        );
        assert_eq!(
            payload("9x\x1e4a"),
            vec![Err(DecodeError::UnknownPacketType)]
        );
        assert_eq!(
            payload("4a\x1ebAQI\x1e4b"),
            vec![
                Ok(PayloadPacket::Text(text(PacketType::Message, "a"))),
                Err(bad_base64.clone()),
            ]
        );
        assert_eq!(payload("b!!!!"), vec![Err(bad_base64)]);
        let mut packets = decode_payload("\x1e4a");
        assert_eq!(packets.next(), Some(Err(DecodeError::Empty)));
        assert_eq!(packets.next(), None);
        assert_eq!(packets.next(), None);
    }

    #[test]
    #[cfg(not(feature = "binary"))]
    fn binary_packets_are_refused_without_binary_attachments() {
        assert_eq!(
            payload("4hello\x1ebAQIDBA==\x1e4world"),
            vec![
                Ok(PayloadPacket::Text(text(PacketType::Message, "hello"))),
                Err(DecodeError::BinaryLeftOut),
            ]
        );
        assert_eq!(decode_packet("b"), Err(DecodeError::BinaryLeftOut));
    }

    #[test]
    #[cfg(feature = "binary")]
    fn writer_round_trips() {
        let mut writer = PayloadWriter::new();
        assert!(writer.is_empty());
        assert_eq!(writer.len(), 0);
        writer.push_text(PacketType::Message, "hello");
        assert_eq!(writer.len(), 6);
        writer.push_text(PacketType::Ping, "");
        writer.push_text(PacketType::Message, "world");
        assert!(!writer.is_empty());
        assert_eq!(writer.clone().finish(), "4hello\x1e2\x1e4world");
        writer.push_binary(&[1, 2, 3, 4]);
        writer.push_text(PacketType::Close, "");
        writer.push_binary(&[]);
        let body = writer.finish();
        assert_eq!(body, "4hello\x1e2\x1e4world\x1ebAQIDBA==\x1e1\x1eb");
        assert_eq!(
            payload(&body),
            vec![
                Ok(PayloadPacket::Text(text(PacketType::Message, "hello"))),
                Ok(PayloadPacket::Text(text(PacketType::Ping, ""))),
                Ok(PayloadPacket::Text(text(PacketType::Message, "world"))),
                Ok(PayloadPacket::Binary(vec![1, 2, 3, 4])),
                Ok(PayloadPacket::Text(text(PacketType::Close, ""))),
                Ok(PayloadPacket::Binary(vec![])),
            ]
        );
        let mut single = PayloadWriter::new();
        single.push_binary(&[1, 2, 3, 4]);
        assert_eq!(single.finish(), "bAQIDBA==");
        for kind in ALL_TYPES {
            let mut writer = PayloadWriter::new();
            writer.push_text(kind, "dätä");
            let body = writer.finish();
            assert_eq!(decode_text(&body), Ok(text(kind, "dätä")));
        }
    }

    #[test]
    fn never_panics_on_short_strings() {
        let alphabet: Vec<char> = "0146b\x1eAQ=é{}\"".chars().collect();
        let mut texts = vec![String::new()];
        for _ in 0..5 {
            texts = texts
                .iter()
                .flat_map(|text| alphabet.iter().map(move |c| std::format!("{text}{c}")))
                .collect();
            for text in &texts {
                let _ = decode_text(text);
                let _ = decode_payload(text).count();
                let _ = decode_handshake(text);
            }
        }
    }
}
