//! The template globals `static`, `static_url`, `integrity`, `app_version`,
//! `import_map` and `modulepreload`, and the `Link` preload header, for any engine.

use crate::dev::{DevAssets, DevSnapshot};
use crate::manifest::{ImportMap, Manifest};
use crate::serving::ServedFile;
use crate::version::store::AppVersion;
use http::HeaderValue;
use hyper_assets_pipeline::{closest_matches, did_you_mean, is_module, percent_encode_path};
use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::sync::Arc;

/// What templates call to turn canonical paths into URLs and to show the version.
/// Templates name `css/styles.css`; the page gets `/static/css/styles.<12hex>.css`.
///
/// With minijinja, `hyper_assets::templates::minijinja::add_helpers` (feature `minijinja`) registers
/// them as globals. With Askama, put the helpers in the template's
/// struct and call them with `?`, so an unknown path fails the render:
///
/// ```text
/// <link rel="stylesheet" href="{{ helpers.static_url("css/styles.css")? }}">
/// <meta name="app-version" content="{{ helpers.app_version() }}">
/// ```
///
/// In dev mode ([`TemplateHelpers::with_dev`]) the URLs come from the files on disk now:
/// `static` gives the hashed name of the current bytes, `static_url` the canonical URL
/// with `?v=<12hex>` of the current bytes (plain with `STATIC_DEV_VERSION_QUERY=false`).
///
/// ```
/// use hyper_assets::{version::AppVersion, Manifest, TemplateHelpers};
///
/// fn helpers(manifest: &'static Manifest) -> TemplateHelpers {
///     TemplateHelpers::new(manifest, &AppVersion::from_manifest(manifest))
/// }
/// ```
#[derive(Debug, Clone)]
pub struct TemplateHelpers {
    manifest: &'static Manifest,
    version: AppVersion,
    dev: Option<DevAssets>,
    /// Set by [`Site`](crate::Site), whose layer refreshes dev mode's view before the
    /// handler runs: the helpers then read that view and never touch the disk.
    refreshed_by_layer: bool,
}

impl TemplateHelpers {
    /// Helpers over `manifest`, showing `version`.
    pub fn new(manifest: &'static Manifest, version: &AppVersion) -> Self {
        Self {
            manifest,
            version: version.clone(),
            dev: None,
            refreshed_by_layer: false,
        }
    }

    /// Dev mode: URLs of the files on disk now.
    #[must_use]
    pub fn with_dev(mut self, dev: DevAssets) -> Self {
        self.dev = Some(dev);
        self
    }

    pub(crate) fn with_dev_refreshed_by_layer(mut self, dev: DevAssets) -> Self {
        self.dev = Some(dev);
        self.refreshed_by_layer = true;
        self
    }

    fn unknown(&self, path: &str) -> UnknownAsset {
        let names = self
            .manifest
            .assets()
            .iter()
            .map(|asset| asset.canonical_path());
        UnknownAsset {
            path: path.to_owned(),
            suggestions: closest_matches(path, names)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            reason: None,
        }
    }

    /// Dev mode's view of the folder now, or the error to render (naming `path`).
    fn dev_snapshot(&self, dev: &DevAssets, path: &str) -> Result<Arc<DevSnapshot>, UnknownAsset> {
        let cached = self.refreshed_by_layer.then(|| dev.cached()).flatten();
        cached
            .map_or_else(|| dev.snapshot(), Ok)
            .map_err(|error| UnknownAsset {
                path: path.to_owned(),
                suggestions: Vec::new(),
                reason: Some(error.to_string()),
            })
    }

    /// The current bytes' dev file, or the error to render.
    fn dev_file(&self, dev: &DevAssets, path: &str) -> Result<ServedFile, UnknownAsset> {
        let snapshot = self.dev_snapshot(dev, path)?;
        match snapshot.get(path) {
            Some(file) => Ok(file.clone()),
            // The build has it but the folder on disk does not: suggesting the same name
            // would only confuse.
            None if self.manifest.get(path).is_some() => Err(UnknownAsset {
                path: path.to_owned(),
                suggestions: Vec::new(),
                reason: Some(format!(
                    "not on disk in {} (dev mode)",
                    dev.folder().display()
                )),
            }),
            None => Err(self.unknown(path)),
        }
    }

