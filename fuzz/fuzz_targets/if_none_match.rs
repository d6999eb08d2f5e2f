//! `hyper_assets::__fuzz::if_none_match` under libFuzzer; see `scripts/fuzz.sh`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hyper_assets::__fuzz::if_none_match(data));
