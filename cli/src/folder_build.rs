//! The macro's pipeline, run on a static folder from the command line: walk, rewrite,
//! hash, compress. `collect` writes its output, so a release folder holds the same bytes
//! as the binary built from the same folder with the same options.

use crate::args::Args;
use hyper_assets_pipeline::{
    check_bare_name, is_module, normalize_prefix, process, walk, CollectedFile, CompressionCache,
    CompressionSettings, Encoding, FileFilter, Glob, Manifest, MissingReferences, PipelineError,
    RewriteOptions,
};
use std::path::PathBuf;

/// The options of a `hyper_assets!` call, as flags of the same names. Pass the ones your
/// call sets: the output is only the binary's when they agree.
pub(crate) const BUILD_OPTIONS: &str = "\
--static FOLDER              the static folder (default: static)
--prefix PATH                prefix = \"...\" (default: /static/)
--url-prefix URL             url_prefix = \"...\"
--include GLOB               include = [...], once per glob
--exclude GLOB               exclude = [...], once per glob
--hidden                     hidden = true
--no-rewrite                 rewrite = false
--keep-missing-references    missing_references = \"keep\"
--import-map                 import_map(...): module specifiers stay as written
--import-name NAME=PATH      a bare name of import_map(...), once per name
--no-compress                compress = false
--no-deltas                  deltas = false (no dcb/dcz deltas from earlier releases)";

/// How to build, read from the flags of [`BUILD_OPTIONS`].
pub(crate) struct BuildOptions {
    folder: PathBuf,
    filter: FileFilter,
    rewrite: RewriteOptions,
    compress: bool,
    /// Whether `collect` makes deltas from the earlier releases it keeps.
    pub(crate) deltas: bool,
}

impl BuildOptions {
    /// Takes the build flags out of `args`.
    pub(crate) fn from_args(args: &mut Args) -> Result<Self, String> {
        let folder = PathBuf::from(
            args.value("--static")?
                .unwrap_or_else(|| "static".to_owned()),
        );
        let prefix = match args.value("--prefix")? {
            Some(prefix) => normalize_prefix(&prefix).map_err(|e| format!("--prefix: {e}"))?,
            None => "/static/".to_owned(),
        };
        let url_prefix = args.value("--url-prefix")?.map(|mut url| {
            if !url.ends_with('/') {
                url.push('/');
            }
            url
        });
        let mut filter = FileFilter::default().include_hidden(args.flag("--hidden"));
        for glob in args.values("--include")? {
            filter =
                filter.include(Glob::new(&glob).map_err(|e| format!("--include {glob:?}: {e}"))?);
        }
        for glob in args.values("--exclude")? {
            filter =
                filter.exclude(Glob::new(&glob).map_err(|e| format!("--exclude {glob:?}: {e}"))?);
        }
        let mut bare_names = Vec::new();
        for pair in args.values("--import-name")? {
            let (name, path) = pair
                .split_once('=')
                .filter(|(name, path)| !name.is_empty() && !path.is_empty())
                .ok_or_else(|| format!("--import-name {pair:?}: expected NAME=PATH, such as htmx=vendor/htmx.esm.js"))?;
            check_bare_name(name).map_err(|error| format!("--import-name {pair:?}: {error}"))?;
            bare_names.push((name.to_owned(), path.to_owned()));
        }
        let import_map = args.flag("--import-map");
        if !import_map && !bare_names.is_empty() {
            return Err(
                "--import-name needs --import-map, as import_map(...) holds the names".to_owned(),
            );
        }
        let rewrite = RewriteOptions {
            enabled: !args.flag("--no-rewrite"),
            prefix,
            url_prefix,
            missing: if args.flag("--keep-missing-references") {
                MissingReferences::Keep
            } else {
                MissingReferences::Error
            },
            import_map,
            bare_names,
        };
        Ok(Self {
            folder,
            filter,
            rewrite,
            compress: !args.flag("--no-compress"),
            deltas: !args.flag("--no-deltas"),
        })
    }
}

/// One file as the binary serves it.
pub(crate) struct BuiltFile {
    pub(crate) canonical: String,
    pub(crate) hashed: String,
    pub(crate) bytes: Vec<u8>,
    pub(crate) brotli: Option<Vec<u8>>,
    pub(crate) gzip: Option<Vec<u8>>,
}

/// A built folder: its version and files, sorted by canonical path.
pub(crate) struct Built {
    pub(crate) version: String,
    pub(crate) files: Vec<BuiltFile>,
    pub(crate) staticfiles_json: String,
}

impl Built {
    /// The files as `collect_release` takes them.
    pub(crate) fn collected(&self) -> Vec<CollectedFile<'_>> {
        self.files
            .iter()
            .map(|file| CollectedFile {
                canonical: &file.canonical,
                hashed: &file.hashed,
                bytes: &file.bytes,
                brotli: file.brotli.as_deref(),
                gzip: file.gzip.as_deref(),
            })
            .collect()
    }
}

/// Builds the folder as the macro does; every problem is one line naming the file.
pub(crate) fn build(options: &BuildOptions) -> Result<Built, String> {
    let folder = options.folder.display().to_string();
    let describe = |errors: Vec<PipelineError>| {
        errors
            .iter()
            .map(|error| error.describe(&folder))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let walked = walk(&options.folder, &options.filter).map_err(describe)?;
    for (name, target) in &options.rewrite.bare_names {
        let found = walked.iter().any(|file| file.canonical == *target);
        if !found || !is_module(target) {
            return Err(format!(
                "--import-name {name}={target}: `{folder}/{target}` is not a JavaScript module \
                 (`.js` or `.mjs`) of the folder"
            ));
        }
    }
    let processed = process(walked, &options.rewrite).map_err(describe)?;
    let manifest = Manifest::from_processed(&processed).map_err(describe)?;
    let settings = CompressionSettings::default();
    let cache = CompressionCache::new(None);
    let mut files = Vec::with_capacity(processed.len());
    for (entry, file) in manifest.entries().iter().zip(processed) {
        let compress = options.compress
            && hyper_assets_pipeline::is_compressible(&entry.content_type)
            && file.bytes.len() >= settings.min_size;
        let variant = |encoding| {
            compress
                .then(|| cache.variant(&file.bytes, &file.hash, encoding, &settings))
                .flatten()
                .map(|variant| variant.bytes)
        };
        files.push(BuiltFile {
            brotli: variant(Encoding::Brotli),
            gzip: variant(Encoding::Gzip),
            canonical: entry.canonical.clone(),
            hashed: entry.hashed.clone(),
            bytes: file.bytes,
        });
    }
    Ok(Built {
        version: manifest.version().to_owned(),
        files,
        staticfiles_json: manifest.staticfiles_json(),
    })
}
