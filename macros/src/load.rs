//! Reading the folder and the version components: walk, rewrite, hash, and every
//! problem as an error on the offending literal, naming the file.

use crate::args::Args;
use hyper_assets_pipeline::{
    closest_matches, did_you_mean, is_module, process, walk, FileFilter, Glob, Manifest,
    MissingReferences, PipelineError, ProcessedFile, RewriteOptions, SourceFile,
};
use std::path::{Path, PathBuf};

/// One file of a version component group.
pub(crate) struct ComponentFile {
    /// Path relative to the crate, as shown on `/version`.
    pub(crate) path: String,
    pub(crate) sha256: String,
    pub(crate) source: PathBuf,
}

/// Reads the `components(...)` groups: each path is a file or a folder (all its
/// non-hidden files), relative to the crate.
pub(crate) fn load_components(
    args: &Args,
    manifest_dir: &Path,
) -> syn::Result<Vec<(String, Vec<ComponentFile>)>> {
    let mut errors: Option<syn::Error> = None;
    let mut groups = Vec::new();
    for (name, literals) in &args.components {
        let mut files: Vec<ComponentFile> = Vec::new();
        for literal in literals {
            let rel = literal.value().trim_end_matches('/').to_owned();
            let path = manifest_dir.join(&rel);
            let fail = |message: String| {
                syn::Error::new(
                    literal.span(),
                    format!("version component `{name}`: {message}"),
                )
            };
            let found = if path.is_dir() {
                walk(&path, &FileFilter::default())
                    .map_err(|problems| {
                        let mut all = problems.iter().map(|problem| fail(problem.describe(&rel)));
                        let first = all
                            .next()
                            .unwrap_or_else(|| fail(format!("cannot read `{rel}`")));
                        all.fold(first, |mut acc, error| {
                            acc.combine(error);
                            acc
                        })
                    })
                    .map(|walked| {
                        walked
                            .into_iter()
                            .map(|file| ComponentFile {
                                path: format!("{rel}/{}", file.canonical),
                                sha256: hyper_assets_pipeline::ContentHash::of(&file.bytes).hex(),
                                source: file.path,
                            })
                            .collect::<Vec<_>>()
                    })
            } else {
                std::fs::read(&path)
                    .map_err(|error| fail(format!("cannot read `{rel}`: {error}")))
                    .map(|bytes| {
                        vec![ComponentFile {
                            path: rel.clone(),
                            sha256: hyper_assets_pipeline::ContentHash::of(&bytes).hex(),
                            source: path.clone(),
                        }]
                    })
            };
            match found {
                Ok(found) => files.extend(found),
                Err(error) => match &mut errors {
                    Some(all) => all.combine(error),
                    None => errors = Some(error),
                },
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files.dedup_by(|a, b| a.path == b.path);
        groups.push((name.to_string(), files));
    }
    match errors {
        Some(errors) => Err(errors),
        None => Ok(groups),
    }
}

/// The filter of the `include`, `exclude` and `hidden` options; a bad glob goes to `push`.
fn file_filter(args: &Args, push: &mut impl FnMut(syn::Error)) -> FileFilter {
    let mut filter = FileFilter::default().include_hidden(args.hidden);
    for (literal, include) in args
        .include
        .iter()
        .map(|l| (l, true))
        .chain(args.exclude.iter().map(|l| (l, false)))
    {
        match Glob::new(&literal.value()) {
            Ok(glob) if include => filter = filter.include(glob),
            Ok(glob) => filter = filter.exclude(glob),
            Err(error) => push(syn::Error::new(literal.span(), error.to_string())),
        }
    }
    filter
}

/// The canonical paths of the folder's files, for the fallback module's `url!` after an
/// error; empty when the folder cannot be walked.
pub(crate) fn canonical_names(args: &Args, manifest_dir: &Path) -> Vec<String> {
    let filter = file_filter(args, &mut |_| {});
    let root = manifest_dir.join(args.folder.value());
    walk(&root, &filter)
        .map(|files| files.into_iter().map(|file| file.canonical).collect())
        .unwrap_or_default()
}

/// Every bare name of `import_map(...)` names a JavaScript module of the folder; an
/// error on each target that does not, with the closest modules.
fn check_bare_names(args: &Args, files: &[SourceFile]) -> syn::Result<()> {
    let folder = args.folder.value();
    let modules = || {
        files
            .iter()
            .map(|file| file.canonical.as_str())
            .filter(|canonical| is_module(canonical))
    };
    let mut errors: Option<syn::Error> = None;
    for (name, target) in args.import_map.iter().flatten() {
        let path = target.value();
        let message = if !is_module(&path) {
            format!(
                "`{}` maps to `{folder}/{path}`, which is not a JavaScript module (`.js` or `.mjs`)",
                name.value()
            )
        } else if !modules().any(|module| module == path) {
            let hint = did_you_mean(&closest_matches(&path, modules()));
            format!("`{folder}/{path}` is not in the static folder{hint}")
        } else {
            continue;
        };
        let error = syn::Error::new(target.span(), message);
        match &mut errors {
            Some(all) => all.combine(error),
            None => errors = Some(error),
        }
    }
    errors.map_or(Ok(()), Err)
}

/// Reads, rewrites and hashes the folder; every problem becomes one error on the folder
/// literal.
pub(crate) fn load(
    args: &Args,
    manifest_dir: &Path,
) -> syn::Result<(Vec<ProcessedFile>, Manifest)> {
    let folder = args.folder.value();
    let mut errors: Option<syn::Error> = None;
    let mut push = |error: syn::Error| match &mut errors {
        Some(all) => all.combine(error),
        None => errors = Some(error),
    };
    let filter = file_filter(args, &mut push);
    if let Some(errors) = errors {
        return Err(errors);
    }
    let at_folder = |errors: Vec<PipelineError>| {
        let mut all = errors
            .iter()
            .map(|error| syn::Error::new(args.folder.span(), error.describe(&folder)));
        let first = all.next();
        all.fold(first, |acc, error| {
            acc.map(|mut acc| {
                acc.combine(error);
                acc
            })
        })
    };
    let root = manifest_dir.join(&folder);
    let files = walk(&root, &filter).map_err(|errors| {
        at_folder(errors)
            .unwrap_or_else(|| syn::Error::new(args.folder.span(), "cannot read the static folder"))
    })?;
    for file in &files {
        if file.path.to_str().is_none() {
            return Err(syn::Error::new(
                args.folder.span(),
                format!("the path of `{folder}/{}` is not UTF-8", file.canonical),
            ));
        }
    }
    check_bare_names(args, &files)?;
    let options = RewriteOptions {
        enabled: args.rewrite,
        prefix: args.prefix.clone(),
        url_prefix: args.url_prefix.clone(),
        missing: if args.keep_missing {
            MissingReferences::Keep
        } else {
            MissingReferences::Error
        },
        import_map: args.import_map.is_some(),
        bare_names: args.bare_names(),
    };
    let files = process(files, &options).map_err(|errors| {
        at_folder(errors).unwrap_or_else(|| syn::Error::new(args.folder.span(), "cannot rewrite"))
    })?;
    let manifest = Manifest::from_processed(&files).map_err(|errors| {
        at_folder(errors)
            .unwrap_or_else(|| syn::Error::new(args.folder.span(), "invalid static folder"))
    })?;
    Ok((files, manifest))
}
