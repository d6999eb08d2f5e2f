//! The Rust blocks of the guide as programs. A block that follows a project marker
//! (`<!-- grown: src/main.rs -->`) is a file of an example crate that
//! `tests/tests/cargo_builds.rs` builds; any other is a fragment, made a program the way
//! mdBook and rustdoc do: a line `# text` (or a lone `#`) is hidden from the reader and is
//! `text` in the program. `#[attr]` and `#!` lines are not hidden lines.

use super::markdown::{fenced_blocks, FencedBlock};
use std::path::{Path, PathBuf};

/// The project markers `tests/tests/cargo_builds.rs` (and `version_recipe.rs`) read:
/// a block after `<!-- PREFIX: FILE -->` is a file of that example crate.
pub const PROJECT_MARKERS: [&str; 6] = [
    "quickstart",
    "fullstack",
    "grown",
    "modules",
    "actix",
    "adopt",
];

/// A Rust block of a page.
#[derive(Debug, Clone)]
pub enum RustBlock {
    /// A file of an example crate, after `<!-- prefix: file -->`.
    ProjectFile {
        /// The marker's prefix (`grown`).
        prefix: String,
        /// The block.
        block: FencedBlock,
    },
    /// A fragment: a whole program once its hidden lines are read.
    Fragment(Fragment),
}

/// A fragment of a page, as a program.
#[derive(Debug, Clone)]
pub struct Fragment {
    /// The page, relative to the workspace root.
    pub page: PathBuf,
    /// The block.
    pub block: FencedBlock,
}

impl Fragment {
    /// The program: the block's lines, hidden ones included, one line for each.
    pub fn program(&self) -> String {
        program(&self.block.body)
    }

    /// The binary it is compiled as: the page's path below `docs/src` (or the page's
    /// name) and the fence's line, such as `reference_options_12` or `readme_59`.
    pub fn bin_name(&self) -> String {
        let page = self.page.strip_prefix("docs/src").unwrap_or(&self.page);
        let stem = page.with_extension("");
        let name: String = stem
            .to_string_lossy()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        format!("{name}_{}", self.block.line)
    }

    /// The page line of line `line` (from 1) of the program.
    pub fn page_line(&self, line: usize) -> usize {
        self.block.line + line
    }
}

/// The program of a block: a hidden line (`# text`, indented or not, or a lone `#`)
/// gives `text`, every other line itself.
pub fn program(body: &str) -> String {
    body.lines()
        .map(|line| {
            let trimmed = line.trim_start();
            let indent = &line[..line.len() - trimmed.len()];
            if trimmed == "#" {
                String::new()
            } else if let Some(text) = trimmed.strip_prefix("# ") {
                format!("{indent}{text}")
            } else {
                line.to_owned()
            }
        })
        .map(|line| line + "\n")
        .collect()
}

/// The marker prefix of a line `<!-- prefix: file -->` or `<!-- prefix -->`.
pub fn marker_prefix(line: &str) -> Option<&str> {
    let inner = line.strip_prefix("<!--")?.strip_suffix("-->")?.trim();
    let prefix = inner.split(':').next()?.trim();
    (!prefix.is_empty()
        && prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-'))
    .then_some(prefix)
}

/// The Rust blocks of `text` (the page `page`): those whose info string starts with
/// `rust`.
pub fn rust_blocks(page: &Path, text: &str) -> Vec<RustBlock> {
    fenced_blocks(text)
        .into_iter()
        .filter(|block| block.language().starts_with("rust"))
        .map(
            |block| match block.preceding.as_deref().and_then(marker_prefix) {
                Some(prefix) if !prefix.starts_with("ANCHOR") => RustBlock::ProjectFile {
                    prefix: prefix.to_owned(),
                    block,
                },
                _ => RustBlock::Fragment(Fragment {
                    page: page.to_owned(),
                    block,
                }),
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_lines() {
        let body = "# use std::fmt;\n#[derive(Debug)]\n#![allow(dead_code)]\n#\n    # let a = 1;\n#notation\nlet b = 2; # not hidden\n";
        assert_eq!(
            program(body),
            "use std::fmt;\n#[derive(Debug)]\n#![allow(dead_code)]\n\n    let a = 1;\n#notation\nlet b = 2; # not hidden\n"
        );
    }

    #[test]
    fn markers_and_names() {
        assert_eq!(marker_prefix("<!-- grown: src/main.rs -->"), Some("grown"));
        assert_eq!(
            marker_prefix("<!-- version-recipe -->"),
            Some("version-recipe")
        );
        assert_eq!(marker_prefix("text"), None);
        let text = "<!-- grown: src/main.rs -->\n```rust\nfn main() {}\n```\n\n```rust,no_run\n# fn main() {}\n```\n";
        let blocks = rust_blocks(Path::new("docs/src/reference/options.md"), text);
        assert!(matches!(&blocks[0], RustBlock::ProjectFile { prefix, .. } if prefix == "grown"));
        let RustBlock::Fragment(fragment) = &blocks[1] else {
            panic!("a fragment");
        };
        assert_eq!(fragment.bin_name(), "reference_options_6");
        assert_eq!(fragment.program(), "fn main() {}\n");
    }
}
