//! Template functions for [Tera](https://docs.rs/tera) 1 (feature `tera`), the engine of
//! Loco and of many axum apps.

use crate::templates::helpers::TemplateHelpers;
use crate::templates::UnknownAsset;
use std::borrow::Cow;
use std::collections::HashMap;
use tera::{Error, Function, Tera, Value};

/// Registers `static(path=...)`, `static_url(path=...)`, `integrity(path=...)`,
/// `modulepreload(path=...)`, `import_map()`, `import_map_csp_hash()` and `app_version()`
/// as Tera functions. Tera passes arguments by name, so the path is
/// `path="css/styles.css"`. An unknown path fails the render with an error naming it and
/// the closest paths (never an empty string); a missing or non-string `path` too.
///
/// URLs and integrity values are marked safe: they hold only the prefix, a
/// percent-encoded path or base64, so autoescaping would only turn `/` into `&#x2F;`. So
/// are the import map's `<script type="importmap">` (its JSON escapes `<`, `>` and `&`)
/// and the `modulepreload` links. The version is escaped like any value.
///
/// ```
/// # fn demo(helpers: hyper_assets::TemplateHelpers) -> Result<(), tera::Error> {
/// let mut tera = tera::Tera::default();
/// hyper_assets::templates::tera::add_helpers(&mut tera, helpers);
/// let html = tera.render_str(
///     r#"<link href="{{ static(path="css/styles.css") }}">"#,
///     &tera::Context::new(),
/// )?;
/// # Ok(()) }
/// ```
pub fn add_helpers(tera: &mut Tera, helpers: TemplateHelpers) {
    for (name, lookup) in [
        ("static", TemplateHelpers::static_path as Lookup),
        ("static_url", TemplateHelpers::static_url),
        ("integrity", TemplateHelpers::integrity),
        ("modulepreload", TemplateHelpers::modulepreload),
    ] {
        tera.register_function(
            name,
            PathFunction {
                name,
                helpers: helpers.clone(),
                lookup,
            },
        );
    }
    tera.register_function(
        "import_map",
        NoArgumentFunction {
            name: "import_map",
            helpers: helpers.clone(),
            value: |helpers| helpers.import_map().map(Cow::into_owned),
            safe: true,
        },
    );
    tera.register_function(
        "import_map_csp_hash",
        NoArgumentFunction {
            name: "import_map_csp_hash",
            helpers: helpers.clone(),
            value: |helpers| helpers.import_map_csp_hash().map(Cow::into_owned),
            safe: false,
        },
    );
    tera.register_function(
        "app_version",
        NoArgumentFunction {
            name: "app_version",
            helpers,
            value: |helpers| Ok(helpers.app_version()),
            safe: false,
        },
    );
}

/// What a function of no arguments renders.
type NoArgumentValue = fn(&TemplateHelpers) -> Result<String, UnknownAsset>;

type Lookup = fn(&TemplateHelpers, &str) -> Result<Cow<'static, str>, UnknownAsset>;

/// A function of one asset path.
struct PathFunction {
    name: &'static str,
    helpers: TemplateHelpers,
    lookup: Lookup,
}

impl Function for PathFunction {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let path = match args.get("path") {
            Some(Value::String(path)) => path,
            Some(other) => {
                return Err(Error::msg(format!(
                    "{}(path=...): `path` must be a string, not {other}",
                    self.name
                )))
            }
            None => {
                return Err(Error::msg(format!(
                    "{}() needs the asset's path: {}(path=\"css/styles.css\")",
                    self.name, self.name
                )))
            }
        };
        if let Some(extra) = args.keys().find(|key| *key != "path") {
            return Err(Error::msg(format!(
                "{}() takes only `path`, not `{extra}`",
                self.name
            )));
        }
        (self.lookup)(&self.helpers, path)
            .map(|url| Value::String(url.into_owned()))
            .map_err(|error| Error::chain(error.to_string(), error))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

/// A function of no arguments.
struct NoArgumentFunction {
    name: &'static str,
    helpers: TemplateHelpers,
    value: NoArgumentValue,
    safe: bool,
}

impl Function for NoArgumentFunction {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        if let Some(extra) = args.keys().next() {
            return Err(Error::msg(format!(
                "{}() takes no arguments, not `{extra}`",
                self.name
            )));
        }
        (self.value)(&self.helpers)
            .map(Value::String)
            .map_err(|error| Error::chain(error.to_string(), error))
    }

    fn is_safe(&self) -> bool {
        self.safe
    }
}
