//! The nginx `location` that serves a release folder with the binary's headers, deltas
//! included.

use std::fmt::Write as _;

/// URL-path characters a `Use-As-Dictionary` match can hold unescaped: none is special
/// in a URL pattern (`*:(){}\+?`), in a structured-field string (`"\`) or to nginx
/// (`$'`). A hashed URL with any other character gets no `Use-As-Dictionary` from nginx.
const PLAIN_URL_CHARACTERS: &str = "A-Za-z0-9/._~%!&,;=@-";

/// An `Accept-Encoding` item that accepts `coding` with q > 0: the coding alone, or with
/// a `q` of 1 or of at least 0.001 (a `q` of 0 or another parameter is not taken).
fn accepts(coding: &str) -> String {
    format!(
        r"(?:.*,)?\s*{coding}\s*(?:;\s*q\s*=\s*(?:1(?:\.0*)?|0?\.0{{0,2}}[1-9][0-9]*)\s*)?(?:,|$)"
    )
}

/// An nginx `location` for `prefix` that serves the release folder at `root` as the
/// binary serves its files (`files`: each canonical path with its `Content-Type`):
/// hashed names immutable for a year, canonical names revalidated, the same
/// `Content-Type`s, `.gz` siblings through `gzip_static` (and `.br` through
/// `brotli_static` when `brotli` is set and that module is loaded). A 404 is `no-store`
/// (through `@hyper_assets_missing`, printed after it), and only a 200, 206 or 304 of a
/// hashed name is immutable.
///
/// A hashed name of a compressible type (by extension, as
/// [`is_compressible`](crate::is_compressible) says of the files' types) also:
/// - offers itself as a dictionary: `Use-As-Dictionary` with the value
///   [`use_as_dictionary`](crate::use_as_dictionary) gives, built from the request's URL
///   (left out for a URL holding a character outside `A-Za-z0-9/._~%!&,;=@-`, which
///   would need escaping);
/// - answers with a delta that `collect` wrote (RFC 9842): when `Available-Dictionary`
///   is exactly one `:<base64 SHA-256>:`, `Accept-Encoding` takes `dcz` (first) or `dcb`
///   with q > 0, `Sec-Fetch-Site` is neither `cross-site` nor `same-site` (deltas are
///   same-origin only), the request has no `Range`, and that delta is in the folder.
///   The delta goes out with `Content-Encoding: dcz` or `dcb`, the file's
///   `Content-Type` (a delta's name ends in the file's extension), the immutable
///   `Cache-Control` and its own `ETag`. nginx cannot check a delta as it sends it;
///   `collect` checked each one it wrote;
/// - carries `Vary: Accept-Encoding, Available-Dictionary` on every answer, 304s
///   included, so no cache hands one client's delta to another.
///
/// All of it lives in the one `location` (with `set` and `rewrite ... last` inside
/// `if`, nothing else there): no `map` at the `http {}` level is needed.
pub fn nginx_static_location<'a>(
    prefix: &str,
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
    root: &str,
    brotli: bool,
) -> String {
    let root = root.trim_end_matches('/');
    let mut types: Vec<(String, String)> = Vec::new();
    let mut charset_types: Vec<String> = Vec::new();
    for (canonical, content_type) in files {
        let name = canonical.rsplit('/').next().unwrap_or_default();
        let Some((_, extension)) = name.rsplit_once('.').filter(|(stem, _)| !stem.is_empty())
        else {
            continue;
        };
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or(content_type)
            .trim()
            .to_owned();
        if content_type.contains("charset=utf-8") && !charset_types.contains(&essence) {
            charset_types.push(essence.clone());
        }
        let extension = extension.to_ascii_lowercase();
        if !types.iter().any(|(ext, _)| *ext == extension) {
            types.push((extension, essence));
        }
    }
    types.sort();
    charset_types.sort();
    let mut out = String::new();
    let _ = writeln!(out, "location {prefix} {{");
    let _ = writeln!(out, "    alias {root}/;");
    let _ = writeln!(out, "    types {{");
    for (extension, essence) in &types {
        let _ = writeln!(out, "        {essence} {extension};");
    }
    let _ = writeln!(out, "    }}");
    let _ = writeln!(out, "    default_type application/octet-stream;");
    let _ = writeln!(out, "    charset utf-8;");
    if !charset_types.is_empty() {
        let _ = writeln!(out, "    charset_types {};", charset_types.join(" "));
    }
    let _ = writeln!(out, "    gzip_static on;");
    let _ = writeln!(out, "    gzip_vary on;");
    if brotli {
        let _ = writeln!(out, "    brotli_static on;");
    }
    let _ = writeln!(out, "    add_header Cache-Control \"no-cache\" always;");
    let _ = writeln!(out, "    error_page 403 404 = @hyper_assets_missing;");
    let _ = writeln!(
        out,
        "    add_header X-Content-Type-Options \"nosniff\" always;"
    );
    let extensions_of = |wanted: &dyn Fn(&str) -> bool| -> Vec<&str> {
        types
            .iter()
            .filter(|(_, essence)| wanted(essence))
            .map(|(extension, _)| extension.as_str())
            .collect()
    };
    let compressible = extensions_of(&|essence| crate::is_compressible(essence));
    if !compressible.is_empty() {
        let scripts = extensions_of(&|essence| {
            matches!(essence, "text/javascript" | "application/javascript")
        });
        let styles = extensions_of(&|essence| essence == "text/css");
        write_delta_locations(
            &mut out,
            prefix,
            root,
            brotli,
            &compressible,
            &scripts,
            &styles,
        );
    }
    let _ = writeln!(
        out,
        "    # Content-hashed names never change: cache them for a year. Without `always`,\n\
         \x20   # only a file that is there (200, 206, 304) gets it; a 404 for a hash not\n\
         \x20   # deployed yet is answered `no-store`, so no CDN keeps it for a year."
    );
    let _ = writeln!(out, "    location ~ \"\\.[0-9a-f]{{12}}(\\.[^./]+)?$\" {{");
    let _ = writeln!(
        out,
        "        add_header Cache-Control \"public, max-age=31536000, immutable\";"
    );
    let _ = writeln!(
        out,
        "        add_header X-Content-Type-Options \"nosniff\" always;"
    );
    let _ = writeln!(out, "        error_page 403 404 = @hyper_assets_missing;");
    let _ = writeln!(out, "    }}");
    let _ = writeln!(out, "}}");
    let _ = writeln!(out, "location @hyper_assets_missing {{");
    let _ = writeln!(out, "    add_header Cache-Control \"no-store\" always;");
    let _ = writeln!(
        out,
        "    add_header X-Content-Type-Options \"nosniff\" always;"
    );
    let _ = writeln!(out, "    return 404;");
    let _ = writeln!(out, "}}");
    out
}

