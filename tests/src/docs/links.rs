//! Links as a reader follows them: every relative link and image of a page resolves to a
//! file, every `#anchor` to a heading, and every mdBook `{{#include}}` to a file and its
//! anchor. A page is read as mdBook renders it, includes expanded: an included link is
//! followed from the page that includes it, and an included heading is that page's.

use super::markdown::{anchors, prose, SlugFlavor};
use std::path::{Component, Path, PathBuf};

/// Where a line of an expanded page comes from: a file relative to the root and a line,
/// and the include chain that brought it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file the line is written in.
    pub path: PathBuf,
    /// Its line there, from 1.
    pub line: usize,
    /// `page:line` of each `{{#include}}` that brought it in, outermost first.
    pub included_by: Vec<String>,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.line)?;
        for by in self.included_by.iter().rev() {
            write!(f, " (included by {by})")?;
        }
        Ok(())
    }
}

/// A page with its `{{#include}}` directives replaced by what they include.
#[derive(Debug, Clone)]
pub struct Expanded {
    /// The page, relative to the root.
    pub path: PathBuf,
    /// The lines as mdBook sees them.
    pub lines: Vec<String>,
    /// Where each line comes from.
    pub origins: Vec<Origin>,
}

impl Expanded {
    /// The expanded text.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }
}

/// One `{{#include path}}` or `{{#include path:anchor}}` (also `rustdoc_include`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Include {
    /// Byte range of the directive in its line.
    range: std::ops::Range<usize>,
    path: String,
    /// An anchor name; `None` for the whole file or a line range.
    anchor: Option<String>,
    /// `start:end` lines (from 1, inclusive; either may be left out).
    lines: Option<(Option<usize>, Option<usize>)>,
}

fn includes_in(line: &str) -> Vec<Include> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(start) = line[from..].find("{{#").map(|at| from + at) {
        let Some(end) = line[start..].find("}}").map(|at| start + at + 2) else {
            break;
        };
        from = end;
        let inner = line[start + 3..end - 2].trim();
        let Some(argument) = inner
            .strip_prefix("include ")
            .or_else(|| inner.strip_prefix("rustdoc_include "))
        else {
            continue;
        };
        if start > 0 && line.as_bytes()[start - 1] == b'\\' {
            continue; // `\{{#include}}` is mdBook's escape
        }
        let argument = argument.trim();
        let (path, selector) = argument
            .split_once(':')
            .map_or((argument, None), |(path, rest)| (path, Some(rest)));
        let mut include = Include {
            range: start..end,
            path: path.to_owned(),
            anchor: None,
            lines: None,
        };
        if let Some(selector) = selector {
            if selector.chars().all(|c| c.is_ascii_digit() || c == ':') {
                let (first, last) = selector.split_once(':').unwrap_or((selector, selector));
                include.lines = Some((first.parse().ok(), last.parse().ok()));
            } else {
                include.anchor = Some(selector.to_owned());
            }
        }
        found.push(include);
    }
    found
}

/// Whether `line` is an anchor line of mdBook's (`ANCHOR: name`, `ANCHOR_END: name`),
/// and which.
fn anchor_line(line: &str) -> Option<(bool, &str)> {
    for (marker, end) in [("ANCHOR_END:", true), ("ANCHOR:", false)] {
        if let Some(at) = line.find(marker) {
            let name = line[at + marker.len()..].trim_start();
            let name = &name[..name
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                .unwrap_or(name.len())];
            return Some((end, name));
        }
    }
    None
}

/// Expands the page `path` (relative to `root`). Problems with its includes (a missing
/// file, an anchor the file lacks) are pushed to `problems`, naming the directive.
pub fn expand(root: &Path, path: &Path, problems: &mut Vec<String>) -> Expanded {
    let text = std::fs::read_to_string(root.join(path))
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let mut expanded = Expanded {
        path: path.to_owned(),
        lines: Vec::new(),
        origins: Vec::new(),
    };
    expand_into(root, path, &text, 1, &[], &mut expanded, problems);
    expanded
}

