//! The guide, checked as a reader meets it (issue 24): its table of contents lists every
//! chapter, every relative link, image and include of the README, the CHANGELOG, the
//! crates' READMEs and the chapters resolves, and every anchor names a heading.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use hyper_assets_pipeline::MACRO_OPTIONS;
use hyper_assets_tests::cargo_project::{target_dir, workspace_root, CargoProject};
use hyper_assets_tests::docs::fragments::{
    marker_prefix, rust_blocks, Fragment, RustBlock, PROJECT_MARKERS,
};
use hyper_assets_tests::docs::links::{broken_links, lexical, links, links_out_of_book};
use hyper_assets_tests::docs::markdown::{anchors, plain, prose, slug, table, SlugFlavor};
use hyper_assets_tests::docs::pages;
use hyper_assets_tests::scratch::copy_folder;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The crates' READMEs, their crates.io pages.
const CRATE_READMES: [&str; 5] = [
    "runtime/README.md",
    "cli/README.md",
    "build/README.md",
    "pipeline/README.md",
    "macros/README.md",
];

/// Every page a reader follows links on: the README, the CHANGELOG, the chapters and the
/// crates' READMEs.
fn linked_pages() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = pages().into_iter().map(|(path, _)| path).collect();
    paths.extend(CRATE_READMES.iter().map(PathBuf::from));
    paths
}

