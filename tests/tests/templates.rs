//! The template globals `static`, `static_url`, `integrity` and `app_version`, in
//! minijinja, Tera and Askama: hashed URLs for canonical paths, escaping, and a render
//! error for an unknown path.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use askama::Template;
use hyper_assets::{version::AppVersion, Settings, TemplateHelpers};

hyper_assets::hyper_assets!("fixtures/basic");

fn helpers() -> TemplateHelpers {
    let version = AppVersion::builder()
        .settings(
            Settings::builder()
                .app_version("v7</script>\"")
                .build()
                .unwrap(),
        )
        .manifest(&assets::MANIFEST)
        .build()
        .unwrap();
    TemplateHelpers::new(&assets::MANIFEST, &version)
}

fn minijinja_env() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    hyper_assets::templates::minijinja::add_helpers(&mut env, helpers());
    env
}

#[test]
fn minijinja_static_and_static_url_give_hashed_urls() {
    let mut env = minijinja_env();
    env.add_template(
        "page.html",
        r#"<link href="{{ static('css/styles.css') }}"><script src="{{ static_url('js/app.min.js') }}"></script><meta content="{{ app_version() }}">"#,
    )
    .unwrap();
    let html = env.get_template("page.html").unwrap().render(()).unwrap();
    assert_eq!(
        html,
        format!(
            r#"<link href="{}"><script src="{}"></script><meta content="v7&lt;&#x2f;script&gt;&quot;">"#,
            assets::url!("css/styles.css"),
            assets::url!("js/app.min.js"),
        )
    );
}

#[test]
fn minijinja_unknown_path_is_a_render_error() {
    let env = minijinja_env();
    let error = env
        .render_str("{{ static('css/style.css') }}", ())
        .unwrap_err();
    let message = format!("{error:#}");
    assert!(
        message.contains("no static asset `css/style.css`"),
        "{message}"
    );
    assert!(
        message.contains("did you mean `css/styles.css`"),
        "{message}"
    );
    let error = env
        .render_str("{{ static_url('nope.js') }}", ())
        .unwrap_err();
    assert!(format!("{error:#}").contains("nope.js"));
}

fn tera() -> tera::Tera {
    let mut tera = tera::Tera::default();
    hyper_assets::templates::tera::add_helpers(&mut tera, helpers());
    tera
}

/// Tera's whole error chain, as a log shows it.
fn tera_error(error: &tera::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

#[test]
fn tera_functions_give_hashed_urls_and_escape_the_version() {
    let mut tera = tera();
    tera.add_raw_template(
        "page.html",
        r#"<link href="{{ static(path="css/styles.css") }}" integrity="{{ integrity(path="css/styles.css") }}"><img src="{{ static_url(path="img/a b.png") }}"><meta content="{{ app_version() }}">"#,
    )
    .unwrap();
    let html = tera.render("page.html", &tera::Context::new()).unwrap();
    assert_eq!(
        html,
        format!(
            r#"<link href="{}" integrity="{}"><img src="{}"><meta content="{}">"#,
            assets::url!("css/styles.css"),
            assets::integrity!("css/styles.css"),
            assets::url!("img/a b.png"),
            tera::escape_html("v7</script>\""),
        )
    );
    assert!(
        assets::url!("img/a b.png").contains("a%20b."),
        "percent-encoded"
    );
    assert!(html.contains("v7&lt;&#x2F;script&gt;&quot;"), "{html}");
}

#[test]
fn tera_unknown_paths_and_bad_arguments_fail_the_render() {
    let tera = tera();
    let render = |source: &str| {
        let mut tera = tera.clone();
        tera.add_raw_template("t.html", source).unwrap();
        tera_error(&tera.render("t.html", &tera::Context::new()).unwrap_err())
    };
    let message = render(r#"{{ static(path="css/style.css") }}"#);
    assert!(
        message.contains("no static asset `css/style.css`; did you mean `css/styles.css`?"),
        "{message}"
    );
    for (source, expected) in [
        (
            r#"{{ integrity(path="nope.js") }}"#,
            "no static asset `nope.js`",
        ),
        (
            "{{ static() }}",
            "static() needs the asset's path: static(path=\"css/styles.css\")",
        ),
        (
            "{{ static_url(path=3) }}",
            "static_url(path=...): `path` must be a string, not 3",
        ),
        (
            r#"{{ static(path="css/styles.css", v="1") }}"#,
            "static() takes only `path`, not `v`",
        ),
        (
            r#"{{ app_version(x=1) }}"#,
            "app_version() takes no arguments, not `x`",
        ),
    ] {
        let message = render(source);
        assert!(message.contains(expected), "{source}: {message}");
    }
}

#[derive(Template)]
#[template(
    source = r#"<link href="{{ helpers.static_url("css/styles.css")? }}"><meta content="{{ helpers.app_version() }}">"#,
    ext = "html"
)]
struct Page {
    helpers: TemplateHelpers,
}

#[derive(Template)]
#[template(
    source = r#"<img src="{{ helpers.static_path(path)? }}">"#,
    ext = "html"
)]
struct Image<'a> {
    helpers: TemplateHelpers,
    path: &'a str,
}

#[test]
fn askama_static_url_gives_hashed_urls() {
    let html = Page { helpers: helpers() }.render().unwrap();
    assert_eq!(
        html,
        format!(
            r#"<link href="{}"><meta content="v7&#60;/script&#62;&#34;">"#,
            assets::url!("css/styles.css")
        )
    );
}

#[test]
fn askama_unknown_path_is_a_render_error() {
    let image = Image {
        helpers: helpers(),
        path: "img/a b.png",
    };
    assert!(image.render().unwrap().contains("a%20b."));
    let missing = Image {
        helpers: helpers(),
        path: "img/logo.svg",
    };
    let error = missing.render().unwrap_err();
    assert!(
        error.to_string().contains("no static asset `img/logo.svg`"),
        "{error}"
    );
}
