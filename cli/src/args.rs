//! Command-line flags, read by name: each command takes the ones it knows, and whatever
//! is left is an error that names it. The flags a command takes are those of its entry
//! in [`COMMANDS`](crate::commands::COMMANDS): taking another is a bug a debug build
//! (every test) catches.

use crate::commands::Command;

/// The arguments after the command name.
pub(crate) struct Args {
    command: &'static Command,
    rest: Vec<String>,
}

impl Args {
    /// The arguments of `command`, in order.
    pub(crate) fn new(command: &'static Command, rest: Vec<String>) -> Self {
        Self { command, rest }
    }

    /// The table lists every flag the parser takes, with or without a value as taken.
    fn listed(&self, name: &str, with_value: bool) {
        let flag = self.command.flag(name);
        debug_assert!(
            flag.is_some_and(|flag| flag.value.is_some() == with_value),
            "{} takes {name}, which its entry in COMMANDS does not list as such",
            self.command.name
        );
    }

    /// Takes `--name`, reporting whether it was there.
    pub(crate) fn flag(&mut self, name: &str) -> bool {
        self.listed(name, false);
        let before = self.rest.len();
        self.rest.retain(|arg| arg != name);
        self.rest.len() != before
    }

    /// Takes every `--name VALUE` (or `--name=VALUE`).
    pub(crate) fn values(&mut self, name: &str) -> Result<Vec<String>, String> {
        self.listed(name, true);
        let mut values = Vec::new();
        let mut kept = Vec::with_capacity(self.rest.len());
        let mut args = std::mem::take(&mut self.rest).into_iter();
        while let Some(arg) = args.next() {
            if arg == name {
                values.push(args.next().ok_or_else(|| format!("{name} needs a value"))?);
            } else if let Some(value) = arg.strip_prefix(name).and_then(|v| v.strip_prefix('=')) {
                values.push(value.to_owned());
            } else {
                kept.push(arg);
            }
        }
        self.rest = kept;
        Ok(values)
    }

    /// Takes `--name VALUE`, given at most once.
    pub(crate) fn value(&mut self, name: &str) -> Result<Option<String>, String> {
        let mut values = self.values(name)?;
        if values.len() > 1 {
            return Err(format!("{name} is given {} times", values.len()));
        }
        Ok(values.pop())
    }

    /// Takes the first argument that is not a flag.
    pub(crate) fn positional(&mut self, what: &str) -> Result<String, String> {
        let at = self
            .rest
            .iter()
            .position(|arg| !arg.starts_with("--"))
            .ok_or_else(|| format!("missing {what}"))?;
        Ok(self.rest.remove(at))
    }

    /// Fails on anything not taken.
    pub(crate) fn finish(self) -> Result<(), String> {
        match self.rest.first() {
            None => Ok(()),
            Some(arg) => Err(format!(
                "unknown argument {arg:?} (hyper-assets {} --help lists the options)",
                self.command.name
            )),
        }
    }
}

/// `1h`, `30m`, `90s`, `7d` or a number of seconds.
pub(crate) fn parse_duration(flag: &str, text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let factor = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => 0,
    };
    number
        .parse::<u64>()
        .ok()
        .filter(|_| factor > 0)
        .and_then(|n| n.checked_mul(factor))
        .map(std::time::Duration::from_secs)
        .ok_or_else(|| format!("{flag} {text:?}: expected a duration such as 1h, 30m, 90s or 7d"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_values_and_leftovers() {
        let collect = crate::commands::command("collect").unwrap();
        let args =
            |list: &[&str]| Args::new(collect, list.iter().map(|s| (*s).to_owned()).collect());
        let mut a = args(&[
            "dir",
            "--keep",
            "3",
            "--age=2h",
            "--hidden",
            "--include",
            "*.css",
        ]);
        assert_eq!(a.value("--keep").unwrap().as_deref(), Some("3"));
        assert_eq!(a.value("--age").unwrap().as_deref(), Some("2h"));
        assert!(a.flag("--hidden"));
        assert_eq!(a.values("--include").unwrap(), ["*.css"]);
        assert_eq!(a.positional("DIR").unwrap(), "dir");
        assert!(a.finish().is_ok());
        let mut a = args(&["--keep"]);
        assert_eq!(a.value("--keep").unwrap_err(), "--keep needs a value");
        assert_eq!(
            args(&["--colour"]).finish().unwrap_err(),
            "unknown argument \"--colour\" (hyper-assets collect --help lists the options)"
        );
        assert_eq!(parse_duration("--age", "1h").unwrap().as_secs(), 3600);
        assert_eq!(parse_duration("--age", "90").unwrap().as_secs(), 90);
        assert!(parse_duration("--age", "1 fortnight").is_err());
        assert!(parse_duration("--age", "h").is_err());
    }
}

#[cfg(test)]
mod table_tests {
    use crate::commands::COMMANDS;

    /// A value each placeholder accepts.
    fn sample(placeholder: &str) -> &'static str {
        match placeholder {
            "N" => "2",
            "DURATION" => "1h",
            "PATH" => "/static/",
            "URL" => "https://cdn.example.com/static/",
            "GLOB" => "*.css",
            "NAME=PATH" => "htmx=vendor/htmx.esm.js",
            "VERSION" => "000000000000",
            // Folders that do not exist: the parse is what is tested.
            _ => "/nonexistent/hyper-assets-table-test",
        }
    }

    /// Every flag the table lists is one its command takes: given alone (with what
    /// it needs beside it), it is never an unknown argument.
    #[test]
    fn every_listed_flag_is_taken_by_its_command() {
        for command in COMMANDS {
            for flag in command.flags {
                let out = std::env::temp_dir().join("hyper-assets-table-test-out");
                let mut args: Vec<String> = match command.operands {
                    "DIR" => vec![out.display().to_string()],
                    "URL" => vec!["http://127.0.0.1:9/".to_owned()],
                    _ => Vec::new(),
                };
                args.push(flag.name.to_owned());
                if let Some(value) = flag.value {
                    args.push(sample(value).to_owned());
                }
                if flag.name == "--import-name" {
                    args.push("--import-map".to_owned());
                }
                let error = if command.name == "check" {
                    crate::check::CheckOptions::from_args(&args)
                        .err()
                        .map(|e| e.to_string())
                } else {
                    crate::run_deploy_command(command.name, &args).and_then(Result::err)
                };
                if let Some(error) = error {
                    assert!(
                        !error.contains("unknown") && !error.contains("needs a value"),
                        "{} {}: {error}",
                        command.name,
                        flag.name
                    );
                }
            }
        }
    }
}
