//! `range`: `Range: bytes=0-9` gets a 206 with the first 10 bytes, as a resumed download
//! or a media element asks.

use crate::check::deployment::Deployment;
use crate::check::findings::Findings;
use crate::check::report::Outcome;

const FIX: &str = "answer a Range request with 206 Partial Content and the bytes asked \
    (nginx: leave max_ranges unset, not 0).";

/// The bytes asked for.
const FIRST_BYTES: usize = 10;

pub(crate) async fn check(deployment: &Deployment<'_>) -> Outcome {
    let served = match deployment.served_assets() {
        Ok(served) => served,
        Err(outcome) => return outcome,
    };
    let Some((asset, full)) = served
        .into_iter()
        .find(|(_, full)| full.body().len() >= FIRST_BYTES)
    else {
        return deployment.not_checked("no hashed URL of it has 10 bytes or more");
    };
    let url = deployment.client.origin().url(&asset.path);
    let range = format!("bytes=0-{}", FIRST_BYTES - 1);
    let headers = [("Range", range.as_str()), ("Accept-Encoding", "identity")];
    let response = match deployment.client.get(&asset.path, &headers).await {
        Ok(response) => response,
        Err(error) => return Outcome::fail(error.to_string(), FIX),
    };
    let expected_range = format!("bytes 0-{}/{}", FIRST_BYTES - 1, full.body().len());
    let mut findings = Findings::default();
    let asked = format!("{url} with Range: {range}");
    if response.status() != 206 {
        let seen = format!(
            "{asked} answered {} with {}",
            response.status(),
            response.shown("Content-Range")
        );
        findings.add(seen, FIX);
    } else if response.header("Content-Range").as_deref() != Some(expected_range.as_str()) {
        let seen = format!(
            "{asked} answered 206 with {}, not Content-Range: {expected_range}",
            response.shown("Content-Range")
        );
        findings.add(seen, FIX);
    } else if response.body() != &full.body()[..FIRST_BYTES] {
        let seen = format!(
            "{asked} answered 206 with {} bytes that are not the first {FIRST_BYTES} of the file",
            response.body().len()
        );
        findings.add(seen, FIX);
    }
    findings.outcome(|| format!("{asked} answered 206 with Content-Range: {expected_range} and the first {FIRST_BYTES} bytes"))
}
