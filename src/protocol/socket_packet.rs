//! Socket.IO v5 packets: the header codec and the rules for what each packet type may carry.
//!
//! A packet is `<type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]`. The core reads
//! only the header; the JSON payload stays a span of the original text that the browser hands to
//! `JSON.parse`. [`decode`] validates the payloads of the packets the core acts on (CONNECT,
//! CONNECT_ERROR, DISCONNECT); an EVENT's or ACK's JSON is never scanned (the facade checks the
//! parsed value and reports a bad one with `Client::reject_packet`).

use super::ascii;
use super::error::{binary_accepted, DecodeError};
use super::json::{self, Shape};

/// The namespace a packet belongs to when it names none.
const DEFAULT_NAMESPACE: &str = "/";
/// The most attachments a binary packet may announce (socket.io-parser's `maxAttachments`).
/// The most binary attachments one packet may carry (socket.io-client's limit).
pub const MAX_ATTACHMENTS: usize = 10;
/// The largest ack id: JavaScript numbers are exact integers up to 2^53 - 1.
const MAX_ACK_ID: u64 = (1 << 53) - 1;

/// The type of a Socket.IO packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacketKind {
    /// `0`: connect to a namespace (and its answer).
    Connect,
    /// `1`: leave a namespace.
    Disconnect,
    /// `2`: an event.
    Event,
    /// `3`: the answer to an event.
    Ack,
    /// `4`: the server refused the namespace.
    ConnectError,
    /// `5`: an event with binary attachments.
    BinaryEvent,
    /// `6`: an answer with binary attachments.
    BinaryAck,
}

impl PacketKind {
    /// The kind written as `byte` (`b'0'..=b'6'`).
    pub fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            b'0' => Some(Self::Connect),
            b'1' => Some(Self::Disconnect),
            b'2' => Some(Self::Event),
            b'3' => Some(Self::Ack),
            b'4' => Some(Self::ConnectError),
            b'5' => Some(Self::BinaryEvent),
            b'6' => Some(Self::BinaryAck),
            _ => None,
        }
    }

    /// The digit that writes this kind.
    pub fn as_char(self) -> char {
        match self {
            Self::Connect => '0',
            Self::Disconnect => '1',
            Self::Event => '2',
            Self::Ack => '3',
            Self::ConnectError => '4',
            Self::BinaryEvent => '5',
            Self::BinaryAck => '6',
        }
    }

    /// Whether packets of this kind carry an event (the server's emit).
    pub fn is_event(self) -> bool {
        matches!(self, Self::Event | Self::BinaryEvent)
    }

    /// Whether packets of this kind carry a JSON array for the user: an event or an ack.
    pub fn carries_payload(self) -> bool {
        matches!(
            self,
            Self::Event | Self::BinaryEvent | Self::Ack | Self::BinaryAck
        )
    }

    /// Whether packets of this kind announce binary attachments (`<n>-`).
    pub fn is_binary(self) -> bool {
        matches!(self, Self::BinaryEvent | Self::BinaryAck)
    }
}

/// A decoded packet header; the payload stays a span of the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header<'a> {
    /// The packet type.
    pub kind: PacketKind,
    /// 0 unless binary.
    pub attachments: usize,
    /// `"/"` when absent.
    pub nsp: &'a str,
    /// The ack id, at most 2^53 - 1.
    pub id: Option<u64>,
    /// Byte offset in the text where the JSON payload starts (`text.len()` when absent).
    pub data_start: usize,
}

/// A decoded packet: the header plus the payload's JSON text (`None` when empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet<'a> {
    /// The header.
    pub header: Header<'a>,
    /// The JSON payload, when there is one.
    pub data: Option<&'a str>,
}

/// Event names a packet may not carry (socket.io-client uses them for its own events).
pub const RESERVED_EVENTS: [&str; 6] = [
    "connect",
    "connect_error",
    "disconnect",
    "disconnecting",
    "newListener",
    "removeListener",
];

/// Whether `name` is one of [`RESERVED_EVENTS`].
pub fn is_reserved_event(name: &str) -> bool {
    RESERVED_EVENTS.contains(&name)
}

/// What the start of a JSON array's text says about its first element, an event's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NameCheck {
    /// A number, or a string without escapes that is not reserved: a valid event name.
    Valid,
    /// A reserved name.
    Reserved,
    /// Not told by the text (an escape, a text cut short, or not a name at all): the parsed
    /// value must be checked.
    #[default]
    Unchecked,
}

