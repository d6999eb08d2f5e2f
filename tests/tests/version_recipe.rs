//! The guide's shell recipe for `VERSION`, run as written on a collected folder whose
//! stylesheets and modules had their references rewritten: it must give the build's value
//! (issue 14: hashing the sources gave `27daf5ef349f` where the build gave `c7564694b7c8`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use hyper_assets_tests::cargo_project::{target_dir, workspace_root};
use std::process::Command;

hyper_assets::hyper_assets!("fixtures/rewrite");

/// The `sh` block after `<!-- version-recipe -->` in the guide.
fn readme_recipe() -> String {
    hyper_assets_tests::docs::marked_block("<!-- version-recipe -->")
        .lines()
        .map(str::trim_start)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
#[ignore = "needs jq and sha256sum; run by scripts/test-all.sh"]
fn the_readme_version_recipe_gives_the_build_version_with_rewritten_references() {
    let dir = target_dir().join("version-recipe");
    let _ = std::fs::remove_dir_all(&dir);
    let collected = dir.join("collected");
    assets::MANIFEST.collect(&collected).unwrap();
    // The fixture has references, so the served bytes differ from the sources.
    let app = assets::MANIFEST.get("css/app.css").unwrap();
    let source = std::fs::read(workspace_root().join("tests/fixtures/rewrite/css/app.css"));
    assert_ne!(
        app.bytes(),
        source.unwrap().as_slice(),
        "nothing was rewritten"
    );

    let recipe = readme_recipe();
    assert!(recipe.starts_with("cd collected &&"), "{recipe}");
    let output = Command::new("sh")
        .arg("-c")
        .arg(&recipe)
        .current_dir(&dir)
        .output()
        .expect("sh runs");
    assert!(
        output.status.success(),
        "the recipe failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        assets::VERSION
    );
}
