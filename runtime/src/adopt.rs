//! Hashed URLs, the app version and every layer for files you already embed with
//! rust-embed or include_dir, without switching to `hyper_assets!`.
//!
//! [`rust_embed`] (feature `rust-embed`) and [`include_dir`] (feature `include_dir`) turn
//! an embedded set into the same [`Manifest`] the macro generates, once at start-up, so
//! [`StaticService`](crate::serving::StaticService), [`Manifest::staticfiles_json`], the template
//! helpers, [`AppVersion`](crate::version::AppVersion) and its layers, and the version router work
//! on it unchanged: one serving code path.
//!
//! ```
//! # #[cfg(feature = "rust-embed")]
//! # fn main() -> Result<(), hyper_assets::adopt::AdoptError> {
//! #[derive(rust_embed::Embed)]
//! #[folder = "static"] // your `static` folder, relative to Cargo.toml
//! struct Static;
//!
//! let manifest: &'static hyper_assets::Manifest =
//!     hyper_assets::adopt::rust_embed::<Static>().prefix("/static/").build()?;
//! let css = manifest.get("css/styles.css").expect("embedded");
//! assert!(css.url().starts_with("/static/css/styles."));
//! let files = hyper_assets::serving::StaticService::new(manifest);
//! let version = hyper_assets::version::AppVersion::from_manifest(manifest);
//! # let _ = (files, version);
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "rust-embed"))]
//! # fn main() {}
//! ```
//!
//! # What is the same as `hyper_assets!`
//!
//! The same folder gives the same manifest as `hyper_assets!(..., rewrite = false)`, field by
//! field (tested; the macro rewrites references by default, and `.rewrite(true)` does it
//! here too, with the same result for the rewritten files): the canonical path,
//! the hashed name (`hyper_assets_pipeline::hashed_name`: the first 12 hex characters of
//! the SHA-256 of the exact bytes before the last extension), the URL, the SHA-256
//! (rust-embed's own compile-time `metadata.sha256_hash()` is used, not computed again;
//! include_dir has none, so its files are hashed here), the `Content-Type`, the strong
//! `ETag`, the `sha384-` integrity value, the version (the manifest hash, by the same
//! pipeline function) and the prefix rule. The same names are refused, as an
//! [`AdoptError`] naming the file and the rule rather than a compile error: a control
//! character or a backslash in a name, and a hashed name that is also another file's
//! name. Hidden files (`.DS_Store`, `.gitkeep`, editor backups; not `.well-known/`) are
//! left out as the macro leaves them out, unless [`AdoptBuilder::hidden`] is set. An
//! empty set is an error, as an empty folder is for the macro.
//!
//! # What it cannot give
//!
//! - No compile-time check of asset names: there is no `url!`; look URLs up with
//!   [`Manifest::url`] or the template helpers, which fail on an unknown path.
//! - No precompressed variants: [`Asset::brotli`](crate::Asset::brotli) and
//!   [`Asset::gzip`](crate::Asset::gzip) are `None`, so every response is identity.
//! - References between CSS/JS files are served as embedded, unless
//!   [`AdoptBuilder::rewrite`] runs the macro's rewriting at start-up.
//! - A snapshot: the manifest is built once, when `build` runs. rust-embed in a debug
//!   build (without its `debug-embed` feature) reads the folder from disk at that moment;
//!   later edits are not seen until a restart. For edits without restarts, use
//!   `hyper_assets!` and its dev mode ([`DevAssets`](crate::dev::DevAssets)).
//!
//! # Cost
//!
//! The work is done once, in `build`; requests only look up the leaked tables, as with
//! the macro's const data, and never hash. Measured by `bench/adopt-cost` (run by
//! `bench/run.sh`) in a release build on a 2-core AMD EPYC, 1,000 files of 4 KiB (4 MB),
//! the first `build` of a fresh process:
//! **`rust_embed` 9.7 ms** (its SHA-256 comes from compile time), **`include_dir` 11.8 ms**
//! (SHA-256 here as well); most of either is the SHA-384 of the integrity values. With
//! [`AdoptBuilder::rewrite`] every file is copied and hashed again. The result is leaked
//! in a handful of allocations (one for all strings, one for the asset table, one for the
//! hashed-name index, one for bytes read from disk or rewritten); embedded bytes are not
//! copied.

#[cfg(feature = "include_dir")]
mod include_dir;
#[cfg(feature = "rust-embed")]
mod rust_embed;

#[cfg(feature = "include_dir")]
pub use self::include_dir::include_dir;
#[cfg(feature = "rust-embed")]
pub use self::rust_embed::rust_embed;

