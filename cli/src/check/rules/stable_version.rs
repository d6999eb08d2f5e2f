//! `stable-version`: the page names one app version (`X-App-Version`) however often it
//! is asked. A mix is a mixed deployment: old and new instances behind one balancer, so
//! a page from one can ask the other for hashed files it does not have.

use crate::check::deployment::Deployment;
use crate::check::report::Outcome;

const FIX_MISSING: &str = "send X-App-Version with every page (hyper-assets' Site and its \
    version layer do).";
const FIX_MIXED: &str = "route each client to one version (VERSION_MAP, and the balancer \
    config nginx-config generates from it), or finish the rollout so every instance runs \
    the same release.";

pub(crate) async fn check(deployment: &Deployment<'_>) -> Outcome {
    let url = deployment.options.url();
    let requests = deployment.options.requests();
    // Each version seen, with how many answers named it, in the order first seen.
    let mut versions: Vec<(String, usize)> = Vec::new();
    for request in 1..=requests {
        let response = match deployment.client.get(url.path(), &[]).await {
            Ok(response) => response,
            Err(error) => return Outcome::fail(error.to_string(), FIX_MISSING),
        };
        let Some(version) = response.header("X-App-Version") else {
            let seen = format!(
                "the page {url} answered {} with no X-App-Version header (request {request} \
                 of {requests})",
                response.status()
            );
            return Outcome::fail(seen, FIX_MISSING);
        };
        match versions.iter_mut().find(|(seen, _)| *seen == version) {
            Some((_, count)) => *count += 1,
            None => versions.push((version, 1)),
        }
    }
    match versions.as_slice() {
        [(version, _)] => Outcome::Ok(format!(
            "the page {url} answered X-App-Version: {version} to all {requests} requests"
        )),
        mixed => {
            let counts: Vec<String> = mixed
                .iter()
                .map(|(version, count)| format!("{version} ({count}x)"))
                .collect();
            let seen = format!(
                "the page {url} answered X-App-Version {} in {requests} requests: a mixed \
                 deployment",
                counts.join(", ")
            );
            Outcome::fail(seen, FIX_MIXED)
        }
    }
}
