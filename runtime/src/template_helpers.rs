//! The template globals `static`, `static_url` and `app_version`, for any engine.

use crate::app_version::AppVersion;
use crate::manifest::Manifest;
use hyper_assets_pipeline::closest_matches;
use std::fmt;

/// What templates call to turn canonical paths into URLs and to show the version.
/// Templates name `css/styles.css`; the page gets `/static/css/styles.<12hex>.css`.
///
/// With minijinja, [`minijinja::add_helpers`](crate::minijinja::add_helpers) registers
/// them as globals (feature `minijinja`). With Askama, put the helpers in the template's
/// struct and call them with `?`, so an unknown path fails the render:
///
/// ```text
/// <link rel="stylesheet" href="{{ helpers.static_url("css/styles.css")? }}">
/// <meta name="app-version" content="{{ helpers.app_version() }}">
/// ```
///
/// ```
/// use hyper_assets::{AppVersion, Manifest, TemplateHelpers};
///
/// fn helpers(manifest: &'static Manifest) -> TemplateHelpers {
///     TemplateHelpers::new(manifest, &AppVersion::from_manifest(manifest))
/// }
/// ```
#[derive(Debug, Clone)]
pub struct TemplateHelpers {
    manifest: &'static Manifest,
    version: AppVersion,
}

impl TemplateHelpers {
    /// Helpers over `manifest`, showing `version`.
    pub fn new(manifest: &'static Manifest, version: &AppVersion) -> Self {
        Self {
            manifest,
            version: version.clone(),
        }
    }

    /// `static('css/styles.css')`: the hashed URL.
    ///
    /// # Errors
    /// The path is not in the manifest; the error names it and the closest paths.
    pub fn static_path(&self, path: &str) -> Result<&'static str, UnknownAsset> {
        self.manifest.url(path).ok_or_else(|| UnknownAsset {
            path: path.to_owned(),
            suggestions: closest_matches(
                path,
                self.manifest
                    .assets()
                    .iter()
                    .map(|asset| asset.canonical_path()),
            )
            .into_iter()
            .map(str::to_owned)
            .collect(),
        })
    }

    /// `static_url('css/styles.css')`: in production the hashed URL, as `static`.
    ///
    /// # Errors
    /// The path is not in the manifest.
    pub fn static_url(&self, path: &str) -> Result<&'static str, UnknownAsset> {
        self.static_path(path)
    }

    /// `integrity('js/app.js')`: the Subresource Integrity value of the bytes served.
    ///
    /// # Errors
    /// The path is not in the manifest.
    pub fn integrity(&self, path: &str) -> Result<&'static str, UnknownAsset> {
        self.static_path(path)?;
        Ok(self
            .manifest
            .get(path)
            .map_or("", |asset| asset.integrity()))
    }

    /// `app_version()`: the current app version.
    pub fn app_version(&self) -> String {
        self.version.current().version().to_owned()
    }
}

/// A template asked for a path that is not in the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownAsset {
    path: String,
    suggestions: Vec<String>,
}

impl UnknownAsset {
    /// The path asked for.
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl fmt::Display for UnknownAsset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no static asset `{}`", self.path)?;
        if !self.suggestions.is_empty() {
            let quoted: Vec<String> = self.suggestions.iter().map(|s| format!("`{s}`")).collect();
            write!(f, "; did you mean {}?", quoted.join(" or "))?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownAsset {}
