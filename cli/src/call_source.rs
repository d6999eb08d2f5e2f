//! Which `hyper_assets!` call gives `collect` its options: the crate named with
//! `--crate`, else the nearest crate around the static folder, else the crate in the
//! current directory; its calls are read from `src/` as
//! `hyper_assets_build::watch_embedded()` reads them.

use crate::build_flags::{BuildFlags, Options};
use hyper_assets_build::{macro_calls, CallArguments};
use std::path::{Component, Path, PathBuf};

/// Where the options of a build come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OptionsSource {
    /// A `hyper_assets!` call, by its place (`/app/src/main.rs:29`).
    Call(String),
    /// The flags, with why no call gives them.
    Flags(String),
}

/// The folder to build and its options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    /// The static folder, absolute.
    pub(crate) folder: PathBuf,
    pub(crate) options: Options,
    pub(crate) source: OptionsSource,
}

/// One readable call of a crate.
struct FoundCall {
    /// `/app/src/main.rs:29`.
    location: String,
    /// The static folder, absolute.
    folder: PathBuf,
    arguments: CallArguments,
}

/// The `hyper_assets!` calls of a crate: those whose arguments can be read, and the
/// others with why they cannot.
#[derive(Default)]
struct CrateCalls {
    readable: Vec<FoundCall>,
    /// `(location, why)`: `(/app/src/main.rs:29, the first argument is not ...)`.
    unreadable: Vec<(String, String)>,
}

impl CrateCalls {
    fn is_empty(&self) -> bool {
        self.readable.is_empty() && self.unreadable.is_empty()
    }

    /// Why no call gives the options when none that can be read matches, or `None`
    /// when every call can be read.
    fn unreadable(&self) -> Option<String> {
        if self.unreadable.is_empty() {
            return None;
        }
        let calls: Vec<String> = self
            .unreadable
            .iter()
            .map(|(location, why)| {
                format!("the `hyper_assets!` call at {location} cannot be read: {why}")
            })
            .collect();
        Some(format!(
            "{}; pass --static FOLDER with the call's options as flags and --expect-version \
             VERSION",
            calls.join("; ")
        ))
    }
}

/// The calls of the crate in `dir`, or `None` when `dir` holds no `Cargo.toml`.
fn crate_calls(dir: &Path) -> Option<CrateCalls> {
    if !dir.join("Cargo.toml").is_file() {
        return None;
    }
    let mut calls = CrateCalls::default();
    for call in macro_calls(dir) {
        let location = dir.join(call.file()).display().to_string() + &format!(":{}", call.line());
        match call.arguments() {
            Ok(arguments) => calls.readable.push(FoundCall {
                location,
                folder: normalized(&dir.join(arguments.folder())),
                arguments: arguments.clone(),
            }),
            Err(why) => calls.unreadable.push((location, why.to_owned())),
        }
    }
    Some(calls)
}

