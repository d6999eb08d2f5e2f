//! Writing the embedded set to a folder, exactly as the binary serves it, for a CDN or
//! for nginx.

use crate::manifest::Manifest;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What [`Manifest::collect`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CollectReport {
    /// Files written, `staticfiles.json` included.
    pub files: usize,
    /// Bytes written.
    pub bytes: u64,
}

/// A file that could not be written.
pub struct CollectError {
    path: PathBuf,
    source: std::io::Error,
}

impl std::fmt::Display for CollectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot write {}: {}", self.path.display(), self.source)
    }
}

/// The [`Display`](std::fmt::Display) sentence, so that `?` in `main` prints it readably.
impl std::fmt::Debug for CollectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for CollectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

fn write(path: PathBuf, bytes: &[u8], report: &mut CollectReport) -> Result<(), CollectError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|source| CollectError {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    std::fs::write(&path, bytes).map_err(|source| CollectError { path, source })?;
    report.files += 1;
    report.bytes += bytes.len() as u64;
    Ok(())
}

impl Manifest {
    /// Writes every asset to `dir` as the binary serves it: the hashed file, its `.br`
    /// and `.gz` siblings when it has variants, a canonical copy (with its siblings), and
    /// Django's `staticfiles.json`. Serve the folder with [`nginx_static_location`].
    ///
    /// # Errors
    /// A file or folder that cannot be written; the error names it.
    pub fn collect(&self, dir: &Path) -> Result<CollectReport, CollectError> {
        // Refuse before writing anything if two outputs would share a name (a committed
        // `x.css.gz` next to `x.css`, a file named `staticfiles.json`).
        let mut targets = std::collections::HashSet::new();
        let mut names = vec!["staticfiles.json".to_owned()];
        for asset in self.assets() {
            for name in [asset.hashed_path(), asset.canonical_path()] {
                names.push(name.to_owned());
                if asset.brotli().is_some() {
                    names.push(format!("{name}.br"));
                }
                if asset.gzip().is_some() {
                    names.push(format!("{name}.gz"));
                }
            }
        }
        for name in names {
            if !targets.insert(name.clone()) {
                return Err(CollectError {
                    path: dir.join(&name),
                    source: std::io::Error::new(
                        std::io::ErrorKind::AlreadyExists,
                        "two collected files would have this name",
                    ),
                });
            }
        }
        let mut report = CollectReport::default();
        for asset in self.assets() {
            for name in [asset.hashed_path(), asset.canonical_path()] {
                let path = dir.join(name);
                write(path.clone(), asset.bytes(), &mut report)?;
                for (variant, extension) in [(asset.brotli(), "br"), (asset.gzip(), "gz")] {
                    if let Some(variant) = variant {
                        let mut sibling = path.clone().into_os_string();
                        sibling.push(".");
                        sibling.push(extension);
                        write(PathBuf::from(sibling), variant.bytes(), &mut report)?;
                    }
                }
            }
        }
        write(
            dir.join("staticfiles.json"),
            self.staticfiles_json().as_bytes(),
            &mut report,
        )?;
        Ok(report)
    }
}

/// An nginx `location` that serves a folder written by [`Manifest::collect`] as the
/// binary does: the manifest's prefix, hashed names immutable for a year, canonical names
/// revalidated, the same `Content-Type`s (a `types` block from the manifest), `.gz`
/// siblings through `gzip_static` (and `.br` through `brotli_static` when `brotli` is
/// set and that module is loaded). A 404 is `no-store` (a named location,
/// `@hyper_assets_missing`, printed after it: paste both into the `server` block), and
/// only a 200, 206 or 304 of a hashed name is immutable.
pub fn nginx_static_location(manifest: &Manifest, root: &str, brotli: bool) -> String {
    let root = root.trim_end_matches('/');
    let mut types: Vec<(String, String)> = Vec::new();
    let mut charset_types: Vec<String> = Vec::new();
    for asset in manifest.assets() {
        let name = asset
            .canonical_path()
            .rsplit('/')
            .next()
            .unwrap_or_default();
        let Some((_, extension)) = name.rsplit_once('.').filter(|(stem, _)| !stem.is_empty())
        else {
            continue;
        };
        let content_type = asset.content_type();
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or(content_type)
            .trim()
            .to_owned();
        if content_type.contains("charset=utf-8") && !charset_types.contains(&essence) {
            charset_types.push(essence.clone());
        }
        let extension = extension.to_ascii_lowercase();
        if !types.iter().any(|(ext, _)| *ext == extension) {
            types.push((extension, essence));
        }
    }
    types.sort();
    charset_types.sort();
    let mut out = String::new();
    let _ = writeln!(out, "location {} {{", manifest.prefix());
    let _ = writeln!(out, "    alias {root}/;");
    let _ = writeln!(out, "    types {{");
    for (extension, essence) in &types {
        let _ = writeln!(out, "        {essence} {extension};");
    }
    let _ = writeln!(out, "    }}");
    let _ = writeln!(out, "    default_type application/octet-stream;");
    let _ = writeln!(out, "    charset utf-8;");
    if !charset_types.is_empty() {
        let _ = writeln!(out, "    charset_types {};", charset_types.join(" "));
    }
    let _ = writeln!(out, "    gzip_static on;");
    let _ = writeln!(out, "    gzip_vary on;");
    if brotli {
        let _ = writeln!(out, "    brotli_static on;");
    }
    let _ = writeln!(out, "    add_header Cache-Control \"no-cache\" always;");
    let _ = writeln!(out, "    error_page 403 404 = @hyper_assets_missing;");
    let _ = writeln!(
        out,
        "    add_header X-Content-Type-Options \"nosniff\" always;"
    );
    let _ = writeln!(
        out,
        "    # Content-hashed names never change: cache them for a year. Without `always`,\n\
         \x20   # only a file that is there (200, 206, 304) gets it; a 404 for a hash not\n\
         \x20   # deployed yet is answered `no-store`, so no CDN keeps it for a year."
    );
    let _ = writeln!(out, "    location ~ \"\\.[0-9a-f]{{12}}(\\.[^./]+)?$\" {{");
    let _ = writeln!(
        out,
        "        add_header Cache-Control \"public, max-age=31536000, immutable\";"
    );
    let _ = writeln!(
        out,
        "        add_header X-Content-Type-Options \"nosniff\" always;"
    );
    let _ = writeln!(out, "        error_page 403 404 = @hyper_assets_missing;");
    let _ = writeln!(out, "    }}");
    let _ = writeln!(out, "}}");
    let _ = writeln!(out, "location @hyper_assets_missing {{");
    let _ = writeln!(out, "    add_header Cache-Control \"no-store\" always;");
    let _ = writeln!(
        out,
        "    add_header X-Content-Type-Options \"nosniff\" always;"
    );
    let _ = writeln!(out, "    return 404;");
    let _ = writeln!(out, "}}");
    out
}
