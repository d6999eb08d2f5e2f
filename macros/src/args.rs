//! Parsing `hyper_assets!("static", option = value, ...)`.

use hyper_assets_pipeline::{macro_option_list, MACRO_OPTIONS};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{bracketed, Ident, LitBool, LitStr, Path, Token};

/// Parsed macro input.
pub(crate) struct Args {
    /// The folder, relative to `CARGO_MANIFEST_DIR`.
    pub(crate) folder: LitStr,
    /// URL prefix, always starting and ending with `/`.
    pub(crate) prefix: String,
    /// Name of the generated module.
    pub(crate) module: Ident,
    pub(crate) include: Vec<LitStr>,
    pub(crate) exclude: Vec<LitStr>,
    pub(crate) hidden: bool,
    /// Path to the runtime crate.
    pub(crate) krate: Path,
    /// Version component groups embedded at build time: name and paths (files or
    /// folders, relative to the crate).
    pub(crate) components: Vec<(Ident, Vec<LitStr>)>,
    /// Rewrite references between CSS/JS and other assets to hashed names.
    pub(crate) rewrite: bool,
    /// Leave references to missing files unchanged instead of failing.
    pub(crate) keep_missing: bool,
    /// Make brotli and gzip variants.
    pub(crate) compress: bool,
    /// Where URLs point when assets are served from elsewhere (a CDN), ending in `/`.
    pub(crate) url_prefix: Option<String>,
    /// `size_limit = "200 MiB"`: a larger embedded set is a compile error (and no size
    /// warning below it), with the literal for the error's span.
    pub(crate) size_limit: Option<(u64, LitStr)>,
    /// `previous = "releases"`: a release folder written by `collect`, whose earlier
    /// releases' hashed files are embedded and served under their own names.
    pub(crate) previous: Option<LitStr>,
    /// `deltas = false`: no `dcb`/`dcz` deltas from `previous`'s releases to the
    /// current files (on by default; they need `compress`).
    pub(crate) deltas: bool,
    /// `import_map("htmx" = "vendor/htmx.esm.js", ...)`: module specifiers resolve
    /// through the import map (served as written), with these bare names.
    pub(crate) import_map: Option<Vec<(LitStr, LitStr)>>,
}

impl Args {
    /// The bare names of `import_map(...)` as (name, canonical path) pairs.
    pub(crate) fn bare_names(&self) -> Vec<(String, String)> {
        self.import_map
            .iter()
            .flatten()
            .map(|(name, target)| (name.value(), target.value()))
            .collect()
    }

