//! `missing-not-cacheable`: a hash-shaped name that no release has is a 404 that no cache
//! keeps. A cacheable 404 there is the bug where a CDN, asked a moment before a deploy
//! finished, keeps the 404 for a year.

use crate::check::cache_control::CacheControl;
use crate::check::deployment::Deployment;
use crate::check::report::Outcome;

/// A hash-shaped name no release has: the hash of no real file is all zeroes.
const MISSING_NAME: &str = "hyper-assets-check.000000000000.css";

const FIX: &str = "answer a hash-shaped name that no release has with 404 and \
    \"Cache-Control: no-store\" (nginx: the @hyper_assets_missing location that collect \
    prints), so no CDN keeps the 404 after the file is deployed.";

pub(crate) async fn check(deployment: &Deployment<'_>) -> Outcome {
    let path = format!("{}{MISSING_NAME}", deployment.prefix);
    let response = match deployment.client.get(&path, &[]).await {
        Ok(response) => response,
        Err(error) => return Outcome::fail(error.to_string(), FIX),
    };
    let cache_control = response.header("Cache-Control");
    let seen = format!(
        "{} answered {} with {}",
        response.url(),
        response.status(),
        response.shown("Cache-Control")
    );
    if response.status() == 404 && CacheControl::parse(cache_control.as_deref()).no_store {
        Outcome::Ok(seen)
    } else {
        Outcome::fail(seen, FIX)
    }
}
