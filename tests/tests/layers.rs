//! Rooms that point down: no library crate of the workspace has a file-level import
//! circle (issue 24), and the runtime's rooms import in the order its crate docs state
//! (settings at the bottom, the manifest below the services that serve it, the version
//! store below the layers that wrap it).
//!
//! The graph is read from the sources as written: every `use` declaration (grouped
//! trees, `self` in a group, `as` renames, `pub use` re-exports) and every path in the
//! code that starts at `crate::`, `$crate::`, `super::`, `self::` or a child module's name,
//! with comments and string literals left out. A path leads to the file of the longest
//! module prefix it names; when that file re-exports the next name (`pub use`), the path
//! also leads to the file the re-export names, so `crate::Manifest` reaches the manifest's
//! file and not only `lib.rs`. A circle is a strongly connected component of two files or
//! more, except a module leaning on its own submodules (a `mod.rs` that re-exports its
//! files, which name `super::` types): that one room is taken apart by leaving out its
//! front file and looking again, so circles among its files still count.
//!
//! Relative paths count too: `pub use child::Item;` is how a room's front file names its
//! files, so a scan of `crate::` and `super::` paths alone misses circles through one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use hyper_assets_tests::cargo_project::{target_dir, workspace_root};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

/// The library crates whose `src/` is checked, the runtime first.
const CRATES: [&str; 5] = [
    "runtime/src",
    "pipeline/src",
    "cli/src",
    "macros/src",
    "build/src",
];

#[test]
fn the_runtime_has_no_import_circle() {
    let graph = ImportGraph::read(&workspace_root().join(CRATES[0]));
    assert!(graph.files.len() > 40, "the runtime's files were not found");
    let circles = graph.circles();
    assert!(circles.is_empty(), "{}", graph.report(&circles));
}

/// The order of the runtime's rooms its crate docs state (`settings → manifest → ...`,
/// bottom to top) is the order of their imports: a room names no room above it. The rooms
/// beside the stack name what the docs let them: `adopt` and `deploy` the manifest alone,
/// `build` nothing; the private `blocking` (a helper of the rooms that read files) names
/// nothing either.
#[test]
fn the_runtime_rooms_import_in_the_order_its_docs_state() {
    let report = layer_report(&workspace_root().join(CRATES[0]));
    assert!(report.is_empty(), "{report}");
}

/// The sentence of `runtime/src/lib.rs` that [`BESIDE`] stands for.
const BESIDE_SENTENCE: [&str; 2] = [
    "`adopt` and `deploy` build on the manifest alone",
    "`build` on nothing",
];

/// The rooms beside the stack, each with the rooms it may name.
const BESIDE: [(&str, &[&str]); 4] = [
    ("adopt", &["manifest"]),
    ("deploy", &["manifest"]),
    ("build", &[]),
    ("blocking", &[]),
];

/// The imports of the crate in `src` against the layers its `lib.rs` states: a line
/// `//! settings → ...` and the sentence [`BESIDE_SENTENCE`]. Empty when they agree.
fn layer_report(src: &Path) -> String {
    let docs = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let lines: Vec<&str> = docs
        .lines()
        .filter_map(|line| line.strip_prefix("//!").map(str::trim))
        .collect();
    let order: Vec<&str> = lines
        .iter()
        .find(|line| line.starts_with("settings → "))
        .expect("lib.rs states its layers: a line `//! settings → ...`")
        .split(" → ")
        .map(str::trim)
        .collect();
    let joined = lines.join(" ");
    for part in BESIDE_SENTENCE {
        assert!(
            joined.contains(part),
            "{}/lib.rs no longer says {part:?}: make BESIDE (tests/tests/layers.rs) say what it says",
            src.display()
        );
    }
    let graph = ImportGraph::read(src);
    let room = |file: usize| graph.modules[file].first().map(String::as_str);
    for name in order.iter().chain(BESIDE.iter().map(|(name, _)| name)) {
        assert!(
            (0..graph.files.len()).any(|file| room(file) == Some(*name)),
            "the layers name `{name}`, which is no module of {}",
            src.display()
        );
    }
    let rank = |file: usize| room(file).and_then(|room| order.iter().position(|r| *r == room));
    let beside =
        |file: usize| room(file).and_then(|room| BESIDE.iter().find(|(name, _)| *name == room));
    let mut report = String::new();
    for (from, targets) in graph.edges.iter().enumerate() {
        for (&to, text) in targets {
            if room(to).is_none() || room(to) == room(from) {
                continue;
            }
            if let Some((name, allowed)) = beside(from) {
                if !allowed.contains(&room(to).unwrap()) {
                    let _ = writeln!(
                        report,
                        "{} ({name}, which names {}) names {}: {text}",
                        graph.files[from],
                        if allowed.is_empty() {
                            "no room".to_owned()
                        } else {
                            allowed.join(", ")
                        },
                        graph.files[to]
                    );
                }
            } else if let (Some(low), Some(high)) = (rank(from), rank(to)) {
                if high > low {
                    let _ = writeln!(
                        report,
                        "{} ({}) names {} ({}), above it in `{}`: {text}",
                        graph.files[from],
                        order[low],
                        graph.files[to],
                        order[high],
                        order.join(" → ")
                    );
                }
            }
        }
    }
    report
}

