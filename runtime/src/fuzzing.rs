//! Entry points for `cargo fuzz` (`fuzz/`) and for the regression tests that replay
//! what fuzzing found, on stable (`tests/tests/fuzz_regressions.rs`). Not API: each
//! takes arbitrary bytes, runs one parser of untrusted input, and panics only when an
//! invariant of its answer does not hold.

// Panicking on a broken invariant is what a fuzz target is for.
#![allow(clippy::panic)]

use crate::routing::{Routing, VersionRouterLayer};
use crate::serving::accept_encoding::{self, Coding};
use crate::serving::range::{self, RangeRequest};
use crate::serving::{if_none_match, request_path};
use http::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT_ENCODING, COOKIE, RANGE};
use std::sync::LazyLock;

/// One fuzz target: bytes in, a panic when an invariant fails.
pub type Target = fn(&[u8]);

/// The fuzz targets by name, for the regression replay.
pub const TARGETS: [(&str, Target); 9] = [
    ("request_path", request_path),
    ("range", range),
    ("if_none_match", if_none_match),
    ("accept_encoding", accept_encoding),
    ("routing_headers", routing_headers),
    ("references", references),
    ("glob", glob),
    ("release_path", release_path),
    ("delta_request", delta_request),
];

/// The headers of a request for a delta (RFC 9842): the bytes split at the first `\n`
/// into `Available-Dictionary` and `Accept-Encoding`. A request takes a delta only with
/// exactly one value that is the canonical base64 of 32 bytes between colons, and a delta
/// coding accepted by name.
pub fn delta_request(data: &[u8]) {
    let (dictionary, accept) = match data.iter().position(|b| *b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &b"dcb, dcz"[..]),
    };
    let (Ok(dictionary), Ok(accept)) = (
        HeaderValue::from_bytes(dictionary),
        HeaderValue::from_bytes(accept),
    ) else {
        return;
    };
    let mut headers = HeaderMap::new();
    headers.insert(
        crate::serving::delta::AVAILABLE_DICTIONARY,
        dictionary.clone(),
    );
    headers.insert(ACCEPT_ENCODING, accept);
    let Some(request) = crate::serving::delta::requested(&headers) else {
        return;
    };
    assert!(request.dcb || request.dcz);
    let canonical = format!(
        ":{}:",
        hyper_assets_pipeline::dictionary_base64(&request.dictionary)
    );
    assert_eq!(
        dictionary.as_bytes().trim_ascii_start().trim_ascii_end(),
        canonical.as_bytes(),
        "a delta for a value that is not the canonical form of its hash"
    );
}

/// A request path as the release folder (`STATIC_RELEASES_DIR`) reads it: a decoded
/// path that passes the release-name rule joins the folder to a path inside it, with
/// only plain components (no root, no `..`, no `.`).
pub fn release_path(data: &[u8]) {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(decoded) = request_path::decode(raw) else {
        return;
    };
    if !hyper_assets_pipeline::is_release_file_name(&decoded) {
        return;
    }
    let folder = std::path::Path::new("/srv/releases");
    let joined = folder.join(&*decoded);
    assert!(
        joined.starts_with(folder),
        "{decoded:?} left the folder: {joined:?}"
    );
    assert!(
        std::path::Path::new(&*decoded)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_))),
        "{decoded:?}"
    );
}

/// The request-path decoder: a decoded path never holds a separator, a control
/// character or a dot segment it did not have as plain text.
pub fn request_path(data: &[u8]) {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(decoded) = request_path::decode(raw) {
        assert!(!decoded.contains('\\'), "{decoded:?}");
        assert!(
            !decoded.bytes().any(|b| b < 0x20 || b == 0x7f),
            "{decoded:?}"
        );
        assert!(
            decoded
                .split('/')
                .all(|segment| segment != "." && segment != ".."),
            "{decoded:?}"
        );
        assert_eq!(
            decoded.matches('/').count(),
            raw.matches('/').count(),
            "a decoded separator in {decoded:?}"
        );
    }
}