fn expand_into(
    root: &Path,
    path: &Path,
    text: &str,
    first_line: usize,
    chain: &[String],
    out: &mut Expanded,
    problems: &mut Vec<String>,
) {
    for (offset, line) in text.lines().enumerate() {
        let number = first_line + offset;
        let origin = Origin {
            path: path.to_owned(),
            line: number,
            included_by: chain.to_vec(),
        };
        let found = includes_in(line);
        if found.is_empty() || chain.len() > 8 {
            out.lines.push(line.to_owned());
            out.origins.push(origin);
            continue;
        }
        // Text around a directive stays on the line of the included text's first (or
        // last) line.
        let mut rest_start = 0;
        let mut current = String::new();
        let mut current_origin = origin.clone();
        for include in found {
            current.push_str(&line[rest_start..include.range.start]);
            rest_start = include.range.end;
            let Some((included, start)) = included_text(root, path, &include, &origin, problems)
            else {
                continue;
            };
            let target = lexical(&path.parent().unwrap_or(Path::new("")).join(&include.path));
            let mut inner_chain = chain.to_vec();
            inner_chain.push(format!("{}:{number}", path.display()));
            let mut inner = Expanded {
                path: target.clone(),
                lines: Vec::new(),
                origins: Vec::new(),
            };
            expand_into(
                root,
                &target,
                &included,
                start,
                &inner_chain,
                &mut inner,
                problems,
            );
            for (index, (text, text_origin)) in
                inner.lines.into_iter().zip(inner.origins).enumerate()
            {
                if index == 0 {
                    if current.trim().is_empty() {
                        current_origin = text_origin;
                    }
                    current.push_str(&text);
                } else {
                    out.lines.push(std::mem::replace(&mut current, text));
                    out.origins
                        .push(std::mem::replace(&mut current_origin, text_origin));
                }
            }
        }
        current.push_str(&line[rest_start..]);
        out.lines.push(current);
        out.origins.push(current_origin);
    }
}

/// The text `include` brings in, and the line of the included file it starts at.
fn included_text(
    root: &Path,
    page: &Path,
    include: &Include,
    origin: &Origin,
    problems: &mut Vec<String>,
) -> Option<(String, usize)> {
    let target = lexical(&page.parent().unwrap_or(Path::new("")).join(&include.path));
    let Ok(text) = std::fs::read_to_string(root.join(&target)) else {
        problems.push(format!(
            "{origin}: {{{{#include {}}}}}: {} does not exist",
            include.path,
            target.display()
        ));
        return None;
    };
    let lines: Vec<&str> = text.lines().collect();
    if let Some(anchor) = &include.anchor {
        let start = lines
            .iter()
            .position(|line| anchor_line(line) == Some((false, anchor)));
        let end = lines
            .iter()
            .position(|line| anchor_line(line) == Some((true, anchor)));
        let (Some(start), Some(end)) = (start, end) else {
            problems.push(format!(
                "{origin}: {{{{#include {}:{anchor}}}}}: {} has no `ANCHOR: {anchor}` and \
                 `ANCHOR_END: {anchor}` pair",
                include.path,
                target.display()
            ));
            return None;
        };
        if end < start {
            problems.push(format!(
                "{origin}: {}'s `ANCHOR_END: {anchor}` comes before its `ANCHOR: {anchor}`",
                target.display()
            ));
            return None;
        }
        // mdBook drops every anchor line inside the region; the text's lines are kept
        // blank here so the line numbers stay those of the file.
        let body: Vec<&str> = lines[start + 1..end]
            .iter()
            .map(|line| {
                if anchor_line(line).is_some() {
                    ""
                } else {
                    line
                }
            })
            .collect();
        return Some((body.join("\n"), start + 2));
    }
    if let Some((first, last)) = include.lines {
        let first = first.unwrap_or(1).max(1);
        let last = last.unwrap_or(lines.len()).min(lines.len());
        if first > last {
            problems.push(format!(
                "{origin}: {{{{#include {}}}}}: the lines are outside {}",
                include.path,
                target.display()
            ));
            return None;
        }
        return Some((lines[first - 1..last].join("\n"), first));
    }
    Some((text, 1))
}

/// `path` with `.` and `..` resolved by name (no file system access).
pub fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// What a link points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// `[text](target)`.
    Inline,
    /// `![alt](target)`.
    Image,
    /// `[label]: target`.
    Definition,
}

/// A link of a page, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The line of the expanded page (from 0) it is on.
    pub line: usize,
    /// Link, image or reference definition.
    pub kind: LinkKind,
    /// The destination as written (`../x.md#y`).
    pub target: String,
}

