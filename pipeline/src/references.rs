//! Finding the asset references inside CSS and JavaScript, with their places.
//!
//! Small hand-written scanners rather than regular expressions, so that comments and
//! unrelated strings are skipped (Django ticket 21080: `url()` inside a CSS comment was
//! rewritten) and every match knows its line and column.

/// One reference found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Byte range of the URL text (without quotes) in the file.
    pub start: usize,
    /// End of the range (exclusive).
    pub end: usize,
    /// 1-based line of `start`.
    pub line: usize,
    /// 1-based column (in characters) of `start`.
    pub column: usize,
    /// What kind of reference it is.
    pub kind: ReferenceKind,
}

/// The syntax a reference was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceKind {
    /// CSS `url(...)`, quoted or not, including `@import url(...)`.
    CssUrl,
    /// CSS `@import "..."`.
    CssImport,
    /// `sourceMappingURL=` in a CSS or JS comment.
    SourceMap,
    /// A static JavaScript module specifier: `import ... from`, `export ... from`,
    /// `import "..."`. These form a module's static import graph (what `modulepreload`
    /// fetches ahead).
    JsImport,
    /// A dynamic import's literal specifier: `import("...")`, fetched only when it runs.
    JsDynamicImport,
}

/// A function that finds the references in a file's bytes.
pub(crate) type Scanner = fn(&[u8]) -> Vec<Reference>;

/// Which scanner a file gets, by extension.
pub(crate) fn scanner_for(canonical: &str) -> Option<Scanner> {
    let extension = canonical
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())?;
    match extension.as_str() {
        "css" => Some(scan_css),
        "js" | "mjs" => Some(scan_js),
        _ => None,
    }
}

fn position(text: &[u8], offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&text[line_start..offset])
        .chars()
        .count()
        + 1;
    (line, column)
}

fn reference(text: &[u8], start: usize, end: usize, kind: ReferenceKind) -> Reference {
    let (line, column) = position(text, start);
    Reference {
        start,
        end,
        line,
        column,
        kind,
    }
}

fn is_ident(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-' || byte == b'$' || byte >= 0x80
}

