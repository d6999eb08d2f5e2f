//! The `Content-Type` a file is served with.

/// The `Content-Type` for a path, guessed from its extension by `mime_guess`, with
/// `charset=utf-8` on text types; `application/octet-stream` when nothing is known.
///
/// ```
/// use hyper_assets_pipeline::content_type;
///
/// assert_eq!(content_type("css/styles.css"), "text/css; charset=utf-8");
/// assert_eq!(content_type("img/logo.png"), "image/png");
/// assert_eq!(content_type("LICENSE"), "application/octet-stream");
/// ```
pub fn content_type(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let essence = match mime.essence_str() {
        // The registered font types (RFC 8081) over mime_guess's older names.
        "application/font-woff" => "font/woff",
        "application/x-font-ttf" | "application/font-sfnt" => "font/ttf",
        "application/x-font-otf" => "font/otf",
        other => other,
    };
    if is_text(essence) {
        format!("{essence}; charset=utf-8")
    } else {
        essence.to_owned()
    }
}

/// Types whose bytes are text, so a browser must be told the encoding.
pub(crate) fn is_text(essence: &str) -> bool {
    essence.starts_with("text/")
        || matches!(
            essence,
            "application/javascript"
                | "application/json"
                | "application/manifest+json"
                | "application/xml"
                | "image/svg+xml"
        )
}

/// Whether files of this `Content-Type` gain from compression: text, scripts, styles,
/// JSON, XML, SVG, wasm and fonts that are not compressed already (not WOFF/WOFF2).
pub fn is_compressible(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    // Every text type, plus binary formats that are not compressed already.
    is_text(essence)
        || matches!(
            essence,
            "application/wasm"
                | "image/x-icon"
                | "image/vnd.microsoft.icon"
                | "font/ttf"
                | "font/otf"
                | "application/vnd.ms-fontobject"
        )
}

#[cfg(test)]
mod tests {
    use super::content_type;

    #[test]
    fn text_types_carry_a_charset() {
        assert_eq!(content_type("a.html"), "text/html; charset=utf-8");
        assert!(content_type("a.js").ends_with("; charset=utf-8"));
        assert!(content_type("a.js").contains("javascript"));
        assert_eq!(content_type("a.json"), "application/json; charset=utf-8");
        assert_eq!(content_type("a.svg"), "image/svg+xml; charset=utf-8");
    }

    #[test]
    fn binary_types_do_not() {
        assert_eq!(content_type("a.woff2"), "font/woff2");
        assert_eq!(content_type("a.woff"), "font/woff");
        assert_eq!(content_type("a.unknownext"), "application/octet-stream");
    }
}
