//! Stale-client detection: a script injected into full HTML pages that reloads, warns or
//! prompts when an htmx response carries another app version.
//!
//! [`Site`](crate::Site) injects it; [`StaleClientLayer`] is the part for à-la-carte use.

pub(crate) mod spliced_body;

// The setting's type, named here too, where the script it delivers lives.
pub use crate::settings::ScriptDelivery;
pub use spliced_body::SplicedBody;

use crate::serving::IMMUTABLE;
use crate::settings::MismatchAction;
use crate::version::store::{AppVersion, VersionState};
use arc_swap::ArcSwapOption;
use bytes::Bytes;
use http::header::{
    HeaderName, HeaderValue, ALLOW, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE,
    ETAG,
};
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body::Body as HttpBody;
use http_body_util::{BodyExt, Either};
use memchr::memmem;
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};
use std::task::{ready, Context, Poll};
use tower_layer::Layer;
use tower_service::Service;

/// The script, as served in external mode and inlined otherwise.
pub const STALE_CLIENT_SCRIPT: &str = include_str!("stale_client.js");

/// The request header htmx requests carry with the version the page runs.
pub const X_APP_PAGE_VERSION: &str = "x-app-page-version";

/// The script as inlined into pages: comment lines and indentation dropped (the file has
/// no multi-line strings, so this keeps its meaning; line breaks stay for `;` insertion).
/// Every page carries it, so its size is paid per page view.
static INLINE_SCRIPT: LazyLock<String> = LazyLock::new(|| {
    STALE_CLIENT_SCRIPT
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
});

/// Header names looked up on every request, as constants: a `&str` name is parsed and
/// hashed again on each lookup.
const HX_REQUEST_HEADER: HeaderName = HeaderName::from_static("hx-request");
const PAGE_VERSION_HEADER: HeaderName = HeaderName::from_static(X_APP_PAGE_VERSION);

/// The marker attribute of the injected tag; a page that has it is never injected again.
const MARKER: &[u8] = b"data-hyper-assets=\"stale-client\"";

/// Default largest HTML body the layer rewrites (larger ones pass through untouched).
pub const DEFAULT_MAX_BODY: usize = 4 * 1024 * 1024;

struct ExternalScript {
    path: String,
    etag: String,
}

static EXTERNAL: LazyLock<ExternalScript> = LazyLock::new(|| {
    let hash = hyper_assets_pipeline::ContentHash::of(STALE_CLIENT_SCRIPT.as_bytes());
    ExternalScript {
        path: format!("/_hyper-assets/stale-client.{}.js", hash.short()),
        etag: format!("\"{}\"", hash.hex()),
    }
});

/// The URL path the script is served at in external mode:
/// `/_hyper-assets/stale-client.<12hex>.js`, content-hashed and immutable.
pub fn stale_client_script_path() -> &'static str {
    &EXTERNAL.path
}

/// The layer that injects stale-client detection into full-page HTML responses (the
/// HyperDjango's `VersionMiddleware`). See the guide's "Stale clients" chapter for the rules.
///
/// Put it inside any compression layer, so it sees bodies before they are compressed:
/// with axum, `.layer(stale_client)` before `.layer(CompressionLayer::new())`. In the
/// wrong order it leaves compressed pages untouched and logs a warning once.
#[derive(Debug, Clone)]
pub struct StaleClientLayer {
    version: AppVersion,
    delivery: ScriptDelivery,
    max_body: usize,
    /// The tag for the last version seen: built once per version, not per page.
    snippet: Arc<ArcSwapOption<(String, Bytes)>>,
}

impl StaleClientLayer {
    /// Injection for `version`, with the mode and delivery of its settings
    /// (`APP_VERSION_MISMATCH`, `STALE_CLIENT_SCRIPT`).
    pub fn new(version: &AppVersion) -> Self {
        Self {
            version: version.clone(),
            delivery: version.settings().script_delivery(),
            max_body: DEFAULT_MAX_BODY,
            snippet: Arc::new(ArcSwapOption::empty()),
        }
    }

    /// Choose inline or external delivery.
    #[must_use]
    pub fn delivery(mut self, delivery: ScriptDelivery) -> Self {
        self.delivery = delivery;
        self.snippet = Arc::new(ArcSwapOption::empty());
        self
    }

