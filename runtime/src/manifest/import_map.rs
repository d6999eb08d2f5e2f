//! The import map of the embedded JavaScript modules and their static import graph.

use hyper_assets_pipeline::{
    import_map_tag, is_module, static_import_graph, ImportMapJson, MapModule, ProcessedFile,
};
use std::borrow::Cow;
use std::fmt;

/// The import map of a folder's JavaScript modules (`.js`, `.mjs`), as `hyper_assets!`
/// generated it (`assets::IMPORT_MAP`, [`Manifest::import_map`](crate::Manifest::import_map))
/// or dev mode built it from disk:
/// - `imports` maps each module's canonical URL (`/static/js/app.js`) and each bare name
///   of `import_map(...)` to its hashed URL;
/// - `integrity` holds each hashed URL's SHA-384, which browsers enforce on every module
///   fetch, imports inside modules included.
///
/// [`ImportMap::tag`] is the inline `<script type="importmap">`, and
/// [`ImportMap::csp_hash`] the `script-src` source that allows it under a strict
/// Content-Security-Policy, without `'unsafe-inline'`.
///
/// ```
/// hyper_assets::hyper_assets!("static");
///
/// let map = assets::MANIFEST.import_map();
/// assert_eq!(map.json(), assets::IMPORT_MAP);
/// let policy = format!("script-src 'self' {}", map.csp_hash());
/// # let _ = policy;
/// ```
#[derive(Clone)]
pub struct ImportMap {
    json: Cow<'static, str>,
    csp_hash: Cow<'static, str>,
    graph: Graph,
}

/// Each module with static imports (or a bare one): its direct static imports, and whether the import map
/// resolves one of them; sorted by module.
#[derive(Clone)]
enum Graph {
    Embedded(&'static [(&'static str, &'static [&'static str], bool)]),
    Built(Vec<ModuleImports>),
}

/// A module's static imports, and whether the import map resolves one of them.
pub(crate) type ModuleImports = (String, Vec<String>, bool);

/// The graph of processed files (sorted by canonical path): each module with static
/// imports, or one the import map resolves, as the macro embeds it.
pub(crate) fn module_imports(files: &[ProcessedFile]) -> Vec<ModuleImports> {
    files
        .iter()
        .filter(|file| !file.imports.is_empty() || file.imports_through_map)
        .map(|file| {
            (
                file.canonical.clone(),
                file.imports.clone(),
                file.imports_through_map,
            )
        })
        .collect()
}

impl ImportMap {
    #[doc(hidden)]
    pub const fn __new(
        json: &'static str,
        csp_hash: &'static str,
        graph: &'static [(&'static str, &'static [&'static str], bool)],
    ) -> Self {
        Self {
            json: Cow::Borrowed(json),
            csp_hash: Cow::Borrowed(csp_hash),
            graph: Graph::Embedded(graph),
        }
    }

    /// The map of files read at run time (dev mode, adopted sets): the same JSON a build
    /// of them generates. `files` gives each file's canonical path, URL and integrity
    /// (non-modules are skipped), `(url_prefix, prefix)` where they are served and
    /// requested; `graph` lists each module with imports, sorted.
    pub(crate) fn of_modules<'a>(
        files: impl Iterator<Item = (&'a str, &'a str, Cow<'a, str>)>,
        (url_prefix, prefix): (&str, &str),
        bare_names: &[(String, String)],
        graph: Vec<ModuleImports>,
    ) -> Self {
        let modules: Vec<(&str, &str, Cow<'_, str>)> = files
            .filter(|(canonical, _, _)| is_module(canonical))
            .collect();
        let modules: Vec<MapModule<'_>> = modules
            .iter()
            .map(|(canonical, url, integrity)| MapModule {
                canonical,
                url,
                integrity,
            })
            .collect();
        let map = ImportMapJson::build(&modules, bare_names, url_prefix, prefix);
        Self {
            json: Cow::Owned(map.json),
            csp_hash: Cow::Owned(map.csp_hash),
            graph: Graph::Built(graph),
        }
    }

    /// The map as JSON: exactly the content of [`ImportMap::tag`].
    pub fn json(&self) -> &str {
        &self.json
    }

    /// `'sha256-<base64>'` of the JSON, quotes included: put it in `script-src` to allow
    /// the inline tag.
    pub fn csp_hash(&self) -> &str {
        &self.csp_hash
    }

    /// `<script type="importmap">{json}</script>`, for the page's `<head>`, before any
    /// module script.
    pub fn tag(&self) -> String {
        import_map_tag(&self.json)
    }

    /// The graph's entry for `module`: its direct static imports, and whether the map
    /// resolves one of them.
    fn entry(&self, module: &str) -> Option<(Vec<&str>, bool)> {
        match &self.graph {
            Graph::Embedded(graph) => graph
                .binary_search_by(|(name, _, _)| (*name).cmp(module))
                .ok()
                .map(|found| (graph[found].1.to_vec(), graph[found].2)),
            Graph::Built(graph) => graph
                .binary_search_by(|(name, _, _)| name.as_str().cmp(module))
                .ok()
                .map(|found| {
                    let (_, imports, through_map) = &graph[found];
                    (imports.iter().map(String::as_str).collect(), *through_map)
                }),
        }
    }

    /// The direct static imports of `module` (a canonical path); empty for an unknown
    /// path or a module without imports.
    pub fn imports(&self, module: &str) -> Vec<&str> {
        self.entry(module)
            .map(|(imports, _)| imports)
            .unwrap_or_default()
    }

    /// Whether the page's import map resolves one of `module`'s static imports (a bare
    /// name, or any import with `import_map(...)`): such a module must be parsed after
    /// the map, so a `Link` header, which the browser acts on before it reads the page,
    /// must not preload it.
    pub fn imports_through_map(&self, module: &str) -> bool {
        self.entry(module)
            .is_some_and(|(_, through_map)| through_map)
    }

    /// `entry` and every module it reaches through static imports, each once, nearest
    /// first: what `modulepreload` fetches ahead so the graph loads in one round trip.
    /// Dynamic `import()` is left out.
    pub fn static_graph<'a>(&'a self, entry: &'a str) -> Vec<&'a str> {
        static_import_graph(entry, |module| self.imports(module))
    }
}

impl Default for ImportMap {
    /// The map of no modules.
    fn default() -> Self {
        Self::of_modules(std::iter::empty(), ("/", "/"), &[], Vec::new())
    }
}

impl fmt::Debug for ImportMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let modules = match &self.graph {
            Graph::Embedded(graph) => graph.len(),
            Graph::Built(graph) => graph.len(),
        };
        f.debug_struct("ImportMap")
            .field("json", &self.json)
            .field("csp_hash", &self.csp_hash)
            .field("modules_with_imports", &modules)
            .finish()
    }
}
