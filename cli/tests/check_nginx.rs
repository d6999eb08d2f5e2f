//! `hyper-assets check` through a real nginx: the config `nginx-config --static-root`
//! prints for the folder `collect` wrote (two releases, deltas between them) passes every
//! rule, and one planted fault per rule, each in its own nginx config, fails exactly that
//! rule (and only the ones that fault cannot help breaking too).
//!
//! Needs nginx (Debian package `nginx`), so it is `#[ignore]`d in a plain `cargo test`;
//! `scripts/test-all.sh` runs it with `--ignored`, and then a missing nginx fails it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod demo_server;

use demo_server::start_demo;
use hyper_assets_cli::check::{check, CheckOptions, Outcome, Report, Rule};
use hyper_assets_cli::http_url::HttpUrl;
use hyper_assets_tests::cargo_project::{target_dir, workspace_root};
use hyper_assets_tests::processes::{free_addr, nginx_binary, start_nginx};
use hyper_assets_tests::scratch::copy_folder;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The hashed names' header in the generated config, without `always`.
const IMMUTABLE_HEADER: &str = "add_header Cache-Control \"public, max-age=31536000, immutable\";";
/// The 404 header of the generated `@hyper_assets_missing` location.
const MISSING_HEADER: &str = "add_header Cache-Control \"no-store\" always;";

/// `Vary` in the generated config: every answer of a URL that can carry a delta.
const VARY_HEADER: &str = "add_header Vary \"Accept-Encoding, Available-Dictionary\";";

/// `text` with its one `from` replaced: a generated config that no longer has `from`
/// fails the test instead of planting nothing.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    replace_all(text, from, to, 1)
}

/// `text` with its `count` occurrences of `from` replaced.
fn replace_all(text: &str, from: &str, to: &str, count: usize) -> String {
    assert_eq!(
        text.matches(from).count(),
        count,
        "{from:?} {count}x in:\n{text}"
    );
    text.replace(from, to)
}

/// Runs the `hyper-assets` binary; its output.
fn cli(args: &[&str]) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_hyper-assets"))
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

/// Collects an earlier release (the demo's stylesheet with another accent colour) and
/// then the demo's own files into `folder` with `hyper-assets collect`, which writes the
/// demo binary's bytes, and the deltas between them.
fn collect_two_releases(dir: &Path, folder: &Path) {
    let demo_static = workspace_root().join("examples/demo/static");
    let earlier = dir.join("earlier-static");
    copy_folder(&demo_static, &earlier);
    let styles = earlier.join("css/styles.css");
    let text = std::fs::read_to_string(&styles).unwrap();
    assert!(
        text.contains("--accent: #2563eb;"),
        "the demo's stylesheet changed"
    );
    std::fs::write(
        &styles,
        text.replace("--accent: #2563eb;", "--accent: #dc2626;"),
    )
    .unwrap();
    for site in [&earlier, &demo_static] {
        cli(&[
            "collect",
            folder.to_str().unwrap(),
            "--static",
            site.to_str().unwrap(),
            // The demo's `import_map(...)`: its modules are collected as written.
            "--import-map",
            "--import-name",
            "greeting=js/modules/greet.js",
        ]);
    }
}

/// One nginx configuration and what the check must say of it.
struct Case {
    name: &'static str,
    /// The static `location`s (collect's, maybe with a fault planted).
    locations: String,
    /// The body of `location /`.
    page: String,
    /// `http {}` lines besides the server (an upstream).
    extra: String,
    releases: Option<PathBuf>,
    /// The rules that must fail: the planted one first, then any the same fault cannot
    /// help breaking.
    failing: Vec<Rule>,
}

impl Case {
    fn new(name: &'static str, locations: &str, backend: SocketAddr, failing: &[Rule]) -> Self {
        Self {
            name,
            locations: locations.to_owned(),
            page: format!("proxy_pass http://{backend};"),
            extra: String::new(),
            releases: None,
            failing: failing.to_vec(),
        }
    }
}

/// Writes `dir/releases.json`: the newest release first, then `earlier`.
fn write_releases(dir: &Path, newest: &[String], earlier: &[String]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let releases = serde_json::json!({"releases": [
        {"version": "bbbbbbbbbbbb", "collected": 1_700_000_100, "files": newest},
        {"version": "aaaaaaaaaaaa", "collected": 1_700_000_000, "files": earlier},
    ]});
    std::fs::write(dir.join("releases.json"), releases.to_string()).unwrap();
    dir.to_path_buf()
}