fn skip_space(text: &[u8], mut i: usize) -> usize {
    while i < text.len() && text[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The end of a quoted string starting at `i` (the quote), past the closing quote.
fn string_end(text: &[u8], i: usize) -> usize {
    let quote = text[i];
    let mut j = i + 1;
    while j < text.len() {
        match text[j] {
            b'\\' => j += 2,
            b if b == quote => return j + 1,
            b'\n' if quote != b'`' => return j,
            _ => j += 1,
        }
    }
    text.len()
}

/// When a quoted string starts at `j`: records its content as a reference of `kind` and
/// returns the index past the closing quote.
fn quoted(text: &[u8], j: usize, kind: ReferenceKind, out: &mut Vec<Reference>) -> Option<usize> {
    if j >= text.len() || (text[j] != b'"' && text[j] != b'\'') {
        return None;
    }
    let end = string_end(text, j);
    // Without a closing quote (a newline or the end came first) the content runs to `end`.
    let closed = end > j + 1 && text[end - 1] == text[j];
    let content_end = if closed { end - 1 } else { end };
    out.push(reference(text, j + 1, content_end.max(j + 1), kind));
    Some(end)
}

/// Skips a `/* ... */` comment starting at `i`, recording a source map named in it;
/// returns the index past it.
fn block_comment(text: &[u8], i: usize, out: &mut Vec<Reference>) -> usize {
    let close = text[i + 2..]
        .windows(2)
        .position(|w| w == b"*/")
        .map_or(text.len(), |p| i + 2 + p);
    source_map_in(text, i + 2, close, out);
    (close + 2).min(text.len())
}

/// `sourceMappingURL=` inside a comment body `[from, to)`.
fn source_map_in(text: &[u8], from: usize, to: usize, out: &mut Vec<Reference>) {
    let body = &text[from..to];
    let trimmed_start = from
        + body
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(body.len());
    let rest = &text[trimmed_start..to];
    for marker in [&b"# sourceMappingURL="[..], b"@ sourceMappingURL="] {
        if rest.starts_with(marker) {
            let start = trimmed_start + marker.len();
            let end = start
                + text[start..to]
                    .iter()
                    .position(|b| b.is_ascii_whitespace())
                    .unwrap_or(to - start);
            if end > start {
                out.push(reference(text, start, end, ReferenceKind::SourceMap));
            }
        }
    }
}

/// References in a stylesheet.
pub fn scan_css(text: &[u8]) -> Vec<Reference> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'/' if text.get(i + 1) == Some(&b'*') => i = block_comment(text, i, &mut out),
            b'"' | b'\'' => i = string_end(text, i),
            b'@' if text[i + 1..].len() >= 6
                && text[i + 1..i + 7].eq_ignore_ascii_case(b"import") =>
            {
                let j = skip_space(text, i + 7);
                i = if j > i + 7 {
                    quoted(text, j, ReferenceKind::CssImport, &mut out).unwrap_or(i + 7)
                } else {
                    i + 7
                };
            }
            b'u' | b'U'
                if text[i..].len() >= 4
                    && text[i..i + 4].eq_ignore_ascii_case(b"url(")
                    && (i == 0 || !is_ident(text[i - 1])) =>
            {
                let j = skip_space(text, i + 4);
                if let Some(end) = quoted(text, j, ReferenceKind::CssUrl, &mut out) {
                    i = end;
                } else {
                    let close = text[j..]
                        .iter()
                        .position(|&b| b == b')')
                        .map_or(text.len(), |p| j + p);
                    let mut end = close;
                    while end > j && text[end - 1].is_ascii_whitespace() {
                        end -= 1;
                    }
                    if end > j {
                        out.push(reference(text, j, end, ReferenceKind::CssUrl));
                    }
                    i = close;
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// References in a script: the source map comment and relative module specifiers' places
/// (every specifier; which ones are rewritten is decided when resolving).
pub fn scan_js(text: &[u8]) -> Vec<Reference> {
    let mut out = Vec::new();
    let mut i = 0;
    // Whether the previous significant token lets `import`/`from` be a keyword here
    // (not a property access like `x.import`).
    let mut after_dot = false;
    while i < text.len() {
        let byte = text[i];
        match byte {
            b'/' if text.get(i + 1) == Some(&b'/') => {
                let end = text[i..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(text.len(), |p| i + p);
                source_map_in(text, i + 2, end, &mut out);
                i = end;
            }
            b'/' if text.get(i + 1) == Some(&b'*') => i = block_comment(text, i, &mut out),
            b'"' | b'\'' | b'`' => {
                i = string_end(text, i);
                after_dot = false;
            }
            b'.' => {
                after_dot = true;
                i += 1;
            }
            b if is_ident(b) => {
                let start = i;
                while i < text.len() && is_ident(text[i]) {
                    i += 1;
                }
                let word = &text[start..i];
                let keyword = !after_dot && (start == 0 || !is_ident(text[start - 1]));
                after_dot = false;
                if keyword && (word == b"from" || word == b"import") {
                    let mut j = skip_space(text, i);
                    let mut kind = ReferenceKind::JsImport;
                    if word == b"import" && text.get(j) == Some(&b'(') {
                        j = skip_space(text, j + 1);
                        kind = ReferenceKind::JsDynamicImport;
                    }
                    // Minified code writes `from"./x.js"` and `import"./x.js"`: no space needed.
                    if let Some(end) = quoted(text, j, kind, &mut out) {
                        i = end;
                    }
                }
            }
            _ => {
                if !byte.is_ascii_whitespace() {
                    after_dot = false;
                }
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(scan: fn(&[u8]) -> Vec<Reference>, text: &str) -> Vec<(String, ReferenceKind)> {
        scan(text.as_bytes())
            .into_iter()
            .map(|r| (text[r.start..r.end].to_owned(), r.kind))
            .collect()
    }

    #[test]
    fn css_urls_imports_and_maps() {
        let css = "@import \"base.css\";\n@import url(theme.css);\n\
                   a { background: url( '../img/a.png' ) }\n\
                   b { background: URL(../img/b.png?x=1#f) }\n\
                   @font-face { src: url(\"f.eot?#iefix\") format('eot'), url(data:font/woff;base64,AA) }\n\
                   /*# sourceMappingURL=app.css.map */\n";
        assert_eq!(
            found(scan_css, css),
            vec![
                ("base.css".to_owned(), ReferenceKind::CssImport),
                ("theme.css".to_owned(), ReferenceKind::CssUrl),
                ("../img/a.png".to_owned(), ReferenceKind::CssUrl),
                ("../img/b.png?x=1#f".to_owned(), ReferenceKind::CssUrl),
                ("f.eot?#iefix".to_owned(), ReferenceKind::CssUrl),
                ("data:font/woff;base64,AA".to_owned(), ReferenceKind::CssUrl),
                ("app.css.map".to_owned(), ReferenceKind::SourceMap),
            ]
        );
    }

    #[test]
    fn css_comments_and_strings_are_not_references() {
        let css = "/* a { background: url(old.png) } */\n\
                   .x::before { content: \"url(not-a-ref.png)\" }\n\
                   .y { background: myurl(z.png) }\n";
        assert!(
            found(scan_css, css).is_empty(),
            "{:?}",
            found(scan_css, css)
        );
    }

    #[test]
    fn css_positions() {
        let css = "a{}\n  b { background: url(x.png) }";
        let refs = scan_css(css.as_bytes());
        assert_eq!((refs[0].line, refs[0].column), (2, 23));
    }

    #[test]
    fn js_module_specifiers_and_maps() {
        let js = "import a from './a.js';\nimport { b } from \"../lib/b.mjs\";\n\
                  import './side.js';\nexport * from './c.js';\nexport { d } from './d.js';\n\
                  const e = await import('./e.js');\nconst f = import ( \"./f.js\" );\n\
                  //# sourceMappingURL=app.js.map\n";
        let specs: Vec<String> = found(scan_js, js).into_iter().map(|(s, _)| s).collect();
        assert_eq!(
            specs,
            [
                "./a.js",
                "../lib/b.mjs",
                "./side.js",
                "./c.js",
                "./d.js",
                "./e.js",
                "./f.js",
                "app.js.map"
            ]
        );
        let kinds: Vec<ReferenceKind> = found(scan_js, js).into_iter().map(|(_, k)| k).collect();
        let (stat, dynamic) = (ReferenceKind::JsImport, ReferenceKind::JsDynamicImport);
        assert_eq!(kinds[..7], [stat, stat, stat, stat, stat, dynamic, dynamic]);
    }

    #[test]
    fn minified_modules_and_unterminated_strings() {
        let js = "import{a}from\"./chunk.js\";export*from'./x.js';import\"./y.js\";";
        let specs: Vec<String> = found(scan_js, js).into_iter().map(|(s, _)| s).collect();
        assert_eq!(specs, ["./chunk.js", "./x.js", "./y.js"]);
        let css = "a { background: url(\"img/a.png\n}";
        assert_eq!(found(scan_css, css)[0].0, "img/a.png");
    }

    #[test]
    fn js_strings_comments_and_properties_are_skipped() {
        let js = "const s = \"import x from './no.js'\";\n// import y from './no2.js'\n\
                  /* export * from './no3.js' */\nobj.import('./no4.js');\nconst t = `from './no5.js'`;\n";
        assert!(found(scan_js, js).is_empty(), "{:?}", found(scan_js, js));
    }
}
