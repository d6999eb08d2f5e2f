//! The documentation as the tests read it: the README, the CHANGELOG and the guide's
//! chapters under `docs/src/`, where the examples the tests build and run live.

pub mod fragments;
pub mod links;
pub mod markdown;

use crate::cargo_project::workspace_root;
use std::path::{Path, PathBuf};

/// Every page a user reads, as (path relative to the workspace root, text): `README.md`,
/// `CHANGELOG.md` when present, and every `.md` file below `docs/src/`, sorted.
pub fn pages() -> Vec<(PathBuf, String)> {
    let root = workspace_root();
    let mut paths = vec![PathBuf::from("README.md")];
    if root.join("CHANGELOG.md").is_file() {
        paths.push(PathBuf::from("CHANGELOG.md"));
    }
    let mut chapters = Vec::new();
    markdown_files(&root, Path::new("docs/src"), &mut chapters);
    chapters.sort();
    paths.extend(chapters);
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(root.join(&path))
                .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
            (path, text)
        })
        .collect()
}

fn markdown_files(root: &Path, dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
        return;
    };
    for entry in entries {
        let entry = entry.unwrap();
        let path = dir.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            markdown_files(root, &path, found);
        } else if path.extension().is_some_and(|extension| extension == "md") {
            found.push(path);
        }
    }
}

/// The fenced block that follows `marker` (an HTML comment such as
/// `<!-- grown: src/main.rs -->`) in the one page that holds it; panics naming the marker
/// when no page, or more than one, does.
pub fn marked_block(marker: &str) -> String {
    let pages = pages();
    let holders: Vec<_> = pages
        .iter()
        .filter(|(_, text)| text.contains(marker))
        .collect();
    match holders.as_slice() {
        [(path, text)] => {
            assert_eq!(
                text.matches(marker).count(),
                1,
                "{} has {marker} twice",
                path.display()
            );
            block_after(text, marker)
        }
        [] => panic!("no page of the README or the guide has {marker}"),
        _ => panic!(
            "{marker} is in several pages: {:?}",
            holders.iter().map(|(path, _)| path).collect::<Vec<_>>()
        ),
    }
}

/// The body of the first fenced block after `marker` in `text`.
pub fn block_after(text: &str, marker: &str) -> String {
    let after = &text[text.find(marker).expect("the marker is in the text")..];
    let open = after.find("```").expect("a fenced block after the marker");
    let body_start = open + after[open..].find('\n').unwrap() + 1;
    let body_end = body_start + after[body_start..].find("```").unwrap();
    after[body_start..body_end].to_owned()
}
