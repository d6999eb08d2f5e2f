#!/usr/bin/env bash
# Fuzzes hyper-assets' parsers of untrusted input with cargo-fuzz (libFuzzer, nightly):
# the request-path decoder, Range, If-None-Match/If-Match, Accept-Encoding, the delta
# request (Available-Dictionary with Accept-Encoding), the cookie
# and version-header parsers, the CSS/JS reference scanners and rewriter, and the glob
# matcher (the targets of `hyper_assets::__fuzz`). Not part of CI.
#
#   bash scripts/fuzz.sh              # every target for FUZZ_SECONDS (default 25) each
#   FUZZ_SECONDS=300 bash scripts/fuzz.sh range
#
# A crash fails the run; its input is copied to fuzz/regressions/<target>/, where
# tests/tests/fuzz_regressions.rs replays it on stable in every test run. The corpus
# grows in fuzz/corpus/ (not committed), seeded from fuzz/regressions/.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_SECONDS:-25}
TARGETS=(request_path range if_none_match accept_encoding routing_headers references glob release_path delta_request)
[ $# -gt 0 ] && TARGETS=("$@")

cargo +nightly --version >/dev/null 2>&1 || { echo "fuzz: needs the nightly toolchain (rustup toolchain install nightly)" >&2; exit 1; }
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz" >&2
  cargo install --locked cargo-fuzz
fi

cd fuzz
cargo +nightly fuzz build -O >/dev/null
failed=()
for target in "${TARGETS[@]}"; do
  rm -rf "artifacts/$target"
  mkdir -p "corpus/$target" "artifacts/$target" logs
  cp -n "regressions/$target/"* "corpus/$target/" 2>/dev/null || true
  echo "fuzz: $target for ${SECONDS_EACH}s" >&2
  if ! cargo +nightly fuzz run -O "$target" "corpus/$target" -- \
      -max_total_time="$SECONDS_EACH" -max_len=4096 -print_final_stats=1 \
      > "logs/$target.txt" 2>&1; then
    failed+=("$target")
    for crash in artifacts/"$target"/crash-* artifacts/"$target"/oom-* artifacts/"$target"/timeout-*; do
      [ -f "$crash" ] && cp "$crash" "regressions/$target/" && echo "fuzz: kept $crash in fuzz/regressions/$target/" >&2
    done
    grep -A12 "panicked" "logs/$target.txt" | head -20 >&2 || tail -30 "logs/$target.txt" >&2
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "logs/$target.txt" | sed "s/^/fuzz: $target: /" >&2 || true
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in ${failed[*]}; fix them, and keep the inputs in fuzz/regressions/" >&2
  exit 1
fi
echo "fuzz: ${#TARGETS[@]} targets ran clean for ${SECONDS_EACH}s each" >&2
