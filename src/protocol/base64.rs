//! Standard base64 (RFC 4648, `+/` alphabet, `=` padding), both ways.
//!
//! Engine.IO's HTTP long-polling carries binary messages as `b<base64>` inside a text payload.
//! The decoder is strict: it accepts only canonical, padded input and reports anything else as
//! [`DecodeError::InvalidBase64`], so a corrupted payload is a parse error rather than wrong bytes.

use super::error::DecodeError;

/// Encodes `bytes` as padded standard base64.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    encode_into(bytes, &mut out);
    out
}

/// Appends the padded standard base64 of `bytes` to `out`.
pub(crate) fn encode_into(bytes: &[u8], out: &mut String) {
    let mut groups = bytes.chunks_exact(3);
    for group in groups.by_ref() {
        if let &[a, b, c] = group {
            push_group(out, [a, b, c], 4);
        }
    }
    match *groups.remainder() {
        [a] => push_group(out, [a, 0, 0], 2),
        [a, b] => push_group(out, [a, b, 0], 3),
        _ => {}
    }
}

/// Writes the first `significant` characters of a 3-byte group, then pads to 4 with `=`.
fn push_group(out: &mut String, [a, b, c]: [u8; 3], significant: usize) {
    let sextets = [
        a >> 2,
        (a & 0x03) << 4 | b >> 4,
        (b & 0x0f) << 2 | c >> 6,
        c & 0x3f,
    ];
    for (position, sextet) in sextets.into_iter().enumerate() {
        if position < significant {
            out.push(sextet_to_char(sextet));
        } else {
            out.push('=');
        }
    }
}

fn sextet_to_char(sextet: u8) -> char {
    let byte = match sextet {
        0..=25 => b'A' + sextet,
        26..=51 => b'a' + (sextet - 26),
        52..=61 => b'0' + (sextet - 52),
        62 => b'+',
        _ => b'/',
    };
    char::from(byte)
}

fn char_to_sextet(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Decodes strict padded standard base64. The empty string decodes to no bytes.
pub fn decode(text: &str) -> Result<Vec<u8>, DecodeError> {
    let input = text.as_bytes();
    if input.len() % 4 != 0 {
        return Err(DecodeError::InvalidBase64);
    }
    let mut out = Vec::with_capacity(input.len() / 4 * 3);
    let Some(last_start) = input.len().checked_sub(4) else {
        return Ok(out);
    };
    let (full, last) = input
        .split_at_checked(last_start)
        .ok_or(DecodeError::InvalidBase64)?;
    for quad in full.chunks_exact(4) {
        let [a, b, c, d] = quad_sextets(quad)?;
        out.extend_from_slice(&[a << 2 | b >> 4, b << 4 | c >> 2, c << 6 | d]);
    }
    decode_last_quad(last, &mut out)?;
    Ok(out)
}

/// Four alphabet characters (no padding) as sextets.
fn quad_sextets(quad: &[u8]) -> Result<[u8; 4], DecodeError> {
    let mut sextets = [0u8; 4];
    if quad.len() != sextets.len() {
        return Err(DecodeError::InvalidBase64);
    }
    for (slot, &byte) in sextets.iter_mut().zip(quad) {
        *slot = char_to_sextet(byte).ok_or(DecodeError::InvalidBase64)?;
    }
    Ok(sextets)
}

/// The final quad, which may end in `=` or `==`; the bits the padding drops must be zero.
fn decode_last_quad(quad: &[u8], out: &mut Vec<u8>) -> Result<(), DecodeError> {
    match *quad {
        [a, b, b'=', b'='] => {
            let [a, b, _, _] = quad_sextets(&[a, b, b'A', b'A'])?;
            if b & 0x0f != 0 {
                return Err(DecodeError::InvalidBase64);
            }
            out.push(a << 2 | b >> 4);
        }
        [a, b, c, b'='] => {
            let [a, b, c, _] = quad_sextets(&[a, b, c, b'A'])?;
            if c & 0x03 != 0 {
                return Err(DecodeError::InvalidBase64);
            }
            out.extend_from_slice(&[a << 2 | b >> 4, b << 4 | c >> 2]);
        }
        _ => {
            let [a, b, c, d] = quad_sextets(quad)?;
            out.extend_from_slice(&[a << 2 | b >> 4, b << 4 | c >> 2, c << 6 | d]);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn engine_io_vectors() {
        assert_eq!(encode(&[1, 2, 3, 4]), "AQIDBA==");
        assert_eq!(decode("AQIDBA==").unwrap(), vec![1, 2, 3, 4]);
        assert_eq!(encode(&[1, 2, 3]), "AQID");
        assert_eq!(decode("AQID").unwrap(), vec![1, 2, 3]);
    }

    #[test]
    fn rfc4648_vectors() {
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(encode(plain.as_bytes()), encoded);
            assert_eq!(decode(encoded).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn every_byte_value_round_trips() {
        let all: Vec<u8> = (0..=255).collect();
        for length in 0..all.len() {
            let bytes = all.get(..length).unwrap();
            assert_eq!(decode(&encode(bytes)).unwrap(), bytes);
        }
        assert_eq!(encode(&[0xfb, 0xff, 0xbf]), "+/+/");
    }

    #[test]
    fn rejects_invalid_input() {
        let invalid = [
            "A", "AQ", "AQI", "AQIDB", "AQ=", "AQ===", "A===", "====", "=AAA", "AA=A", "AQ==AQ==",
            "AQID\n", " AQID", "AQ-_", "AQ!D", "AQIDBA", "Zg", "Zm8", "éééé", "AQ\u{0}D",
            // Non-zero bits under the padding are not canonical.
            "Zh==", "Zm9=",
        ];
        for text in invalid {
            assert_eq!(decode(text), Err(DecodeError::InvalidBase64), "{text:?}");
        }
    }
}
