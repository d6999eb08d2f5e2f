//! Template globals: `static`, `static_url`, `integrity`, `app_version`, `import_map`
//! and `modulepreload`, for any engine
//! ([`TemplateHelpers`]), registered for minijinja by [`minijinja::add_helpers`] (feature
//! `minijinja`) and for Tera by [`tera::add_helpers`] (feature
//! `tera`). [`Site::template_helpers`](crate::Site::template_helpers) gives them wired to
//! the site's version and dev mode.

pub(crate) mod helpers;
#[cfg(feature = "minijinja")]
pub mod minijinja;
#[cfg(feature = "tera")]
pub mod tera;

pub use helpers::{TemplateHelpers, UnknownAsset};
