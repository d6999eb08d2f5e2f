//! `hyper_assets::__fuzz::delta_request` under libFuzzer; see `scripts/fuzz.sh`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hyper_assets::__fuzz::delta_request(data));