/// The self-check of the order: a planted crate whose `settings.rs` names `site`, whose
/// `deploy.rs` names `settings` and whose `build.rs` names the manifest is reported on
/// those three imports, and on nothing else.
#[test]
fn planted_upward_imports_are_reported() {
    let dir = target_dir().join("layers-test").join("order");
    let _ = std::fs::remove_dir_all(&dir);
    let files = [
        (
            "lib.rs",
            "//! settings → manifest → site\n//!\n//! `adopt` and `deploy` build on the \
             manifest alone,\n//! `build` on nothing.\n\
             mod adopt;\nmod blocking;\nmod build;\nmod deploy;\nmod manifest;\nmod settings;\nmod site;\n",
        ),
        ("settings.rs", "use crate::site::Site;\npub struct Settings;\n"),
        ("manifest/mod.rs", "use crate::settings::Settings;\npub struct Manifest;\n"),
        ("site.rs", "use crate::manifest::Manifest;\npub struct Site;\n"),
        ("adopt.rs", "use crate::manifest::Manifest;\n"),
        ("deploy.rs", "use crate::manifest::Manifest;\nuse crate::settings::Settings;\n"),
        ("build.rs", "pub fn f() -> crate::manifest::Manifest { todo!() }\n"),
        ("blocking.rs", "pub fn off() {}\n"),
    ];
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let report = layer_report(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), 3, "{report}");
    assert!(
        lines[0].starts_with("build.rs (build, which names no room) names manifest/mod.rs"),
        "{report}"
    );
    assert!(
        lines[1].starts_with("deploy.rs (deploy, which names manifest) names settings.rs"),
        "{report}"
    );
    assert!(
        lines[2].starts_with("settings.rs (settings) names site.rs (site), above it"),
        "{report}"
    );
}

