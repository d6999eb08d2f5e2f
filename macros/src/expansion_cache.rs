//! Reusing the last expansion when nothing on disk changed.
//!
//! Cargo recompiles a crate for any edit of its Rust code, and every recompilation runs
//! the macro again. Reading, rewriting, hashing and compressing megabytes of assets for
//! an edit of `main.rs` would make every such rebuild pay for the assets. Instead the
//! expansion is kept in the crate's `OUT_DIR` (there when the crate has a build script,
//! as `hyper_assets_build::watch` asks), keyed by the macro's input and the length and
//! modification time of every file below the folder and every component: the same
//! stamps cargo itself trusts to decide what changed. A hit costs the walk's metadata
//! calls (no file is read) and parsing the stored expansion back.
//!
//! Racy stamps: a file modified within the last two seconds is not trusted (a coarse
//! clock could give an edit in the same second the same stamp), so such an expansion is
//! not stored and the next build computes it afresh.

use hyper_assets_pipeline::{stamps, ContentHash, FileFilter, FileStamp};
use proc_macro2::TokenStream;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The first line of every entry: an expansion is only reused by the same build of the
/// macro and the pipeline (their build scripts give a new id whenever their sources change).
fn format_line() -> String {
    format!(
        "hyper-assets-expansion {} {} {}\n",
        env!("CARGO_PKG_VERSION"),
        env!("HYPER_ASSETS_BUILD_ID"),
        hyper_assets_pipeline::BUILD_ID
    )
}

/// How recent a modification time must be to be distrusted.
const RACY: Duration = Duration::from_secs(2);

/// One invocation's cache entry: where it lives and the key it must match.
pub(crate) struct ExpansionCache {
    file: PathBuf,
    key: String,
    /// Whether every stamp is old enough to be trusted for storing.
    storable: bool,
}

impl ExpansionCache {
    /// The entry for `input` in `out_dir`, keyed by the stamps of `folder` and of the
    /// component `paths`; `None` when a stamp cannot be taken (the normal expansion then
    /// reports the problem).
    pub(crate) fn new(
        out_dir: &Path,
        input: &TokenStream,
        manifest_dir: &Path,
        folder: &Path,
        hidden: bool,
        components: &[PathBuf],
    ) -> Option<Self> {
        let input = input.to_string();
        let mut key = String::with_capacity(4096);
        let _ = writeln!(key, "{}{}\n{input}", format_line(), manifest_dir.display());
        let now = SystemTime::now();
        let mut storable = true;
        let mut add = |label: &str, stamp: &FileStamp| -> Option<()> {
            let modified = stamp.modified?;
            storable &= now.duration_since(modified).is_ok_and(|age| age >= RACY);
            let since = modified.duration_since(UNIX_EPOCH).ok()?;
            let _ = writeln!(
                key,
                "{label}\t{}\t{}\t{}",
                stamp.canonical,
                stamp.len,
                since.as_nanos()
            );
            Some(())
        };
        // Every file the walk could read (the include/exclude globs are ignored: a superset
        // of what the filter keeps is safe).
        let all = FileFilter::default().include_hidden(hidden);
        for stamp in stamps(folder, &all).ok()? {
            add("static", &stamp)?;
        }
        for path in components {
            if path.is_dir() {
                for stamp in stamps(path, &all).ok()? {
                    add(&path.to_string_lossy(), &stamp)?;
                }
            } else {
                let metadata = std::fs::metadata(path).ok()?;
                let stamp = FileStamp {
                    canonical: path.to_string_lossy().into_owned(),
                    modified: metadata.modified().ok(),
                    len: metadata.len(),
                };
                add("component", &stamp)?;
            }
        }
        // One file per invocation (a crate may call the macro more than once).
        let name = ContentHash::of(format!("{}\n{input}", manifest_dir.display()).as_bytes());
        Some(Self {
            file: out_dir
                .join("hyper-assets-expansion")
                .join(format!("{}.rs", name.short())),
            key,
            storable,
        })
    }

    /// The stored expansion, when its key matches and the compressed variants it
    /// includes are still there (a deleted cache folder must not break every build).
    pub(crate) fn load(&self) -> Option<TokenStream> {
        let stored = std::fs::read_to_string(&self.file).ok()?;
        let code = stored.strip_prefix(&self.key)?.strip_prefix("\n")?;
        let compressed = self
            .file
            .parent()?
            .parent()?
            .join("hyper-assets-compressed");
        let compressed = compressed.to_str()?;
        for (at, _) in code.match_indices(compressed) {
            let path = code[at..].split('"').next()?;
            if !Path::new(path).is_file() {
                return None;
            }
        }
        code.parse().ok()
    }

    /// Keeps a successful expansion for the next build (best effort: a failure to write
    /// only costs that build the full expansion).
    pub(crate) fn store(&self, expansion: &TokenStream) {
        if !self.storable {
            return;
        }
        let Some(dir) = self.file.parent() else {
            return;
        };
        let _ = std::fs::create_dir_all(dir);
        // Written aside and renamed, so a concurrent build never reads half a file.
        let temporary = self
            .file
            .with_extension(format!("tmp{}", std::process::id()));
        let text = expansion.to_string();
        // Some tokens (`$crate` in a `crate = ...` path) do not survive printing: keep
        // only an expansion that reads back as itself.
        if text
            .parse::<TokenStream>()
            .map(|back| back.to_string())
            .ok()
            != Some(text.clone())
        {
            return;
        }
        let text = format!("{}\n{text}", self.key);
        if std::fs::write(&temporary, text).is_ok()
            && std::fs::rename(&temporary, &self.file).is_err()
        {
            let _ = std::fs::remove_file(&temporary);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::{self, File};

    fn folder(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("hyper-assets-cache-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("static/css")).unwrap();
        dir
    }

    fn write_aged(path: &Path, text: &str, age: Duration) {
        fs::write(path, text).unwrap();
        let file = File::options().write(true).open(path).unwrap();
        file.set_modified(SystemTime::now() - age).unwrap();
    }

    fn entry(dir: &Path) -> ExpansionCache {
        let input: TokenStream = "\"static\"".parse().unwrap();
        ExpansionCache::new(
            &dir.join("out"),
            &input,
            dir,
            &dir.join("static"),
            false,
            &[],
        )
        .unwrap()
    }

    #[test]
    fn hit_until_a_stamp_changes() {
        let dir = folder("hit");
        let css = dir.join("static/css/a.css");
        write_aged(&css, "a{}", Duration::from_secs(60));
        let expansion: TokenStream = "pub mod assets {}".parse().unwrap();
        entry(&dir).store(&expansion);
        let hit = entry(&dir).load().expect("stored");
        assert_eq!(hit.to_string(), expansion.to_string());

        // Same length, another time: a miss.
        write_aged(&css, "b{}", Duration::from_secs(30));
        assert!(entry(&dir).load().is_none());
        // A new file: a miss.
        entry(&dir).store(&expansion);
        write_aged(&dir.join("static/b.js"), "", Duration::from_secs(60));
        assert!(entry(&dir).load().is_none());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn fresh_stamps_are_not_stored() {
        let dir = folder("racy");
        fs::write(dir.join("static/css/a.css"), "a{}").unwrap();
        let expansion: TokenStream = "pub mod assets {}".parse().unwrap();
        entry(&dir).store(&expansion);
        assert!(entry(&dir).load().is_none());
        fs::remove_dir_all(dir).unwrap();
    }
}
