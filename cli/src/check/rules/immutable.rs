//! `immutable`: every hashed URL is cacheable for a year without revalidation, and the
//! page is not (a cached page would keep visitors on the old release after a deploy).

use crate::check::cache_control::{CacheControl, LONG_FOR_A_PAGE};
use crate::check::deployment::Deployment;
use crate::check::findings::Findings;
use crate::check::report::{counted, Outcome};

const FIX_ASSET: &str = "serve every content-hashed name with \"Cache-Control: public, \
    max-age=31536000, immutable\" (nginx: the add_header in the hashed-name location that \
    collect prints).";
const FIX_PAGE: &str = "give HTML pages a short-lived Cache-Control (\"no-cache\", or a \
    max-age of minutes) so a deploy is seen at once; only hashed names are immutable.";

pub(crate) fn check(deployment: &Deployment<'_>) -> Outcome {
    let mut findings = Findings::default();
    let Some(first) = deployment.assets.first() else {
        return deployment.not_checked("the page links to no hashed URL");
    };
    for asset in &deployment.assets {
        match &asset.answer {
            Err(error) => findings.add(error.to_string(), FIX_ASSET),
            Ok(response) => {
                let cache_control = response.header("Cache-Control");
                let parsed = CacheControl::parse(cache_control.as_deref());
                if response.status() != 200 || !parsed.is_immutable_for_a_year() {
                    let seen = format!(
                        "{} answered {} with {}",
                        response.url(),
                        response.status(),
                        response.shown("Cache-Control")
                    );
                    findings.add(seen, FIX_ASSET);
                }
            }
        }
    }
    let page = &deployment.page;
    let page_cache = CacheControl::parse(page.header("Cache-Control").as_deref());
    if page_cache.immutable || page_cache.max_age.is_some_and(|age| age > LONG_FOR_A_PAGE) {
        let seen = format!(
            "the page {} answered {} with {} (immutable or longer than {LONG_FOR_A_PAGE}s)",
            page.url(),
            page.status(),
            page.shown("Cache-Control")
        );
        findings.add(seen, FIX_PAGE);
    }
    findings.outcome(|| {
        let shown = first
            .ok()
            .map(|response| response.shown("Cache-Control"))
            .unwrap_or_default();
        format!(
            "{} answer 200 with {shown} (first: {}); the page has {}",
            counted(deployment.assets.len(), "hashed URL"),
            first.path,
            page.shown("Cache-Control")
        )
    })
}
