//! Rewriting references between assets to their hashed names, hashing in dependency
//! order so a change to an image changes the hash of every stylesheet that names it.

use crate::content_hash::ContentHash;
use crate::error::PipelineError;
use crate::hashed_name::hashed_name;
use crate::references::{scanner_for, Reference, ReferenceKind};
use crate::url_path::percent_encode_path;
use crate::walk::SourceFile;
use std::collections::HashMap;
use std::path::PathBuf;

/// What to do with a reference to a file that is not in the folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingReferences {
    /// A build error naming the place (`static/css/app.css:12:5`). The default.
    #[default]
    Error,
    /// Leave the reference as written.
    Keep,
}

/// How [`process`] treats references.
#[derive(Debug, Clone)]
pub struct RewriteOptions {
    /// Rewrite at all (off: every file is served as read).
    pub enabled: bool,
    /// The URL path prefix assets are served under (`/static/`): root-relative references
    /// under it are rewritten; other absolute paths are left alone.
    pub prefix: String,
    /// Where rewritten root-relative references point instead of `prefix`, when assets
    /// are served from elsewhere (a CDN: `https://cdn.example.com/static/`).
    pub url_prefix: Option<String>,
    /// References to files that do not exist. A missing source map is never an error:
    /// its reference is kept as written.
    pub missing: MissingReferences,
    /// JavaScript module specifiers resolve through the page's import map and are served
    /// as written, so an edit to a module changes its own hash only, never its
    /// importers'. Every page that loads these modules must render the import map. Off:
    /// relative and prefix-rooted specifiers are rewritten to hashed names.
    pub import_map: bool,
    /// The import map's bare module names and the canonical paths they map to
    /// (`"htmx"` → `vendor/htmx.esm.js`). Imports of these names are part of a module's
    /// import graph either way.
    pub bare_names: Vec<(String, String)>,
}

impl Default for RewriteOptions {
    fn default() -> Self {
        Self {
            enabled: true,
            prefix: "/static/".to_owned(),
            url_prefix: None,
            missing: MissingReferences::Error,
            import_map: false,
            bare_names: Vec::new(),
        }
    }
}

/// A file as it will be served: its bytes after rewriting, and their hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessedFile {
    /// Canonical path.
    pub canonical: String,
    /// The source file on disk (for rebuild tracking).
    pub source: PathBuf,
    /// The bytes served.
    pub bytes: Vec<u8>,
    /// Whether `bytes` differ from the source file's.
    pub rewritten: bool,
    /// SHA-256 of `bytes`.
    pub hash: ContentHash,
    /// For a JavaScript module, the canonical paths it imports statically (relative,
    /// prefix-rooted or bare names of the import map), sorted: its edges in the static
    /// import graph. Dynamic `import()` is left out; it is fetched only when it runs.
    pub imports: Vec<String>,
    /// Whether a static import of this module is resolved by the page's import map: a
    /// bare name, or any import left as written ([`RewriteOptions::import_map`], or
    /// rewriting off). Such a module
    /// must not be parsed before the page's map exists (a `Link` header preload is), or
    /// its imports resolve without it.
    pub imports_through_map: bool,
}

/// One reference to rewrite.
struct Edge {
    reference: Reference,
    target: usize,
    form: Form,
    suffix: String,
}

enum Form {
    /// `../img/` + hashed file name: stays relative.
    Relative(String),
    /// prefix + hashed path.
    Rooted,
}

