//! Precompressed variants (brotli, gzip), made at build time and cached between builds.

use crate::content_hash::ContentHash;
#[cfg(test)]
use crate::content_type::is_compressible;
use std::io::Write;
use std::path::{Path, PathBuf};

/// How variants are made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompressionSettings {
    /// Brotli quality, 0 to 11 (default 11: the smallest output).
    pub brotli_quality: u32,
    /// Gzip level, 0 to 9 (default 9).
    pub gzip_level: u32,
    /// Files smaller than this are not compressed (default 1024 bytes: below that the
    /// header overhead eats the gain).
    pub min_size: usize,
}

impl Default for CompressionSettings {
    fn default() -> Self {
        Self {
            brotli_quality: 11,
            gzip_level: 9,
            min_size: 1024,
        }
    }
}

/// A content coding the server can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Encoding {
    /// `br`
    Brotli,
    /// `gzip`
    Gzip,
}

impl Encoding {
    /// The `Content-Encoding` token.
    pub const fn token(self) -> &'static str {
        match self {
            Self::Brotli => "br",
            Self::Gzip => "gzip",
        }
    }

    /// The file extension of a collected sibling (`.br`, `.gz`).
    pub const fn extension(self) -> &'static str {
        match self {
            Self::Brotli => "br",
            Self::Gzip => "gz",
        }
    }
}

/// Compresses `bytes` with `encoding`.
pub fn compress(bytes: &[u8], encoding: Encoding, settings: &CompressionSettings) -> Vec<u8> {
    match encoding {
        Encoding::Brotli => {
            let mut out = Vec::with_capacity(bytes.len() / 3);
            let params = brotli::enc::BrotliEncoderParams {
                quality: settings.brotli_quality.min(11) as i32,
                lgwin: 22,
                ..Default::default()
            };
            let mut reader = bytes;
            // Writing to a Vec cannot fail.
            let _ = brotli::BrotliCompress(&mut reader, &mut out, &params);
            out
        }
        Encoding::Gzip => {
            let level = flate2::Compression::new(settings.gzip_level.min(9));
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 3), level);
            let _ = encoder.write_all(bytes);
            encoder.finish().unwrap_or_default()
        }
    }
}

/// Where compressed variants are kept between builds, keyed by content hash and settings,
/// so a build that changed only Rust code compresses nothing.
#[derive(Debug, Clone)]
pub struct CompressionCache {
    dir: Option<PathBuf>,
}

/// One variant: its bytes, and the cache file holding them when there is a cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// The coding.
    pub encoding: Encoding,
    /// The compressed bytes.
    pub bytes: Vec<u8>,
    /// The cache file with exactly these bytes, if cached.
    pub cached_at: Option<PathBuf>,
}

impl CompressionCache {
    /// A cache in `dir` (created on first use), or none.
    pub fn new(dir: Option<PathBuf>) -> Self {
        Self { dir }
    }

    /// The cache directory.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The `encoding` variant of a file with these bytes and hash, when it is smaller
    /// than the file; made once and then read from the cache.
    pub fn variant(
        &self,
        bytes: &[u8],
        hash: &ContentHash,
        encoding: Encoding,
        settings: &CompressionSettings,
    ) -> Option<Variant> {
        let setting = match encoding {
            Encoding::Brotli => settings.brotli_quality,
            Encoding::Gzip => settings.gzip_level,
        };
        let path = self
            .dir
            .as_ref()
            .map(|dir| dir.join(format!("{}.{}{setting}", hash.hex(), encoding.extension())));
        let none_marker = path
            .as_ref()
            .map(|p| p.with_extension(format!("{}{setting}.none", encoding.extension())));
        if let (Some(path), Some(none)) = (&path, &none_marker) {
            if none.exists() {
                return None;
            }
            if let Ok(cached) = std::fs::read(path) {
                return Some(Variant {
                    encoding,
                    bytes: cached,
                    cached_at: Some(path.clone()),
                });
            }
        }
        let compressed = compress(bytes, encoding, settings);
        let smaller = compressed.len() < bytes.len();
        let cached_at = match (&path, &none_marker) {
            (Some(path), Some(none)) => self.store(path, none, smaller.then_some(&compressed[..])),
            _ => None,
        };
        smaller.then_some(Variant {
            encoding,
            bytes: compressed,
            cached_at,
        })
    }
}

impl CompressionCache {
    /// Writes `bytes` to `path`, or an empty `none` marker when there are none (the
    /// output was not worth keeping); the path written to, when `bytes` were.
    pub(crate) fn store(&self, path: &Path, none: &Path, bytes: Option<&[u8]>) -> Option<PathBuf> {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        // Write then rename, so a concurrent build never reads half a file.
        let target = if bytes.is_some() { path } else { none };
        static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let mut temporary = target.to_path_buf().into_os_string();
        temporary.push(format!(
            ".tmp{}-{}",
            std::process::id(),
            WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let temporary = PathBuf::from(temporary);
        let written = std::fs::write(&temporary, bytes.unwrap_or_default())
            .and_then(|()| std::fs::rename(&temporary, target));
        (written.is_ok() && bytes.is_some()).then(|| path.to_path_buf())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn text() -> Vec<u8> {
        "body { color: red; margin: 0 auto; }\n"
            .repeat(200)
            .into_bytes()
    }

    #[test]
    fn variants_round_trip() {
        let bytes = text();
        let settings = CompressionSettings::default();
        let br = compress(&bytes, Encoding::Brotli, &settings);
        let mut decoded = Vec::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_end(&mut decoded)
            .unwrap();
        assert_eq!(decoded, bytes);
        let gz = compress(&bytes, Encoding::Gzip, &settings);
        let mut decoded = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut decoded)
            .unwrap();
        assert_eq!(decoded, bytes);
        assert!(br.len() < gz.len());
    }

    #[test]
    fn cache_reuses_and_records_useless_variants() {
        let dir =
            std::env::temp_dir().join(format!("hyper-assets-compress-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cache = CompressionCache::new(Some(dir.clone()));
        let settings = CompressionSettings::default();
        let bytes = text();
        let hash = ContentHash::of(&bytes);
        let made = cache
            .variant(&bytes, &hash, Encoding::Brotli, &settings)
            .unwrap();
        let path = made.cached_at.unwrap();
        // Prove the second call reads the cache: change the cached file.
        std::fs::write(&path, b"cached").unwrap();
        let again = cache
            .variant(&bytes, &hash, Encoding::Brotli, &settings)
            .unwrap();
        assert_eq!(again.bytes, b"cached");
        // Random-looking bytes do not shrink: no variant, remembered.
        let noise: Vec<u8> = (0..128u32)
            .flat_map(|i| *ContentHash::of(&i.to_le_bytes()).as_bytes())
            .collect();
        let noise_hash = ContentHash::of(&noise);
        assert!(cache
            .variant(&noise, &noise_hash, Encoding::Gzip, &settings)
            .is_none());
        assert!(std::fs::read_dir(&dir).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".none")));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn what_is_compressible() {
        assert!(is_compressible("text/css; charset=utf-8"));
        assert!(is_compressible("image/svg+xml; charset=utf-8"));
        assert!(is_compressible("application/wasm"));
        assert!(!is_compressible("font/woff2"));
        assert!(!is_compressible("image/png"));
    }
}
