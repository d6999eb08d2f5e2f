//! The deploy commands as a user runs them: `collect` writes the same bytes as the demo
//! binary's own collect, with the options of the demo's `hyper_assets!` call, and refuses
//! a release the binary would not serve, into a release folder that keeps and prunes
//! releases;
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

/// Runs the CLI in `dir`.
fn cli_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hyper-assets"))
        .env_clear()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
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
    let (ours, theirs, flagged) = (dir.join("cli"), dir.join("demo"), dir.join("flagged"));
    // In the demo's folder, without a flag: the options are its `hyper_assets!` call's
    // (its `import_map(...)` collects its modules as written).
    let demo_dir = workspace_root().join("examples/demo");
    let printed = ok(&cli_in(&demo_dir, &["collect", ours.to_str().unwrap()]));
    assert!(printed.starts_with("collected release "), "{printed}");
    let call = format!(
        "options: the `hyper_assets!` call at {}:29\n",
        std::fs::canonicalize(&demo_dir)
            .unwrap()
            .join("src/main.rs")
            .display()
    );
    assert!(printed.ends_with(&call), "{printed}");
    // From elsewhere, with --static and flags that agree with the call: the same call.
    let printed = ok(&cli(
        &[
            "collect",
            flagged.to_str().unwrap(),
            "--static",
            &demo_static(),
            "--import-map",
            "--import-name",
            "greeting=js/modules/greet.js",
        ],
        &[],
    ));
    assert!(printed.ends_with(&call), "{printed}");
    assert_eq!(files(&flagged), files(&ours));
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

/// The version the demo binary embeds (`assets::VERSION`), read from the release folder
/// its own collect writes.
fn demo_version(dir: &Path) -> String {
    ok(&demo(&["collect", dir.to_str().unwrap()], &[]));
    ReleaseIndex::read(dir).unwrap().releases()[0]
        .version
        .clone()
}

/// Issue 24: `collect --no-rewrite DIR` exited 0 with a release the binary (built with
/// `rewrite = true`) does not serve, so nginx answered 404 for the files its pages name.
/// In the crate the flag now contradicts the call; outside it, `--expect-version`
/// refuses the release; nothing is written either way.
#[test]
fn collect_refuses_a_release_the_binary_does_not_serve() {
    let dir = fresh("mismatch");
    let out = dir.join("out");
    let out_arg = out.to_str().unwrap();
    let demo_dir = workspace_root().join("examples/demo");
    let main_rs = std::fs::canonicalize(&demo_dir)
        .unwrap()
        .join("src/main.rs");
    let error = failed(&cli_in(&demo_dir, &["collect", "--no-rewrite", out_arg]));
    assert_eq!(
        error,
        format!(
            "hyper-assets collect: --no-rewrite contradicts the `hyper_assets!` call at {}:29, \
             which has `rewrite = true` (the default): the binary was built with the call's \
             options, so drop the flag, or change the call and rebuild the binary\n",
            main_rs.display()
        )
    );
    assert!(!out.exists(), "nothing written");

    // A copy of the folder outside any crate: the flags are the options, and the
    // version says they are not the binary's.
    let version = demo_version(&dir.join("demo"));
    let copy = dir.join("static");
    hyper_assets_tests::scratch::copy_folder(Path::new(&demo_static()), &copy);
    let args = |extra: &[&'static str]| {
        let mut args = vec![
            "collect",
            "--static",
            "static",
            "--import-map",
            "--import-name",
            "greeting=js/modules/greet.js",
            "--expect-version",
            &version,
            out_arg,
        ];
        args.extend(extra);
        cli_in(&dir, &args)
    };
    let error = failed(&args(&["--no-rewrite"]));
    assert!(
        error.starts_with("hyper-assets collect: the release would be version ")
            && error.contains(&format!(
                ", but --expect-version is {version}: the binary was built from other files or \
             with other options, and its pages would name files this release does not have; \
             nothing was written (options: the flags, as no crate around it has a \
             `hyper_assets!` call"
            )),
        "{error}"
    );
    assert!(!out.exists(), "nothing written");
    // The same flags as the call: the binary's version, written.
    let printed = ok(&args(&[]));
    assert!(
        printed.starts_with(&format!("collected release {version} (")),
        "{printed}"
    );
    assert!(
        printed.contains("\noptions: the flags, as no crate around it has a `hyper_assets!` call"),
        "{printed}"
    );
}

