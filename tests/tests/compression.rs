//! Precompressed variants: made at build time (cached in OUT_DIR), chosen by
//! `Accept-Encoding` with q-values, each with its own ETag, and `Vary` everywhere.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use axum::Router;
use hyper_assets::serving::StaticService;
use hyper_assets_tests::{RawResponse, TestServer};
use std::io::Read;

hyper_assets::hyper_assets!("fixtures/compress");

fn server() -> TestServer {
    TestServer::start(Router::new().fallback_service(StaticService::new(&assets::MANIFEST)))
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn ungzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn css() -> &'static hyper_assets::Asset {
    assets::MANIFEST.get("big.css").unwrap()
}

fn check_length(response: &RawResponse) {
    assert_eq!(
        response.header("content-length").unwrap(),
        response.body.len().to_string()
    );
}

#[test]
fn variants_exist_only_where_they_help() {
    let css = css();
    assert!(css.brotli().unwrap().bytes().len() < css.gzip().unwrap().bytes().len());
    assert!(css.gzip().unwrap().bytes().len() < css.len());
    assert!(assets::MANIFEST.get("icon.svg").unwrap().brotli().is_some());
    for plain in ["font.woff2", "noise.txt", "small.css"] {
        let asset = assets::MANIFEST.get(plain).unwrap();
        assert!(
            asset.brotli().is_none() && asset.gzip().is_none(),
            "{plain}"
        );
    }
    assert_eq!(unbrotli(css.brotli().unwrap().bytes()), css.bytes());
    assert_eq!(ungzip(css.gzip().unwrap().bytes()), css.bytes());
}

#[test]
fn negotiation_picks_by_q_value() {
    let server = server();
    let url = css().url();
    let cases: &[(Option<&str>, Option<&str>)] = &[
        (None, None),
        (Some("gzip, deflate, br, zstd"), Some("br")),
        (Some("gzip"), Some("gzip")),
        (Some("br;q=1, gzip;q=0.5"), Some("br")),
        (Some("br;q=0.2, gzip;q=0.8"), Some("gzip")),
        (Some("identity;q=0, gzip;q=0.1"), Some("gzip")),
        (Some("*"), Some("br")),
        (Some("deflate"), None),
        (Some("br;q=0, gzip;q=0"), None),
    ];
    for &(accept, expected) in cases {
        let headers: Vec<String> = accept
            .map(|a| format!("Accept-Encoding: {a}"))
            .into_iter()
            .collect();
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        let response = server.get(url, &headers);
        assert_eq!(response.status, 200);
        assert_eq!(response.header("content-encoding"), expected, "{accept:?}");
        assert_eq!(response.header("vary"), Some("Accept-Encoding"));
        check_length(&response);
        let (body, etag) = match expected {
            Some("br") => (
                unbrotli(&response.body),
                format!("\"{}-br\"", css().sha256()),
            ),
            Some("gzip") => (
                ungzip(&response.body),
                format!("\"{}-gzip\"", css().sha256()),
            ),
            _ => (response.body.clone(), css().etag().to_owned()),
        };
        assert_eq!(body, css().bytes(), "{accept:?}");
        assert_eq!(response.header("etag"), Some(etag.as_str()));
        assert_eq!(
            response.header("cache-control"),
            Some("public, max-age=31536000, immutable")
        );
    }
}

#[test]
fn head_304_and_ranges_per_representation() {
    let server = server();
    let url = css().url();
    let br = css().brotli().unwrap();
    let head = server.send("HEAD", url, &["Accept-Encoding: br"]);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("content-length"),
        Some(br.bytes().len().to_string().as_str())
    );
    assert_eq!(head.header("content-encoding"), Some("br"));

    let not_modified = server.get(
        url,
        &[
            "Accept-Encoding: br",
            &format!("If-None-Match: {}", br.etag()),
        ],
    );
    assert_eq!(not_modified.status, 304);
    assert_eq!(not_modified.header("vary"), Some("Accept-Encoding"));
    // The identity ETag does not validate the brotli representation.
    let other = server.get(
        url,
        &[
            "Accept-Encoding: br",
            &format!("If-None-Match: {}", css().etag()),
        ],
    );
    assert_eq!(other.status, 200);

    let ranged_br = server.get(url, &["Accept-Encoding: br", "Range: bytes=0-9"]);
    assert_eq!(
        ranged_br.status, 200,
        "ranges are for the identity representation"
    );
    let ranged = server.get(url, &["Range: bytes=0-9"]);
    assert_eq!(ranged.status, 206);
    assert_eq!(ranged.body, &css().bytes()[..10]);

    let woff = server.get(
        assets::MANIFEST.get("font.woff2").unwrap().url(),
        &["Accept-Encoding: br"],
    );
    assert!(woff.header("content-encoding").is_none());
    assert!(woff.header("vary").is_none());
}

#[test]
fn variants_are_cached_in_out_dir() {
    let dir = std::path::Path::new(env!("OUT_DIR")).join("hyper-assets-compressed");
    let name = format!("{}.br11", css().sha256());
    let cached = std::fs::read(dir.join(&name)).unwrap();
    assert_eq!(cached, css().brotli().unwrap().bytes());
    assert!(dir.join(format!("{}.gz9", css().sha256())).exists());
    let noise = assets::MANIFEST.get("noise.txt").unwrap();
    assert!(
        dir.join(format!("{}.br11.none", noise.sha256())).exists(),
        "a useless variant is remembered"
    );
}
