#!/usr/bin/env bash
# Runs every test of the project: formatting, lints, docs, then the whole workspace's
# tests in debug and in release. CI runs exactly this (see .ci/run).
#
# Needs only a Rust toolchain today; end-to-end tools (Chromium, nginx, npm packages)
# are installed here when the tests that need them arrive, and their absence is an
# error, never a silent skip.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

for tool in cargo rustc; do
  command -v "$tool" >/dev/null || { echo "test-all: '$tool' is missing; install Rust (rustup)" >&2; exit 1; }
done
cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
cargo clippy --version >/dev/null 2>&1 || rustup component add clippy

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo doc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

step "cargo test (debug)"
cargo test --workspace --locked

step "cargo test (release)"
cargo test --workspace --locked --release

step "all tests passed"