/// Checks the name at the start of an event's JSON text `[name, ...]` without parsing the
/// rest, so that a decoder holding the parsed value needs not read the name out of it.
pub fn check_event_name(json: &str) -> NameCheck {
    // Bytes, not chars: every delimiter here is ASCII, so each split is on a char boundary.
    let Some(rest) = json.strip_prefix("[").map(json::trim_start) else {
        return NameCheck::Unchecked;
    };
    let name = match rest.as_bytes().first() {
        Some(b'0'..=b'9' | b'-') => return NameCheck::Valid,
        Some(b'"') => rest.get(1..).unwrap_or(""),
        _ => return NameCheck::Unchecked,
    };
    let end = name.bytes().position(|byte| byte == b'"' || byte == b'\\');
    match end.filter(|&end| name.as_bytes().get(end) == Some(&b'"')) {
        Some(end) => match is_reserved_event(name.get(..end).unwrap_or("")) {
            true => NameCheck::Reserved,
            false => NameCheck::Valid,
        },
        None => NameCheck::Unchecked,
    }
}

/// Decodes the header: type, attachment count, namespace and ack id.
pub fn decode_header(text: &str) -> Result<Header<'_>, DecodeError> {
    let (&type_byte, _) = text.as_bytes().split_first().ok_or(DecodeError::Empty)?;
    let kind = PacketKind::from_byte(type_byte).ok_or(DecodeError::UnknownPacketType)?;
    // The type is one ASCII byte, so the rest starts on a char boundary.
    let rest = text.get(1..).ok_or(DecodeError::UnknownPacketType)?;
    let (attachments, rest) = if kind.is_binary() {
        binary_accepted()?;
        split_attachments(rest)?
    } else {
        (0, rest)
    };
    let (nsp, rest) = split_namespace(rest);
    let (id, rest) = split_ack_id(rest)?;
    Ok(Header {
        kind,
        attachments,
        nsp,
        id,
        data_start: text.len().saturating_sub(rest.len()),
    })
}

/// Splits `<n>-` off a binary packet, `n` being 1 to [`MAX_ATTACHMENTS`].
fn split_attachments(text: &str) -> Result<(usize, &str), DecodeError> {
    let (digits, rest) = split_digits(text);
    let rest = rest
        .strip_prefix("-")
        .ok_or(DecodeError::BadAttachmentCount)?;
    let count = parse_decimal(digits, u64::MAX)
        .filter(|&count| count > 0)
        .ok_or(DecodeError::BadAttachmentCount)?;
    match usize::try_from(count) {
        Ok(count) if count <= MAX_ATTACHMENTS => Ok((count, rest)),
        _ => Err(DecodeError::TooManyAttachments),
    }
}

/// Splits off the namespace: present iff the text starts with `/`, it runs to the first `,`
/// (which is consumed) or to the end.
fn split_namespace(text: &str) -> (&str, &str) {
    if text.as_bytes().first() != Some(&b'/') {
        return (DEFAULT_NAMESPACE, text);
    }
    ascii::split_once(text, b',').unwrap_or((text, ""))
}

/// Splits off the ack id: the run of ASCII digits at the start, if any.
fn split_ack_id(text: &str) -> Result<(Option<u64>, &str), DecodeError> {
    let (digits, rest) = split_digits(text);
    if digits.is_empty() {
        return Ok((None, rest));
    }
    let id = parse_decimal(digits, MAX_ACK_ID).ok_or(DecodeError::BadAckId)?;
    Ok((Some(id), rest))
}

/// Splits the leading run of ASCII digits off `text`.
fn split_digits(text: &str) -> (&str, &str) {
    let end = text.bytes().take_while(u8::is_ascii_digit).count();
    // The digits are ASCII, so `end` is a char boundary.
    text.split_at_checked(end).unwrap_or(("", text))
}

/// The value of a non-empty run of ASCII digits, if it is at most `max`.
fn parse_decimal(digits: &str, max: u64) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    digits.bytes().try_fold(0u64, |value, digit| {
        value
            .checked_mul(10)?
            .checked_add(u64::from(digit.checked_sub(b'0')?))
            .filter(|&value| value <= max)
    })
}

