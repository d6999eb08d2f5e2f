//! The request side of the one stack: what a request gets, decided from its method, path
//! and headers alone, so the tower layer and the actix-web middleware answer by the same
//! rules in the same order (see [`Site`]).

use super::stamp::Stamp;
use super::Site;
use crate::dev::DevAssets;
use crate::serving::StaticFuture;
use crate::stale_client::{Plan, SplicedBody};
use crate::version::endpoints::{self, Endpoint};
use http::{HeaderMap, Method, Response};

/// What the site does with a request. Every answer still gets its [`Stamp`].
pub(crate) enum Decision {
    /// Answered now: a routing rejection, an endpoint, the script, an asset from memory.
    Answer(Response<SplicedBody>),
    /// An asset read off the executor (dev mode, the release folder).
    Static(StaticFuture),
    /// An authorized `POST /cache/bust`: the caller reads the body and calls
    /// `endpoints::bust` (or `bust_read`).
    Bust,
    /// The app's request. Its response gets the stale-client `plan` (when `Some`); in dev
    /// mode the folder's view is refreshed first, off the executor, so the template
    /// helpers never read the disk while rendering.
    App {
        plan: Option<Plan>,
        dev: Option<DevAssets>,
    },
}

impl Site {
    /// The decision for a request, and the stamp its response gets.
    pub(crate) fn decide(
        &self,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
    ) -> (Stamp, Decision) {
        let site = &self.inner;
        // One snapshot of the version per request: its body (`/version`, the injected
        // script) and its `X-App-Version` never disagree, even during a bust.
        let version = site.version.current();
        let routed = match &site.router {
            Some(router) => match router.admit(headers) {
                Ok(routed) => Some(routed),
                Err(rejection) => {
                    let answer = Decision::Answer(rejection.map(SplicedBody::new));
                    return (Stamp::new(Some(version), None), answer);
                }
            },
            None => None,
        };
        match endpoints::decide(&site.version, &version, method, path, headers) {
            Endpoint::Pass => {}
            Endpoint::Ready(response) => {
                let answer = Decision::Answer(response.map(SplicedBody::new));
                return (Stamp::new(Some(version), routed), answer);
            }
            // The bust's answer carries the version it made: read once it is done.
            Endpoint::Bust => return (Stamp::new(None, routed), Decision::Bust),
        }
        if let Some(response) = site.stale.own_response(method, path, headers) {
            return (
                Stamp::new(Some(version), routed),
                Decision::Answer(response),
            );
        }
        // The fast path: assets are answered here, before the app's router.
        if site.files.strip(path).is_some() {
            let decision = match StaticFuture::start(&site.files, method, path, headers) {
                StaticFuture::Ready {
                    response: Some(response),
                } => Decision::Answer(response.map(SplicedBody::new)),
                future => Decision::Static(future),
            };
            return (Stamp::new(Some(version), routed), decision);
        }
        let plan = site.stale.plan(method, headers, &version);
        let dev = site.files.dev().cloned();
        (
            Stamp::new(Some(version), routed),
            Decision::App { plan, dev },
        )
    }
}
