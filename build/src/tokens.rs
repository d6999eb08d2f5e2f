//! The arguments of a `hyper_assets!` call as token trees: string literals with their
//! escapes resolved, words (identifiers, `true`, numbers), punctuation, and delimited
//! groups. Enough to read the macro's options, not a Rust lexer.

use crate::scan::{before, char_literal_end, is_ident_byte, raw_string, raw_string_start, skip};

/// One token tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tree {
    /// A string literal's value (a byte or C string's too).
    Str(String),
    /// An identifier, a keyword, a number or a lifetime, as written.
    Word(String),
    /// Any other character outside a literal.
    Punct(char),
    /// `(...)`, `[...]` or `{...}`: the opening delimiter and what it holds.
    Group(char, Vec<Tree>),
}

impl Tree {
    /// The string literals of `trees`, in order, groups included.
    pub(crate) fn literals(trees: &[Tree], into: &mut Vec<String>) {
        for tree in trees {
            match tree {
                Tree::Str(text) => into.push(text.clone()),
                Tree::Group(_, inner) => Tree::literals(inner, into),
                Tree::Word(_) | Tree::Punct(_) => {}
            }
        }
    }

    /// The tree as written, roughly (for a value that is not a literal: a path, an
    /// identifier).
    pub(crate) fn text(trees: &[Tree]) -> String {
        let mut text = String::new();
        for tree in trees {
            match tree {
                Tree::Str(value) => text.push_str(&format!("{value:?}")),
                Tree::Word(word) => {
                    if text.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                        text.push(' ');
                    }
                    text.push_str(word);
                }
                Tree::Punct(c) => text.push(*c),
                Tree::Group(open, inner) => {
                    text.push(*open);
                    text.push_str(&Tree::text(inner));
                    text.push(match open {
                        '(' => ')',
                        '[' => ']',
                        _ => '}',
                    });
                }
            }
        }
        text
    }
}

/// The token trees of `text`; comments are dropped, an unclosed group ends at the end.
pub(crate) fn trees(text: &str) -> Vec<Tree> {
    let bytes = text.as_bytes();
    let mut at = 0;
    let mut stack: Vec<(char, Vec<Tree>)> = vec![(' ', Vec::new())];
    while at < bytes.len() {
        let byte = bytes[at];
        let literal_start = match byte {
            b'"' => Some(at),
            b'r' if raw_string_start(bytes, at).is_some() && !is_ident_byte(before(bytes, at)) => {
                Some(at)
            }
            b'b' | b'c' if !is_ident_byte(before(bytes, at)) && skip(bytes, at).is_some() => {
                Some(at + 1)
            }
            _ => None,
        };
        let (tree, next) = if let Some(start) = literal_start {
            let (value, end) = string_value(bytes, start);
            (Some(Tree::Str(value)), end)
        } else if byte == b'\'' {
            let end = char_literal_end(bytes, at);
            if end == at + 1 {
                // A lifetime: the quote and the word after it.
                let word_end = word_end(bytes, at + 1);
                (Some(Tree::Word(lossy(&bytes[at..word_end]))), word_end)
            } else {
                (Some(Tree::Word(lossy(&bytes[at..end]))), end)
            }
        } else if let Some(end) = skip(bytes, at) {
            // A comment.
            (None, end)
        } else if byte.is_ascii_whitespace() {
            (None, at + 1)
        } else if is_ident_byte(byte) || byte >= 0x80 {
            let end = word_end(bytes, at);
            (Some(Tree::Word(lossy(&bytes[at..end]))), end)
        } else if matches!(byte, b'(' | b'[' | b'{') {
            stack.push((char::from(byte), Vec::new()));
            (None, at + 1)
        } else if matches!(byte, b')' | b']' | b'}') {
            if stack.len() > 1 {
                if let Some((open, inner)) = stack.pop() {
                    push(&mut stack, Tree::Group(open, inner));
                }
            }
            (None, at + 1)
        } else {
            (Some(Tree::Punct(char::from(byte))), at + 1)
        };
        if let Some(tree) = tree {
            push(&mut stack, tree);
        }
        at = next;
    }
    while stack.len() > 1 {
        if let Some((open, inner)) = stack.pop() {
            push(&mut stack, Tree::Group(open, inner));
        }
    }
    stack.pop().map(|(_, trees)| trees).unwrap_or_default()
}

