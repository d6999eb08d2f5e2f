//! SHA-256 over the exact bytes of a file.

use sha2::{Digest, Sha256};
use std::fmt;

/// How many hex characters of a [`ContentHash`] go into a hashed file name and into the
/// app version: 12 hex characters are 48 bits, as Django's `ManifestStaticFilesStorage`.
pub const SHORT_HASH_LEN: usize = 12;

/// The SHA-256 of a file's exact bytes.
///
/// ```
/// use hyper_assets_pipeline::ContentHash;
///
/// let hash = ContentHash::of(b"");
/// assert_eq!(hash.hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
/// assert_eq!(hash.short(), "e3b0c44298fc");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentHash([u8; 32]);

impl ContentHash {
    /// Hashes `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).into())
    }

    /// A SHA-256 digest computed elsewhere, such as rust-embed's compile-time
    /// `Metadata::sha256_hash()`, so the same bytes are not hashed twice.
    ///
    /// ```
    /// use hyper_assets_pipeline::ContentHash;
    ///
    /// let hash = ContentHash::of(b"abc");
    /// assert_eq!(ContentHash::from_digest(*hash.as_bytes()), hash);
    /// ```
    pub const fn from_digest(digest: [u8; 32]) -> Self {
        Self(digest)
    }

    /// The raw 32 bytes of the digest.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The full digest as 64 lowercase hex characters.
    pub fn hex(&self) -> String {
        let mut out = String::with_capacity(64);
        for byte in self.0 {
            out.push(hex_digit(byte >> 4));
            out.push(hex_digit(byte & 0x0f));
        }
        out
    }

    /// The first [`SHORT_HASH_LEN`] hex characters, as used in hashed file names.
    pub fn short(&self) -> String {
        let mut hex = self.hex();
        hex.truncate(SHORT_HASH_LEN);
        hex
    }
}

fn hex_digit(nibble: u8) -> char {
    char::from(b"0123456789abcdef"[usize::from(nibble)])
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
    }
}

impl fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContentHash({})", self.hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digest() {
        assert_eq!(
            ContentHash::of(b"abc").hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn short_is_a_prefix_of_hex() {
        let hash = ContentHash::of(b"hello");
        assert_eq!(hash.short().len(), SHORT_HASH_LEN);
        assert!(hash.hex().starts_with(&hash.short()));
    }
}
