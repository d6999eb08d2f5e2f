// An embedded set over 32 MiB is a warning naming the largest files (denied here so that
// trybuild shows it).
#![deny(deprecated)]

hyper_assets::hyper_assets!("gen/large", compress = false);

fn main() {}
