//! `hyper-assets check` against the demo binary itself, over a real socket: every rule
//! holds (earlier-releases is skipped without `--releases`), through the library and
//! through the `hyper-assets` binary with its exit codes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod demo_server;

use demo_server::start_demo;
use hyper_assets_cli::check::{check, CheckOptions, Outcome, Report, Rule};
use hyper_assets_cli::http_client::HttpClient;
use hyper_assets_cli::http_url::HttpUrl;
use hyper_assets_tests::cargo_project::{target_dir, workspace_root};
use hyper_assets_tests::scratch::copy_folder;
use std::process::Command;

fn options_for(url: &str) -> CheckOptions {
    CheckOptions::new(HttpUrl::parse(url).unwrap())
}

fn hyper_assets(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_hyper-assets"))
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn assert_all_ok_but_skipped_releases(report: &Report) {
    for line in report.rules() {
        match (line.rule, &line.outcome) {
            (Rule::EarlierReleases, Outcome::Skip(_)) | (_, Outcome::Ok(_)) => {}
            _ => panic!("{line}\n\n{report}"),
        }
    }
    assert!(report.passed(), "{report}");
}

#[tokio::test]
async fn the_demo_keeps_its_cache_contract() {
    let (addr, _demo) = start_demo(&[]);
    let url = format!("http://{addr}/");
    let report = check(&options_for(&url)).await.unwrap();
    assert_eq!(report.rules().len(), Rule::ALL.len(), "{report}");
    assert_all_ok_but_skipped_releases(&report);
    assert_eq!(
        report.outcome(Rule::EarlierReleases),
        Some(&Outcome::Skip(
            "give --releases DIR (the folder collect writes to)".to_owned()
        ))
    );

    // The binary prints one line per rule and a summary, and exits with 0.
    let (code, stdout, stderr) = hyper_assets(&["check", &url, "--requests", "5"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), Rule::ALL.len() + 1, "{stdout}");
    for (line, rule) in lines.iter().zip(Rule::ALL) {
        let expected = if rule == Rule::EarlierReleases {
            format!("skip {}: ", rule.name())
        } else {
            format!("ok   {}: ", rule.name())
        };
        assert!(line.starts_with(&expected), "{line}");
    }
    assert_eq!(
        lines[Rule::ALL.len()],
        format!("{url}: 8 ok, 0 failed, 1 skipped: keeps its cache contract")
    );
    assert!(stdout.contains("to all 5 requests"), "{stdout}");
}

/// `--releases`: the demo's own hashed files listed as an earlier release pass; a file
/// no release has fails the rule, and the binary exits with 1.
#[tokio::test]
async fn earlier_releases_against_the_demo() {
    let (addr, _demo) = start_demo(&[]);
    let url = format!("http://{addr}/");
    // The demo's hashed files, relative to the prefix, as its page links them.
    let client = HttpClient::new(HttpUrl::parse(&url).unwrap().origin().clone());
    let page = client.get("/", &[]).await.unwrap();
    let mut files: Vec<String> = String::from_utf8_lossy(page.body())
        .split('"')
        .filter_map(|value| value.strip_prefix("/static/"))
        .map(str::to_owned)
        .collect();
    files.sort();
    files.dedup();
    assert!(files.len() >= 3, "{files:?}");

    let dir = target_dir().join("check-demo-releases");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let releases = serde_json::json!({"releases": [
        {"version": "bbbbbbbbbbbb", "collected": 2, "files": []},
        {"version": "aaaaaaaaaaaa", "collected": 1, "files": files},
    ]});
    std::fs::write(dir.join("releases.json"), releases.to_string()).unwrap();
    let report = check(&options_for(&url).with_releases(&dir)).await.unwrap();
    assert!(report.passed(), "{report}");
    let Some(Outcome::Ok(seen)) = report.outcome(Rule::EarlierReleases) else {
        panic!("{report}");
    };
    assert!(
        seen.starts_with(&format!(
            "every hashed file of 1 earlier release ({} checked)",
            files.len()
        )),
        "{seen}"
    );

    let releases = serde_json::json!({"releases": [
        {"version": "bbbbbbbbbbbb", "collected": 2, "files": files},
        {"version": "aaaaaaaaaaaa", "collected": 1, "files": ["css/gone.0123456789ab.css"]},
    ]});
    std::fs::write(dir.join("releases.json"), releases.to_string()).unwrap();
    let (code, stdout, _) = hyper_assets(&["check", &url, "--releases", dir.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}");
    let line = stdout
        .lines()
        .find(|line| line.contains("earlier-releases"))
        .unwrap();
    assert!(
        line.starts_with(&format!(
            "FAIL earlier-releases: http://{addr}/static/css/gone.0123456789ab.css (release \
             aaaaaaaaaaaa) answered 404 with Cache-Control: no-store. Fix: keep every earlier"
        )),
        "{line}"
    );
    assert!(
        stdout.contains(": 8 ok, 1 failed, 0 skipped: breaks its cache contract"),
        "{stdout}"
    );
}

/// The demo with a release folder (`STATIC_RELEASES_DIR`) that `hyper-assets collect`
/// wrote: an earlier release with another stylesheet, then the demo's own files with the
/// deltas from it. The dictionary rule gets a delta that decodes to the stylesheet; a
/// corrupt delta (refused by the binary, so `br` is sent) fails it.
#[tokio::test]
async fn dictionary_deltas_from_the_release_folder() {
    let dir = target_dir().join("check-demo-deltas");
    let _ = std::fs::remove_dir_all(&dir);
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
    let releases = dir.join("releases");
    let folder = releases.to_str().unwrap();
    // The demo's `import_map(...)`: its modules are collected as written.
    let options = [
        "--import-map",
        "--import-name",
        "greeting=js/modules/greet.js",
    ];
    for site in [&earlier, &demo_static] {
        let mut args = vec!["collect", folder, "--static", site.to_str().unwrap()];
        args.extend(options);
        let (code, stdout, stderr) = hyper_assets(&args);
        assert_eq!(code, 0, "{stdout}{stderr}");
    }
    let index = hyper_assets_pipeline::ReleaseIndex::read(&releases).unwrap();
    let deltas = index.releases()[0].deltas.clone();
    assert!(
        !deltas.is_empty() && deltas.iter().all(|name| name.starts_with("css/styles.")),
        "{deltas:?}"
    );

    let (addr, demo) = start_demo(&[("STATIC_RELEASES_DIR", folder)]);
    let url = format!("http://{addr}/");
    let report = check(&options_for(&url).with_releases(&releases))
        .await
        .unwrap();
    assert!(report.passed(), "{report}");
    let Some(Outcome::Ok(seen)) = report.outcome(Rule::Dictionary) else {
        panic!("{report}");
    };
    assert!(
        seen.contains(" from earlier releases' versions, each decoding to the file: "),
        "{seen}"
    );
    drop(demo);

    // A corrupt delta: the binary refuses it (and sends br), and the rule fails.
    for name in &deltas {
        let path = releases.join(name);
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 2;
        bytes[last] ^= 0x55;
        std::fs::write(&path, bytes).unwrap();
    }
    let (addr, _demo) = start_demo(&[("STATIC_RELEASES_DIR", folder)]);
    let url = format!("http://{addr}/");
    let report = check(&options_for(&url).with_releases(&releases))
        .await
        .unwrap();
    let Some(Outcome::Fail { seen, .. }) = report.outcome(Rule::Dictionary) else {
        panic!("{report}");
    };
    assert!(
        seen.contains("not a delta (collect makes one of "),
        "{seen}"
    );
}

#[test]
fn usage_errors_exit_with_2() {
    let (code, _, stderr) = hyper_assets(&["check", "https://example.com/"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("plain-HTTP origin"), "{stderr}");
    let (code, _, stderr) = hyper_assets(&["check"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("check needs the URL"), "{stderr}");
    let (code, _, stderr) = hyper_assets(&["frobnicate"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("unknown command \"frobnicate\""),
        "{stderr}"
    );
    assert!(stderr.contains("  check URL [options]"), "{stderr}");
    let (code, stdout, _) = hyper_assets(&["check", "--help"]);
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with("usage: hyper-assets check URL"),
        "{stdout}"
    );
}

#[test]
fn an_unreachable_page_exits_with_1() {
    let addr = hyper_assets_tests::processes::free_addr();
    let (code, stdout, stderr) = hyper_assets(&["check", &format!("http://{addr}/")]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stderr.contains("cannot fetch the page"), "{stderr}");
}
