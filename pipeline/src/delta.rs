//! Dictionary-compressed deltas between releases (RFC 9842, Compression Dictionary
//! Transport): a file of the new release compressed against the same file of an earlier
//! release, which the returning browser still holds.
//!
//! - A hashed response offers itself as a dictionary with [`use_as_dictionary`]: its
//!   `match` is the URL of the file's later versions (the hash replaced by `*`).
//! - The browser then sends `Available-Dictionary: :<base64 SHA-256>:`
//!   ([`parse_available_dictionary`]) and `dcb, dcz` in `Accept-Encoding`.
//! - The answer is a delta: `dcb` is `FF 44 43 42`, the dictionary's SHA-256 and a Brotli
//!   stream with the dictionary as a raw prefix; `dcz` is `5E 2A 4D 18 20 00 00 00`, the
//!   SHA-256 and a Zstandard frame with the dictionary as raw content.
//!
//! Deltas are made ahead of time ([`encode_delta`], with the `compress` feature) and
//! every delta read from disk is checked ([`decode_delta`]) before it is served.

use crate::integrity::base64;
use crate::ContentHash;

/// A dictionary-compressed content coding of RFC 9842.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeltaEncoding {
    /// `dcb`: Brotli with the dictionary as a raw prefix.
    Dcb,
    /// `dcz`: Zstandard with the dictionary as raw content.
    Dcz,
}

#[cfg(feature = "compress")]
/// The largest window a `dcb` stream uses: RFC 9842 caps it at 16 MiB (`lgwin` 24).
const DCB_LGWIN: i32 = 24;
#[cfg(feature = "compress")]
/// The largest window a `dcz` frame may need from a browser: max(8 MiB, 1.25 x the
/// dictionary), up to 128 MiB (RFC 9842, section 5.2). A delta that would need more is not
/// made.
const DCZ_MAX_WINDOW: usize = 128 << 20;
/// What the checks of a delta read from disk allow it to decode to.
pub const MAX_DELTA_TARGET: usize = 64 << 20;

impl DeltaEncoding {
    /// Both codings, `dcz` first: with the same size, the one whose decoder is cheaper.
    pub const ALL: [Self; 2] = [Self::Dcz, Self::Dcb];

    /// The `Content-Encoding` token.
    pub const fn token(self) -> &'static str {
        match self {
            Self::Dcb => "dcb",
            Self::Dcz => "dcz",
        }
    }

    /// The magic bytes before the dictionary's hash.
    pub const fn magic(self) -> &'static [u8] {
        match self {
            Self::Dcb => &[0xFF, 0x44, 0x43, 0x42],
            Self::Dcz => &[0x5E, 0x2A, 0x4D, 0x18, 0x20, 0x00, 0x00, 0x00],
        }
    }

    /// The length of the header: the magic and the 32-byte hash (36 or 40 bytes).
    pub const fn header_len(self) -> usize {
        self.magic().len() + 32
    }
}

/// The header of a delta: the coding's magic bytes and the dictionary's SHA-256.
pub fn delta_header(encoding: DeltaEncoding, dictionary: &ContentHash) -> Vec<u8> {
    let mut header = Vec::with_capacity(encoding.header_len());
    header.extend_from_slice(encoding.magic());
    header.extend_from_slice(dictionary.as_bytes());
    header
}

/// The delta from `dictionary` (an earlier release's bytes) to `target` in `encoding`,
/// framed as RFC 9842 says, at the highest compression level. `None` when the coding
/// cannot carry it within what browsers accept (a `dcz` window over 128 MiB).
#[cfg(feature = "compress")]
pub fn encode_delta(dictionary: &[u8], target: &[u8], encoding: DeltaEncoding) -> Option<Vec<u8>> {
    let hash = ContentHash::of(dictionary);
    let mut out = delta_header(encoding, &hash);
    match encoding {
        DeltaEncoding::Dcb => {
            use brotli::enc::{BrotliEncoderParams, StandardAlloc};
            use brotli::{IoReaderWrapper, IoWriterWrapper};
            let params = BrotliEncoderParams {
                quality: 11,
                // The smallest window that covers the dictionary and the file, within the
                // 16 MiB of RFC 9842: a larger window than needed gains nothing.
                lgwin: window_log(dictionary.len() + target.len()).clamp(16, DCB_LGWIN),
                ..Default::default()
            };
            let (mut input, mut output) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
            let mut reader = target;
            let written = brotli::BrotliCompressCustomIoCustomDict(
                &mut IoReaderWrapper(&mut reader),
                &mut IoWriterWrapper(&mut out),
                &mut input,
                &mut output,
                &params,
                StandardAlloc::default(),
                &mut |_, _, _, _| (),
                dictionary,
                std::io::Error::from(std::io::ErrorKind::UnexpectedEof),
            );
            written.ok()?;
        }
        DeltaEncoding::Dcz => {
            use std::io::Write;
            let window = dcz_window_log(dictionary.len(), target.len())?;
            let mut encoder = zstd::stream::write::Encoder::with_ref_prefix(
                &mut out,
                zstd::zstd_safe::max_c_level().min(19),
                dictionary,
            )
            .ok()?;
            encoder.window_log(window).ok()?;
            encoder.long_distance_matching(true).ok()?;
            encoder.include_checksum(true).ok()?;
            encoder.include_contentsize(true).ok()?;
            encoder
                .set_pledged_src_size(Some(target.len() as u64))
                .ok()?;
            encoder.write_all(target).ok()?;
            encoder.finish().ok()?;
        }
    }
    Some(out)
}