/// Rewrites the references of every CSS and JS file to hashed names and hashes every
/// file after rewriting, dependencies first.
///
/// Rewritten: CSS `url(...)`, `@import "..."`, `sourceMappingURL`; JS `sourceMappingURL`
/// and relative (`./`, `../`) or prefix-rooted module specifiers. Left alone: `data:`,
/// any `scheme:`, `//host`, `#fragment`, absolute paths outside the prefix, bare module
/// names, and anything inside comments or unrelated strings. `?query` and `#fragment`
/// (including the `?#iefix` font hack) are kept.
///
/// # Errors
/// A reference to a missing file (unless [`MissingReferences::Keep`]), with its line and
/// column; a reference cycle, naming its files.
pub fn process(
    files: Vec<SourceFile>,
    options: &RewriteOptions,
) -> Result<Vec<ProcessedFile>, Vec<PipelineError>> {
    let index: HashMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, file)| (file.canonical.as_str(), i))
        .collect();
    let mut errors = Vec::new();
    let mut edges: Vec<Vec<Edge>> = Vec::with_capacity(files.len());
    let mut imports: Vec<(Vec<String>, bool)> = Vec::with_capacity(files.len());
    for file in &files {
        // With rewriting off, modules are still read for their import graph (the import
        // map's preloads), but nothing is rewritten or refused: these are dropped.
        let mut file_errors = Vec::new();
        let mut found = Vec::new();
        let mut imported = Vec::new();
        let mut through_map = false;
        let scanner = scanner_for(&file.canonical)
            .filter(|_| options.enabled || crate::import_map::is_module(&file.canonical));
        if let Some(scan) = scanner {
            for reference in scan(&file.bytes) {
                let text = String::from_utf8_lossy(&file.bytes[reference.start..reference.end]);
                let module = matches!(
                    reference.kind,
                    ReferenceKind::JsImport | ReferenceKind::JsDynamicImport
                );
                if !module && !options.enabled {
                    continue;
                }
                let is_static = reference.kind == ReferenceKind::JsImport;
                if module && is_bare(&text) {
                    // Mapped here or not, only an import map can resolve a bare name.
                    through_map |= is_static;
                    match options.bare_names.iter().find(|(name, _)| *name == *text) {
                        Some((_, target)) if is_static => imported.push(target.clone()),
                        Some(_) => {}
                        None if options.import_map
                            && options.missing == MissingReferences::Error =>
                        {
                            file_errors.push(unknown_bare_name(file, &reference, &text, options));
                        }
                        None => {}
                    }
                    continue;
                }
                let Some(resolved) =
                    resolve(&text, &file.canonical, &options.prefix, reference.kind)
                else {
                    continue;
                };
                if module && options.import_map && text.contains(['?', '#', '%']) {
                    // The browser matches the resolved URL as written against the map's
                    // keys: a query, a fragment or an escape never matches one.
                    file_errors.push(PipelineError::UnmappableSpecifier {
                        path: file.canonical.clone(),
                        line: reference.line,
                        column: reference.column,
                        specifier: text.into_owned(),
                    });
                    continue;
                }
                match index.get(resolved.target.as_str()) {
                    Some(&target) => {
                        if is_static {
                            imported.push(resolved.target.clone());
                            // Left as written, the specifier names the canonical URL,
                            // which only the map sends to the hashed file.
                            through_map |= options.import_map || !options.enabled;
                        }
                        // Through the import map, a specifier is resolved by the browser:
                        // the module is served as written.
                        if options.enabled && !(module && options.import_map) {
                            found.push(Edge {
                                reference,
                                target,
                                form: resolved.form,
                                suffix: resolved.suffix,
                            });
                        }
                    }
                    None if reference.kind == ReferenceKind::SourceMap => {}
                    None if options.missing == MissingReferences::Keep => {}
                    None => file_errors.push(PipelineError::MissingReference {
                        path: file.canonical.clone(),
                        line: reference.line,
                        column: reference.column,
                        reference: text.into_owned(),
                        // Never the file holding the reference: it exists, and is
                        // not what the reference meant.
                        suggestions: crate::closest_matches(
                            &resolved.target,
                            files
                                .iter()
                                .map(|other| other.canonical.as_str())
                                .filter(|&other| other != file.canonical),
                        )
                        .into_iter()
                        .map(str::to_owned)
                        .collect(),
                        resolved: resolved.target,
                    }),
                }
            }
        }
        if options.enabled {
            errors.append(&mut file_errors);
        }
        imported.sort();
        imported.dedup();
        edges.push(found);
        imports.push((imported, through_map));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let order = dependency_order(&files, &edges)?;
    let mut hashes: Vec<Option<ContentHash>> = vec![None; files.len()];
    let mut outputs: Vec<Option<(Vec<u8>, bool)>> = (0..files.len()).map(|_| None).collect();
    for index in order {
        let file = &files[index];
        let (bytes, rewritten) = if edges[index].is_empty() {
            (file.bytes.clone(), false)
        } else {
            let mut out = Vec::with_capacity(file.bytes.len() + 16 * edges[index].len());
            let mut at = 0;
            let mut sorted: Vec<&Edge> = edges[index].iter().collect();
            sorted.sort_by_key(|edge| edge.reference.start);
            for edge in sorted {
                let target = &files[edge.target];
                let hash = hashes[edge.target].unwrap_or_else(|| ContentHash::of(&target.bytes));
                let hashed = hashed_name(&target.canonical, &hash);
                let url = match &edge.form {
                    Form::Relative(dir) => {
                        let name = hashed.rsplit('/').next().unwrap_or(&hashed);
                        format!("{dir}{}{}", percent_encode_path(name), edge.suffix)
                    }
                    Form::Rooted => format!(
                        "{}{}{}",
                        options.url_prefix.as_deref().unwrap_or(&options.prefix),
                        percent_encode_path(&hashed),
                        edge.suffix
                    ),
                };
                out.extend_from_slice(&file.bytes[at..edge.reference.start]);
                out.extend_from_slice(url.as_bytes());
                at = edge.reference.end;
            }
            out.extend_from_slice(&file.bytes[at..]);
            let changed = out != file.bytes;
            (out, changed)
        };
        hashes[index] = Some(ContentHash::of(&bytes));
        outputs[index] = Some((bytes, rewritten));
    }
    Ok(files
        .into_iter()
        .zip(outputs)
        .zip(hashes)
        .zip(imports)
        .map(|(((file, output), hash), (imports, imports_through_map))| {
            let (bytes, rewritten) = output.unwrap_or_default();
            ProcessedFile {
                hash: hash.unwrap_or_else(|| ContentHash::of(&bytes)),
                canonical: file.canonical,
                source: file.path,
                bytes,
                rewritten,
                imports,
                imports_through_map,
            }
        })
        .collect())
}

