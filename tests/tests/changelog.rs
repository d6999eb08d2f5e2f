//! The CHANGELOG (issue 24) follows Keep a Changelog 1.1.0, and its table of what moved
//! where is true: every "now" path resolves in a crate that depends on hyper-assets,
//! and no "before" path resolves there any more (one unresolved import per row).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use hyper_assets_tests::cargo_project::{workspace_root, CargoProject};
use hyper_assets_tests::docs::markdown::table;
use std::collections::BTreeSet;

/// One row of the table of moved paths.
#[derive(Debug)]
struct Moved {
    /// The path code written before the one stack used.
    before: String,
    /// The path that holds the item (or its replacement) today.
    now: String,
    /// The features of `hyper-assets` the row's paths need (``feature `name` `` in notes).
    features: Vec<String>,
}

fn changelog() -> String {
    let path = workspace_root().join("CHANGELOG.md");
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The one code span a cell is made of: `` `hyper_assets::...` ``.
fn path_cell<'a>(cell: &'a str, line: &str) -> &'a str {
    let path = cell
        .strip_prefix('`')
        .and_then(|rest| rest.strip_suffix('`'))
        .filter(|path| !path.contains('`'))
        .unwrap_or_else(|| panic!("a path cell is one code span: {cell:?} in {line:?}"));
    assert!(
        path.starts_with("hyper_assets::")
            && path
                .split("::")
                .all(|segment| !segment.is_empty() && segment.chars().all(is_ident_char)),
        "not a path of the crate: {path:?} in {line:?}"
    );
    path
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The features a notes cell names as ``feature `name` ``.
fn features(notes: &str) -> Vec<String> {
    notes
        .match_indices("feature `")
        .map(|(at, marker)| {
            let rest = &notes[at + marker.len()..];
            rest[..rest.find('`').expect("a closed feature name")].to_owned()
        })
        .collect()
}

/// The rows of the table whose header is `| before | now | notes |`.
fn moved_paths(text: &str) -> Vec<Moved> {
    let rows: Vec<Moved> = table(text, &["before", "now", "notes"])
        .expect("CHANGELOG.md has a table with the header | before | now | notes |")
        .into_iter()
        .map(|(line, cells)| {
            let at = format!("CHANGELOG.md:{line}");
            assert!(cells.len() >= 2, "{at}: a row has before and now");
            Moved {
                before: path_cell(&cells[0], &at).to_owned(),
                now: path_cell(&cells[1], &at).to_owned(),
                features: cells
                    .get(2)
                    .map(|notes| features(notes))
                    .unwrap_or_default(),
            }
        })
        .collect();
    assert!(!rows.is_empty(), "the table of moved paths has no rows");
    rows
}

#[test]
fn the_changelog_follows_keep_a_changelog() {
    let text = changelog();
    assert_eq!(text.lines().next(), Some("# Changelog"), "the title");
    for link in [
        "https://keepachangelog.com/en/1.1.0/",
        "[Semantic Versioning](https://semver.org/",
    ] {
        assert!(text.contains(link), "the preamble names {link}");
    }
    let releases: Vec<&str> = text
        .lines()
        .filter(|line| line.starts_with("## "))
        .collect();
    assert_eq!(
        releases.first(),
        Some(&"## [Unreleased]"),
        "the first release heading is Unreleased"
    );
    for release in &releases[1..] {
        // `## [1.2.3] - 2026-12-01`
        let (version, date) = release
            .strip_prefix("## [")
            .and_then(|rest| rest.split_once("] - "))
            .unwrap_or_else(|| panic!("{release:?} is not ## [x.y.z] - YYYY-MM-DD"));
        assert_eq!(version.split('.').count(), 3, "{release:?}");
        assert!(
            date.len() == 10 && date.chars().filter(|c| *c == '-').count() == 2,
            "{release:?}"
        );
    }
    // Within each release, the change types Keep a Changelog names, each at most once,
    // in its order.
    const TYPES: [&str; 6] = [
        "Added",
        "Changed",
        "Deprecated",
        "Removed",
        "Fixed",
        "Security",
    ];
    let mut last: Option<usize> = None;
    for line in text.lines() {
        if line.starts_with("## ") {
            last = None;
        } else if let Some(kind) = line.strip_prefix("### ") {
            let index = TYPES
                .iter()
                .position(|known| *known == kind)
                .unwrap_or_else(|| panic!("{line:?} is not one of {TYPES:?}"));
            assert!(
                last.is_none_or(|previous| previous < index),
                "{line:?} is repeated or out of Keep a Changelog's order {TYPES:?}"
            );
            last = Some(index);
        }
    }

    let rows = moved_paths(&text);
    let mut seen = BTreeSet::new();
    for row in &rows {
        assert!(seen.insert(&row.before), "{} has two rows", row.before);
        assert_ne!(row.before, row.now, "a row that moved nothing");
    }
}

/// Builds one crate that imports every "now" path (it must build), then the same crate
/// importing every "before" path instead: exactly one unresolved import per row, on the
/// row's own line, and no other error.
#[test]
fn the_moved_paths_resolve_now_and_not_before() {
    let rows = moved_paths(&changelog());
    let features: BTreeSet<&str> = rows
        .iter()
        .flat_map(|row| row.features.iter().map(String::as_str))
        .collect();
    let features: Vec<String> = features.iter().map(|name| format!("{name:?}")).collect();
    let project = CargoProject::new("changelog-paths");
    project.manifest_from(&format!(
        "[dependencies]\nhyper-assets = {{ features = [{}] }}\n",
        features.join(", ")
    ));

    // Line 1 is the allow, line 2 + i imports row i.
    let main = |path: fn(&Moved) -> &str| {
        let mut main = String::from("#![allow(unused_imports)]\n");
        for row in &rows {
            main.push_str(&format!("use {} as _;\n", path(row)));
        }
        main.push_str("fn main() {}\n");
        main
    };

    project.write("src/main.rs", main(|row| &row.now));
    project.build_ok();

    project.write("src/main.rs", main(|row| &row.before));
    let build = project.build();
    assert!(
        !build.success,
        "every before path still resolves:\n{}",
        build.stderr
    );
    let mut unresolved: Vec<usize> = Vec::new();
    let mut lines = build.stderr.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("error: could not compile") {
            continue;
        }
        if line.starts_with("error") {
            assert!(
                line.starts_with("error[E0432]"),
                "only unresolved imports are expected: {line}\n{}",
                build.stderr
            );
            let at = lines
                .find_map(|line| line.trim_start().strip_prefix("--> src/main.rs:"))
                .unwrap_or_else(|| panic!("{line} names no line of src/main.rs"));
            unresolved.push(at.split(':').next().unwrap().parse().unwrap());
        }
    }
    let still_resolving: Vec<&str> = rows
        .iter()
        .enumerate()
        .filter(|(index, _)| !unresolved.contains(&(index + 2)))
        .map(|(_, row)| row.before.as_str())
        .collect();
    assert!(
        still_resolving.is_empty(),
        "these before paths still resolve, so they did not move: {still_resolving:?}\n{}",
        build.stderr
    );
    assert_eq!(
        unresolved.len(),
        rows.len(),
        "one unresolved import per row:\n{}",
        build.stderr
    );
}