/// `path` without `.` and with `..` applied to what precedes it, for comparing folders
/// that may not exist.
fn normalized(path: &Path) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `  `static` (/app/src/main.rs:3)`, for a list of calls in a message.
fn listed(calls: &[FoundCall]) -> String {
    calls
        .iter()
        .map(|call| format!("`{}` ({})", call.arguments.folder(), call.location))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The folder and options for `flags`, run in `cwd`. `expected` says whether
/// `--expect-version` checks the release: then `--static` and the flags stand in for a
/// call that cannot be read.
pub(crate) fn resolve(flags: &BuildFlags, expected: bool, cwd: &Path) -> Result<Resolved, String> {
    let given_folder = flags
        .folder
        .as_deref()
        .map(|folder| normalized(&cwd.join(folder)));
    let calls = if let Some(crate_dir) = &flags.crate_dir {
        let dir = normalized(&cwd.join(crate_dir));
        let calls = crate_calls(&dir).ok_or_else(|| {
            format!(
                "--crate {crate_dir} ({}) holds no Cargo.toml: --crate names the folder of the \
                 crate whose `hyper_assets!` call gives the options",
                dir.display()
            )
        })?;
        if calls.is_empty() {
            return Err(format!(
                "no `hyper_assets!` call in {}: --crate names the crate whose call gives the \
                 options",
                dir.join("src").display()
            ));
        }
        Some(calls)
    } else if let Some(folder) = &given_folder {
        // The nearest crate around the folder that has a call.
        folder
            .ancestors()
            .skip(1)
            .find_map(|dir| crate_calls(dir).filter(|calls| !calls.is_empty()))
    } else {
        crate_calls(cwd).filter(|calls| !calls.is_empty())
    };
    let call = match calls {
        Some(calls) => {
            // A call that cannot be read may be the one that embeds the folder.
            if let Some(unreadable) = calls.unreadable() {
                let matched = calls.readable.iter().any(|call| {
                    given_folder
                        .as_ref()
                        .is_none_or(|folder| call.folder == *folder)
                });
                if !matched {
                    if flags.folder.is_some() && expected {
                        let (location, _) = &calls.unreadable[0];
                        let why = format!("the `hyper_assets!` call at {location} cannot be read");
                        return from_flags(flags, cwd, Some(why));
                    }
                    return Err(unreadable);
                }
            }
            Some(choose(calls.readable, given_folder.as_deref())?)
        }
        None => None,
    };
    let resolved = match call {
        Some(call) => {
            let options = Options::from_call(&call.arguments, &call.location)?;
            let contradictions = flags.contradictions(&options, &call.location);
            if !contradictions.is_empty() {
                return Err(contradictions.join("\n"));
            }
            if !call.folder.exists() {
                return Err(format!(
                    "static folder `{}` of the `hyper_assets!` call at {} does not exist ({})",
                    call.arguments.folder(),
                    call.location,
                    call.folder.display()
                ));
            }
            Resolved {
                folder: call.folder,
                options,
                source: OptionsSource::Call(call.location),
            }
        }
        None => from_flags(flags, cwd, None)?,
    };
    Ok(resolved)
}

/// The call of `calls` that embeds `folder`, or the one folder they embed.
fn choose(calls: Vec<FoundCall>, folder: Option<&Path>) -> Result<FoundCall, String> {
    let mut matching: Vec<FoundCall> = Vec::new();
    let mut others: Vec<FoundCall> = Vec::new();
    for call in calls {
        let matches = match folder {
            Some(folder) => call.folder == folder,
            None => matching
                .first()
                .is_none_or(|first| first.folder == call.folder),
        };
        if matches {
            matching.push(call);
        } else {
            others.push(call);
        }
    }
    if folder.is_none() && !others.is_empty() {
        matching.append(&mut others);
        return Err(format!(
            "the crate's `hyper_assets!` calls embed more than one folder: {}; name the one \
             to collect with --static FOLDER",
            listed(&matching)
        ));
    }
    let mut matching = matching.into_iter();
    let Some(first) = matching.next() else {
        let folder = folder.map(Path::display);
        return Err(format!(
            "--static {} contradicts the crate's `hyper_assets!` calls, which embed {}: the \
             binary serves those, so drop --static or name a folder a call embeds (or the \
             crate with --crate DIR)",
            folder.map(|f| f.to_string()).unwrap_or_default(),
            listed(&others)
        ));
    };
    // Two calls on one folder must agree, or collect cannot tell which the binary serves.
    for other in matching {
        let (a, b) = (
            Options::from_call(&first.arguments, &first.location)?,
            Options::from_call(&other.arguments, &other.location)?,
        );
        if a != b {
            return Err(format!(
                "the `hyper_assets!` calls at {} and {} embed `{}` with different options: \
                 collect cannot tell which one the release is for",
                first.location,
                other.location,
                first.arguments.folder()
            ));
        }
    }
    Ok(first)
}

/// No call gives the options: the flags do, for `--static` or `static` in `cwd`;
/// `why`, when given, says why no call does.
fn from_flags(flags: &BuildFlags, cwd: &Path, why: Option<String>) -> Result<Resolved, String> {
    let (name, default_why) = match &flags.folder {
        Some(folder) => (
            folder.as_str(),
            "no crate around it has a `hyper_assets!` call",
        ),
        None => (
            "static",
            "the current directory holds no crate with a `hyper_assets!` call",
        ),
    };
    let why = why.unwrap_or_else(|| default_why.to_owned());
    let folder = normalized(&cwd.join(name));
    if !folder.exists() {
        return Err(match &flags.folder {
            Some(_) => format!(
                "static folder `{name}` does not exist ({}): --static is relative to the \
                 current directory, {}",
                folder.display(),
                cwd.display()
            ),
            None => format!(
                "static folder `static` does not exist ({}): without --static FOLDER the folder \
                 is `static` in the current directory, {}, which holds no crate with a \
                 `hyper_assets!` call to take it from. Run collect in the crate's folder, or \
                 name the crate with --crate DIR or the folder with --static FOLDER (relative \
                 to the current directory)",
                folder.display(),
                cwd.display()
            ),
        });
    }
    Ok(Resolved {
        source: OptionsSource::Flags(format!("{why} ({})", folder.display())),
        folder,
        options: flags.options(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::Args;
    use crate::commands::command;

    /// A scratch folder with a crate `app` (`Cargo.toml`, `src/main.rs` with `call`, a
    /// `static/` and a `public/` folder) and a folder `loose/` outside any crate.
    fn scratch(name: &str, call: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "hyper-assets-cli-source-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        for folder in ["app/src", "app/static", "app/public", "loose"] {
            std::fs::create_dir_all(dir.join(folder)).unwrap();
        }
        std::fs::write(dir.join("app/Cargo.toml"), "[package]\nname = \"app\"\n").unwrap();
        std::fs::write(dir.join("app/src/main.rs"), call).unwrap();
        dir
    }

    fn flags(list: &[&str]) -> BuildFlags {
        let mut args = Args::new(
            command("collect").unwrap(),
            list.iter().map(|s| (*s).to_owned()).collect(),
        );
        BuildFlags::from_args(&mut args).unwrap()
    }

    #[test]
    fn the_call_is_found_from_the_crate_the_folder_or_the_flag() {
        let dir = scratch(
            "found",
            "hyper_assets::hyper_assets!(\"static\", rewrite = false);\n",
        );
        let app = normalized(&dir.join("app"));
        let location = format!("{}:1", app.join("src/main.rs").display());
        for (cwd, list) in [
            (dir.join("app"), &[][..]),
            (dir.clone(), &["--static", "app/static"][..]),
            (dir.join("loose"), &["--crate", "../app"][..]),
            (
                dir.join("app"),
                &["--static", "static/", "--no-rewrite"][..],
            ),
        ] {
            let resolved = resolve(&flags(list), false, &cwd).unwrap();
            assert_eq!(resolved.folder, app.join("static"), "{list:?}");
            assert!(!resolved.options.rewrite);
            assert_eq!(resolved.source, OptionsSource::Call(location.clone()));
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_contradiction_or_another_folder_is_an_error() {
        let dir = scratch(
            "contradiction",
            "hyper_assets::hyper_assets!(\"static\");\n",
        );
        let app = dir.join("app");
        let error = resolve(&flags(&["--no-rewrite"]), false, &app).unwrap_err();
        assert!(
            error.starts_with("--no-rewrite contradicts the `hyper_assets!` call at ")
                && error.contains("src/main.rs:1, which has `rewrite = true` (the default)"),
            "{error}"
        );
        let error = resolve(&flags(&["--static", "public"]), false, &app).unwrap_err();
        assert!(
            error.contains("contradicts the crate's `hyper_assets!` calls, which embed `static`"),
            "{error}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn several_folders_need_static() {
        let dir = scratch(
            "several",
            "hyper_assets::hyper_assets!(\"static\");\nhyper_assets::hyper_assets!(\"public\", module = admin);\n",
        );
        let app = dir.join("app");
        let error = resolve(&flags(&[]), false, &app).unwrap_err();
        assert!(
            error.contains("embed more than one folder: `static` ("),
            "{error}"
        );
        assert!(
            error.contains("name the one to collect with --static FOLDER"),
            "{error}"
        );
        let resolved = resolve(&flags(&["--static", "public"]), false, &app).unwrap();
        assert_eq!(resolved.folder, normalized(&app.join("public")));
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// Issue 24: run outside the crate, `static folder static does not exist` said
    /// neither that the path is relative to the current directory nor that --static
    /// exists.
    #[test]
    fn outside_a_crate_the_flags_give_the_options_and_a_missing_folder_says_where() {
        let dir = scratch("outside", "fn main() {}\n");
        let loose = normalized(&dir.join("loose"));
        let error = resolve(&flags(&[]), false, &loose).unwrap_err();
        assert_eq!(
            error,
            format!(
                "static folder `static` does not exist ({}/static): without --static FOLDER \
                 the folder is `static` in the current directory, {}, which holds no crate \
                 with a `hyper_assets!` call to take it from. Run collect in the crate's \
                 folder, or name the crate with --crate DIR or the folder with --static \
                 FOLDER (relative to the current directory)",
                loose.display(),
                loose.display()
            )
        );
        let error = resolve(&flags(&["--static", "nope"]), false, &loose).unwrap_err();
        assert_eq!(
            error,
            format!(
                "static folder `nope` does not exist ({}/nope): --static is relative to the \
                 current directory, {}",
                loose.display(),
                loose.display()
            )
        );
        std::fs::create_dir_all(loose.join("site")).unwrap();
        let resolved =
            resolve(&flags(&["--static", "site", "--no-rewrite"]), false, &loose).unwrap();
        assert!(!resolved.options.rewrite);
        assert!(
            matches!(&resolved.source, OptionsSource::Flags(why) if why.starts_with("no crate around it has a `hyper_assets!` call")),
            "{:?}",
            resolved.source
        );
        // A crate without a call: the flags too.
        let app = dir.join("app");
        let resolved = resolve(&flags(&[]), false, &app).unwrap();
        assert_eq!(resolved.folder, normalized(&app.join("static")));
        assert!(matches!(resolved.source, OptionsSource::Flags(_)));
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// A call whose folder is not a string literal used to be dropped: collect then said
    /// the crate had no call and built with the flags.
    #[test]
    fn an_unreadable_call_is_an_error_unless_the_flags_and_the_version_stand_in() {
        let dir = scratch(
            "unreadable",
            "const DIR: &str = \"static\";\nhyper_assets::hyper_assets!(DIR);\n",
        );
        let app = normalized(&dir.join("app"));
        let location = format!("{}:2", app.join("src/main.rs").display());
        let expected = format!(
            "the `hyper_assets!` call at {location} cannot be read: the first argument is not \
             the folder as a string literal: `DIR`; pass --static FOLDER with the call's \
             options as flags and --expect-version VERSION"
        );
        for (cwd, list) in [
            (app.clone(), &[][..]),
            (dir.join("loose"), &["--crate", "../app"][..]),
            (dir.clone(), &["--static", "app/static"][..]),
        ] {
            assert_eq!(
                resolve(&flags(list), false, &cwd).unwrap_err(),
                expected,
                "{list:?}"
            );
        }
        // With --expect-version to check the result, --static and the flags stand in.
        let resolved =
            resolve(&flags(&["--static", "static", "--no-rewrite"]), true, &app).unwrap();
        assert_eq!(resolved.folder, app.join("static"));
        assert!(!resolved.options.rewrite);
        assert_eq!(
            resolved.source,
            OptionsSource::Flags(format!(
                "the `hyper_assets!` call at {location} cannot be read ({})",
                app.join("static").display()
            ))
        );
        // A readable call that embeds the folder still gives the options.
        std::fs::write(
            app.join("src/lib.rs"),
            "hyper_assets::hyper_assets!(\"static\", rewrite = false);\n",
        )
        .unwrap();
        let resolved = resolve(&flags(&[]), false, &app).unwrap();
        assert!(!resolved.options.rewrite);
        assert!(matches!(resolved.source, OptionsSource::Call(_)));
        let error = resolve(&flags(&["--static", "public"]), false, &app).unwrap_err();
        assert_eq!(error, expected);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