/// The links of `prose` (text whose code is blanked, see [`prose`]): inline links and
/// images, reference definitions, and `[text][label]` uses whose label has no definition
/// (as `Err(label)`: rendered as plain text, a broken link).
pub fn links(prose: &str) -> (Vec<Link>, Vec<(usize, String)>) {
    let chars: Vec<char> = prose.chars().collect();
    let mut line_of = Vec::with_capacity(chars.len());
    let mut line = 0;
    for c in &chars {
        line_of.push(line);
        if *c == '\n' {
            line += 1;
        }
    }
    let mut found = Vec::new();
    let mut definitions: Vec<String> = Vec::new();
    let mut uses: Vec<(usize, String)> = Vec::new();
    for (index, c) in chars.iter().enumerate() {
        if *c != '[' || (index > 0 && chars[index - 1] == '\\') {
            continue;
        }
        let Some(close) = matching_bracket(&chars, index) else {
            continue;
        };
        let at_line_start = prose_line_start(&chars, index);
        match chars.get(close + 1) {
            Some('(') => {
                if let Some(target) = destination(&chars, close + 2) {
                    let image = index > 0 && chars[index - 1] == '!';
                    found.push(Link {
                        line: line_of[index],
                        kind: if image {
                            LinkKind::Image
                        } else {
                            LinkKind::Inline
                        },
                        target,
                    });
                }
            }
            Some(':') if at_line_start => {
                let label: String = chars[index + 1..close].iter().collect();
                let rest: String = chars[close + 2..]
                    .iter()
                    .take_while(|c| **c != '\n')
                    .collect();
                let target = rest.split_whitespace().next().unwrap_or("");
                let target = target.trim_start_matches('<').trim_end_matches('>');
                definitions.push(label.to_lowercase());
                found.push(Link {
                    line: line_of[index],
                    kind: LinkKind::Definition,
                    target: target.to_owned(),
                });
            }
            Some('[') => {
                if let Some(label_close) = matching_bracket(&chars, close + 1) {
                    let mut label: String = chars[close + 2..label_close].iter().collect();
                    if label.is_empty() {
                        label = chars[index + 1..close].iter().collect();
                    }
                    uses.push((line_of[index], label.to_lowercase()));
                }
            }
            _ => {}
        }
    }
    let undefined = uses
        .into_iter()
        .filter(|(_, label)| !definitions.contains(label))
        .collect();
    (found, undefined)
}

fn prose_line_start(chars: &[char], index: usize) -> bool {
    chars[..index]
        .iter()
        .rev()
        .take_while(|c| **c != '\n')
        .all(|c| *c == ' ')
}

fn matching_bracket(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0;
    for (index, c) in chars.iter().enumerate().skip(open) {
        match c {
            '[' if index == open || chars[index - 1] != '\\' => depth += 1,
            ']' if chars[index - 1] != '\\' => {
                depth -= 1;
                if depth == 0 {
                    return Some(index);
                }
            }
            // A blank line ends the paragraph, and with it any link.
            '\n' if chars.get(index + 1) == Some(&'\n') => return None,
            _ => {}
        }
    }
    None
}

/// The destination of an inline link whose `(` is just before `start`: `<...>`, or up to
/// whitespace or the `)` that balances the `(`.
fn destination(chars: &[char], start: usize) -> Option<String> {
    let mut index = start;
    while chars.get(index).is_some_and(|c| *c == ' ') {
        index += 1;
    }
    if chars.get(index) == Some(&'<') {
        let end = chars[index..].iter().position(|c| *c == '>')? + index;
        return Some(chars[index + 1..end].iter().collect());
    }
    let mut depth = 0;
    let mut target = String::new();
    for c in &chars[index..] {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some(target),
            ')' => depth -= 1,
            c if c.is_whitespace() => return Some(target),
            _ => {}
        }
        target.push(*c);
    }
    None
}