/// Files in an order where every file comes after the files it references.
fn dependency_order(
    files: &[SourceFile],
    edges: &[Vec<Edge>],
) -> Result<Vec<usize>, Vec<PipelineError>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut marks = vec![Mark::New; files.len()];
    let mut order = Vec::with_capacity(files.len());
    let mut cycles = Vec::new();
    for root in 0..files.len() {
        if marks[root] != Mark::New {
            continue;
        }
        // Iterative depth-first search: (file, next edge to follow).
        let mut stack = vec![(root, 0usize)];
        marks[root] = Mark::Open;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(edge) = edges[node].get(*next) {
                *next += 1;
                let target = edge.target;
                match marks[target] {
                    Mark::New => {
                        marks[target] = Mark::Open;
                        stack.push((target, 0));
                    }
                    Mark::Open => {
                        let from = stack.iter().position(|&(n, _)| n == target).unwrap_or(0);
                        let mut names: Vec<String> = stack[from..]
                            .iter()
                            .map(|&(n, _)| files[n].canonical.clone())
                            .collect();
                        names.push(files[target].canonical.clone());
                        cycles.push(PipelineError::ReferenceCycle { files: names });
                    }
                    Mark::Done => {}
                }
            } else {
                marks[node] = Mark::Done;
                order.push(node);
                stack.pop();
            }
        }
    }
    if cycles.is_empty() {
        Ok(order)
    } else {
        Err(cycles)
    }
}

struct Resolved {
    target: String,
    form: Form,
    suffix: String,
}