    /// The defaults with what can be read of `module = ...` and `crate = ...` from input
    /// that did not parse, for the fallback module of a bad option.
    pub(crate) fn recover(input: proc_macro2::TokenStream) -> Self {
        use proc_macro2::TokenTree;
        let mut args = Self::defaults(LitStr::new("", proc_macro2::Span::call_site()));
        let tokens: Vec<TokenTree> = input.into_iter().collect();
        if let Some(TokenTree::Literal(literal)) = tokens.first() {
            if let Ok(folder) = syn::parse2::<LitStr>(literal.to_token_stream()) {
                args.folder = folder;
            }
        }
        for option in tokens.split(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ',')) {
            let [TokenTree::Ident(key), TokenTree::Punct(eq), value @ ..] = option else {
                continue;
            };
            if eq.as_char() != '=' {
                continue;
            }
            let value: proc_macro2::TokenStream = value.iter().cloned().collect();
            if key == "module" {
                if let Ok(module) = syn::parse2::<Ident>(value) {
                    args.module = module;
                }
            } else if key == "crate" {
                if let Ok(krate) = syn::parse2::<Path>(value) {
                    args.krate = krate;
                }
            }
        }
        args
    }

    fn defaults(folder: LitStr) -> Self {
        Args {
            folder,
            prefix: "/static/".to_owned(),
            module: Ident::new("assets", proc_macro2::Span::call_site()),
            include: Vec::new(),
            exclude: Vec::new(),
            hidden: false,
            krate: syn::parse_quote!(::hyper_assets),
            components: Vec::new(),
            rewrite: true,
            keep_missing: false,
            compress: true,
            url_prefix: None,
            size_limit: None,
            previous: None,
            deltas: true,
            import_map: None,
        }
    }
}

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.is_empty() {
            return Err(input.error(
                "expected the static folder, relative to Cargo.toml: `hyper_assets!(\"static\")`",
            ));
        }
        let folder: LitStr = input.parse()?;
        let mut args = Args::defaults(folder);
        let mut seen: Vec<String> = Vec::new();
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let key: Ident = if input.peek(Token![crate]) {
                let token: Token![crate] = input.parse()?;
                Ident::new("crate", token.span)
            } else {
                input.parse().map_err(|error| {
                    syn::Error::new(
                        error.span(),
                        format!("expected an option: {}", macro_option_list()),
                    )
                })?
            };
            let name = key.to_string();
            // The list, not the match below, decides what an option is: an arm with no
            // entry is never reached, and an entry with no arm fails the tests.
            if !MACRO_OPTIONS.iter().any(|option| option.name == name) {
                return Err(syn::Error::new(
                    key.span(),
                    format!(
                        "unknown option `{name}`; the options are {}",
                        macro_option_list()
                    ),
                ));
            }
            if seen.contains(&name) {
                return Err(syn::Error::new(
                    key.span(),
                    format!("`{name}` is set twice"),
                ));
            }
            if name == "components" {
                args.components = parse_components(input)?;
                seen.push(name);
                continue;
            }
            if name == "import_map" {
                args.import_map = Some(parse_import_map(input)?);
                seen.push(name);
                continue;
            }
            input.parse::<Token![=]>()?;
            match name.as_str() {
                "prefix" => args.prefix = parse_prefix(input)?,
                "url_prefix" => args.url_prefix = Some(parse_url_prefix(input)?),
                "module" => args.module = input.parse()?,
                "include" => args.include = parse_list(input)?,
                "exclude" => args.exclude = parse_list(input)?,
                "hidden" => args.hidden = input.parse::<LitBool>()?.value,
                "rewrite" => args.rewrite = input.parse::<LitBool>()?.value,
                "compress" => args.compress = input.parse::<LitBool>()?.value,
                "deltas" => args.deltas = input.parse::<LitBool>()?.value,
                "missing_references" => {
                    let literal: LitStr = input.parse()?;
                    args.keep_missing = match literal.value().as_str() {
                        "error" => false,
                        "keep" => true,
                        _ => {
                            return Err(syn::Error::new(
                                literal.span(),
                                "`missing_references` is \"error\" (the default) or \"keep\"",
                            ))
                        }
                    };
                }
                "crate" => args.krate = input.parse()?,
                "previous" => args.previous = Some(input.parse()?),
                "size_limit" => {
                    let literal: LitStr = input.parse()?;
                    let bytes = parse_size(&literal.value()).ok_or_else(|| {
                        syn::Error::new(
                            literal.span(),
                            "`size_limit` is a size such as \"200 MiB\", \"50MB\" or \"1GiB\" \
                             (units B, KB, KiB, MB, MiB, GB, GiB)",
                        )
                    })?;
                    args.size_limit = Some((bytes, literal));
                }
                _ => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!("option `{name}` is listed but not read: a hyper-assets bug"),
                    ))
                }
            }
            seen.push(name);
        }
        Ok(args)
    }
}

fn parse_prefix(input: ParseStream<'_>) -> syn::Result<String> {
    let literal: LitStr = input.parse()?;
    hyper_assets_pipeline::normalize_prefix(&literal.value())
        .map_err(|reason| syn::Error::new(literal.span(), reason))
}

