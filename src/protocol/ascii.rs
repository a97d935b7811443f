//! Splitting text at an ASCII byte.
//!
//! The standard library's `char` patterns (`split_once(',')`, `rsplit_once(':')`, `contains`)
//! bring a UTF-8 searcher into the wasm, forwards and backwards, about 2 KB, for what is a byte
//! scan: every delimiter of the protocol and of URLs is ASCII, and an ASCII byte in UTF-8 text
//! is always a whole character, so cutting around it keeps both sides valid.

/// The index of the first `byte` in `text`.
pub fn find(text: &str, byte: u8) -> Option<usize> {
    text.bytes().position(|b| b == byte)
}

/// `text` around its first `byte` (the byte itself in neither part).
pub fn split_once(text: &str, byte: u8) -> Option<(&str, &str)> {
    cut(text, find(text, byte)?)
}

/// `text` around its last `byte`.
pub fn rsplit_once(text: &str, byte: u8) -> Option<(&str, &str)> {
    cut(text, text.bytes().rposition(|b| b == byte)?)
}

/// `text` after the run of `byte` at its start.
pub fn skip_leading(text: &str, byte: u8) -> &str {
    let start = text.bytes().position(|b| b != byte).unwrap_or(text.len());
    text.get(start..).unwrap_or("")
}

/// `text` before and after the byte at `index`, or none when that is not a character boundary
/// (`byte` was not ASCII).
fn cut(text: &str, index: usize) -> Option<(&str, &str)> {
    Some((text.get(..index)?, text.get(index + 1..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_the_first_or_the_last() {
        assert_eq!(split_once("a:b:c", b':'), Some(("a", "b:c")));
        assert_eq!(rsplit_once("a:b:c", b':'), Some(("a:b", "c")));
        assert_eq!(split_once(":", b':'), Some(("", "")));
        assert_eq!(split_once("abc", b':'), None);
        assert_eq!(rsplit_once("", b':'), None);
        assert_eq!(find("ab?c?", b'?'), Some(2));
        assert_eq!(skip_leading("///host/", b'/'), "host/");
        assert_eq!(skip_leading("//", b'/'), "");
        assert_eq!(skip_leading("a", b'/'), "a");
    }

    #[test]
    fn multi_byte_characters_stay_whole() {
        assert_eq!(split_once("é,ü", b','), Some(("é", "ü")));
        assert_eq!(rsplit_once("日本@語", b'@'), Some(("日本", "語")));
        // A non-ASCII byte would cut a character: refused, never a panic.
        assert_eq!(split_once("é", 0xA9), None);
        assert_eq!(rsplit_once("é", 0xC3), None);
        assert_eq!(skip_leading("é", 0xC3), "");
    }
}