    /// `static('css/styles.css')`: the hashed URL.
    ///
    /// # Errors
    /// The path is not in the manifest (or, in dev mode, not on disk); the error names it
    /// and the closest paths.
    pub fn static_path(&self, path: &str) -> Result<Cow<'static, str>, UnknownAsset> {
        if let Some(dev) = &self.dev {
            let file = self.dev_file(dev, path)?;
            return Ok(Cow::Owned(dev_url(dev, &file)));
        }
        self.manifest
            .url(path)
            .map(Cow::Borrowed)
            .ok_or_else(|| self.unknown(path))
    }

    /// `static_url('css/styles.css')`: in production the hashed URL, as `static`; in dev
    /// mode the canonical URL with `?v=<12hex>` of the current bytes.
    ///
    /// # Errors
    /// The path is not in the manifest (or, in dev mode, not on disk).
    pub fn static_url(&self, path: &str) -> Result<Cow<'static, str>, UnknownAsset> {
        let Some(dev) = &self.dev else {
            return self.static_path(path);
        };
        let file = self.dev_file(dev, path)?;
        let url = format!("{}{}", dev.url_prefix(), percent_encode_path(path));
        Ok(Cow::Owned(if self.version.settings().dev_version_query() {
            format!("{url}?v={}", &file.sha256()[..12])
        } else {
            url
        }))
    }

    /// `integrity('js/app.js')`: the Subresource Integrity value of the bytes served.
    ///
    /// # Errors
    /// The path is not in the manifest (or, in dev mode, not on disk).
    pub fn integrity(&self, path: &str) -> Result<Cow<'static, str>, UnknownAsset> {
        if let Some(dev) = &self.dev {
            let file = self.dev_file(dev, path)?;
            return Ok(Cow::Owned(hyper_assets_pipeline::integrity(file.bytes())));
        }
        self.manifest
            .get(path)
            .map(|asset| Cow::Borrowed(asset.integrity()))
            .ok_or_else(|| self.unknown(path))
    }

    /// `app_version()`: the current app version.
    pub fn app_version(&self) -> String {
        self.version.current().version().to_owned()
    }

    /// Runs `with` on the import map: the embedded one, or in dev mode the map of the
    /// modules on disk now.
    fn with_import_map<T>(
        &self,
        with: impl FnOnce(&ImportMap, &dyn Fn(&str) -> Option<(String, String)>) -> T,
    ) -> Result<T, UnknownAsset> {
        if let Some(dev) = &self.dev {
            let snapshot = self.dev_snapshot(dev, "")?;
            let lookup = |path: &str| {
                let file = snapshot.get(path)?;
                Some((
                    dev_url(dev, file),
                    hyper_assets_pipeline::integrity(file.bytes()),
                ))
            };
            return Ok(with(snapshot.import_map(), &lookup));
        }
        let lookup = |path: &str| {
            let asset = self.manifest.get(path)?;
            Some((asset.url().to_owned(), asset.integrity().to_owned()))
        };
        Ok(with(self.manifest.import_map(), &lookup))
    }

    /// `import_map()`: the `<script type="importmap">` tag of the modules, for the
    /// page's `<head>` before any module script. Its CSP hash is
    /// [`TemplateHelpers::import_map_csp_hash`].
    ///
    /// # Errors
    /// Dev mode cannot read the folder now.
    pub fn import_map(&self) -> Result<Cow<'static, str>, UnknownAsset> {
        self.with_import_map(|map, _| Cow::Owned(map.tag()))
    }

    /// The `script-src` source (`'sha256-...'`) that allows [`TemplateHelpers::import_map`]'s
    /// tag; in dev mode it follows the modules on disk, so set the page's CSP from it.
    ///
    /// # Errors
    /// Dev mode cannot read the folder now.
    pub fn import_map_csp_hash(&self) -> Result<Cow<'static, str>, UnknownAsset> {
        self.with_import_map(|map, _| Cow::Owned(map.csp_hash().to_owned()))
    }

    /// `modulepreload('js/app.js')`: a `<link rel="modulepreload" href=... integrity=...>`
    /// for the entry module and for every module of its static import graph, nearest
    /// first, so the browser fetches the whole graph at once instead of one import depth
    /// per round trip.
    ///
    /// # Errors
    /// The path is not a JavaScript module of the folder (or, in dev mode, not on disk).
    pub fn modulepreload(&self, entry: &str) -> Result<Cow<'static, str>, UnknownAsset> {
        if !is_module(entry) {
            let mut error = self.unknown(entry);
            error.reason = Some("not a JavaScript module (`.js` or `.mjs`)".to_owned());
            return Err(error);
        }
        let links = self.with_import_map(|map, lookup| {
            map.static_graph(entry)
                .into_iter()
                .filter_map(lookup)
                .map(|(url, integrity)| {
                    format!("<link rel=\"modulepreload\" href=\"{url}\" integrity=\"{integrity}\">")
                })
                .collect::<Vec<_>>()
        })?;
        // The entry is first when it exists: no links means an unknown path.
        if links.is_empty() {
            return Err(self.unknown(entry));
        }
        Ok(Cow::Owned(links.join("\n")))
    }

    /// A `Link` header value that preloads a page's critical assets, which CDNs turn
    /// into `103 Early Hints`: a module and its static import graph get
    /// `rel=modulepreload`, other files `rel=preload` with the `as` of their type
    /// (`style`, `font`, `image`, else `fetch`). Every link carries its file's
    /// `integrity`: the browser acts on the header before it has read the page's import
    /// map, so without it a preloaded module would be fetched, and kept, unchecked.
    /// Fonts, and every file served from another origin (an absolute `url_prefix`), get
    /// `crossorigin` too, as the elements that use them do.
    ///
    /// A module whose graph resolves an import through the import map (a bare name, or
    /// any import with `import_map(...)`) is refused with an error: parsed before the map
    /// exists, its imports resolve without it, and in Chromium the page's modules then
    /// silently did not run. Preload those with [`TemplateHelpers::modulepreload`]
    /// after the map.
    ///
    /// ```
    /// # fn page(helpers: &hyper_assets::TemplateHelpers) -> Result<(), hyper_assets::templates::UnknownAsset> {
    /// let link = helpers.preload_header(&["css/styles.css", "js/app.js"])?;
    /// // response.headers_mut().insert(http::header::LINK, link);
    /// # let _ = link; Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A path is not in the folder (or, in dev mode, not on disk).
    pub fn preload_header(&self, paths: &[&str]) -> Result<HeaderValue, UnknownAsset> {
        let links = self.with_import_map(|map, lookup| {
            let mut links: Vec<String> = Vec::new();
            for &path in paths {
                let targets = if is_module(path) {
                    map.static_graph(path)
                } else {
                    vec![path]
                };
                if let Some(module) = targets
                    .iter()
                    .find(|module| map.imports_through_map(module))
                {
                    return Err(UnknownAsset {
                        path: path.to_owned(),
                        suggestions: Vec::new(),
                        reason: Some(format!(
                            "`{module}` resolves its imports through the import map, and the \
                             browser acts on a `Link` header before it reads the page's map: \
                             preload it with `modulepreload()` after the map instead"
                        )),
                    });
                }
                let found: Vec<(&str, (String, String))> = targets
                    .into_iter()
                    .filter_map(|target| Some((target, lookup(target)?)))
                    .collect();
                if found.first().is_none_or(|(target, _)| *target != path) {
                    return Err(self.unknown(path));
                }
                for (target, (url, integrity)) in found {
                    let kind = content_kind(target);
                    let mut link = match kind {
                        "module" => format!("<{url}>; rel=modulepreload"),
                        kind => format!("<{url}>; rel=preload; as={kind}"),
                    };
                    let _ = write!(link, "; integrity=\"{integrity}\"");
                    if kind == "font" || url.starts_with("https://") || url.starts_with("http://") {
                        link.push_str("; crossorigin");
                    }
                    if !links.contains(&link) {
                        links.push(link);
                    }
                }
            }
            Ok(links)
        })??;
        // URLs are the prefix and percent-encoded paths, integrity values base64: always
        // a valid header value.
        HeaderValue::from_str(&links.join(", "))
            .map_err(|_| self.unknown(paths.first().copied().unwrap_or_default()))
    }
}

