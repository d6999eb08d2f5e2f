//! Finding the `hyper_assets!(...)` calls of a crate's sources, without a parser:
//! comments, strings and char literals are skipped, so a call inside a string or a
//! comment is not a call.

use std::ops::Range;

/// One `hyper_assets!(...)` call of a source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FoundCall {
    /// The 1-based line of `hyper_assets!`.
    pub(crate) line: usize,
    /// The text between the call's delimiters (to the end of the file if unclosed).
    pub(crate) arguments: String,
}

/// Every `hyper_assets!(...)` call in `source`, in order.
pub(crate) fn find_calls(source: &str) -> Vec<FoundCall> {
    let bytes = source.as_bytes();
    let mut calls = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        match skip(bytes, at) {
            Some(end) => at = end,
            None if bytes[at..].starts_with(b"hyper_assets!")
                && !is_ident_byte(before(bytes, at)) =>
            {
                let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
                at += "hyper_assets!".len();
                while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
                    at += 1;
                }
                if let Some(open @ (b'(' | b'[' | b'{')) = bytes.get(at).copied() {
                    let (close, end) = call_end(bytes, at, open);
                    calls.push(FoundCall {
                        line,
                        // The delimiters are ASCII: both ends are character boundaries.
                        arguments: String::from_utf8_lossy(&bytes[at + 1..close]).into_owned(),
                    });
                    at = end;
                }
            }
            None => at += 1,
        }
    }
    calls
}

/// At a comment, a string or a char literal (or the prefix of a byte or C string): the
/// index after it. `None` for anything else.
pub(crate) fn skip(bytes: &[u8], at: usize) -> Option<usize> {
    match bytes[at] {
        b'/' if bytes.get(at + 1) == Some(&b'/') => Some(line_end(bytes, at)),
        b'/' if bytes.get(at + 1) == Some(&b'*') => Some(block_comment_end(bytes, at)),
        b'"' => Some(string_end(bytes, at)),
        b'\'' => Some(char_literal_end(bytes, at)),
        // `b"..."`, `br"..."`, `c"..."`: the prefix, then the string as usual.
        b'b' | b'c' if !is_ident_byte(before(bytes, at)) && is_string_after_prefix(bytes, at) => {
            Some(at + 1)
        }
        b'r' if raw_string_start(bytes, at).is_some() && !is_ident_byte(before(bytes, at)) => {
            Some(string_end(bytes, at))
        }
        _ => None,
    }
}

/// After a `'`: the end of a char literal (`'"'`, `'\''`, `'é'`), or just past the quote
/// of a lifetime (`'a`).
pub(crate) fn char_literal_end(bytes: &[u8], at: usize) -> usize {
    if bytes.get(at + 1) == Some(&b'\\') {
        // An escape: the literal ends at the next quote after the escaped character.
        let from = (at + 3).min(bytes.len());
        return bytes[from..]
            .iter()
            .position(|&b| b == b'\'')
            .map_or(bytes.len(), |n| from + n + 1);
    }
    // One character (up to four UTF-8 bytes), then the closing quote.
    let width = match bytes.get(at + 1) {
        Some(&b) if b < 0x80 => 1,
        Some(&b) if b >= 0xf0 => 4,
        Some(&b) if b >= 0xe0 => 3,
        Some(_) => 2,
        None => return bytes.len(),
    };
    if bytes.get(at + 1 + width) == Some(&b'\'') {
        at + 2 + width
    } else {
        at + 1
    }
}

/// `b"`, `br"`, `br#"`, `c"`, `cr"`: a string literal follows the prefix letter.
pub(crate) fn is_string_after_prefix(bytes: &[u8], at: usize) -> bool {
    match bytes.get(at + 1) {
        Some(b'"') => true,
        Some(b'r') => raw_string_start(bytes, at + 1).is_some(),
        _ => false,
    }
}

pub(crate) fn before(bytes: &[u8], at: usize) -> u8 {
    if at == 0 {
        b' '
    } else {
        bytes[at - 1]
    }
}

pub(crate) fn is_ident_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

fn line_end(bytes: &[u8], at: usize) -> usize {
    bytes[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |n| at + n + 1)
}

fn block_comment_end(bytes: &[u8], mut at: usize) -> usize {
    let mut depth = 0usize;
    while at < bytes.len() {
        if bytes[at..].starts_with(b"/*") {
            depth += 1;
            at += 2;
        } else if bytes[at..].starts_with(b"*/") {
            depth -= 1;
            at += 2;
            if depth == 0 {
                return at;
            }
        } else {
            at += 1;
        }
    }
    at
}