fn fail_listing(what: &str, problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{what} ({}):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_summary_lists_every_chapter_and_only_chapters_that_exist() {
    let root = workspace_root();
    let book = Path::new("docs/src");
    let summary = std::fs::read_to_string(root.join(book).join("SUMMARY.md")).unwrap();
    let (found, _) = links(&prose(&summary));
    let mut listed = BTreeSet::new();
    let mut problems = Vec::new();
    for link in found {
        let chapter = lexical(&book.join(&link.target));
        if link.target.is_empty() {
            problems.push(format!(
                "SUMMARY.md:{}: a draft chapter (empty link); write it or leave it out",
                link.line + 1
            ));
        } else if !root.join(&chapter).is_file() {
            problems.push(format!(
                "SUMMARY.md:{}: {} does not exist",
                link.line + 1,
                chapter.display()
            ));
        }
        listed.insert(chapter);
    }
    let chapters: BTreeSet<PathBuf> = pages()
        .into_iter()
        .map(|(path, _)| path)
        .filter(|path| path.starts_with(book) && !path.ends_with("SUMMARY.md"))
        .collect();
    for chapter in chapters.difference(&listed) {
        problems.push(format!(
            "{} is not linked from docs/src/SUMMARY.md, so the book leaves it out",
            chapter.display()
        ));
    }
    fail_listing("the book's table of contents", &problems);
}

#[test]
fn every_relative_link_image_and_include_resolves() {
    let problems = broken_links(&workspace_root(), &linked_pages());
    fail_listing("broken links", &problems);
}

/// The book is rendered from `docs/src` alone: a chapter's link to `../../README.md`
/// works on GitHub and is a dead link in the book.
#[test]
fn the_books_links_stay_inside_the_book() {
    let root = workspace_root();
    let problems = links_out_of_book(&root, Path::new("docs/src"), &linked_pages());
    fail_listing("links out of the book", &problems);
}

#[test]
fn anchors_follow_the_slug_rule_of_mdbook_and_github() {
    for (heading, anchor) in [
        ("Quick start", "quick-start"),
        (
            "The whole version story: one builder, one layer",
            "the-whole-version-story-one-builder-one-layer",
        ),
        ("`GET /version`", "get-version"),
        (
            "Coming from rust-embed / include_dir",
            "coming-from-rust-embed--include_dir",
        ),
        ("The `hyper-assets` command", "the-hyper-assets-command"),
        ("Blue/green and canary", "bluegreen-and-canary"),
        ("[Settings](settings.md) & <em>more</em>", "settings--more"),
        ("Deltas (RFC 9842)", "deltas-rfc-9842"),
        ("url_prefix", "url_prefix"),
    ] {
        assert_eq!(slug(heading, SlugFlavor::MdBook), anchor, "{heading}");
        assert_eq!(slug(heading, SlugFlavor::GitHub), anchor, "{heading}");
    }
    // mdBook lowercases ASCII letters only: such a heading has two anchors, and a link
    // to it works in one renderer only, so the check accepts neither.
    assert_eq!(slug("À la carte", SlugFlavor::MdBook), "À-la-carte");
    assert_eq!(slug("À la carte", SlugFlavor::GitHub), "à-la-carte");
    let text = "# Setup\n\n## Setup\n\n```sh\n# not a heading\n```\n### Setup ###\n#nope\n";
    assert_eq!(
        anchors(text, SlugFlavor::MdBook),
        ["setup", "setup-1", "setup-2"]
    );
}

/// The check cannot pass for want of reading: a planted missing file, image, anchor,
/// reference and include are each reported, and nothing else (the good links beside them,
/// a link in a code span, a fenced block or a comment, a web link).
#[test]
fn planted_broken_links_and_anchors_are_reported() {
    let root = workspace_root().join("tests/fixtures/guide/links");
    let problems = broken_links(&root, &[PathBuf::from("page.md")]);
    let expected = [
        "page.md:4: link `missing.md`: missing.md does not exist",
        "page.md:4: link `other.md#no-such-heading`: other.md has no heading with the anchor `#no-such-heading`",
        "page.md:5: image `img/missing.png`: img/missing.png does not exist",
        "page.md:6: link `#nowhere`: page.md has no heading with the anchor `#nowhere`",
        "page.md:8: the reference `[nothing]` has no definition",
        "part.md:5 (included by page.md:18): link `other.md#third`: other.md has no heading with the anchor `#third`",
        "page.md:19: {{#include part.md:absent}}: part.md has no `ANCHOR: absent` and `ANCHOR_END: absent` pair",
        "page.md:20: {{#include gone.md}}: gone.md does not exist",
    ];
    let mut unexpected: Vec<&String> = problems.iter().collect();
    for want in expected {
        let at = unexpected
            .iter()
            .position(|problem| problem.starts_with(want))
            .unwrap_or_else(|| panic!("not reported: {want}\nreported:\n{}", problems.join("\n")));
        unexpected.remove(at);
    }
    assert!(unexpected.is_empty(), "reported wrongly: {unexpected:#?}");
}

/// The example crates' files, each after a marker `<!-- PREFIX: FILE -->` that
/// `tests/tests/cargo_builds.rs` reads, and every other Rust block a fragment that
/// [`every_fragment_compiles`] builds. No block is `ignore`d.
#[test]
fn every_rust_block_is_an_example_crates_file_or_a_compiling_fragment() {
    let mut problems = Vec::new();
    let mut fragments = Vec::new();
    for (page, text) in pages() {
        for block in rust_blocks(&page, &text) {
            let (line, info) = match &block {
                RustBlock::ProjectFile { block, .. } => (block.line, &block.info),
                RustBlock::Fragment(fragment) => (fragment.block.line, &fragment.block.info),
            };
            let at = format!("{}:{line}", page.display());
            let attributes: Vec<&str> = info.split([',', ' ']).skip(1).collect();
            for refused in ["ignore", "compile_fail", "should_panic"] {
                if attributes.contains(&refused) {
                    problems.push(format!(
                        "{at}: ```{info}: a guide's Rust block compiles; make it a fragment \
                         (hidden `# ` lines) or a file of an example crate"
                    ));
                }
            }
            match block {
                RustBlock::ProjectFile { prefix, .. } => {
                    if !PROJECT_MARKERS.contains(&prefix.as_str()) {
                        problems.push(format!(
                            "{at}: <!-- {prefix}: ... --> is no project marker; the markers are {}",
                            PROJECT_MARKERS.join(", ")
                        ));
                    }
                }
                RustBlock::Fragment(fragment) => fragments.push(fragment),
            }
        }
    }
    fail_listing("Rust blocks", &problems);
    assert!(
        !fragments.is_empty(),
        "no fragment found: the guide's pages were not read"
    );
}

/// The example crates' files the README and the chapters show, each after its marker, and
/// each read by a test of `tests/tests/cargo_builds.rs`.
const PROJECT_FILES: [&str; 16] = [
    "<!-- quickstart: Cargo.toml -->",
    "<!-- quickstart: build.rs -->",
    "<!-- quickstart: src/main.rs -->",
    "<!-- fullstack: src/main.rs -->",
    "<!-- grown: Cargo.toml -->",
    "<!-- grown: src/main.rs -->",
    "<!-- grown: templates/page.html -->",
    "<!-- modules: static/js/main.js -->",
    "<!-- modules: static/js/greet.js -->",
    "<!-- modules: templates/page.html -->",
    "<!-- modules: src/main.rs -->",
    "<!-- actix: Cargo.toml -->",
    "<!-- actix: src/main.rs -->",
    "<!-- adopt: Cargo.toml -->",
    "<!-- adopt: rust-embed -->",
    "<!-- adopt: include_dir -->",
];

/// Whether the source of `cargo_builds.rs` reads `marker` (`<!-- PREFIX: FILE -->`): as a
/// literal, through `readme_block("FILE")` (the quick start's), or as
/// `format!("<!-- PREFIX: {name} -->")` with `"FILE"` among its literals.
fn cargo_builds_reads(source: &str, marker: &str) -> bool {
    let inner = marker
        .strip_prefix("<!-- ")
        .and_then(|rest| rest.strip_suffix(" -->"))
        .expect("a marker `<!-- PREFIX: FILE -->`");
    let (prefix, file) = inner.split_once(": ").expect("PREFIX: FILE");
    source.contains(&format!("\"{marker}\""))
        || (prefix == "quickstart" && source.contains(&format!("readme_block(\"{file}\")")))
        || (source.contains(&format!("format!(\"<!-- {prefix}: {{"))
            && source.contains(&format!("\"{file}\"")))
}

/// The markers of example crates' files are exactly [`PROJECT_FILES`], and
/// `cargo_builds.rs` reads each: a new `<!-- grown: src/lib.rs -->` that no test builds
/// is reported, and so is a listed file that left the guide.
#[test]
fn every_project_file_marker_is_one_cargo_builds_reads() {
    let consumer =
        std::fs::read_to_string(workspace_root().join("tests/tests/cargo_builds.rs")).unwrap();
    let listed: BTreeSet<&str> = PROJECT_FILES.iter().copied().collect();
    assert_eq!(
        listed.len(),
        PROJECT_FILES.len(),
        "PROJECT_FILES has a twin"
    );
    let mut problems = Vec::new();
    let mut found = BTreeSet::new();
    for (page, text) in pages() {
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if marker_prefix(line).is_some_and(|prefix| PROJECT_MARKERS.contains(&prefix)) {
                if !listed.contains(line) {
                    problems.push(format!(
                        "{}:{}: {line} is no file of PROJECT_FILES (tests/tests/guide.rs), \
                         so no test builds it; read it in tests/tests/cargo_builds.rs and list it",
                        page.display(),
                        index + 1
                    ));
                }
                found.insert(line.to_owned());
            }
        }
    }
    for marker in &listed {
        if !found.contains(*marker) {
            problems.push(format!("{marker} (PROJECT_FILES) is in no page"));
        }
        if !cargo_builds_reads(&consumer, marker) {
            problems.push(format!(
                "{marker} (PROJECT_FILES) is read by no test of tests/tests/cargo_builds.rs"
            ));
        }
    }
    fail_listing("the example crates' files", &problems);
    // The reading is seen: a marker no test names is not read.
    assert!(!cargo_builds_reads(&consumer, "<!-- grown: src/lib.rs -->"));
}

