//! The options of a build, read either from the flags of `collect` or from a
//! `hyper_assets!` call, into one shape, so the two can be compared option by option.

use crate::args::Args;
use hyper_assets_build::{CallArguments, OptionValue};
use hyper_assets_pipeline::{check_bare_name, normalize_prefix, Glob};

/// The options that decide a release's bytes and version (and whether it gets deltas).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Options {
    /// URL prefix, starting and ending with `/`.
    pub(crate) prefix: String,
    /// Where URLs point when assets are served from elsewhere, ending in `/`.
    pub(crate) url_prefix: Option<String>,
    pub(crate) include: Vec<String>,
    pub(crate) exclude: Vec<String>,
    pub(crate) hidden: bool,
    pub(crate) rewrite: bool,
    /// `missing_references = "keep"`.
    pub(crate) keep_missing: bool,
    /// `import_map(...)` and its bare names.
    pub(crate) import_map: Option<Vec<(String, String)>>,
    pub(crate) compress: bool,
    pub(crate) deltas: bool,
}

impl Default for Options {
    /// The macro's defaults.
    fn default() -> Self {
        Self {
            prefix: "/static/".to_owned(),
            url_prefix: None,
            include: Vec::new(),
            exclude: Vec::new(),
            hidden: false,
            rewrite: true,
            keep_missing: false,
            import_map: None,
            compress: true,
            deltas: true,
        }
    }
}

/// The options of a `hyper_assets!` call that [`Options`] holds.
const READ_OPTIONS: &[&str] = &[
    "prefix",
    "url_prefix",
    "include",
    "exclude",
    "hidden",
    "rewrite",
    "missing_references",
    "compress",
    "deltas",
    "import_map",
];

/// The options of a `hyper_assets!` call that do not change what `collect` writes.
const IGNORED_OPTIONS: &[&str] = &["module", "crate", "size_limit", "previous", "components"];

impl Options {
    /// The options of a call (`location` names it in errors). An option this CLI does
    /// not know is an error: the release could differ from the binary's.
    pub(crate) fn from_call(arguments: &CallArguments, location: &str) -> Result<Self, String> {
        let mut options = Self::default();
        for (name, value) in arguments.options() {
            let unreadable = || {
                format!("cannot read `{name}` of the `hyper_assets!` call at {location}: {value:?}")
            };
            match (name.as_str(), value) {
                ("prefix", OptionValue::Str(prefix)) => {
                    options.prefix = normalize_prefix(prefix).map_err(|e| {
                        format!("`prefix` of the `hyper_assets!` call at {location}: {e}")
                    })?;
                }
                ("url_prefix", OptionValue::Str(url)) => options.url_prefix = Some(slashed(url)),
                ("include", OptionValue::List(globs)) => options.include.clone_from(globs),
                ("exclude", OptionValue::List(globs)) => options.exclude.clone_from(globs),
                ("hidden", OptionValue::Bool(on)) => options.hidden = *on,
                ("rewrite", OptionValue::Bool(on)) => options.rewrite = *on,
                ("compress", OptionValue::Bool(on)) => options.compress = *on,
                ("deltas", OptionValue::Bool(on)) => options.deltas = *on,
                ("missing_references", OptionValue::Str(mode)) if mode == "keep" => {
                    options.keep_missing = true;
                }
                ("missing_references", OptionValue::Str(mode)) if mode == "error" => {
                    options.keep_missing = false;
                }
                ("import_map", OptionValue::Pairs(names)) => {
                    options.import_map = Some(names.clone());
                }
                (name, _) if IGNORED_OPTIONS.contains(&name) => {}
                (name, _) if READ_OPTIONS.contains(&name) => return Err(unreadable()),
                (name, _) => {
                    return Err(format!(
                        "the `hyper_assets!` call at {location} sets `{name}`, an option this \
                         hyper-assets command line does not know: update it to the macro's \
                         version"
                    ))
                }
            }
        }
        Ok(options)
    }

