//! Version routing for blue/green and canary deploys: the app decides which version a
//! client gets; the proxy in front (nginx, Envoy) carries it out.
//!
//! The parts, one job each, bottom to top: `error`, `state` (the layer and what its
//! clones share), `builder` (the checked configuration), `decision` (where a request
//! goes), `cookie` (the headers of an admitted request), `stats` (the counters), and this
//! file: the layer's service.

use super::cookie::RoutedHeaders;
use super::decision::json_response;
use super::state::VersionRouterLayer;
use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{Either, Full};
use pin_project_lite::pin_project;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use tower_layer::Layer;
use tower_service::Service;

impl<S> Layer<S> for VersionRouterLayer {
    type Service = VersionRouter<S>;

    fn layer(&self, inner: S) -> VersionRouter<S> {
        VersionRouter {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service made by [`VersionRouterLayer`].
#[derive(Debug, Clone)]
pub struct VersionRouter<S> {
    inner: S,
    layer: VersionRouterLayer,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for VersionRouter<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<Either<Full<Bytes>, ResBody>>;
    type Error = S::Error;
    type Future = VersionRouterFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        match self.layer.admit(request.headers()) {
            Ok(extra) => VersionRouterFuture::Inner {
                future: self.inner.call(request),
                extra: Some(extra),
            },
            Err(response) => VersionRouterFuture::Rejected {
                response: Some(response),
            },
        }
    }
}

pin_project! {
    /// The response future of [`VersionRouter`].
    #[project = VersionRouterProjection]
    #[allow(missing_docs)]
    pub enum VersionRouterFuture<F> {
        /// Waiting for the wrapped service.
        Inner { #[pin] future: F, extra: Option<RoutedHeaders> },
        /// A 409 or 400.
        Rejected { response: Option<Response<Bytes>> },
    }
}

impl<F> fmt::Debug for VersionRouterFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VersionRouterFuture")
    }
}

impl<F, B, E> Future for VersionRouterFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<Either<Full<Bytes>, B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            VersionRouterProjection::Inner { future, extra } => {
                let mut response = ready!(future.poll(cx))?;
                if let Some(extra) = extra.take() {
                    extra.apply(response.headers_mut());
                }
                Poll::Ready(Ok(response.map(Either::Right)))
            }
            VersionRouterProjection::Rejected { response } => {
                let response = response.take().unwrap_or_else(|| {
                    json_response(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        &serde_json::json!({"status": 500}),
                    )
                });
                Poll::Ready(Ok(response.map(|body| Either::Left(Full::new(body)))))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{RequestedFrom, Routing};
    use super::*;
    use http::header::HeaderName;
    use http::{HeaderMap, HeaderValue};

    fn router() -> VersionRouterLayer {
        VersionRouterLayer::builder()
            .version("v1.0", "backend-blue")
            .version("v1.1", "backend-green")
            .default_version("v1.0")
            .build()
            .unwrap()
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    #[test]
    fn construction_errors() {
        let empty = VersionRouterLayer::builder()
            .default_version("v1")
            .build()
            .unwrap_err();
        assert!(empty.to_string().contains("empty"));
        let missing_default = VersionRouterLayer::builder()
            .version("v1", "b")
            .default_version("v2")
            .build()
            .unwrap_err();
        assert!(missing_default
            .to_string()
            .contains("\"v2\" is not in the version map (v1)"));
        let bad_backend = VersionRouterLayer::builder()
            .version("v1", "bad\nname")
            .default_version("v1")
            .build()
            .unwrap_err();
        assert!(bad_backend.to_string().contains("not a valid header value"));
        let bad_canary = VersionRouterLayer::builder()
            .version("v1", "b")
            .default_version("v1")
            .canary("v1", 101)
            .build()
            .unwrap_err();
        assert!(bad_canary.to_string().contains("over 100%"));
        let bad_version = VersionRouterLayer::builder()
            .version("v;1", "b")
            .default_version("v;1")
            .build()
            .unwrap_err();
        assert!(bad_version.to_string().contains("semicolons"));
    }

    #[test]
    fn header_wins_over_cookie_which_wins_over_default() {
        let router = router();
        let decide = |pairs: &[(&str, &str)]| router.route(&headers(pairs));
        assert!(
            matches!(decide(&[("x-app-requested-version", "v1.1"), ("cookie", "app_version=v1.0")]),
            Routing::Serve { ref version, source: RequestedFrom::Header, set_cookie: true, .. } if version == "v1.1")
        );
        assert!(matches!(decide(&[("cookie", "a=b; app_version=v1.1")]),
            Routing::Serve { ref version, source: RequestedFrom::Cookie, set_cookie: false, .. } if version == "v1.1"));
        assert!(matches!(decide(&[]),
            Routing::Serve { ref version, source: RequestedFrom::Default, set_cookie: true, .. } if version == "v1.0"));
        assert_eq!(
            decide(&[("x-app-requested-version", "v9")]),
            Routing::Unknown {
                requested: "v9".to_owned()
            }
        );
        assert!(matches!(
            decide(&[
                ("x-app-requested-version", "v1.0"),
                ("x-app-requested-version", "v1.1")
            ]),
            Routing::Malformed { .. }
        ));
        assert!(matches!(
            decide(&[
                ("x-app-requested-version", "v1.0"),
                ("x-app-requested-version", "v1.0")
            ]),
            Routing::Serve { .. }
        ));
        // Issue 15: a cookie never locks a client out. Of two with different values (a
        // sibling subdomain's), the first known version counts, so the client stays put
        // and needs no fresh cookie.
        for (cookies, first) in [
            (vec!["app_version=v1.1; app_version=v1.0"], "v1.1"),
            (vec!["app_version=v1.0", "app_version=v1.1"], "v1.0"),
            (vec!["app_version=v0.9; app_version=v1.1"], "v1.1"),
        ] {
            let pairs: Vec<(&str, &str)> = cookies.iter().map(|c| ("cookie", *c)).collect();
            assert!(
                matches!(decide(&pairs),
                    Routing::Serve { ref version, source: RequestedFrom::Cookie, set_cookie: false, .. }
                        if version == first),
                "{cookies:?}"
            );
        }
        // One too long or not ASCII, or empty: treated as absent, placed again, with a
        // fresh cookie.
        let long_cookie = format!("app_version={}", "v".repeat(257));
        for cookies in [
            vec![long_cookie.as_str()],
            vec!["app_version=v\u{e9}1"],
            vec!["app_version="],
        ] {
            let pairs: Vec<(&str, &str)> = cookies.iter().map(|c| ("cookie", *c)).collect();
            assert!(
                matches!(decide(&pairs),
                    Routing::Serve { ref version, source: RequestedFrom::Default, set_cookie: true, .. }
                        if version == "v1.0"),
                "{cookies:?}"
            );
        }
        // With an explicit valid header beside them, the header is served.
        assert!(matches!(
            decide(&[("x-app-requested-version", "v1.0"), ("cookie", "app_version=v1.1; app_version=v1.0")]),
            Routing::Serve { ref version, source: RequestedFrom::Header, set_cookie: true, .. }
                if version == "v1.0"
        ));
        // An empty header is no request.
        assert!(matches!(
            decide(&[("x-app-requested-version", "")]),
            Routing::Serve { ref version, source: RequestedFrom::Default, .. } if version == "v1.0"
        ));
        // A retired version in the cookie: placed again, with a fresh cookie.
        assert!(matches!(
            decide(&[("cookie", "app_version=v0.9")]),
            Routing::Serve { ref version, source: RequestedFrom::Default, set_cookie: true, .. }
                if version == "v1.0"
        ));
        let long = "v".repeat(257);
        assert!(matches!(
            decide(&[("x-app-requested-version", long.as_str())]),
            Routing::Malformed { .. }
        ));
        assert!(matches!(
            decide(&[("x-app-requested-version", "v 1")]),
            Routing::Malformed { .. }
        ));
        let stats = router.stats();
        assert_eq!(stats.rejected, 4);
        assert_eq!(stats.matched, 7);
        assert_eq!(stats.defaulted, 6);
    }

    #[test]
    fn canary_weight_is_exact_per_hundred_and_reproducible_by_key() {
        let router = VersionRouterLayer::builder()
            .version("v1.0", "blue")
            .version("v1.1", "green")
            .default_version("v1.0")
            .canary("v1.1", 10)
            .canary_key_header("x-client-id")
            .build()
            .unwrap();
        let canaries = (0..100)
            .filter(|_| {
                matches!(
                    router.route(&HeaderMap::new()),
                    Routing::Serve {
                        source: RequestedFrom::Canary,
                        ..
                    }
                )
            })
            .count();
        assert_eq!(canaries, 10);
        let keyed = |id: &str| router.route(&headers(&[("x-client-id", id)]));
        for id in ["alice", "bob", "carol"] {
            assert_eq!(keyed(id), keyed(id));
        }
        let keyed_canaries = (0..2000)
            .filter(|n| {
                matches!(
                    keyed(&format!("client-{n}")),
                    Routing::Serve {
                        source: RequestedFrom::Canary,
                        ..
                    }
                )
            })
            .count();
        assert!((150..=250).contains(&keyed_canaries), "{keyed_canaries}");
    }

    #[test]
    fn settings_strings() {
        let settings = |pairs: &[(&str, &str)]| {
            let settings = crate::Settings::from_lookup(|name| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| (*value).to_owned())
            })
            .unwrap();
            settings.routing().clone()
        };
        let router = VersionRouterLayer::from_settings(&settings(&[
            ("VERSION_MAP", "v1.0=backend-blue, v1.1=backend-green"),
            ("DEFAULT_VERSION", "v1.1"),
            ("CANARY", "v1.0:25"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(router.default_version(), "v1.1");
        assert_eq!(router.canary().unwrap().percent(), 25);
        assert!(VersionRouterLayer::from_settings(&settings(&[]))
            .unwrap()
            .is_none());
        for (pairs, expected) in [
            (&[("VERSION_MAP", "v1.0=a")][..], "DEFAULT_VERSION"),
            (
                &[("VERSION_MAP", "v1.0=a"), ("DEFAULT_VERSION", "v2")][..],
                "not in the version map",
            ),
            (
                &[
                    ("VERSION_MAP", "v1.0=a"),
                    ("DEFAULT_VERSION", "v1.0"),
                    ("CANARY", "v3:5"),
                ][..],
                "CANARY",
            ),
        ] {
            let error = VersionRouterLayer::from_settings(&settings(pairs))
                .unwrap_err()
                .to_string();
            assert!(error.contains(expected), "{error}");
        }
    }
}
