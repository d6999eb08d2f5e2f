//! Which canonical paths can be URL paths, and how they are written in a URL.

/// Checks that a canonical path can be served under a URL: no control characters (NUL,
/// newline, ...) and no backslash, which some clients and proxies turn into `/`.
/// Everything else (spaces, `#`, `?`, `%`, non-ASCII) is allowed and percent-encoded by
/// [`percent_encode_path`].
///
/// # Errors
/// A short reason, to be shown with the file's path.
pub fn check_url_path(canonical: &str) -> Result<(), &'static str> {
    if canonical.chars().any(char::is_control) {
        return Err("its name has a control character, which cannot be part of a URL");
    }
    if canonical.contains('\\') {
        return Err("its name has a backslash, which clients and proxies may read as `/`");
    }
    Ok(())
}

/// The rule for the URL path prefix assets are served under (the macro's `prefix`
/// option and the run-time adapters' `.prefix(...)`): it starts with `/`, has no `//`,
/// and only ASCII letters, digits and `-._~/`. A trailing `/` is added when missing.
///
/// ```
/// use hyper_assets_pipeline::normalize_prefix;
///
/// assert_eq!(normalize_prefix("/static").as_deref(), Ok("/static/"));
/// assert_eq!(normalize_prefix("/a/b/").as_deref(), Ok("/a/b/"));
/// assert!(normalize_prefix("static/").is_err());
/// assert!(normalize_prefix("/a b/").is_err());
/// ```
///
/// # Errors
/// The rule, as a sentence to show the user.
pub fn normalize_prefix(prefix: &str) -> Result<String, &'static str> {
    let valid = prefix.starts_with('/')
        && !prefix.contains("//")
        && prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/'));
    if !valid {
        return Err(
            "`prefix` must be a URL path that starts with `/` and has only letters, digits and \
             `-._~/`, such as \"/static/\"",
        );
    }
    let mut prefix = prefix.to_owned();
    if !prefix.ends_with('/') {
        prefix.push('/');
    }
    Ok(prefix)
}

/// Percent-encodes a `/`-separated path for use in a URL: every byte other than ASCII
/// letters, digits, `-`, `.`, `_`, `~` and the `/` separators becomes `%XX`.
///
/// ```
/// use hyper_assets_pipeline::percent_encode_path;
///
/// assert_eq!(percent_encode_path("css/styles.css"), "css/styles.css");
/// assert_eq!(percent_encode_path("img/a b#1.png"), "img/a%20b%231.png");
/// assert_eq!(percent_encode_path("ü.txt"), "%C3%BC.txt");
/// ```
pub fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &byte in path.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(byte >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(byte & 0x0f)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_backslashes_are_refused() {
        assert!(check_url_path("a\nb.css").is_err());
        assert!(check_url_path("a\0b.css").is_err());
        assert!(check_url_path("a\\b.css").is_err());
        assert!(check_url_path("a b#?%.css").is_ok());
        assert!(check_url_path("日本.css").is_ok());
    }

    #[test]
    fn reserved_characters_are_encoded() {
        assert_eq!(percent_encode_path("a?b%c"), "a%3Fb%25c");
        assert_eq!(percent_encode_path("x+y"), "x%2By");
    }
}
