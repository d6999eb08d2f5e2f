//! The parts of CommonMark the guide's checks read: fenced blocks, the prose outside code,
//! ATX headings and the anchors mdBook and GitHub give them, and pipe tables.

/// A fenced code block of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FencedBlock {
    /// The info string after the fence (`rust,ignore`, `console`), trimmed.
    pub info: String,
    /// The line of the opening fence, counted from 1.
    pub line: usize,
    /// The lines between the fences, the opening fence's indentation taken off each.
    pub body: String,
    /// The last line that is not blank before the opening fence (a marker such as
    /// `<!-- grown: src/main.rs -->`), trimmed; `None` at the top of the page.
    pub preceding: Option<String>,
}

impl FencedBlock {
    /// The first word of the info string: the language (`rust` of `rust,ignore`).
    pub fn language(&self) -> &str {
        self.info
            .split(|c: char| c == ',' || c.is_whitespace())
            .next()
            .unwrap_or("")
    }

    /// The attributes after the language (`ignore`, `no_run`).
    pub fn attributes(&self) -> impl Iterator<Item = &str> {
        self.info
            .split(|c: char| c == ',' || c.is_whitespace())
            .skip(1)
            .filter(|attribute| !attribute.is_empty())
    }
}

/// An opening fence: its indentation, character and length, and its info string.
fn opening_fence(line: &str) -> Option<(usize, char, usize, &str)> {
    // Any indentation: a fence inside a list item is indented by the item's.
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[indent..];
    let fence = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let length = rest.len() - rest.trim_start_matches(fence).len();
    let info = rest[length..].trim();
    // A backtick fence's info string has no backtick (else it is a code span).
    (length >= 3 && !(fence == '`' && info.contains('`'))).then_some((indent, fence, length, info))
}

fn is_closing_fence(line: &str, fence: char, length: usize) -> bool {
    let trimmed = line.trim();
    trimmed.len() >= length && trimmed.chars().all(|c| c == fence)
}

/// Every fenced block of `text`, in order. A fence left open runs to the end of the text,
/// as in CommonMark.
pub fn fenced_blocks(text: &str) -> Vec<FencedBlock> {
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    let mut preceding: Option<String> = None;
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index];
        let Some((indent, fence, length, info)) = opening_fence(line) else {
            if !line.trim().is_empty() {
                preceding = Some(line.trim().to_owned());
            }
            index += 1;
            continue;
        };
        let start = index;
        index += 1;
        let mut body = String::new();
        while index < lines.len() && !is_closing_fence(lines[index], fence, length) {
            let body_line = lines[index];
            let strip = body_line.len() - body_line.trim_start_matches(' ').len();
            body.push_str(&body_line[strip.min(indent)..]);
            body.push('\n');
            index += 1;
        }
        blocks.push(FencedBlock {
            info: info.to_owned(),
            line: start + 1,
            body,
            preceding: preceding.take(),
        });
        preceding = lines.get(index).map(|line| line.trim().to_owned());
        index += 1;
    }
    blocks
}

/// `text` with what is not prose blanked: fenced blocks, code spans and HTML comments
/// become spaces, so links and headings are read from the prose alone while every line
/// keeps its number (and every character its column).
pub fn prose(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut open: Option<(char, usize)> = None;
    for line in text.lines() {
        match open {
            Some((fence, length)) => {
                if is_closing_fence(line, fence, length) {
                    open = None;
                }
                out.push(blank(line));
            }
            None => {
                if let Some((_, fence, length, _)) = opening_fence(line) {
                    open = Some((fence, length));
                    out.push(blank(line));
                } else {
                    out.push(line.to_owned());
                }
            }
        }
    }
    let joined = out.join("\n");
    blank_code_spans(&blank_comments(&joined))
}

fn blank(text: &str) -> String {
    text.chars()
        .map(|c| if c == '\n' { '\n' } else { ' ' })
        .collect()
}

