//! Deltas between releases (RFC 9842) in a real browser and through real proxies: a
//! returning Chromium visitor that loaded release v1 gets v2's script and stylesheet as
//! `dcb` or `dcz` deltas against the v1 files it kept as dictionaries, with SRI on, from
//! the demo binary itself (over cleartext HTTP/1.1, and over HTTPS with HTTP/2 from its
//! own TLS) and from nginx serving the collected release folder; a browser whose
//! dictionary the new release no longer holds gets `br`; and a caching nginx in front of
//! the binary never serves one client's delta to another.
//!
//! v1, v2 (a changed script and stylesheet; it embeds v1 with `previous = "releases"`)
//! and v3 (it embeds only v2) are built once for the whole binary. Each browser test
//! keeps one Chromium profile across its page loads (`e2e/deltas.mjs`), and one origin:
//! the next release starts on the port of the one it replaces.
//!
//! Needs nginx, node, openssl and Chromium with the e2e packages (`npm ci --prefix e2e`), so it is
//! `#[ignore]`d in a plain `cargo test`; `scripts/test-all.sh` runs it with `--ignored`,
//! and then a missing tool fails it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod support;

use hyper_assets_tests::cargo_project::{target_dir, workspace_root, CargoProject};
use hyper_assets_tests::{raw_request, RawResponse};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};
use support::{build_release, collect_with, free_addr, htmx_file, start_listening, start_nginx};
use support::{nginx_binary, Running};

/// The smallest saving a delta must show on the wire: its body under a quarter of `br`.
const MAX_SHARE_OF_BR: f64 = 0.25;

/// v1; v2, which embeds v1; v3, which embeds only v2 (v1 pruned). Built once, on first use.
fn release(n: usize) -> &'static CargoProject {
    static V1: OnceLock<CargoProject> = OnceLock::new();
    static V2: OnceLock<CargoProject> = OnceLock::new();
    static V3: OnceLock<CargoProject> = OnceLock::new();
    let build = |name: &str, release: &str, previous: Option<&CargoProject>| {
        let previous = previous.map(CargoProject::binary);
        build_release(name, release, previous.as_deref(), add_bundle)
    };
    match n {
        1 => V1.get_or_init(|| build("demo-deltas-v1", "v1", None)),
        2 => V2.get_or_init(|| build("demo-deltas-v2", "v2", Some(release(1)))),
        3 => V3.get_or_init(|| build("demo-deltas-v3", "v3", Some(release(2)))),
        _ => unreachable!("no release v{n}"),
    }
}

/// Gives the demo's script and stylesheet the size of a real app's (its own are a few
/// hundred bytes, too small to compress): the same code and rules in every release, as
/// a bundle's library part stays between two deploys, text that Brotli does not shrink
/// to nothing (names and numbers from a fixed pseudo-random sequence).
fn add_bundle(project: &CargoProject) {
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    const WORDS: [&str; 16] = [
        "render", "parse", "token", "cache", "event", "queue", "frame", "state", "route", "fetch",
        "store", "patch", "merge", "child", "slot", "node",
    ];
    let mut js = String::from("\n// The library part of the bundle: the same in every release.\n");
    for i in 0..400 {
        let (a, b, c) = (
            WORDS[next(16) as usize],
            WORDS[next(16) as usize],
            next(100_000),
        );
        js.push_str(&format!(
            "function {a}_{b}_{i}(x) {{ return x === undefined ? {c} : \"{b}-{a}-\" + (x * {}); }}\n",
            next(997)
        ));
    }
    let mut css =
        String::from("\n/* The library part of the stylesheet: the same in every release. */\n");
    for i in 0..300 {
        css.push_str(&format!(
            ".{}-{}-{i} {{ margin: {}px {}px; color: #{:06x}; }}\n",
            WORDS[next(16) as usize],
            WORDS[next(16) as usize],
            next(40),
            next(40),
            next(0x100_0000)
        ));
    }
    for (file, bundle) in [("static/js/app.js", js), ("static/css/styles.css", css)] {
        let text = project.read(file);
        project.write(file, text + &bundle);
    }
}