/// What is wrong with `report` for `case`, if anything.
fn judge(case: &Case, report: &Report) -> Option<String> {
    let failed: Vec<Rule> = report
        .rules()
        .iter()
        .filter(|line| line.outcome.is_fail())
        .map(|line| line.rule)
        .collect();
    let mut expected = case.failing.clone();
    expected.sort_by_key(|rule| Rule::ALL.iter().position(|r| r == rule));
    let releases_line = report.outcome(Rule::EarlierReleases);
    // Skipped exactly when no releases folder is given.
    let releases_ok = matches!(
        (&case.releases, releases_line),
        (None, Some(Outcome::Skip(_))) | (Some(_), Some(Outcome::Ok(_) | Outcome::Fail { .. }))
    );
    (failed != expected || !releases_ok).then(|| {
        format!(
            "case {}: expected FAIL for {:?}, got FAIL for {:?}:\n{report}",
            case.name,
            expected.iter().map(|rule| rule.name()).collect::<Vec<_>>(),
            failed.iter().map(|rule| rule.name()).collect::<Vec<_>>(),
        )
    })
}

#[tokio::test]
#[ignore = "needs nginx; run by scripts/test-all.sh"]
async fn check_through_nginx_passes_and_names_each_planted_fault() {
    nginx_binary();
    let dir = target_dir().join("check-nginx");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    // The collected folder and the `location` nginx serves it with.
    let collected = dir.join("static");
    collect_two_releases(&dir, &collected);
    let index = hyper_assets_pipeline::ReleaseIndex::read(&collected).unwrap();
    let deltas = index.releases()[0].deltas.clone();
    assert!(!deltas.is_empty(), "the stylesheet's deltas");
    let generated = cli(&["nginx-config", "--static-root", collected.to_str().unwrap()]);
    // The same folder with its deltas corrupted, served by its own location.
    let corrupted = dir.join("corrupted");
    copy_folder(&collected, &corrupted);
    for name in &deltas {
        let path = corrupted.join(name);
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 2;
        bytes[last] ^= 0x55;
        std::fs::write(&path, bytes).unwrap();
    }
    let corrupted_location = cli(&["nginx-config", "--static-root", corrupted.to_str().unwrap()]);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(collected.join("staticfiles.json")).unwrap())
            .unwrap();
    let newest: Vec<String> = manifest["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|hashed| hashed.as_str().unwrap().to_owned())
        .collect();

    // Two instances that differ only in their version; all but one case use the first.
    let (v1, _v1) = start_demo(&[("APP_VERSION", "v1")]);
    let (v2, _v2) = start_demo(&[("APP_VERSION", "v2")]);

    // An earlier release's file, kept in the collected folder under its hashed name.
    let old_bytes = b"/* an earlier release */\nbody { color: #333; }\n";
    let digest = Sha256::digest(old_bytes);
    let short: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    let kept = format!("css/old.{short}.css");
    std::fs::write(collected.join(&kept), old_bytes).unwrap();

    let mut cases = vec![
        Case::new("generated", &generated, v1, &[]),
        Case::new(
            "hashed-not-immutable",
            // The hashed names' location, the compressible ones' and the two of deltas.
            &replace_all(
                &generated,
                IMMUTABLE_HEADER,
                "add_header Cache-Control \"no-cache\";",
                4,
            ),
            v1,
            // The 304 of a hashed name then lacks the immutable header too.
            &[Rule::Immutable, Rule::Validators],
        ),
        Case {
            page: format!(
                "proxy_pass http://{v1};\n    add_header Cache-Control \"public, max-age=31536000, immutable\";"
            ),
            ..Case::new("page-immutable", &generated, v1, &[Rule::Immutable])
        },
        Case::new(
            "no-validators",
            &replace_once(
                &generated,
                "    gzip_vary on;\n",
                "    gzip_vary on;\n    etag off;\n    if_modified_since off;\n",
            ),
            v1,
            &[Rule::Validators],
        ),
        Case::new(
            "no-vary",
            &replace_all(
                &replace_once(&generated, "gzip_vary on;", "gzip_vary off;"),
                VARY_HEADER,
                "",
                3,
            ),
            v1,
            &[Rule::Encodings],
        ),
        Case::new(
            "gzip-always",
            &replace_once(&generated, "gzip_static on;", "gzip_static always;"),
            v1,
            // nginx then sends gzip to every client, and serves no ranges of it, so no
            // identity range can be had. The hashed compressible names' own Vary stays,
            // so no cache hands the gzip to a client that refused it.
            &[Rule::QZero, Rule::Range],
        ),
        Case::new(
            "no-ranges",
            &replace_once(
                &generated,
                "    gzip_vary on;\n",
                "    gzip_vary on;\n    max_ranges 0;\n",
            ),
            v1,
            &[Rule::Range],
        ),
        Case::new(
            "cacheable-404",
            &replace_once(
                &generated,
                MISSING_HEADER,
                "add_header Cache-Control \"public, max-age=31536000, immutable\" always;",
            ),
            v1,
            &[Rule::MissingNotCacheable],
        ),
        Case {
            page: "proxy_pass http://demos;".to_owned(),
            extra: format!("upstream demos {{\n  server {v1};\n  server {v2};\n}}\n"),
            ..Case::new("mixed-versions", &generated, v1, &[Rule::StableVersion])
        },
        Case {
            releases: Some(write_releases(
                &dir.join("releases-missing"),
                &newest,
                &["css/old.0123456789ab.css".to_owned()],
            )),
            ..Case::new("earlier-release-missing", &generated, v1, &[Rule::EarlierReleases])
        },
        Case {
            releases: Some(write_releases(
                &dir.join("releases-kept"),
                &newest,
                std::slice::from_ref(&kept),
            )),
            ..Case::new("earlier-release-kept", &generated, v1, &[])
        },
        Case {
            releases: Some(collected.clone()),
            ..Case::new("deltas", &generated, v1, &[])
        },
        Case {
            releases: Some(collected.clone()),
            ..Case::new(
                "no-use-as-dictionary",
                &replace_all(
                    &generated,
                    "add_header Use-As-Dictionary $hyper_assets_use_as_dictionary;",
                    "",
                    3,
                ),
                v1,
                &[Rule::Dictionary],
            )
        },
        Case {
            releases: Some(collected.clone()),
            ..Case::new(
                "deltas-without-vary",
                &replace_all(&generated, VARY_HEADER, "add_header Vary \"Accept-Encoding\";", 3),
                v1,
                &[Rule::Dictionary],
            )
        },
        Case {
            releases: Some(corrupted.clone()),
            ..Case::new("corrupt-delta", &corrupted_location, v1, &[Rule::Dictionary])
        },
    ];

    let mut problems = Vec::new();
    for case in &mut cases {
        let proxy = free_addr();
        let http = format!(
            "{}server {{\n  listen {proxy};\n{}  location / {{\n    {}\n  }}\n}}\n",
            case.extra, case.locations, case.page
        );
        let _nginx = start_nginx(&dir.join(format!("nginx-{}", case.name)), &http, proxy);
        let mut options = CheckOptions::new(HttpUrl::parse(&format!("http://{proxy}/")).unwrap());
        if let Some(releases) = &case.releases {
            options = options.with_releases(releases);
        }
        let report = check(&options).await.unwrap();
        eprintln!("case {}:\n{report}", case.name);
        if let Some(planted) = case.failing.first() {
            let line = report.outcome(*planted).unwrap();
            assert!(
                line.is_fail(),
                "case {}: {} must FAIL:\n{report}",
                case.name,
                planted.name()
            );
        }
        if case.name == "deltas" {
            let Some(Outcome::Ok(seen)) = report.outcome(Rule::Dictionary) else {
                panic!("case {}: dictionary must be ok:\n{report}", case.name);
            };
            assert!(
                seen.contains(" from earlier releases' versions, each decoding to the file: "),
                "{seen}"
            );
        }
        if case.name == "corrupt-delta" {
            let Some(Outcome::Fail { seen, .. }) = report.outcome(Rule::Dictionary) else {
                panic!("case {}: dictionary must fail:\n{report}", case.name);
            };
            assert!(seen.contains("that does not decode against it"), "{seen}");
        }
        if case.name == "earlier-release-kept" {
            let Some(Outcome::Ok(seen)) = report.outcome(Rule::EarlierReleases) else {
                panic!("case {}: earlier-releases must be ok:\n{report}", case.name);
            };
            assert!(
                seen.starts_with("every hashed file of 1 earlier release (1 checked) answers 200"),
                "{seen}"
            );
        }
        problems.extend(judge(case, &report));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
