//! The request corpus (`hyper_assets_tests::corpus`, the one the one stack is compared on
//! in `tests/site.rs`) through the three transports `Site::serve` speaks: cleartext
//! HTTP/1.1, HTTP/1.1 over TLS and HTTP/2 over TLS, and over TLS without ALPN (which is
//! HTTP/1.1). Every request goes through the real `curl` on each, and each answer must
//! have the cleartext answer's status, headers and body bytes, but for `Date` and the
//! headers HTTP/2 forbids (`Connection`, `Keep-Alive`, `Transfer-Encoding`, `Upgrade`,
//! `Proxy-Connection`), and but for `content-length: 0` on an empty body, which HTTP/2
//! says with END_STREAM instead. The certificate is a throwaway one made with `openssl` at run time.
//!
//! Each transport has a `Site` of its own built the same way, and the corpus goes through
//! them in lockstep: the corpus's bust changes a site's version, so one shared site would
//! answer the second transport from another state than the first.
//!
//! And under load: `h2load` (2,000 requests, 8 clients, 16 in flight each, a page and an
//! asset in turn) over HTTP/2 and over HTTP/1.1 gets every request answered with a 2xx,
//! none failed, errored or timed out.
//!
//! Ignored by plain `cargo test` (needs curl, h2load and openssl); `scripts/test-all.sh`
//! runs it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use hyper_assets::Site;
use hyper_assets_tests::cargo_project::{target_dir, workspace_root};
use hyper_assets_tests::corpus::{
    assert_reaches_every_answer, comparable, corpus, routes, settings_builder,
};
use hyper_assets_tests::curl::{self, Alpn, Transport};
use hyper_assets_tests::pki::Pki;
use hyper_assets_tests::RawResponse;

hyper_assets::hyper_assets!(
    "fixtures/compress",
    components(fixtures = ["fixtures/basic/css"])
);

/// Connection-specific headers, which HTTP/2 forbids (RFC 9113, 8.2.2).
const CONNECTION_SPECIFIC: [&str; 5] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
];

type Comparable = (u16, Vec<(String, String)>, Vec<u8>);

/// What must be the same on every transport: [`comparable`] without the
/// connection-specific headers, and without `content-length: 0` on an empty body: hyper's
/// HTTP/2 server ends such an answer with END_STREAM on its HEADERS frame, which says
/// the length, and sends no `content-length` (a HEAD's length is kept: it is not zero).
fn transport_neutral(response: &RawResponse) -> Comparable {
    let (status, mut headers, body) = comparable(response);
    let empty_length =
        |name: &str, value: &str| name == "content-length" && value == "0" && body.is_empty();
    headers.retain(|(name, value)| {
        !(CONNECTION_SPECIFIC.contains(&name.as_str()) || empty_length(name, value))
    });
    (status, headers, body)
}

/// A site as `tests/site.rs` builds it, served by `Site::serve` on a port of its own.
fn serve(runtime: &tokio::runtime::Runtime, routing: bool, pki: Option<&Pki>) -> u16 {
    let mut builder = settings_builder(routing);
    if let Some(pki) = pki {
        builder = builder.tls(pki.cert(), pki.key());
    }
    let site = Site::builder(&assets::EMBEDDED)
        .settings(builder.build().unwrap())
        .component(
            "config",
            [workspace_root().join("tests/fixtures/basic/LICENSE")],
        )
        .build()
        .unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { site.serve(listener, routes()).await.unwrap() });
        port
    })
}

