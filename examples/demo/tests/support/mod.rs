//! What the demo's process-level tests share: child processes stopped on drop, free
//! loopback ports, a real nginx started from a configuration, and variant builds of the
//! demo (its sources with edits, built as their own crate).

// Each test binary that includes this module uses a part of it.
#![allow(dead_code)]

use hyper_assets_tests::cargo_project::{workspace_root, CargoProject};
pub(crate) use hyper_assets_tests::processes::{
    collect_with, free_addr, nginx_binary, start_listening, start_nginx, Running,
};
use hyper_assets_tests::scratch::copy_folder;
use std::path::{Path, PathBuf};

/// The demo's sources, edited by `edit`, built as the crate `name`.
pub(crate) fn build_variant(name: &str, edit: impl FnOnce(&CargoProject)) -> CargoProject {
    let demo = workspace_root().join("examples/demo");
    let project = CargoProject::new(name);
    for rel in ["build.rs", "src", "templates", "config", "static"] {
        let from = demo.join(rel);
        if from.is_dir() {
            copy_folder(&from, &project.dir().join(rel));
        } else {
            project.write(rel, std::fs::read(from).unwrap());
        }
    }
    edit(&project);
    project.manifest_from(
        r#"[dependencies]
hyper-assets = { features = ["minijinja", "tls"] }
axum = "0.8"
tokio = { version = "1", features = ["rt-multi-thread", "macros", "net", "signal"] }
minijinja = { version = "2", default-features = false, features = ["builtins", "macros", "multi_template", "serde"] }
tracing-subscriber = { version = "0.3", default-features = false, features = ["fmt", "ansi", "std"] }
tower-http = { version = "0.6", default-features = false, features = ["set-header"] }

[build-dependencies]
hyper-assets-build = {}

[profile.dev.build-override]
opt-level = 3
"#,
    );
    project.build_ok();
    project
}

/// A release of the demo: its stylesheet and script say which one they are
/// (`--demo-release`, `window.demoRelease`), after `edit`'s own changes. With `previous`,
/// the binary of an earlier release, it embeds that release's files (`previous =
/// "releases"`, the folder `previous collect` wrote), and with them its deltas from them.
pub(crate) fn build_release(
    name: &str,
    release: &str,
    previous: Option<&Path>,
    edit: impl FnOnce(&CargoProject),
) -> CargoProject {
    build_variant(name, |project| {
        edit(project);
        let css = project.read("static/css/styles.css");
        project.write(
            "static/css/styles.css",
            format!("{css}\n:root {{ --demo-release: \"{release}\"; }}\n"),
        );
        let js = project.read("static/js/app.js");
        project.write(
            "static/js/app.js",
            format!("{js}\nwindow.demoRelease = \"{release}\";\n"),
        );
        if let Some(previous) = previous {
            let main = project.read("src/main.rs");
            // The folder argument of the demo's one macro call, however it is laid out.
            let call = main
                .find("hyper_assets::hyper_assets!(")
                .expect("the demo's macro call moved");
            let folder = call + main[call..].find("\"static\",").expect("its folder moved");
            let end = folder + "\"static\",".len();
            let edited = format!("{} previous = \"releases\",{}", &main[..end], &main[end..]);
            project.write("src/main.rs", edited);
            collect_with(previous, &project.dir().join("releases"));
        }
    })
}

/// The htmx the demo instances serve (`HTMX_FILE`), from the e2e packages.
pub(crate) fn htmx_file() -> PathBuf {
    let file = workspace_root().join("e2e/node_modules/htmx2/dist/htmx.min.js");
    assert!(
        file.is_file(),
        "{} is missing: run `npm ci --prefix e2e` (scripts/test-all.sh does)",
        file.display()
    );
    file
}
