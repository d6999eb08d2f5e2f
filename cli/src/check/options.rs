//! `hyper-assets check URL [--prefix PATH] [--requests N] [--releases DIR]`, parsed by
//! hand.

use crate::commands::{command, is_help, Command};
use crate::http_url::{HttpUrl, UrlError};
use hyper_assets_pipeline::normalize_prefix;
use std::fmt;
use std::path::{Path, PathBuf};

/// `check`'s entry in the table of commands.
fn check_command() -> &'static Command {
    // The table has `check`; a lookup that failed would only leave every flag unknown.
    static EMPTY: Command = Command {
        name: "check",
        operands: "URL",
        summary: "",
        about: "",
        flags: &[],
    };
    command("check").unwrap_or(&EMPTY)
}

/// Page requests for `stable-version` when `--requests` is not given.
pub const DEFAULT_REQUESTS: usize = 20;

/// More would be a load test, not a check.
const MAX_REQUESTS: usize = 10_000;

/// What to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOptions {
    url: HttpUrl,
    prefix: Option<String>,
    requests: usize,
    releases: Option<PathBuf>,
}

/// What the arguments ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckArguments {
    /// Run the check.
    Check(CheckOptions),
    /// Print the help of `check` ([`Command::help`] of its entry in
    /// [`COMMANDS`](crate::commands::COMMANDS)).
    Help,
}

impl CheckOptions {
    /// The check of the page at `url` with the default options.
    pub fn new(url: HttpUrl) -> Self {
        Self {
            url,
            prefix: None,
            requests: DEFAULT_REQUESTS,
            releases: None,
        }
    }

    /// Parses the arguments after `check`.
    ///
    /// ```
    /// use hyper_assets_cli::check::{CheckArguments, CheckOptions};
    ///
    /// let args = ["http://127.0.0.1:8080/", "--requests", "5"].map(String::from);
    /// let CheckArguments::Check(options) = CheckOptions::from_args(&args).unwrap() else {
    ///     unreachable!("not --help")
    /// };
    /// assert_eq!(options.requests(), 5);
    /// assert!(CheckOptions::from_args(&["https://example.com/".to_owned()]).is_err());
    /// ```
    ///
    /// # Errors
    /// No URL, a URL that is not `http://`, an unknown option, or a bad value.
    pub fn from_args(args: &[String]) -> Result<CheckArguments, UsageError> {
        let mut url = None;
        let mut prefix = None;
        let mut requests = DEFAULT_REQUESTS;
        let mut releases = None;
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((name, value)) if name.starts_with("--") => (name, Some(value.to_owned())),
                _ => (arg.as_str(), None),
            };
            let mut value = |option: &'static str| {
                inline
                    .clone()
                    .or_else(|| args.next().cloned())
                    .ok_or(UsageError::MissingValue(option))
            };
            // Only the flags the table lists are options, and `--help` as for every command.
            if is_help(name) {
                return Ok(CheckArguments::Help);
            }
            match name {
                option if option.starts_with('-') && check_command().flag(name).is_none() => {
                    return Err(UsageError::UnknownOption(option.to_owned()))
                }
                "--prefix" => {
                    let given = value("--prefix")?;
                    let normalized =
                        normalize_prefix(&given).map_err(|rule| UsageError::Prefix {
                            given: given.clone(),
                            rule,
                        })?;
                    prefix = Some(normalized);
                }
                "--requests" => {
                    let given = value("--requests")?;
                    requests = given
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=MAX_REQUESTS).contains(n))
                        .ok_or(UsageError::Requests(given))?;
                }
                "--releases" => releases = Some(PathBuf::from(value("--releases")?)),
                option if option.starts_with('-') => {
                    return Err(UsageError::UnknownOption(option.to_owned()))
                }
                _ if url.is_some() => return Err(UsageError::ExtraArgument(arg.clone())),
                _ => url = Some(HttpUrl::parse(arg).map_err(UsageError::Url)?),
            }
        }
        let url = url.ok_or(UsageError::MissingUrl)?;
        Ok(CheckArguments::Check(Self {
            url,
            prefix,
            requests,
            releases,
        }))
    }

    /// Sets where the hashed files are served (`/static/`); see [`normalize_prefix`].
    ///
    /// # Errors
    /// The prefix does not start with `/` or holds characters a URL cannot.
    pub fn with_prefix(mut self, prefix: &str) -> Result<Self, UsageError> {
        let normalized = normalize_prefix(prefix).map_err(|rule| UsageError::Prefix {
            given: prefix.to_owned(),
            rule,
        })?;
        self.prefix = Some(normalized);
        Ok(self)
    }

    /// Sets the number of page requests of `stable-version` (at least 1).
    pub fn with_requests(mut self, requests: usize) -> Self {
        self.requests = requests.clamp(1, MAX_REQUESTS);
        self
    }

    /// Checks the earlier releases listed in `dir/releases.json`.
    pub fn with_releases(mut self, dir: impl Into<PathBuf>) -> Self {
        self.releases = Some(dir.into());
        self
    }

    /// The page to start from.
    pub fn url(&self) -> &HttpUrl {
        &self.url
    }

    /// The prefix given, if any (normalized: starts and ends with `/`).
    pub fn prefix(&self) -> Option<&str> {
        self.prefix.as_deref()
    }

    /// Page requests of `stable-version`.
    pub fn requests(&self) -> usize {
        self.requests
    }

    /// The folder holding `releases.json`, if given.
    pub fn releases(&self) -> Option<&Path> {
        self.releases.as_deref()
    }
}

