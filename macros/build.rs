//! A build id for the macro's expansion cache: a new one whenever cargo rebuilds this
//! crate from changed sources (no `rerun-if-changed`, so any file of the package counts),
//! so an expansion cached by an older build of the macro or pipeline is never reused.

use std::time::{SystemTime, UNIX_EPOCH};

fn main() {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    println!("cargo:rustc-env=HYPER_ASSETS_BUILD_ID={now}");
}