    /// Largest HTML body rewritten (default 4 MiB); larger ones pass through untouched.
    #[must_use]
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }
}

impl AppVersion {
    /// The layer that injects stale-client detection into full HTML pages, with the
    /// mode of `APP_VERSION_MISMATCH`.
    pub fn stale_client_layer(&self) -> StaleClientLayer {
        StaleClientLayer::new(self)
    }
}

impl<S> Layer<S> for StaleClientLayer {
    type Service = StaleClient<S>;

    fn layer(&self, inner: S) -> StaleClient<S> {
        StaleClient {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service made by [`StaleClientLayer`].
#[derive(Debug, Clone)]
pub struct StaleClient<S> {
    inner: S,
    layer: StaleClientLayer,
}

/// The body of a rewritten (or generated) response, or the wrapped service's own.
pub type StaleClientBody<B> = Either<SplicedBody, B>;

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for StaleClient<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: HttpBody<Data = Bytes> + Send + 'static,
{
    type Response = Response<StaleClientBody<ResBody>>;
    type Error = S::Error;
    type Future = StaleClientFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let (method, headers) = (request.method(), request.headers());
        if let Some(response) = self
            .layer
            .own_response(method, request.uri().path(), headers)
        {
            return StaleClientFuture::Ready {
                response: Some(response.map(SplicedBody::new)),
            };
        }
        let version = self.layer.version.for_request(&request);
        let plan = self
            .layer
            .plan(request.method(), request.headers(), &version);
        StaleClientFuture::Inner {
            future: self.inner.call(request),
            plan,
        }
    }
}

impl StaleClientLayer {
    /// The script itself, when `request` asks for its path; counts the page version an
    /// htmx request reports.
    pub(crate) fn own_response(
        &self,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
    ) -> Option<Response<Bytes>> {
        if path == stale_client_script_path() {
            return Some(script_response(method));
        }
        if let Some(page) = headers.get(PAGE_VERSION_HEADER) {
            self.version.record_page_version(page.as_bytes());
        }
        None
    }

    /// Whether the response to `request` may get the script: a full-page GET or HEAD
    /// (not an htmx request), unless the mode is `ignore`.
    pub(crate) fn plan(
        &self,
        method: &Method,
        headers: &HeaderMap,
        version: &Arc<VersionState>,
    ) -> Option<Plan> {
        (!headers.contains_key(HX_REQUEST_HEADER)
            && self.version.settings().mismatch() != MismatchAction::Ignore
            && (method == Method::GET || method == Method::HEAD))
            .then(|| Plan {
                layer: self.clone(),
                head: method == Method::HEAD,
                version: Arc::clone(version),
            })
    }
}

/// A response after the stale-client rules: as it was (perhaps with a fixed length), or
/// a page being rewritten.
pub(crate) enum Finished<B> {
    Done(Response<B>),
    Rewrite(Pin<Box<dyn Future<Output = Response<SplicedBody>> + Send>>),
}

/// Applies `plan` to the wrapped service's `response`.
pub(crate) fn finish<B>(mut response: Response<B>, plan: &Plan) -> Finished<B>
where
    B: HttpBody<Data = Bytes> + Send + 'static,
{
    let (status, exact) = (response.status(), response.body().size_hint().exact());
    match plan.before_body(status, response.headers_mut(), exact) {
        None => Finished::Done(response),
        Some(snippet) => Finished::Rewrite(Box::pin(rewrite(response, snippet))),
    }
}

impl Plan {
    /// The rules on a response's head (`exact`: its body's length, when known): `None`
    /// when it is done (a HEAD's `Content-Length` fixed in `headers` if need be), or the
    /// tag to [`splice`] into the full body, once read.
    pub(crate) fn before_body(
        &self,
        status: StatusCode,
        headers: &mut HeaderMap,
        exact: Option<u64>,
    ) -> Option<Bytes> {
        match decide(status, headers, exact, self) {
            Decision::PassThrough => None,
            Decision::AdjustHeadLength(snippet) => {
                add_to_length(headers, snippet.len());
                None
            }
            Decision::Rewrite(snippet) => Some(snippet),
        }
    }
}

/// What to do with the response once it is ready.
pub(crate) struct Plan {
    layer: StaleClientLayer,
    head: bool,
    /// The request's version snapshot: the script names the version the header does.
    version: Arc<VersionState>,
}

pin_project! {
    /// The response future of [`StaleClient`].
    #[project = StaleClientProjection]
    #[allow(missing_docs)]
    pub enum StaleClientFuture<F> {
        /// Waiting for the wrapped service.
        Inner { #[pin] future: F, plan: Option<Plan> },
        /// Reading a page to rewrite it.
        Rewrite { future: Pin<Box<dyn Future<Output = Response<SplicedBody>> + Send>> },
        /// An answer known at once.
        Ready { response: Option<Response<SplicedBody>> },
    }
}

impl<F> std::fmt::Debug for StaleClientFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StaleClientFuture")
    }
}

impl<F, B, E> Future for StaleClientFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: HttpBody<Data = Bytes> + Send + 'static,
{
    type Output = Result<Response<StaleClientBody<B>>, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        loop {
            let next = match self.as_mut().project() {
                StaleClientProjection::Inner { future, plan } => {
                    let response = ready!(future.poll(cx))?;
                    let Some(plan) = plan.take() else {
                        return Poll::Ready(Ok(response.map(Either::Right)));
                    };
                    match finish(response, &plan) {
                        Finished::Done(response) => {
                            return Poll::Ready(Ok(response.map(Either::Right)))
                        }
                        Finished::Rewrite(future) => StaleClientFuture::Rewrite { future },
                    }
                }
                StaleClientProjection::Rewrite { future } => {
                    let response = ready!(future.as_mut().poll(cx));
                    return Poll::Ready(Ok(response.map(Either::Left)));
                }
                StaleClientProjection::Ready { response } => {
                    let response = response
                        .take()
                        .unwrap_or_else(|| status_response(StatusCode::INTERNAL_SERVER_ERROR));
                    return Poll::Ready(Ok(response.map(Either::Left)));
                }
            };
            self.set(next);
        }
    }
}

