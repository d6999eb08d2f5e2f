//! The commands of `hyper-assets` and their flags, as data: `--help` is written from
//! [`COMMANDS`], each command's parser takes only the flags listed here, and a guide's
//! table of flags can be tested against it.
//!
//! ```
//! use hyper_assets_cli::commands::{command, COMMANDS};
//!
//! let collect = command("collect").unwrap();
//! let keep = collect.flag("--keep").unwrap();
//! assert_eq!((keep.value, keep.default), (Some("N"), Some("2")));
//! assert!(COMMANDS.iter().any(|command| command.name == "check"));
//! assert!(hyper_assets_cli::commands::help().contains("--expect-version VERSION"));
//! ```

use std::fmt::Write as _;

/// One flag of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag {
    /// The flag as typed: `--keep`.
    pub name: &'static str,
    /// The placeholder of its value (`N`), or `None` for a switch.
    pub value: Option<&'static str>,
    /// What holds when the flag is not given, in words; `None` when nothing does (a
    /// switch is off, an optional value is absent).
    pub default: Option<&'static str>,
    /// Whether it can be given more than once (`--include GLOB`, once per glob).
    pub repeatable: bool,
    /// What it does, in one sentence without a final period.
    pub meaning: &'static str,
}

/// One command of `hyper-assets`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Command {
    /// The command's name: `collect`.
    pub name: &'static str,
    /// What follows the name besides the flags: `DIR`, `URL`, or nothing.
    pub operands: &'static str,
    /// What it does, in one sentence without a final period.
    pub summary: &'static str,
    /// More about it, for its own `--help` (paragraphs; may be empty).
    pub about: &'static str,
    /// Its flags, in the order `--help` lists them.
    pub flags: &'static [Flag],
}

impl Command {
    /// The flag named `name` (`--keep`), if the command has it.
    pub fn flag(&self, name: &str) -> Option<&'static Flag> {
        self.flags.iter().find(|flag| flag.name == name)
    }

    /// `hyper-assets collect DIR [options]`.
    pub fn synopsis(&self) -> String {
        let mut synopsis = format!("hyper-assets {}", self.name);
        if !self.operands.is_empty() {
            synopsis.push(' ');
            synopsis.push_str(self.operands);
        }
        if !self.flags.is_empty() {
            synopsis.push_str(" [options]");
        }
        synopsis
    }

    /// The command's own `--help`: synopsis, summary, more, and every flag.
    pub fn help(&self) -> String {
        let mut help = format!("usage: {}\n\n", self.synopsis());
        wrap(&mut help, "", &sentence(self.summary), WIDTH);
        help.push('\n');
        if !self.about.is_empty() {
            help.push_str(self.about);
            if !self.about.ends_with('\n') {
                help.push('\n');
            }
            help.push('\n');
        }
        if !self.flags.is_empty() {
            help.push_str("options:\n");
            for flag in self.flags {
                flag_lines(&mut help, "  ", flag);
            }
        }
        help
    }
}

impl Flag {
    /// `--keep N`, or `--hidden` for a switch.
    pub fn usage(&self) -> String {
        match self.value {
            Some(value) => format!("{} {value}", self.name),
            None => self.name.to_owned(),
        }
    }

    /// The meaning with the default and the repetition, as `--help` shows it.
    pub fn description(&self) -> String {
        let mut text = self.meaning.to_owned();
        if self.repeatable {
            text.push_str(", once per value");
        }
        if let Some(default) = self.default {
            let _ = write!(text, " (default: {default})");
        }
        text
    }
}

/// The width `--help` wraps at.
const WIDTH: usize = 88;

/// Where the descriptions start.
const COLUMN: usize = 34;

const BUILD_FLAGS_NOTE: &str = "\
The options of the build (the folder, prefix, include, exclude, hidden, rewrite,
missing_references, compress, deltas, import_map) come from the crate's `hyper_assets!`
call, read from its src/ as hyper_assets_build::watch_embedded() reads it: the crate
given with --crate, else the nearest one around the static folder (--static), else the
current directory. A build flag given as well must agree with the call: one that
contradicts it is an error naming both. When no crate's call embeds the folder, the
flags are the options, and collect says that nothing checked them against the binary's;
--expect-version checks the result either way. A call collect cannot read (a folder that
is not a string literal) is an error, unless --static and --expect-version are given:
then the flags stand in for it.";