/// One browser test at a time: a dictionary is stored a moment after its page loads,
/// and two Chromiums and a build on two cores make that moment long.
fn one_browser_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A fresh folder below the target folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = target_dir().join("deltas-e2e").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The `hyper-assets` command line of this test's profile, built now (cargo does not build
/// another package's binary for this package's tests; a no-op when it is fresh).
fn cli_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // <target>/<profile>/deps/<test binary>
    let profile_dir = exe.ancestors().nth(2).unwrap().to_path_buf();
    let mut build = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    build
        .args(["build", "-p", "hyper-assets-cli", "--bin", "hyper-assets"])
        .current_dir(workspace_root())
        .env("CARGO_TARGET_DIR", target_dir());
    if profile_dir
        .file_name()
        .is_some_and(|name| name == "release")
    {
        build.arg("--release");
    }
    let status = build.status().unwrap();
    assert!(
        status.success(),
        "cargo build -p hyper-assets-cli failed: {status}"
    );
    profile_dir.join(format!("hyper-assets{}", std::env::consts::EXE_SUFFIX))
}

/// nginx on `listen`: pages to the instance at `pages`, `/static/` from the release
/// folder `folder` with the `location` that `hyper-assets nginx-config --static-root`
/// prints for it.
fn nginx_for_folder(dir: &Path, folder: &Path, listen: SocketAddr, pages: SocketAddr) -> Running {
    let output = Command::new(cli_binary())
        .args(["nginx-config", "--static-root"])
        .arg(folder)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "hyper-assets nginx-config --static-root: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let location = String::from_utf8(output.stdout).unwrap();
    let config = format!(
        "server {{\n  listen {listen};\n  location / {{ proxy_pass http://{pages}; }}\n{location}}}\n"
    );
    start_nginx(dir, &config, listen)
}

/// The demo `binary` serving on `addr`, as in production (no dev mode).
fn serve(binary: &Path, addr: SocketAddr) -> Running {
    start_listening(
        demo(binary, addr),
        addr,
        &binary.display().to_string(),
        false,
    )
}

/// The demo `binary` serving HTTPS on `addr` with its own TLS (`TLS_CERT`, `TLS_KEY`).
fn serve_https(binary: &Path, addr: SocketAddr, certificate: &Certificate) -> Running {
    let mut command = demo(binary, addr);
    command
        .env("TLS_CERT", &certificate.cert)
        .env("TLS_KEY", &certificate.key);
    start_listening(command, addr, &binary.display().to_string(), false)
}

fn demo(binary: &Path, addr: SocketAddr) -> Command {
    let mut command = Command::new(binary);
    command
        .env_clear()
        .env("STATIC_DEV_MODE", "false")
        .env("ADDR", addr.to_string())
        .env("HTMX_FILE", htmx_file());
    command
}

/// A throwaway certificate for `localhost`, signed by a throwaway CA.
struct Certificate {
    cert: PathBuf,
    key: PathBuf,
    /// The base64 SHA-256 of its public key: what Chromium is told to accept.
    spki: String,
}

