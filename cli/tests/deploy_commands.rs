//! The deploy commands as a user runs them: `collect` writes the same bytes as the demo
//! binary's own collect, into a release folder that keeps and prunes releases;
//! `bust-token` and `nginx-config` print what the demo prints from the same settings;
//! bad arguments get a sentence that names them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod demo_server;

use demo_server::demo_binary;
use hyper_assets_pipeline::ReleaseIndex;
use hyper_assets_tests::cargo_project::{target_dir, workspace_root};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn cli(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hyper-assets"));
    command.env_clear().args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

fn demo(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(demo_binary());
    command.env_clear().args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn failed(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn fresh(name: &str) -> PathBuf {
    let dir = target_dir().join("cli-deploy").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every file of `dir` but the index (which records when it was written), with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                if rel != "releases.json" {
                    found.insert(rel, std::fs::read(&path).unwrap());
                }
            }
        }
    }
    found
}

fn demo_static() -> String {
    workspace_root()
        .join("examples/demo/static")
        .display()
        .to_string()
}

#[test]
fn collect_writes_the_binarys_bytes_and_the_printed_location_matches() {
    let dir = fresh("same-bytes");
    let (ours, theirs) = (dir.join("cli"), dir.join("demo"));
    let printed = ok(&cli(
        &[
            "collect",
            ours.to_str().unwrap(),
            "--static",
            &demo_static(),
            // The demo's `import_map(...)`: its modules are collected as written.
            "--import-map",
            "--import-name",
            "greeting=js/modules/greet.js",
        ],
        &[],
    ));
    assert!(printed.starts_with("collected release "), "{printed}");
    let location = ok(&demo(&["collect", theirs.to_str().unwrap()], &[]));
    let (a, b) = (files(&ours), files(&theirs));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same files"
    );
    assert!(a.keys().any(|name| name.ends_with(".br")), "with variants");
    for (name, bytes) in &a {
        assert!(bytes == &b[name], "{name}: the bytes differ");
    }
    let index = |dir: &Path| ReleaseIndex::read(dir).unwrap().releases()[0].clone();
    let (mine, demos) = (index(&ours), index(&theirs));
    assert_eq!((&mine.version, &mine.files), (&demos.version, &demos.files));

    // The demo prints the location for its folder; the CLI makes the same one from the
    // folder's staticfiles.json.
    let generated = ok(&cli(
        &["nginx-config", "--static-root", theirs.to_str().unwrap()],
        &[],
    ));
    assert_eq!(generated, location);
}

#[test]
fn a_release_folder_keeps_earlier_releases_and_prunes_by_count_and_age() {
    let dir = fresh("releases");
    let site = dir.join("static");
    std::fs::create_dir_all(site.join("css")).unwrap();
    let releases = dir.join("releases");
    let releases = releases.to_str().unwrap();
    let mut hashed = Vec::new();
    // Only the first release has a module: its type stays in the nginx location.
    std::fs::create_dir_all(site.join("js")).unwrap();
    std::fs::write(site.join("js/old.mjs"), "export const old = 1;\n").unwrap();
    for release in 1..=4 {
        if release == 2 {
            std::fs::remove_file(site.join("js/old.mjs")).unwrap();
        }
        std::fs::write(
            site.join("css/app.css"),
            format!("body {{ --release: {release} }}\n"),
        )
        .unwrap();
        let printed = ok(&cli(
            &["collect", releases, "--static", site.to_str().unwrap()],
            &[],
        ));
        let index = ReleaseIndex::read(Path::new(releases)).unwrap();
        let css = index.releases()[0]
            .files
            .iter()
            .find(|f| f.starts_with("css/"));
        hashed.push(css.unwrap().clone());
        // All four are under an hour old: none is pruned.
        assert!(
            printed.contains(&format!("releases kept: {release}; releases pruned: 0")),
            "{printed}"
        );
    }
    for name in &hashed {
        assert!(Path::new(releases).join(name).is_file(), "{name}");
    }
    let location = ok(&cli(&["nginx-config", "--static-root", releases], &[]));
    assert!(
        location.contains(" mjs;"),
        "an earlier release's type: {location}"
    );
    // Count and age: keep one before the newest, nothing younger than a second counts.
    let printed = ok(&cli(
        &["prune", releases, "--keep", "1", "--age", "0s"],
        &[],
    ));
    assert!(
        printed.contains("releases kept: 2; releases pruned: 2"),
        "{printed}"
    );
    assert!(!Path::new(releases).join(&hashed[0]).exists());
    assert!(!Path::new(releases).join(&hashed[1]).exists());
    assert!(Path::new(releases).join(&hashed[2]).is_file());
    assert!(Path::new(releases).join(&hashed[3]).is_file());
    // The canonical copy is the newest release's.
    assert_eq!(
        std::fs::read_to_string(Path::new(releases).join("css/app.css")).unwrap(),
        "body { --release: 4 }\n"
    );
}