/// The `location`s of hashed compressible names (dictionaries and deltas) and the
/// internal one per delta coding, inside the prefix's `location`.
fn write_delta_locations(
    out: &mut String,
    prefix: &str,
    root: &str,
    brotli: bool,
    compressible: &[&str],
    scripts: &[&str],
    styles: &[&str],
) {
    let anchored = regex_escape(prefix);
    let _ = writeln!(
        out,
        "    # A content-hashed name of a compressible type: immutable, offered as a\n\
         \x20   # dictionary (Use-As-Dictionary), and answered with a delta (RFC 9842) that\n\
         \x20   # collect wrote beside it when the request names that dictionary\n\
         \x20   # (Available-Dictionary), takes dcz (first) or dcb with q > 0, is same-origin\n\
         \x20   # and asks no range. Only `set` and `rewrite ... last` inside `if`."
    );
    let _ = writeln!(
        out,
        "    location ~ \"^{anchored}(?<hyper_assets_hashed>.+\\.[0-9a-f]{{12}}(?<hyper_assets_ext>\\.(?i:{})))$\" {{",
        compressible.join("|")
    );
    let _ = writeln!(out, "        set $hyper_assets_destination \"\";");
    for (extensions, destination) in [(scripts, "script"), (styles, "style")] {
        if extensions.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "        if ($hyper_assets_ext ~* \"^\\.(?:{})$\") {{\n\
             \x20           set $hyper_assets_destination ', match-dest=(\"{destination}\")';\n\
             \x20       }}",
            extensions.join("|")
        );
    }
    let _ = writeln!(out, "        set $hyper_assets_use_as_dictionary \"\";");
    let _ = writeln!(
        out,
        "        if ($request_uri ~ \"^([{PLAIN_URL_CHARACTERS}]*\\.)[0-9a-f]{{12}}(\\.[A-Za-z0-9]+)(?:\\?.*)?$\") {{\n\
         \x20           set $hyper_assets_use_as_dictionary 'match=\"$1*$2\"$hyper_assets_destination';\n\
         \x20       }}"
    );
    let _ = writeln!(
        out,
        "        set $hyper_assets_delta \"$http_available_dictionary|$http_sec_fetch_site|$http_range\";"
    );
    let _ = writeln!(out, "        set $hyper_assets_dictionary \"\";");
    let _ = writeln!(
        out,
        "        if ($hyper_assets_delta ~ \"^:([A-Za-z0-9+/]{{42}}[AEIMQUYcgkosw048]=):\\|(?!(?i:cross-site|same-site)\\|)[^|]*\\|$\") {{\n\
         \x20           set $hyper_assets_dictionary $1;\n\
         \x20       }}"
    );
    for coding in ["dcz", "dcb"] {
        let _ = writeln!(out, "        set $hyper_assets_{coding} \"\";");
        let _ = writeln!(
            out,
            "        set $hyper_assets_delta \"$hyper_assets_dictionary|$http_accept_encoding\";"
        );
        let _ = writeln!(
            out,
            "        if ($hyper_assets_delta ~* \"^([^|]+)\\|{}\") {{\n\
             \x20           set $hyper_assets_{coding} \"$hyper_assets_hashed.{coding}/$1$hyper_assets_ext\";\n\
             \x20       }}",
            accepts(coding)
        );
        // Without a delta to look for, `-f` asks about the folder itself: never a file.
        let _ = writeln!(
            out,
            "        if (-f \"{root}/$hyper_assets_{coding}\") {{\n\
             \x20           rewrite ^ \"{prefix}.hyper-assets-{coding}/$hyper_assets_{coding}\" last;\n\
             \x20       }}"
        );
    }
    let _ = writeln!(out, "        gzip_vary off;");
    dictionary_headers(out);
    let _ = writeln!(out, "    }}");
    for coding in ["dcz", "dcb"] {
        let _ = writeln!(
            out,
            "    # The {coding} deltas, reached only by the rewrite above. No gzip over them."
        );
        let _ = writeln!(out, "    location ^~ {prefix}.hyper-assets-{coding}/ {{");
        let _ = writeln!(out, "        internal;");
        let _ = writeln!(out, "        alias {root}/;");
        let _ = writeln!(out, "        gzip off;");
        let _ = writeln!(out, "        gzip_static off;");
        if brotli {
            let _ = writeln!(out, "        brotli_static off;");
        }
        let _ = writeln!(out, "        add_header Content-Encoding \"{coding}\";");
        dictionary_headers(out);
        let _ = writeln!(out, "    }}");
    }
}

