//! `hyper-assets`: the hyper-assets command line.
//!
//! ```text
//! hyper-assets collect DIR [options]   write a release into the release folder DIR, with
//!                                      the options of the crate's hyper_assets! call
//! hyper-assets prune DIR               prune the release folder
//! hyper-assets bust-token              the POST /cache/bust token, from SECRET_KEY
//! hyper-assets nginx-config            the nginx configuration
//! hyper-assets check URL [options]     verify a live deployment's cache contract
//! ```

use hyper_assets_cli::check::{self, CheckArguments, CheckOptions};
use hyper_assets_cli::commands;
use std::process::ExitCode;

/// The commands, for `hyper-assets --help`, or without a command or with an unknown one.
fn commands() -> String {
    commands::help()
}

/// The help of `check`.
fn check_usage() -> String {
    commands::command("check").map_or_else(commands::help, commands::Command::help)
}

/// Exit status of a usage error (a rule failing is 1).
const USAGE_ERROR: u8 = 2;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        return usage_error("no command given", &commands());
    };
    if let Some(result) = hyper_assets_cli::run_deploy_command(command, rest) {
        return finish_deploy_command(command, result);
    }
    match command.as_str() {
        "check" => run_check(rest),
        "-h" | "--help" | "help" => print_help(&commands()),
        unknown => usage_error(&format!("unknown command {unknown:?}"), &commands()),
    }
}

/// Prints a deploy command's output, or its error on stderr (exit status 1).
#[allow(clippy::print_stdout)] // the command's output
fn finish_deploy_command(command: &str, result: Result<String, String>) -> ExitCode {
    match result {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("hyper-assets {command}: {error}");
            ExitCode::FAILURE
        }
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
        Ok(CheckArguments::Help) => return print_help(&check_usage()),
        Err(error) => return usage_error(&format!("check: {error}"), &check_usage()),
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
