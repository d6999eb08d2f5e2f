//! The request side of the one stack: what a request gets, decided from its method, path
//! and headers alone, so the tower layer and the actix-web middleware answer by the same
//! rules in the same order (see [`Site`]).

use super::stamp::Stamp;
use super::Site;
use crate::dev::DevAssets;
use crate::serving::StaticFuture;
use crate::stale_client::Plan;
use crate::version::endpoints::{self, Endpoint};
use bytes::Bytes;
use http::{HeaderMap, Method, Response};

/// What the site does with a request. An answer known now comes stamped; every other
/// carries the [`Stamp`] its response gets once it is ready.
pub(crate) enum Decision {
    /// Answered now, stamped: a routing rejection, an endpoint, the script, an asset
    /// from memory. (One slice each: the stacks make it their body type, so the fast path
    /// moves no more than it must.)
    Answer(Response<Bytes>),
    /// An asset read off the executor (dev mode, the release folder).
    Static { future: StaticFuture, stamp: Stamp },
    /// An authorized `POST /cache/bust`: the caller reads the body and calls
    /// `endpoints::bust` (or `bust_read`).
    Bust { stamp: Stamp },
    /// The app's request. Its response gets the stale-client `plan` (when `Some`); in dev
    /// mode the folder's view is refreshed first, off the executor, so the template
    /// helpers never read the disk while rendering.
    App {
        plan: Option<Plan>,
        dev: Option<DevAssets>,
        stamp: Stamp,
    },
}

impl Site {
    /// The decision for a request. Inlined into each stack's `call`, so the answer is
    /// built in place rather than moved out of a return.
    #[inline]
    pub(crate) fn decide(&self, method: &Method, path: &str, headers: &HeaderMap) -> Decision {
        let site = &self.inner;
        // One snapshot of the version per request: its body (`/version`, the injected
        // script) and its `X-App-Version` never disagree, even during a bust.
        let version = site.version.current();
        let answer = |mut response: Response<Bytes>, stamp: Stamp| {
            stamp.apply(self, response.headers_mut());
            Decision::Answer(response)
        };
        let routed = match &site.router {
            Some(router) => match router.admit(headers) {
                Ok(routed) => Some(routed),
                Err(rejection) => return answer(rejection, Stamp::new(Some(version), None)),
            },
            None => None,
        };
        match endpoints::decide(&site.version, &version, method, path, headers) {
            Endpoint::Pass => {}
            Endpoint::Ready(response) => {
                return answer(response, Stamp::new(Some(version), routed));
            }
            // The bust's answer carries the version it made: read once it is done.
            Endpoint::Bust => {
                return Decision::Bust {
                    stamp: Stamp::new(None, routed),
                }
            }
        }
        if let Some(response) = site.stale.own_response(method, path, headers) {
            return answer(response, Stamp::new(Some(version), routed));
        }
        // The fast path: assets are answered here, before the app's router.
        if site.files.strip(path).is_some() {
            let stamp = Stamp::new(Some(version), routed);
            return match StaticFuture::start(&site.files, method, path, headers) {
                StaticFuture::Ready {
                    response: Some(response),
                } => answer(response, stamp),
                future => Decision::Static { future, stamp },
            };
        }
        let plan = site.stale.plan(method, headers, &version);
        let dev = site.dev.clone();
        let stamp = Stamp::new(Some(version), routed);
        Decision::App { plan, dev, stamp }
    }
}
