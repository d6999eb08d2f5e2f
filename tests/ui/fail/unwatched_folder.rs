// A crate whose build script does not watch its static folder gets a note (a warning,
// made an error here so that the case fails to compile and shows it).
#![deny(deprecated)]

hyper_assets::hyper_assets!("unwatched");

fn main() {}
