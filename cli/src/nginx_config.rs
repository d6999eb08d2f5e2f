//! `hyper-assets nginx-config`: the nginx configuration, generated from the same settings
//! and files as the app, so the proxy and the app cannot drift.

use crate::args::Args;
use hyper_assets::routing;

/// `--static-root DIR`: the `location` that serves a release folder (its
/// `staticfiles.json` gives the types), the deltas `collect` wrote and the
/// `Use-As-Dictionary` of hashed compressible files included, all inside it (nothing goes
/// at the `http {}` level); otherwise the version routing of `VERSION_MAP`.
pub(crate) fn nginx_config(mut args: Args) -> Result<String, String> {
    let root = args.value("--static-root")?;
    let prefix = args.value("--prefix")?;
    let brotli = args.flag("--brotli");
    args.finish()?;
    match root {
        Some(root) => static_location(&root, prefix.as_deref(), brotli),
        None if prefix.is_some() || brotli => {
            Err("--prefix and --brotli go with --static-root DIR".to_owned())
        }
        None => version_routing(),
    }
}

fn static_location(root: &str, prefix: Option<&str>, brotli: bool) -> Result<String, String> {
    let prefix = hyper_assets_pipeline::normalize_prefix(prefix.unwrap_or("/static/"))
        .map_err(|e| format!("--prefix: {e}"))?;
    let manifest = std::path::Path::new(root).join(hyper_assets_pipeline::STATICFILES_JSON);
    let text = std::fs::read_to_string(&manifest).map_err(|e| {
        format!(
            "cannot read {}: {e}; write the folder with `hyper-assets collect {root}` first",
            manifest.display()
        )
    })?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not JSON: {e}", manifest.display()))?;
    let paths = value["paths"]
        .as_object()
        .ok_or_else(|| format!("{} has no `paths`", manifest.display()))?;
    // The types of earlier releases' files too: a kept `.mjs` of an earlier release must
    // not fall back to `application/octet-stream` (with nosniff, a refused module).
    let index = hyper_assets_pipeline::ReleaseIndex::read(std::path::Path::new(root))
        .map_err(|e| e.to_string())?;
    let earlier = index
        .releases()
        .iter()
        .flat_map(|release| &release.files)
        .filter_map(|hashed| hyper_assets_pipeline::split_hashed_name(hashed).map(|(c, _)| c));
    let mut canonical: Vec<String> = paths.keys().cloned().chain(earlier).collect();
    canonical.sort();
    canonical.dedup();
    let types: Vec<(String, String)> = canonical
        .into_iter()
        .map(|name| {
            let content_type = hyper_assets_pipeline::content_type(&name);
            (name, content_type)
        })
        .collect();
    let root =
        std::fs::canonicalize(root).map_or_else(|_| root.to_owned(), |p| p.display().to_string());
    Ok(hyper_assets_pipeline::nginx_static_location(
        &prefix,
        types.iter().map(|(c, t)| (c.as_str(), t.as_str())),
        &root,
        brotli,
    ))
}

fn version_routing() -> Result<String, String> {
    let settings = hyper_assets::Settings::from_env().map_err(|e| e.to_string())?;
    let router = routing::VersionRouterLayer::from_settings(settings.routing())
        .map_err(|e| e.to_string())?
        .ok_or(
            "VERSION_MAP is not set: nginx-config generates version routing from it \
             (or the static location with --static-root DIR)",
        )?;
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let upstreams = routing::parse_backend_addrs(&var("BACKEND_ADDRS").unwrap_or_default())
        .map_err(|e| format!("BACKEND_ADDRS: {e}"))?;
    let listen = var("NGINX_LISTEN").unwrap_or_else(|| "8080".to_owned());
    routing::nginx_config(&router, &routing::NginxOptions::new(listen, upstreams))
        .map_err(|e| format!("{e} (BACKEND_ADDRS, NGINX_LISTEN)"))
}