/// Whether `target` leaves the repository's files: a URL with a scheme we do not follow.
fn is_external(target: &str) -> bool {
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| target.to_ascii_lowercase().starts_with(scheme))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = bytes
            .get(index + 1..index + 3)
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (bytes[index], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                index += 3;
            }
            (byte, _) => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The anchors a heading of `page` gets in both renderers (a link must work in the book
/// and on GitHub).
fn page_anchors(root: &Path, page: &Path) -> Vec<String> {
    let expanded = expand(root, page, &mut Vec::new());
    let text = expanded.text();
    let book = anchors(&text, SlugFlavor::MdBook);
    anchors(&text, SlugFlavor::GitHub)
        .into_iter()
        .filter(|anchor| book.contains(anchor))
        .collect()
}

/// Every broken link, image, reference and include of `pages` (relative to `root`), each
/// as `page:line: what`. Text inside code spans, fenced blocks and HTML comments is not
/// read, and `http(s):`/`mailto:` links are not followed.
pub fn broken_links(root: &Path, pages: &[PathBuf]) -> Vec<String> {
    let mut problems = Vec::new();
    for page in pages {
        let expanded = expand(root, page, &mut problems);
        let (found, undefined) = links(&prose(&expanded.text()));
        for (line, label) in undefined {
            problems.push(format!(
                "{}: the reference `[{label}]` has no definition",
                expanded.origins[line]
            ));
        }
        for link in found {
            let origin = &expanded.origins[link.line];
            if let Some(problem) = check_target(root, page, &link) {
                problems.push(format!("{origin}: {problem}"));
            }
        }
    }
    problems
}

fn check_target(root: &Path, page: &Path, link: &Link) -> Option<String> {
    let target = link.target.as_str();
    if is_external(target) {
        return None;
    }
    let what = match link.kind {
        LinkKind::Image => "image",
        LinkKind::Inline => "link",
        LinkKind::Definition => "reference",
    };
    if target.is_empty() {
        return Some(format!("{what} with an empty target"));
    }
    let (file, anchor) = target
        .split_once('#')
        .map_or((target, None), |(file, anchor)| (file, Some(anchor)));
    let file = file.split('?').next().unwrap_or("");
    if file.starts_with('/') {
        return Some(format!(
            "{what} `{target}`: an absolute path is relative to neither GitHub's page nor the book's"
        ));
    }
    let resolved = if file.is_empty() {
        page.to_owned()
    } else {
        lexical(
            &page
                .parent()
                .unwrap_or(Path::new(""))
                .join(percent_decode(file)),
        )
    };
    if resolved.starts_with("..") || !root.join(&resolved).exists() {
        return Some(format!(
            "{what} `{target}`: {} does not exist",
            resolved.display()
        ));
    }
    let anchor = anchor?;
    if resolved
        .extension()
        .is_none_or(|extension| extension != "md")
    {
        return None; // a source file's `#L12` is GitHub's, not a heading
    }
    let known = page_anchors(root, &resolved);
    (!known.iter().any(|known| known == anchor)).then(|| {
        format!(
            "{what} `{target}`: {} has no heading with the anchor `#{anchor}` (its anchors: {})",
            resolved.display(),
            known.join(", ")
        )
    })
}

/// The links of the book's pages (`book` relative to `root`, such as `docs/src`) that lead
/// out of it: the book is rendered from that folder alone, so such a link works on
/// GitHub but not in the book.
pub fn links_out_of_book(root: &Path, book: &Path, pages: &[PathBuf]) -> Vec<String> {
    let mut problems = Vec::new();
    for page in pages.iter().filter(|page| page.starts_with(book)) {
        let expanded = expand(root, page, &mut Vec::new());
        let (found, _) = links(&prose(&expanded.text()));
        for link in found {
            if is_external(&link.target) || link.target.starts_with('#') {
                continue;
            }
            let file = link.target.split(['#', '?']).next().unwrap_or("");
            let resolved = lexical(&page.parent().unwrap_or(Path::new("")).join(file));
            if !resolved.starts_with(book) {
                problems.push(format!(
                    "{}: `{}` leads out of {} ({}): the book has no such page; link to it by URL",
                    expanded.origins[link.line],
                    link.target,
                    book.display(),
                    resolved.display()
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_images_definitions_and_references() {
        let text =
            "[a](x.md#y) ![b](img/c.png \"t\") [[d](e.md)](f.md)\n[g][h] [i][]\n\n[h]: <h.md>\n";
        let (found, undefined) = links(text);
        let targets: Vec<(LinkKind, &str)> = found
            .iter()
            .map(|link| (link.kind, link.target.as_str()))
            .collect();
        assert_eq!(
            targets,
            [
                (LinkKind::Inline, "x.md#y"),
                (LinkKind::Image, "img/c.png"),
                (LinkKind::Inline, "f.md"),
                (LinkKind::Inline, "e.md"),
                (LinkKind::Definition, "h.md"),
            ]
        );
        assert_eq!(undefined, [(1, "i".to_owned())]);
    }

    #[test]
    fn directives() {
        let found =
            includes_in("a {{#include ../../README.md:quick-start}} b {{#include x.rs:3:5}}");
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].path, "../../README.md");
        assert_eq!(found[0].anchor.as_deref(), Some("quick-start"));
        assert_eq!(found[1].lines, Some((Some(3), Some(5))));
        assert_eq!(
            anchor_line("<!-- ANCHOR_END: quick-start -->"),
            Some((true, "quick-start"))
        );
        assert_eq!(
            lexical(Path::new("docs/src/../../README.md")),
            Path::new("README.md")
        );
    }
}