/// The fragments of the README and the chapters.
fn guide_fragments() -> Vec<Fragment> {
    pages()
        .into_iter()
        .flat_map(|(page, text)| rust_blocks(&page, &text))
        .filter_map(|block| match block {
            RustBlock::Fragment(fragment) => Some(fragment),
            RustBlock::ProjectFile { .. } => None,
        })
        .collect()
}

/// The dependencies a fragment may use: the runtime with its template engines, the web
/// stack of the examples, the engines themselves. All are in the workspace's Cargo.lock,
/// so nothing is fetched, and most are already built in the shared target folder.
const FRAGMENT_DEPENDENCIES: &str = r#"[dependencies]
hyper-assets = { features = ["server", "minijinja", "tera"] }
axum = "0.8"
tokio = { version = "1", features = ["rt-multi-thread", "macros", "net", "signal"] }
minijinja = { version = "2", default-features = false, features = ["builtins", "macros", "multi_template", "serde"] }
tera = { version = "1.20", default-features = false }
askama = "0.14"
tracing-subscriber = { version = "0.3", default-features = false, features = ["fmt", "ansi", "std"] }

[build-dependencies]
hyper-assets-build = {}

[profile.dev.build-override]
opt-level = 3
"#;

/// Every fragment, hidden lines read, compiles as a binary of one crate that has the
/// files fragments name (`tests/fixtures/guide/project`: `static/`, `templates/page.html`,
/// `config/*.json`, a `build.rs`). The crate also holds the planted fragments of
/// `tests/fixtures/guide/fragments.md`: the first must compile, the second must fail, so
/// the check cannot pass for want of compiling.
#[test]
fn every_fragment_compiles() {
    let fragments = guide_fragments();
    assert!(!fragments.is_empty(), "no fragment found");
    let planted_page = PathBuf::from("tests/fixtures/guide/fragments.md");
    let planted_text = std::fs::read_to_string(workspace_root().join(&planted_page)).unwrap();
    let planted: Vec<Fragment> = rust_blocks(&planted_page, &planted_text)
        .into_iter()
        .filter_map(|block| match block {
            RustBlock::Fragment(fragment) => Some(fragment),
            RustBlock::ProjectFile { .. } => None,
        })
        .collect();
    assert_eq!(planted.len(), 3, "the planted page has three fragments");

    let project = CargoProject::new("guide-fragments");
    copy_folder(
        &workspace_root().join("tests/fixtures/guide/project"),
        project.dir(),
    );
    // `previous = "releases"` in an example: an empty release folder embeds nothing.
    std::fs::create_dir_all(project.dir().join("releases")).unwrap();
    project.manifest_from(FRAGMENT_DEPENDENCIES);
    let all: Vec<&Fragment> = fragments.iter().chain(&planted).collect();
    for fragment in &all {
        project.write(
            &format!("src/bin/{}.rs", fragment.bin_name()),
            fragment.program(),
        );
    }
    let build = project.build_with(&["--keep-going", "--color", "never"]);
    let failed = failed_bins(&build.stderr);
    let broken = planted[1].bin_name();
    assert!(
        failed.contains(&broken),
        "the planted broken fragment ({}:{}) compiled, or its failure was not seen:\n{}",
        planted_page.display(),
        planted[1].block.line,
        build.stderr
    );
    let mut report = Vec::new();
    for fragment in all.iter().filter(|fragment| fragment.bin_name() != broken) {
        if failed.contains(&fragment.bin_name()) {
            report.push(format!(
                "{}:{} does not compile:\n{}",
                fragment.page.display(),
                fragment.block.line,
                diagnostics_of(&build.stderr, fragment)
            ));
        }
    }
    let others = failed
        .iter()
        .filter(|bin| !all.iter().any(|fragment| fragment.bin_name() == **bin))
        .count();
    assert!(
        report.is_empty() && others == 0,
        "{} of {} fragments fail (hidden lines: `# ` or a lone `#`, see \
         tests/src/docs/fragments.rs):\n\n{}\n\ncargo's whole output:\n{}",
        report.len(),
        fragments.len(),
        report.join("\n"),
        build.stderr
    );
    let diagnostics = diagnostics_of(&build.stderr, &planted[1]);
    assert!(
        diagnostics.contains("mismatched types")
            && diagnostics.contains("tests/fixtures/guide/fragments.md:"),
        "the planted failure is reported with its page line: {diagnostics}"
    );

    // Then every fragment that serves nothing runs, so its hidden `assert!`s are checked:
    // in the project's folder, or for Tera's (which loads `templates/**/*.html`) in a copy
    // whose template is Tera's (`tests/fixtures/guide/tera`).
    let tera_dir = project.dir().with_file_name("guide-fragments-tera");
    let _ = std::fs::remove_dir_all(&tera_dir);
    copy_folder(project.dir(), &tera_dir);
    copy_folder(
        &workspace_root().join("tests/fixtures/guide/tera"),
        &tera_dir,
    );
    let failures: Vec<(String, String)> = all
        .iter()
        .filter(|fragment| fragment.bin_name() != broken && !serves(&fragment.program()))
        .filter_map(|fragment| {
            let program = fragment.program();
            let dir = if program.contains("tera::Tera") {
                &tera_dir
            } else {
                project.dir()
            };
            run_fragment(dir, &fragment.bin_name()).map(|failure| {
                (
                    fragment.bin_name(),
                    format!(
                        "{}:{} fails when it runs: {failure}",
                        fragment.page.display(),
                        fragment.block.line
                    ),
                )
            })
        })
        .collect();
    let planted_assert = planted[2].bin_name();
    assert!(
        failures.iter().any(|(bin, failure)| *bin == planted_assert
            && failure.contains("the planted failing assertion")),
        "the planted failing assertion ({}:{}) passed, or its failure was not seen: {failures:#?}",
        planted_page.display(),
        planted[2].block.line
    );
    let failed: Vec<&str> = failures
        .iter()
        .filter(|(bin, _)| *bin != planted_assert)
        .map(|(_, failure)| failure.as_str())
        .collect();
    assert!(
        failed.is_empty(),
        "{} fragments fail when they run:\n\n{}",
        failed.len(),
        failed.join("\n\n")
    );
}

