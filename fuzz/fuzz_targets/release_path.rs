//! `hyper_assets::__fuzz::release_path` under libFuzzer; see `scripts/fuzz.sh`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hyper_assets::__fuzz::release_path(data));