use crate::manifest::import_map::{module_imports, ImportMap, ModuleImports};
use crate::manifest::{Asset, Manifest};
use hyper_assets_pipeline::{
    integrity, is_module, normalize_prefix, process, ContentHash, FileFilter, ManifestEntry,
    MissingReferences, PipelineError, RewriteOptions, SourceFile,
};
use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

/// One file as the embedding crate gives it.
struct EmbeddedFile {
    canonical: Cow<'static, str>,
    bytes: Cow<'static, [u8]>,
    /// The SHA-256 of `bytes`, when the embedding crate computed it.
    sha256: Option<ContentHash>,
}

/// Where the files come from; read only in [`AdoptBuilder::build`], after the options
/// are known.
enum Source {
    #[cfg(feature = "rust-embed")]
    RustEmbed(fn(&FileFilter) -> (Vec<EmbeddedFile>, Vec<PipelineError>)),
    #[cfg(feature = "include_dir")]
    IncludeDir(&'static ::include_dir::Dir<'static>),
}

impl Source {
    /// The files `filter` accepts (the others are not even read: rust-embed's debug mode
    /// reads each file from disk), and the files that cannot be read.
    fn read(&self, filter: &FileFilter) -> (Vec<EmbeddedFile>, Vec<PipelineError>) {
        match self {
            #[cfg(feature = "rust-embed")]
            Self::RustEmbed(read) => read(filter),
            #[cfg(feature = "include_dir")]
            Self::IncludeDir(dir) => (self::include_dir::files(dir, filter), Vec::new()),
        }
    }
}

/// Options for turning an embedded set into a [`Manifest`]; made by [`rust_embed`] or
/// [`include_dir`], finished by [`AdoptBuilder::build`].
pub struct AdoptBuilder {
    source: Source,
    /// How errors name the set: ``rust-embed `Static` ``.
    set: String,
    prefix: String,
    hidden: bool,
    rewrite: bool,
}

impl AdoptBuilder {
    fn new(source: Source, set: String) -> Self {
        Self {
            source,
            set,
            prefix: "/static/".to_owned(),
            hidden: false,
            rewrite: false,
        }
    }

    /// The URL path the assets are served under, `/static/` by default; the same rule
    /// as the macro's `prefix` (a `/` at both ends, only letters, digits and `-._~/`; a
    /// missing trailing `/` is added). A bad prefix is an error from
    /// [`AdoptBuilder::build`].
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Serve hidden files too (the macro's `hidden = true`). Off by default: any path
    /// with a component starting with `.` (except `.well-known`), `name~`, `#name#`,
    /// `Thumbs.db` and `desktop.ini` are left out, as `hyper_assets!` leaves them out.
    #[must_use]
    pub fn hidden(mut self, include: bool) -> Self {
        self.hidden = include;
        self
    }

    /// Rewrite references between CSS and JS files and other assets to hashed names at
    /// start-up, with the macro's rewriting (`hyper_assets_pipeline::process`), under
    /// [`AdoptBuilder::prefix`]. Off by default: files are served as embedded. When on,
    /// every file is hashed again after rewriting, a reference to a missing file or a
    /// cycle is an error, and the rewritten copies are kept in memory.
    #[must_use]
    pub fn rewrite(mut self, rewrite: bool) -> Self {
        self.rewrite = rewrite;
        self
    }

    /// Reads the set, checks and hashes it, and leaks the result: a [`Manifest`] for the
    /// rest of the process. Call it once, at start-up.
    ///
    /// # Errors
    /// A bad prefix; a set with no file to serve; every file `hyper_assets!` would refuse
    /// (a name with a control character or a backslash, a hashed name that is another
    /// file's name, and with rewriting a missing reference or a cycle), each naming the
    /// file and the rule.
    pub fn build(self) -> Result<&'static Manifest, AdoptError> {
        let prefix = normalize_prefix(&self.prefix).map_err(|reason| AdoptError::BadPrefix {
            prefix: self.prefix.clone(),
            reason,
        })?;
        let filter = FileFilter::default().include_hidden(self.hidden);
        // Every problem is collected, as the macro reports them all at once.
        let (mut files, mut problems) = self.source.read(&filter);
        if files.is_empty() && problems.is_empty() {
            return Err(AdoptError::Empty { set: self.set });
        }
        let files_error = |problems| AdoptError::Files {
            set: self.set.clone(),
            problems,
        };
        files.sort_by(|a, b| a.canonical.cmp(&b.canonical));
        let (files, graph) = if self.rewrite {
            match rewrite(files, &prefix) {
                Ok(rewritten) => rewritten,
                Err(more) => {
                    problems.extend(more);
                    return Err(files_error(problems));
                }
            }
        } else {
            let graph = module_graph(&files, &prefix);
            let files = files
                .into_iter()
                .map(|file| {
                    let hash = file.sha256.unwrap_or_else(|| ContentHash::of(&file.bytes));
                    (file.canonical, file.bytes, hash)
                })
                .collect();
            (files, graph)
        };
        let entries = files
            .iter()
            .map(|(canonical, bytes, hash)| {
                ManifestEntry::with_hash(canonical, *hash, bytes.len() as u64)
            })
            .collect();
        match hyper_assets_pipeline::Manifest::from_entries(entries) {
            Ok(manifest) if problems.is_empty() => Ok(leak(&manifest, &files, &prefix, graph)),
            Ok(_) => Err(files_error(problems)),
            Err(more) => {
                problems.extend(more);
                Err(files_error(problems))
            }
        }
    }
}