/// Whether a fragment's program serves (binds a socket): such a fragment only compiles.
fn serves(program: &str) -> bool {
    ["bind(", "serve(", "TcpListener", "HttpServer"]
        .iter()
        .any(|word| program.contains(word))
}

/// How long a fragment that serves nothing may run.
const FRAGMENT_RUN_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

/// Runs the fragment binary `bin` in the project's folder with an empty environment
/// (`PATH` kept): `None` when it exits successfully within [`FRAGMENT_RUN_LIMIT`], else
/// what went wrong with its standard error.
fn run_fragment(dir: &Path, bin: &str) -> Option<String> {
    let binary = target_dir().join("cargo-projects-target/debug").join(bin);
    let mut child = std::process::Command::new(&binary)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("{}: {error}", binary.display()));
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
            return (!status.success()).then(|| format!("{status}\n{stderr}"));
        }
        if started.elapsed() > FRAGMENT_RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Some(format!(
                "still running after {FRAGMENT_RUN_LIMIT:?}; a fragment that serves names \
                 `bind(` or `serve(` and is only compiled"
            ));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The binaries cargo could not compile: `error: could not compile `x` (bin "NAME") ...`.
fn failed_bins(stderr: &str) -> BTreeSet<String> {
    stderr
        .lines()
        .filter(|line| line.starts_with("error: could not compile"))
        .filter_map(|line| {
            let start = line.find("(bin \"")? + 6;
            let end = start + line[start..].find('"')?;
            Some(line[start..end].to_owned())
        })
        .collect()
}