/// Arguments `hyper-assets check` cannot run with; the binary prints the sentence and
/// the command's help, and exits with 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsageError {
    /// No URL was given.
    MissingUrl,
    /// The URL cannot be checked.
    Url(UrlError),
    /// A second positional argument.
    ExtraArgument(String),
    /// An option this command does not have.
    UnknownOption(String),
    /// An option given without its value.
    MissingValue(&'static str),
    /// `--requests` is not a number in range.
    Requests(String),
    /// `--prefix` is not a URL path prefix.
    Prefix {
        /// The value given.
        given: String,
        /// The rule it breaks.
        rule: &'static str,
    },
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingUrl => f.write_str(
                "check needs the URL of a page of the deployment, e.g. http://127.0.0.1:8080/",
            ),
            Self::Url(error) => write!(f, "{error}"),
            Self::ExtraArgument(arg) => {
                write!(f, "unexpected argument {arg:?}: check takes one URL")
            }
            Self::UnknownOption(option) => {
                let options: Vec<String> = check_command()
                    .flags
                    .iter()
                    .map(|flag| flag.usage())
                    .collect();
                write!(
                    f,
                    "unknown option {option:?}; the options are {}",
                    options.join(", ")
                )
            }
            Self::MissingValue(option) => write!(f, "{option} needs a value"),
            Self::Requests(given) => write!(
                f,
                "--requests needs a whole number from 1 to {MAX_REQUESTS}, got {given:?}"
            ),
            Self::Prefix { given, rule } => write!(f, "--prefix {given:?}: {rule}"),
        }
    }
}

impl std::error::Error for UsageError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Url(error) => Some(error),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<CheckArguments, UsageError> {
        let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
        CheckOptions::from_args(&args)
    }

    fn options(args: &[&str]) -> CheckOptions {
        match parse(args).unwrap() {
            CheckArguments::Check(options) => options,
            CheckArguments::Help => panic!("help"),
        }
    }

    #[test]
    fn defaults() {
        let parsed = options(&["http://h/"]);
        assert_eq!(parsed.requests(), DEFAULT_REQUESTS);
        assert_eq!(parsed.prefix(), None);
        assert_eq!(parsed.releases(), None);
    }

    #[test]
    fn every_option_with_a_space_or_an_equals_sign() {
        let parsed = options(&[
            "--prefix",
            "/assets",
            "http://h/",
            "--requests=3",
            "--releases",
            "out",
        ]);
        assert_eq!(parsed.prefix(), Some("/assets/"));
        assert_eq!(parsed.requests(), 3);
        assert_eq!(parsed.releases(), Some(Path::new("out")));
        assert_eq!(parsed.url().to_string(), "http://h/");
    }

    #[test]
    fn help() {
        assert_eq!(parse(&["-h"]), Ok(CheckArguments::Help));
        assert_eq!(parse(&["http://h/", "--help"]), Ok(CheckArguments::Help));
    }

    #[test]
    fn usage_errors_say_what_is_wrong() {
        for (args, expected) in [
            (&[][..], "check needs the URL"),
            (&["https://h/"][..], "plain-HTTP origin"),
            (&["http://h/", "http://i/"][..], "unexpected argument"),
            (
                &["http://h/", "--verbose"][..],
                "unknown option \"--verbose\"",
            ),
            (&["http://h/", "--requests"][..], "--requests needs a value"),
            (&["http://h/", "--requests", "0"][..], "from 1 to"),
            (&["http://h/", "--requests", "x"][..], "from 1 to"),
            (
                &["http://h/", "--prefix", "static"][..],
                "--prefix \"static\"",
            ),
        ] {
            let error = parse(args).unwrap_err().to_string();
            assert!(error.contains(expected), "{args:?}: {error}");
        }
    }
}
