#!/usr/bin/env bash
# Runs every test of the project: formatting, lints, docs, the whole workspace's tests in
# debug, the end-to-end browser tests, the packaging of the published crates, then the
# workspace's tests in release. CI runs exactly this (see .ci/run).
#
# On a Debian machine it installs what the end-to-end tests need when it is missing
# (Debian: chromium, chromium-driver, nginx, nodejs, npm, jq, curl, zstd, openssl,
# nghttp2-client, python3; npm: the packages in
# e2e/package.json, htmx 2 and 4 among them). A tool it cannot install is an error, never a silent skip.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

# The run builds everything once, so cargo's incremental caches would only take disk
# (gigabytes of the build tree; trybuild turns them off for its own builds anyway). The
# debug info the builds keep is set in .cargo/config.toml.
export CARGO_INCREMENTAL=0
# Disk: the build tree's size and the space left beside it, printed at the start and the
# end so a run that runs short of disk says so in its log.
# `disk` also leaves the sum of the two in room_kb.
disk() {
  mkdir -p target
  local used_kb free_kb
  used_kb=$(du -sk target | cut -f1)
  free_kb=$(df -k --output=avail target | tail -1 | tr -d ' ')
  room_kb=$((used_kb + free_kb))
  awk -v used="$used_kb" -v free="$free_kb" \
    'BEGIN { printf "disk: target/ holds %.1f GB; %.1f GB free\n", used / 1048576, free / 1048576 }'
}
disk
# A fresh clone's run grew target/ to 6.4 GB at most (December 2026); say so up front
# when the tree and the free space beside it come to less than 7 GB.
if [ "$room_kb" -lt $((7 * 1024 * 1024)) ]; then
  echo "test-all: warning: target/ can grow to $((room_kb / 1024 / 1024)) GB here; a fresh run needs about 7 GB" >&2
fi

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
  command -v curl >/dev/null || missing+=(curl)
  # The throwaway CA and certificate of the HTTPS tests (curl's, and Chromium's in e2e/).
  command -v openssl >/dev/null || missing+=(openssl)
  # The reference decoder of `dcz` deltas (the nginx delta test).
  command -v zstd >/dev/null || missing+=(zstd)
  # The load test of the HTTPS server over HTTP/2 and HTTP/1.1 (tests/tls_transports.rs).
  command -v h2load >/dev/null || missing+=(nghttp2-client)
  # The hostile HTTP/2 and TLS clients (tests/h2/hostile.py: the standard library only).
  command -v python3 >/dev/null || missing+=(python3)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
      echo "test-all: missing ${missing[*]}; install them (Debian: apt-get install ${missing[*]})" >&2
      exit 1
    fi
    step "apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  for tool in chromium node npm jq curl zstd openssl h2load python3; do
    command -v "$tool" >/dev/null || { echo "test-all: '$tool' is still missing after the install" >&2; exit 1; }
  done
  step "npm ci (e2e: playwright-core, htmx.org 2 and 4)"
  npm ci --prefix e2e --no-audit --no-fund --loglevel=error
}

install_e2e_tools

# `cargo package` reaches the packaged crates a crate depends on through a registry it
# writes under target/package/, and cargo never unpacks or rebuilds a registry crate
# again for a version it already has: a second run would verify the dependents against
# the first run's copies. Those copies outlive the target dir: the unpacked sources sit
# under $CARGO_HOME/registry/src/ (a local registry's folder is named `-<hash>`, the hash
# of the registry's path), so a fresh clone at the same path, with a fresh target, met an
# earlier run's sources there and failed to build against them. This forgets those copies
# and nothing else (the workspace's own build stays): every unpacked source of a
# hyper-assets crate from a local registry, the build results that dep-info files show
# were compiled from one, and the build-script runs of registry crates, which cargo
# fingerprints by the version alone.
cargo_home=${CARGO_HOME:-$HOME/.cargo}
forget_packaged_crates() {
  local debug=target/debug dep_info unit fingerprint
  local dep_infos=()
  rm -rf "$cargo_home"/registry/src/-*/hyper-assets*
  mapfile -t dep_infos < <(
    grep -lE '/registry/src/-[0-9a-f]+/hyper-assets' "$debug"/deps/*.d "$debug"/build/*/*.d 2>/dev/null || true
  )
  for dep_info in "${dep_infos[@]}"; do
    case $dep_info in
      "$debug"/deps/*) unit=$(basename "$dep_info" .d) && unit=${unit//_/-} ;;
      *) unit=$(basename "$(dirname "$dep_info")") ;;
    esac
    rm -rf "${debug:?}/.fingerprint/$unit"
  done
  for fingerprint in "$debug"/.fingerprint/hyper-assets*/run-build-script-*.json; do
    if [ -e "$fingerprint" ] && grep -qE '"Precalculated":"[0-9]+\.[0-9]+\.[0-9]+[^"]*"' "$fingerprint"; then
      rm -rf "$(dirname "$fingerprint")"
    fi
  done
  rm -rf target/package
}

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo doc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

step "the guide: mdbook build docs (mdBook 0.4.52, installed in target/tools)"
# Pinned, so every run renders the book with the same mdBook; built from crates.io once
# (about 80 s on 2 cores), without the `serve`/`watch` features the build does not use.
mdbook=target/tools/bin/mdbook
mdbook_version=0.4.52
if [ "$("$mdbook" --version 2>/dev/null)" != "mdbook v$mdbook_version" ]; then
  cargo install mdbook --version "$mdbook_version" --locked --no-default-features --root target/tools