/// rustc's errors about `fragment`'s file, each `src/bin/NAME.rs:LINE:COL` followed by the
/// page line it comes from.
fn diagnostics_of(stderr: &str, fragment: &Fragment) -> String {
    let file = format!("src/bin/{}.rs:", fragment.bin_name());
    // A diagnostic starts at `error...` or `warning...` and ends at a blank line.
    let mut diagnostics: Vec<Vec<String>> = Vec::new();
    let mut open = false;
    for line in stderr.lines() {
        if line.starts_with("error") || line.starts_with("warning") {
            diagnostics.push(Vec::new());
            open = true;
        } else if line.trim().is_empty() {
            open = false;
        }
        if !open {
            continue;
        }
        let line = match line.find(&file) {
            Some(at) => {
                let number = line[at + file.len()..]
                    .split(':')
                    .next()
                    .and_then(|number| number.parse().ok())
                    .unwrap_or(0);
                format!(
                    "{line}  ({}:{})",
                    fragment.page.display(),
                    fragment.page_line(number)
                )
            }
            None => line.to_owned(),
        };
        diagnostics.last_mut().unwrap().push(line);
    }
    diagnostics
        .into_iter()
        .filter(|lines| lines[0].starts_with("error") && lines.iter().any(|l| l.contains(&file)))
        .map(|lines| lines.join("\n"))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The first table of `text` with the columns `header`; panics naming `what` without one.
fn table_rows(text: &str, header: &[&str], what: &str) -> Vec<(usize, Vec<String>)> {
    let rows = table(text, header)
        .unwrap_or_else(|| panic!("{what} has no table `| {} |`", header.join(" | ")));
    assert!(!rows.is_empty(), "{what}'s table is empty");
    rows
}

/// A setting's default as a table states it.
#[derive(Debug, PartialEq, Eq)]
enum SettingDefault {
    /// A value, such as `true` or `10`.
    Value(String),
    /// Nothing: `unset`, or words saying what happens then ("the macro's folder").
    Unset,
    /// On in debug builds, off in release builds.
    DebugBuilds,
}

impl SettingDefault {
    /// A table cell: a value in code marks first, the debug-build phrase, or words.
    fn of_cell(cell: &str) -> Self {
        if cell.contains("debug build") {
            Self::DebugBuilds
        } else if let Some(value) = cell.strip_prefix('`') {
            Self::Value(value[..value.find('`').unwrap()].to_owned())
        } else {
            Self::Unset
        }
    }
}

/// Every variable the settings read, as the code itself reports: each name
/// `Settings::from_lookup` asks its lookup for.
fn variables_read() -> BTreeSet<String> {
    let mut read = BTreeSet::new();
    hyper_assets::Settings::from_lookup(|name| {
        read.insert(name.to_owned());
        None
    })
    .unwrap();
    read
}

/// The default of `variable`, from the settings of an empty environment.
fn code_default(settings: &hyper_assets::Settings, variable: &str) -> SettingDefault {
    use SettingDefault::{DebugBuilds, Unset, Value};
    let value = |value: &dyn std::fmt::Display| Value(value.to_string());
    let optional = |set: bool| if set { Value("set".to_owned()) } else { Unset };
    match variable {
        "APP_VERSION" => optional(settings.app_version().is_some()),
        "APP_VERSION_HEADER" => value(&settings.version_header()),
        "APP_VERSION_MISMATCH" => value(&settings.mismatch().as_str()),
        "VERSION_ENDPOINT" => value(&settings.version_endpoint()),
        "STATIC_DEV_MODE" => {
            assert_eq!(settings.dev_mode(), cfg!(debug_assertions));
            DebugBuilds
        }
        "STATIC_DEV_VERSION_QUERY" => value(&settings.dev_version_query()),
        "SECRET_KEY" => optional(settings.secret_key().is_some()),
        "APP_COMMIT" => optional(settings.commit().is_some()),
        "STALE_CLIENT_SCRIPT" => Value(format!("{:?}", settings.script_delivery()).to_lowercase()),
        "STATIC_DEV_DIR" => optional(settings.dev_dir().is_some()),
        "STATIC_RELEASES_DIR" => optional(settings.releases_dir().is_some()),
        "VERSION_MAP" => optional(settings.routing().is_enabled()),
        "DEFAULT_VERSION" => optional(settings.routing().default_version().is_some()),
        "CANARY" => optional(settings.routing().canary().is_some()),
        "HTTP_HEADER_TIMEOUT" => value(&settings.header_timeout().as_secs()),
        "HTTP_MAX_CONNECTIONS" => value(&settings.max_connections()),
        "TLS_CERT" | "TLS_KEY" => optional(settings.tls().is_some()),
        "TLS_HANDSHAKE_TIMEOUT" => value(&settings.tls_handshake_timeout().as_secs()),
        "TLS_HSTS" => optional(settings.tls_hsts().is_some()),
        "TLS_REDIRECT_ADDR" => optional(settings.tls_redirect_addr().is_some()),
        "TLS_REDIRECT_PORT" => optional(settings.tls_redirect_port().is_some()),
        other => panic!("the settings read {other}, which this test cannot read back: add it"),
    }
}

/// A settings table (the guide's, or the crate docs' short form) against the code: the
/// same variables, the same defaults.
fn settings_table_problems(what: &str, rows: &[(usize, Vec<String>)]) -> Vec<String> {
    let read = variables_read();
    let defaults = hyper_assets::Settings::from_lookup(|_| None).unwrap();
    let mut problems = Vec::new();
    let mut listed = BTreeSet::new();
    for (line, cells) in rows {
        let variable = plain(&cells[0]);
        if !read.contains(&variable) {
            problems.push(format!("{what}:{line}: {variable} is not read by Settings"));
            continue;
        }
        listed.insert(variable.clone());
        let stated = SettingDefault::of_cell(&cells[2]);
        let actual = code_default(&defaults, &variable);
        if stated != actual {
            problems.push(format!(
                "{what}:{line}: {variable}'s default is {actual:?} in the code, {stated:?} in the table ({:?})",
                cells[2]
            ));
        }
    }
    for missing in read.difference(&listed) {
        problems.push(format!(
            "{what}: {missing} is read by Settings but not in the table"
        ));
    }
    problems
}

#[test]
fn the_settings_tables_list_what_the_code_reads_with_its_defaults() {
    let read = variables_read();
    let constant: BTreeSet<String> = hyper_assets::settings::VARIABLES
        .iter()
        .map(|name| (*name).to_owned())
        .collect();
    assert_eq!(
        read, constant,
        "settings::VARIABLES is what from_lookup reads"
    );

    let root = workspace_root();
    let page = "docs/src/reference/settings.md";
    let text = std::fs::read_to_string(root.join(page)).unwrap();
    let rows = table_rows(&text, &["variable", "values", "default", "meaning"], page);
    let mut problems = settings_table_problems(page, &rows);

    // The crate docs' short form, in the `Settings` doc comment.
    let source = "runtime/src/settings.rs";
    let code = std::fs::read_to_string(root.join(source)).unwrap();
    let doc: String = code
        .lines()
        .map(|line| line.trim_start().strip_prefix("///").map_or("", str::trim))
        .collect::<Vec<_>>()
        .join("\n");
    let rows = table_rows(&doc, &["variable", "type", "default", "meaning"], source);
    problems.extend(settings_table_problems(source, &rows));
    fail_listing("settings tables against Settings::from_lookup", &problems);
}

#[test]
fn the_options_table_is_the_macros_list() {
    let page = "docs/src/reference/options.md";
    let text = std::fs::read_to_string(workspace_root().join(page)).unwrap();
    let rows = table_rows(
        &text,
        &["option", "values", "default", "what it does"],
        page,
    );
    let mut problems = Vec::new();
    let mut listed = BTreeSet::new();
    for (line, cells) in &rows {
        let written = plain(&cells[0]);
        let Some(option) = MACRO_OPTIONS
            .iter()
            .find(|option| option.written() == written)
        else {
            problems.push(format!("{page}:{line}: the macro has no option {written}"));
            continue;
        };
        listed.insert(option.name);
        for (column, stated, code) in [
            ("values", plain(&cells[1]), option.values),
            ("default", plain(&cells[2]), option.default),
        ] {
            if stated != code {
                problems.push(format!(
                    "{page}:{line}: {written}'s {column}: {stated:?} here, {code:?} in MACRO_OPTIONS"
                ));
            }
        }
    }
    for option in MACRO_OPTIONS
        .iter()
        .filter(|option| !listed.contains(option.name))
    {
        problems.push(format!(
            "{page}: {} is missing from the table",
            option.written()
        ));
    }
    if rows
        .iter()
        .map(|(_, cells)| plain(&cells[0]))
        .ne(MACRO_OPTIONS.iter().map(|option| option.written()))
    {
        problems.push(format!("{page}: the rows are not in MACRO_OPTIONS's order"));
    }
    fail_listing("the options table against MACRO_OPTIONS", &problems);
}

/// The crate docs' `# Options` block (runtime/src/lib.rs) names every option, and a
/// default its comments state is the macro's.
#[test]
fn the_crate_docs_options_block_names_every_option_with_its_default() {
    let source = "runtime/src/lib.rs";
    let code = std::fs::read_to_string(workspace_root().join(source)).unwrap();
    let lines: Vec<&str> = code.lines().collect();
    let start = lines
        .iter()
        .position(|line| line.trim() == "//! # Options")
        .expect("runtime/src/lib.rs has a `# Options` section");
    let mut problems = Vec::new();
    let mut named = BTreeSet::new();
    let mut inside = false;
    for (index, line) in lines.iter().enumerate().skip(start + 1) {
        let Some(doc) = line.trim_start().strip_prefix("//!") else {
            break;
        };
        let doc = doc.trim();
        if doc.starts_with("```") {
            if inside {
                break;
            }
            inside = true;
            continue;
        }
        let name: String = doc
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !inside || name.is_empty() || name == "hyper_assets" {
            continue;
        }
        let at = format!("{source}:{}", index + 1);
        let Some(option) = MACRO_OPTIONS.iter().find(|option| option.name == name) else {
            problems.push(format!("{at}: the macro has no option {name}"));
            continue;
        };
        named.insert(option.name);
        let comment = doc.split_once("//").map_or("", |(_, comment)| comment);
        if let Some(stated) = stated_default(comment) {
            if stated != option.default {
                problems.push(format!(
                    "{at}: {name}'s default is {stated:?} here, {:?} in MACRO_OPTIONS",
                    option.default
                ));
            }
        }
    }
    for option in MACRO_OPTIONS
        .iter()
        .filter(|option| !named.contains(option.name))
    {
        problems.push(format!("{source}: `# Options` lacks {}", option.written()));
    }
    fail_listing("the crate docs' options against MACRO_OPTIONS", &problems);
}

/// The default a comment states: `(default X)` or `(default: X)`, code marks off.
fn stated_default(comment: &str) -> Option<String> {
    let start = comment.find("(default")? + "(default".len();
    let mut depth = 1;
    let mut text = String::new();
    for c in comment[start..].chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
        text.push(c);
    }
    Some(plain(text.trim_start_matches(':').trim()))
}