enum Decision {
    PassThrough,
    AdjustHeadLength(Bytes),
    Rewrite(Bytes),
}

static WARNED_ENCODED: AtomicBool = AtomicBool::new(false);

fn decide(status: StatusCode, headers: &HeaderMap, exact: Option<u64>, plan: &Plan) -> Decision {
    if !status.is_success()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::PARTIAL_CONTENT
    {
        return Decision::PassThrough;
    }
    let is_html = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .trim_start()
                .get(..9)
                .is_some_and(|essence| essence.eq_ignore_ascii_case("text/html"))
        });
    if !is_html {
        return Decision::PassThrough;
    }
    if headers.contains_key(CONTENT_ENCODING) {
        if !WARNED_ENCODED.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "StaleClientLayer saw a compressed HTML page and left it without stale-client \
                 detection: add the compression layer outside it (after it, with axum's .layer)"
            );
        }
        return Decision::PassThrough;
    }
    let snippet = snippet(&plan.layer, &plan.version);
    // A HEAD answered with an empty body and the GET's length: fix the length only.
    // (axum instead runs the GET handler and drops the body later: rewrite it as a GET.)
    if plan.head && exact == Some(0) {
        let length = headers
            .get(CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<usize>().ok());
        // Only when the GET would be rewritten: within the size bound.
        return match length {
            Some(length) if length <= plan.layer.max_body => Decision::AdjustHeadLength(snippet),
            _ => Decision::PassThrough,
        };
    }
    match exact {
        Some(length) if usize::try_from(length).is_ok_and(|n| n <= plan.layer.max_body) => {
            Decision::Rewrite(snippet)
        }
        // Streaming (unknown length) or too large: untouched.
        _ => Decision::PassThrough,
    }
}

fn add_to_length(headers: &mut HeaderMap, extra: usize) {
    let length = headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if let Some(length) = length {
        headers.insert(CONTENT_LENGTH, HeaderValue::from(length + extra));
    }
}

async fn rewrite<B>(response: Response<B>, snippet: Bytes) -> Response<SplicedBody>
where
    B: HttpBody<Data = Bytes> + Send + 'static,
{
    let (mut parts, body) = response.into_parts();
    let Ok(collected) = body.collect().await else {
        return status_response(StatusCode::INTERNAL_SERVER_ERROR);
    };
    // One chunk (the usual handler body) comes back without a copy.
    let body = splice(&mut parts.headers, collected.to_bytes(), snippet);
    Response::from_parts(parts, body)
}

