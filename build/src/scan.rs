//! Finding the `hyper_assets!(...)` calls of a crate's sources and the string literals
//! they hold, without a parser: enough to know which folders and files they embed.

/// The string literals inside every `hyper_assets!(...)` call in `source`, call by call,
/// in order. Comments are skipped; a call inside a string or a comment is not a call.
pub(crate) fn macro_literals(source: &str) -> Vec<Vec<String>> {
    let bytes = source.as_bytes();
    let mut calls = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'/' if bytes.get(at + 1) == Some(&b'/') => at = line_end(bytes, at),
            b'/' if bytes.get(at + 1) == Some(&b'*') => at = block_comment_end(bytes, at),
            b'"' => at = string_literal(bytes, at).1,
            b'\'' => at = char_literal_end(bytes, at),
            // `b"..."`, `br"..."`, `c"..."`: the prefix, then the string as usual.
            b'b' | b'c'
                if !is_ident_byte(before(bytes, at)) && is_string_after_prefix(bytes, at) =>
            {
                at += 1;
            }
            b'r' if raw_string_start(bytes, at).is_some() && !is_ident_byte(before(bytes, at)) => {
                at = string_literal(bytes, at).1;
            }
            _ if bytes[at..].starts_with(b"hyper_assets!") && !is_ident_byte(before(bytes, at)) => {
                at += "hyper_assets!".len();
                while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
                    at += 1;
                }
                if let Some(open @ (b'(' | b'[' | b'{')) = bytes.get(at).copied() {
                    let (literals, end) = call_literals(bytes, at, open);
                    calls.push(literals);
                    at = end;
                }
            }
            _ => at += 1,
        }
    }
    calls
}

/// After a `'`: the end of a char literal (`'"'`, `'\''`, `'é'`), or just past the quote
/// of a lifetime (`'a`).
fn char_literal_end(bytes: &[u8], at: usize) -> usize {
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
fn is_string_after_prefix(bytes: &[u8], at: usize) -> bool {
    match bytes.get(at + 1) {
        Some(b'"') => true,
        Some(b'r') => raw_string_start(bytes, at + 1).is_some(),
        _ => false,
    }
}

fn before(bytes: &[u8], at: usize) -> u8 {
    if at == 0 {
        b' '
    } else {
        bytes[at - 1]
    }
}

fn is_ident_byte(byte: u8) -> bool {
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
fn raw_string_start(bytes: &[u8], at: usize) -> Option<usize> {
    let hashes = bytes[at + 1..].iter().take_while(|&&b| b == b'#').count();
    (bytes.get(at + 1 + hashes) == Some(&b'"')).then_some(hashes)
}

/// The literal starting at `at` (`"..."` or a raw string) and the index after it.
fn string_literal(bytes: &[u8], at: usize) -> (String, usize) {
    if let Some(hashes) = (bytes[at] == b'r')
        .then(|| raw_string_start(bytes, at))
        .flatten()
    {
        let start = at + 2 + hashes;
        let mut close = Vec::with_capacity(hashes + 1);
        close.push(b'"');
        close.resize(hashes + 1, b'#');
        let end = bytes[start..]
            .windows(close.len())
            .position(|window| window == close.as_slice())
            .map_or(bytes.len(), |n| start + n);
        let text = String::from_utf8_lossy(&bytes[start..end]).into_owned();
        return (text, (end + close.len()).min(bytes.len()));
    }
    let mut text = Vec::new();
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return (String::from_utf8_lossy(&text).into_owned(), i + 1),
            b'\\' => {
                // Paths rarely hold escapes; keep the escaped byte as written.
                if let Some(&next) = bytes.get(i + 1) {
                    text.push(next);
                }
                i += 2;
            }
            byte => {
                text.push(byte);
                i += 1;
            }
        }
    }
    (String::from_utf8_lossy(&text).into_owned(), bytes.len())
}

/// The literals of the call whose opening delimiter is at `at`, and the index after it.
fn call_literals(bytes: &[u8], at: usize, open: u8) -> (Vec<String>, usize) {
    let close = match open {
        b'(' => b')',
        b'[' => b']',
        _ => b'}',
    };
    let mut literals = Vec::new();
    let mut depth = 0usize;
    let mut i = at;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = line_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = block_comment_end(bytes, i),
            b'"' => {
                let (text, end) = string_literal(bytes, i);
                literals.push(text);
                i = end;
            }
            b'r' if raw_string_start(bytes, i).is_some() && !is_ident_byte(before(bytes, i)) => {
                let (text, end) = string_literal(bytes, i);
                literals.push(text);
                i = end;
            }
            byte if byte == open => {
                depth += 1;
                i += 1;
            }
            byte if byte == close => {
                depth -= 1;
                i += 1;
                if depth == 0 {
                    return (literals, i);
                }
            }
            _ => i += 1,
        }
    }
    (literals, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_folder_and_the_components() {
        let source = r##"
            // hyper_assets!("commented");
            /* hyper_assets!("also /* nested */ commented"); */
            const S: &str = "hyper_assets!(\"in a string\")";
            hyper_assets::hyper_assets!(
                "static",
                prefix = "/assets/", // a comment with "quotes"
                components(templates = ["templates", r#"config/site.json"#]),
            );
            my_hyper_assets!("not ours");
        "##;
        assert_eq!(
            macro_literals(source),
            vec![vec![
                "static".to_owned(),
                "/assets/".to_owned(),
                "templates".to_owned(),
                "config/site.json".to_owned(),
            ]]
        );
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
            let _ = macro_literals(source);
        }
        assert_eq!(
            macro_literals("fn é() {} hyper_assets!(\"s\");"),
            vec![vec!["s".to_owned()]]
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
        assert_eq!(macro_literals(source), vec![vec!["static".to_owned()]]);
    }
}