/// Makes a [`Certificate`] in `dir` with `e2e/certificate.mjs` (the `openssl` command
/// line), the maker of the browser tests' one.
fn certificate(dir: &Path) -> Certificate {
    let output = Command::new("node")
        .arg(workspace_root().join("e2e/certificate.mjs"))
        .arg(dir)
        .output()
        .unwrap_or_else(|e| panic!("node is not installed (Debian package nodejs): {e}"));
    assert!(
        output.status.success(),
        "e2e/certificate.mjs: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let made: Value = serde_json::from_slice(&output.stdout).unwrap();
    let path = |name: &str| PathBuf::from(made[name].as_str().unwrap());
    Certificate {
        cert: path("cert"),
        key: path("key"),
        spki: made["spki"].as_str().unwrap().to_owned(),
    }
}

/// `GET path` with `headers`, on a new connection.
fn get(addr: SocketAddr, path: &str, headers: &[&str]) -> RawResponse {
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for header in headers {
        request.push_str(header);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    raw_request(addr, request.as_bytes())
}

/// The SHA-256 of `bytes` (coreutils' `sha256sum`: the demo's tests have no hash crate).
fn sha256(bytes: &[u8]) -> Vec<u8> {
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sha256sum (coreutils)");
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let output = child.wait_with_output().unwrap();
    let hex = String::from_utf8(output.stdout).unwrap();
    (0..32)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// The `Available-Dictionary` value of a file: its SHA-256, in base64, between colons.
fn available_dictionary(bytes: &[u8]) -> String {
    format!(":{}:", base64(&sha256(bytes)))
}

/// Whether `body` is framed as RFC 9842 says for `encoding`, against the dictionary
/// whose SHA-256 is `dictionary`: the coding's magic number, then that hash.
fn framed_against(encoding: &str, body: &[u8], dictionary: &[u8]) -> bool {
    let magic: &[u8] = match encoding {
        "dcb" => &[0xFF, 0x44, 0x43, 0x42],
        "dcz" => &[0x5E, 0x2A, 0x4D, 0x18, 0x20, 0x00, 0x00, 0x00],
        _ => return false,
    };
    body.starts_with(magic) && body[magic.len()..].starts_with(dictionary)
}

/// Standard base64, padded (RFC 4648 §4), as structured fields' byte sequences use.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The hashed URLs of the demo page's script and stylesheet, as `addr` renders it.
fn page_files(addr: SocketAddr) -> [String; 2] {
    let page = get(addr, "/", &[]);
    assert_eq!(page.status, 200, "{page:?}");
    let html = String::from_utf8(page.body).unwrap();
    ["/static/js/app.", "/static/css/styles."].map(|start| {
        let at = html
            .find(start)
            .unwrap_or_else(|| panic!("no {start} in {html}"));
        html[at..at + html[at..].find('"').unwrap()].to_owned()
    })
}

/// A file's bytes as they are (no `Accept-Encoding`).
fn identity(addr: SocketAddr, path: &str) -> Vec<u8> {
    let response = get(addr, path, &[]);
    assert_eq!(response.status, 200, "{path}: {response:?}");
    assert_eq!(response.header("content-encoding"), None, "{path}");
    response.body
}

/// The size of a file's `br` answer: what a browser without a dictionary downloads.
fn br_size(addr: SocketAddr, path: &str) -> usize {
    let response = get(addr, path, &["Accept-Encoding: br"]);
    assert_eq!(response.status, 200, "{path}: {response:?}");
    assert_eq!(response.header("content-encoding"), Some("br"), "{path}");
    response.body.len()
}

/// `e2e/deltas.mjs` on one persistent Chromium profile: one page load per [`Browser::load`].
struct Browser {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    log: PathBuf,
}

impl Browser {
    /// A browser on a fresh profile in `dir`; with `spki`, one that accepts the
    /// certificate whose public key has that hash.
    fn open(dir: &Path, spki: Option<&str>) -> Self {
        let profile = dir.join("profile");
        let log = dir.join("browser.log");
        let mut child = Command::new("node")
            .arg(workspace_root().join("e2e/deltas.mjs"))
            .arg(&profile)
            .args(spki)
            .current_dir(workspace_root().join("e2e"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("node is not installed (Debian package nodejs): {e}"));
        Self {
            stdin: child.stdin.take(),
            stdout: BufReader::new(child.stdout.take().unwrap()),
            child,
            log,
        }
    }

    /// Loads `url` in a new tab of the profile and returns the page's report.
    fn load(&mut self, url: &str) -> Value {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{}", json!({ "url": url })).unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        assert!(
            !line.is_empty(),
            "the browser ended while loading {url}:\n{}",
            std::fs::read_to_string(&self.log).unwrap_or_default()
        );
        serde_json::from_str(&line).unwrap()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // End of input closes the browser; a browser that does not close is stopped.
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The report's `/static/` response for `path`.
fn response<'a>(page: &'a Value, path: &str) -> &'a Value {
    page["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == path)
        .unwrap_or_else(|| panic!("the page never fetched {path}: {page:#}"))
}

/// The page runs `release`: its stylesheet and script are that release's, both ran, and
/// nothing failed its integrity check.
fn assert_coherent(page: &Value, release: &str) {
    let state = &page["state"];
    assert_eq!(state["css"], release, "stylesheet release: {page:#}");
    assert_eq!(state["js"], release, "script release: {page:#}");
    assert_eq!(state["scriptRan"], true, "{page:#}");
    assert_eq!(state["sheets"], true, "{page:#}");
    assert_eq!(page["integrityErrors"], json!([]), "SRI: {page:#}");
    for resource in page["resources"].as_array().unwrap() {
        assert_eq!(resource["failed"], Value::Null, "{resource}");
    }
}

/// The first visit: a fresh profile offers no dictionary, gets `encoding`, and is told to
/// keep the script and the stylesheet as dictionaries.
fn assert_first_visit(what: &str, page: &Value, files: &[String; 2], encoding: &str) {
    for path in files {
        let r = response(page, path);
        eprintln!(
            "deltas {what}: first visit: {path}: {} {} B body on the wire ({} B with headers)",
            r["contentEncoding"].as_str().unwrap_or("identity"),
            r["bodyBytes"],
            r["encodedDataLength"]
        );
        assert_eq!(
            r["availableDictionary"],
            Value::Null,
            "a fresh profile: {r}"
        );
        assert_eq!(r["contentEncoding"], encoding, "{r}");
        assert!(r["useAsDictionary"].is_string(), "{r}");
    }
}

/// The return after a deploy: each of `files` came as a delta against `old` (the same
/// file of the release the browser saw before), at under a quarter of its `br` size,
/// from `origin` (the instance holding the new release). Prints the bytes on the wire.
fn assert_deltas(
    what: &str,
    page: &Value,
    files: &[String; 2],
    old: &[Vec<u8>],
    origin: SocketAddr,
) {
    for (path, old) in files.iter().zip(old) {
        let r = response(page, path);
        assert_eq!(
            r["availableDictionary"],
            available_dictionary(old),
            "the browser offers the old file: {r}"
        );
        let encoding = r["contentEncoding"].as_str().unwrap_or_default();
        assert!(encoding == "dcb" || encoding == "dcz", "a delta: {r}");
        assert_eq!(r["fromCache"], false, "{r}");
        let body = r["bodyBytes"].as_u64().unwrap();
        let br = br_size(origin, path) as u64;
        let share = body as f64 / br as f64;
        eprintln!(
            "deltas {what}: {path}: {encoding} {body} B body on the wire ({} B with headers), \
             br {br} B: {:.1}% of br",
            r["encodedDataLength"],
            100.0 * share
        );
        assert!(
            share < MAX_SHARE_OF_BR,
            "{what}: {path}: {body} B of br {br} B: {r}"
        );
        // Over HTTP/2 DevTools counts the DATA that came with the HEADERS as header
        // bytes, so the body can read short: there the whole response, headers and all,
        // must be under the bar too.
        if r["protocol"] == "h2" {
            let whole = r["encodedDataLength"].as_u64().unwrap();
            assert!(
                (whole as f64 / br as f64) < MAX_SHARE_OF_BR,
                "{what}: {path}: {whole} B with headers, of br {br} B: {r}"
            );
        }
    }
}

#[test]
#[ignore = "needs node and Chromium; run by scripts/test-all.sh"]
fn a_returning_browser_gets_the_new_script_and_stylesheet_as_deltas_from_the_binary() {
    let (v1, v2) = (release(1), release(2));
    let _browser_turn = one_browser_at_a_time();
    let dir = scratch("one-stack");
    let addr = free_addr();
    let url = format!("http://localhost:{}/", addr.port());
    let mut browser = Browser::open(&dir, None);

    let instance = serve(&v1.binary(), addr);
    let old_files = page_files(addr);
    let old: Vec<Vec<u8>> = old_files.iter().map(|p| identity(addr, p)).collect();
    let page = browser.load(&url);
    assert_coherent(&page, "v1");
    assert_first_visit("one stack", &page, &old_files, "br");

    // The deploy: v2 takes v1's place on the same origin.
    drop(instance);
    let _instance = serve(&v2.binary(), addr);
    let files = page_files(addr);
    assert_ne!(files, old_files, "v2 changes the script and the stylesheet");
    let page = browser.load(&url);
    assert_coherent(&page, "v2");
    assert_deltas("one stack", &page, &files, &old, addr);
}

/// The page and every `/static/` file it fetched came over `protocol`.
fn assert_protocol(page: &Value, protocol: &str) {
    assert_eq!(page["state"]["protocol"], protocol, "the page: {page:#}");
    for r in page["resources"].as_array().unwrap() {
        if r["fromCache"] == false {
            assert_eq!(r["protocol"], protocol, "{r}");
        }
    }
}

#[test]
#[ignore = "needs node, openssl and Chromium; run by scripts/test-all.sh"]
fn a_returning_browser_gets_the_deltas_over_https_and_http2_from_the_binary() {
    let (v1, v2) = (release(1), release(2));
    let _browser_turn = one_browser_at_a_time();
    let dir = scratch("one-stack-https");
    let certificate = certificate(&dir.join("tls"));
    let addr = free_addr();
    // `localhost`: over HTTPS, Chromium offers dictionaries only to localhost or to a
    // certificate from a publicly trusted CA, and this one is trusted by its SPKI hash.
    let url = format!("https://localhost:{}/", addr.port());
    let mut browser = Browser::open(&dir, Some(&certificate.spki));
    // The test reads the files from a cleartext twin of the instance (the same binary,
    // so the same release and bytes): it has no TLS client of its own.
    let twin = |binary: &Path| {
        let addr = free_addr();
        (serve(binary, addr), addr)
    };

    let instance = serve_https(&v1.binary(), addr, &certificate);
    let (v1_twin, v1_addr) = twin(&v1.binary());
    let old_files = page_files(v1_addr);
    let old: Vec<Vec<u8>> = old_files.iter().map(|p| identity(v1_addr, p)).collect();
    let page = browser.load(&url);
    assert_coherent(&page, "v1");
    assert_protocol(&page, "h2");
    assert_first_visit("https", &page, &old_files, "br");

    // The deploy: v2 takes v1's place on the same origin, with the same certificate.
    drop((instance, v1_twin));
    let _instance = serve_https(&v2.binary(), addr, &certificate);
    let (_v2_twin, v2_addr) = twin(&v2.binary());
    let files = page_files(v2_addr);
    assert_ne!(files, old_files, "v2 changes the script and the stylesheet");
    let page = browser.load(&url);
    assert_coherent(&page, "v2");
    assert_protocol(&page, "h2");
    assert_deltas("https", &page, &files, &old, v2_addr);
}

#[test]
#[ignore = "needs nginx, node and Chromium; run by scripts/test-all.sh"]
fn a_returning_browser_gets_the_new_script_and_stylesheet_as_deltas_from_nginx() {
    nginx_binary();
    let (v1, v2) = (release(1), release(2));
    let _browser_turn = one_browser_at_a_time();
    let dir = scratch("nginx");
    let folder = dir.join("static");
    let listen = free_addr();
    let url = format!("http://localhost:{}/", listen.port());
    let mut browser = Browser::open(&dir, None);

    // v1's release in the folder, its pages from a v1 instance.
    collect_with(&v1.binary(), &folder);
    let pages = free_addr();
    let instance = serve(&v1.binary(), pages);
    let nginx = nginx_for_folder(&dir.join("nginx-v1"), &folder, listen, pages);
    let old_files = page_files(listen);
    let old: Vec<Vec<u8>> = old_files.iter().map(|p| identity(listen, p)).collect();
    let page = browser.load(&url);
    assert_coherent(&page, "v1");
    // nginx without its brotli module sends the `.gz` siblings.
    assert_first_visit("nginx", &page, &old_files, "gzip");

    // The deploy recipe: collect v2 into the folder (its files, and its deltas from v1),
    // then v2's instance, then nginx's new configuration, on the same origin.
    drop(nginx);
    drop(instance);
    collect_with(&v2.binary(), &folder);
    let pages = free_addr();
    let _instance = serve(&v2.binary(), pages);
    let _nginx = nginx_for_folder(&dir.join("nginx-v2"), &folder, listen, pages);
    let files = page_files(listen);
    assert_ne!(files, old_files, "v2 changes the script and the stylesheet");
    let page = browser.load(&url);
    assert_coherent(&page, "v2");
    for path in &files {
        let server = response(&page, path)["server"].as_str().unwrap_or_default();
        assert!(
            server.starts_with("nginx"),
            "nginx sent {path} from the folder: {page:#}"
        );
    }
    assert_deltas("nginx", &page, &files, &old, pages);
}

#[test]
#[ignore = "needs node and Chromium; run by scripts/test-all.sh"]
fn a_browser_whose_dictionary_was_pruned_gets_br_and_a_coherent_page() {
    let (v1, v3) = (release(1), release(3));
    let _browser_turn = one_browser_at_a_time();
    let dir = scratch("pruned");
    let addr = free_addr();
    let url = format!("http://localhost:{}/", addr.port());
    let mut browser = Browser::open(&dir, None);

    let instance = serve(&v1.binary(), addr);
    let old_files = page_files(addr);
    let page = browser.load(&url);
    assert_coherent(&page, "v1");
    assert_first_visit("pruned", &page, &old_files, "br");

    // v3 holds v2's files and deltas from them, none of v1's.
    drop(instance);
    let _instance = serve(&v3.binary(), addr);
    for path in &old_files {
        let response = get(addr, path, &[]);
        assert_ne!(response.status, 200, "v3 holds no file of v1: {path}");
    }
    let page = browser.load(&url);
    assert_coherent(&page, "v3");
    for path in page_files(addr) {
        let r = response(&page, &path);
        assert!(
            r["availableDictionary"].is_string(),
            "the browser still offers v1's file: {r}"
        );
        assert_eq!(r["contentEncoding"], "br", "{r}");
        eprintln!(
            "deltas pruned: {path}: br {} B body on the wire",
            r["bodyBytes"]
        );
    }
}

#[test]
#[ignore = "needs nginx; run by scripts/test-all.sh"]
fn a_caching_proxy_never_serves_one_clients_delta_to_another() {
    nginx_binary();
    let v2 = release(2);
    let dir = scratch("proxy-cache");
    let origin = free_addr();
    let _instance = serve(&v2.binary(), origin);
    let listen = free_addr();
    let config = format!(
        "proxy_cache_path {cache} levels=1 keys_zone=assets:1m;\n\
         server {{\n  listen {listen};\n  location / {{\n    proxy_pass http://{origin};\n    \
         proxy_cache assets;\n    add_header X-Cache-Status $upstream_cache_status always;\n  }}\n}}\n",
        cache = dir.join("cache").display()
    );
    let _nginx = start_nginx(&dir.join("nginx"), &config, listen);

    // v1's script, which v2 still serves under its own name: the dictionary a returning
    // client holds.
    let v1 = release(1);
    let v1_addr = free_addr();
    let old_script = {
        let _v1 = serve(&v1.binary(), v1_addr);
        let [script, _] = page_files(v1_addr);
        identity(v1_addr, &script)
    };
    let [script, _] = page_files(origin);
    let all = "Accept-Encoding: gzip, deflate, br, zstd, dcb, dcz";
    let held = format!(
        "Available-Dictionary: {}",
        available_dictionary(&old_script)
    );
    let unknown = format!(
        "Available-Dictionary: {}",
        available_dictionary(b"not a release")
    );
    let plain = "Accept-Encoding: gzip, deflate, br, zstd";

    // Each client in turn, through the cache, beside the origin's own answer to it.
    let clients: [(&str, Vec<&str>, bool); 6] = [
        ("the returning client", vec![all, &held], true),
        ("a client with no dictionary", vec![all], false),
        (
            "a client with another dictionary",
            vec![all, &unknown],
            false,
        ),
        (
            "a client with v1's dictionary and no dcb/dcz",
            vec![plain, &held],
            false,
        ),
        ("a browser that offers no delta coding", vec![plain], false),
        ("the returning client again", vec![all, &held], true),
    ];
    let mut statuses = Vec::new();
    for (who, headers, delta) in &clients {
        let cached = get(listen, &script, headers);
        let direct = get(origin, &script, headers);
        assert_eq!(cached.status, 200, "{who}: {cached:?}");
        let encoding = cached.header("content-encoding").unwrap_or("identity");
        assert_eq!(
            encoding == "dcb" || encoding == "dcz",
            *delta,
            "{who} got {encoding}"
        );
        assert_eq!(
            cached.header("content-encoding"),
            direct.header("content-encoding"),
            "{who}: the cache's answer is the origin's"
        );
        assert!(
            cached.body == direct.body,
            "{who}: the cache's bytes are the origin's"
        );
        if *delta {
            assert!(
                framed_against(encoding, &cached.body, &sha256(&old_script)),
                "{who}: a delta against v1's script"
            );
        }
        assert_eq!(
            cached.header("vary"),
            Some("Accept-Encoding, Available-Dictionary"),
            "{who}"
        );
        let status = cached.header("x-cache-status").unwrap_or("none").to_owned();
        eprintln!(
            "deltas proxy cache: {who}: {encoding}, {} B, {status}",
            cached.body.len()
        );
        statuses.push(status);
    }
    // The cache is in play: the returning client's second answer came from it.
    assert_eq!(statuses[5], "HIT", "{statuses:?}");
    assert_eq!(statuses[0], "MISS", "{statuses:?}");
}
