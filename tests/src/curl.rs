//! The real `curl` as an HTTP client: one request, its answer as a [`RawResponse`] (the
//! header block as `-D` wrote it, the body's bytes as they came, never decompressed) and
//! the HTTP version it spoke.

use crate::{parse_head, RawResponse};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// How curl reaches the server: the transport and, over TLS, the CA it trusts.
#[derive(Debug, Clone)]
pub enum Transport {
    /// `http://127.0.0.1:<port>`, HTTP/1.1.
    Cleartext,
    /// `https://localhost:<port>` (resolved to 127.0.0.1), trusting this CA, with the
    /// ALPN this gives.
    Tls {
        /// The CA certificate (`--cacert`).
        ca: PathBuf,
        /// What the client offers by ALPN.
        alpn: Alpn,
    },
}

/// What a TLS client offers by ALPN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alpn {
    /// `h2` and `http/1.1` (`--http2`): HTTP/2 when the server takes it.
    H2,
    /// `http/1.1` only (`--http1.1`).
    Http11,
    /// No ALPN extension at all (`--no-alpn`): HTTP/1.1.
    None,
}

/// One answer curl got.
#[derive(Debug)]
pub struct CurlAnswer {
    /// The HTTP version of the answer (`1.1` or `2`), from curl's `%{http_version}`.
    pub version: String,
    /// Status, headers (names lowercased, in order) and body.
    pub response: RawResponse,
    /// How long curl took, from start to exit.
    pub elapsed: Duration,
}

/// Sends `method path` with extra `headers` (`"Name: value"`) through `transport` to
/// the server on `port`, keeping the files of the exchange in `dir`. The path is sent as
/// written (`--path-as-is`). Panics if curl fails.
pub fn request(
    dir: &Path,
    transport: &Transport,
    port: u16,
    method: &str,
    path: &str,
    headers: &[String],
) -> CurlAnswer {
    std::fs::create_dir_all(dir).unwrap();
    let (head_file, body_file) = (dir.join("head"), dir.join("body"));
    let mut command = Command::new("curl");
    command
        .args(["-sS", "--path-as-is", "--max-time", "20", "-D"])
        .arg(&head_file)
        .arg("-o")
        .arg(&body_file)
        .args(["-w", "%{http_version}"]);
    match method {
        "GET" => {}
        // `-X HEAD` would wait for the body the length announces.
        "HEAD" => {
            command.arg("--head");
        }
        other => {
            command.args(["-X", other]);
        }
    }
    for header in headers {
        command.arg("-H").arg(header);
    }
    let url = match transport {
        Transport::Cleartext => {
            command.arg("--http1.1");
            format!("http://127.0.0.1:{port}{path}")
        }
        Transport::Tls { ca, alpn } => {
            command
                .arg(match alpn {
                    Alpn::H2 => "--http2",
                    Alpn::Http11 => "--http1.1",
                    Alpn::None => "--no-alpn",
                })
                .arg("--cacert")
                .arg(ca)
                .arg("--resolve")
                .arg(format!("localhost:{port}:127.0.0.1"));
            format!("https://localhost:{port}{path}")
        }
    };
    let _ = std::fs::remove_file(&body_file);
    let started = Instant::now();
    let output = command
        .arg(&url)
        .output()
        .unwrap_or_else(|error| panic!("curl cannot run ({error}); install it"));
    let elapsed = started.elapsed();
    assert!(
        output.status.success(),
        "curl {method} {url} {headers:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let version = String::from_utf8(output.stdout).unwrap();
    let head = std::fs::read_to_string(&head_file).unwrap();
    let (status, headers) = parse_head(head.lines().filter(|line| !line.trim().is_empty()));
    // With `--head` curl writes the header block to `-o` as well: a HEAD has no body.
    let body = if method == "HEAD" {
        Vec::new()
    } else {
        std::fs::read(&body_file).unwrap_or_default()
    };
    CurlAnswer {
        version,
        response: RawResponse {
            status,
            headers,
            body,
        },
        elapsed,
    }
}
