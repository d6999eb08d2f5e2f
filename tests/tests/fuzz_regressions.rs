//! Every input in `fuzz/regressions/<target>/` (crashes `scripts/fuzz.sh` found, and the
//! hostile inputs of issue 15) through the same entry points the fuzz targets call, on
//! stable, in every test run. A panic here is a regression.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use hyper_assets::__fuzz::TARGETS;
use hyper_assets_tests::cargo_project::workspace_root;

#[test]
fn every_kept_fuzz_input_is_handled() {
    let root = workspace_root().join("fuzz/regressions");
    let mut replayed = 0;
    for (name, target) in TARGETS {
        let dir = root.join(name);
        let mut inputs: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
            .map(|entry| entry.unwrap().path())
            .collect();
        inputs.sort();
        assert!(!inputs.is_empty(), "no inputs for {name}");
        for input in inputs {
            let bytes = std::fs::read(&input).unwrap();
            let outcome = std::panic::catch_unwind(|| target(&bytes));
            assert!(outcome.is_ok(), "{name} panicked on {}", input.display());
            replayed += 1;
        }
    }
    assert!(replayed >= TARGETS.len());
}