/// `collect` writes checked deltas from the releases it keeps (none with `--no-deltas`),
/// lists them in `releases.json`, and pruning removes them with their release.
#[test]
fn collect_writes_checked_deltas_and_prune_removes_them() {
    let dir = fresh("deltas");
    let site = dir.join("static");
    std::fs::create_dir_all(site.join("css")).unwrap();
    let releases = dir.join("releases");
    let folder = releases.to_str().unwrap();
    let stylesheet = |release: usize| -> String {
        (0..400)
            .map(|rule| {
                let width = if rule == 200 { release } else { rule };
                format!(".rule-{rule} {{ width: {width}px; }}\n")
            })
            .collect()
    };
    let mut printed = Vec::new();
    for (release, flags) in [(1, &[][..]), (2, &["--no-deltas"][..]), (3, &[][..])] {
        std::fs::write(site.join("css/app.css"), stylesheet(release)).unwrap();
        let mut args = vec!["collect", folder, "--static", site.to_str().unwrap()];
        args.extend(flags);
        printed.push(ok(&cli(&args, &[])));
    }
    assert!(printed[0].contains(" 0 deltas, "), "{}", printed[0]);
    assert!(
        printed[1].contains(" 0 deltas, "),
        "--no-deltas: {}",
        printed[1]
    );
    // From v1 and v2, each as dcb and dcz.
    assert!(printed[2].contains(" 4 deltas, "), "{}", printed[2]);
    let index = ReleaseIndex::read(&releases).unwrap();
    let newest = &index.releases()[0];
    assert_eq!(newest.deltas.len(), 4);
    let target = std::fs::read(releases.join(&newest.files[0])).unwrap();
    for name in &newest.deltas {
        let (hashed, encoding, dictionary) =
            hyper_assets_pipeline::parse_delta_file_name(name).unwrap();
        assert_eq!(hashed, newest.files[0]);
        let old = hyper_assets_pipeline::hashed_name("css/app.css", &dictionary);
        let old = std::fs::read(releases.join(old)).unwrap();
        let delta = std::fs::read(releases.join(name)).unwrap();
        let decoded =
            hyper_assets_pipeline::decode_delta(&old, &delta, encoding, target.len()).unwrap();
        assert!(decoded == target, "{name} decodes to the file");
    }
    // Pruned with its release: the deltas and their folders go.
    let printed = ok(&cli(&["prune", folder, "--keep", "0", "--age", "0s"], &[]));
    assert!(
        printed.contains("releases pruned: 2 (6 files deleted)"),
        "{printed}"
    );
    let printed = ok(&cli(
        &[
            "collect",
            folder,
            "--static",
            site.to_str().unwrap(),
            "--age",
            "0s",
            "--keep",
            "0",
        ],
        &[],
    ));
    assert!(printed.contains(" 0 deltas, "), "{printed}");
    std::fs::write(site.join("css/app.css"), stylesheet(4)).unwrap();
    ok(&cli(
        &[
            "collect",
            folder,
            "--static",
            site.to_str().unwrap(),
            "--age",
            "0s",
            "--keep",
            "0",
        ],
        &[],
    ));
    for name in &newest.deltas {
        assert!(!releases.join(name).exists(), "{name}");
    }
    // No delta, and no folder of deltas, is left.
    let left: Vec<String> = std::fs::read_dir(releases.join("css"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".dcb") || name.contains(".dcz"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn bust_token_and_version_routing_match_the_app() {
    let secret = [("SECRET_KEY", "a deploy secret")];
    assert_eq!(
        ok(&cli(&["bust-token"], &secret)),
        ok(&demo(&["bust-token"], &secret))
    );
    assert!(failed(&cli(&["bust-token"], &[])).contains("SECRET_KEY is not set"));

    let routing = [
        ("VERSION_MAP", "v1=blue,v2=green"),
        ("DEFAULT_VERSION", "v1"),
        ("CANARY", "v2:10"),
        ("BACKEND_ADDRS", "blue=127.0.0.1:3001,green=127.0.0.1:3002"),
        ("NGINX_LISTEN", "8080"),
    ];
    let config = ok(&cli(&["nginx-config"], &routing));
    assert!(config.contains("split_clients"), "{config}");
    assert_eq!(config, ok(&demo(&["nginx-config"], &routing)));
    let error = failed(&cli(&["nginx-config"], &[]));
    assert!(error.contains("VERSION_MAP is not set"), "{error}");
    let error = failed(&cli(&["nginx-config"], &[("CANARY", "v2:200")]));
    assert!(error.contains("CANARY"), "{error}");
}

#[test]
fn bad_arguments_are_named() {
    let dir = fresh("bad");
    let out = dir.join("out");
    let out = out.to_str().unwrap();
    let cases: [(&[&str], &str); 11] = [
        (&["collect"], "missing the release folder"),
        (
            &["collect", out, "--colour"],
            "unknown argument \"--colour\"",
        ),
        (
            &["collect", out, "--age", "1 fortnight"],
            "--age \"1 fortnight\": expected a duration",
        ),
        (&["collect", out, "--keep", "two"], "--keep \"two\""),
        (
            &["collect", out, "--static", "/no/such/folder"],
            "/no/such/folder",
        ),
        (&["collect", out, "--include", "[a"], "--include \"[a\""),
        (
            &["collect", out, "--import-map", "--import-name", "htmx"],
            "--import-name \"htmx\": expected NAME=PATH",
        ),
        (
            &["collect", out, "--import-name", "htmx=vendor/htmx.js"],
            "--import-name needs --import-map",
        ),
        (
            &[
                "collect",
                out,
                "--import-map",
                "--import-name",
                "lib/=js/lib/",
            ],
            "is a folder mapping",
        ),
        (
            &[
                "collect",
                out,
                "--import-map",
                "--static",
                &demo_static(),
                "--import-name",
                "x=js/nope.js",
            ],
            "js/nope.js` is not a JavaScript module (`.js` or `.mjs`) of the folder",
        ),
        (
            &["nginx-config", "--static-root", "/no/such/folder"],
            "write the folder with `hyper-assets collect",
        ),
    ];
    for (args, expected) in cases {
        let error = failed(&cli(args, &[]));
        assert!(error.contains(expected), "{args:?}: {error}");
        assert!(!error.contains("panicked"), "{error}");
    }
    assert!(!Path::new(out).exists(), "nothing written on an error");
    let unknown = cli(&["deploy"], &[]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("collect DIR"));
}
