//! `If-Match` evaluation (RFC 9110, section 13.1.1): strong comparison, lists, `*`.
//!
//! `If-Unmodified-Since` is ignored, as section 13.1.4 requires of a resource without a
//! modification date: names here are content hashes, and no `Last-Modified` is sent.

use super::if_none_match::{tag_list_matches, Comparison};
use http::header::{HeaderMap, IF_MATCH};

/// Whether the request carries an `If-Match` that `etag` (a quoted strong entity tag)
/// does not satisfy, so the answer is 412. A weak tag never matches; a malformed header
/// matches nothing.
pub(crate) fn fails(headers: &HeaderMap, etag: &[u8]) -> bool {
    let mut values = headers.get_all(IF_MATCH).iter().peekable();
    if values.peek().is_none() {
        return false;
    }
    let ours = etag.strip_prefix(b"\"").unwrap_or(etag);
    let ours = ours.strip_suffix(b"\"").unwrap_or(ours);
    !values
        .filter_map(|value| value.to_str().ok())
        .any(|value| list_matches(value, ours))
}

fn list_matches(list: &str, ours: &[u8]) -> bool {
    tag_list_matches(list, ours, Comparison::Strong)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn fails_with(values: &[&str]) -> bool {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(IF_MATCH, HeaderValue::from_str(value).unwrap());
        }
        fails(&headers, b"\"abc\"")
    }

    #[test]
    fn strong_matches_pass_and_everything_else_fails() {
        assert!(!fails_with(&[]));
        assert!(!fails_with(&["\"abc\""]));
        assert!(!fails_with(&["*"]));
        assert!(!fails_with(&["\"x\", \"abc\""]));
        assert!(!fails_with(&["\"x\"", "\"abc\""]));
        assert!(fails_with(&["W/\"abc\""]), "weak tags never match If-Match");
        assert!(fails_with(&["\"x\""]));
        assert!(fails_with(&["abc"]), "malformed");
        assert!(fails_with(&["\"abc"]), "unterminated");
    }
}
