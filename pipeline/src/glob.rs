//! Include/exclude globs over canonical paths.
//!
//! A small matcher on purpose: the macro runs it at build time for every file, and the
//! syntax users need for static folders is small.

use std::fmt;

/// A compiled glob pattern matched against `/`-separated canonical paths.
///
/// - `*` matches any run of characters except `/`; `?` matches one character except `/`.
/// - `**` as a whole path segment matches zero or more folders.
/// - `[abc]`, `[a-z]` and `[!a-z]` match one character of (or not of) a set.
/// - `{css,js}` matches any of the comma-separated alternatives (not nested).
/// - A pattern without `/` matches the file name in any folder (`*.map`); a pattern with
///   `/` matches the whole path (`css/**`, `img/*.png`).
///
/// ```
/// use hyper_assets_pipeline::Glob;
///
/// let maps = Glob::new("*.map").unwrap();
/// assert!(maps.matches("js/vendor/app.js.map"));
/// let css = Glob::new("css/**/*.{css,scss}").unwrap();
/// assert!(css.matches("css/styles.css"));
/// assert!(css.matches("css/a/b/theme.scss"));
/// assert!(!css.matches("js/styles.css"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Glob {
    source: String,
    /// One entry per `{..}` alternative, each a list of path segments.
    alternatives: Vec<Vec<Segment>>,
    basename_only: bool,
}

#[derive(Clone, PartialEq, Eq, Debug)]
enum Segment {
    AnyFolders,
    Pattern(Vec<Token>),
}

#[derive(Clone, PartialEq, Eq, Debug)]
enum Token {
    Literal(char),
    AnyRun,
    AnyOne,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// Why a glob pattern could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobError {
    pattern: String,
    reason: &'static str,
}

impl fmt::Display for GlobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid glob `{}`: {}", self.pattern, self.reason)
    }
}

impl std::error::Error for GlobError {}

impl Glob {
    /// Compiles `pattern`.
    ///
    /// # Errors
    /// An empty pattern, an unclosed `[` or `{`, a nested `{`, or a `**` that is not a
    /// whole path segment.
    pub fn new(pattern: &str) -> Result<Self, GlobError> {
        let fail = |reason| GlobError {
            pattern: pattern.to_owned(),
            reason,
        };
        if pattern.is_empty() {
            return Err(fail("the pattern is empty"));
        }
        let alternatives = expand_braces(pattern).map_err(fail)?;
        let compiled = alternatives
            .iter()
            .map(|alternative| compile(alternative).map_err(fail))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            source: pattern.to_owned(),
            alternatives: compiled,
            basename_only: !pattern.contains('/'),
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the canonical `path` matches.
    pub fn matches(&self, path: &str) -> bool {
        let subject = if self.basename_only {
            path.rsplit('/').next().unwrap_or(path)
        } else {
            path
        };
        let parts: Vec<&str> = subject.split('/').collect();
        self.alternatives
            .iter()
            .any(|segments| match_segments(segments, &parts))
    }
}

impl fmt::Debug for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Glob").field(&self.source).finish()
    }
}

/// The most alternatives one pattern's `{...}` groups may expand to.
const MAX_ALTERNATIVES: usize = 256;

fn expand_braces(pattern: &str) -> Result<Vec<String>, &'static str> {
    let Some(open) = pattern.find('{') else {
        if pattern.contains('}') {
            return Err("`}` without `{`");
        }
        return Ok(vec![pattern.to_owned()]);
    };
    let rest = &pattern[open + 1..];
    let close = rest.find('}').ok_or("unclosed `{`")?;
    let inner = &rest[..close];
    if inner.contains('{') {
        return Err("nested `{` is not supported");
    }
    let head = &pattern[..open];
    let tails = expand_braces(&rest[close + 1..])?;
    // Each group multiplies the alternatives: `{a,b}{c,d}...` grows exponentially, so a
    // pattern cannot make a build (or dev mode) expand without bound.
    if tails.len().saturating_mul(inner.split(',').count()) > MAX_ALTERNATIVES {
        return Err("too many `{...}` alternatives (at most 256 in one pattern)");
    }
    let mut out = Vec::new();
    for choice in inner.split(',') {
        for tail in &tails {
            out.push(format!("{head}{choice}{tail}"));
        }
    }
    Ok(out)
}

fn compile(pattern: &str) -> Result<Vec<Segment>, &'static str> {
    pattern
        .trim_start_matches('/')
        .split('/')
        .map(|segment| {
            if segment == "**" {
                return Ok(Segment::AnyFolders);
            }
            if segment.contains("**") {
                return Err("`**` must be a whole path segment, as in `css/**/*.css`");
            }
            compile_segment(segment).map(Segment::Pattern)
        })
        .collect()
}

fn compile_segment(segment: &str) -> Result<Vec<Token>, &'static str> {
    let mut tokens = Vec::new();
    let mut chars = segment.chars().peekable();
    while let Some(c) = chars.next() {
        tokens.push(match c {
            '*' => Token::AnyRun,
            '?' => Token::AnyOne,
            '[' => {
                let negated = chars.next_if(|&c| c == '!' || c == '^').is_some();
                let mut ranges = Vec::new();
                let mut closed = false;
                while let Some(start) = chars.next() {
                    if start == ']' && !ranges.is_empty() {
                        closed = true;
                        break;
                    }
                    let end = if chars.next_if_eq(&'-').is_some() {
                        match chars.next_if(|&c| c != ']') {
                            Some(end) => end,
                            None => {
                                ranges.push((start, start));
                                ranges.push(('-', '-'));
                                continue;
                            }
                        }
                    } else {
                        start
                    };
                    ranges.push((start, end));
                }
                if !closed {
                    return Err("unclosed `[`");
                }
                Token::Class { negated, ranges }
            }
            other => Token::Literal(other),
        });
    }
    Ok(tokens)
}

