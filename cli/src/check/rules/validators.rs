//! `validators`: a hashed asset carries a validator, a conditional `GET` with it gets a
//! `304`, and the `304` keeps the immutable `Cache-Control` (a cache that revalidates
//! anyway, a reload for one, would otherwise keep the answer for less than a year).

use crate::check::cache_control::CacheControl;
use crate::check::deployment::Deployment;
use crate::check::findings::Findings;
use crate::check::report::{counted, Outcome};

const FIX_NONE: &str = "send an ETag (or Last-Modified) with hashed files (nginx: \
    `etag on`, the default).";
const FIX_NOT_MODIFIED: &str = "answer a matching If-None-Match or If-Modified-Since with \
    304 Not Modified (nginx: `etag on; if_modified_since exact;`, the defaults).";
const FIX_KEEP_IMMUTABLE: &str = "send the hashed name's \"Cache-Control: public, \
    max-age=31536000, immutable\" on its 304 too (nginx: add_header without `always` \
    covers 304).";

pub(crate) async fn check(deployment: &Deployment<'_>) -> Outcome {
    let served = match deployment.served_assets() {
        Ok(served) => served,
        Err(outcome) => return outcome,
    };
    let mut findings = Findings::default();
    let mut revalidated = Vec::new();
    for (asset, response) in &served {
        let conditions: Vec<(&str, String)> = [
            ("If-None-Match", response.header("ETag")),
            ("If-Modified-Since", response.header("Last-Modified")),
        ]
        .into_iter()
        .filter_map(|(condition, validator)| validator.map(|value| (condition, value)))
        .collect();
        if conditions.is_empty() {
            let seen = format!(
                "{} answered 200 with no ETag or Last-Modified",
                response.url()
            );
            findings.add(seen, FIX_NONE);
        }
        for (condition, value) in conditions {
            let answer = deployment
                .client
                .get(&asset.path, &[(condition, value.as_str())])
                .await;
            let conditional = match answer {
                Ok(conditional) => conditional,
                Err(error) => {
                    findings.add(error.to_string(), FIX_NOT_MODIFIED);
                    continue;
                }
            };
            let request = format!("{} with {condition}: {value}", response.url());
            if conditional.status() != 304 {
                let seen = format!("{request} answered {}", conditional.status());
                findings.add(seen, FIX_NOT_MODIFIED);
                continue;
            }
            let cache_control = conditional.header("Cache-Control");
            if !CacheControl::parse(cache_control.as_deref()).is_immutable_for_a_year() {
                let seen = format!(
                    "{request} answered 304 with {}",
                    conditional.shown("Cache-Control")
                );
                findings.add(seen, FIX_KEEP_IMMUTABLE);
                continue;
            }
            revalidated.push(condition);
        }
    }
    findings.outcome(|| {
        let etags = revalidated
            .iter()
            .filter(|c| **c == "If-None-Match")
            .count();
        let dates = revalidated.len() - etags;
        format!(
            "{} revalidate to 304 with the immutable Cache-Control ({etags} by \
             If-None-Match, {dates} by If-Modified-Since)",
            counted(served.len(), "hashed URL")
        )
    })
}
