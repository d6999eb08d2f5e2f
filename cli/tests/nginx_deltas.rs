//! The deltas `collect` writes, served by a real nginx with the `location` that
//! `nginx-config --static-root` prints, asked with curl: a delta for the dictionary the
//! folder has one from (decoded by the `zstd` command line for `dcz`), and today's
//! answer for no dictionary, an unknown one, garbage, `q=0`, a cross-origin request and
//! a range. `Use-As-Dictionary` and `Vary` as the binary sends them.
//!
//! Needs nginx, curl and zstd (Debian packages `nginx`, `curl`, `zstd`), so it is
//! `#[ignore]`d in a plain `cargo test`; `scripts/test-all.sh` runs it with `--ignored`,
//! and then a missing tool fails it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use hyper_assets_pipeline::{
    decode_delta, delta_file_name, dictionary_base64, use_as_dictionary, ContentHash,
    DeltaEncoding, ReleaseIndex,
};
use hyper_assets_tests::cargo_project::target_dir;
use hyper_assets_tests::processes::{free_addr, nginx_binary, start_nginx};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A command-line tool the test needs; panics (never skips) when it is missing.
fn tool(name: &str, package: &str) -> PathBuf {
    let found = Command::new(name).arg("--version").output();
    assert!(
        found.is_ok_and(|output| output.status.success()),
        "`{name}` is not installed (Debian package `{package}`); the nginx delta test needs it"
    );
    PathBuf::from(name)
}

fn cli(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_hyper-assets"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "hyper-assets {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// What curl got: the status, the headers (lowercase names) and the body as sent.
struct Answer {
    status: u16,
    headers: BTreeMap<String, Vec<String>>,
    body: Vec<u8>,
}

/// The status, headers and body length: a failing assertion shows no bytes.
impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {:?} ({} bytes)",
            self.status,
            self.headers,
            self.body.len()
        )
    }
}

impl Answer {
    fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).map(|values| values.join(", "))
    }

    fn encoding(&self) -> String {
        self.header("content-encoding")
            .unwrap_or_else(|| "identity".to_owned())
    }
}

/// `GET url` with `headers` through curl (no decoding: the body as nginx sent it).
fn curl(dir: &Path, url: &str, headers: &[&str]) -> Answer {
    let (head, body) = (dir.join("curl-headers"), dir.join("curl-body"));
    let mut command = Command::new("curl");
    command.args(["--silent", "--show-error", "--dump-header"]);
    command.arg(&head).arg("--output").arg(&body);
    for header in headers {
        command.args(["--header", header]);
    }
    let output = command.arg(url).output().unwrap();
    assert!(
        output.status.success(),
        "curl {url}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let head = std::fs::read_to_string(&head).unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let mut parsed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            parsed
                .entry(name.trim().to_ascii_lowercase())
                .or_default()
                .push(value.trim().to_owned());
        }
    }
    Answer {
        status,
        headers: parsed,
        body: std::fs::read(&body).unwrap(),
    }
}

/// A stylesheet of `rules` rules; `seed` changes one of them, `salt` adds a comment.
fn stylesheet(seed: usize, salt: usize) -> String {
    let mut text = format!("/* {salt} */\n");
    for rule in 0..1500 {
        let colour = if rule == 700 {
            seed
        } else {
            rule * 7919 % 0xff_ffff
        };
        text.push_str(&format!(
            ".rule-{rule} {{ color: #{colour:06x}; margin: {}px; }}\n",
            rule % 13
        ));
    }
    text
}

fn script(seed: usize) -> String {
    (0..1500)
        .map(|i| {
            let factor = if i == 700 { seed } else { i };
            format!(
                "export function f{i}(x) {{ return x * {factor} + {}; }}\n",
                i * 3
            )
        })
        .collect()
}

struct Site {
    dir: PathBuf,
    collected: PathBuf,
    proxy: SocketAddr,
}

impl Site {
    fn url(&self, hashed: &str) -> String {
        format!("http://{}/static/{hashed}", self.proxy)
    }