/// One pair to make deltas for: an earlier release's file (the dictionary) and the
/// current file with the same canonical path.
#[cfg(feature = "compress")]
#[derive(Debug, Clone, Copy)]
pub struct DeltaJob<'a> {
    /// The earlier bytes.
    pub dictionary: &'a [u8],
    /// The current bytes.
    pub target: &'a [u8],
    /// The current bytes' hash.
    pub target_hash: &'a ContentHash,
    /// The size of the target's `br` variant: a delta is kept only when it is smaller.
    pub brotli_len: usize,
}

/// A delta made and checked: it decodes against its dictionary to the target's bytes.
#[cfg(feature = "compress")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delta {
    /// The dictionary's SHA-256.
    pub dictionary: ContentHash,
    /// The coding.
    pub encoding: DeltaEncoding,
    /// The framed bytes (header included).
    pub bytes: Vec<u8>,
    /// The cache file holding exactly these bytes, if cached.
    pub cached_at: Option<std::path::PathBuf>,
}

/// The `dcb` and `dcz` deltas of every job, on every core, each kept only when it is
/// smaller than the job's `br` variant and decodes to the target. Results are kept in
/// `cache` (keyed by both hashes), so a build that changed nothing makes none again;
/// a cached delta is checked again before it is used.
#[cfg(feature = "compress")]
pub fn make_deltas(cache: &crate::CompressionCache, jobs: &[DeltaJob<'_>]) -> Vec<Vec<Delta>> {
    let tasks: Vec<(usize, DeltaEncoding)> = (0..jobs.len())
        .flat_map(|job| DeltaEncoding::ALL.map(|encoding| (job, encoding)))
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(tasks.len().max(1));
    let mut made: Vec<Vec<(usize, Delta)>> = Vec::new();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let at = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&(job, encoding)) = tasks.get(at) else {
                            break;
                        };
                        if let Some(delta) = one_delta(cache, &jobs[job], encoding) {
                            out.push((job, delta));
                        }
                    }
                    out
                })
            })
            .collect();
        made = workers.into_iter().filter_map(|w| w.join().ok()).collect();
    });
    let mut deltas: Vec<Vec<Delta>> = vec![Vec::new(); jobs.len()];
    for (job, delta) in made.into_iter().flatten() {
        deltas[job].push(delta);
    }
    for list in &mut deltas {
        list.sort_by_key(|delta| (delta.dictionary, delta.encoding));
    }
    deltas
}

#[cfg(feature = "compress")]
fn one_delta(
    cache: &crate::CompressionCache,
    job: &DeltaJob<'_>,
    encoding: DeltaEncoding,
) -> Option<Delta> {
    let dictionary = ContentHash::of(job.dictionary);
    let token = encoding.token();
    let path = cache.dir().map(|dir| {
        dir.join(format!(
            "{}-{}.{token}",
            job.target_hash.hex(),
            dictionary.hex()
        ))
    });
    let none = path
        .as_ref()
        .map(|p| p.with_extension(format!("{token}.none")));
    let checked = |bytes: &[u8]| {
        decode_delta(job.dictionary, bytes, encoding, job.target.len())
            .is_ok_and(|decoded| decoded == job.target)
    };
    if let (Some(path), Some(none)) = (&path, &none) {
        if none.exists() {
            return None;
        }
        if let Ok(bytes) = std::fs::read(path) {
            if checked(&bytes) {
                return Some(Delta {
                    dictionary,
                    encoding,
                    bytes,
                    cached_at: Some(path.clone()),
                });
            }
        }
    }
    let bytes = encode_delta(job.dictionary, job.target, encoding)
        .filter(|bytes| bytes.len() < job.brotli_len && checked(bytes));
    let cached_at = match (&path, &none) {
        (Some(path), Some(none)) => cache.store(path, none, bytes.as_deref()),
        _ => None,
    };
    Some(Delta {
        dictionary,
        encoding,
        bytes: bytes?,
        cached_at,
    })
}

