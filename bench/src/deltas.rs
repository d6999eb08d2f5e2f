//! The bytes a returning visitor downloads after a deploy: one file's new version as
//! identity, `gzip` and `br` (what we serve without a dictionary), and as the `dcb` and
//! `dcz` deltas of RFC 9842 against the version the visitor holds, made by our own
//! pipeline (`hyper_assets_pipeline::encode_delta`). Beside them, the reference for how
//! small a delta can get: `zstd -19 --long --patch-from=OLD NEW` (the zstd CLI).
//!
//! ```text
//! bench-deltas OUT NAME GOAL LABEL OLD NEW [NAME GOAL LABEL OLD NEW ...]
//! ```
//!
//! GOAL is the target for the smaller delta as a percentage of `br` (`2`, `25`), or `-`.
//! Every delta is decoded by a reference decoder before it counts: `dcb` by the `brotli`
//! crate's decoder given the old file as its dictionary, `dcz` by the zstd CLI
//! (`zstd -d -D OLD` on the frame after its 40-byte header). A delta that does not give
//! the new file byte for byte fails the run. The deltas are left in OUT; the results are
//! printed as JSON on stdout, a summary with the targets on stderr.

use hyper_assets_pipeline::{compress, encode_delta, CompressionSettings, DeltaEncoding, Encoding};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// One pair: the file of the release the visitor holds, and the same file after the deploy.
struct Pair {
    name: String,
    goal: Option<f64>,
    label: String,
    old: PathBuf,
    new: PathBuf,
}

/// What one pair measured, in bytes (deltas with their 36- or 40-byte header).
struct Measured {
    old: usize,
    identity: usize,
    gzip: usize,
    br: usize,
    dcb: usize,
    dcz: usize,
    patch_from: usize,
    dcb_ms: f64,
    dcz_ms: f64,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((out, rest)) = args.split_first() else {
        return usage();
    };
    if rest.is_empty() || rest.len() % 5 != 0 {
        return usage();
    }
    let pairs: Vec<Pair> = rest
        .chunks(5)
        .map(|chunk| Pair {
            name: chunk[0].clone(),
            goal: chunk[1].parse().ok(),
            label: chunk[2].clone(),
            old: chunk[3].clone().into(),
            new: chunk[4].clone().into(),
        })
        .collect();
    let out = Path::new(out);
    if let Err(error) = std::fs::create_dir_all(out) {
        return fail(format!("cannot create {}: {error}", out.display()));
    }
    let zstd = match zstd_version() {
        Ok(version) => version,
        Err(error) => return fail(error),
    };
    let mut rows = Vec::new();
    for pair in &pairs {
        match measure(pair, out) {
            Ok(measured) => {
                summary(pair, &measured);
                rows.push(json_row(pair, &measured));
            }
            Err(error) => return fail(format!("{}: {error}", pair.name)),
        }
    }
    println!(
        "{{\n \"zstd\": {},\n \"pairs\": [\n  {}\n ]\n}}",
        json_string(&zstd),
        rows.join(",\n  ")
    );
    ExitCode::SUCCESS
}

fn measure(pair: &Pair, out: &Path) -> Result<Measured, String> {
    let read = |path: &Path| {
        std::fs::read(path).map_err(|error| format!("cannot read {}: {error}", path.display()))
    };
    let (old, new) = (read(&pair.old)?, read(&pair.new)?);
    let settings = CompressionSettings::default();
    let gzip = compress(&new, Encoding::Gzip, &settings).len();
    let br = compress(&new, Encoding::Brotli, &settings).len();
    let mut sizes = [0usize; 2];
    let mut millis = [0f64; 2];
    for (at, encoding) in [DeltaEncoding::Dcb, DeltaEncoding::Dcz]
        .into_iter()
        .enumerate()
    {
        let started = Instant::now();
        let delta = encode_delta(&old, &new, encoding)
            .ok_or_else(|| format!("no {} delta was made", encoding.token()))?;
        millis[at] = started.elapsed().as_secs_f64() * 1000.0;
        let path = out.join(format!("{}.{}", pair.name, encoding.token()));
        std::fs::write(&path, &delta)
            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
        let decoded = match encoding {
            DeltaEncoding::Dcb => decode_dcb(&old, &delta)?,
            DeltaEncoding::Dcz => decode_dcz(&pair.old, &delta, out, &pair.name)?,
        };
        if decoded != new {
            return Err(format!(
                "the {} delta decodes to {} bytes that are not the new file ({} bytes)",
                encoding.token(),
                decoded.len(),
                new.len()
            ));
        }
        sizes[at] = delta.len();
    }
    Ok(Measured {
        old: old.len(),
        identity: new.len(),
        gzip,
        br,
        dcb: sizes[0],
        dcz: sizes[1],
        patch_from: patch_from(&pair.old, &pair.new, out, &pair.name)?,
        dcb_ms: millis[0],
        dcz_ms: millis[1],
    })
}

/// `dcb` through the `brotli` crate's decoder, the old file as its custom dictionary,
/// after checking the header: `FF 44 43 42` and the dictionary's SHA-256.
fn decode_dcb(dictionary: &[u8], delta: &[u8]) -> Result<Vec<u8>, String> {
    let body = strip_header(delta, DeltaEncoding::Dcb, dictionary)?;
    let mut decoded = Vec::new();
    brotli::Decompressor::new_with_custom_dict(body, 4096, dictionary.to_vec().into())
        .read_to_end(&mut decoded)
        .map_err(|error| format!("the brotli decoder refuses the dcb delta: {error}"))?;
    Ok(decoded)
}