fn push(stack: &mut [(char, Vec<Tree>)], tree: Tree) {
    if let Some((_, trees)) = stack.last_mut() {
        trees.push(tree);
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The end of an identifier or number (non-ASCII characters count as word characters).
fn word_end(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && (is_ident_byte(bytes[at]) || bytes[at] >= 0x80) {
        at += 1;
    }
    at
}

/// The value of the string literal at `at` (`"..."` or a raw string) and the index after
/// it.
fn string_value(bytes: &[u8], at: usize) -> (String, usize) {
    if let Some((text, end)) = raw_string(bytes, at) {
        return (lossy(&bytes[text]), end);
    }
    let mut value: Vec<u8> = Vec::new();
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return (lossy(&value), i + 1),
            b'\\' => i = escape(bytes, i, &mut value),
            byte => {
                value.push(byte);
                i += 1;
            }
        }
    }
    (lossy(&value), bytes.len())
}

/// The escape at `at` (a backslash) into `value`; the index after it.
fn escape(bytes: &[u8], at: usize, value: &mut Vec<u8>) -> usize {
    let Some(&kind) = bytes.get(at + 1) else {
        return bytes.len();
    };
    let simple = match kind {
        b'n' => Some(b'\n'),
        b'r' => Some(b'\r'),
        b't' => Some(b'\t'),
        b'0' => Some(0),
        b'\\' | b'\'' | b'"' => Some(kind),
        _ => None,
    };
    if let Some(byte) = simple {
        value.push(byte);
        return at + 2;
    }
    match kind {
        b'x' => {
            let digits = bytes
                .get(at + 2..at + 4)
                .and_then(|d| std::str::from_utf8(d).ok());
            match digits.and_then(|d| u8::from_str_radix(d, 16).ok()) {
                Some(byte) => {
                    value.push(byte);
                    at + 4
                }
                None => at + 2,
            }
        }
        b'u' => {
            let end = bytes[at..]
                .iter()
                .position(|&b| b == b'}')
                .map_or(bytes.len(), |n| at + n + 1);
            let digits = bytes
                .get(at + 3..end.saturating_sub(1))
                .and_then(|d| std::str::from_utf8(d).ok())
                .map(|d| d.replace('_', ""));
            if let Some(c) = digits
                .and_then(|d| u32::from_str_radix(&d, 16).ok())
                .and_then(char::from_u32)
            {
                value.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
            }
            end
        }
        // A line continuation: the newline and the whitespace after it are dropped.
        b'\n' | b'\r' => {
            let mut i = at + 1;
            while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            i
        }
        // Not an escape Rust knows: kept as written.
        other => {
            value.push(other);
            at + 2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Tree {
        Tree::Str(text.to_owned())
    }

    fn w(text: &str) -> Tree {
        Tree::Word(text.to_owned())
    }

    #[test]
    fn strings_words_punctuation_and_groups() {
        let found = trees(
            r##""static", /* no */ prefix = r#"/a"#, include = ["*.css", "b\"\x41\u{e9}\
                c"], crate = ::x, 'a"##,
        );
        assert_eq!(
            found,
            vec![
                s("static"),
                Tree::Punct(','),
                w("prefix"),
                Tree::Punct('='),
                s("/a"),
                Tree::Punct(','),
                w("include"),
                Tree::Punct('='),
                Tree::Group('[', vec![s("*.css"), Tree::Punct(','), s("b\"Aéc")]),
                Tree::Punct(','),
                w("crate"),
                Tree::Punct('='),
                Tree::Punct(':'),
                Tree::Punct(':'),
                w("x"),
                Tree::Punct(','),
                w("'a"),
            ]
        );
        assert_eq!(Tree::text(&found[12..15]), "::x");
        let mut literals = Vec::new();
        Tree::literals(&found, &mut literals);
        assert_eq!(literals, ["static", "/a", "*.css", "b\"Aéc"]);
    }

    #[test]
    fn unbalanced_input_does_not_panic() {
        for text in [
            "(", ")", "[(]", "\"", "r#\"", "'", "\"\\", "\"\\u{", "\"\\x4", "é'",
        ] {
            let _ = trees(text);
        }
        assert_eq!(trees("(\"a\""), vec![Tree::Group('(', vec![s("a")])]);
    }
}