/// Decodes a packet: the header, then the payload rules of `check_payload`.
pub fn decode(text: &str) -> Result<Packet<'_>, DecodeError> {
    let header = decode_header(text)?;
    let data = text
        .get(header.data_start..)
        .filter(|data| !data.is_empty());
    check_payload(header.kind, data)?;
    Ok(Packet { header, data })
}

/// What each packet type may carry (`None` is no payload). Payloads the core acts on must be
/// valid JSON of the right shape. An event or ack only needs a payload: its JSON may be only
/// partly in hand (the head of a frame), and the facade checks it after `JSON.parse`.
fn check_payload(kind: PacketKind, data: Option<&str>) -> Result<(), DecodeError> {
    let allowed = match kind {
        PacketKind::Connect => matches!(shape(data)?, None | Some(Shape::Object)),
        PacketKind::Disconnect => shape(data)?.is_none(),
        PacketKind::ConnectError => matches!(shape(data)?, Some(Shape::Object | Shape::String)),
        PacketKind::Event | PacketKind::BinaryEvent | PacketKind::Ack | PacketKind::BinaryAck => {
            data.is_some()
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(DecodeError::InvalidPayload)
    }
}

/// The shape of a payload, checking that it is valid JSON.
fn shape(data: Option<&str>) -> Result<Option<Shape>, DecodeError> {
    data.map(json::validate).transpose()
}

/// Everything before the JSON payload, e.g. `2`, `2/admin,456`, `52-/admin,`, `61-15`.
///
/// `attachments` is written only for binary kinds. `nsp` should start with `/` and contain no
/// `,`; the default namespace `/` is written as nothing.
pub fn encode_header(kind: PacketKind, attachments: usize, nsp: &str, id: Option<u64>) -> String {
    let mut header = String::with_capacity(nsp.len().saturating_add(24));
    header.push(kind.as_char());
    if kind.is_binary() {
        push_decimal(&mut header, u64::try_from(attachments).unwrap_or(u64::MAX));
        header.push('-');
    }
    if nsp != DEFAULT_NAMESPACE {
        header.push_str(nsp);
        header.push(',');
    }
    if let Some(id) = id {
        push_decimal(&mut header, id);
    }
    header
}

/// Appends `value` in decimal (without the formatting machinery).
fn push_decimal(out: &mut String, value: u64) {
    let mut place = 1u64;
    while value / place >= 10 {
        place = place.saturating_mul(10);
    }
    loop {
        let digit = (value / place % 10) as u32;
        out.push(char::from_digit(digit, 10).unwrap_or('0'));
        if place == 1 {
            break;
        }
        place /= 10;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;

    #[test]
    fn names_are_checked_from_the_text_when_it_tells() {
        for (json, check) in [
            (r#"["chat",{"a":1}]"#, NameCheck::Valid),
            (r#"[ "chat"]"#, NameCheck::Valid),
            ("[42,1]", NameCheck::Valid),
            ("[-1]", NameCheck::Valid),
            (r#"["connect"]"#, NameCheck::Reserved),
            (r#"["removeListener",1]"#, NameCheck::Reserved),
            (r#"["conn\u0065ct"]"#, NameCheck::Unchecked),
            (r#"["cut sh"#, NameCheck::Unchecked),
            (r#"["héllo €",1]"#, NameCheck::Valid),
            ("[\t\"日本", NameCheck::Unchecked),
            (r#"[{"a":1}]"#, NameCheck::Unchecked),
            ("[]", NameCheck::Unchecked),
            ("", NameCheck::Unchecked),
            (r#"{"a":1}"#, NameCheck::Unchecked),
        ] {
            assert_eq!(check_event_name(json), check, "{json}");
        }
    }
    use crate::protocol::engine_packet::{self, PacketType};

    use PacketKind::*;

    /// A packet in the vector table: the text and what it decodes to.
    struct Vector {
        text: &'static str,
        kind: PacketKind,
        attachments: usize,
        nsp: &'static str,
        id: Option<u64>,
        data: Option<&'static str>,
    }

    const fn vector(
        text: &'static str,
        kind: PacketKind,
        attachments: usize,
        nsp: &'static str,
        id: Option<u64>,
        data: Option<&'static str>,
    ) -> Vector {
        Vector {
            text,
            kind,
            attachments,
            nsp,
            id,
            data,
        }
    }

    /// The Socket.IO vectors of PROTOCOL.md.
    const VECTORS: [Vector; 15] = [
        vector("0", Connect, 0, "/", None, None),
        vector(
            r#"0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}"#,
            Connect,
            0,
            "/admin",
            None,
            Some(r#"{"sid":"oSO0OpakMV_3jnilAAAA"}"#),
        ),
        vector(
            r#"0/admin,{"token":"123"}"#,
            Connect,
            0,
            "/admin",
            None,
            Some(r#"{"token":"123"}"#),
        ),
        vector(
            r#"4{"message":"Not authorized"}"#,
            ConnectError,
            0,
            "/",
            None,
            Some(r#"{"message":"Not authorized"}"#),
        ),
        vector(r#"2["foo"]"#, Event, 0, "/", None, Some(r#"["foo"]"#)),
        vector(
            r#"2/admin,["bar"]"#,
            Event,
            0,
            "/admin",
            None,
            Some(r#"["bar"]"#),
        ),
        vector(
            r#"2["hello",1]"#,
            Event,
            0,
            "/",
            None,
            Some(r#"["hello",1]"#),
        ),
        vector(
            r#"2/admin,456["project:delete",123]"#,
            Event,
            0,
            "/admin",
            Some(456),
            Some(r#"["project:delete",123]"#),
        ),
        vector(r#"212["foo"]"#, Event, 0, "/", Some(12), Some(r#"["foo"]"#)),
        vector(
            r#"3/admin,13["bar"]"#,
            Ack,
            0,
            "/admin",
            Some(13),
            Some(r#"["bar"]"#),
        ),
        vector(r#"3/admin,456[]"#, Ack, 0, "/admin", Some(456), Some("[]")),
        vector(
            r#"51-["baz",{"_placeholder":true,"num":0}]"#,
            BinaryEvent,
            1,
            "/",
            None,
            Some(r#"["baz",{"_placeholder":true,"num":0}]"#),
        ),
        vector(
            r#"52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#,
            BinaryEvent,
            2,
            "/admin",
            None,
            Some(r#"["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#),
        ),
        vector(
            r#"61-15["bar",{"_placeholder":true,"num":0}]"#,
            BinaryAck,
            1,
            "/",
            Some(15),
            Some(r#"["bar",{"_placeholder":true,"num":0}]"#),
        ),
        vector(
            r#"61-/admin,456[{"_placeholder":true,"num":0}]"#,
            BinaryAck,
            1,
            "/admin",
            Some(456),
            Some(r#"[{"_placeholder":true,"num":0}]"#),
        ),
    ];

    /// The on-the-wire examples of PROTOCOL.md (Engine.IO message + Socket.IO packet).
    const WIRE_VECTORS: [Vector; 8] = [
        vector(
            r#"40{"token":"123"}"#,
            Connect,
            0,
            "/",
            None,
            Some(r#"{"token":"123"}"#),
        ),
        vector(
            r#"40/custom,{"token":"abc"}"#,
            Connect,
            0,
            "/custom",
            None,
            Some(r#"{"token":"abc"}"#),
        ),
        vector(
            r#"44/random,{"message":"Invalid namespace"}"#,
            ConnectError,
            0,
            "/random",
            None,
            Some(r#"{"message":"Invalid namespace"}"#),
        ),
        vector(
            r#"44/nope,{"message":"Invalid namespace"}"#,
            ConnectError,
            0,
            "/nope",
            None,
            Some(r#"{"message":"Invalid namespace"}"#),
        ),
        vector(
            r#"42["message",1,"2",{"3":[true]}]"#,
            Event,
            0,
            "/",
            None,
            Some(r#"["message",1,"2",{"3":[true]}]"#),
        ),
        vector(
            r#"452-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#,
            BinaryEvent,
            2,
            "/",
            None,
            Some(r#"["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#),
        ),
        vector(
            r#"42456["message-with-ack",1,"2",{"3":[false]}]"#,
            Event,
            0,
            "/",
            Some(456),
            Some(r#"["message-with-ack",1,"2",{"3":[false]}]"#),
        ),
        vector(
            r#"43456[1,"2",{"3":[false]}]"#,
            Ack,
            0,
            "/",
            Some(456),
            Some(r#"[1,"2",{"3":[false]}]"#),
        ),
    ];

    fn assert_decodes(text: &str, expected: &Vector) {
        let packet = decode(text).unwrap();
        let header = &packet.header;
        assert_eq!(header.kind, expected.kind, "{text}");
        assert_eq!(header.attachments, expected.attachments, "{text}");
        assert_eq!(header.nsp, expected.nsp, "{text}");
        assert_eq!(header.id, expected.id, "{text}");
        assert_eq!(packet.data, expected.data, "{text}");
        let data_len = expected.data.map_or(0, str::len);
        assert_eq!(header.data_start, text.len() - data_len, "{text}");
        assert_eq!(decode_header(text).unwrap(), packet.header);
    }

    fn encoded(vector: &Vector) -> String {
        encode_header(vector.kind, vector.attachments, vector.nsp, vector.id)
            + vector.data.unwrap_or("")
    }

    /// Whether `text` is a binary packet and this build has no binary attachments, which it then
    /// checks is refused; false with the cargo feature `binary`, where the caller checks `text`.
    fn refused_as_binary(text: &str) -> bool {
        let kind = text.bytes().next().and_then(PacketKind::from_byte);
        if cfg!(feature = "binary") || !kind.is_some_and(PacketKind::is_binary) {
            return false;
        }
        assert_eq!(
            decode_header(text),
            Err(DecodeError::BinaryLeftOut),
            "{text}"
        );
        true
    }

    /// The Socket.IO packet inside a WebSocket text frame that must be an Engine.IO message.
    fn unwrap_message(frame: &str) -> &str {
        let packet = engine_packet::decode_text(frame).unwrap();
        assert_eq!(packet.kind, PacketType::Message, "{frame}");
        packet.data
    }

    #[test]
    fn protocol_vectors_decode_and_encode() {
        for vector in &VECTORS {
            if refused_as_binary(vector.text) {
                continue;
            }
            assert_decodes(vector.text, vector);
            assert_eq!(encoded(vector), vector.text);
        }
    }

    #[test]
    fn wire_vectors_decode_and_encode() {
        for vector in &WIRE_VECTORS {
            let text = unwrap_message(vector.text);
            if refused_as_binary(text) {
                continue;
            }
            assert_decodes(text, vector);
            assert_eq!(String::from("4") + &encoded(vector), vector.text);
        }
    }

    #[test]
    fn disconnect_vectors() {
        let plain = vector("1", Disconnect, 0, "/", None, None);
        assert_decodes("1", &plain);
        assert_eq!(encoded(&plain), "1");
        let admin = vector("1/admin,", Disconnect, 0, "/admin", None, None);
        assert_decodes("1/admin,", &admin);
        assert_eq!(encoded(&admin), "1/admin,");
    }

    #[test]
    fn connect_without_payload() {
        let plain = vector("40", Connect, 0, "/", None, None);
        assert_decodes(unwrap_message("40"), &plain);
        let admin = vector("0/admin,", Connect, 0, "/admin", None, None);
        assert_decodes("0/admin,", &admin);
        assert_eq!(encoded(&admin), "0/admin,");
    }

    #[test]
    #[cfg(feature = "binary")]
    fn binary_event_over_polling() {
        use crate::protocol::engine_packet::PayloadPacket;
        let body = "451-[\"bin\",{\"_placeholder\":true,\"num\":0}]\x1ebAQID";
        let packets: Vec<_> = engine_packet::decode_payload(body).collect();
        let [Ok(PayloadPacket::Text(message)), Ok(PayloadPacket::Binary(bytes))] = &packets[..]
        else {
            panic!("{packets:?}");
        };
        assert_eq!(message.kind, PacketType::Message);
        let expected = vector(
            "",
            BinaryEvent,
            1,
            "/",
            None,
            Some(r#"["bin",{"_placeholder":true,"num":0}]"#),
        );
        assert_decodes(message.data, &expected);
        assert_eq!(bytes, &[1, 2, 3]);
    }

    /// Event and ack payloads are passed through as they are: only their presence is checked.
    #[test]
    fn event_and_ack_payloads_are_not_scanned() {
        let packet = decode(r#"2["conn\u0065ct",1]"#).unwrap();
        assert_eq!(packet.data, Some(r#"["conn\u0065ct",1]"#));
        assert_eq!(decode(r#"2 ["x"] "#).unwrap().data, Some(r#" ["x"] "#));
        // The head of a frame: the JSON is cut, and that is no concern of the core.
        assert_eq!(decode(r#"2/a,7["long"#).unwrap().data, Some(r#"["long"#));
    }

    /// The malformed examples of PROTOCOL.md that the core rejects, with the error each gives as
    /// a Socket.IO packet: bad headers and bad payloads of the packets the core acts on.
    const MALFORMED: [(&str, DecodeError); 10] = [
        (r#"442["some","data""#, DecodeError::InvalidJson),
        (r#"0/admin,"invalid""#, DecodeError::InvalidPayload),
        ("0[]", DecodeError::InvalidPayload),
        ("1/admin,{}", DecodeError::InvalidPayload),
        ("4abc", DecodeError::InvalidJson),
        (r#"42abc["message-with-ack"]"#, DecodeError::InvalidJson),
        ("999", DecodeError::UnknownPacketType),
        (r#"5["x"]"#, DecodeError::BadAttachmentCount),
        (r#"51["x"]"#, DecodeError::BadAttachmentCount),
        (r#"5a-["x"]"#, DecodeError::BadAttachmentCount),
    ];

    /// The malformed examples of PROTOCOL.md whose fault is in an event's or ack's JSON: the core
    /// passes them through, and the facade rejects them once `JSON.parse` has read them.
    const MALFORMED_JSON_PASSED_THROUGH: [&str; 7] = [
        "2/admin,{}",
        r#"2["connect"]"#,
        "2[]",
        r#"2[true,"foo"]"#,
        r#"2[null,"bar"]"#,
        r#"51-["x",{"_placeholder":true,"num":1}]"#,
        r#"61-/admin,1[{"_placeholder":true,"num":3}]"#,
    ];

    #[test]
    fn malformed_examples_are_rejected() {
        for (text, error) in &MALFORMED {
            if refused_as_binary(text) {
                continue;
            }
            assert_eq!(decode(text).as_ref().err(), Some(error), "{text}");
        }
    }

    #[test]
    fn malformed_event_json_is_passed_through() {
        for text in MALFORMED_JSON_PASSED_THROUGH {
            if refused_as_binary(text) {
                continue;
            }
            let packet = decode(text).unwrap();
            assert_eq!(
                packet.header.data_start + packet.data.unwrap().len(),
                text.len()
            );
        }
    }

    #[test]
    fn malformed_wire_examples() {
        let rejected = [
            (r#"442["some","data""#, DecodeError::InvalidJson),
            ("4abc", DecodeError::UnknownPacketType),
        ];
        for (frame, error) in rejected {
            assert_eq!(decode(unwrap_message(frame)).err(), Some(error), "{frame}");
        }
        for frame in ["42{}", r#"42abc["message-with-ack"]"#, r#"42["connect"]"#] {
            let packet = decode(unwrap_message(frame)).unwrap();
            assert_eq!(packet.header.kind, Event, "{frame}");
        }
    }

    /// `42{}` is malformed on the wire (message + EVENT `{}`), but as a bare Socket.IO packet it
    /// reads as CONNECT_ERROR with ack id 2 and an object, which socket.io-parser accepts too.
    #[test]
    fn wire_example_42_object_as_bare_packet() {
        let packet = decode("42{}").unwrap();
        assert_eq!(packet.header.kind, ConnectError);
        assert_eq!(packet.header.id, Some(2));
        assert_eq!(packet.data, Some("{}"));
    }

    #[test]
    fn more_payload_rules() {
        let rejected = [
            ("0\"x\"", DecodeError::InvalidPayload),
            ("0null", DecodeError::InvalidPayload),
            ("1[]", DecodeError::InvalidPayload),
            ("1\"x\"", DecodeError::InvalidPayload),
            ("4", DecodeError::InvalidPayload),
            ("4[]", DecodeError::InvalidPayload),
            ("41", DecodeError::InvalidPayload),
            ("2", DecodeError::InvalidPayload),
            ("2/admin,", DecodeError::InvalidPayload),
            ("212", DecodeError::InvalidPayload),
            ("3", DecodeError::InvalidPayload),
            ("31", DecodeError::InvalidPayload),
            ("61-1", DecodeError::InvalidPayload),
            ("0{", DecodeError::InvalidJson),
            ("1x", DecodeError::InvalidJson),
            (r#"4/admin,"invalid"#, DecodeError::InvalidJson),
        ];
        for (text, error) in rejected {
            if refused_as_binary(text) {
                continue;
            }
            assert_eq!(decode(text).err(), Some(error), "{text}");
        }
        let accepted = [
            // A placeholder outside a binary packet is an ordinary object, as in socket.io-parser.
            r#"2["x",{"_placeholder":true,"num":0}]"#,
            "0{}",
            "4\"Not authorized\"",
            "4/x,{}",
            "2[1]",
            "2[-1.5e3,\"x\"]",
            r#"2["Connect"]"#,
            r#"2[""]"#,
            "3[]",
            "3[null]",
            r#"61-[{"_placeholder":true,"num":0}]"#,
            r#"510-["x",{"_placeholder":true,"num":9}]"#,
            // Not the core's concern any more: the facade rejects these after `JSON.parse`.
            r#"2"foo""#,
            r#"2[{"toString":"foo"}]"#,
            r#"2[["foo"]]"#,
            r#"2["dis\u0063onnect"]"#,
            r#"51-["newListener"]"#,
            "3{}",
            r#"2/admin,"invalid"#,
            "2 ",
        ];
        for text in accepted {
            if refused_as_binary(text) {
                continue;
            }
            assert!(decode(text).is_ok(), "{text}");
        }
    }

    #[test]
    #[cfg(feature = "binary")]
    fn more_than_ten_attachments_are_too_many_as_in_socket_io_parser() {
        for text in ["511-[\"x\"]", "61001-[]"] {
            assert_eq!(
                decode_header(text),
                Err(DecodeError::TooManyAttachments),
                "{text}"
            );
        }
        assert!(decode_header("510-[\"x\"]").is_ok());
    }

    #[test]
    fn header_edge_cases() {
        assert_eq!(decode_header(""), Err(DecodeError::Empty));
        assert_eq!(decode(""), Err(DecodeError::Empty));
        for text in ["7", "9[]", "a", "é", "/", " 2[\"x\"]"] {
            assert_eq!(
                decode_header(text),
                Err(DecodeError::UnknownPacketType),
                "{text}"
            );
        }
        for text in [
            "5",
            "51",
            "5a-",
            "51.23-",
            "5-",
            "50-[\"x\"]",
            "5-1[\"x\"]",
            "51/admin,[\"x\"]",
        ] {
            if refused_as_binary(text) {
                continue;
            }
            assert_eq!(
                decode_header(text),
                Err(DecodeError::BadAttachmentCount),
                "{text}"
            );
        }
        let huge_count = String::from("5") + &"9".repeat(10_000) + "-[\"x\"]";
        if !refused_as_binary(&huge_count) {
            assert_eq!(
                decode_header(&huge_count),
                Err(DecodeError::BadAttachmentCount)
            );
        }

        // A namespace without a comma runs to the end of the text.
        let header = decode_header("2/admin").unwrap();
        assert_eq!(
            (header.kind, header.nsp, header.id, header.data_start),
            (Event, "/admin", None, 7)
        );
        assert_eq!(decode("2/admin"), Err(DecodeError::InvalidPayload));
        let header = decode_header(r#"2/admin["x"]"#).unwrap();
        assert_eq!(header.nsp, r#"/admin["x"]"#);

        // A namespace only starts right after the type (and attachment count).
        let header = decode_header("2 /admin,[]").unwrap();
        assert_eq!((header.nsp, header.data_start), ("/", 1));
        let header = decode_header("0/,").unwrap();
        assert_eq!((header.nsp, header.data_start), ("/", 3));

        // Non-ASCII namespaces.
        let packet = decode(r#"2/ünï😀,7["é"]"#).unwrap();
        assert_eq!(packet.header.nsp, "/ünï😀");
        assert_eq!(packet.header.id, Some(7));
        assert_eq!(packet.data, Some(r#"["é"]"#));
        assert_eq!(
            encode_header(Event, 0, "/ünï😀", Some(7)) + r#"["é"]"#,
            r#"2/ünï😀,7["é"]"#
        );
    }

    #[test]
    fn ack_ids() {
        assert_eq!(decode_header("30[]").unwrap().id, Some(0));
        assert_eq!(decode_header("3007[]").unwrap().id, Some(7));
        let max = String::from("3") + &MAX_ACK_ID.to_string() + "[]";
        assert_eq!(decode(&max).unwrap().header.id, Some(9_007_199_254_740_991));
        let over = String::from("3") + &(MAX_ACK_ID + 1).to_string() + "[]";
        assert_eq!(decode(&over), Err(DecodeError::BadAckId));
        assert_eq!(
            decode("3/a,18446744073709551616[]"),
            Err(DecodeError::BadAckId)
        );
        let huge = String::from("2") + &"1".repeat(100_000) + "[\"x\"]";
        assert_eq!(decode(&huge), Err(DecodeError::BadAckId));
        let zeros = String::from("2") + &"0".repeat(100_000) + "5[\"x\"]";
        assert_eq!(decode(&zeros).unwrap().header.id, Some(5));
    }

    #[test]
    fn encode_header_forms() {
        assert_eq!(encode_header(Event, 0, "/", None), "2");
        assert_eq!(encode_header(Event, 0, "/admin", Some(456)), "2/admin,456");
        assert_eq!(encode_header(BinaryEvent, 2, "/admin", None), "52-/admin,");
        assert_eq!(encode_header(BinaryAck, 1, "/", Some(15)), "61-15");
        assert_eq!(encode_header(Ack, 0, "/", Some(0)), "30");
        assert_eq!(encode_header(Event, 3, "/", None), "2");
        assert_eq!(encode_header(Disconnect, 0, "/admin", None), "1/admin,");
        assert_eq!(
            encode_header(Ack, 0, "/", Some(u64::MAX)),
            "318446744073709551615"
        );
        for value in [
            0,
            1,
            9,
            10,
            99,
            100,
            101,
            1000,
            123_456_789,
            u64::MAX / 10,
            u64::MAX,
        ] {
            let mut text = String::new();
            push_decimal(&mut text, value);
            assert_eq!(text, value.to_string());
        }
    }

    #[test]
    fn kinds() {
        let all = [
            Connect,
            Disconnect,
            Event,
            Ack,
            ConnectError,
            BinaryEvent,
            BinaryAck,
        ];
        for (digit, kind) in (b'0'..=b'6').zip(all) {
            assert_eq!(PacketKind::from_byte(digit), Some(kind));
            assert_eq!(kind.as_char(), char::from(digit));
            assert_eq!(kind.is_binary(), matches!(kind, BinaryEvent | BinaryAck));
            assert_eq!(kind.is_event(), matches!(kind, Event | BinaryEvent));
            let payload = matches!(kind, Event | Ack | BinaryEvent | BinaryAck);
            assert_eq!(kind.carries_payload(), payload);
        }
        assert_eq!(PacketKind::from_byte(b'7'), None);
        assert!(is_reserved_event("removeListener"));
        assert!(!is_reserved_event("message"));
    }

    /// Every string of up to 4 characters over a small alphabet: decoding never panics, and a
    /// decoded packet whose payload is JSON (as the facade requires of events and acks) encodes
    /// to text that decodes to the same packet.
    #[test]
    fn never_panics_and_round_trips_on_short_strings() {
        let alphabet: Vec<char> = "0123456789/,-[]{}\"aé".chars().collect();
        let mut texts = vec![String::new()];
        let mut decoded = 0;
        for _ in 0..4 {
            texts = texts
                .iter()
                .flat_map(|text| alphabet.iter().map(move |c| std::format!("{text}{c}")))
                .collect();
            for text in &texts {
                let Ok(packet) = decode(text) else { continue };
                if packet
                    .data
                    .is_some_and(|data| json::validate(data).is_err())
                {
                    continue;
                }
                decoded += 1;
                let header = &packet.header;
                let again = encode_header(header.kind, header.attachments, header.nsp, header.id)
                    + packet.data.unwrap_or("");
                let reparsed = decode(&again).unwrap();
                assert_eq!(reparsed.header.kind, header.kind, "{text}");
                assert_eq!(reparsed.header.attachments, header.attachments, "{text}");
                assert_eq!(reparsed.header.nsp, header.nsp, "{text}");
                assert_eq!(reparsed.header.id, header.id, "{text}");
                assert_eq!(reparsed.data, packet.data, "{text}");
            }
        }
        assert!(decoded > 100, "{decoded}");
    }
}
