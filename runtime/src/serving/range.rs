//! `Range: bytes=...` (RFC 9110, section 14): one range per request.

use http::header::{HeaderMap, IF_RANGE, RANGE};

/// What a `Range` header asks of a representation of `len` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RangeRequest {
    /// No (usable) range: send everything with 200.
    Full,
    /// Send bytes `start..=end` with 206.
    Partial { start: u64, end: u64 },
    /// Nothing of it can be sent: 416.
    Unsatisfiable,
}

/// Reads `Range` (and `If-Range`, compared with the strong `etag`). Several ranges, other
/// units and malformed values are ignored, as the RFC allows: the answer is the whole
/// representation.
pub(crate) fn requested(headers: &HeaderMap, len: u64, etag: &[u8]) -> RangeRequest {
    let Some(value) = headers.get(RANGE).and_then(|v| v.to_str().ok()) else {
        return RangeRequest::Full;
    };
    if let Some(if_range) = headers.get(IF_RANGE) {
        // Only a strong validator equal to ours keeps the range; a date never matches
        // since we send no Last-Modified.
        if if_range.as_bytes() != etag {
            return RangeRequest::Full;
        }
    }
    // The unit is case-insensitive (RFC 9110, section 14.1): `Bytes=` is `bytes=`.
    let Some((unit, spec)) = value.trim().split_once('=') else {
        return RangeRequest::Full;
    };
    if !unit.trim().eq_ignore_ascii_case("bytes") {
        return RangeRequest::Full;
    }
    if spec.contains(',') {
        return RangeRequest::Full;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeRequest::Full;
    };
    let (first, last) = (first.trim(), last.trim());
    match (first.is_empty(), last.is_empty()) {
        // bytes=-500: the last 500 bytes.
        (true, false) => match position(last) {
            Some(0) => RangeRequest::Unsatisfiable,
            Some(_) if len == 0 => RangeRequest::Unsatisfiable,
            Some(suffix) => RangeRequest::Partial {
                start: len.saturating_sub(suffix),
                end: len - 1,
            },
            None => RangeRequest::Full,
        },
        // bytes=500-: from 500 to the end.
        (false, true) => match position(first) {
            Some(start) if start < len => RangeRequest::Partial {
                start,
                end: len - 1,
            },
            Some(_) => RangeRequest::Unsatisfiable,
            None => RangeRequest::Full,
        },
        (false, false) => match (position(first), position(last)) {
            (Some(start), Some(end)) if start <= end => {
                if start >= len {
                    RangeRequest::Unsatisfiable
                } else {
                    RangeRequest::Partial {
                        start,
                        end: end.min(len - 1),
                    }
                }
            }
            _ => RangeRequest::Full,
        },
        (true, true) => RangeRequest::Full,
    }
}

/// A byte position: digits only, and one too large for 64 bits counts as the largest
/// (RFC 9110, section 14.1.2: a last position past the end means "to the end").
fn position(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.bytes().fold(0u64, |value, digit| {
        value
            .saturating_mul(10)
            .saturating_add(u64::from(digit - b'0'))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn ask(range: &str, if_range: Option<&str>) -> RangeRequest {
        let mut headers = HeaderMap::new();
        headers.insert(RANGE, HeaderValue::from_str(range).unwrap());
        if let Some(value) = if_range {
            headers.insert(IF_RANGE, HeaderValue::from_str(value).unwrap());
        }
        requested(&headers, 100, b"\"tag\"")
    }

    #[test]
    fn single_suffix_and_open_ranges() {
        assert_eq!(
            ask("bytes=0-9", None),
            RangeRequest::Partial { start: 0, end: 9 }
        );
        assert_eq!(
            ask("bytes=90-200", None),
            RangeRequest::Partial { start: 90, end: 99 }
        );
        assert_eq!(
            ask("bytes=-10", None),
            RangeRequest::Partial { start: 90, end: 99 }
        );
        assert_eq!(
            ask("bytes=-1000", None),
            RangeRequest::Partial { start: 0, end: 99 }
        );
        assert_eq!(
            ask("bytes=50-", None),
            RangeRequest::Partial { start: 50, end: 99 }
        );
    }

    #[test]
    fn the_unit_is_case_insensitive_and_huge_positions_are_clamped() {
        assert_eq!(
            ask("Bytes=0-9", None),
            RangeRequest::Partial { start: 0, end: 9 }
        );
        assert_eq!(
            ask("BYTES = 0-9", None),
            RangeRequest::Partial { start: 0, end: 9 }
        );
        let huge = "1".repeat(40);
        assert_eq!(
            ask(&format!("bytes=0-{huge}"), None),
            RangeRequest::Partial { start: 0, end: 99 }
        );
        assert_eq!(
            ask(&format!("bytes=-{huge}"), None),
            RangeRequest::Partial { start: 0, end: 99 }
        );
        assert_eq!(
            ask(&format!("bytes={huge}-"), None),
            RangeRequest::Unsatisfiable
        );
        assert_eq!(ask("bytes=+1-2", None), RangeRequest::Full);
        assert_eq!(ask("bytes=0x1-2", None), RangeRequest::Full);
        assert_eq!(ask("items=0-9", None), RangeRequest::Full);
    }

    #[test]
    fn unsatisfiable_and_ignored() {
        assert_eq!(ask("bytes=100-", None), RangeRequest::Unsatisfiable);
        assert_eq!(ask("bytes=200-300", None), RangeRequest::Unsatisfiable);
        assert_eq!(ask("bytes=-0", None), RangeRequest::Unsatisfiable);
        for ignored in [
            "bytes=0-1,5-6",
            "items=0-1",
            "bytes=5-1",
            "bytes=a-b",
            "bytes=-",
            "0-1",
        ] {
            assert_eq!(ask(ignored, None), RangeRequest::Full, "{ignored}");
        }
    }

    #[test]
    fn if_range_must_match_the_strong_etag() {
        assert_eq!(
            ask("bytes=0-9", Some("\"tag\"")),
            RangeRequest::Partial { start: 0, end: 9 }
        );
        assert_eq!(ask("bytes=0-9", Some("\"old\"")), RangeRequest::Full);
        assert_eq!(ask("bytes=0-9", Some("W/\"tag\"")), RangeRequest::Full);
        assert_eq!(
            ask("bytes=0-9", Some("Wed, 21 Oct 2015 07:28:00 GMT")),
            RangeRequest::Full
        );
    }
}
