#!/usr/bin/env bash
# Runs every test of the project: formatting, lints, docs, the whole workspace's tests in
# debug, the end-to-end browser tests, then the workspace's tests in release. CI runs
# exactly this (see .ci/run).
#
# On a Debian machine it installs what the end-to-end tests need when it is missing
# (Debian: chromium, chromium-driver, nginx, nodejs, npm; npm: the packages in
# e2e/package.json, htmx 2 and 4 among them). A tool it cannot install is an error, never a silent skip.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

for tool in cargo rustc; do
  command -v "$tool" >/dev/null || { echo "test-all: '$tool' is missing; install Rust (rustup)" >&2; exit 1; }
done
cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
cargo clippy --version >/dev/null 2>&1 || rustup component add clippy

install_e2e_tools() {
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium chromium-driver)
  [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || missing+=(nginx)
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  command -v jq >/dev/null || missing+=(jq)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
      echo "test-all: missing ${missing[*]}; install them (Debian: apt-get install ${missing[*]})" >&2
      exit 1
    fi
    step "apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  for tool in chromium node npm jq; do
    command -v "$tool" >/dev/null || { echo "test-all: '$tool' is still missing after the install" >&2; exit 1; }
  done
  step "npm ci (e2e: playwright-core, htmx.org 2 and 4)"
  npm ci --prefix e2e --no-audit --no-fund --loglevel=error
}

install_e2e_tools

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo doc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

step "cargo test (debug)"
cargo test --workspace --locked

step "end-to-end: headless Chromium with htmx 2 and htmx 4 against the demo"
cargo build -p demo --locked
(cd e2e && DEMO_BIN="$PWD/../target/debug/demo" node --test --test-concurrency=1)

step "end-to-end: blue/green and canary behind a real nginx"
cargo test -p demo --locked --test nginx -- --ignored

step "hyper-assets check through a real nginx: the generated config passes, each planted fault fails its rule"
cargo test -p hyper-assets-cli --locked --test check_nginx -- --ignored

step "end-to-end: the rollout matrix and a rolling deploy (two releases, nginx, Chromium with SRI)"
cargo test -p demo --locked --test rollout -- --ignored --nocapture

step "the README's shell recipe for VERSION (jq, sha256sum)"
cargo test -p hyper-assets-tests --locked --test version_recipe -- --ignored

step "cargo test (release)"
# Doctests ran above: rustdoc compiles them with its own flags (debug assertions on) in
# either profile, so in release they would only mismatch crates built without them
# (rust-embed's derive picks its debug-mode code by `cfg(debug_assertions)`).
cargo test --workspace --locked --release --lib --bins --tests

step "all tests passed"