#[test]
fn the_other_library_crates_have_no_import_circle() {
    let mut failures = String::new();
    for dir in &CRATES[1..] {
        let graph = ImportGraph::read(&workspace_root().join(dir));
        assert!(!graph.files.is_empty(), "no .rs file under {dir}");
        let circles = graph.circles();
        if !circles.is_empty() {
            let _ = write!(failures, "{dir}:\n{}", graph.report(&circles));
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

/// The self-check: circles planted in throwaway crates are found, and what is no circle
/// is not reported, so the two tests above cannot pass for want of reading anything.
#[test]
fn planted_circles_are_found() {
    // Two files importing each other.
    let found = planted(
        "two-files",
        &[
            ("lib.rs", "mod a;\nmod b;\n"),
            ("a.rs", "use crate::b::B;\npub struct A(B);\n"),
            ("b.rs", "use crate::a::A;\npub struct B(Option<Box<A>>);\n"),
        ],
    );
    assert_eq!(found, [["a.rs", "b.rs"]]);

    // Grouped imports, `self` in a group, a path in the code, and a re-export at the
    // root: each closes a circle.
    let found = planted(
        "grouped",
        &[
            ("lib.rs", "mod a;\nmod b;\nmod c;\npub use c::C;\n"),
            ("a.rs", "use crate::{b::{self, B}};\npub struct A;\n"),
            (
                "b.rs",
                "pub fn b() -> crate::C { crate::c::C }\npub struct B;\n",
            ),
            ("c.rs", "pub struct C;\nfn f() { let _ = crate::a::A; }\n"),
        ],
    );
    assert_eq!(found, [["a.rs", "b.rs", "c.rs"]]);
    let found = planted(
        "root-reexport",
        &[
            ("lib.rs", "mod a;\nmod b;\npub use b::B;\n"),
            ("a.rs", "pub struct A(crate::B);\n"),
            ("b.rs", "pub struct B;\nuse super::a::A as Renamed;\n"),
        ],
    );
    assert_eq!(found, [["a.rs", "b.rs"]]);

    // A room whose front file re-exports its files: the front file leaning on them is no
    // circle, two of its files naming each other are one.
    let found = planted(
        "room",
        &[
            ("lib.rs", "pub mod room;\n"),
            (
                "room/mod.rs",
                "mod x;\nmod y;\nmod z;\npub use x::X;\npub use y::Y;\npub struct Shared;\n",
            ),
            ("room/x.rs", "use super::Shared;\npub struct X(Shared);\n"),
            ("room/y.rs", "use crate::room::X;\npub struct Y(X);\n"),
            ("room/z.rs", "use super::y::Y;\npub struct Z(Y);\n"),
        ],
    );
    assert_eq!(found, Vec::<Vec<String>>::new());
    let found = planted(
        "room-circle",
        &[
            ("lib.rs", "pub mod room;\n"),
            (
                "room/mod.rs",
                "mod x;\nmod y;\npub use x::X;\npub use y::Y;\n",
            ),
            ("room/x.rs", "pub struct X(Box<super::Y>);\n"),
            ("room/y.rs", "pub struct Y(Option<crate::room::X>);\n"),
        ],
    );
    assert_eq!(found, [["room/x.rs", "room/y.rs"]]);

    // Comments, strings and a test module's `super::*` name nothing above.
    let found = planted(
        "not-code",
        &[
            ("lib.rs", "mod a;\nmod b;\n"),
            (
                "a.rs",
                "// use crate::b::B;\n/* crate::b::B /* nested */ crate::b::B */\n\
                 pub const A: &str = \"crate::b::B\";\npub const R: &str = r#\"crate::b::B\"#;\n\
                 pub const C: char = '\"';\nfn f<'a>(x: &'a str) -> &'a str { x }\n\
                 #[cfg(test)]\nmod tests {\n    use super::*;\n}\n",
            ),
            ("b.rs", "use crate::a::A;\n"),
        ],
    );
    assert_eq!(found, Vec::<Vec<String>>::new());
}

/// The circles of a crate made of `files` (path under `src/`, text), as relative paths.
fn planted(name: &str, files: &[(&str, &str)]) -> Vec<Vec<String>> {
    let dir = target_dir().join("layers-test").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let graph = ImportGraph::read(&dir);
    let circles = graph
        .circles()
        .into_iter()
        .map(|circle| circle.into_iter().map(|f| graph.files[f].clone()).collect())
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    circles
}

/// Which file of a crate's `src/` names which.
struct ImportGraph {
    /// Paths relative to `src/`, with `/`, sorted.
    files: Vec<String>,
    /// Each file's module path (`["serving", "respond"]`; the crate root's is empty).
    modules: Vec<Vec<String>>,
    /// `edges[a][b]`: the first path by which file `a` names file `b`.
    edges: Vec<BTreeMap<usize, String>>,
}

/// What one file names, before the paths are resolved to files.
#[derive(Default)]
struct FileNames {
    /// Every path, made absolute (from the crate root), with the text that wrote it.
    paths: Vec<(Vec<String>, String)>,
    /// `pub use` re-exports: the name given, and the absolute path it stands for.
    reexports: BTreeMap<String, Vec<String>>,
}

impl ImportGraph {
    fn read(src: &Path) -> Self {
        let mut found = Vec::new();
        rust_files(src, src, &mut found);
        found.sort();
        let texts: Vec<String> = found
            .iter()
            .map(|rel| std::fs::read_to_string(src.join(rel)).unwrap())
            .collect();
        let files: Vec<String> = found
            .iter()
            .map(|rel| rel.to_string_lossy().replace('\\', "/"))
            .collect();
        let mut modules: Vec<Vec<String>> = files.iter().map(|f| module_of(f)).collect();
        // `#[path = "file.rs"] mod name;` names a module after its declaration, not its
        // file (the runtime's `__fuzz`).
        for (declaring, text) in texts.iter().enumerate() {
            for (file, name) in path_attributes(&tokens(&strip(text))) {
                let target = match files[declaring].rsplit_once('/') {
                    Some((dir, _)) => format!("{dir}/{file}"),
                    None => file,
                };
                if let Some(index) = files.iter().position(|f| *f == target) {
                    let mut module = modules[declaring].clone();
                    module.push(name);
                    modules[index] = module;
                }
            }
        }
        // A `main.rs` beside a `lib.rs` is a second crate, which reaches the library by
        // its name: it has no `crate::` paths into these files.
        let has_lib = files.iter().any(|f| f == "lib.rs");
        let module_files: BTreeMap<Vec<String>, usize> = modules
            .iter()
            .enumerate()
            .filter(|(index, _)| !(has_lib && files[*index] == "main.rs"))
            .map(|(index, module)| (module.clone(), index))
            .collect();
        let names: Vec<FileNames> = texts
            .iter()
            .enumerate()
            .map(|(index, text)| {
                if has_lib && files[index] == "main.rs" {
                    FileNames::default()
                } else {
                    FileNames::read(text, &modules[index], &module_files)
                }
            })
            .collect();
        let mut edges = vec![BTreeMap::new(); files.len()];
        for (from, file) in names.iter().enumerate() {
            for (path, text) in &file.paths {
                let mut targets = BTreeSet::new();
                resolve(path, &module_files, &names, 0, &mut targets);
                for to in targets {
                    if to != from {
                        edges[from].entry(to).or_insert_with(|| text.clone());
                    }
                }
            }
        }
        Self {
            files,
            modules,
            edges,
        }
    }

    /// The circles, each a sorted list of files.
    fn circles(&self) -> Vec<Vec<usize>> {
        let mut circles = Vec::new();
        self.find_circles(&(0..self.files.len()).collect::<Vec<_>>(), &mut circles);
        circles.sort();
        circles
    }

    fn find_circles(&self, nodes: &[usize], circles: &mut Vec<Vec<usize>>) {
        for mut component in strongly_connected(nodes, &self.edges) {
            if component.len() < 2 {
                continue;
            }
            component.sort_unstable();
            // One room: a module with its own submodules. Its front file is left out and
            // the rest looked at again, so circles among the room's files still count.
            let front = component.iter().copied().find(|&front| {
                component
                    .iter()
                    .all(|&other| self.modules[other].starts_with(&self.modules[front]))
            });
            match front {
                Some(front) => {
                    let rest: Vec<usize> = component.into_iter().filter(|&f| f != front).collect();
                    self.find_circles(&rest, circles);
                }
                None => circles.push(component),
            }
        }
    }

    /// Each circle's files, and the paths by which they name each other.
    fn report(&self, circles: &[Vec<usize>]) -> String {
        let mut report = format!("{} import circle(s):\n", circles.len());
        for circle in circles {
            let names: Vec<&str> = circle.iter().map(|&f| self.files[f].as_str()).collect();
            let _ = writeln!(report, "circle: {}", names.join(" "));
            for &from in circle {
                for (to, text) in &self.edges[from] {
                    if circle.contains(to) {
                        let _ = writeln!(
                            report,
                            "  {} -> {} ({text})",
                            self.files[from], self.files[*to]
                        );
                    }
                }
            }
        }
        report
    }
}

fn rust_files(src: &Path, dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(src, &path, found);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            found.push(path.strip_prefix(src).unwrap().to_path_buf());
        }
    }
}

/// The `#[path = "file.rs"] mod name;` declarations among `tokens`: (file, name).
fn path_attributes(tokens: &[Token]) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        if *token != Token::Ident("path".to_owned())
            || tokens.get(i.wrapping_sub(1)) != Some(&Token::Punct('['))
        {
            continue;
        }
        let (Some(Token::Punct('=')), Some(Token::Str(file)), Some(Token::Punct(']'))) =
            (tokens.get(i + 1), tokens.get(i + 2), tokens.get(i + 3))
        else {
            continue;
        };
        // The `mod name` the attribute is on, past other attributes and `pub`.
        let name = tokens[i + 4..]
            .windows(2)
            .take(16)
            .find_map(|pair| match pair {
                [Token::Ident(word), Token::Ident(name)] if word == "mod" => Some(name.clone()),
                _ => None,
            });
        if let Some(name) = name {
            found.push((file.clone(), name));
        }
    }
    found
}