    fn get(&self, hashed: &str, headers: &[&str]) -> Answer {
        curl(&self.dir, &self.url(hashed), headers)
    }
}

const ALL: &str = "Accept-Encoding: gzip, deflate, br, zstd, dcb, dcz";

#[test]
#[ignore = "needs nginx, curl and zstd; run by scripts/test-all.sh"]
fn nginx_serves_the_collected_deltas_as_the_binary_would() {
    nginx_binary();
    tool("curl", "curl");
    let zstd = tool("zstd", "zstd");
    let dir = target_dir().join("cli-nginx-deltas");
    let _ = std::fs::remove_dir_all(&dir);
    let site = dir.join("site");
    for folder in ["css", "js", "img", "data"] {
        std::fs::create_dir_all(site.join(folder)).unwrap();
    }
    // v1's stylesheet is salted until the base64 of its SHA-256 holds a `/`, so one
    // delta lives in a sub-folder, as a `/` of base64 makes one.
    let salt = (0..)
        .find(|&salt| {
            dictionary_base64(&ContentHash::of(stylesheet(1, salt).as_bytes())).contains('/')
        })
        .unwrap();
    let write = |release: usize, css_salt: usize| {
        std::fs::write(site.join("css/app.css"), stylesheet(release, css_salt)).unwrap();
        std::fs::write(site.join("js/app.js"), script(release)).unwrap();
        // A URL-pattern special character: nginx leaves Use-As-Dictionary out.
        std::fs::write(site.join("css/a+b.css"), stylesheet(release + 10, 0)).unwrap();
        std::fs::write(site.join("img/logo.png"), format!("png {release}")).unwrap();
        // Fetched data: a dictionary with no match-dest.
        std::fs::write(
            site.join("data/app.json"),
            format!("{{\"release\": {release}}}"),
        )
        .unwrap();
    };
    let collected = dir.join("static");
    let folder = collected.to_str().unwrap();
    let static_dir = site.to_str().unwrap();
    write(1, salt);
    let v1 = std::fs::read(site.join("css/app.css")).unwrap();
    let v1_js = std::fs::read(site.join("js/app.js")).unwrap();
    cli(&["collect", folder, "--static", static_dir]);
    write(2, 0);
    let printed = cli(&["collect", folder, "--static", static_dir]);
    assert!(printed.contains(" 6 deltas, "), "{printed}");
    let index = ReleaseIndex::read(&collected).unwrap();
    let newest = &index.releases()[0];
    let hashed = |canonical: &str| {
        newest
            .files
            .iter()
            .find(|name| hyper_assets_pipeline::split_hashed_name(name).unwrap().0 == canonical)
            .unwrap()
            .clone()
    };
    let (css, js, png, plus, json) = (
        hashed("css/app.css"),
        hashed("js/app.js"),
        hashed("img/logo.png"),
        hashed("css/a+b.css"),
        hashed("data/app.json"),
    );
    let v2 = std::fs::read(collected.join(&css)).unwrap();
    let v1_hash = ContentHash::of(&v1);
    assert!(newest
        .deltas
        .contains(&delta_file_name(&css, &v1_hash, DeltaEncoding::Dcz)));
    assert!(
        delta_file_name(&css, &v1_hash, DeltaEncoding::Dcz)
            .trim_start_matches(&format!("{css}.dcz/"))
            .contains('/'),
        "a delta in a sub-folder"
    );

    let location = cli(&["nginx-config", "--static-root", folder]);
    let proxy = free_addr();
    // `gzip on` at the http level too, as many configs have: never over a delta.
    let http = format!(
        "gzip on;\ngzip_types text/css text/javascript;\nserver {{\n  listen {proxy};\n{location}}}\n"
    );
    let _nginx = start_nginx(&dir.join("nginx"), &http, proxy);
    let served = Site {
        dir: dir.clone(),
        collected: collected.clone(),
        proxy,
    };

    // The right dictionary: a dcz delta, decoded by the zstd command line.
    let named = format!("Available-Dictionary: :{}:", dictionary_base64(&v1_hash));
    let delta = served.get(&css, &[ALL, &named, "Sec-Fetch-Site: same-origin"]);
    assert_eq!(
        (delta.status, delta.encoding()),
        (200, "dcz".to_owned()),
        "{delta:?}"
    );
    assert_eq!(
        delta.header("content-type").as_deref(),
        Some("text/css; charset=utf-8")
    );
    assert_eq!(
        delta.header("cache-control").as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(
        delta.header("vary").as_deref(),
        Some("Accept-Encoding, Available-Dictionary")
    );
    assert_eq!(
        delta.header("use-as-dictionary"),
        use_as_dictionary(&format!("/static/{css}"), "text/css; charset=utf-8")
    );
    assert_eq!(
        delta.body,
        std::fs::read(
            served
                .collected
                .join(delta_file_name(&css, &v1_hash, DeltaEncoding::Dcz))
        )
        .unwrap()
    );
    assert_eq!(&delta.body[..8], DeltaEncoding::Dcz.magic());
    assert_eq!(&delta.body[8..40], v1_hash.as_bytes());
    let frame = dir.join("delta.zst");
    std::fs::write(&frame, &delta.body[40..]).unwrap();
    let old = dir.join("v1.css");
    std::fs::write(&old, &v1).unwrap();
    let decoded = Command::new(&zstd)
        .args(["--quiet", "--decompress", "--stdout", "-D"])
        .arg(&old)
        .arg(&frame)
        .output()
        .unwrap();
    assert!(
        decoded.status.success(),
        "{}",
        String::from_utf8_lossy(&decoded.stderr)
    );
    assert!(decoded.stdout == v2, "zstd -d -D v1 gives v2");
    let file = served.get(&css, &[]);
    assert_ne!(
        delta.header("etag"),
        file.header("etag"),
        "a delta has its own ETag"
    );

    // Its ETag revalidates it: a 304 that keeps the headers of a delta.
    let etag = delta.header("etag").unwrap();
    let if_none_match = format!("If-None-Match: {etag}");
    let revalidated = served.get(&css, &[ALL, &named, &if_none_match]);
    assert_eq!(revalidated.status, 304);
    assert_eq!(
        revalidated.header("vary").as_deref(),
        Some("Accept-Encoding, Available-Dictionary")
    );

    // dcz refused: dcb, decoded by the brotli crate's decoder.
    let dcb = served.get(&css, &["Accept-Encoding: gzip, dcb;q=0.5, dcz;q=0", &named]);
    assert_eq!(dcb.encoding(), "dcb", "{dcb:?}");
    assert_eq!(
        decode_delta(&v1, &dcb.body, DeltaEncoding::Dcb, v2.len()).unwrap(),
        v2
    );

    // The script's delta too (another extension, another type, match-dest script).
    let js_named = format!(
        "Available-Dictionary: :{}:",
        dictionary_base64(&ContentHash::of(&v1_js))
    );
    let js_delta = served.get(&js, &[ALL, &js_named]);
    assert_eq!(js_delta.encoding(), "dcz", "{js_delta:?}");
    assert_eq!(
        js_delta.header("content-type").as_deref(),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(
        decode_delta(&v1_js, &js_delta.body, DeltaEncoding::Dcz, 1 << 20).unwrap(),
        std::fs::read(collected.join(&js)).unwrap()
    );
    assert_eq!(
        js_delta.header("use-as-dictionary"),
        use_as_dictionary(&format!("/static/{js}"), "text/javascript; charset=utf-8")
    );

    // Today's answer, with the same Vary, for everything else.
    let unknown = format!(
        "Available-Dictionary: :{}:",
        dictionary_base64(&ContentHash::of(b"no release has this"))
    );
    // nginx itself refuses a header line over its 8 KB buffers (400) before the config
    // sees it: a long value under that.
    let huge = format!("Available-Dictionary: {}", "x".repeat(6_000));
    let truncated = format!(
        "Available-Dictionary: :{}:",
        &dictionary_base64(&v1_hash)[..40]
    );
    let cases: [(&str, Vec<&str>); 11] = [
        ("no dictionary", vec![ALL]),
        ("an unknown dictionary", vec![ALL, &unknown]),
        ("garbage", vec![ALL, "Available-Dictionary: garbage"]),
        ("a 6 KB value", vec![ALL, &huge]),
        ("a truncated value", vec![ALL, &truncated]),
        (
            "two values in one",
            vec![ALL, "Available-Dictionary: :a:, :b:"],
        ),
        (
            "dcz;q=0, dcb;q=0",
            vec!["Accept-Encoding: gzip, dcz;q=0, dcb;q=0.000", &named],
        ),
        ("no delta coding", vec!["Accept-Encoding: gzip, br", &named]),
        (
            "cross-site",
            vec![ALL, &named, "Sec-Fetch-Site: cross-site"],
        ),
        ("same-site", vec![ALL, &named, "Sec-Fetch-Site: Same-Site"]),
        ("a range", vec![ALL, &named, "Range: bytes=0-9"]),
    ];
    for (what, headers) in &cases {
        let answer = served.get(&css, headers);
        assert_eq!(answer.status, 200, "{what}");
        assert_eq!(answer.encoding(), "gzip", "{what}: {answer:?}");
        assert_eq!(
            answer.header("vary").as_deref(),
            Some("Accept-Encoding, Available-Dictionary"),
            "{what}"
        );
        assert_eq!(
            answer.header("use-as-dictionary"),
            use_as_dictionary(&format!("/static/{css}"), "text/css"),
            "{what}"
        );
    }
    // A range where only the identity bytes or a delta are accepted: the bytes asked.
    let range = served.get(&css, &["Accept-Encoding: dcz", &named, "Range: bytes=0-9"]);
    assert_eq!(range.status, 206, "{range:?}");
    assert!(range.body == v2[..10], "the first 10 bytes");

    // No dictionary offered nor delta sent: the canonical name, a hashed image, and a
    // URL with a URL-pattern special character (nginx leaves that one out rather than
    // escape it).
    let canonical = curl(
        &dir,
        &format!("http://{proxy}/static/css/app.css"),
        &[ALL, &named],
    );
    assert_eq!(canonical.encoding(), "gzip");
    assert_eq!(canonical.header("use-as-dictionary"), None);
    assert_eq!(canonical.header("vary").as_deref(), Some("Accept-Encoding"));
    assert_eq!(
        canonical.header("cache-control").as_deref(),
        Some("no-cache")
    );
    let image = served.get(&png, &[ALL, &named]);
    assert_eq!(
        (image.status, image.encoding()),
        (200, "identity".to_owned())
    );
    assert_eq!(image.header("use-as-dictionary"), None);
    assert_eq!(image.header("vary"), None);
    let data = served.get(&json, &[ALL]);
    assert_eq!(data.status, 200);
    assert_eq!(
        data.header("use-as-dictionary"),
        use_as_dictionary(&format!("/static/{json}"), "application/json")
    );
    assert!(data
        .header("use-as-dictionary")
        .is_some_and(|value| !value.contains("match-dest")));
    let special = served.get(&plus, &[ALL]);
    assert_eq!(special.status, 200);
    assert_eq!(special.header("use-as-dictionary"), None);
    assert_eq!(
        special.header("vary").as_deref(),
        Some("Accept-Encoding, Available-Dictionary")
    );
    // The internal locations answer no one directly.
    let direct = curl(
        &dir,
        &format!(
            "http://{proxy}/static/.hyper-assets-dcz/{}",
            delta_file_name(&css, &v1_hash, DeltaEncoding::Dcz)
        ),
        &[],
    );
    assert_eq!(direct.status, 404);
    // A hash no release has: the uncacheable 404, delta asked or not.
    let missing = served.get("css/app.000000000000.css", &[ALL, &named]);
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("cache-control").as_deref(), Some("no-store"));
}
