//! include_dir directories (`include_dir!`) as a [`Manifest`](crate::Manifest).

use super::{AdoptBuilder, EmbeddedFile, Source};
use ::include_dir::{Dir, DirEntry};
use hyper_assets_pipeline::FileFilter;
use std::borrow::Cow;
use std::path::Path;

/// Starts a [`Manifest`](crate::Manifest) of the files below an `include_dir!`
/// directory (or one of its subdirectories, whose files are then named relative to it);
/// finish it with [`AdoptBuilder::build`].
///
/// Hidden files are left out as `hyper_assets!` leaves them out; include_dir keeps no
/// hashes, so every file is hashed once, in `build`.
///
/// ```
/// # fn main() -> Result<(), hyper_assets::adopt::AdoptError> {
/// static STATIC: include_dir::Dir<'static> =
///     include_dir::include_dir!("$CARGO_MANIFEST_DIR/static");
///
/// let manifest = hyper_assets::adopt::include_dir(&STATIC).prefix("/static/").build()?;
/// let css = manifest.get("css/styles.css").expect("embedded");
/// assert_eq!(manifest.get_hashed(css.hashed_path()).map(|a| a.url()), Some(css.url()));
/// # Ok(())
/// # }
/// ```
pub fn include_dir(dir: &'static Dir<'static>) -> AdoptBuilder {
    let set = match dir.path().to_string_lossy() {
        path if path.is_empty() => "the include_dir! set".to_owned(),
        path => format!("the include_dir! set `{path}`"),
    };
    AdoptBuilder::new(Source::IncludeDir(dir), set)
}

/// Every file below `root` that `filter` accepts, named relative to `root`.
pub(super) fn files(root: &'static Dir<'static>, filter: &FileFilter) -> Vec<EmbeddedFile> {
    let mut files = Vec::new();
    let mut pending = vec![root];
    while let Some(dir) = pending.pop() {
        for entry in dir.entries() {
            let canonical = relative(root.path(), entry.path());
            match entry {
                DirEntry::Dir(dir) if filter.enters(&canonical) => pending.push(dir),
                DirEntry::Dir(_) => {}
                DirEntry::File(file) if filter.accepts(&canonical) => files.push(EmbeddedFile {
                    canonical: with_backslashes(root, dir, file.path(), canonical),
                    bytes: Cow::Borrowed(file.contents()),
                    sha256: None,
                }),
                DirEntry::File(_) => {}
            }
        }
    }
    files
}

/// include_dir turns every `\\` of a name into `/`, so `a\\b.css` would show up as the file
/// `b.css` in `a/`: a file whose path does not continue its folder's gets its backslashes
/// back, and the manifest then refuses the name as the macro does.
fn with_backslashes(
    root: &'static Dir<'static>,
    dir: &'static Dir<'static>,
    path: &'static Path,
    canonical: Cow<'static, str>,
) -> Cow<'static, str> {
    if path.parent() == Some(dir.path())
        || (dir.path().as_os_str().is_empty() && path.parent() == Some(Path::new("")))
    {
        return canonical;
    }
    let folder = relative(root.path(), dir.path());
    let rest = path
        .strip_prefix(dir.path())
        .unwrap_or(path)
        .to_string_lossy();
    let name = rest.replace('/', "\\");
    Cow::Owned(if folder.is_empty() {
        name
    } else {
        format!("{folder}/{name}")
    })
}

/// include_dir stores `/`-separated paths relative to the `include_dir!` folder, as
/// (lossy) UTF-8.
fn relative(root: &'static Path, path: &'static Path) -> Cow<'static, str> {
    path.strip_prefix(root).unwrap_or(path).to_string_lossy()
}