/// The headers of every answer of a hashed name that can carry a delta, the delta's
/// own included: `Vary` on the dictionary, the dictionary offer, a year's caching.
fn dictionary_headers(out: &mut String) {
    for line in [
        "add_header Vary \"Accept-Encoding, Available-Dictionary\";",
        "add_header Use-As-Dictionary $hyper_assets_use_as_dictionary;",
        "add_header Cache-Control \"public, max-age=31536000, immutable\";",
        "add_header X-Content-Type-Options \"nosniff\" always;",
        "error_page 403 404 = @hyper_assets_missing;",
    ] {
        let _ = writeln!(out, "        {line}");
    }
}

/// `text` with the characters special in a PCRE pattern escaped.
fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\^$.|?*+()[]{}".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_compressible_types_get_deltas_and_the_prefix_is_escaped() {
        let files = [
            ("css/app.css", "text/css; charset=utf-8"),
            ("js/app.js", "text/javascript; charset=utf-8"),
            ("img/logo.png", "image/png"),
        ];
        let location = nginx_static_location("/s.x/", files, "/srv/root/", false);
        assert!(
            location.contains("location ~ \"^/s\\.x/(?<hyper_assets_hashed>.+\\.[0-9a-f]{12}(?<hyper_assets_ext>\\.(?i:css|js)))$\" {"),
            "{location}"
        );
        assert!(location.contains("location ^~ /s.x/.hyper-assets-dcz/ {"));
        assert!(location.contains("if (-f \"/srv/root/$hyper_assets_dcb\") {"));
        assert!(location.contains("set $hyper_assets_destination ', match-dest=(\"style\")';"));
        assert!(!location.contains("brotli_static"));
        // No compressible file: no delta locations.
        let images = nginx_static_location("/s/", [("a.png", "image/png")], "/r", true);
        assert!(!images.contains("hyper-assets-dcz"), "{images}");
        assert!(images.contains("brotli_static on;"));
    }
}