fn corpus_through_every_transport(routing: bool) {
    let dir = target_dir().join(format!("tls-transports-{routing}"));
    let pki = Pki::new(&dir.join("pki"));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let cleartext = serve(&runtime, routing, None);
    let tls = |alpn| {
        let transport = Transport::Tls { ca: pki.ca(), alpn };
        (transport, serve(&runtime, routing, Some(&pki)))
    };
    let encrypted = [
        (tls(Alpn::H2), "2"),
        (tls(Alpn::Http11), "1.1"),
        (tls(Alpn::None), "1.1"),
    ];
    let mut statuses = Vec::new();
    for (method, path, headers) in corpus(&assets::MANIFEST) {
        let said = format!("{method} {path} {headers:?}");
        let expected = curl::request(
            &dir,
            &Transport::Cleartext,
            cleartext,
            method,
            &path,
            &headers,
        );
        assert_eq!(expected.version, "1.1", "{said}");
        assert!(
            expected.response.header("x-app-version").is_some(),
            "{said}"
        );
        statuses.push(expected.response.status);
        let expected = transport_neutral(&expected.response);
        for ((transport, port), version) in &encrypted {
            let got = curl::request(&dir, transport, *port, method, &path, &headers);
            assert_eq!(got.version, *version, "{said} over {transport:?}");
            assert_eq!(
                transport_neutral(&got.response),
                expected,
                "{said}: over {transport:?} (left) and cleartext HTTP/1.1 (right) differ"
            );
            if *version == "2" {
                // Nothing connection-specific came through on HTTP/2 to be filtered.
                for (name, _) in &got.response.headers {
                    assert!(
                        !CONNECTION_SPECIFIC.contains(&name.as_str()),
                        "{said}: HTTP/2 answer carries `{name}`"
                    );
                }
            }
        }
    }
    assert_reaches_every_answer(&statuses, routing);
}

#[test]
#[ignore = "needs the curl and openssl command lines (scripts/test-all.sh installs them)"]
fn the_corpus_answers_alike_over_cleartext_http_1_1_and_https_http_1_1_and_h2() {
    corpus_through_every_transport(false);
}

#[test]
#[ignore = "needs the curl and openssl command lines (scripts/test-all.sh installs them)"]
fn the_corpus_answers_alike_over_every_transport_with_routing() {
    corpus_through_every_transport(true);
}

/// The counts of h2load's summary: `requests: N total, N started, N done, N succeeded,
/// N failed, N errored, N timeout` and `status codes: N 2xx, N 3xx, N 4xx, N 5xx`.
fn h2load_counts(summary: &str, line: &str) -> Vec<(String, u64)> {
    let counts = summary
        .lines()
        .find_map(|text| text.strip_prefix(line))
        .unwrap_or_else(|| panic!("no `{line}` line in h2load's output:\n{summary}"));
    counts
        .split(',')
        .map(|count| {
            let (number, what) = count.trim().split_once(' ').unwrap();
            (what.to_owned(), number.parse().unwrap())
        })
        .collect()
}

#[test]
#[ignore = "needs h2load (Debian nghttp2-client) and openssl (scripts/test-all.sh installs them)"]
fn h2load_gets_every_request_answered_over_h2_and_http_1_1() {
    const REQUESTS: u64 = 2000;
    let dir = target_dir().join("tls-transports-h2load");
    let pki = Pki::new(&dir.join("pki"));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let port = serve(&runtime, false, Some(&pki));
    // A page through the app and an asset that skips it, taken in turn.
    let big = assets::MANIFEST.get("big.css").unwrap();
    let urls = [
        format!("https://127.0.0.1:{port}/"),
        format!("https://127.0.0.1:{port}{}", big.url()),
    ];
    for (flags, protocol) in [(&[][..], "h2"), (&["--h1"][..], "http/1.1")] {
        let output = std::process::Command::new("h2load")
            .args(["-n", &REQUESTS.to_string(), "-c", "8", "-m", "16"])
            .args(flags)
            .args(&urls)
            .output()
            .unwrap_or_else(|error| panic!("h2load cannot run ({error}); install nghttp2-client"));
        let summary = String::from_utf8_lossy(&output.stdout);
        eprintln!("h2load {flags:?}:\n{summary}");
        assert!(
            output.status.success(),
            "h2load {flags:?} failed:\n{summary}"
        );
        assert!(
            summary.contains(&format!("Application protocol: {protocol}")),
            "{summary}"
        );
        let requests = h2load_counts(&summary, "requests: ");
        let statuses = h2load_counts(&summary, "status codes: ");
        let count = |counts: &[(String, u64)], what: &str| {
            counts
                .iter()
                .find(|(name, _)| name == what)
                .unwrap_or_else(|| panic!("no `{what}` count in {counts:?}"))
                .1
        };
        for what in ["total", "started", "done", "succeeded"] {
            assert_eq!(count(&requests, what), REQUESTS, "{what} over {protocol}");
        }
        for what in ["failed", "errored", "timeout"] {
            assert_eq!(count(&requests, what), 0, "{what} over {protocol}");
        }
        assert_eq!(count(&statuses, "2xx"), REQUESTS, "over {protocol}");
    }
}
