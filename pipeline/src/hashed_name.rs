//! The naming rule: the short hash goes before the last extension of the file name.

use crate::content_hash::{ContentHash, SHORT_HASH_LEN};

/// The content-hashed name of `canonical` (a `/`-separated path relative to the static
/// folder): the first 12 hex characters of the hash go before the last extension of the
/// file name, and folders are kept as they are.
///
/// | canonical | hashed |
/// |---|---|
/// | `css/styles.css` | `css/styles.<12hex>.css` |
/// | `js/app.min.js` | `js/app.min.<12hex>.js` |
/// | `LICENSE` | `LICENSE.<12hex>` |
/// | `.well-known/security.txt` | `.well-known/security.<12hex>.txt` |
/// | `.htaccess` (a leading dot is not an extension) | `.htaccess.<12hex>` |
///
/// ```
/// use hyper_assets_pipeline::{hashed_name, ContentHash};
///
/// let hash = ContentHash::of(b"x");
/// let short = hash.short();
/// assert_eq!(hashed_name("js/app.min.js", &hash), format!("js/app.min.{short}.js"));
/// assert_eq!(hashed_name("LICENSE", &hash), format!("LICENSE.{short}"));
/// ```
pub fn hashed_name(canonical: &str, hash: &ContentHash) -> String {
    insert_hash(canonical, &hash.short())
}

fn insert_hash(canonical: &str, short: &str) -> String {
    let name_start = canonical.rfind('/').map_or(0, |slash| slash + 1);
    let name = &canonical[name_start..];
    let mut out = String::with_capacity(canonical.len() + short.len() + 1);
    match name.rfind('.').filter(|&dot| dot > 0) {
        Some(dot) => {
            let split = name_start + dot;
            out.push_str(&canonical[..split]);
            out.push('.');
            out.push_str(short);
            out.push_str(&canonical[split..]);
        }
        None => {
            out.push_str(canonical);
            out.push('.');
            out.push_str(short);
        }
    }
    out
}

/// The inverse of [`hashed_name`] for any hash: splits a hashed path into the canonical
/// path it was made from and the 12 hex characters in it, or `None` when `path` is not of
/// that shape. The runtime uses it to recognise a request for another build's hash.
///
/// ```
/// use hyper_assets_pipeline::split_hashed_name;
///
/// assert_eq!(
///     split_hashed_name("css/styles.0123456789ab.css"),
///     Some(("css/styles.css".to_owned(), "0123456789ab"))
/// );
/// assert_eq!(split_hashed_name("css/styles.css"), None);
/// ```
pub fn split_hashed_name(path: &str) -> Option<(String, &str)> {
    let name_start = path.rfind('/').map_or(0, |slash| slash + 1);
    let name = &path[name_start..];
    // Either `stem.<hash>.ext` (the hash before the last extension) or `name.<hash>`.
    let candidates = [name.rfind('.'), Some(name.len())];
    for end in candidates.into_iter().flatten() {
        let Some(dot) = end.checked_sub(SHORT_HASH_LEN + 1) else {
            continue;
        };
        // Byte checks first: `dot` may fall inside a multi-byte character.
        if name.as_bytes()[dot] != b'.' {
            continue;
        }
        let Some(short) = name.get(dot + 1..end).filter(|short| is_short_hash(short)) else {
            continue;
        };
        let canonical = format!("{}{}{}", &path[..name_start], &name[..dot], &name[end..]);
        let name_is_empty = dot == 0 && end == name.len();
        if !name_is_empty && insert_hash(&canonical, short) == path {
            return Some((canonical, &path[name_start + dot + 1..name_start + end]));
        }
    }
    None
}

fn is_short_hash(text: &str) -> bool {
    text.len() == SHORT_HASH_LEN
        && text
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "0123456789ab";

    fn named(canonical: &str) -> String {
        insert_hash(canonical, H)
    }

    #[test]
    fn hash_goes_before_the_last_extension() {
        assert_eq!(named("css/styles.css"), "css/styles.0123456789ab.css");
        assert_eq!(named("js/app.min.js"), "js/app.min.0123456789ab.js");
        assert_eq!(named("a.tar.gz"), "a.tar.0123456789ab.gz");
    }

    #[test]
    fn no_extension_appends() {
        assert_eq!(named("LICENSE"), "LICENSE.0123456789ab");
        assert_eq!(named("docs/README"), "docs/README.0123456789ab");
    }

    #[test]
    fn dotted_folders_keep_their_name() {
        assert_eq!(
            named(".well-known/security.txt"),
            ".well-known/security.0123456789ab.txt"
        );
        assert_eq!(named("v1.2/LICENSE"), "v1.2/LICENSE.0123456789ab");
    }

    #[test]
    fn leading_dot_is_not_an_extension() {
        assert_eq!(named(".htaccess"), ".htaccess.0123456789ab");
        assert_eq!(named("a/.env.local"), "a/.env.0123456789ab.local");
    }

    #[test]
    fn trailing_dot_is_an_empty_extension() {
        assert_eq!(named("odd."), "odd.0123456789ab.");
    }

    #[test]
    fn real_hash_is_used() {
        let hash = ContentHash::of(b"body{}");
        assert_eq!(
            hashed_name("a.css", &hash),
            format!("a.{}.css", hash.short())
        );
    }

    #[test]
    fn split_inverts_every_naming_case() {
        for canonical in [
            "css/styles.css",
            "js/app.min.js",
            "LICENSE",
            "docs/README",
            ".well-known/security.txt",
            ".htaccess",
            "a/.env.local",
            "odd.",
            "v1.2/LICENSE",
        ] {
            let hashed = named(canonical);
            assert_eq!(
                split_hashed_name(&hashed),
                Some((canonical.to_owned(), H)),
                "{hashed}"
            );
        }
    }

    #[test]
    fn split_rejects_other_shapes() {
        for path in [
            "css/styles.css",
            "css/styles.0123456789AB.css",
            "css/styles.0123456789a.css",
            "css/styles.0123456789abc.css",
            "css/styles-0123456789ab.css",
            "0123456789ab",
            "",
            "/",
            ".0123456789ab",
        ] {
            assert_eq!(split_hashed_name(path), None, "{path}");
        }
    }

    #[test]
    fn split_handles_multibyte_names() {
        assert_eq!(split_hashed_name("é.css"), None);
        assert_eq!(split_hashed_name("ééééééé.css"), None);
        assert_eq!(split_hashed_name("a.ééééééé"), None);
        let hashed = named("ünï/cödé.css");
        assert_eq!(
            split_hashed_name(&hashed),
            Some(("ünï/cödé.css".to_owned(), H))
        );
    }
}