/// `Range`: any partial answer lies within the file. The first two bytes give the length.
pub fn range(data: &[u8]) {
    let [a, b, rest @ ..] = data else {
        return;
    };
    let len = u64::from(u16::from_le_bytes([*a, *b]));
    let Some(headers) = one_header(RANGE, rest) else {
        return;
    };
    if let RangeRequest::Partial { start, end } = range::requested(&headers, len, b"\"e\"") {
        assert!(start <= end && end < len, "{start}-{end} of {len}");
    }
}

/// `If-None-Match`: never panics, and `*` always matches.
pub fn if_none_match(data: &[u8]) {
    if let Some(headers) = one_header(http::header::IF_NONE_MATCH, data) {
        let _ = if_none_match::matches(&headers, b"\"abc\"");
        let _ = crate::serving::if_match::fails(&headers, b"\"abc\"");
    }
    let mut star = HeaderMap::new();
    star.insert(http::header::IF_NONE_MATCH, HeaderValue::from_static("*"));
    assert!(if_none_match::matches(&star, b"\"abc\""));
}

/// `Accept-Encoding`: the coding chosen is one the file has.
pub fn accept_encoding(data: &[u8]) {
    let Some(headers) = one_header(ACCEPT_ENCODING, data) else {
        return;
    };
    for (brotli, gzip) in [(true, true), (true, false), (false, true), (false, false)] {
        match accept_encoding::choose(&headers, brotli, gzip) {
            Coding::Brotli => assert!(brotli),
            Coding::Gzip => assert!(gzip),
            Coding::Identity => {}
        }
    }
}

static ROUTER: LazyLock<Option<VersionRouterLayer>> = LazyLock::new(|| {
    VersionRouterLayer::builder()
        .version("v1.0", "backend-blue")
        .version("v1.1", "backend-green")
        .default_version("v1.0")
        .canary("v1.1", 10)
        .build()
        .ok()
});

/// The cookie and version-header parsers: before the first NUL byte a `Cookie` value,
/// after it an `X-App-Requested-Version` value. A served version is in the map, and
/// whatever the cookie holds, it never makes a 400 or a 409.
pub fn routing_headers(data: &[u8]) {
    let Some(router) = ROUTER.as_ref() else {
        return;
    };
    let (cookie, header) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    };
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_bytes(cookie) {
        headers.append(COOKIE, value);
    }
    let with_header = header.and_then(|value| HeaderValue::from_bytes(value).ok());
    if let Some(value) = with_header.clone() {
        headers.append(HeaderName::from_static("x-app-requested-version"), value);
    }
    match router.route(&headers) {
        Routing::Serve { version, .. } => {
            assert!(router
                .versions()
                .any(|(known, _)| known == version.as_str()));
        }
        Routing::Unknown { .. } | Routing::Malformed { .. } => {
            assert!(
                with_header.is_some_and(|value| !value.is_empty()),
                "a cookie alone was refused"
            );
        }
    }
}