impl fmt::Debug for AdoptBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdoptBuilder")
            .field("set", &self.set)
            .field("prefix", &self.prefix)
            .field("hidden", &self.hidden)
            .field("rewrite", &self.rewrite)
            .finish_non_exhaustive()
    }
}

type Hashed = (Cow<'static, str>, Cow<'static, [u8]>, ContentHash);

/// The macro's rewriting over the files in memory, and the modules' import graph, read
/// from the bytes as embedded. Files it leaves alone keep their embedded bytes.
fn rewrite(
    files: Vec<EmbeddedFile>,
    prefix: &str,
) -> Result<(Vec<Hashed>, Vec<ModuleImports>), Vec<PipelineError>> {
    let sources = source_files(files.iter());
    let options = RewriteOptions {
        enabled: true,
        prefix: prefix.to_owned(),
        url_prefix: None,
        missing: MissingReferences::Error,
        ..RewriteOptions::default()
    };
    let processed = process(sources, &options)?;
    let graph = module_imports(&processed);
    let files = files
        .into_iter()
        .zip(processed)
        .map(|(file, processed)| {
            debug_assert_eq!(file.canonical, processed.canonical);
            let bytes = if processed.rewritten {
                Cow::Owned(processed.bytes)
            } else {
                file.bytes
            };
            (file.canonical, bytes, processed.hash)
        })
        .collect();
    Ok((files, graph))
}

/// The pipeline's view of embedded files (their bytes copied: the pipeline owns them).
fn source_files<'a>(files: impl Iterator<Item = &'a EmbeddedFile>) -> Vec<SourceFile> {
    files
        .map(|file| SourceFile {
            canonical: file.canonical.clone().into_owned(),
            path: PathBuf::from(file.canonical.as_ref()),
            bytes: file.bytes.to_vec(),
        })
        .collect()
}

/// The modules' import graph of a set served as embedded: the pipeline reads it with
/// rewriting off, as the macro does for `rewrite = false`. Sorted by module.
fn module_graph(files: &[EmbeddedFile], prefix: &str) -> Vec<ModuleImports> {
    let sources = source_files(files.iter().filter(|file| is_module(&file.canonical)));
    let options = RewriteOptions {
        enabled: false,
        prefix: prefix.to_owned(),
        ..RewriteOptions::default()
    };
    // With rewriting off nothing is refused, so this never fails.
    process(sources, &options)
        .map(|processed| module_imports(&processed))
        .unwrap_or_default()
}

/// The strings of one asset, before they are copied into the shared leaked string.
struct AssetText {
    canonical: Range<usize>,
    hashed: Range<usize>,
    url: Range<usize>,
    sha256: Range<usize>,
    content_type: Range<usize>,
    etag: Range<usize>,
    integrity: Range<usize>,
}

/// Appends strings to one buffer and remembers where each went.
#[derive(Default)]
struct Arena {
    text: String,
}

impl Arena {
    fn push(&mut self, piece: &str) -> Range<usize> {
        let start = self.text.len();
        self.text.push_str(piece);
        start..self.text.len()
    }
}

