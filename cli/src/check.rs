//! `hyper-assets check URL`: verifies a live deployment's cache contract from outside,
//! over plain HTTP, as a browser and a CDN in front of it would see it.
//!
//! From the page at the URL it follows the same-origin hashed URLs (`name.<12 hex>.ext`)
//! and checks, one [`Rule`] at a time: hashed names immutable and the page not
//! (`immutable`), conditional requests (`validators`), one `ETag` per encoding and
//! `Vary` (`encodings`), refused encodings not sent (`q=0`), byte ranges (`range`), an
//! uncacheable 404 for a hash no release has (`missing-not-cacheable`), one app version
//! (`stable-version`), with `--releases DIR` the earlier releases' files
//! (`earlier-releases`), and compression dictionaries (`dictionary`): hashed scripts and
//! stylesheets offer themselves as dictionaries, and with `--releases DIR` an earlier
//! release's version gets a delta that decodes to the file (RFC 9842). A rule that
//! cannot be checked fails and says why.
//!
//! ```no_run
//! use hyper_assets_cli::check::{check, CheckOptions};
//! use hyper_assets_cli::http_url::HttpUrl;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let options = CheckOptions::new(HttpUrl::parse("http://127.0.0.1:8080/")?);
//! let report = check(&options).await?;
//! print!("{report}");
//! assert!(report.passed());
//! # Ok(())
//! # }
//! ```

mod cache_control;
mod deployment;
mod findings;
mod options;
mod page;
mod releases;
mod report;
mod rules;

pub use options::{CheckArguments, CheckOptions, UsageError, DEFAULT_REQUESTS};
pub use report::{Outcome, Report, Rule, RuleReport};

use crate::http_client::FetchError;
use deployment::Deployment;
use std::fmt;

/// Runs every rule against the deployment `options` names.
///
/// # Errors
/// The page itself cannot be fetched, so no rule can be checked. A rule that fails, or
/// cannot be checked for another reason, is in the [`Report`] instead.
pub async fn check(options: &CheckOptions) -> Result<Report, CheckError> {
    let deployment = Deployment::observe(options)
        .await
        .map_err(CheckError::Page)?;
    let mut lines = Vec::with_capacity(Rule::ALL.len());
    for rule in Rule::ALL {
        let outcome = rules::check(rule, &deployment).await;
        lines.push(RuleReport { rule, outcome });
    }
    Ok(Report::new(options.url().to_string(), lines))
}

/// Why the check could not start.
#[derive(Debug)]
pub enum CheckError {
    /// The page at the URL given did not answer.
    Page(FetchError),
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Page(error) => write!(
                f,
                "cannot fetch the page, so no rule can be checked: {error} (is the \
                 deployment listening at that address?)"
            ),
        }
    }
}

impl std::error::Error for CheckError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Page(error) => Some(error),
        }
    }
}
