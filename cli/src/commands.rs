//! The binary's commands: each turns its arguments into a library call, and the result
//! into output and an exit status (0 success, 1 failure, 2 a usage error).

pub(crate) mod check;

use std::process::ExitCode;

/// Exit status of a usage error.
const USAGE_ERROR: u8 = 2;

/// Prints `usage` on stdout, as asked for by `--help`; exit status 0.
#[allow(clippy::print_stdout)] // the help is the output asked for
pub(crate) fn print_help(usage: &str) -> ExitCode {
    print!("{usage}");
    ExitCode::SUCCESS
}

/// Prints `problem` and `usage` on stderr; exit status 2.
pub(crate) fn usage_error(problem: &str, usage: &str) -> ExitCode {
    eprintln!("hyper-assets: {problem}\n");
    eprint!("{usage}");
    ExitCode::from(USAGE_ERROR)
}