    /// The option as a call would write it: `rewrite = true`, `import_map("a" = "b")`.
    fn written(&self, option: &str) -> String {
        let list = |items: &[String]| {
            let quoted: Vec<String> = items.iter().map(|item| format!("{item:?}")).collect();
            format!("[{}]", quoted.join(", "))
        };
        match option {
            "prefix" => format!("prefix = {:?}", self.prefix),
            "url_prefix" => match &self.url_prefix {
                Some(url) => format!("url_prefix = {url:?}"),
                None => "no `url_prefix`".to_owned(),
            },
            "include" => format!("include = {}", list(&self.include)),
            "exclude" => format!("exclude = {}", list(&self.exclude)),
            "hidden" => format!("hidden = {}", self.hidden),
            "rewrite" => format!("rewrite = {}", self.rewrite),
            "missing_references" => format!(
                "missing_references = {:?}",
                if self.keep_missing { "keep" } else { "error" }
            ),
            "import_map" => match &self.import_map {
                Some(names) => {
                    let pairs: Vec<String> = names
                        .iter()
                        .map(|(name, path)| format!("{name:?} = {path:?}"))
                        .collect();
                    format!("import_map({})", pairs.join(", "))
                }
                None => "no `import_map(...)`".to_owned(),
            },
            "compress" => format!("compress = {}", self.compress),
            _ => format!("deltas = {}", self.deltas),
        }
    }
}

/// `https://cdn/x` -> `https://cdn/x/`.
fn slashed(url: &str) -> String {
    let mut url = url.to_owned();
    if !url.ends_with('/') {
        url.push('/');
    }
    url
}

/// The build flags of `collect` as given: each is `None`/`false`/empty when not given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BuildFlags {
    /// `--crate DIR`.
    pub(crate) crate_dir: Option<String>,
    /// `--static FOLDER`.
    pub(crate) folder: Option<String>,
    /// `--prefix PATH`, normalized.
    prefix: Option<String>,
    /// `--url-prefix URL`, ending in `/`.
    url_prefix: Option<String>,
    include: Vec<String>,
    exclude: Vec<String>,
    hidden: bool,
    no_rewrite: bool,
    keep_missing: bool,
    import_map: bool,
    import_names: Vec<(String, String)>,
    no_compress: bool,
    no_deltas: bool,
}

impl BuildFlags {
    /// Takes the build flags out of `args`; a malformed value is an error naming it.
    pub(crate) fn from_args(args: &mut Args) -> Result<Self, String> {
        let crate_dir = args.value("--crate")?;
        let folder = args.value("--static")?;
        let prefix = match args.value("--prefix")? {
            Some(prefix) => Some(normalize_prefix(&prefix).map_err(|e| format!("--prefix: {e}"))?),
            None => None,
        };
        let url_prefix = args.value("--url-prefix")?.as_deref().map(slashed);
        let include = args.values("--include")?;
        let exclude = args.values("--exclude")?;
        for (flag, globs) in [("--include", &include), ("--exclude", &exclude)] {
            for glob in globs {
                Glob::new(glob).map_err(|e| format!("{flag} {glob:?}: {e}"))?;
            }
        }
        let mut import_names = Vec::new();
        for pair in args.values("--import-name")? {
            let (name, path) = pair
                .split_once('=')
                .filter(|(name, path)| !name.is_empty() && !path.is_empty())
                .ok_or_else(|| {
                    format!(
                        "--import-name {pair:?}: expected NAME=PATH, such as \
                         htmx=vendor/htmx.esm.js"
                    )
                })?;
            check_bare_name(name).map_err(|error| format!("--import-name {pair:?}: {error}"))?;
            import_names.push((name.to_owned(), path.to_owned()));
        }
        let import_map = args.flag("--import-map");
        if !import_map && !import_names.is_empty() {
            return Err(
                "--import-name needs --import-map, as import_map(...) holds the names".to_owned(),
            );
        }
        Ok(Self {
            crate_dir,
            folder,
            prefix,
            url_prefix,
            include,
            exclude,
            hidden: args.flag("--hidden"),
            no_rewrite: args.flag("--no-rewrite"),
            keep_missing: args.flag("--keep-missing-references"),
            import_map,
            import_names,
            no_compress: args.flag("--no-compress"),
            no_deltas: args.flag("--no-deltas"),
        })
    }

    /// The options the flags give, the macro's defaults for the rest.
    pub(crate) fn options(&self) -> Options {
        let defaults = Options::default();
        Options {
            prefix: self.prefix.clone().unwrap_or(defaults.prefix),
            url_prefix: self.url_prefix.clone(),
            include: self.include.clone(),
            exclude: self.exclude.clone(),
            hidden: self.hidden,
            rewrite: !self.no_rewrite,
            keep_missing: self.keep_missing,
            import_map: self.import_map.then(|| self.import_names.clone()),
            compress: !self.no_compress,
            deltas: !self.no_deltas,
        }
    }

