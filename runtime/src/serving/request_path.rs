//! Turning a request path into a canonical asset path, safely.

use http::StatusCode;
use std::borrow::Cow;

/// Longest request path (after the prefix) looked at; longer ones get 414.
pub(crate) const MAX_PATH_LEN: usize = 2048;

/// Percent-decodes `raw` (the part of the URL path after the prefix) exactly once.
///
/// Refused with 400: malformed escapes, a decoded `/` or `\` (so `%2F` cannot make a new
/// separator), NUL and control characters, `.` and `..` segments, and non-UTF-8 bytes.
/// A path with no escape (the usual case) is checked in place, without allocating.
pub(crate) fn decode(raw: &str) -> Result<Cow<'_, str>, StatusCode> {
    if raw.len() > MAX_PATH_LEN {
        return Err(StatusCode::URI_TOO_LONG);
    }
    if !raw.contains('%') {
        for segment in raw.split('/') {
            check_segment(segment.as_bytes())?;
        }
        return Ok(Cow::Borrowed(raw));
    }
    let mut out = Vec::with_capacity(raw.len());
    for (index, segment) in raw.split('/').enumerate() {
        if index > 0 {
            out.push(b'/');
        }
        let start = out.len();
        let bytes = segment.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let byte = bytes[i];
            if byte == b'%' {
                let high = bytes.get(i + 1).and_then(|&b| hex_value(b));
                let low = bytes.get(i + 2).and_then(|&b| hex_value(b));
                let (Some(high), Some(low)) = (high, low) else {
                    return Err(StatusCode::BAD_REQUEST);
                };
                out.push(high << 4 | low);
                i += 3;
            } else {
                out.push(byte);
                i += 1;
            }
        }
        check_segment(&out[start..])?;
    }
    String::from_utf8(out)
        .map(Cow::Owned)
        .map_err(|_| StatusCode::BAD_REQUEST)
}

/// One decoded segment: not `.` or `..`, and no `/`, `\\` or control character in it.
fn check_segment(decoded: &[u8]) -> Result<(), StatusCode> {
    if decoded == b"." || decoded == b".." {
        return Err(StatusCode::BAD_REQUEST);
    }
    if decoded
        .iter()
        .any(|&b| b == b'/' || b == b'\\' || b.is_ascii_control())
    {
        return Err(StatusCode::BAD_REQUEST);
    }
    Ok(())
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_encoded() {
        assert_eq!(decode("css/a.css").unwrap(), "css/a.css");
        assert_eq!(decode("img/a%20b.png").unwrap(), "img/a b.png");
        assert_eq!(decode("%C3%BC.txt").unwrap(), "ü.txt");
        // Decoded once: `%2541` is `%41`, not `A`.
        assert_eq!(decode("%2541").unwrap(), "%41");
    }

    #[test]
    fn refusals() {
        for bad in [
            "../etc/passwd",
            "css/../../x",
            "./a",
            "%2e%2e/x",
            "a%2Fb",
            "a%5Cb",
            "a\\b",
            "a%00b",
            "a%0Ab",
            "%zz",
            "%4",
            "%",
            "%ff",
        ] {
            assert_eq!(decode(bad), Err(StatusCode::BAD_REQUEST), "{bad}");
        }
        assert_eq!(
            decode(&"a".repeat(MAX_PATH_LEN + 1)),
            Err(StatusCode::URI_TOO_LONG)
        );
    }
}