fn blank_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("-->")
            .map_or(rest.len(), |end| start + end + 3);
        out.push_str(&blank(&rest[start..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Blanks code spans: a run of N backticks up to the next run of exactly N (the run
/// itself included); a run with no closer is literal text.
fn blank_code_spans(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = chars.clone();
    let run_at = |at: usize| chars[at..].iter().take_while(|c| **c == '`').count();
    let mut index = 0;
    while index < chars.len() {
        if chars[index] != '`' || (index > 0 && chars[index - 1] == '\\') {
            index += 1;
            continue;
        }
        let length = run_at(index);
        let mut search = index + length;
        let mut close = None;
        while search < chars.len() {
            if chars[search] == '`' {
                let run = run_at(search);
                if run == length {
                    close = Some(search);
                    break;
                }
                search += run;
            } else {
                search += 1;
            }
        }
        match close {
            Some(close) => {
                for c in &mut out[index..close + length] {
                    if *c != '\n' {
                        *c = ' ';
                    }
                }
                index = close + length;
            }
            None => index += length,
        }
    }
    out.into_iter().collect()
}

/// The ATX headings of `text` (outside fenced blocks) as (line, text), the `#`s and a
/// closing sequence taken off.
pub fn headings(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut open: Option<(char, usize)> = None;
    for (index, line) in text.lines().enumerate() {
        if let Some((fence, length)) = open {
            if is_closing_fence(line, fence, length) {
                open = None;
            }
            continue;
        }
        if let Some((_, fence, length, _)) = opening_fence(line) {
            open = Some((fence, length));
            continue;
        }
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[indent..];
        let level = rest.len() - rest.trim_start_matches('#').len();
        if indent > 3 || !(1..=6).contains(&level) {
            continue;
        }
        let after = &rest[level..];
        if !(after.is_empty() || after.starts_with([' ', '\t'])) {
            continue;
        }
        let mut title = after.trim();
        // A closing sequence of `#`s after a space.
        let without = title.trim_end_matches('#');
        if without.is_empty() || without.ends_with([' ', '\t']) {
            title = without.trim_end();
        }
        found.push((index + 1, title.to_owned()));
    }
    found
}

/// Which lowercasing a slug uses: mdBook lowercases ASCII letters only, GitHub every
/// letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlugFlavor {
    /// mdBook's `normalize_id`.
    MdBook,
    /// GitHub's Markdown renderer.
    GitHub,
}

/// The anchor of a heading: its text as rendered (links become their text, code spans and
/// HTML tags their contents), lowercased; letters, digits, `-` and `_` kept; each
/// whitespace character becomes `-`; every other character dropped.
pub fn slug(heading: &str, flavor: SlugFlavor) -> String {
    rendered_text(heading)
        .trim()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                Some(match flavor {
                    SlugFlavor::MdBook => c.to_ascii_lowercase().to_string(),
                    SlugFlavor::GitHub => c.to_lowercase().collect(),
                })
            } else if c.is_whitespace() {
                Some("-".to_owned())
            } else {
                None
            }
        })
        .collect()
}

/// A heading's text without its Markdown: `[text](url)` becomes `text`, HTML tags and
/// the entities mdBook drops go; the punctuation left is dropped by [`slug`].
fn rendered_text(heading: &str) -> String {
    let mut text = String::new();
    let mut rest = heading;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](").map(|close| open + close) else {
            break;
        };
        let Some(end) = rest[close..].find(')').map(|end| close + end) else {
            break;
        };
        text.push_str(&rest[..open]);
        text.push_str(&rest[open + 1..close]);
        rest = &rest[end + 1..];
    }
    text.push_str(rest);
    let mut without_tags = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' if !in_tag => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => without_tags.push(c),
            _ => {}
        }
    }
    without_tags
}

/// The anchors of a page's headings, in order: a repeated slug gets `-1`, `-2`, ... as
/// both renderers number them.
pub fn anchors(text: &str, flavor: SlugFlavor) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for (_, heading) in headings(text) {
        let base = slug(&heading, flavor);
        let mut anchor = base.clone();
        let mut counter = 0;
        while seen.contains(&anchor) {
            counter += 1;
            anchor = format!("{base}-{counter}");
        }
        seen.push(anchor);
    }
    seen
}

/// The rows of the first pipe table in `text` whose header row's cells are `header`
/// (compared trimmed): each row's cells, trimmed, with `\|` read as `|`, as
/// (line, cells). `None` when no such table is there.
pub fn table(text: &str, header: &[&str]) -> Option<Vec<(usize, Vec<String>)>> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|line| line.trim_start().starts_with('|') && cells(line) == header)?;
    let rows = lines[start + 2..]
        .iter()
        .enumerate()
        .take_while(|(_, line)| line.trim_start().starts_with('|'))
        .map(|(offset, line)| (start + 3 + offset, cells(line)))
        .collect();
    Some(rows)
}

/// A cell as compared with the code: code marks off (`` `true` `` reads `true`).
pub fn plain(cell: &str) -> String {
    cell.replace('`', "")
}

/// The cells of a table row (`| a | b |`), trimmed, `\|` read as `|`.
pub fn cells(row: &str) -> Vec<String> {
    let row = row.trim();
    let row = row.strip_prefix('|').unwrap_or(row);
    let row = row.strip_suffix('|').unwrap_or(row);
    let mut cells = vec![String::new()];
    let mut chars = row.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cells.last_mut().expect("one cell at least").push('|');
                chars.next();
            }
            '|' => cells.push(String::new()),
            _ => cells.last_mut().expect("one cell at least").push(c),
        }
    }
    cells.iter().map(|cell| cell.trim().to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_and_their_markers() {
        let text = "# T\n\n<!-- m: a -->\n```rust,ignore\nfn a() {}\n```\ntext\n  ```sh\n  ls\n    x\n  ```\n";
        let blocks = fenced_blocks(text);
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].language(), "rust");
        assert_eq!(blocks[0].attributes().collect::<Vec<_>>(), ["ignore"]);
        assert_eq!(blocks[0].line, 4);
        assert_eq!(blocks[0].preceding.as_deref(), Some("<!-- m: a -->"));
        assert_eq!(blocks[0].body, "fn a() {}\n");
        assert_eq!(blocks[1].body, "ls\n  x\n");
        assert_eq!(blocks[1].preceding.as_deref(), Some("text"));
    }

    #[test]
    fn prose_blanks_code() {
        let text = "a `[x](y)` b\n```\n[z](w)\n```\n<!-- [c](d) -->\n``a ` b`` [e](f)";
        let prose = prose(text);
        assert_eq!(prose.lines().count(), text.lines().count());
        assert!(!prose.contains("(y)") && !prose.contains("(w)") && !prose.contains("(d)"));
        assert!(prose.contains("[e](f)"), "{prose}");
    }
}
