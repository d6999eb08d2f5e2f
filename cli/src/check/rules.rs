//! One file per rule of the cache contract; each returns its [`Outcome`].

mod dictionary;
mod earlier_releases;
mod encodings;
mod immutable;
mod missing_not_cacheable;
mod q_zero;
mod range;
mod stable_version;
mod validators;

use super::deployment::Deployment;
use super::report::{Outcome, Rule};

/// Checks `rule` against the deployment.
pub(crate) async fn check(rule: Rule, deployment: &Deployment<'_>) -> Outcome {
    match rule {
        Rule::Immutable => immutable::check(deployment),
        Rule::Validators => validators::check(deployment).await,
        Rule::Encodings => encodings::check(deployment).await,
        Rule::QZero => q_zero::check(deployment).await,
        Rule::Range => range::check(deployment).await,
        Rule::MissingNotCacheable => missing_not_cacheable::check(deployment).await,
        Rule::StableVersion => stable_version::check(deployment).await,
        Rule::EarlierReleases => earlier_releases::check(deployment).await,
        Rule::Dictionary => dictionary::check(deployment).await,
    }
}