fi
"$mdbook" build docs

step "cargo test (debug)"
cargo test --workspace --locked

step "end-to-end: headless Chromium with htmx 2 and htmx 4 against the demo, over HTTP/1.1 and over HTTPS with HTTP/2 (a throwaway CA made with openssl)"
cargo build -p demo --locked
(cd e2e && DEMO_BIN="$PWD/../target/debug/demo" node --test --test-concurrency=1)

step "end-to-end: blue/green and canary behind a real nginx"
cargo test -p demo --locked --test nginx -- --ignored

step "hyper-assets check through a real nginx: the generated config passes, each planted fault fails its rule"
cargo test -p hyper-assets-cli --locked --test check_nginx -- --ignored

step "end-to-end: the rollout matrix and a rolling deploy (two releases, nginx, Chromium with SRI)"
cargo test -p demo --locked --test rollout -- --ignored --nocapture

step "nginx serves the collected deltas (curl, the zstd command line)"
cargo test -p hyper-assets-cli --locked --test nginx_deltas -- --ignored

step "end-to-end: a returning Chromium gets v2's script and stylesheet as deltas (the binary over HTTP/1.1 and over HTTPS with HTTP/2, nginx, a pruned dictionary, a caching proxy)"
cargo test -p demo --locked --test deltas -- --ignored --nocapture

step "the guide's shell recipe for VERSION, asset pipeline chapter (jq, sha256sum)"
cargo test -p hyper-assets-tests --locked --test version_recipe -- --ignored

step "HTTPS from site.serve: curl over HTTP/2 and HTTP/1.1 answers as cleartext (a throwaway CA made with openssl)"
cargo test -p hyper-assets-tests --locked --test tls -- --ignored --test-threads=1

step "the request corpus answers alike over cleartext HTTP/1.1, HTTPS HTTP/1.1, HTTPS HTTP/2 and HTTPS without ALPN (curl, a throwaway CA made with openssl); h2load over h2 and h1 gets every request answered"
cargo test -p hyper-assets-tests --locked --test tls_transports -- --ignored

step "hostile HTTP/2 and TLS clients are each cut off: Rapid Reset, endless CONTINUATION, empty DATA frames, an idle h2 connection, a zero flow-control window, silence after the handshake, no or half a ClientHello, a stalled handshake (tests/h2/hostile.py)"
cargo test -p hyper-assets-tests --locked --test h2_hostile -- --ignored --test-threads=1

step "the guide's console blocks print what they show (the demo, curl)"
cargo test -p demo --locked --test guide_console -- --ignored

step "cargo package: the published crates package together and build from their .crate files"
# What `cargo publish` would upload: every member without `publish = false`, packaged and
# verified together (cargo builds each .crate's sources alone, with its default features,
# reaching the others through a local registry of the packaged ones), so a change that
# breaks publishing fails here. The verify builds in the shared target dir, so most
# dependencies are the ones the tests compiled; `--offline` because the tests fetched
# them all; `--allow-dirty` because this checks the files as they are, committed or not
# (`cargo publish` itself insists on a clean tree).
metadata=$(cargo metadata --no-deps --format-version 1 --locked --offline)
published=()
while read -r crate; do published+=(-p "$crate"); done < <(
  jq -r '.packages[] | select(.publish != []) | .name' <<<"$metadata"
)
# The published crates another one depends on, as cargo prints them when it compiles
# one from the local registry (`name vX.Y.Z`, no path).
mapfile -t depended_on < <(jq -r '[.packages[] | select(.publish != [])] as $published
  | $published[] | select(.name as $name
    | any($published[].dependencies[]; .name == $name and .kind != "dev"))
  | "\(.name) v\(.version)"' <<<"$metadata")
forget_packaged_crates
# One setting that changes how the verify compiles, not what: the workspace's own
# [profile.dev.build-override] (cargo leaves it out of packaged manifests), so the
# verify reuses the tests' syn, quote and sha2.
mkdir -p target
CARGO_PROFILE_DEV_BUILD_OVERRIDE_OPT_LEVEL=3 \
  cargo package --locked --offline --allow-dirty --color never "${published[@]}" 2>&1 |
  tee target/package-verify.log
for crate in "${depended_on[@]}"; do
  # Should cargo change what forget_packaged_crates relies on, these fail rather than
  # pass on old copies: the crate was compiled from the local registry, and every copy
  # cargo unpacked of it holds exactly the files it packaged.
  grep -qxE " +Compiling $crate" target/package-verify.log ||
    { echo "test-all: cargo package did not build $crate from its new .crate" >&2; exit 1; }
  unpacked=("$cargo_home"/registry/src/-*/"${crate/ v/-}")
  [ -d "${unpacked[0]}" ] ||
    { echo "test-all: no unpacked copy of $crate under $cargo_home/registry/src" >&2; exit 1; }
  for copy in "${unpacked[@]}"; do
    diff -r --exclude=.cargo-ok "$copy" "target/package/${crate/ v/-}" ||
      { echo "test-all: $copy is not the $crate just packaged" >&2; exit 1; }
  done
done

step "cargo test (release)"
# Doctests ran above: rustdoc compiles them with its own flags (debug assertions on) in
# either profile, so in release they would only mismatch crates built without them
# (rust-embed's derive picks its debug-mode code by `cfg(debug_assertions)`).
cargo test --workspace --locked --release --lib --bins --tests

step "all tests passed"
disk
