//! `releases.json` through the pipeline's own reader, so `check` and `collect` agree on
//! the format, the order (newest first, by collection time) and which names are valid.

use hyper_assets_pipeline::{Release, ReleaseIndex};
use std::path::Path;

/// The file `--releases DIR` reads.
pub(crate) const RELEASES_FILE: &str = hyper_assets_pipeline::RELEASES_INDEX;

/// The releases of `dir`, newest first; a folder without an index is an error here,
/// since `--releases` names a folder collect wrote.
pub(crate) fn read_releases(dir: &Path) -> Result<Vec<Release>, String> {
    if !dir.join(RELEASES_FILE).is_file() {
        return Err(format!(
            "cannot use {}: there is no such file",
            dir.join(RELEASES_FILE).display()
        ));
    }
    ReleaseIndex::read(dir)
        .map(|index| index.releases().to_vec())
        .map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_named() {
        let error = read_releases(Path::new("/nonexistent-hyper-assets")).unwrap_err();
        assert!(
            error.starts_with("cannot use /nonexistent-hyper-assets/releases.json: "),
            "{error}"
        );
    }
}