/// The full `page` with `snippet` injected (unless it has it already), and `headers`
/// made to match: the new `Content-Length`, no `ETag`.
pub(crate) fn splice(headers: &mut HeaderMap, page: Bytes, snippet: Bytes) -> SplicedBody {
    let body = match injection_point(&page) {
        // Head, tag and tail go out as three views of the buffers: no copy of the page.
        Some(at) => SplicedBody::spliced(page.slice(..at), snippet, page.slice(at..)),
        None => SplicedBody::new(page),
    };
    headers.insert(CONTENT_LENGTH, HeaderValue::from(body.remaining()));
    // The bytes changed, so a validator of the handler's bytes no longer holds.
    headers.remove(ETAG);
    body
}

/// Where the tag goes: before `</head>`, else after `<body ...>`, else at the end; `None`
/// when the page already has it.
pub(crate) fn injection_point(page: &[u8]) -> Option<usize> {
    if memmem::find(page, MARKER).is_some() {
        return None;
    }
    let at = find_tag(page, b"</head")
        .or_else(|| {
            let body = find_tag(page, b"<body")?;
            let close = memchr::memchr(b'>', &page[body..])?;
            Some(body + close + 1)
        })
        .unwrap_or(page.len());
    Some(at)
}

/// The first `needle` (case-insensitive, starting with `<`) that ends a tag name: followed
/// by `>`, `/` or white space, so `</head` does not match `</header>`. Jumps from `<` to
/// `<` with `memchr`, so a page costs a vectorized scan, not a comparison per byte.
fn find_tag(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    debug_assert_eq!(needle.first(), Some(&b'<'));
    memchr::memchr_iter(b'<', haystack).find(|&at| {
        let end = at + needle.len();
        haystack
            .get(at..end)
            .is_some_and(|candidate| candidate.eq_ignore_ascii_case(needle))
            && match haystack.get(end) {
                Some(b'>' | b'/') | None => true,
                Some(next) => next.is_ascii_whitespace(),
            }
    })
}

/// The tag injected for the current version and mode, built once per version.
fn snippet(layer: &StaleClientLayer, state: &VersionState) -> Bytes {
    if let Some(cached) = layer.snippet.load().as_ref() {
        if cached.0 == state.version() {
            return cached.1.clone();
        }
    }
    let tag = Bytes::from(build_snippet(layer, state.version()));
    layer
        .snippet
        .store(Some(Arc::new((state.version().to_owned(), tag.clone()))));
    tag
}

fn build_snippet(layer: &StaleClientLayer, version: &str) -> String {
    let mode = layer.version.settings().mismatch().as_str();
    match layer.delivery {
        ScriptDelivery::Inline => format!(
            "<script data-hyper-assets=\"stale-client\">window.__hyperAppVersion={};\
             window.__hyperAppVersionMode=\"{mode}\";\n{}</script>",
            js_string(version),
            INLINE_SCRIPT.as_str()
        ),
        ScriptDelivery::External => format!(
            "<script src=\"{}\" defer data-hyper-assets=\"stale-client\" data-version=\"{}\" \
             data-mode=\"{mode}\"></script>",
            stale_client_script_path(),
            html_attribute(version)
        ),
    }
}

/// A JavaScript string literal that is also safe inside `<script>`: no `</script>`, no
/// `<!--`, no raw U+2028/U+2029.
pub(crate) fn js_string(text: &str) -> String {
    let json = serde_json::Value::from(text).to_string();
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            other => out.push(other),
        }
    }
    out
}

fn html_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            other => out.push(other),
        }
    }
    out
}

