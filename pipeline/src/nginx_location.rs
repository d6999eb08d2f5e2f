//! The nginx `location` that serves a release folder with the binary's headers.

use std::fmt::Write as _;

/// An nginx `location` for `prefix` that serves the release folder at `root` as the
/// binary serves its files (`files`: each canonical path with its `Content-Type`):
/// hashed names immutable for a year, canonical names revalidated, the same
/// `Content-Type`s, `.gz` siblings through `gzip_static` (and `.br` through
/// `brotli_static` when `brotli` is set and that module is loaded). A 404 is `no-store`
/// (through `@hyper_assets_missing`, printed after it), and only a 200, 206 or 304 of a
/// hashed name is immutable.
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
