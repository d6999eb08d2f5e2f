//! Rebuild the tests when a fixture file is added or removed, and make the folders the
//! adapter tests embed with rust-embed that cannot live in the repository.

use std::path::Path;

fn main() {
    hyper_assets_build::watch("fixtures");
    if let Err(error) = adopt_folders() {
        println!("cargo::warning=cannot write the adapter test folders: {error}");
    }
}

/// `$OUT_DIR/adopt-live`: a file the rust-embed debug-mode test edits while it runs.
/// `$OUT_DIR/adopt-bad-name`: a name with a backslash, which no checkout should carry.
fn adopt_folders() -> std::io::Result<()> {
    let out = std::env::var_os("OUT_DIR").ok_or(std::io::ErrorKind::NotFound)?;
    let out = Path::new(&out);
    std::fs::create_dir_all(out.join("adopt-live"))?;
    std::fs::write(out.join("adopt-live/live.txt"), "as built\n")?;
    std::fs::create_dir_all(out.join("adopt-bad-name"))?;
    std::fs::write(out.join("adopt-bad-name/ok.css"), "a {}\n")?;
    std::fs::write(out.join("adopt-bad-name/back\\slash.css"), "b {}\n")?;
    Ok(())
}
