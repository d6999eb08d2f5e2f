//! The import map of a folder's JavaScript modules: canonical specifiers and bare names
//! mapped to hashed URLs, an `integrity` section, and the CSP hash of the inline tag.

use crate::integrity::base64;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Whether a canonical path is a JavaScript module the import map lists (`.js`, `.mjs`).
///
/// A classic script listed in the map is harmless: the map only resolves what a module
/// imports.
pub fn is_module(canonical: &str) -> bool {
    canonical
        .rsplit_once('.')
        .is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("js") || ext.eq_ignore_ascii_case("mjs"))
}

/// Whether `name` can be a bare name of the import map; the sentence to show when not.
/// Shared by the macro's `import_map(...)` and the CLI's `--import-name`.
///
/// # Errors
/// Empty or padded names, paths (`./a.js`, `/a.js`), URLs, folder mappings (`lib/`).
pub fn check_bare_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.trim() != name {
        Err("a bare module name is not empty and has no surrounding spaces".to_owned())
    } else if name.starts_with("./") || name.starts_with("../") || name.starts_with('/') {
        Err(format!(
            "`{name}` is a path, not a bare name: the import map already maps every module's own URL"
        ))
    } else if name.contains(':') {
        Err(format!(
            "`{name}` looks like a URL; a bare name has no scheme"
        ))
    } else if name.ends_with('/') {
        Err(format!(
            "`{name}` is a folder mapping, which hashed names cannot serve; map each module by its own name"
        ))
    } else {
        Ok(())
    }
}

/// A canonical path as the browser's URL parser writes it in a path: the bytes of its
/// path percent-encode set (controls, space, `"#<>?^{}` and backtick, non-ASCII), plus
/// `%`, as `%XX`. An import map key must be spelled exactly as the URL a specifier
/// resolves to, and the parser leaves `@`, `+`, `(` and the like alone.
fn url_parser_path(canonical: &str) -> String {
    let mut out = String::with_capacity(canonical.len());
    for byte in canonical.bytes() {
        let escape = byte <= 0x20
            || byte >= 0x7f
            || matches!(
                byte,
                b'"' | b'#' | b'<' | b'>' | b'?' | b'^' | b'`' | b'{' | b'}' | b'%'
            );
        if escape {
            out.push_str(&format!("%{byte:02X}"));
        } else {
            out.push(char::from(byte));
        }
    }
    out
}

/// One module of the map: its canonical path, the URL it is served under and the
/// Subresource Integrity value of its bytes.
#[derive(Debug, Clone, Copy)]
pub struct MapModule<'a> {
    /// `js/app.js`.
    pub canonical: &'a str,
    /// `/static/js/app.a1b2c3d4e5f6.js`.
    pub url: &'a str,
    /// `sha384-...`.
    pub integrity: &'a str,
}

/// An import map as JSON, with the CSP source that allows its inline tag
/// ([`import_map_tag`] of [`ImportMapJson::json`]).
///
/// ```
/// use hyper_assets_pipeline::{ImportMapJson, MapModule};
///
/// let modules = [MapModule {
///     canonical: "js/app.js",
///     url: "/static/js/app.a1b2c3d4e5f6.js",
///     integrity: "sha384-abc",
/// }];
/// let bare = [("app".to_owned(), "js/app.js".to_owned())];
/// let map = ImportMapJson::build(&modules, &bare, "/static/", "/static/");
/// assert_eq!(
///     map.json,
///     r#"{"imports":{"/static/js/app.js":"/static/js/app.a1b2c3d4e5f6.js","app":"/static/js/app.a1b2c3d4e5f6.js"},"integrity":{"/static/js/app.a1b2c3d4e5f6.js":"sha384-abc"}}"#
/// );
/// assert!(map.csp_hash.starts_with("'sha256-"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportMapJson {
    /// The map's JSON, exactly as the inline tag holds it.
    pub json: String,
    /// The `script-src` source that allows the inline tag: `'sha256-<base64>'` of
    /// `json`, quotes included.
    pub csp_hash: String,
}

impl ImportMapJson {
    /// The map of `modules`:
    /// - `imports` maps each module's canonical URL to its hashed URL. A canonical URL is
    ///   what a relative import inside a hashed module resolves to, `url_prefix` +
    ///   canonical path; when the files are served elsewhere (`url_prefix` is not
    ///   `prefix`), `prefix` + canonical path is mapped too, for root-relative imports.
    ///   Each bare name maps to its module's hashed URL as well;
    /// - `integrity` maps each hashed URL to its SHA-384, which browsers enforce on every
    ///   module fetch of that URL, imports inside modules included.
    ///
    /// Bare names whose target is not among `modules` are left out (the macro refuses
    /// them before this point). Keys are sorted, so the JSON, and its hash, depend on the
    /// content only. `<`, `>` and `&` are written as `\u003c`-style escapes, so no name
    /// can close the `<script>` element the map is inlined in.
    pub fn build(
        modules: &[MapModule<'_>],
        bare_names: &[(String, String)],
        url_prefix: &str,
        prefix: &str,
    ) -> Self {
        let mut imports: BTreeMap<String, &str> = BTreeMap::new();
        let mut integrity: BTreeMap<&str, &str> = BTreeMap::new();
        for module in modules {
            let path = url_parser_path(module.canonical);
            imports.insert(format!("{url_prefix}{path}"), module.url);
            if prefix != url_prefix {
                imports.insert(format!("{prefix}{path}"), module.url);
            }
            integrity.insert(module.url, module.integrity);
        }
        for (name, target) in bare_names {
            if let Some(module) = modules.iter().find(|module| module.canonical == target) {
                imports.insert(name.clone(), module.url);
            }
        }
        // Written in key order by hand, whatever serde_json's features are (its
        // `preserve_order` would keep insertion order), so the macro and dev mode write
        // the same bytes.
        let json = document(&imports, &integrity)
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026");
        let csp_hash = format!("'sha256-{}'", base64(&Sha256::digest(json.as_bytes())));
        Self { json, csp_hash }
    }
}

/// `{"imports":{..},"integrity":{..}}` with the keys in map order.
fn document(imports: &BTreeMap<String, &str>, integrity: &BTreeMap<&str, &str>) -> String {
    fn object<'a>(entries: impl Iterator<Item = (&'a str, &'a str)>) -> String {
        let quote = |text: &str| serde_json::Value::from(text).to_string();
        let members: Vec<String> = entries
            .map(|(key, value)| format!("{}:{}", quote(key), quote(value)))
            .collect();
        format!("{{{}}}", members.join(","))
    }
    let imports = object(imports.iter().map(|(k, v)| (k.as_str(), *v)));
    let integrity = object(integrity.iter().map(|(k, v)| (*k, *v)));
    format!("{{\"imports\":{imports},\"integrity\":{integrity}}}")
}