/// Where an asset's bytes live once leaked.
enum Placed {
    /// In the binary, as the embedding crate gave them.
    Embedded(&'static [u8]),
    /// In the one buffer of owned bytes.
    Owned(Range<usize>),
}

/// Leaks the manifest into `'static` tables with the same layout as the macro's const
/// data: assets sorted by canonical path, and the hashed-name index.
fn leak(
    manifest: &hyper_assets_pipeline::Manifest,
    files: &[Hashed],
    prefix: &str,
    graph: Vec<ModuleImports>,
) -> &'static Manifest {
    let entries = manifest.entries();
    debug_assert!(entries
        .iter()
        .zip(files)
        .all(|(entry, (canonical, _, _))| entry.canonical == *canonical));
    let mut arena = Arena::default();
    let version = arena.push(manifest.version());
    let prefix_at = arena.push(prefix);
    let texts: Vec<AssetText> = entries
        .iter()
        .zip(files)
        .map(|(entry, (_, bytes, _))| AssetText {
            canonical: arena.push(&entry.canonical),
            hashed: arena.push(&entry.hashed),
            url: arena.push(&entry.url(prefix)),
            sha256: arena.push(&entry.hash.hex()),
            content_type: arena.push(&entry.content_type),
            etag: arena.push(&entry.etag()),
            integrity: arena.push(&integrity(bytes)),
        })
        .collect();
    let text: &'static str = arena.text.leak();
    // Bytes read from disk (rust-embed's debug mode) or rewritten are owned: one buffer
    // for all of them. Embedded bytes are used where they are.
    let owned_len = files
        .iter()
        .map(|(_, bytes, _)| match bytes {
            Cow::Owned(bytes) => bytes.len(),
            Cow::Borrowed(_) => 0,
        })
        .sum();
    let mut owned = Vec::with_capacity(owned_len);
    let placed: Vec<Placed> = files
        .iter()
        .map(|(_, bytes, _)| match bytes {
            Cow::Borrowed(bytes) => Placed::Embedded(bytes),
            Cow::Owned(bytes) => {
                let start = owned.len();
                owned.extend_from_slice(bytes);
                Placed::Owned(start..owned.len())
            }
        })
        .collect();
    let owned: &'static [u8] = owned.leak();
    let assets: Vec<Asset> = texts
        .iter()
        .zip(placed)
        .map(|(at, placed)| {
            let bytes: &'static [u8] = match placed {
                Placed::Embedded(bytes) => bytes,
                Placed::Owned(range) => &owned[range],
            };
            Asset::__new(
                &text[at.canonical.clone()],
                &text[at.hashed.clone()],
                &text[at.url.clone()],
                &text[at.sha256.clone()],
                &text[at.content_type.clone()],
                &text[at.etag.clone()],
                &text[at.integrity.clone()],
                bytes,
                None,
                None,
                &[],
            )
        })
        .collect();
    let assets: &'static [Asset] = assets.leak();
    let by_hashed: &'static [u32] = manifest.hashed_order().leak();
    let import_map = ImportMap::of_modules(
        assets.iter().map(|asset| {
            (
                asset.canonical_path(),
                asset.url(),
                asset.integrity().into(),
            )
        }),
        (prefix, prefix),
        &[],
        graph,
    );
    Box::leak(Box::new(Manifest::__new(
        &text[version],
        &text[prefix_at],
        assets,
        by_hashed,
        Box::leak(Box::new(import_map)),
    )))
}

/// Why an embedded set cannot become a [`Manifest`].
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AdoptError {
    /// [`AdoptBuilder::prefix`] is not a URL path the assets can be served under.
    BadPrefix {
        /// The prefix as given.
        prefix: String,
        /// The rule it breaks.
        reason: &'static str,
    },
    /// No file is left once hidden files are left out.
    Empty {
        /// The set, such as ``rust-embed `Static` ``.
        set: String,
    },
    /// Files `hyper_assets!` would refuse: every one found, each naming the file (relative
    /// to the embedded folder) and the rule.
    Files {
        /// The set, such as ``rust-embed `Static` ``.
        set: String,
        /// The problems, as the pipeline reports them to the macro.
        problems: Vec<PipelineError>,
    },
}

impl fmt::Display for AdoptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadPrefix { prefix, reason } => write!(f, "prefix {prefix:?}: {reason}"),
            Self::Empty { set } => write!(
                f,
                "{set} has no files to serve (hidden files such as `.gitkeep` are left out; \
                 `.hidden(true)` serves them)"
            ),
            Self::Files { set, problems } => {
                write!(f, "{set} cannot be served with hashed names:")?;
                for problem in problems {
                    match problem {
                        // The macro's message suggests its `missing_references` option,
                        // which has no counterpart here.
                        PipelineError::MissingReference {
                            path,
                            line,
                            column,
                            reference,
                            resolved,
                            suggestions,
                        } => {
                            write!(
                                f,
                                "\n- `./{path}:{line}:{column}`: `{reference}` names `{resolved}`, \
                                 which is not in the set"
                            )?;
                            if let Some(best) = suggestions.first() {
                                write!(f, "; did you mean `{best}`?")?;
                            }
                        }
                        _ => write!(f, "\n- {}", problem.describe("."))?,
                    }
                }
                Ok(())
            }
        }
    }
}

/// The [`Display`](std::fmt::Display) sentence, so that `?` in `main` prints it readably.
impl std::fmt::Debug for AdoptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for AdoptError {}
