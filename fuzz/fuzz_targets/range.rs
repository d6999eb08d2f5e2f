//! `hyper_assets::__fuzz::range` under libFuzzer; see `scripts/fuzz.sh`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hyper_assets::__fuzz::range(data));
