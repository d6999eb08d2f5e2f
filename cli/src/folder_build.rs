//! The macro's pipeline, run on a static folder from the command line: walk, rewrite,
//! hash, compress. `collect` writes its output, so a release folder holds the same bytes
//! as the binary built from the same folder with the same options (`call_source` finds
//! them).

use crate::call_source::Resolved;
use hyper_assets_pipeline::{
    is_module, process, walk, CollectedFile, CompressionCache, CompressionSettings, Encoding,
    FileFilter, Glob, Manifest, MissingReferences, PipelineError, RewriteOptions,
};

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
pub(crate) fn build(resolved: &Resolved) -> Result<Built, String> {
    let options = &resolved.options;
    let folder = resolved.folder.display().to_string();
    let describe = |errors: Vec<PipelineError>| {
        errors
            .iter()
            .map(|error| error.describe(&folder))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut filter = FileFilter::default().include_hidden(options.hidden);
    for (glob, include) in options
        .include
        .iter()
        .map(|glob| (glob, true))
        .chain(options.exclude.iter().map(|glob| (glob, false)))
    {
        let glob = Glob::new(glob).map_err(|e| format!("glob {glob:?}: {e}"))?;
        filter = if include {
            filter.include(glob)
        } else {
            filter.exclude(glob)
        };
    }
    let bare_names = options.import_map.clone().unwrap_or_default();
    let rewrite = RewriteOptions {
        enabled: options.rewrite,
        prefix: options.prefix.clone(),
        url_prefix: options.url_prefix.clone(),
        missing: if options.keep_missing {
            MissingReferences::Keep
        } else {
            MissingReferences::Error
        },
        import_map: options.import_map.is_some(),
        bare_names,
    };
    let walked = walk(&resolved.folder, &filter).map_err(describe)?;
    for (name, target) in &rewrite.bare_names {
        let found = walked.iter().any(|file| file.canonical == *target);
        if !found || !is_module(target) {
            return Err(format!(
                "--import-name {name}={target}: `{folder}/{target}` is not a JavaScript module \
                 (`.js` or `.mjs`) of the folder"
            ));
        }
    }
    let processed = process(walked, &rewrite).map_err(describe)?;
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
