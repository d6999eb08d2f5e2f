//! What the check learns before the rules run: the page, the hashed URLs it links to,
//! each as a plain `GET` answers it, and the prefix the hashed files live under.

use super::options::CheckOptions;
use super::page::hashed_urls;
use super::report::Outcome;
use crate::http_client::{FetchError, HttpClient, Response};
use std::path::Path;

/// Where hashed files are served when neither `--prefix` nor the page says.
pub(crate) const DEFAULT_PREFIX: &str = "/static/";

/// The deployment as first seen.
#[derive(Debug)]
pub(crate) struct Deployment<'a> {
    pub(crate) options: &'a CheckOptions,
    pub(crate) client: HttpClient,
    /// The page at the URL given.
    pub(crate) page: Response,
    /// The page's hashed URLs, each with its answer to a `GET` without `Accept-Encoding`.
    pub(crate) assets: Vec<Asset>,
    /// Where hashed files are served: `--prefix`, else the top folder of the first
    /// hashed URL, else [`DEFAULT_PREFIX`].
    pub(crate) prefix: String,
}

/// One hashed URL of the page and what a plain `GET` of it answered.
#[derive(Debug)]
pub(crate) struct Asset {
    /// The path (and query) on the page's origin.
    pub(crate) path: String,
    pub(crate) answer: Result<Response, FetchError>,
}

impl Asset {
    /// The answer, when it is a 200.
    pub(crate) fn ok(&self) -> Option<&Response> {
        self.answer
            .as_ref()
            .ok()
            .filter(|response| response.status() == 200)
    }

    /// Whether the name is one a server compresses: CSS or JavaScript.
    pub(crate) fn is_compressible(&self) -> bool {
        let path = self.path.split('?').next().unwrap_or_default();
        let extension = Path::new(path).extension().and_then(|e| e.to_str());
        matches!(extension, Some("css" | "js" | "mjs"))
    }
}

impl<'a> Deployment<'a> {
    /// Fetches the page and each hashed URL it links to.
    ///
    /// # Errors
    /// The page itself cannot be fetched: no rule can be checked.
    pub(crate) async fn observe(options: &'a CheckOptions) -> Result<Self, FetchError> {
        let client = HttpClient::new(options.url().origin().clone());
        let page = client.get(options.url().path(), &[]).await?;
        let paths = hashed_urls(&String::from_utf8_lossy(page.body()), options.url());
        let prefix = match (options.prefix(), paths.first()) {
            (Some(prefix), _) => prefix.to_owned(),
            (None, Some(first)) => top_folder(first),
            (None, None) => DEFAULT_PREFIX.to_owned(),
        };
        let mut assets = Vec::with_capacity(paths.len());
        for path in paths {
            let answer = client.get(&path, &[]).await;
            assets.push(Asset { path, answer });
        }
        Ok(Self {
            options,
            client,
            page,
            assets,
            prefix,
        })
    }

    /// The hashed URLs that answered 200, or the failure of a rule that needs them.
    pub(crate) fn served_assets(&self) -> Result<Vec<(&Asset, &Response)>, Outcome> {
        let served: Vec<_> = self
            .assets
            .iter()
            .filter_map(|asset| asset.ok().map(|response| (asset, response)))
            .collect();
        if served.is_empty() {
            return Err(self.not_checked("no hashed URL of it answered 200"));
        }
        Ok(served)
    }

    /// The first hashed CSS or JavaScript file that answered 200, or the failure of a
    /// rule that needs one.
    pub(crate) fn compressible_asset(&self) -> Result<(&Asset, &Response), Outcome> {
        let served = self.served_assets()?;
        served
            .into_iter()
            .find(|(asset, _)| asset.is_compressible())
            .ok_or_else(|| self.not_checked("no hashed CSS or JavaScript URL of it answered 200"))
    }

    /// A rule that could not be checked fails, saying why, rather than passing.
    pub(crate) fn not_checked(&self, what: &str) -> Outcome {
        let page = &self.page;
        let seen = if self.assets.is_empty() {
            format!(
                "could not be checked: the page {} ({}, {}) links to no same-origin hashed \
                 URL (name.<12 hex>.ext in an href or src)",
                page.url(),
                page.status(),
                page.shown("Content-Type"),
            )
        } else {
            let answers: Vec<String> = self
                .assets
                .iter()
                .map(|asset| match &asset.answer {
                    Ok(response) => format!("{} answered {}", response.url(), response.status()),
                    Err(error) => error.to_string(),
                })
                .collect();
            format!("could not be checked: {what} ({})", answers.join("; "))
        };
        Outcome::fail(
            seen,
            "point the check at a page of the deployment that links its hashed assets (the \
             static() template helper writes those URLs), and make them answer 200",
        )
    }
}

/// `/static/` for `/static/css/styles.0123456789ab.css`; `/` for a name at the root.
fn top_folder(path: &str) -> String {
    let path = path.split('?').next().unwrap_or_default();
    let mut segments = path.trim_start_matches('/').split('/');
    match (segments.next(), segments.next()) {
        (Some(folder), Some(_)) => format!("/{folder}/"),
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_is_the_first_hashed_urls_top_folder() {
        assert_eq!(
            top_folder("/static/css/styles.0123456789ab.css"),
            "/static/"
        );
        assert_eq!(top_folder("/assets/app.0123456789ab.js?x=/a/b"), "/assets/");
        assert_eq!(top_folder("/app.0123456789ab.js"), "/");
    }
}