/// `serving/respond.rs` → `serving::respond`; `mod.rs`, `lib.rs` and `main.rs` are their
/// folder's module.
fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_owned)
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The files `path` leads to: the file of its longest module prefix, and through that
/// file's `pub use` of the next name, the files the re-export leads to.
fn resolve(
    path: &[String],
    module_files: &BTreeMap<Vec<String>, usize>,
    names: &[FileNames],
    depth: usize,
    targets: &mut BTreeSet<usize>,
) {
    let Some((length, file)) = (0..=path.len())
        .rev()
        .find_map(|length| Some((length, *module_files.get(&path[..length])?)))
    else {
        return;
    };
    targets.insert(file);
    if let (Some(name), true) = (path.get(length), depth < 16) {
        if let Some(reexported) = names[file].reexports.get(name) {
            let mut onward = reexported.clone();
            onward.extend_from_slice(&path[length + 1..]);
            resolve(&onward, module_files, names, depth + 1, targets);
        }
    }
}

impl FileNames {
    /// The paths of one file whose module is `module`.
    fn read(text: &str, module: &[String], module_files: &BTreeMap<Vec<String>, usize>) -> Self {
        let tokens = tokens(&strip(text));
        let mut names = Self::default();
        // The module at each point: the file's, plus the inline `mod name { ... }` blocks
        // around it (a test module's `super::*` is the file itself).
        let mut here = module.to_vec();
        let mut open: Vec<usize> = Vec::new();
        let mut depth = 0;
        let mut i = 0;
        while i < tokens.len() {
            match &tokens[i] {
                Token::Ident(word) if word == "mod" => {
                    if let (Some(Token::Ident(name)), Some(Token::Punct('{'))) =
                        (tokens.get(i + 1), tokens.get(i + 2))
                    {
                        here.push(name.clone());
                        open.push(depth);
                        i += 2;
                        continue;
                    }
                }
                Token::Punct('{') => depth += 1,
                Token::Punct('}') => {
                    depth -= 1;
                    if open.last() == Some(&depth) {
                        open.pop();
                        here.pop();
                    }
                }
                Token::Ident(word) if word == "use" => {
                    let public = is_public(&tokens[..i]);
                    let mut trees = Vec::new();
                    i += 1;
                    use_tree(&tokens, &mut i, &[], &mut trees);
                    for (path, bound) in trees {
                        let text = path.join("::");
                        let Some(absolute) = absolute(&path, &here, module_files) else {
                            continue;
                        };
                        if public {
                            if let Some(bound) = bound {
                                names.reexports.insert(bound, absolute.clone());
                            }
                        }
                        names.paths.push((absolute, text));
                    }
                    continue;
                }
                Token::Ident(first)
                    if !matches!(tokens.get(i.wrapping_sub(1)), Some(Token::PathSep)) =>
                {
                    let mut path = vec![first.clone()];
                    let mut j = i + 1;
                    while let (Some(Token::PathSep), Some(Token::Ident(next))) =
                        (tokens.get(j), tokens.get(j + 1))
                    {
                        path.push(next.clone());
                        j += 2;
                    }
                    if path.len() > 1 {
                        if let Some(absolute) = absolute(&path, &here, module_files) {
                            names.paths.push((absolute, path.join("::")));
                        }
                        i = j;
                        continue;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        names
    }
}

/// Whether the `use` after `before` is `pub`, `pub(crate)`, `pub(super)` or `pub(in ...)`.
fn is_public(before: &[Token]) -> bool {
    match before.last() {
        Some(Token::Ident(word)) => word == "pub",
        Some(Token::Punct(')')) => {
            let open = before.iter().rposition(|t| *t == Token::Punct('('));
            matches!(open.and_then(|open| before.get(open.wrapping_sub(1))), Some(Token::Ident(word)) if word == "pub")
        }
        _ => false,
    }
}

/// Reads one use tree at `tokens[*i]` under `prefix`, up to its `;`, `,` or `}`; pushes
/// each leaf path with the name it binds (`None` for a glob).
fn use_tree(
    tokens: &[Token],
    i: &mut usize,
    prefix: &[String],
    trees: &mut Vec<(Vec<String>, Option<String>)>,
) {
    let mut path = prefix.to_vec();
    if tokens.get(*i) == Some(&Token::PathSep) {
        // `use ::name`: an outside crate.
        path.push("::".to_owned());
        *i += 1;
    }
    loop {
        match tokens.get(*i) {
            Some(Token::Ident(segment)) => {
                // `self` in a group is the group's prefix.
                if segment != "self" || path.is_empty() {
                    path.push(segment.clone());
                }
                *i += 1;
                if tokens.get(*i) == Some(&Token::PathSep) {
                    *i += 1;
                    continue;
                }
                let mut bound = path.last().cloned();
                if let (Some(Token::Ident(word)), Some(Token::Ident(alias))) =
                    (tokens.get(*i), tokens.get(*i + 1))
                {
                    if word == "as" {
                        bound = Some(alias.clone());
                        *i += 2;
                    }
                }
                trees.push((path, bound));
                return;
            }
            Some(Token::Punct('*')) => {
                *i += 1;
                trees.push((path, None));
                return;
            }
            Some(Token::Punct('{')) => {
                *i += 1;
                while !matches!(tokens.get(*i), Some(Token::Punct('}')) | None) {
                    use_tree(tokens, i, &path, trees);
                    match tokens.get(*i) {
                        Some(Token::Punct(',')) => *i += 1,
                        Some(Token::Punct('}')) => {}
                        // A malformed group: leave it.
                        _ => return,
                    }
                }
                *i += 1;
                return;
            }
            _ => {
                // A stray token: skip to the end of the declaration.
                while !matches!(tokens.get(*i), Some(Token::Punct(';' | ',' | '}')) | None) {
                    *i += 1;
                }
                return;
            }
        }
    }
}

/// `path` as written in module `here`, from the crate root; `None` for a path into
/// another crate or a name that is no module of this one.
fn absolute(
    path: &[String],
    here: &[String],
    module_files: &BTreeMap<Vec<String>, usize>,
) -> Option<Vec<String>> {
    let (first, rest) = path.split_first()?;
    let mut base: Vec<String> = match first.as_str() {
        "crate" | "$crate" => Vec::new(),
        "self" => here.to_vec(),
        "super" => {
            let mut base = here.to_vec();
            base.pop()?;
            let supers = rest.iter().take_while(|s| *s == "super").count();
            for _ in 0..supers {
                base.pop()?;
            }
            base.extend(rest[supers..].iter().cloned());
            return Some(base);
        }
        _ => {
            // A relative path: only a child module of `here` is one of ours.
            let mut child = here.to_vec();
            child.push(first.clone());
            module_files.get(&child)?;
            here.to_vec()
        }
    };
    if !matches!(first.as_str(), "crate" | "$crate" | "self") {
        base.push(first.clone());
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

/// Tarjan's strongly connected components of the graph `edges` restricted to `nodes`.
fn strongly_connected(nodes: &[usize], edges: &[BTreeMap<usize, String>]) -> Vec<Vec<usize>> {
    struct Search<'a> {
        inside: BTreeSet<usize>,
        edges: &'a [BTreeMap<usize, String>],
        index: BTreeMap<usize, usize>,
        low: BTreeMap<usize, usize>,
        stack: Vec<usize>,
        on_stack: BTreeSet<usize>,
        components: Vec<Vec<usize>>,
    }
    impl Search<'_> {
        fn visit(&mut self, node: usize) {
            let number = self.index.len();
            self.index.insert(node, number);
            self.low.insert(node, number);
            self.stack.push(node);
            self.on_stack.insert(node);
            let edges = self.edges;
            for &next in edges[node].keys() {
                if !self.inside.contains(&next) {
                    continue;
                }
                if !self.index.contains_key(&next) {
                    self.visit(next);
                    let low = self.low[&node].min(self.low[&next]);
                    self.low.insert(node, low);
                } else if self.on_stack.contains(&next) {
                    let low = self.low[&node].min(self.index[&next]);
                    self.low.insert(node, low);
                }
            }
            if self.low[&node] == self.index[&node] {
                let mut component = Vec::new();
                while let Some(top) = self.stack.pop() {
                    self.on_stack.remove(&top);
                    component.push(top);
                    if top == node {
                        break;
                    }
                }
                self.components.push(component);
            }
        }
    }
    let mut search = Search {
        inside: nodes.iter().copied().collect(),
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        components: Vec::new(),
    };
    for &node in nodes {
        if !search.index.contains_key(&node) {
            search.visit(node);
        }
    }
    search.components
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Ident(String),
    /// A string literal's contents (only `#[path = "..."]` reads them).
    Str(String),
    PathSep,
    Punct(char),
}

/// The code without comments; a character literal becomes `' '`, and a string literal
/// keeps its quotes with only its letters, digits and `._-/` (a `#[path]` file name), so
/// nothing inside it reads as a path or a keyword.
fn strip(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut code = String::with_capacity(text.len());
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut nesting = 0;
            while i < chars.len() {
                if chars[i] == '/' && at(i + 1) == '*' {
                    nesting += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    nesting -= 1;
                    i += 2;
                    if nesting == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            code.push(' ');
        } else if c == '"' {
            let (contents, end) = quoted(&chars, i + 1);
            push_string(&mut code, &contents);
            i = end;
        } else if c == '\'' {
            if at(i + 1) == '\\' {
                // An escaped character literal: past the escaped character, up to the
                // closing quote.
                i += 3;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
                code.push_str("' '");
            } else if at(i + 2) == '\'' {
                i += 3;
                code.push_str("' '");
            } else {
                // A lifetime or a label.
                code.push(c);
                i += 1;
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let raw = matches!(word.as_str(), "r" | "br" | "cr");
            if raw && (at(i) == '"' || (at(i) == '#' && matches!(at(i + 1), '"' | '#'))) {
                let mut hashes = 0;
                while at(i) == '#' {
                    hashes += 1;
                    i += 1;
                }
                i += 1; // the opening quote
                let start = i;
                loop {
                    if i >= chars.len() {
                        break;
                    }
                    if chars[i] == '"' && (1..=hashes).all(|k| at(i + k) == '#') {
                        break;
                    }
                    i += 1;
                }
                let contents: String = chars[start..i.min(chars.len())].iter().collect();
                push_string(&mut code, &contents);
                i += 1 + hashes;
            } else if matches!(word.as_str(), "b" | "c") && at(i) == '"' {
                let (contents, end) = quoted(&chars, i + 1);
                push_string(&mut code, &contents);
                i = end;
            } else if word == "b" && at(i) == '\'' {
                // A byte literal: `b'x'` or `b'\n'`.
                i += if at(i + 1) == '\\' { 3 } else { 1 };
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
                code.push_str("' '");
            } else {
                code.push_str(&word);
            }
        } else {
            code.push(c);
            i += 1;
        }
    }
    code
}

/// The contents of a `"`-quoted literal starting at `start` (after the quote), and the
/// index after its closing quote.
fn quoted(chars: &[char], start: usize) -> (String, usize) {
    let mut i = start;
    while i < chars.len() && chars[i] != '"' {
        i += if chars[i] == '\\' { 2 } else { 1 };
    }
    let contents = chars[start..i.min(chars.len())].iter().collect();
    (contents, i + 1)
}

/// A string literal in the stripped code: its contents with every character that could
/// read as code replaced, so that no path or keyword appears inside it.
fn push_string(code: &mut String, contents: &str) {
    code.push('"');
    code.extend(contents.chars().map(|c| {
        if c.is_alphanumeric() || "._-/".contains(c) {
            c
        } else {
            '_'
        }
    }));
    code.push('"');
}

fn tokens(code: &str) -> Vec<Token> {
    let chars: Vec<char> = code.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '"' {
            let start = i + 1;
            i = start;
            while i < chars.len() && chars[i] != '"' {
                i += 1;
            }
            tokens.push(Token::Str(chars[start..i].iter().collect()));
            i += 1;
        } else if c == '\'' {
            // A character literal (`' '` after stripping) or a lifetime's quote.
            if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
            tokens.push(Token::Punct('\''));
        } else if c.is_alphabetic() || c == '_' || (c == '$' && chars.get(i + 1) == Some(&'c')) {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let mut word: String = chars[start..i].iter().collect();
            // A raw identifier: `r#type` is `type`.
            if word == "r" && chars.get(i) == Some(&'#') {
                let start = i + 1;
                i = start;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                word = chars[start..i].iter().collect();
            }
            tokens.push(Token::Ident(word));
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(Token::Punct('0'));
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            tokens.push(Token::PathSep);
            i += 2;
        } else {
            tokens.push(Token::Punct(c));
            i += 1;
        }
    }
    tokens
}