// Both matchers are the classic wildcard walk: on a mismatch, go back to just after the
// last `**` (or `*`) and let it take one more item. Time is at most the product of the two
// lengths, never exponential in the number of stars (`*a*a*a*b` against `aaaa…`).

fn match_segments(segments: &[Segment], parts: &[&str]) -> bool {
    let (mut s, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while p < parts.len() {
        match segments.get(s) {
            Some(Segment::AnyFolders) => {
                star = Some((s + 1, p));
                s += 1;
                continue;
            }
            Some(Segment::Pattern(tokens)) => {
                let chars: Vec<char> = parts[p].chars().collect();
                if match_tokens(tokens, &chars) {
                    s += 1;
                    p += 1;
                    continue;
                }
            }
            None => {}
        }
        match star {
            Some((after, taken)) => {
                s = after;
                p = taken + 1;
                star = Some((after, taken + 1));
            }
            None => return false,
        }
    }
    segments[s..]
        .iter()
        .all(|segment| matches!(segment, Segment::AnyFolders))
}

fn match_tokens(tokens: &[Token], chars: &[char]) -> bool {
    let (mut t, mut c) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while c < chars.len() {
        match tokens.get(t) {
            Some(Token::AnyRun) => {
                star = Some((t + 1, c));
                t += 1;
                continue;
            }
            Some(token) if token_matches(token, chars[c]) => {
                t += 1;
                c += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((after, taken)) => {
                t = after;
                c = taken + 1;
                star = Some((after, taken + 1));
            }
            None => return false,
        }
    }
    tokens[t..]
        .iter()
        .all(|token| matches!(token, Token::AnyRun))
}

fn token_matches(token: &Token, c: char) -> bool {
    match token {
        Token::Literal(literal) => *literal == c,
        Token::AnyOne | Token::AnyRun => true,
        Token::Class { negated, ranges } => {
            ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&c)) != *negated
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(pattern: &str) -> Glob {
        Glob::new(pattern).unwrap()
    }

    #[test]
    fn basename_patterns_match_at_any_depth() {
        assert!(glob("*.map").matches("a.js.map"));
        assert!(glob("*.map").matches("js/deep/a.js.map"));
        assert!(!glob("*.map").matches("js/a.js"));
    }

    #[test]
    fn path_patterns_match_the_whole_path() {
        assert!(glob("img/*.png").matches("img/a.png"));
        assert!(!glob("img/*.png").matches("img/sub/a.png"));
        assert!(!glob("img/*.png").matches("x/img/a.png"));
        assert!(glob("/img/*.png").matches("img/a.png"));
    }

    #[test]
    fn double_star_spans_folders() {
        let g = glob("css/**/*.css");
        assert!(g.matches("css/a.css"));
        assert!(g.matches("css/x/y/a.css"));
        assert!(!g.matches("js/a.css"));
        assert!(glob("**").matches("any/thing/at/all"));
        assert!(glob("css/**").matches("css/a/b"));
    }

    #[test]
    fn classes_and_single_chars() {
        assert!(glob("a?.css").matches("ab.css"));
        assert!(!glob("a?.css").matches("a/.css"));
        assert!(glob("[ab].txt").matches("b.txt"));
        assert!(!glob("[!ab].txt").matches("b.txt"));
        assert!(glob("[a-c]x").matches("bx"));
        assert!(glob("[a-]x").matches("-x"));
        assert!(glob("[]]").matches("]"));
    }

    #[test]
    fn braces_expand() {
        let g = glob("*.{css,js}");
        assert!(g.matches("a.css") && g.matches("b/a.js"));
        assert!(!g.matches("a.png"));
    }

    #[test]
    fn star_does_not_cross_folders() {
        assert!(!glob("css/*").matches("css/a/b.css"));
    }

    #[test]
    fn hostile_patterns_stay_cheap() {
        // Found by fuzzing: brace groups multiply without bound.
        assert!(Glob::new(&"{a,b,c,d}".repeat(8)).is_err());
        assert!(Glob::new(&"{a,b}".repeat(8)).is_ok());
        // Many stars against a long near-miss: linear-time matching, not backtracking.
        let stars = format!("{}b", "*a".repeat(40));
        let path = "a".repeat(5000);
        assert!(!glob(&stars).matches(&path));
        let deep = format!("{}x", "**/".repeat(40));
        let folders = vec!["d"; 400].join("/");
        assert!(!glob(&deep).matches(&folders));
        assert!(glob(&deep).matches(&format!("{folders}/x")));
    }

    #[test]
    fn errors_are_reported() {
        for bad in ["", "[ab", "{a,b", "a}", "{a,{b}}", "a**b/c"] {
            let err = Glob::new(bad).unwrap_err();
            assert!(err.to_string().contains("invalid glob"), "{bad}: {err}");
        }
    }
}