/// The build flags of `collect`: the options of a `hyper_assets!` call, as flags.
const BUILD_FLAGS: &[Flag] = &[
    Flag {
        name: "--crate",
        value: Some("DIR"),
        default: Some("the crate around the static folder, or the current directory"),
        repeatable: false,
        meaning: "the crate whose `hyper_assets!` call gives the options",
    },
    Flag {
        name: "--static",
        value: Some("FOLDER"),
        default: Some("the call's folder, or static in the current directory"),
        repeatable: false,
        meaning: "the static folder, relative to the current directory",
    },
    Flag {
        name: "--expect-version",
        value: Some("VERSION"),
        default: None,
        repeatable: false,
        meaning: "write nothing unless the release's version is VERSION, the binary's \
                  `assets::VERSION` (`static.hash` of its GET /version)",
    },
    Flag {
        name: "--prefix",
        value: Some("PATH"),
        default: Some("/static/"),
        repeatable: false,
        meaning: "prefix = \"...\"",
    },
    Flag {
        name: "--url-prefix",
        value: Some("URL"),
        default: Some("the prefix"),
        repeatable: false,
        meaning: "url_prefix = \"...\"",
    },
    Flag {
        name: "--include",
        value: Some("GLOB"),
        default: Some("every file"),
        repeatable: true,
        meaning: "include = [...]",
    },
    Flag {
        name: "--exclude",
        value: Some("GLOB"),
        default: None,
        repeatable: true,
        meaning: "exclude = [...]",
    },
    Flag {
        name: "--hidden",
        value: None,
        default: None,
        repeatable: false,
        meaning: "hidden = true",
    },
    Flag {
        name: "--no-rewrite",
        value: None,
        default: None,
        repeatable: false,
        meaning: "rewrite = false",
    },
    Flag {
        name: "--keep-missing-references",
        value: None,
        default: None,
        repeatable: false,
        meaning: "missing_references = \"keep\"",
    },
    Flag {
        name: "--import-map",
        value: None,
        default: None,
        repeatable: false,
        meaning: "import_map(...): module specifiers stay as written",
    },
    Flag {
        name: "--import-name",
        value: Some("NAME=PATH"),
        default: None,
        repeatable: true,
        meaning: "a bare name of import_map(...)",
    },
    Flag {
        name: "--no-compress",
        value: None,
        default: None,
        repeatable: false,
        meaning: "compress = false",
    },
    Flag {
        name: "--no-deltas",
        value: None,
        default: None,
        repeatable: false,
        meaning: "deltas = false: no dcb/dcz deltas from the earlier releases",
    },
];

const KEEP: Flag = Flag {
    name: "--keep",
    value: Some("N"),
    default: Some("2"),
    repeatable: false,
    meaning: "earlier releases kept whatever their age",
};

const AGE: Flag = Flag {
    name: "--age",
    value: Some("DURATION"),
    default: Some("1h"),
    repeatable: false,
    meaning: "releases younger than this are kept too, as 1h, 30m, 90s or 7d",
};

/// `collect`'s flags: retention, then the build flags.
const COLLECT_FLAGS: &[Flag] = &{
    let mut flags = [KEEP; BUILD_FLAGS.len() + 2];
    flags[1] = AGE;
    let mut at = 0;
    while at < BUILD_FLAGS.len() {
        flags[at + 2] = BUILD_FLAGS[at];
        at += 1;
    }
    flags
};

/// Every command of `hyper-assets`, in the order `hyper-assets --help` lists them.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "collect",
        operands: "DIR",
        summary: "build the static folder as the macro does, write the release into the release \
                  folder DIR with the dcb/dcz deltas from the releases it keeps, and prune it",
        about: BUILD_FLAGS_NOTE,
        flags: COLLECT_FLAGS,
    },
    Command {
        name: "prune",
        operands: "DIR",
        summary: "prune the release folder DIR without writing a release",
        about: "",
        flags: &[KEEP, AGE],
    },
    Command {
        name: "bust-token",
        operands: "",
        summary: "print the bearer token of POST /cache/bust, derived from SECRET_KEY",
        about: "",
        flags: &[],
    },
    Command {
        name: "nginx-config",
        operands: "",
        summary: "print the nginx version routing of VERSION_MAP (BACKEND_ADDRS, NGINX_LISTEN), \
                  or with --static-root the location that serves a release folder, its deltas \
                  and dictionaries included",
        about: "",
        flags: &[
            Flag {
                name: "--static-root",
                value: Some("DIR"),
                default: None,
                repeatable: false,
                meaning: "the release folder collect wrote: print its location instead",
            },
            Flag {
                name: "--prefix",
                value: Some("PATH"),
                default: Some("/static/"),
                repeatable: false,
                meaning: "where the location serves the files (with --static-root)",
            },
            Flag {
                name: "--brotli",
                value: None,
                default: None,
                repeatable: false,
                meaning: "serve the collected .br files too (with --static-root; needs \
                          ngx_brotli)",
            },
        ],
    },
    Command {
        name: "check",
        operands: "URL",
        summary: "verify a live deployment's cache contract from outside",
        about: "\
URL is a page (HTML) of the deployment, as http://host[:port]/path; for a TLS site,
check its plain-HTTP origin or the proxy's plain-HTTP listener. The check follows the
page's same-origin hashed URLs (name.<12 hex>.ext) and prints one line per rule:
immutable, validators, encodings, q=0, range, missing-not-cacheable, stable-version,
earlier-releases, dictionary.

exit status: 0 every rule holds, 1 a rule fails (or the page cannot be fetched),
2 a usage error",
        flags: &[
            Flag {
                name: "--prefix",
                value: Some("PATH"),
                default: Some("the top folder of the page's first hashed URL, or /static/"),
                repeatable: false,
                meaning: "where the hashed files are served",
            },
            Flag {
                name: "--requests",
                value: Some("N"),
                default: Some("20"),
                repeatable: false,
                meaning: "page requests that must all name one X-App-Version",
            },
            Flag {
                name: "--releases",
                value: Some("DIR"),
                default: None,
                repeatable: false,
                meaning: "also check the earlier releases listed in DIR/releases.json (the \
                          folder collect writes to): their files and the deltas from them",
            },
        ],
    },
];