/// `components(templates = ["templates"], config = ["config/app.toml"])`
fn parse_components(input: ParseStream<'_>) -> syn::Result<Vec<(Ident, Vec<LitStr>)>> {
    let content;
    syn::parenthesized!(content in input);
    let mut groups: Vec<(Ident, Vec<LitStr>)> = Vec::new();
    while !content.is_empty() {
        let name = Ident::parse_any(&content)?;
        if name == "static" {
            return Err(syn::Error::new(
                name.span(),
                "`static` names the static manifest; choose another component name",
            ));
        }
        if groups.iter().any(|(seen, _)| *seen == name) {
            return Err(syn::Error::new(
                name.span(),
                format!("component `{name}` is listed twice"),
            ));
        }
        content.parse::<Token![=]>()?;
        let paths = parse_list(&content)?;
        if paths.is_empty() {
            return Err(syn::Error::new(
                name.span(),
                format!("component `{name}` lists no files"),
            ));
        }
        groups.push((name, paths));
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    Ok(groups)
}

/// `import_map("htmx" = "vendor/htmx.esm.js", "@scope/pkg" = "vendor/pkg.js")`, or
/// `import_map()` for no bare names.
fn parse_import_map(input: ParseStream<'_>) -> syn::Result<Vec<(LitStr, LitStr)>> {
    let content;
    syn::parenthesized!(content in input);
    let mut names: Vec<(LitStr, LitStr)> = Vec::new();
    while !content.is_empty() {
        let name: LitStr = content.parse().map_err(|error| {
            syn::Error::new(
                error.span(),
                "expected a bare module name and its file: `import_map(\"htmx\" = \"vendor/htmx.esm.js\")`",
            )
        })?;
        let text = name.value();
        let problem = hyper_assets_pipeline::check_bare_name(&text)
            .err()
            .or_else(|| {
                names
                    .iter()
                    .any(|(seen, _)| seen.value() == text)
                    .then(|| format!("`{text}` is mapped twice"))
            });
        if let Some(problem) = problem {
            return Err(syn::Error::new(name.span(), problem));
        }
        content.parse::<Token![=]>()?;
        let target: LitStr = content.parse()?;
        names.push((name, target));
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    Ok(names)
}

/// `url_prefix = "https://cdn.example.com/static/"`: an absolute http(s) URL or a path.
fn parse_url_prefix(input: ParseStream<'_>) -> syn::Result<String> {
    let literal: LitStr = input.parse()?;
    let mut prefix = literal.value();
    let rest = prefix
        .strip_prefix("https://")
        .or_else(|| prefix.strip_prefix("http://"))
        .map(|rest| rest.split_once('/').map_or(rest, |(host, _)| host));
    let valid = (rest.is_some_and(|host| !host.is_empty()) || prefix.starts_with('/'))
        && prefix.bytes().all(|b| {
            b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'<' | b'>' | b'\\' | b'`')
        });
    if !valid {
        return Err(syn::Error::new(
            literal.span(),
            "`url_prefix` must be an http(s) URL or a path, such as \"https://cdn.example.com/static/\"",
        ));
    }
    if !prefix.ends_with('/') {
        prefix.push('/');
    }
    Ok(prefix)
}

/// `"200 MiB"`, `"50MB"`, `"1GiB"`, `"4096"` (bytes): the number of bytes.
pub(crate) fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let number: u64 = number.parse().ok()?;
    let factor: u64 = match unit.trim() {
        "" | "B" => 1,
        "KB" | "kB" => 1000,
        "KiB" => 1 << 10,
        "MB" => 1_000_000,
        "MiB" => 1 << 20,
        "GB" => 1_000_000_000,
        "GiB" => 1 << 30,
        _ => return None,
    };
    number.checked_mul(factor).filter(|&bytes| bytes > 0)
}