/// `r"`, `r#"`, ...: the number of `#`s.
pub(crate) fn raw_string_start(bytes: &[u8], at: usize) -> Option<usize> {
    let hashes = bytes[at + 1..].iter().take_while(|&&b| b == b'#').count();
    (bytes.get(at + 1 + hashes) == Some(&b'"')).then_some(hashes)
}

/// The raw string literal (`r"..."`, `r#"..."#`, ...) that starts at `at`, if one does:
/// where its text starts and ends, and the index after it (the end of `bytes` when it is
/// not closed).
pub(crate) fn raw_string(bytes: &[u8], at: usize) -> Option<(Range<usize>, usize)> {
    if bytes[at] != b'r' {
        return None;
    }
    let hashes = raw_string_start(bytes, at)?;
    let start = at + 2 + hashes;
    let mut close = Vec::with_capacity(hashes + 1);
    close.push(b'"');
    close.resize(hashes + 1, b'#');
    Some(
        match bytes[start..]
            .windows(close.len())
            .position(|window| window == close.as_slice())
        {
            Some(n) => (start..start + n, start + n + close.len()),
            None => (start..bytes.len(), bytes.len()),
        },
    )
}

/// The index after the string literal (`"..."` or a raw string) that starts at `at`.
fn string_end(bytes: &[u8], at: usize) -> usize {
    if let Some((_, end)) = raw_string(bytes, at) {
        return end;
    }
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return i + 1,
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn closing(open: u8) -> u8 {
    match open {
        b'(' => b')',
        b'[' => b']',
        _ => b'}',
    }
}

/// For the call whose opening delimiter is at `at`: the index of its closing delimiter
/// (the end of the input if unclosed) and the index after the call.
fn call_end(bytes: &[u8], at: usize, open: u8) -> (usize, usize) {
    let close = closing(open);
    let mut depth = 0usize;
    let mut i = at;
    while i < bytes.len() {
        if let Some(end) = skip(bytes, i) {
            i = end;
            continue;
        }
        match bytes[i] {
            byte if byte == open => depth += 1,
            byte if byte == close => {
                depth -= 1;
                if depth == 0 {
                    return (i, i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    (bytes.len(), bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_strings_text_and_end() {
        let bytes = br###"x r#"a "b" c"# r"d" r##"open"###;
        assert_eq!(raw_string(bytes, 0), None);
        assert_eq!(raw_string(bytes, 2), Some((5..12, 14)));
        assert_eq!(raw_string(bytes, 15), Some((17..18, 19)));
        // Not closed: the text runs to the end.
        assert_eq!(raw_string(bytes, 20), Some((24..28, 28)));
    }

    fn arguments(source: &str) -> Vec<(usize, String)> {
        find_calls(source)
            .into_iter()
            .map(|call| (call.line, call.arguments))
            .collect()
    }

    #[test]
    fn finds_every_call_with_its_line() {
        let source = r##"
            // hyper_assets!("commented");
            /* hyper_assets!("also /* nested */ commented"); */
            const S: &str = "hyper_assets!(\"in a string\")";
            hyper_assets::hyper_assets!(
                "static",
                prefix = "/assets/", // a comment with "quotes" and a )
                components(templates = ["templates", r#"config/site.json"#]),
            );
            my_hyper_assets!("not ours");
            hyper_assets! { "b", exclude = [")"] }
        "##;
        let found = arguments(source);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, 5);
        assert!(found[0].1.trim_start().starts_with("\"static\","));
        assert!(found[0].1.trim_end().ends_with("]),"), "{}", found[0].1);
        assert_eq!(found[1], (11, r#" "b", exclude = [")"] "#.to_owned()));
    }

    #[test]
    fn unfinished_input_does_not_panic() {
        for source in [
            "hyper_assets!(\"static",
            "hyper_assets!(",
            "r#\"",
            "/* x",
            "\"\\",
            "'",
            "'\\",
            "b",
            "br#",
            "é",
            "'é",
            "fn é() {} hyper_assets!(\"s\");",
        ] {
            let _ = find_calls(source);
        }
        assert_eq!(
            arguments("fn é() {} hyper_assets!(\"s\");"),
            vec![(1, "\"s\"".to_owned())]
        );
        assert_eq!(
            arguments("hyper_assets!(\"s\", x"),
            vec![(1, "\"s\", x".to_owned())]
        );
    }

    #[test]
    fn char_literals_byte_strings_and_lifetimes_are_skipped() {
        let source = r##"
            const Q: char = '"';
            const E: char = '\'';
            fn é<'a>(x: &'a str) -> &'a str { x }
            const B: &[u8] = br#"hyper_assets!("no")"#;
            const S: &[u8] = b"\"";
            hyper_assets::hyper_assets!("static");
        "##;
        assert_eq!(arguments(source), vec![(7, "\"static\"".to_owned())]);
    }
}
