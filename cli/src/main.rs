//! `hyper-assets`: the hyper-assets command line. This file only dispatches; each
//! command is in `commands/`, and its logic in the library.
//!
//! ```text
//! hyper-assets check URL [options]   verify a live deployment's cache contract
//! ```

mod commands;

use std::process::ExitCode;

/// The commands, for `hyper-assets --help` and after an unknown one.
const COMMANDS: &str = "\
usage: hyper-assets COMMAND [ARGS]

commands:
  check URL [options]   verify a live deployment's cache contract (--help for more)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        return commands::usage_error("no command given", COMMANDS);
    };
    // One arm per command, each with a line in COMMANDS.
    match command.as_str() {
        "check" => commands::check::run(rest),
        "-h" | "--help" | "help" => commands::print_help(COMMANDS),
        unknown => commands::usage_error(&format!("unknown command {unknown:?}"), COMMANDS),
    }
}