/// The arguments that ask a command for its own help instead of running it. Every
/// command takes them, so no command's flags list them: the top-level help says so once.
pub const HELP_ARGUMENTS: &[&str] = &["--help", "-h"];

/// Whether `arg` asks for help (`--help` or `-h`).
///
/// ```
/// assert!(hyper_assets_cli::commands::is_help("-h"));
/// assert!(!hyper_assets_cli::commands::is_help("--hidden"));
/// ```
pub fn is_help(arg: &str) -> bool {
    HELP_ARGUMENTS.contains(&arg)
}

/// The command named `name`, if there is one.
pub fn command(name: &str) -> Option<&'static Command> {
    COMMANDS.iter().find(|command| command.name == name)
}

/// `hyper-assets --help`: every command, its summary and its flags.
pub fn help() -> String {
    let mut help = String::from("usage: hyper-assets COMMAND [ARGS]\n\ncommands:\n");
    for command in COMMANDS {
        let mut head = format!("  {}", command.name);
        if !command.operands.is_empty() {
            head.push(' ');
            head.push_str(command.operands);
        }
        if !command.flags.is_empty() {
            head.push_str(" [options]");
        }
        wrap(&mut help, &head, command.summary, WIDTH);
        for flag in command.flags {
            flag_lines(&mut help, "      ", flag);
        }
    }
    help.push_str(
        "\nEvery command takes --help (or -h): `hyper-assets COMMAND --help` says more about \
         it.\n",
    );
    help
}

fn sentence(text: &str) -> String {
    let mut text = text.to_owned();
    if let Some(first) = text.get(..1) {
        let upper = first.to_uppercase();
        text.replace_range(..1, &upper);
    }
    text.push('.');
    text
}

fn flag_lines(out: &mut String, indent: &str, flag: &Flag) {
    wrap(
        out,
        &format!("{indent}{}", flag.usage()),
        &flag.description(),
        WIDTH,
    );
}

/// `head` then `text` from [`COLUMN`] on (on the next line if `head` is too long),
/// wrapped at `width`.
fn wrap(out: &mut String, head: &str, text: &str, width: usize) {
    let mut line = head.to_owned();
    let column = if head.is_empty() { 0 } else { COLUMN };
    if !head.is_empty() {
        if line.chars().count() + 1 > column {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        while line.chars().count() < column {
            line.push(' ');
        }
    }
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line = " ".repeat(column);
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_flags_look_like_flags() {
        for (at, command) in COMMANDS.iter().enumerate() {
            assert!(
                COMMANDS[..at]
                    .iter()
                    .all(|other| other.name != command.name),
                "{}",
                command.name
            );
            for (index, flag) in command.flags.iter().enumerate() {
                assert!(flag.name.starts_with("--"), "{}", flag.name);
                assert!(
                    command.flags[..index].iter().all(|f| f.name != flag.name),
                    "{} {}",
                    command.name,
                    flag.name
                );
                assert!(!flag.meaning.ends_with('.'), "{}", flag.name);
            }
        }
    }

    #[test]
    fn help_lists_every_flag_within_the_width() {
        let help = help();
        for command in COMMANDS {
            assert!(help.contains(&format!("  {}", command.name)));
            for flag in command.flags {
                assert!(help.contains(&flag.usage()), "{}", flag.usage());
            }
        }
        let helps: Vec<String> = COMMANDS.iter().map(Command::help).collect();
        for line in help
            .lines()
            .chain(helps.iter().flat_map(|text| text.lines()))
        {
            assert!(line.chars().count() <= WIDTH, "too wide: {line}");
        }
        assert!(help.contains(
            "\n      --keep N                    earlier releases kept whatever their age \
             (default: 2)\n"
        ));
    }

    /// `--help` is said once, at the top: no command lists it among its flags.
    #[test]
    fn help_is_no_command_s_flag() {
        for command in COMMANDS {
            for flag in command.flags {
                assert!(!is_help(flag.name), "{} lists {}", command.name, flag.name);
            }
        }
        assert!(help().contains("Every command takes --help (or -h)"));
    }

    #[test]
    fn wrapping() {
        let mut out = String::new();
        wrap(&mut out, "  a", "one two three", 80);
        assert_eq!(out, format!("  a{}one two three\n", " ".repeat(COLUMN - 3)));
        let mut out = String::new();
        wrap(&mut out, &"x".repeat(40), "word", 80);
        assert_eq!(
            out,
            format!("{}\n{}word\n", "x".repeat(40), " ".repeat(COLUMN))
        );
    }
}
