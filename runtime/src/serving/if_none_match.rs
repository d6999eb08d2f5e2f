//! `If-None-Match` evaluation (RFC 9110, section 13.1.2): weak comparison, lists, `*`.

use http::header::{HeaderMap, IF_NONE_MATCH};

/// Whether the request's `If-None-Match` matches `etag` (a quoted strong entity tag), so
/// the answer is 304. Malformed headers never match.
pub(crate) fn matches(headers: &HeaderMap, etag: &[u8]) -> bool {
    let ours = etag.strip_prefix(b"\"").unwrap_or(etag);
    let ours = ours.strip_suffix(b"\"").unwrap_or(ours);
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|value| list_matches(value, ours))
}

fn list_matches(list: &str, ours: &[u8]) -> bool {
    tag_list_matches(list, ours, Comparison::Weak)
}

/// How entity tags are compared (RFC 9110, section 8.8.3.2).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Comparison {
    /// `If-None-Match`: `W/"x"` matches `"x"`.
    Weak,
    /// `If-Match`: a weak tag matches nothing.
    Strong,
}

/// Whether the entity-tag list `list` (or `*`) holds `ours` (the tag without quotes).
/// A malformed list matches nothing past the point where it breaks.
pub(super) fn tag_list_matches(list: &str, ours: &[u8], comparison: Comparison) -> bool {
    if list.trim() == "*" {
        return true;
    }
    let mut rest = list;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return false;
        }
        let weak = rest.starts_with("W/");
        let tag = rest.strip_prefix("W/").unwrap_or(rest);
        let Some(body) = tag.strip_prefix('"') else {
            return false;
        };
        let Some(end) = body.find('"') else {
            return false;
        };
        let comparable = !(weak && comparison == Comparison::Strong);
        if comparable && &body.as_bytes()[..end] == ours {
            return true;
        }
        rest = &body[end + 1..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn check(values: &[&str]) -> bool {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(IF_NONE_MATCH, HeaderValue::from_str(value).unwrap());
        }
        matches(&headers, b"\"abc\"")
    }

    #[test]
    fn single_list_weak_star() {
        assert!(check(&["\"abc\""]));
        assert!(check(&["W/\"abc\""]));
        assert!(check(&["\"x\", \"abc\""]));
        assert!(check(&["\"x\",W/\"abc\""]));
        assert!(check(&["\"x\"", "\"abc\""]));
        assert!(check(&["*"]));
        assert!(check(&[" * "]));
    }

    #[test]
    fn non_matches() {
        assert!(!check(&[]));
        assert!(!check(&["\"abcd\""]));
        assert!(!check(&["abc"]));
        assert!(!check(&["\"ab,c\""]));
        assert!(!check(&["\"abc"]));
        assert!(!check(&["w/\"abc\""]));
        assert!(!check(&["\"x\", *"]));
    }
}
