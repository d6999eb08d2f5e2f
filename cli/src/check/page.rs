//! The hashed asset URLs a page links to: same-origin `href` and `src` values whose last
//! path segment is a content-hashed name (`styles.0123456789ab.css`), recognised by the
//! pipeline's own naming rule so the checker and the macro can never disagree.

use crate::http_url::HttpUrl;
use hyper_assets_pipeline::split_hashed_name;

/// The paths (with any query) of the same-origin hashed URLs in `html`, in the order
/// they first appear, each once.
pub(crate) fn hashed_urls(html: &str, page: &HttpUrl) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for value in attribute_values(html, &["href", "src"]) {
        let Some(path) = same_origin_path(&decode_entities(&value), page) else {
            continue;
        };
        let without_query = path.split('?').next().unwrap_or_default();
        if split_hashed_name(without_query).is_some() && !found.contains(&path) {
            found.push(path);
        }
    }
    found
}

/// The values of the attributes `names` (lowercase) anywhere in `html`, in document
/// order: quoted with `"` or `'`, or unquoted. An attribute name must follow whitespace, so `data-src` is not
/// `src` and `el.src = ...` in a script is not an attribute.
fn attribute_values(html: &str, names: &[&str]) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut values: Vec<(usize, String)> = Vec::new();
    for name in names {
        let mut from = 0;
        while let Some(at) = lower[from..].find(name).map(|offset| from + offset) {
            from = at + name.len();
            if at == 0 || !bytes[at - 1].is_ascii_whitespace() {
                continue;
            }
            let rest = &html[from..];
            let Some(after_equals) = rest.trim_start().strip_prefix('=') else {
                continue;
            };
            let after_equals = after_equals.trim_start();
            let value = match after_equals.chars().next() {
                Some(quote @ ('"' | '\'')) => {
                    let inner = &after_equals[1..];
                    inner.find(quote).map(|end| &inner[..end])
                }
                Some(_) => {
                    let end = after_equals
                        .find(|c: char| c.is_ascii_whitespace() || c == '>')
                        .unwrap_or(after_equals.len());
                    Some(&after_equals[..end])
                }
                None => None,
            };
            if let Some(value) = value {
                values.push((at, value.trim().to_owned()));
            }
        }
    }
    values.sort();
    values.into_iter().map(|(_, value)| value).collect()
}