#[cfg(feature = "compress")]
/// The base-2 log of the smallest power of two at or above `len`.
fn window_log(len: usize) -> i32 {
    let bits = usize::BITS - len.max(1).saturating_sub(1).leading_zeros();
    i32::try_from(bits).unwrap_or(i32::MAX)
}

#[cfg(feature = "compress")]
/// The `dcz` window: one that reaches back over the whole dictionary from the end of the
/// file, within what a browser accepts for this dictionary.
fn dcz_window_log(dictionary: usize, target: usize) -> Option<u32> {
    let allowed = (dictionary + dictionary / 4).clamp(8 << 20, DCZ_MAX_WINDOW);
    let log = window_log(dictionary + target).max(10);
    let log = u32::try_from(log).ok()?;
    (1usize << log <= allowed || dictionary + target <= allowed).then_some(log.min(27))
}

/// Decodes the delta `delta` against `dictionary`: its header must name exactly the
/// dictionary's SHA-256, and the output may not exceed `limit` bytes.
///
/// # Errors
/// A sentence saying what is wrong: another coding's or no magic, another dictionary's
/// hash, a stream that does not decode, or an output over `limit`.
#[cfg(feature = "deltas")]
pub fn decode_delta(
    dictionary: &[u8],
    delta: &[u8],
    encoding: DeltaEncoding,
    limit: usize,
) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let header = encoding.header_len();
    if delta.len() < header || !delta.starts_with(encoding.magic()) {
        return Err(format!(
            "it does not start with the {} header",
            encoding.token()
        ));
    }
    if delta[encoding.magic().len()..header] != *ContentHash::of(dictionary).as_bytes() {
        return Err("its header names another dictionary".to_owned());
    }
    let body = &delta[header..];
    let mut out = Vec::new();
    let limit_u64 = limit as u64 + 1;
    let read = match encoding {
        DeltaEncoding::Dcb => {
            let reader = brotli_decompressor::Decompressor::new_with_custom_dict(
                body,
                4096,
                dictionary.to_vec().into(),
            );
            reader.take(limit_u64).read_to_end(&mut out)
        }
        DeltaEncoding::Dcz => {
            let mut decoder = zstd::stream::read::Decoder::with_ref_prefix(body, dictionary)
                .map_err(|error| format!("its zstd frame cannot start: {error}"))?;
            // The window RFC 9842 lets a browser refuse beyond (log 27 is 128 MiB).
            decoder
                .window_log_max(27)
                .map_err(|error| format!("its zstd frame cannot start: {error}"))?;
            decoder.take(limit_u64).read_to_end(&mut out)
        }
    };
    read.map_err(|error| format!("it does not decode: {error}"))?;
    if out.len() > limit {
        return Err(format!("it decodes to more than {limit} bytes"));
    }
    Ok(out)
}

