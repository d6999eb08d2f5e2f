//! `hyper-assets check URL [options]`: runs [`hyper_assets_cli::check`] and prints its
//! report; exit status 1 when a rule fails or the page cannot be fetched.

use super::{print_help, usage_error};
use hyper_assets_cli::check::{check, CheckArguments, CheckOptions, USAGE};
use std::process::ExitCode;

#[allow(clippy::print_stdout)] // the report is the command's output
pub(crate) fn run(args: &[String]) -> ExitCode {
    let options = match CheckOptions::from_args(args) {
        Ok(CheckArguments::Check(options)) => options,
        Ok(CheckArguments::Help) => return print_help(USAGE),
        Err(error) => return usage_error(&format!("check: {error}"), USAGE),
    };
    // One request at a time: a current-thread runtime is all the check needs.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let report = match runtime {
        Ok(runtime) => runtime.block_on(check(&options)),
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
