//! `releases.json`, the list of releases `collect` keeps beside the collected files:
//!
//! ```json
//! {"releases": [{"version": "0123456789ab", "collected": 1700000000,
//!                "files": ["css/styles.0123456789ab.css"]}]}
//! ```
//!
//! Newest first; file paths are relative to the static prefix.

use serde_json::Value;
use std::fmt;
use std::path::{Path, PathBuf};

/// The file `--releases DIR` reads.
pub(crate) const RELEASES_FILE: &str = "releases.json";

/// One release: its version and the files it served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Release {
    pub(crate) version: String,
    pub(crate) files: Vec<String>,
}

/// Reads and parses `dir/releases.json`.
pub(crate) fn read_releases(dir: &Path) -> Result<Vec<Release>, ReleasesError> {
    let path = dir.join(RELEASES_FILE);
    let text = std::fs::read_to_string(&path).map_err(|error| ReleasesError {
        path: path.clone(),
        problem: error.to_string(),
    })?;
    parse_releases(&text).map_err(|problem| ReleasesError { path, problem })
}

fn parse_releases(text: &str) -> Result<Vec<Release>, String> {
    let json: Value = serde_json::from_str(text).map_err(|error| error.to_string())?;
    let entries = json
        .get("releases")
        .and_then(Value::as_array)
        .ok_or(r#"no "releases" array at the top level"#)?;
    let mut releases = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let version = entry
            .get("version")
            .and_then(Value::as_str)
            .ok_or_else(|| format!(r#"releases[{index}] has no "version" string"#))?;
        let files = entry
            .get("files")
            .and_then(Value::as_array)
            .ok_or_else(|| format!(r#"releases[{index}] has no "files" array"#))?;
        let files = files
            .iter()
            .map(|file| file.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| format!(r#"releases[{index}].files holds something not a string"#))?;
        releases.push(Release {
            version: version.to_owned(),
            files,
        });
    }
    Ok(releases)
}

/// `releases.json` could not be read or is not in the expected shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReleasesError {
    path: PathBuf,
    problem: String,
}

impl fmt::Display for ReleasesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot use {}: {}", self.path.display(), self.problem)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_first_as_written() {
        let releases = parse_releases(
            r#"{"releases": [
                {"version": "bbbbbbbbbbbb", "collected": 2, "files": ["css/a.bbbbbbbbbbbb.css"]},
                {"version": "aaaaaaaaaaaa", "collected": 1, "files": []}
            ]}"#,
        )
        .unwrap();
        assert_eq!(releases.len(), 2);
        assert_eq!(releases[0].version, "bbbbbbbbbbbb");
        assert_eq!(releases[0].files, ["css/a.bbbbbbbbbbbb.css"]);
        assert!(releases[1].files.is_empty());
    }

    #[test]
    fn names_what_is_wrong() {
        for (text, expected) in [
            ("[]", "no \"releases\" array"),
            (
                r#"{"releases": [{"files": []}]}"#,
                "releases[0] has no \"version\"",
            ),
            (
                r#"{"releases": [{"version": "x"}]}"#,
                "releases[0] has no \"files\"",
            ),
            (
                r#"{"releases": [{"version": "x", "files": [1]}]}"#,
                "releases[0].files",
            ),
            ("{", "EOF"),
        ] {
            let problem = parse_releases(text).unwrap_err();
            assert!(problem.contains(expected), "{text}: {problem}");
        }
    }

    #[test]
    fn a_missing_file_is_named() {
        let error = read_releases(Path::new("/nonexistent-hyper-assets")).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("cannot use /nonexistent-hyper-assets/releases.json: "),
            "{error}"
        );
    }
}
