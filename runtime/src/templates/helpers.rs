//! The template globals `static`, `static_url`, `integrity` and `app_version`, for any
//! engine.

use crate::dev::DevAssets;
use crate::manifest::Manifest;
use crate::serving::ServedFile;
use crate::version::store::AppVersion;
use hyper_assets_pipeline::{closest_matches, percent_encode_path};
use std::borrow::Cow;
use std::fmt;

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

    /// The current bytes' dev file, or the error to render.
    fn dev_file(&self, dev: &DevAssets, path: &str) -> Result<ServedFile, UnknownAsset> {
        let cached = self.refreshed_by_layer.then(|| dev.cached()).flatten();
        let snapshot = cached
            .map_or_else(|| dev.snapshot(), Ok)
            .map_err(|error| UnknownAsset {
                path: path.to_owned(),
                suggestions: Vec::new(),
                reason: Some(error.to_string()),
            })?;
        match snapshot.get(path) {
            Some(file) => Ok(file.clone()),
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
            return Ok(Cow::Owned(format!(
                "{}{}",
                dev.url_prefix(),
                percent_encode_path(file.hashed_path())
            )));
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
        if let Some(reason) = &self.reason {
            return write!(f, "static asset `{}`: {reason}", self.path);
        }
        write!(f, "no static asset `{}`", self.path)?;
        if !self.suggestions.is_empty() {
            let quoted: Vec<String> = self.suggestions.iter().map(|s| format!("`{s}`")).collect();
            write!(f, "; did you mean {}?", quoted.join(" or "))?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownAsset {}
