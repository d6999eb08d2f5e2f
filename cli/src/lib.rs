//! The `hyper-assets` command line as a library, so tests and other tools can run its
//! commands without a process: [`check`] verifies a live deployment's cache contract
//! from outside, over the plain-HTTP [`http_client`]; [`commands`] lists every command
//! and flag, the data `--help` is written from.

mod args;
mod build_flags;
mod bust_token;
mod call_source;
pub mod check;
mod collect;
pub mod commands;
mod folder_build;
pub mod http_client;
pub mod http_url;
mod nginx_config;

/// Runs a deploy command (`collect`, `prune`, `bust-token`, `nginx-config`) with its
/// arguments: the text to print, or the error. `None` for another command. `--help` (or
/// `-h`) among the arguments gives the command's help.
///
/// ```
/// let help = hyper_assets_cli::run_deploy_command("prune", &["--help".to_owned()]);
/// assert!(help.unwrap().unwrap().starts_with("usage: hyper-assets prune DIR [options]"));
/// assert!(hyper_assets_cli::run_deploy_command("check", &[]).is_none());
/// ```
pub fn run_deploy_command(command: &str, rest: &[String]) -> Option<Result<String, String>> {
    let run = match command {
        "collect" => collect::collect,
        "prune" => collect::prune,
        "bust-token" => bust_token::bust_token,
        "nginx-config" => nginx_config::nginx_config,
        _ => return None,
    };
    let command = commands::command(command)?;
    if rest.iter().any(|arg| commands::is_help(arg)) {
        return Some(Ok(command.help()));
    }
    Some(run(args::Args::new(command, rest.to_vec())))
}
