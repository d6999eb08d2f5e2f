//! Writes `$OUT_DIR/static`: 1,000 files of 4 KiB (CSS, JS, SVG and JSON text in 10
//! folders), deterministic, so every build embeds the same bytes.

use std::fmt::Write as _;
use std::path::Path;

const FILES: usize = 1000;
const SIZE: usize = 4096;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let Some(out) = std::env::var_os("OUT_DIR") else {
        return;
    };
    let root = Path::new(&out).join("static");
    let extensions = ["css", "js", "svg", "json"];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for index in 0..FILES {
        let ext = extensions[index % extensions.len()];
        let path = root.join(format!("dir{}/file{index:04}.{ext}", index % 10));
        let mut text = String::with_capacity(SIZE);
        while text.len() < SIZE - 32 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let _ = writeln!(text, ".c{:016x} {{ margin: {}px }}", state, state % 97);
        }
        text.truncate(SIZE - 1);
        text.push('\n');
        if std::fs::read(&path).ok().as_deref() != Some(text.as_bytes()) {
            if let Some(parent) = path.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
            if let Err(error) = std::fs::write(&path, text) {
                println!("cargo::error=cannot write {}: {error}", path.display());
            }
        }
    }
}