/// The CSS and JS reference scanners and the rewriter: references lie within the file,
/// rewriting is deterministic, and every rewritten reference names a file of the set by
/// its hashed name.
pub fn references(data: &[u8]) {
    for scan in [
        hyper_assets_pipeline::scan_css,
        hyper_assets_pipeline::scan_js,
    ] {
        for reference in scan(data) {
            assert!(reference.start <= reference.end && reference.end <= data.len());
        }
    }
    let files = || {
        vec![
            source("app.css", data.to_vec()),
            source("app.js", data.to_vec()),
            source("img/a.png", b"png".to_vec()),
            source("theme.css", b"body{}".to_vec()),
            source("lib.js", b"export {};".to_vec()),
        ]
    };
    let options = hyper_assets_pipeline::RewriteOptions {
        enabled: true,
        prefix: "/static/".to_owned(),
        url_prefix: None,
        missing: hyper_assets_pipeline::MissingReferences::Keep,
        ..hyper_assets_pipeline::RewriteOptions::default()
    };
    let first = hyper_assets_pipeline::process(files(), &options);
    let second = hyper_assets_pipeline::process(files(), &options);
    match (first, second) {
        (Ok(first), Ok(second)) => {
            for (a, b) in first.iter().zip(&second) {
                assert_eq!(
                    a.bytes, b.bytes,
                    "rewriting {} is not deterministic",
                    a.canonical
                );
            }
            let hashed: Vec<String> = first
                .iter()
                .map(|file| {
                    let hash = hyper_assets_pipeline::ContentHash::of(&file.bytes);
                    hyper_assets_pipeline::hashed_name(&file.canonical, &hash)
                })
                .collect();
            // Whatever rewriting wrote in place of a reference names a file of the set by
            // its hashed name: every reference of the output that the input did not hold
            // (as a multiset of reference texts) ends in one of the hashed names.
            for file in first.iter().filter(|file| file.rewritten) {
                let scan = if file.canonical.ends_with(".css") {
                    hyper_assets_pipeline::scan_css
                } else {
                    hyper_assets_pipeline::scan_js
                };
                let texts = |bytes: &[u8]| -> Vec<Vec<u8>> {
                    scan(bytes)
                        .into_iter()
                        .map(|r| bytes[r.start..r.end].to_vec())
                        .collect()
                };
                let mut before = texts(data);
                let input = String::from_utf8_lossy(data);
                for written in texts(&file.bytes) {
                    if let Some(at) = before.iter().position(|text| *text == written) {
                        before.swap_remove(at);
                        continue;
                    }
                    let written = String::from_utf8_lossy(&written);
                    // Only what the rewriter writes carries a hash; a reference the scanner
                    // reads differently around a rewritten one, but that the input held
                    // as text, is the input's.
                    if !has_hash(&written) || input.contains(written.as_ref()) {
                        continue;
                    }
                    // Malformed input can make the scanner read a longer token around the
                    // rewritten name; the name itself must be one of the set's.
                    // (By its file name: a reference keeps its own way to the folder,
                    // `img/./a.png` included, which the browser resolves.)
                    assert!(
                        hashed
                            .iter()
                            .filter_map(|name| name.rsplit('/').next())
                            .any(|file_name| written.contains(file_name)),
                        "{written:?} in {} names no file of the set",
                        file.canonical
                    );
                }
            }
        }
        (Err(_), Err(_)) => {}
        _ => panic!("rewriting the same files succeeded once and failed once"),
    }
}

/// Whether `text` holds a content hash as the rewriter writes it: `.` then 12 hex digits.
fn has_hash(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes
        .windows(13)
        .any(|w| w[0] == b'.' && w[1..].iter().all(u8::is_ascii_hexdigit))
}

fn source(canonical: &str, bytes: Vec<u8>) -> hyper_assets_pipeline::SourceFile {
    hyper_assets_pipeline::SourceFile {
        canonical: canonical.to_owned(),
        path: std::path::PathBuf::from(canonical),
        bytes,
    }
}

/// The glob matcher: before the first newline a pattern, after it a path.
pub fn glob(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (pattern, path) = text.split_once('\n').unwrap_or((text, ""));
    if let Ok(glob) = hyper_assets_pipeline::Glob::new(pattern) {
        let _ = glob.matches(path);
        // A plain file name matches itself.
        let plain = pattern
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        if plain && !pattern.is_empty() {
            assert!(glob.matches(pattern), "{pattern:?} does not match itself");
        }
    }
}

fn one_header(name: HeaderName, value: &[u8]) -> Option<HeaderMap> {
    let value = HeaderValue::from_bytes(value).ok()?;
    let mut headers = HeaderMap::new();
    headers.insert(name, value);
    Some(headers)
}