fn parse_list(input: ParseStream<'_>) -> syn::Result<Vec<LitStr>> {
    let content;
    bracketed!(content in input);
    let items = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?;
    Ok(items.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("200 MiB"), Some(200 << 20));
        assert_eq!(parse_size("50MB"), Some(50_000_000));
        assert_eq!(parse_size("1GiB"), Some(1 << 30));
        assert_eq!(parse_size("4096"), Some(4096));
        for bad in [
            "",
            "MiB",
            "0",
            "12 parsecs",
            "-1MB",
            "1.5MB",
            "99999999999999 GiB",
        ] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }

    fn parse(tokens: proc_macro2::TokenStream) -> syn::Result<Args> {
        syn::parse2(tokens)
    }

    fn error(tokens: proc_macro2::TokenStream) -> String {
        match parse(tokens) {
            Ok(_) => panic!("expected an error"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn defaults() {
        let args = parse(quote!("static")).unwrap();
        assert_eq!(args.folder.value(), "static");
        assert_eq!(args.prefix, "/static/");
        assert_eq!(args.module, "assets");
        assert!(!args.hidden);
    }

    /// The defaults the guide's table shows (`MACRO_OPTIONS`) are the parser's.
    #[test]
    fn defaults_are_the_listed_ones() {
        let args = parse(quote!("static")).unwrap();
        let krate = &args.krate;
        let none = |empty: bool| if empty { "none" } else { "set" }.to_owned();
        for option in hyper_assets_pipeline::MACRO_OPTIONS {
            let actual = match option.name {
                "prefix" => format!("{:?}", args.prefix),
                "url_prefix" => match &args.url_prefix {
                    None => "the prefix".to_owned(),
                    Some(url) => url.clone(),
                },
                "module" => args.module.to_string(),
                "include" => if args.include.is_empty() {
                    "all files"
                } else {
                    "set"
                }
                .to_owned(),
                "exclude" => none(args.exclude.is_empty()),
                "hidden" => args.hidden.to_string(),
                "rewrite" => args.rewrite.to_string(),
                "missing_references" => if args.keep_missing {
                    "\"keep\""
                } else {
                    "\"error\""
                }
                .to_owned(),
                "compress" => args.compress.to_string(),
                "size_limit" => match args.size_limit {
                    None => "no limit, a warning past 32 MiB".to_owned(),
                    Some((bytes, _)) => bytes.to_string(),
                },
                "previous" => none(args.previous.is_none()),
                "deltas" => args.deltas.to_string(),
                "components" => none(args.components.is_empty()),
                "import_map" => none(args.import_map.is_none()),
                "crate" => quote!(#krate).to_string().replace(' ', ""),
                other => panic!("option `{other}` has no default here"),
            };
            assert_eq!(actual, option.default, "`{}`", option.name);
        }
    }

    #[test]
    fn every_option() {
        let args = parse(quote!(
            "public",
            prefix = "/assets",
            module = files,
            include = ["**/*.css", "*.js"],
            exclude = ["*.map"],
            hidden = true,
            crate = ::renamed,
            components(templates = ["templates"], config = ["a.toml", "b.toml"]),
        ))
        .unwrap();
        assert_eq!(args.prefix, "/assets/");
        assert_eq!(args.module, "files");
        assert_eq!(args.include.len(), 2);
        assert_eq!(args.exclude[0].value(), "*.map");
        assert!(args.hidden);
        assert_eq!(args.components.len(), 2);
        assert_eq!(args.components[1].1.len(), 2);
        let krate = &args.krate;
        assert_eq!(quote!(#krate).to_string().replace(' ', ""), "::renamed");
    }

    /// Every listed option parses, so an entry of `MACRO_OPTIONS` with no arm in the
    /// parser fails here (and a name with no entry is an unknown option).
    #[test]
    fn every_listed_option_parses() {
        for option in MACRO_OPTIONS {
            let sample = match option.name {
                "prefix" => quote!(prefix = "/assets/"),
                "url_prefix" => quote!(url_prefix = "https://cdn.example.com/static/"),
                "module" => quote!(module = files),
                "include" => quote!(include = ["*.css"]),
                "exclude" => quote!(exclude = ["*.map"]),
                "hidden" => quote!(hidden = true),
                "rewrite" => quote!(rewrite = false),
                "missing_references" => quote!(missing_references = "keep"),
                "compress" => quote!(compress = false),
                "size_limit" => quote!(size_limit = "200 MiB"),
                "previous" => quote!(previous = "releases"),
                "deltas" => quote!(deltas = false),
                "components" => quote!(components(templates = ["templates"])),
                "import_map" => quote!(import_map("htmx" = "vendor/htmx.esm.js")),
                "crate" => quote!(crate = ::renamed),
                other => panic!("option `{other}` has no sample value here: add one"),
            };
            if let Err(error) = parse(quote!("static", #sample)) {
                panic!("`{}` does not parse: {error}", option.written());
            }
        }
        assert!(error(quote!("s", colour(a = ["b"]))).contains("unknown option `colour`"));
    }

    #[test]
    fn bad_input() {
        assert!(error(quote!()).contains("expected the static folder"));
        assert!(error(quote!("s", colour = "red")).contains("unknown option `colour`"));
        assert!(error(quote!("s", module = a, module = b)).contains("set twice"));
        assert!(error(quote!("s", prefix = "static")).contains("must be a URL path"));
        assert!(error(quote!("s", prefix = "/a b/")).contains("must be a URL path"));
        assert!(error(quote!(static)).contains("expected string literal"));
        assert!(
            error(quote!("s", components(static = ["a"]))).contains("names the static manifest")
        );
        assert!(error(quote!("s", components(a = ["x"], a = ["y"]))).contains("listed twice"));
        assert!(error(quote!("s", components(a = []))).contains("lists no files"));
        assert!(
            error(quote!("s", import_map(htmx = "a.js"))).contains("expected a bare module name")
        );
        assert!(error(quote!("s", import_map("./a.js" = "a.js"))).contains("is a path"));
        assert!(
            error(quote!("s", import_map("https://x/a.js" = "a.js"))).contains("looks like a URL")
        );
        assert!(error(quote!("s", import_map("lib/" = "lib/"))).contains("folder mapping"));
        assert!(error(quote!("s", import_map("" = "a.js"))).contains("not empty"));
        assert!(error(quote!("s", import_map("a" = "a.js", "a" = "b.js"))).contains("mapped twice"));
        let args = parse(quote!(
            "s",
            import_map("htmx" = "vendor/htmx.esm.js", "@x/y" = "y.js",)
        ))
        .unwrap();
        assert_eq!(
            args.bare_names(),
            [
                ("htmx".to_owned(), "vendor/htmx.esm.js".to_owned()),
                ("@x/y".to_owned(), "y.js".to_owned())
            ]
        );
        assert!(parse(quote!("s", import_map()))
            .unwrap()
            .import_map
            .is_some_and(|n| n.is_empty()));
    }
}