fn script_response(method: &Method) -> Response<Bytes> {
    if method != Method::GET && method != Method::HEAD {
        let mut response = Response::new(Bytes::new());
        *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let body = if method == Method::HEAD {
        Bytes::new()
    } else {
        Bytes::from_static(STALE_CLIENT_SCRIPT.as_bytes())
    };
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    headers.insert(CONTENT_LENGTH, HeaderValue::from(STALE_CLIENT_SCRIPT.len()));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    if let Ok(etag) = HeaderValue::from_str(&EXTERNAL.etag) {
        headers.insert(ETAG, etag);
    }
    response
}

/// An empty answer with `status` (a page that could not be read: 500).
pub(crate) fn status_response(status: StatusCode) -> Response<SplicedBody> {
    let mut response = Response::new(SplicedBody::default());
    *response.status_mut() = status;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: &[u8] = b"<script data-hyper-assets=\"stale-client\">x</script>";

    fn injected(page: &str) -> String {
        let at = injection_point(page.as_bytes()).unwrap();
        format!(
            "{}{}{}",
            &page[..at],
            std::str::from_utf8(S).unwrap(),
            &page[at..]
        )
    }

    #[test]
    fn before_head_close_case_insensitive() {
        assert_eq!(
            injected("<html><HEAD><title>t</title></HEAD><body>b</body>"),
            format!(
                "<html><HEAD><title>t</title>{}</HEAD><body>b</body>",
                std::str::from_utf8(S).unwrap()
            )
        );
    }

    #[test]
    fn after_body_open_without_head() {
        assert_eq!(
            injected("<p>x</p><BODY class=\"a\"><p>y</p>"),
            format!(
                "<p>x</p><BODY class=\"a\">{}<p>y</p>",
                std::str::from_utf8(S).unwrap()
            )
        );
    }

    #[test]
    fn at_the_end_otherwise() {
        assert_eq!(
            injected("<p>fragment</p>"),
            format!("<p>fragment</p>{}", std::str::from_utf8(S).unwrap())
        );
    }

    #[test]
    fn header_elements_are_not_the_head() {
        let page = "<header><h1>x</h1></header><p>y</p>";
        assert!(injected(page).starts_with(page), "{}", injected(page));
        let with_head = "<header></header></head ><bodyguard>";
        assert_eq!(
            injected(with_head),
            format!(
                "<header></header>{}</head ><bodyguard>",
                std::str::from_utf8(S).unwrap()
            )
        );
    }

    #[test]
    fn inline_script_drops_only_comments_and_indentation() {
        // What is left: no blank, indented or comment line.
        for line in INLINE_SCRIPT.lines() {
            assert!(
                !line.is_empty() && !line.starts_with([' ', '\t']),
                "{line:?}"
            );
            assert!(!line.starts_with("//"), "{line:?}");
        }
        // What is gone: only whitespace and comment lines, compared character by
        // character, not by rebuilding the script the way it is built.
        let squeeze = |text: &str| text.split_whitespace().collect::<String>();
        let mut source = String::new();
        for line in STALE_CLIENT_SCRIPT.split('\n') {
            if !line.trim_start().starts_with("//") {
                source.push_str(line);
            }
        }
        assert_eq!(squeeze(&INLINE_SCRIPT), squeeze(&source));
        // And something was dropped: the source has comments.
        assert!(STALE_CLIENT_SCRIPT
            .lines()
            .any(|l| l.trim_start().starts_with("//")));
        assert!(INLINE_SCRIPT.len() * 4 < STALE_CLIENT_SCRIPT.len() * 3);
        assert!(
            !INLINE_SCRIPT.contains("</"),
            "must not close the inline tag"
        );
    }

    #[test]
    fn never_twice() {
        let once = injected("<head></head>");
        assert!(injection_point(once.as_bytes()).is_none());
    }

    #[test]
    fn js_strings_cannot_break_out() {
        for hostile in [
            "</script><script>alert(1)</script>",
            "\"; alert(1); \"",
            "'; alert(1); '",
            "a\u{2028}b\u{2029}c",
            "<!-- x",
            "\\",
        ] {
            let literal = js_string(hostile);
            assert!(
                !literal.contains('<') && !literal.contains('>'),
                "{literal}"
            );
            assert!(!literal.contains('\u{2028}') && !literal.contains('\u{2029}'));
            // A JSON string is a JS string: parsing it back gives the original.
            let back: String = serde_json::from_str(&literal).unwrap();
            assert_eq!(back, hostile);
        }
    }

    #[test]
    fn attributes_are_escaped() {
        assert_eq!(html_attribute("a\"b<c>&'"), "a&quot;b&lt;c&gt;&amp;&#39;");
    }

    #[test]
    fn script_path_is_content_hashed() {
        let path = stale_client_script_path();
        assert!(path.starts_with("/_hyper-assets/stale-client."));
        assert!(path.ends_with(".js"));
        let hash = hyper_assets_pipeline::ContentHash::of(STALE_CLIENT_SCRIPT.as_bytes()).short();
        assert!(path.contains(&hash));
    }
}