/// The `Use-As-Dictionary` value of a hashed URL of this `Content-Type`: its `match` is
/// the URL path with the hash replaced by `*` (later versions of the same file), with
/// URL-pattern special characters escaped; `match-dest` is `("script")` or `("style")`
/// for scripts and stylesheets and left out for the rest (`fetch()` has no destination).
/// `None` for a type that does not compress, or a URL with no hash.
///
/// ```
/// use hyper_assets_pipeline::use_as_dictionary;
///
/// assert_eq!(
///     use_as_dictionary("/static/js/app.0123456789ab.js", "text/javascript; charset=utf-8").as_deref(),
///     Some(r#"match="/static/js/app.*.js", match-dest=("script")"#)
/// );
/// assert_eq!(
///     use_as_dictionary("https://cdn.example/s/data.0123456789ab.json", "application/json").as_deref(),
///     Some(r#"match="/s/data.*.json""#)
/// );
/// assert_eq!(use_as_dictionary("/static/logo.0123456789ab.png", "image/png"), None);
/// ```
pub fn use_as_dictionary(url: &str, content_type: &str) -> Option<String> {
    if !crate::is_compressible(content_type) {
        return None;
    }
    let path = url_path(url);
    let (directory, name) = match path.rsplit_once('/') {
        Some((directory, name)) => (&path[..=directory.len()], name),
        None => ("", path),
    };
    let (stem, hash, extension) = split_hash(name)?;
    let mut pattern = String::with_capacity(path.len() + 8);
    escape_pattern(directory, &mut pattern);
    escape_pattern(stem, &mut pattern);
    pattern.push_str(".*");
    debug_assert_eq!(hash.len(), crate::SHORT_HASH_LEN);
    escape_pattern(extension, &mut pattern);
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let destination = if matches!(essence, "text/javascript" | "application/javascript") {
        ", match-dest=(\"script\")"
    } else if essence == "text/css" {
        ", match-dest=(\"style\")"
    } else {
        ""
    };
    // A structured-field String: `\` and `"` escaped (the pattern's own `\` included).
    let mut value = String::with_capacity(pattern.len() + 32);
    value.push_str("match=\"");
    for c in pattern.chars() {
        if c == '\\' || c == '"' {
            value.push('\\');
        }
        value.push(c);
    }
    value.push('"');
    value.push_str(destination);
    value.is_ascii().then_some(value)
}

/// The path of a URL: after `scheme://host`, or after `//host`, or the whole of it.
fn url_path(url: &str) -> &str {
    let rest = match url.split_once("://") {
        Some((_, rest)) => rest,
        None => match url.strip_prefix("//") {
            Some(rest) => rest,
            None => return url,
        },
    };
    rest.find('/').map_or("/", |slash| &rest[slash..])
}

/// `app.0123456789ab.js` as (`app`, `0123456789ab`, `.js`); the hash is the last
/// dot-separated part of 12 hex digits before the extension (or at the end).
fn split_hash(name: &str) -> Option<(&str, &str, &str)> {
    let is_hash = |part: &str| {
        part.len() == crate::SHORT_HASH_LEN
            && part.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    };
    let (before, last) = name.rsplit_once('.')?;
    if is_hash(last) && !before.is_empty() {
        return Some((before, last, ""));
    }
    let (stem, hash) = before.rsplit_once('.')?;
    (is_hash(hash) && !stem.is_empty()).then(|| (stem, hash, &name[before.len()..]))
}

/// Escapes the URL-pattern syntax characters of a literal path part.
fn escape_pattern(text: &str, out: &mut String) {
    for c in text.chars() {
        if matches!(c, '*' | ':' | '(' | ')' | '{' | '}' | '\\' | '+' | '?') {
            out.push('\\');
        }
        out.push(c);
    }
}

/// The SHA-256 an `Available-Dictionary` value names: exactly one structured-field Byte
/// Sequence (`:<base64>:`) of 32 bytes. Anything else (several values, garbage, another
/// length) is `None`: treated as no dictionary.
///
/// ```
/// use hyper_assets_pipeline::{parse_available_dictionary, ContentHash};
///
/// let hash = ContentHash::of(b"old");
/// let value = format!(":{}:", hyper_assets_pipeline::dictionary_base64(&hash));
/// assert_eq!(parse_available_dictionary(value.as_bytes()), Some(hash));
/// assert_eq!(parse_available_dictionary(b":AAAA:"), None);
/// assert_eq!(parse_available_dictionary(b"garbage"), None);
/// ```
pub fn parse_available_dictionary(value: &[u8]) -> Option<ContentHash> {
    // Optional surrounding spaces, as a field parser strips them.
    let inner = value
        .trim_ascii_start()
        .trim_ascii_end()
        .strip_prefix(b":")?
        .strip_suffix(b":")?;
    // 32 bytes are 44 base64 characters with one `=` of padding. On every request that
    // names a dictionary: one table lookup per character, four characters at a time.
    let inner: &[u8; 44] = inner.try_into().ok()?;
    if inner[43] != b'=' {
        return None;
    }
    let sextet = |c: u8| match BASE64_VALUES[usize::from(c)] {
        INVALID => None,
        v => Some(u32::from(v)),
    };
    let mut digest = [0u8; 32];
    for (group, out) in inner[..40].chunks_exact(4).zip(digest.chunks_exact_mut(3)) {
        let n = sextet(group[0])? << 18
            | sextet(group[1])? << 12
            | sextet(group[2])? << 6
            | sextet(group[3])?;
        out.copy_from_slice(&n.to_be_bytes()[1..]);
    }
    let n = sextet(inner[40])? << 12 | sextet(inner[41])? << 6 | sextet(inner[42])?;
    // The 2 bits left over must be zero (canonical base64).
    if n & 0b11 != 0 {
        return None;
    }
    digest[30] = (n >> 10) as u8;
    digest[31] = (n >> 2) as u8;
    Some(ContentHash::from_digest(digest))
}