/// The character references templates write into URLs (`&amp;`, `&#x2f;`, `&#47;`, ...).
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').and_then(|semi| {
            let entity = &rest[1..semi];
            let character = match entity {
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "lt" => Some('<'),
                "gt" => Some('>'),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .map(|hex| u32::from_str_radix(hex, 16))
                    .or_else(|| entity.strip_prefix('#').map(str::parse::<u32>))
                    .and_then(Result::ok)
                    .and_then(char::from_u32),
            };
            character.map(|character| (character, semi + 1))
        });
        match decoded {
            Some((character, length)) => {
                out.push(character);
                rest = &rest[length..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The path (and query) `link` points to on the page's own origin, or `None` for another
/// origin, another scheme (`https:`, `data:`, `mailto:`) or a fragment of the page.
fn same_origin_path(link: &str, page: &HttpUrl) -> Option<String> {
    let link = link.split('#').next().unwrap_or_default();
    let path = if let Some(rest) = link.strip_prefix("//") {
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(end);
        page.origin().is_same(authority).then(|| path.to_owned())?
    } else if has_scheme(link) {
        let url = HttpUrl::parse(link).ok()?;
        let same = page.origin().is_same(url.origin().authority());
        same.then(|| url.path().to_owned())?
    } else if link.starts_with('/') {
        link.to_owned()
    } else if link.is_empty() || link.starts_with('?') {
        return None;
    } else {
        let page_path = page.path().split('?').next().unwrap_or("/");
        let folder = &page_path[..page_path.rfind('/').map_or(0, |slash| slash + 1)];
        format!("{folder}{link}")
    };
    Some(remove_dot_segments(&path))
}

fn has_scheme(link: &str) -> bool {
    link.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// `/a/./b/../c` is `/a/c`, as a browser resolves it before it asks.
fn remove_dot_segments(path: &str) -> String {
    let (path, query) = match path.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (path, None),
    };
    let mut segments: Vec<&str> = Vec::new();
    let parts: Vec<&str> = path.split('/').skip(1).collect();
    for (index, segment) in parts.iter().enumerate() {
        let last = index + 1 == parts.len();
        match *segment {
            "." | ".." => {
                if *segment == ".." {
                    segments.pop();
                }
                if last {
                    segments.push("");
                }
            }
            segment => segments.push(segment),
        }
    }
    let mut out = format!("/{}", segments.join("/"));
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(url: &str) -> HttpUrl {
        HttpUrl::parse(url).unwrap()
    }

    #[test]
    fn finds_same_origin_hashed_links_once() {
        let html = r#"<script src='/static/js/app.bbbbbbbbbbbb.js' defer></script>
            <link rel="stylesheet" href="/static/css/styles.0123456789ab.css">
            <link rel=icon href=/static/img/logo.aaaaaaaaaaaa.png>
            <script src="https://cdn.example/htmx.cccccccccccc.js"></script>
            <img src="/static/css/styles.0123456789ab.css">
            <img data-src="/static/lazy.dddddddddddd.png">
            <a href="/about">about</a>"#;
        assert_eq!(
            hashed_urls(html, &page("http://127.0.0.1:3000/")),
            [
                "/static/js/app.bbbbbbbbbbbb.js",
                "/static/css/styles.0123456789ab.css",
                "/static/img/logo.aaaaaaaaaaaa.png",
            ]
        );
    }

    #[test]
    fn decodes_escaped_slashes() {
        let html = r#"<script src="&#x2f;static&#x2f;app.0123456789ab.js"></script>"#;
        assert_eq!(
            hashed_urls(html, &page("http://h/")),
            ["/static/app.0123456789ab.js"]
        );
    }

    #[test]
    fn absolute_urls_count_only_on_the_same_origin() {
        let html = r#"<a href="http://h:8080/s/a.0123456789ab.css"></a>
            <a href="//h:8080/s/b.0123456789ab.css"></a>
            <a href="http://other:8080/s/c.0123456789ab.css"></a>
            <a href="//h/s/d.0123456789ab.css"></a>"#;
        assert_eq!(
            hashed_urls(html, &page("http://h:8080/")),
            ["/s/a.0123456789ab.css", "/s/b.0123456789ab.css"]
        );
    }

    #[test]
    fn relative_links_resolve_against_the_page() {
        let html =
            r#"<a href="../s/a.0123456789ab.css?x#y"></a><a href="./b.0123456789ab.js"></a>"#;
        assert_eq!(
            hashed_urls(html, &page("http://h/docs/page.html")),
            ["/s/a.0123456789ab.css?x", "/docs/b.0123456789ab.js"]
        );
    }

    #[test]
    fn ignores_names_that_are_not_hashed() {
        let html = r#"<a href="/s/a.0123456789AB.css"></a><a href="/s/a.css"></a>
            <a href="mailto:x@y.0123456789ab.css"></a><a href="data:,x"></a>"#;
        assert!(hashed_urls(html, &page("http://h/")).is_empty());
    }

    #[test]
    fn entity_decoding_leaves_stray_ampersands() {
        assert_eq!(decode_entities("a&amp;b&c;&#47;&"), "a&b&c;/&");
    }

    #[test]
    fn dot_segments() {
        assert_eq!(remove_dot_segments("/a/./b/../c"), "/a/c");
        assert_eq!(remove_dot_segments("/../a"), "/a");
        assert_eq!(remove_dot_segments("/a/b/.."), "/a/");
    }
}
