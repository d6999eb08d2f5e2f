//! `earlier-releases`: the hashed files of every release before the newest are still
//! served, immutable, with the bytes their names were hashed from. A page rendered by an
//! earlier release, still open in a browser or kept by a cache, loads those names.

use crate::check::cache_control::CacheControl;
use crate::check::deployment::Deployment;
use crate::check::findings::Findings;
use crate::check::releases::{read_releases, RELEASES_FILE};
use crate::check::report::{counted, Outcome};
use hyper_assets_pipeline::{percent_encode_path, split_hashed_name};
use sha2::{Digest, Sha256};

const SKIP: &str = "give --releases DIR (the folder collect writes to)";
const FIX_FILE: &str = "point --releases at the folder collect writes to, which keeps \
    releases.json.";
const FIX_KEPT: &str = "keep every earlier release's hashed files deployed (collect each \
    release into the same folder, and never delete on deploy), so pages of an earlier \
    release still load.";
const FIX_IMMUTABLE: &str = "serve every content-hashed name, earlier releases' too, with \
    \"Cache-Control: public, max-age=31536000, immutable\".";
const FIX_BYTES: &str = "serve the bytes a name was hashed from: the content under a \
    hashed name must never change.";

pub(crate) async fn check(deployment: &Deployment<'_>) -> Outcome {
    let Some(dir) = deployment.options.releases() else {
        return Outcome::Skip(SKIP.to_owned());
    };
    // The CLI's only task runs here: a small file read blocks nothing else.
    let releases = match read_releases(dir) {
        Ok(releases) => releases,
        Err(error) => return Outcome::fail(error, FIX_FILE),
    };
    let Some((newest, earlier)) = releases.split_first() else {
        let seen = format!("{} lists no release", dir.join(RELEASES_FILE).display());
        return Outcome::fail(seen, FIX_FILE);
    };
    let mut findings = Findings::default();
    let mut checked = 0;
    for release in earlier {
        for file in &release.files {
            let Some((_, hash)) = split_hashed_name(file) else {
                continue; // a canonical name may change; only hashed ones are promised
            };
            checked += 1;
            let path = format!("{}{}", deployment.prefix, percent_encode_path(file));
            let response = match deployment.client.get(&path, &[]).await {
                Ok(response) => response,
                Err(error) => {
                    findings.add(format!("{error} (release {})", release.version), FIX_KEPT);
                    continue;
                }
            };
            let of_release = format!("{} (release {})", response.url(), release.version);
            let cache_control = response.header("Cache-Control");
            if response.status() != 200 {
                let seen = format!(
                    "{of_release} answered {} with {}",
                    response.status(),
                    response.shown("Cache-Control")
                );
                findings.add(seen, FIX_KEPT);
            } else if !CacheControl::parse(cache_control.as_deref()).is_immutable_for_a_year() {
                let seen = format!(
                    "{of_release} answered 200 with {}",
                    response.shown("Cache-Control")
                );
                findings.add(seen, FIX_IMMUTABLE);
            } else {
                let digest = short_sha256(response.body());
                if digest != hash {
                    let seen = format!(
                        "{of_release} answered 200 with {} bytes whose SHA-256 starts \
                         {digest}, not the {hash} of its name ({})",
                        response.body().len(),
                        response.shown("Content-Encoding")
                    );
                    findings.add(seen, FIX_BYTES);
                }
            }
        }
    }
    findings.outcome(|| {
        if earlier.is_empty() {
            format!(
                "{} lists only the newest release ({}); nothing earlier to check",
                dir.join(RELEASES_FILE).display(),
                newest.version
            )
        } else {
            format!(
                "every hashed file of {} ({checked} checked) answers 200, immutable, with \
                 the bytes its name was hashed from",
                counted(earlier.len(), "earlier release")
            )
        }
    })
}

/// The first 12 hex characters of the SHA-256 of `bytes`: the hash in a hashed name.
fn short_sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest[..6]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_sha256_is_the_first_12_hex() {
        // printf 'abc' | sha256sum
        assert_eq!(short_sha256(b"abc"), "ba7816bf8f01");
    }
}