/// `dcz` through the zstd CLI: the frame after the 40-byte header, `zstd -d -D OLD`.
fn decode_dcz(old: &Path, delta: &[u8], out: &Path, name: &str) -> Result<Vec<u8>, String> {
    let dictionary = std::fs::read(old).map_err(|error| error.to_string())?;
    let frame = strip_header(delta, DeltaEncoding::Dcz, &dictionary)?;
    let (frame_path, decoded_path) = (
        out.join(format!("{name}.dcz.zst")),
        out.join(format!("{name}.dcz.decoded")),
    );
    std::fs::write(&frame_path, frame).map_err(|error| error.to_string())?;
    zstd(&[
        "-q",
        "-f",
        "-d",
        "-D",
        &old.to_string_lossy(),
        &frame_path.to_string_lossy(),
        "-o",
        &decoded_path.to_string_lossy(),
    ])?;
    std::fs::read(&decoded_path).map_err(|error| error.to_string())
}

/// The delta's body after its magic bytes and the dictionary's SHA-256, which must be
/// exactly these.
fn strip_header<'a>(
    delta: &'a [u8],
    encoding: DeltaEncoding,
    dictionary: &[u8],
) -> Result<&'a [u8], String> {
    use sha2::Digest;
    let magic = encoding.magic();
    let header = magic.len() + 32;
    if delta.len() < header || !delta.starts_with(magic) {
        return Err(format!("the {} delta has no {0} header", encoding.token()));
    }
    if delta[magic.len()..header] != sha2::Sha256::digest(dictionary)[..] {
        return Err(format!(
            "the {} delta's header names another dictionary",
            encoding.token()
        ));
    }
    Ok(&delta[header..])
}

/// The size of `zstd -19 --long --patch-from=OLD NEW` (a plain zstd frame: no header).
fn patch_from(old: &Path, new: &Path, out: &Path, name: &str) -> Result<usize, String> {
    let path = out.join(format!("{name}.patch-from.zst"));
    zstd(&[
        "-q",
        "-f",
        "-19",
        "--long",
        &format!("--patch-from={}", old.display()),
        &new.to_string_lossy(),
        "-o",
        &path.to_string_lossy(),
    ])?;
    let size = std::fs::metadata(&path)
        .map_err(|error| error.to_string())?
        .len();
    usize::try_from(size).map_err(|error| error.to_string())
}

fn zstd(args: &[&str]) -> Result<(), String> {
    let output = Command::new("zstd")
        .args(args)
        .output()
        .map_err(|error| format!("cannot run zstd: {error}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "zstd {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

fn zstd_version() -> Result<String, String> {
    let output = Command::new("zstd")
        .arg("-V")
        .output()
        .map_err(|error| format!("cannot run zstd: {error}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    Ok(text
        .split_whitespace()
        .find(|word| word.starts_with('v'))
        .map(|word| word.trim_end_matches(','))
        .unwrap_or("unknown")
        .to_owned())
}

fn summary(pair: &Pair, m: &Measured) {
    let best = m.dcb.min(m.dcz);
    let percent = 100.0 * best as f64 / m.br as f64;
    let bound = 1.3 * m.patch_from as f64 + 64.0;
    let verdict = |met: bool| if met { "met" } else { "MISSED" };
    eprintln!(
        "bench: deltas {}: identity {} gzip {} br {} dcb {} dcz {} (zstd --patch-from {}); \
         dcb {:.0} ms, dcz {:.0} ms",
        pair.name, m.identity, m.gzip, m.br, m.dcb, m.dcz, m.patch_from, m.dcb_ms, m.dcz_ms
    );
    if let Some(goal) = pair.goal {
        eprintln!(
            "bench: deltas {}: smaller delta {best} B = {percent:.2}% of br, target <= {goal}%: {}",
            pair.name,
            verdict(percent <= goal)
        );
    }
    eprintln!(
        "bench: deltas {}: smaller delta {best} B vs 1.3 x {} + 64 = {bound:.0} B: {}",
        pair.name,
        m.patch_from,
        verdict(best as f64 <= bound)
    );
}

fn json_row(pair: &Pair, m: &Measured) -> String {
    format!(
        "{{\"name\": {}, \"label\": {}, \"goal_percent_of_br\": {}, \"old\": {}, \
         \"identity\": {}, \"gzip\": {}, \"br\": {}, \"dcb\": {}, \"dcz\": {}, \
         \"patch_from\": {}, \"dcb_ms\": {:.1}, \"dcz_ms\": {:.1}}}",
        json_string(&pair.name),
        json_string(&pair.label),
        pair.goal.map_or("null".to_owned(), |goal| goal.to_string()),
        m.old,
        m.identity,
        m.gzip,
        m.br,
        m.dcb,
        m.dcz,
        m.patch_from,
        m.dcb_ms,
        m.dcz_ms
    )
}

fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn usage() -> ExitCode {
    fail("usage: bench-deltas OUT NAME GOAL LABEL OLD NEW [NAME GOAL LABEL OLD NEW ...]")
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("bench-deltas: {message}");
    ExitCode::FAILURE
}
