//! The `POST /cache/bust` token: the same derivation as HyperDjango, so existing deploy
//! scripts keep working.

use crate::settings::Settings;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Length of the token in hex characters.
pub const TOKEN_LEN: usize = 32;

/// The bearer token for `POST /cache/bust`: the first 32 hex characters of
/// HMAC-SHA256 keyed with `secret_key`'s UTF-8 bytes over the message `cache-bust`.
///
/// ```
/// assert_eq!(
///     hyper_assets::version::cache_bust_token("s3cret"),
///     hyper_assets::version::cache_bust_token("s3cret"),
/// );
/// assert_eq!(hyper_assets::version::cache_bust_token("s3cret").len(), 32);
/// ```
pub fn cache_bust_token(secret_key: &str) -> String {
    let mut mac = hmac_with(secret_key);
    mac.update(b"cache-bust");
    let digest: [u8; 32] = mac.finalize().into_bytes().into();
    let mut hex = hyper_assets_pipeline::ContentHash::from_digest(digest).hex();
    hex.truncate(TOKEN_LEN);
    hex
}

fn hmac_with(key: &str) -> Hmac<Sha256> {
    // HMAC takes keys of any length; this cannot fail.
    match Hmac::<Sha256>::new_from_slice(key.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts every key length"),
    }
}

// Here rather than in `settings.rs`: the settings sit below the version room.
impl Settings {
    /// The bearer token of `POST /cache/bust`, derived from `SECRET_KEY` (see
    /// [`cache_bust_token`]); `None` without a key.
    pub fn cache_bust_token(&self) -> Option<String> {
        let key = self.secret_key()?;
        Some(cache_bust_token(key.expose()))
    }
}

/// Whether `presented` is the token for `secret_key`, compared in constant time.
pub(crate) fn verify(secret_key: &str, presented: &[u8]) -> bool {
    let expected = cache_bust_token(secret_key);
    expected.as_bytes().ct_eq(presented).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vector() {
        // python3 -c "import hmac,hashlib;print(hmac.new(b'test-secret',b'cache-bust',hashlib.sha256).hexdigest()[:32])"
        assert_eq!(
            cache_bust_token("test-secret"),
            "11fd29511a12efc4b626f9de1de0411b"
        );
    }

    #[test]
    fn verify_compares_whole_tokens() {
        let token = cache_bust_token("k");
        assert!(verify("k", token.as_bytes()));
        assert!(!verify("k", &token.as_bytes()[..31]));
        assert!(!verify("k", format!("{token}0").as_bytes()));
        assert!(!verify("other", token.as_bytes()));
        assert!(!verify("k", b""));
    }
}