    /// Every flag given that `call` (the options of the call at `location`) does not
    /// agree with, as one sentence each naming the flag and the call's option.
    pub(crate) fn contradictions(&self, call: &Options, location: &str) -> Vec<String> {
        let sorted = |list: &[String]| {
            let mut list = list.to_vec();
            list.sort();
            list
        };
        let names = |list: &[(String, String)]| {
            let mut list = list.to_vec();
            list.sort();
            list
        };
        let given: [(bool, bool, String, &str); 11] = [
            (
                self.prefix.is_some(),
                self.prefix.as_deref() == Some(call.prefix.as_str()),
                format!("--prefix {}", self.prefix.as_deref().unwrap_or_default()),
                "prefix",
            ),
            (
                self.url_prefix.is_some(),
                self.url_prefix == call.url_prefix,
                format!(
                    "--url-prefix {}",
                    self.url_prefix.as_deref().unwrap_or_default()
                ),
                "url_prefix",
            ),
            (
                !self.include.is_empty(),
                sorted(&self.include) == sorted(&call.include),
                self.include
                    .iter()
                    .map(|glob| format!("--include {glob}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                "include",
            ),
            (
                !self.exclude.is_empty(),
                sorted(&self.exclude) == sorted(&call.exclude),
                self.exclude
                    .iter()
                    .map(|glob| format!("--exclude {glob}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                "exclude",
            ),
            (self.hidden, call.hidden, "--hidden".to_owned(), "hidden"),
            (
                self.no_rewrite,
                !call.rewrite,
                "--no-rewrite".to_owned(),
                "rewrite",
            ),
            (
                self.keep_missing,
                call.keep_missing,
                "--keep-missing-references".to_owned(),
                "missing_references",
            ),
            (
                self.import_map,
                call.import_map.is_some(),
                "--import-map".to_owned(),
                "import_map",
            ),
            (
                !self.import_names.is_empty(),
                call.import_map
                    .as_deref()
                    .is_some_and(|mapped| names(mapped) == names(&self.import_names)),
                self.import_names
                    .iter()
                    .map(|(name, path)| format!("--import-name {name}={path}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                "import_map",
            ),
            (
                self.no_compress,
                !call.compress,
                "--no-compress".to_owned(),
                "compress",
            ),
            (
                self.no_deltas,
                !call.deltas,
                "--no-deltas".to_owned(),
                "deltas",
            ),
        ];
        let defaults = Options::default();
        given
            .into_iter()
            .filter(|(given, agrees, _, _)| *given && !agrees)
            .map(|(_, _, flag, option)| {
                let written = call.written(option);
                let default = if written == defaults.written(option) {
                    " (the default)"
                } else {
                    ""
                };
                format!(
                    "{flag} contradicts the `hyper_assets!` call at {location}, which has \
                     `{written}`{default}: the binary was built with the call's options, so \
                     drop the flag, or change the call and rebuild the binary"
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::command;

    fn flags(list: &[&str]) -> Result<BuildFlags, String> {
        let mut args = Args::new(
            command("collect").unwrap(),
            list.iter().map(|s| (*s).to_owned()).collect(),
        );
        let flags = BuildFlags::from_args(&mut args)?;
        args.finish()?;
        Ok(flags)
    }

    fn call(text: &str) -> Result<Options, String> {
        let dir = std::env::temp_dir().join(format!(
            "hyper-assets-cli-options-{}-{}",
            std::process::id(),
            text.len()
        ));
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(
            dir.join("src/main.rs"),
            format!("hyper_assets::hyper_assets!({text});\n"),
        )
        .unwrap();
        let calls = hyper_assets_build::macro_calls(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        Options::from_call(calls[0].arguments().unwrap(), "src/main.rs:1")
    }

    /// Every option of the macro is either read or known not to change the release, so
    /// a new option cannot be silently ignored by `collect`.
    #[test]
    fn every_option_of_the_macro_is_read_or_known_to_not_matter() {
        let macro_options: Vec<&str> = hyper_assets_pipeline::MACRO_OPTIONS
            .iter()
            .map(|option| option.name)
            .collect();
        for name in &macro_options {
            assert!(
                READ_OPTIONS.contains(name) != IGNORED_OPTIONS.contains(name),
                "`{name}`: read by collect, or listed as not changing the release?"
            );
        }
        for name in READ_OPTIONS.iter().chain(IGNORED_OPTIONS) {
            assert!(
                macro_options.contains(name),
                "`{name}` is no option of the macro"
            );
        }
    }

    #[test]
    fn no_flags_are_the_macros_defaults() {
        assert_eq!(flags(&[]).unwrap().options(), Options::default());
        assert_eq!(call("\"static\"").unwrap(), Options::default());
    }

    #[test]
    fn every_option_of_a_call_is_read() {
        let options = call(
            r#""public", prefix = "/assets", url_prefix = "https://cdn.example.com/a",
            include = ["**/*.css"], exclude = ["*.map"], hidden = true, rewrite = false,
            missing_references = "keep", compress = false, deltas = false,
            import_map("htmx" = "vendor/htmx.js"), module = files, crate = ::x,
            size_limit = "1 MiB", previous = "releases", components(t = ["templates"])"#,
        )
        .unwrap();
        assert_eq!(
            options,
            Options {
                prefix: "/assets/".to_owned(),
                url_prefix: Some("https://cdn.example.com/a/".to_owned()),
                include: vec!["**/*.css".to_owned()],
                exclude: vec!["*.map".to_owned()],
                hidden: true,
                rewrite: false,
                keep_missing: true,
                import_map: Some(vec![("htmx".to_owned(), "vendor/htmx.js".to_owned())]),
                compress: false,
                deltas: false,
            }
        );
        // The same options as flags.
        let given = flags(&[
            "--prefix=/assets",
            "--url-prefix",
            "https://cdn.example.com/a",
            "--include",
            "**/*.css",
            "--exclude",
            "*.map",
            "--hidden",
            "--no-rewrite",
            "--keep-missing-references",
            "--no-compress",
            "--no-deltas",
            "--import-map",
            "--import-name",
            "htmx=vendor/htmx.js",
        ])
        .unwrap();
        assert_eq!(given.options(), options);
        assert!(given.contradictions(&options, "x").is_empty());
    }

    #[test]
    fn unknown_or_unreadable_options_are_errors() {
        let error = call("\"s\", colour = \"red\"").unwrap_err();
        assert!(error.contains("sets `colour`, an option this"), "{error}");
        let error = call("\"s\", rewrite = \"no\"").unwrap_err();
        assert!(error.contains("cannot read `rewrite`"), "{error}");
        let error = call("\"s\", missing_references = \"ignore\"").unwrap_err();
        assert!(
            error.contains("cannot read `missing_references`"),
            "{error}"
        );
    }

    /// Issue 24: `collect --no-rewrite` wrote a release the binary (built with the
    /// default `rewrite = true`) does not serve; now it names the flag and the option.
    #[test]
    fn a_flag_that_contradicts_the_call_is_named_with_the_option() {
        let call = Options::default();
        let found = flags(&["--no-rewrite", "--prefix", "/static", "--include", "*.css"])
            .unwrap()
            .contradictions(&call, "/app/src/main.rs:3");
        assert_eq!(
            found,
            [
                "--include *.css contradicts the `hyper_assets!` call at /app/src/main.rs:3, \
                 which has `include = []` (the default): the binary was built with the call's \
                 options, so drop the flag, or change the call and rebuild the binary",
                "--no-rewrite contradicts the `hyper_assets!` call at /app/src/main.rs:3, \
                 which has `rewrite = true` (the default): the binary was built with the \
                 call's options, so drop the flag, or change the call and rebuild the binary",
            ]
        );
        let with_map = Options {
            import_map: Some(vec![("a".to_owned(), "a.js".to_owned())]),
            ..Options::default()
        };
        let found = flags(&["--import-map", "--import-name", "b=b.js"])
            .unwrap()
            .contradictions(&with_map, "x");
        assert_eq!(found.len(), 1);
        assert!(
            found[0].starts_with("--import-name b=b.js contradicts")
                && found[0].contains("`import_map(\"a\" = \"a.js\")`"),
            "{found:?}"
        );
    }

    #[test]
    fn malformed_flags_are_named() {
        assert!(flags(&["--include", "[a"])
            .unwrap_err()
            .contains("--include \"[a\""));
        assert!(flags(&["--prefix", "static"])
            .unwrap_err()
            .starts_with("--prefix: "));
        assert!(flags(&["--import-name", "a=b.js"])
            .unwrap_err()
            .contains("needs --import-map"));
    }
}
