//! The import map of a folder's JavaScript modules: canonical specifiers and bare names
//! mapped to hashed URLs, an `integrity` section, and the CSP hash of the inline tag.

use crate::integrity::base64;
use crate::url_path::percent_encode_path;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Whether a canonical path is a JavaScript module the import map lists (`.js`, `.mjs`).
///
/// A classic script listed in the map is harmless: the map only resolves what a module
/// imports.
pub fn is_module(canonical: &str) -> bool {
    canonical
        .rsplit_once('.')
        .is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("js") || ext.eq_ignore_ascii_case("mjs"))
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

/// An import map as JSON, with the CSP source that allows its inline tag.
///
/// ```
/// use hyper_assets_pipeline::{ImportMapJson, MapModule};
///
/// let modules = [MapModule {
///     canonical: "js/app.js",
///     url: "/static/js/app.a1b2c3d4e5f6.js",
///     integrity: "sha384-abc",
/// }];
/// let map = ImportMapJson::build(&modules, &[("app".into(), "js/app.js".into())], "/static/");
/// assert_eq!(
///     map.json(),
///     r#"{"imports":{"/static/js/app.js":"/static/js/app.a1b2c3d4e5f6.js","app":"/static/js/app.a1b2c3d4e5f6.js"},"integrity":{"/static/js/app.a1b2c3d4e5f6.js":"sha384-abc"}}"#
/// );
/// assert!(map.csp_hash().starts_with("'sha256-"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportMapJson {
    json: String,
    csp_hash: String,
}

impl ImportMapJson {
    /// The map of `modules`:
    /// - `imports` maps each module's canonical URL (`url_prefix` + canonical path, the
    ///   URL a relative import inside a hashed module resolves to) and each bare name to
    ///   the module's hashed URL;
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
    ) -> Self {
        let mut imports = Map::new();
        let mut integrity = Map::new();
        for module in modules {
            let canonical_url = format!("{url_prefix}{}", percent_encode_path(module.canonical));
            imports.insert(canonical_url, Value::from(module.url));
            integrity.insert(module.url.to_owned(), Value::from(module.integrity));
        }
        for (name, target) in bare_names {
            if let Some(module) = modules.iter().find(|module| module.canonical == target) {
                imports.insert(name.clone(), Value::from(module.url));
            }
        }
        let mut map = Map::new();
        map.insert("imports".to_owned(), Value::Object(imports));
        map.insert("integrity".to_owned(), Value::Object(integrity));
        let json = Value::Object(map)
            .to_string()
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026");
        let csp_hash = format!("'sha256-{}'", base64(&Sha256::digest(json.as_bytes())));
        Self { json, csp_hash }
    }

    /// The map's JSON, exactly as the inline tag holds it.
    pub fn json(&self) -> &str {
        &self.json
    }

    /// The `script-src` source that allows the inline tag: `'sha256-<base64>'` of
    /// [`ImportMapJson::json`], quotes included.
    pub fn csp_hash(&self) -> &str {
        &self.csp_hash
    }

    /// The inline tag, `<script type="importmap">` + JSON + `</script>`: the bytes
    /// [`ImportMapJson::csp_hash`] hashes are exactly its content.
    pub fn tag(&self) -> String {
        import_map_tag(&self.json)
    }

    /// The JSON and the CSP source.
    pub fn into_parts(self) -> (String, String) {
        (self.json, self.csp_hash)
    }
}

/// `<script type="importmap">` + `json` + `</script>`.
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
        let map = ImportMapJson::build(&modules, &bare, "/static/");
        assert!(!map.json().contains('<'), "{}", map.json());
        let parsed: Value = serde_json::from_str(map.json()).unwrap();
        assert_eq!(
            parsed["imports"]["</script><script>alert(1)</script>"],
            "/static/js/a.1.js"
        );
    }

    #[test]
    fn the_csp_hash_hashes_the_tag_content() {
        let map = ImportMapJson::build(&[module("js/a.js", "/static/js/a.1.js")], &[], "/static/");
        let expected = format!(
            "'sha256-{}'",
            base64(&Sha256::digest(map.json().as_bytes()))
        );
        assert_eq!(map.csp_hash(), expected);
        let tag = map.tag();
        let content = tag
            .strip_prefix("<script type=\"importmap\">")
            .and_then(|rest| rest.strip_suffix("</script>"))
            .unwrap();
        assert_eq!(content, map.json());
    }

    #[test]
    fn canonical_keys_are_percent_encoded_and_under_the_url_prefix() {
        let modules = [module(
            "js/a b.js",
            "https://cdn.example/static/js/a%20b.1.js",
        )];
        let map = ImportMapJson::build(&modules, &[], "https://cdn.example/static/");
        let parsed: Value = serde_json::from_str(map.json()).unwrap();
        assert_eq!(
            parsed["imports"]["https://cdn.example/static/js/a%20b.js"],
            "https://cdn.example/static/js/a%20b.1.js"
        );
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
