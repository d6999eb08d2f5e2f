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
hyper-assets = { features = ["minijinja"] }
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