fn has_scheme(url: &str) -> bool {
    let Some(colon) = url.find(':') else {
        return false;
    };
    let scheme = &url[..colon];
    !scheme.is_empty()
        && scheme.as_bytes()[0].is_ascii_alphabetic()
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// The error for `file`'s import of a bare name that `import_map(...)` does not map,
/// with the mapped names closest to it.
fn unknown_bare_name(
    file: &SourceFile,
    reference: &Reference,
    name: &str,
    options: &RewriteOptions,
) -> PipelineError {
    let names = options.bare_names.iter().map(|(name, _)| name.as_str());
    PipelineError::UnknownBareName {
        path: file.canonical.clone(),
        line: reference.line,
        column: reference.column,
        suggestions: crate::closest_matches(name, names)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        name: name.to_owned(),
    }
}

/// A bare module name (`htmx`, `@scope/pkg`): not relative, not rooted, no scheme.
fn is_bare(specifier: &str) -> bool {
    let specifier = specifier.trim();
    !(specifier.is_empty()
        || specifier.starts_with("./")
        || specifier.starts_with("../")
        || specifier.starts_with('/')
        || has_scheme(specifier))
}

/// Where a reference written in `from` points, or `None` when it is not ours to rewrite.
fn resolve(url: &str, from: &str, prefix: &str, kind: ReferenceKind) -> Option<Resolved> {
    let url = url.trim();
    if url.is_empty() || url.starts_with('#') || url.starts_with("//") || has_scheme(url) {
        return None;
    }
    if matches!(
        kind,
        ReferenceKind::JsImport | ReferenceKind::JsDynamicImport
    ) && is_bare(url)
    {
        return None; // a bare module name: an import map's business
    }
    let split = url.find(['?', '#']).unwrap_or(url.len());
    let (path, suffix) = url.split_at(split);
    if path.is_empty() {
        return None;
    }
    let (target, form) = if let Some(rest) = path.strip_prefix(prefix) {
        (normalize("", &decode(rest))?, Form::Rooted)
    } else if path.starts_with('/') {
        return None; // an absolute path outside the static prefix
    } else {
        let base = from.rsplit_once('/').map_or("", |(dir, _)| dir);
        let dir = path
            .rsplit_once('/')
            .map_or(String::new(), |(dir, _)| format!("{dir}/"));
        (normalize(base, &decode(path))?, Form::Relative(dir))
    };
    Some(Resolved {
        target,
        form,
        suffix: suffix.to_owned(),
    })
}

/// Joins `path` onto the folder `base` and resolves `.` and `..` as a browser does (RFC
/// 3986, section 5.2.4); `None` when it climbs out of the static folder. An empty segment
/// (`img//a.png`) is kept, as the browser keeps it: such a URL names no file of the set,
/// so it is reported as missing rather than rewritten into a URL that is not served.
fn normalize(base: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split('/') {
        match part {
            "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Percent-decodes once; malformed escapes stay as written.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let Some(value) = text
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            {
                out.push(value);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(canonical: &str, text: &str) -> SourceFile {
        SourceFile {
            canonical: canonical.to_owned(),
            path: PathBuf::from(canonical),
            bytes: text.as_bytes().to_vec(),
        }
    }

    fn run(files: Vec<SourceFile>) -> HashMap<String, ProcessedFile> {
        process(files, &RewriteOptions::default())
            .unwrap()
            .into_iter()
            .map(|f| (f.canonical.clone(), f))
            .collect()
    }

    fn short(text: &str) -> String {
        ContentHash::of(text.as_bytes()).short()
    }

    fn text(processed: &ProcessedFile) -> String {
        String::from_utf8(processed.bytes.clone()).unwrap()
    }

    #[test]
    fn css_references_become_hashed_and_keep_their_form() {
        let out = run(vec![
            file(
                "css/app.css",
                "a{background:url(../img/a.png)} b{background:url('/static/img/a.png?v=1#x')}",
            ),
            file("img/a.png", "PNG"),
        ]);
        let h = short("PNG");
        assert_eq!(
            text(&out["css/app.css"]),
            format!("a{{background:url(../img/a.{h}.png)}} b{{background:url('/static/img/a.{h}.png?v=1#x')}}")
        );
        assert!(out["css/app.css"].rewritten);
        assert_eq!(
            out["css/app.css"].hash,
            ContentHash::of(&out["css/app.css"].bytes)
        );
    }

    #[test]
    fn hashes_follow_dependencies_transitively() {
        let files = |png: &str| {
            vec![
                file("css/app.css", "@import \"base.css\";"),
                file("css/base.css", "x{background:url(../img/a.png)}"),
                file("img/a.png", png),
            ]
        };
        let one = run(files("one"));
        let two = run(files("two"));
        assert_ne!(one["css/base.css"].hash, two["css/base.css"].hash);
        assert_ne!(
            one["css/app.css"].hash, two["css/app.css"].hash,
            "the change reaches the importer"
        );
        let base = hashed_name("css/base.css", &one["css/base.css"].hash);
        assert_eq!(
            text(&one["css/app.css"]),
            format!("@import \"{}\";", base.rsplit('/').next().unwrap())
        );
    }

    #[test]
    fn font_hacks_queries_and_fragments_survive() {
        let out = run(vec![
            file(
                "css/f.css",
                "src:url(\"../fonts/f.eot?#iefix\") format(\"eot\"),url(../fonts/f.svg#icons)",
            ),
            file("fonts/f.eot", "EOT"),
            file("fonts/f.svg", "SVG"),
        ]);
        let css = text(&out["css/f.css"]);
        assert!(
            css.contains(&format!("../fonts/f.{}.eot?#iefix", short("EOT"))),
            "{css}"
        );
        assert!(
            css.contains(&format!("../fonts/f.{}.svg#icons", short("SVG"))),
            "{css}"
        );
    }

    #[test]
    fn foreign_references_are_left_alone() {
        let css = "a{background:url(data:image/png;base64,AA)} b{background:url(https://cdn.example/x.png)} \
                   c{background:url(//host/x.png)} d{filter:url(#f)} e{background:url(/other/x.png)} \
                   /* url(missing.png) */ f::before{content:\"url(missing.png)\"}";
        let out = run(vec![file("css/a.css", css)]);
        assert_eq!(text(&out["css/a.css"]), css);
        assert!(!out["css/a.css"].rewritten);
    }

    #[test]
    fn js_modules_and_maps() {
        let out = run(vec![
            file("js/app.js", "import {x} from './lib/x.js';\nimport 'lodash';\nconst y = import('../js/y.mjs');\n//# sourceMappingURL=app.js.map\n"),
            file("js/lib/x.js", "export const x = 1;"),
            file("js/y.mjs", "export default 2;\n//# sourceMappingURL=y.mjs.map"),
            file("js/app.js.map", "{}"),
        ]);
        let js = text(&out["js/app.js"]);
        assert!(
            js.contains(&format!(
                "from './lib/x.{}.js'",
                short("export const x = 1;")
            )),
            "{js}"
        );
        assert!(js.contains("import 'lodash'"));
        assert!(js.contains("import('../js/y."), "{js}");
        assert!(
            js.contains(&format!("sourceMappingURL=app.js.{}.map", short("{}"))),
            "{js}"
        );
        // y.mjs names a map that does not exist: kept as written, not an error.
        assert!(text(&out["js/y.mjs"]).ends_with("sourceMappingURL=y.mjs.map"));
    }

    #[test]
    fn missing_references_are_errors_with_their_place_or_kept() {
        let files = || {
            vec![file(
                "css/app.css",
                "a{}\nb {\n    background: url(../img/nope.png);\n}",
            )]
        };
        let errors = process(files(), &RewriteOptions::default()).unwrap_err();
        assert_eq!(
            errors[0].describe("static"),
            "`static/css/app.css:3:21`: `../img/nope.png` names `img/nope.png`, which is not in the static folder \
             (set `missing_references = \"keep\"` to leave such references unchanged)"
        );
        let kept = process(
            files(),
            &RewriteOptions {
                missing: MissingReferences::Keep,
                ..RewriteOptions::default()
            },
        )
        .unwrap();
        assert!(!kept[0].rewritten);
    }

    /// Issue 24: a missing `./nope.js` imported from `js/app.js` suggested `js/app.js`
    /// itself, and a missing `../img/nope.png` suggested `img/logo.png`; a typo still
    /// gets its suggestion.
    #[test]
    fn missing_references_suggest_only_close_names_and_never_their_own_file() {
        let errors = process(
            vec![
                file("js/app.js", "import './nope.js';\n"),
                file("js/main.js", "import './ap.js';\n"),
                file("img/logo.png", "png"),
                file("css/app.css", "a { background: url(../img/nope.png) }"),
            ],
            &RewriteOptions::default(),
        )
        .unwrap_err();
        let mut found: Vec<(String, Vec<String>)> = errors
            .into_iter()
            .map(|error| match error {
                PipelineError::MissingReference {
                    reference,
                    suggestions,
                    ..
                } => (reference, suggestions),
                other => panic!("{other:?}"),
            })
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                ("../img/nope.png".to_owned(), vec![]),
                ("./ap.js".to_owned(), vec!["js/app.js".to_owned()]),
                ("./nope.js".to_owned(), vec![]),
            ]
        );
        // Close to the importing file's own name: still not the importing file.
        let errors = process(
            vec![file("js/app.js", "import './ap.js';\n")],
            &RewriteOptions::default(),
        )
        .unwrap_err();
        assert!(
            matches!(&errors[..], [PipelineError::MissingReference { suggestions, .. }] if suggestions.is_empty()),
            "{errors:?}"
        );
    }

    /// Found by fuzzing: `img//a.png` was resolved to `img/a.png` and rewritten to
    /// `img//a.<hash>.png`, a URL the browser asks for with its empty segment, which names
    /// no file. Resolved as the browser resolves it, it is a missing reference.
    #[test]
    fn an_empty_segment_is_resolved_as_the_browser_does() {
        let files = || {
            vec![
                file("css/app.css", "a { background: url(../img//a.png) }"),
                file("img/a.png", "png"),
            ]
        };
        let errors = process(files(), &RewriteOptions::default()).unwrap_err();
        assert!(
            errors[0].describe("static").contains("names `img//a.png`"),
            "{}",
            errors[0].describe("static")
        );
        // `..` removes an empty segment as it removes any other (RFC 3986, 5.2.4).
        let fine = vec![
            file("css/app.css", "a { background: url(..//../img/a.png) }"),
            file("img/a.png", "png"),
        ];
        assert!(process(fine, &RewriteOptions::default()).unwrap()[0].rewritten);
    }

    #[test]
    fn cycles_are_errors_naming_their_files() {
        let errors = process(
            vec![
                file("a.css", "@import \"b.css\";"),
                file("b.css", "@import url(c.css);"),
                file("c.css", "@import \"a.css\";"),
            ],
            &RewriteOptions::default(),
        )
        .unwrap_err();
        assert_eq!(
            errors,
            [PipelineError::ReferenceCycle {
                files: vec![
                    "a.css".into(),
                    "b.css".into(),
                    "c.css".into(),
                    "a.css".into()
                ]
            }]
        );
        let own = process(
            vec![file("a.css", "@import \"a.css\";")],
            &RewriteOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(&own[0], PipelineError::ReferenceCycle { files } if files.len() == 2));
    }

    #[test]
    fn off_means_untouched() {
        let options = RewriteOptions {
            enabled: false,
            ..RewriteOptions::default()
        };
        let out = process(
            vec![file("css/app.css", "a{background:url(nope.png)}")],
            &options,
        )
        .unwrap();
        assert!(!out[0].rewritten);
    }

    #[test]
    fn encoded_names_resolve() {
        let out = run(vec![
            file("css/a.css", "a{background:url(\"../img/a%20b.png\")}"),
            file("img/a b.png", "X"),
        ]);
        assert!(text(&out["css/a.css"]).contains(&format!("../img/a%20b.{}.png", short("X"))));
    }

    fn modules(main: &str, leaf: &str) -> Vec<SourceFile> {
        vec![
            file("js/main.js", main),
            file(
                "js/lib/greet.js",
                "import { fmt } from './fmt.js';\nexport const greet = fmt;",
            ),
            file("js/lib/fmt.js", leaf),
            file("js/lazy.js", "export default 1;"),
        ]
    }

    const MAIN: &str = "import { greet } from 'greeting';\nimport './lib/greet.js';\n\
                        const lazy = () => import('./lazy.js');";

    fn through_map() -> RewriteOptions {
        RewriteOptions {
            import_map: true,
            bare_names: vec![("greeting".to_owned(), "js/lib/greet.js".to_owned())],
            ..RewriteOptions::default()
        }
    }

    fn by_name(files: Vec<ProcessedFile>) -> HashMap<String, ProcessedFile> {
        files
            .into_iter()
            .map(|f| (f.canonical.clone(), f))
            .collect()
    }

    #[test]
    fn static_imports_form_the_graph_in_both_modes() {
        for options in [RewriteOptions::default(), through_map()] {
            let options = RewriteOptions {
                bare_names: through_map().bare_names,
                ..options
            };
            let out = by_name(process(modules(MAIN, "export const fmt = 1;"), &options).unwrap());
            // The bare name and the relative path name one module; `import()` is not static.
            assert_eq!(out["js/main.js"].imports, ["js/lib/greet.js"]);
            assert_eq!(out["js/lib/greet.js"].imports, ["js/lib/fmt.js"]);
            assert!(out["js/lib/fmt.js"].imports.is_empty());
            // `main.js` names a bare name; `greet.js` a relative path, which only the
            // import map resolves when it is on.
            assert!(out["js/main.js"].imports_through_map);
            assert_eq!(
                out["js/lib/greet.js"].imports_through_map,
                options.import_map
            );
            assert!(!out["js/lib/fmt.js"].imports_through_map);
        }
    }

    #[test]
    fn through_the_import_map_an_edit_changes_only_its_own_hash() {
        let before =
            by_name(process(modules(MAIN, "export const fmt = 1;"), &through_map()).unwrap());
        let after =
            by_name(process(modules(MAIN, "export const fmt = 2;"), &through_map()).unwrap());
        assert_eq!(text(&before["js/main.js"]), MAIN, "served as written");
        assert!(!before["js/main.js"].rewritten);
        assert_ne!(before["js/lib/fmt.js"].hash, after["js/lib/fmt.js"].hash);
        for unchanged in ["js/main.js", "js/lib/greet.js", "js/lazy.js"] {
            assert_eq!(before[unchanged].hash, after[unchanged].hash, "{unchanged}");
        }
        // Rewritten to hashed names instead, the edit reaches every importer.
        let rewrite = RewriteOptions::default;
        let before = by_name(process(modules(MAIN, "export const fmt = 1;"), &rewrite()).unwrap());
        let after = by_name(process(modules(MAIN, "export const fmt = 2;"), &rewrite()).unwrap());
        for changed in ["js/lib/fmt.js", "js/lib/greet.js", "js/main.js"] {
            assert_ne!(before[changed].hash, after[changed].hash, "{changed}");
        }
        assert_eq!(before["js/lazy.js"].hash, after["js/lazy.js"].hash);
    }

    #[test]
    fn through_the_import_map_cycles_are_fine_and_missing_files_still_errors() {
        let cycle = vec![
            file("js/a.js", "import './b.js';"),
            file("js/b.js", "import './a.js';"),
        ];
        let out = by_name(process(cycle, &through_map()).unwrap());
        assert_eq!(out["js/a.js"].imports, ["js/b.js"]);
        let missing = vec![file("js/a.js", "import './nope.js';")];
        let errors = process(missing, &through_map()).unwrap_err();
        assert!(
            matches!(&errors[0], PipelineError::MissingReference { resolved, .. } if resolved == "js/nope.js")
        );
    }

    #[test]
    fn through_the_import_map_queries_fragments_and_escapes_are_errors() {
        for specifier in ["./b.js?v=1", "./b.js#x", "./%62.js"] {
            let files = vec![
                file("js/a.js", &format!("import '{specifier}';")),
                file("js/b.js", ""),
            ];
            let errors = process(files, &through_map()).unwrap_err();
            assert!(
                errors[0]
                    .describe("static")
                    .contains(&format!("`{specifier}` resolves through the import map")),
                "{errors:?}"
            );
        }
    }

    #[test]
    fn an_unmapped_bare_name_is_an_error_through_the_import_map_only() {
        let files = || {
            vec![
                file("js/a.js", "\nimport x from 'greetin';"),
                file("js/lib/greet.js", ""),
            ]
        };
        let errors = process(files(), &through_map()).unwrap_err();
        assert_eq!(
            errors[0].describe("static"),
            "`static/js/a.js:2:16`: the bare module name `greetin` is not in `import_map(...)`; \
             did you mean `greeting`? (map it to a module of the folder: \
             `import_map(\"greetin\" = \"path/to/module.js\")`)"
        );
        let keep = RewriteOptions {
            missing: MissingReferences::Keep,
            ..through_map()
        };
        assert!(process(files(), &keep).is_ok());
        assert!(process(files(), &RewriteOptions::default()).is_ok());
    }
}
