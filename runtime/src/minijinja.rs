//! Template globals for [minijinja](https://docs.rs/minijinja) (feature `minijinja`).

use crate::template_helpers::TemplateHelpers;
use ::minijinja::{Environment, Error, ErrorKind, Value};

/// Registers `static(path)`, `static_url(path)`, `integrity(path)` and `app_version()` as
/// global functions.
/// An unknown path fails the render with an error naming it (never an empty string).
///
/// ```
/// # fn demo(helpers: hyper_assets::TemplateHelpers) -> Result<(), minijinja::Error> {
/// let mut env = minijinja::Environment::new();
/// hyper_assets::minijinja::add_helpers(&mut env, helpers);
/// let html = env.render_str(r#"<link href="{{ static('css/styles.css') }}">"#, ())?;
/// # Ok(()) }
/// ```
pub fn add_helpers(env: &mut Environment<'_>, helpers: TemplateHelpers) {
    let for_static = helpers.clone();
    env.add_function("static", move |path: &str| {
        for_static
            .static_path(path)
            .map(url_value)
            .map_err(render_error)
    });
    let for_static_url = helpers.clone();
    env.add_function("static_url", move |path: &str| {
        for_static_url
            .static_url(path)
            .map(url_value)
            .map_err(render_error)
    });
    let for_integrity = helpers.clone();
    env.add_function("integrity", move |path: &str| {
        for_integrity
            .integrity(path)
            .map(url_value)
            .map_err(render_error)
    });
    env.add_function("app_version", move || helpers.app_version());
}

/// URLs are the prefix (letters, digits, `-._~/`) and a percent-encoded path, integrity
/// values are base64: nothing in them needs HTML escaping, and escaping `/` as `&#x2f;`
/// only makes pages harder to read.
fn url_value(url: std::borrow::Cow<'static, str>) -> Value {
    Value::from_safe_string(url.into_owned())
}

fn render_error(error: crate::UnknownAsset) -> Error {
    Error::new(ErrorKind::InvalidOperation, error.to_string()).with_source(error)
}