/// The options `collect` reads from a call are the macro's: a crate whose call sets every
/// option that changes the bytes builds to the version `collect` writes, run in the
/// crate's folder without a flag.
#[test]
fn collect_reads_every_option_of_the_call_as_the_macro_does() {
    use hyper_assets_tests::cargo_project::CargoProject;
    let project = CargoProject::new("collect-options");
    project.manifest("hyper-assets = \"0.1\"", "hyper-assets-build = \"0.1\"");
    project.write(
        "build.rs",
        "fn main() {\n    hyper_assets_build::watch_embedded();\n}\n",
    );
    project.write(
        "src/main.rs",
        r#"hyper_assets::hyper_assets!(
    "public",
    module = files,
    prefix = "/assets",
    url_prefix = "https://cdn.example.com/a",
    include = ["**/*.css", "**/*.js", "**/*.png", "**/*.txt"],
    exclude = ["**/skip.css"],
    hidden = true,
    missing_references = "keep",
    compress = false,
    deltas = false,
    import_map("lib" = "js/lib.js"),
);

fn main() {
    println!("{}", files::VERSION);
}
"#,
    );
    project.write(
        "public/css/app.css",
        "body { background: url(../img/logo.png) } a { background: url(gone.png) }\n",
    );
    project.write("public/css/skip.css", "p {}\n");
    project.write("public/img/logo.png", "png");
    project.write(
        "public/js/app.js",
        "import { x } from 'lib';\nconsole.log(x);\n",
    );
    project.write("public/js/lib.js", "export const x = 1;\n");
    project.write("public/.well-known/security.txt", "Contact: x\n");
    project.write("public/README.md", "left out by include\n");
    project.build_ok();
    let version = project.run().trim().to_owned();
    let out = project.dir().join("releases");
    let printed = ok(&cli_in(project.dir(), &["collect", out.to_str().unwrap()]));
    assert!(
        printed.starts_with(&format!("collected release {version} (")),
        "the binary's version {version}: {printed}"
    );
    let index = ReleaseIndex::read(&out).unwrap();
    let mut canonical: Vec<String> = index.releases()[0]
        .files
        .iter()
        .filter_map(|hashed| hyper_assets_pipeline::split_hashed_name(hashed).map(|(c, _)| c))
        .collect();
    canonical.sort_unstable();
    assert_eq!(
        canonical,
        [
            ".well-known/security.txt",
            "css/app.css",
            "img/logo.png",
            "js/app.js",
            "js/lib.js"
        ]
    );
    assert!(
        !files(&out).keys().any(|name| name.ends_with(".br")),
        "compress = false"
    );
}

/// Issue 24: outside the crate, `static folder static does not exist` said neither that
/// the path is relative to the current directory nor that --static exists.
#[test]
fn outside_the_crate_a_missing_folder_names_the_directory_and_static() {
    let dir = std::fs::canonicalize(fresh("outside")).unwrap();
    let error = failed(&cli_in(&dir, &["collect", "out"]));
    assert_eq!(
        error,
        format!(
            "hyper-assets collect: static folder `static` does not exist ({0}/static): without \
             --static FOLDER the folder is `static` in the current directory, {0}, which holds \
             no crate with a `hyper_assets!` call to take it from. Run collect in the crate's \
             folder, or name the crate with --crate DIR or the folder with --static FOLDER \
             (relative to the current directory)\n",
            dir.display()
        )
    );
    let error = failed(&cli_in(&dir, &["collect", "out", "--static", "public"]));
    assert!(
        error.contains(&format!(
            "static folder `public` does not exist ({0}/public): --static is relative to the \
             current directory, {0}",
            dir.display()
        )),
        "{error}"
    );
}

/// `--help` (or `-h`) of every command is its entry of the table, and the overview lists
/// them all.
#[test]
fn help_is_written_from_the_table() {
    use hyper_assets_cli::commands::{help, COMMANDS, HELP_ARGUMENTS};
    assert_eq!(ok(&cli(&["--help"], &[])), help());
    for command in COMMANDS {
        for asking in HELP_ARGUMENTS {
            assert_eq!(
                ok(&cli(&[command.name, asking], &[])),
                command.help(),
                "{} {asking}",
                command.name
            );
        }
    }
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
    let site = dir.join("site");
    std::fs::create_dir_all(site.join("js")).unwrap();
    std::fs::write(site.join("js/app.js"), "export {};\n").unwrap();
    let cases: [(&[&str], &str); 14] = [
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
                site.to_str().unwrap(),
                "--import-name",
                "x=js/nope.js",
            ],
            "js/nope.js` is not a JavaScript module (`.js` or `.mjs`) of the folder",
        ),
        (
            &["collect", out, "--static", &demo_static(), "--hidden"],
            "--hidden contradicts the `hyper_assets!` call at ",
        ),
        (
            &["collect", out, "--crate", "/no/such/crate"],
            "--crate /no/such/crate (/no/such/crate) holds no Cargo.toml",
        ),
        (
            &["collect", out, "--expect-version"],
            "--expect-version needs a value",
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
