//! `hyper-assets`: the hyper-assets command line.
//!
//! ```text
//! hyper-assets check URL [options]   verify a live deployment's cache contract
//! ```

use hyper_assets_cli::check::{self, CheckArguments, CheckOptions, USAGE};
use std::process::ExitCode;

/// The commands, for `hyper-assets` without one or with an unknown one.
const COMMANDS: &str = "\
usage: hyper-assets COMMAND [ARGS]

commands:
  check URL [options]   verify a live deployment's cache contract (--help for more)
";

/// Exit status of a usage error (a rule failing is 1).
const USAGE_ERROR: u8 = 2;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        return usage_error("no command given", COMMANDS);
    };
    // One arm per command.
    match command.as_str() {
        "check" => run_check(rest),
        "-h" | "--help" | "help" => print_help(COMMANDS),
        unknown => usage_error(&format!("unknown command {unknown:?}"), COMMANDS),
    }
}

#[allow(clippy::print_stdout)] // asked for
fn print_help(usage: &str) -> ExitCode {
    print!("{usage}");
    ExitCode::SUCCESS
}

/// Prints `problem` and `usage` on stderr; exit status 2.
fn usage_error(problem: &str, usage: &str) -> ExitCode {
    eprintln!("hyper-assets: {problem}\n");
    eprint!("{usage}");
    ExitCode::from(USAGE_ERROR)
}

#[allow(clippy::print_stdout)] // the report is the command's output
fn run_check(args: &[String]) -> ExitCode {
    let options = match CheckOptions::from_args(args) {
        Ok(CheckArguments::Check(options)) => options,
        Ok(CheckArguments::Help) => return print_help(USAGE),
        Err(error) => return usage_error(&format!("check: {error}"), USAGE),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let report = match runtime {
        Ok(runtime) => runtime.block_on(check::check(&options)),
        Err(error) => {
            eprintln!("hyper-assets check: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match report {
        Ok(report) => {
            print!("{report}");
            if report.passed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            eprintln!("hyper-assets check: {error}");
            ExitCode::FAILURE
        }
    }
}
