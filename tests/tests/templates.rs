//! The template globals `static`, `static_url` and `app_version`, in minijinja and in
//! Askama: hashed URLs for canonical paths, and a render error for an unknown path.

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