/// Not a base64 character.
const INVALID: u8 = 0xFF;

/// The value of each byte as a standard base64 character, or [`INVALID`].
const BASE64_VALUES: [u8; 256] = {
    let mut table = [INVALID; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut i = 0;
    while i < 64 {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// The standard base64 of a dictionary's SHA-256, as `Available-Dictionary` carries it.
pub fn dictionary_base64(hash: &ContentHash) -> String {
    base64(hash.as_bytes())
}

/// Where a release folder keeps the delta of `hashed` against a dictionary: beside the
/// file, in `<hashed>.dcb/` or `<hashed>.dcz/`, named by the dictionary's base64 SHA-256
/// exactly as `Available-Dictionary` carries it (a `/` of base64 makes a sub-folder), and
/// ending in the file's own extension, so a server that types files by extension (nginx)
/// gives the delta the file's `Content-Type`.
///
/// ```
/// use hyper_assets_pipeline::{delta_file_name, ContentHash, DeltaEncoding};
///
/// let name = delta_file_name("js/app.0123456789ab.js", &ContentHash::of(b"old"), DeltaEncoding::Dcz);
/// assert!(name.starts_with("js/app.0123456789ab.js.dcz/") && name.ends_with("=.js"), "{name}");
/// ```
pub fn delta_file_name(hashed: &str, dictionary: &ContentHash, encoding: DeltaEncoding) -> String {
    let name = hashed.rsplit('/').next().unwrap_or(hashed);
    let extension = split_hash(name).map_or("", |(_, _, extension)| extension);
    format!(
        "{hashed}.{}/{}{extension}",
        encoding.token(),
        dictionary_base64(dictionary)
    )
}

/// The parts of a delta's name in a release folder: the target's hashed name, the
/// coding, and the dictionary's SHA-256. `None` for any other name.
pub fn parse_delta_file_name(name: &str) -> Option<(String, DeltaEncoding, ContentHash)> {
    for encoding in DeltaEncoding::ALL {
        let marker = format!(".{}/", encoding.token());
        let Some(at) = name.find(&marker) else {
            continue;
        };
        let hashed = &name[..at];
        let rest = &name[at + marker.len()..];
        let target_name = hashed.rsplit('/').next().unwrap_or(hashed);
        let extension = split_hash(target_name).map_or("", |(_, _, extension)| extension);
        let encoded = rest.strip_suffix(extension)?;
        let hash = parse_available_dictionary(format!(":{encoded}:").as_bytes())?;
        return (delta_file_name(hashed, &hash, encoding) == name)
            .then(|| (hashed.to_owned(), encoding, hash));
    }
    None
}

#[cfg(all(test, feature = "compress"))]
mod tests {
    use super::*;

    fn versions() -> (Vec<u8>, Vec<u8>) {
        let old: String = (0..4000)
            .map(|i| {
                format!(
                    ".rule-{i} {{ color: #{:06x}; margin: {}px; }}\n",
                    i * 7919,
                    i % 13
                )
            })
            .collect();
        let new = old.replace(".rule-1234 { color", ".rule-1234 { background");
        (old.into_bytes(), new.into_bytes())
    }

    #[test]
    fn deltas_round_trip_and_are_small() {
        let (old, new) = versions();
        let br = crate::compress(&new, crate::Encoding::Brotli, &Default::default());
        for encoding in DeltaEncoding::ALL {
            let delta = encode_delta(&old, &new, encoding).unwrap();
            assert!(delta.starts_with(encoding.magic()));
            assert_eq!(
                &delta[encoding.magic().len()..encoding.header_len()],
                ContentHash::of(&old).as_bytes()
            );
            assert!(
                delta.len() * 50 < br.len(),
                "{encoding:?}: {} vs br {}",
                delta.len(),
                br.len()
            );
            assert_eq!(decode_delta(&old, &delta, encoding, 1 << 30).unwrap(), new);
            // Against another dictionary, or past a limit, or tampered: refused.
            assert!(decode_delta(&new, &delta, encoding, 1 << 30).is_err());
            assert!(decode_delta(&old, &delta, encoding, new.len() - 1).is_err());
            let mut bad = delta.clone();
            let last = bad.len() - 3;
            bad[last] ^= 0x55;
            assert_ne!(
                decode_delta(&old, &bad, encoding, 1 << 30).ok(),
                Some(new.clone())
            );
        }
    }

    #[test]
    fn a_plain_zstd_decoder_given_the_dictionary_as_a_prefix_decodes_our_dcz() {
        // The zstd command line decodes them in the nginx delta test; here, the zstd
        // crate's plain decoder, past the 40-byte header.
        let (old, new) = versions();
        let delta = encode_delta(&old, &new, DeltaEncoding::Dcz).unwrap();
        let mut decoder =
            zstd::stream::read::Decoder::with_ref_prefix(&delta[40..], &old[..]).unwrap();
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut decoder, &mut out).unwrap();
        assert_eq!(out, new);
    }

    #[test]
    fn deltas_are_made_on_every_core_cached_and_checked() {
        let (old, new) = versions();
        let hash = ContentHash::of(&new);
        let dir = std::env::temp_dir().join(format!("hyper-assets-deltas-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cache = crate::CompressionCache::new(Some(dir.clone()));
        let jobs = [
            DeltaJob {
                dictionary: &old,
                target: &new,
                target_hash: &hash,
                brotli_len: 10_000,
            },
            // A delta no smaller than `br` is not kept.
            DeltaJob {
                dictionary: &old,
                target: &new,
                target_hash: &hash,
                brotli_len: 10,
            },
        ];
        let made = make_deltas(&cache, &jobs[..1]);
        assert_eq!(made[0].len(), 2);
        let path = made[0][0].cached_at.clone().unwrap();
        // A corrupt cache file is made again, never used.
        std::fs::write(&path, b"corrupt").unwrap();
        let again = make_deltas(&cache, &jobs[..1]);
        assert_eq!(again[0][0].bytes, made[0][0].bytes);
        let _ = std::fs::remove_dir_all(&dir);
        let uncached = make_deltas(&crate::CompressionCache::new(None), &jobs[1..]);
        assert!(uncached[0].is_empty());
    }

    #[test]
    fn use_as_dictionary_escapes_and_types() {
        assert_eq!(
            use_as_dictionary(
                "/static/css/a(b).0123456789ab.css",
                "text/css; charset=utf-8"
            )
            .as_deref(),
            Some(r#"match="/static/css/a\\(b\\).*.css", match-dest=("style")"#)
        );
        assert_eq!(
            use_as_dictionary("/s/m.0123456789ab.wasm", "application/wasm").as_deref(),
            Some(r#"match="/s/m.*.wasm""#)
        );
        assert_eq!(use_as_dictionary("/s/app.js", "text/javascript"), None);
        assert_eq!(
            use_as_dictionary("//cdn.example/s/LICENSE.0123456789ab", "text/plain").as_deref(),
            Some(r#"match="/s/LICENSE.*""#)
        );
    }

    #[test]
    fn available_dictionary_values() {
        let hash = ContentHash::of(b"x");
        let good = format!(":{}:", dictionary_base64(&hash));
        assert_eq!(parse_available_dictionary(good.as_bytes()), Some(hash));
        assert_eq!(
            parse_available_dictionary(format!("  {good} ").as_bytes()),
            Some(hash)
        );
        for bad in [
            format!("{good}, {good}"),
            good.replace(':', ""),
            "x".repeat(10_000),
            String::new(),
            format!(":{}:", "A".repeat(44)),
        ] {
            assert_eq!(parse_available_dictionary(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn delta_names_round_trip() {
        for seed in 0..200u32 {
            let hash = ContentHash::of(&seed.to_le_bytes());
            for encoding in DeltaEncoding::ALL {
                for hashed in ["js/app.0123456789ab.js", "LICENSE.0123456789ab"] {
                    let name = delta_file_name(hashed, &hash, encoding);
                    assert_eq!(
                        parse_delta_file_name(&name),
                        Some((hashed.to_owned(), encoding, hash))
                    );
                }
            }
        }
        assert_eq!(parse_delta_file_name("js/app.0123456789ab.js"), None);
        assert_eq!(
            parse_delta_file_name("js/app.0123456789ab.js.dcz/../x"),
            None
        );
    }
}