/// The URL dev mode serves `file` at: its hashed name under the URL prefix.
fn dev_url(dev: &DevAssets, file: &ServedFile) -> String {
    format!(
        "{}{}",
        dev.url_prefix(),
        percent_encode_path(file.hashed_path())
    )
}

/// The `as` of a preload for a file (`module` for JavaScript modules).
fn content_kind(canonical: &str) -> &'static str {
    if is_module(canonical) {
        return "module";
    }
    let extension = canonical
        .rsplit_once('.')
        .map_or("", |(_, ext)| ext)
        .to_ascii_lowercase();
    match extension.as_str() {
        "css" => "style",
        "woff2" | "woff" | "ttf" | "otf" => "font",
        "png" | "jpg" | "jpeg" | "gif" | "webp" | "avif" | "svg" | "ico" => "image",
        _ => "fetch",
    }
}

/// A template asked for a path that is not in the manifest (or that dev mode cannot
/// serve right now).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownAsset {
    path: String,
    suggestions: Vec<String>,
    reason: Option<String>,
}

impl UnknownAsset {
    /// The path asked for.
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl fmt::Display for UnknownAsset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            Some(reason) if self.path.is_empty() => return write!(f, "static folder: {reason}"),
            Some(reason) => return write!(f, "static asset `{}`: {reason}", self.path),
            None => {}
        }
        write!(
            f,
            "no static asset `{}`{}",
            self.path,
            did_you_mean(&self.suggestions)
        )
    }
}

impl std::error::Error for UnknownAsset {}
