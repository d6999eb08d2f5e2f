//! Measures `adopt::rust_embed::<_>().build()` and `adopt::include_dir(_).build()` over
//! 1,000 files of 4 KiB. Run in release: `cargo run --release`.
//! Prints the first build (what a process pays at start-up) and the median of 30 more.
//! `bench/run.sh` runs it and puts its output in BENCHMARKS.md.

use std::time::{Duration, Instant};

#[derive(rust_embed::Embed)]
#[folder = "$OUT_DIR/static"]
struct Static;

static STATIC: include_dir::Dir<'static> = include_dir::include_dir!("$OUT_DIR/static");

fn measure(name: &str, build: impl Fn() -> &'static hyper_assets::Manifest) {
    let start = Instant::now();
    let manifest = build();
    let first = start.elapsed();
    assert_eq!(manifest.len(), 1000);
    let mut runs: Vec<Duration> = (0..30)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(build());
            start.elapsed()
        })
        .collect();
    runs.sort();
    println!(
        "{name:<12} files {:>5}  bytes {:>8}  first {:>7.2} ms  median {:>7.2} ms  min {:>7.2} ms  max {:>7.2} ms",
        manifest.len(),
        manifest.assets().iter().map(|a| a.len()).sum::<usize>(),
        first.as_secs_f64() * 1e3,
        runs[runs.len() / 2].as_secs_f64() * 1e3,
        runs[0].as_secs_f64() * 1e3,
        runs[runs.len() - 1].as_secs_f64() * 1e3,
    );
}

fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    if which != "include_dir" {
        measure("rust-embed", || {
            hyper_assets::adopt::rust_embed::<Static>().build().unwrap()
        });
    }
    if which != "rust-embed" {
        measure("include_dir", || {
            hyper_assets::adopt::include_dir(&STATIC).build().unwrap()
        });
    }
}
