//! Template globals for [minijinja](https://docs.rs/minijinja) (feature `minijinja`).

use crate::templates::helpers::TemplateHelpers;
use ::minijinja::{Environment, Error, ErrorKind, Value};

/// Registers `static(path)`, `static_url(path)`, `integrity(path)`,
/// `modulepreload(path)`, `import_map()`, `import_map_csp_hash()` and `app_version()` as
/// global functions.
/// An unknown path fails the render with an error naming it (never an empty string).
///
/// ```
/// # fn demo(helpers: hyper_assets::TemplateHelpers) -> Result<(), minijinja::Error> {
/// let mut env = minijinja::Environment::new();
/// hyper_assets::templates::minijinja::add_helpers(&mut env, helpers);
/// let html = env.render_str(r#"<link href="{{ static('css/styles.css') }}">"#, ())?;
/// # Ok(()) }
/// ```
pub fn add_helpers(env: &mut Environment<'_>, helpers: TemplateHelpers) {
    env.add_function(
        "static",
        path_function(&helpers, TemplateHelpers::static_path),
    );
    env.add_function(
        "static_url",
        path_function(&helpers, TemplateHelpers::static_url),
    );
    env.add_function(
        "integrity",
        path_function(&helpers, TemplateHelpers::integrity),
    );
    env.add_function(
        "modulepreload",
        path_function(&helpers, TemplateHelpers::modulepreload),
    );
    let map = helpers.clone();
    env.add_function("import_map", move || {
        map.import_map().map(url_value).map_err(render_error)
    });
    // Escaped like any value: in a `<meta http-equiv>` attribute `'` becomes `&#x27;`,
    // which the browser reads back as `'`.
    let map = helpers.clone();
    env.add_function("import_map_csp_hash", move || {
        map.import_map_csp_hash()
            .map(|hash| Value::from(hash.into_owned()))
            .map_err(render_error)
    });
    env.add_function("app_version", move || helpers.app_version());
}

/// A template function of one asset path, calling `lookup` on its own handle to the helpers.
fn path_function(
    helpers: &TemplateHelpers,
    lookup: fn(
        &TemplateHelpers,
        &str,
    ) -> Result<std::borrow::Cow<'static, str>, crate::templates::UnknownAsset>,
) -> impl Fn(&str) -> Result<Value, Error> + Send + Sync + 'static {
    let helpers = helpers.clone();
    move |path| lookup(&helpers, path).map(url_value).map_err(render_error)
}

/// URLs are the prefix (letters, digits, `-._~/`) and a percent-encoded path, integrity
/// values are base64: nothing in them needs HTML escaping, and escaping `/` as `&#x2f;`
/// only makes pages harder to read. The import map tag and the `modulepreload` links are
/// markup made of those (the map's JSON escapes `<`, `>` and `&`).
fn url_value(url: std::borrow::Cow<'static, str>) -> Value {
    Value::from_safe_string(url.into_owned())
}

fn render_error(error: crate::templates::UnknownAsset) -> Error {
    Error::new(ErrorKind::InvalidOperation, error.to_string()).with_source(error)
}
