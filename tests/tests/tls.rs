//! HTTPS from `Site::serve` (the runtime's `tls` feature) over real sockets: a throwaway
//! CA and certificate made at run time with the `openssl` command line; the real `curl`
//! over HTTP/2 and HTTP/1.1 (ALPN `h2`, `http/1.1` and none) gets the same status, body
//! and headers as over cleartext; a missing certificate file and a key that is not the
//! certificate's are start-up errors that name the setting.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use axum::response::Html;
use axum::routing::get;
use axum::Router;
use hyper_assets::{Settings, Site};
use std::path::{Path, PathBuf};
use std::process::Command;

hyper_assets::hyper_assets!("fixtures/basic");

fn app() -> Router {
    Router::new().route(
        "/",
        get(|| async { Html("<!doctype html><html><head></head><body>home</body></html>") }),
    )
}

fn site(settings: hyper_assets::settings::SettingsBuilder) -> Site {
    Site::builder(&assets::EMBEDDED)
        .settings(settings.dev_mode(false).build().unwrap())
        .build()
        .unwrap()
}

fn run(command: &mut Command) -> std::process::Output {
    let output = command.output().expect("the command runs");
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// A fresh folder under the target directory.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A CA (`ca.pem`), a certificate for `localhost` and 127.0.0.1 that it signed
/// (`cert.pem`, key `key.pem`), and an unrelated key (`other.pem`), all P-256.
fn throwaway_pki(dir: &Path) {
    let openssl = |args: &[&str]| {
        run(Command::new("openssl").args(args).current_dir(dir));
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    openssl(
        &[
            &["req", "-x509"][..],
            &ec,
            &[
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "2",
                "-subj",
                "/CN=hyper-assets test CA",
            ],
        ]
        .concat(),
    );
    openssl(
        &[
            &["req"][..],
            &ec,
            &[
                "-keyout",
                "key.pem",
                "-out",
                "req.csr",
                "-subj",
                "/CN=localhost",
            ],
        ]
        .concat(),
    );
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "req.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "cert.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    openssl(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        "other.pem",
    ]);
}

/// The error `Site::serve` starts with (it must not start).
fn start_up_error(site: &Site) -> String {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let error = site.serve(listener, app()).await.unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
        error.to_string()
    })
}

#[test]
fn a_missing_certificate_file_is_a_start_up_error_naming_the_setting() {
    let dir = scratch("tls-missing");
    let cert = dir.join("absent.pem");
    let site = site(Settings::builder().tls(&cert, dir.join("key.pem")));
    let error = start_up_error(&site);
    assert!(
        error.starts_with(&format!(
            "TLS_CERT={:?} cannot be read: ",
            cert.display().to_string()
        )),
        "{error}"
    );
}

#[test]
fn a_key_that_is_not_the_certificates_is_a_start_up_error_naming_the_setting() {
    let dir = scratch("tls-mismatch");
    throwaway_pki(&dir);
    let other = dir.join("other.pem");
    let site = site(Settings::builder().tls(dir.join("cert.pem"), &other));
    let error = start_up_error(&site);
    assert!(
        error.starts_with(&format!(
            "TLS_KEY={:?} is not the private key of the certificate in TLS_CERT: ",
            other.display().to_string()
        )),
        "{error}"
    );
    // A file with no PEM key in it.
    let site = site_with_key(&dir, "cert.pem");
    let error = start_up_error(&site);
    assert!(error.contains("holds no PEM private key"), "{error}");
}

fn site_with_key(dir: &Path, key: &str) -> Site {
    site(Settings::builder().tls(dir.join("cert.pem"), dir.join(key)))
}

/// What curl got: HTTP version, status, headers (lowercase, sorted, without those that
/// differ by transport or time) and body.
#[derive(Debug, PartialEq, Eq)]
struct Answer {
    status: String,
    headers: Vec<String>,
    body: Vec<u8>,
}

fn curl(dir: &Path, args: &[&str], url: &str) -> (String, Answer) {
    let headers = dir.join("headers");
    let output = run(Command::new("curl")
        .args(["-sS", "--max-time", "20", "-o", "-", "-D"])
        .arg(&headers)
        .args(["-w", "%{stderr}%{http_version} %{http_code}"])
        .args(args)
        .arg(url));
    let written = String::from_utf8(output.stderr).unwrap();
    let (version, status) = written.trim().rsplit_once(' ').unwrap();
    let mut lines: Vec<String> = std::fs::read_to_string(&headers)
        .unwrap()
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            format!("{}: {}", name.to_ascii_lowercase(), value.trim())
        })
        // Date ticks; the others are connection-specific, which HTTP/2 forbids. An empty
        // HTTP/2 answer ends with its HEADERS frame and has no `content-length: 0`.
        .filter(|line| {
            line != "content-length: 0"
                && !["date:", "connection:", "keep-alive:", "transfer-encoding:"]
                    .iter()
                    .any(|name| line.starts_with(name))
        })
        .collect();
    lines.sort();
    let answer = Answer {
        status: status.to_owned(),
        headers: lines,
        body: output.stdout,
    };
    (version.to_owned(), answer)
}

#[test]
#[ignore = "needs the openssl and curl command lines (scripts/test-all.sh installs them)"]
fn https_answers_as_cleartext_does_over_h2_and_http_1_1() {
    let dir = scratch("tls-curl");
    throwaway_pki(&dir);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let start = |site: Site| {
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = listener.local_addr().unwrap().port();
            tokio::spawn(async move { site.serve(listener, app()).await });
            port
        })
    };
    let clear = start(site(Settings::builder()));
    let tls = start(site(
        Settings::builder().tls(dir.join("cert.pem"), dir.join("key.pem")),
    ));
    let resolve = format!("localhost:{tls}:127.0.0.1");
    let ca = dir.join("ca.pem");
    let ca = ca.to_str().unwrap();
    let css = assets::MANIFEST.get("css/styles.css").unwrap().url();
    for path in [css, "/", "/static/css/styles.css", "/no-such-page"] {
        let (_, expected) = curl(
            &dir,
            &["--http1.1"],
            &format!("http://127.0.0.1:{clear}{path}"),
        );
        let url = format!("https://localhost:{tls}{path}");
        for (args, version) in [
            (["--http2", "--cacert", ca, "--resolve", &resolve], "2"),
            (["--http1.1", "--cacert", ca, "--resolve", &resolve], "1.1"),
            // No ALPN at all: HTTP/1.1.
            (["--no-alpn", "--cacert", ca, "--resolve", &resolve], "1.1"),
        ] {
            let (got_version, answer) = curl(&dir, &args, &url);
            assert_eq!(got_version, version, "{path} with {args:?}");
            assert_eq!(answer, expected, "{path} with {args:?}");
        }
    }
    assert!(
        !curl(&dir, &["--http1.1"], &format!("http://127.0.0.1:{clear}/"))
            .1
            .body
            .is_empty()
    );
}