/// `<script type="importmap">` + `json` + `</script>`: the content is exactly the bytes
/// [`ImportMapJson::csp_hash`] hashes.
pub fn import_map_tag(json: &str) -> String {
    format!("<script type=\"importmap\">{json}</script>")
}

/// The static import graph of `entry`: the entry first, then every module it reaches
/// through static imports, each once, in breadth-first order (what to preload, nearest
/// first). `imports_of` gives a module's direct static imports; unknown modules have
/// none.
pub fn static_import_graph<'a, I>(entry: &'a str, imports_of: impl Fn(&str) -> I) -> Vec<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut seen = vec![entry];
    let mut next = 0;
    while next < seen.len() {
        let module = seen[next];
        next += 1;
        for import in imports_of(module) {
            if !seen.contains(&import) {
                seen.push(import);
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn module<'a>(canonical: &'a str, url: &'a str) -> MapModule<'a> {
        MapModule {
            canonical,
            url,
            integrity: "sha384-x",
        }
    }

    #[test]
    fn names_cannot_close_the_script_element() {
        let modules = [module("js/a.js", "/static/js/a.1.js")];
        let bare = [(
            "</script><script>alert(1)</script>".to_owned(),
            "js/a.js".to_owned(),
        )];
        let map = ImportMapJson::build(&modules, &bare, "/static/", "/static/");
        assert!(!map.json.contains('<'), "{}", map.json);
        let parsed: Value = serde_json::from_str(&map.json).unwrap();
        assert_eq!(
            parsed["imports"]["</script><script>alert(1)</script>"],
            "/static/js/a.1.js"
        );
    }

    #[test]
    fn the_csp_hash_hashes_the_tag_content() {
        let modules = [module("js/a.js", "/static/js/a.1.js")];
        let map = ImportMapJson::build(&modules, &[], "/static/", "/static/");
        assert_eq!(
            map.json,
            r#"{"imports":{"/static/js/a.js":"/static/js/a.1.js"},"integrity":{"/static/js/a.1.js":"sha384-x"}}"#
        );
        // Known answer: `printf %s "$json" | openssl dgst -sha256 -binary | base64`.
        assert_eq!(
            map.csp_hash,
            "'sha256-s6H6ZRB0g0dcXNZ6rcCH3qyNsMPAEsR3iTnAybSdmPc='"
        );
        let tag = import_map_tag(&map.json);
        let content = tag
            .strip_prefix("<script type=\"importmap\">")
            .and_then(|rest| rest.strip_suffix("</script>"))
            .unwrap();
        assert_eq!(content, map.json);
    }

    #[test]
    fn keys_are_spelled_as_the_url_parser_spells_them_under_both_prefixes() {
        let modules = [
            module("js/a b.js", "https://cdn.example/static/js/a%20b.1.js"),
            module("js/lit@3+x(1).js", "https://cdn.example/static/js/lit.1.js"),
            module("js/é%.js", "https://cdn.example/static/js/x.1.js"),
        ];
        let map = ImportMapJson::build(&modules, &[], "https://cdn.example/static/", "/static/");
        let parsed: Value = serde_json::from_str(&map.json).unwrap();
        for key in [
            "https://cdn.example/static/js/a%20b.js",
            "/static/js/a%20b.js",
            "https://cdn.example/static/js/lit@3+x(1).js",
            "/static/js/lit@3+x(1).js",
            "/static/js/%C3%A9%25.js",
        ] {
            assert!(parsed["imports"][key].is_string(), "{key}: {}", map.json);
        }
        assert_eq!(parsed["imports"].as_object().unwrap().len(), 6);
    }

    #[test]
    fn bare_name_rules() {
        assert!(check_bare_name("htmx").is_ok() && check_bare_name("@scope/pkg").is_ok());
        for bad in [
            "",
            " a",
            "./a.js",
            "../a.js",
            "/a.js",
            "https://x/a.js",
            "lib/",
        ] {
            assert!(check_bare_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_graph_is_breadth_first_and_survives_cycles() {
        let edges = |m: &str| -> Vec<&'static str> {
            match m {
                "a" => vec!["b", "c"],
                "b" => vec!["d", "a"],
                "c" => vec!["d"],
                _ => vec![],
            }
        };
        assert_eq!(static_import_graph("a", edges), ["a", "b", "c", "d"]);
        assert_eq!(static_import_graph("z", edges), ["z"]);
    }

    #[test]
    fn modules_by_extension() {
        assert!(is_module("js/a.js") && is_module("js/a.MJS"));
        assert!(!is_module("css/a.css") && !is_module("js") && !is_module("a.json"));
    }
}
