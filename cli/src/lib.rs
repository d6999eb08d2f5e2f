//! The `hyper-assets` command line as a library, so tests and other tools can run its
//! commands without a process: [`check`] verifies a live deployment's cache contract
//! from outside, over the plain-HTTP [`http_client`].

mod args;
mod bust_token;
pub mod check;
mod collect;
mod folder_build;
pub mod http_client;
pub mod http_url;
mod nginx_config;

/// Runs a deploy command (`collect`, `prune`, `bust-token`, `nginx-config`) with its
/// arguments: the text to print, or the error. `None` for another command.
pub fn run_deploy_command(command: &str, rest: &[String]) -> Option<Result<String, String>> {
    let args = args::Args::new(rest.to_vec());
    Some(match command {
        "collect" => collect::collect(args),
        "prune" => collect::prune(args),
        "bust-token" => bust_token::bust_token(args),
        "nginx-config" => nginx_config::nginx_config(args),
        _ => return None,
    })
}

/// The usage of the deploy commands.
pub fn deploy_usage() -> String {
    let mut usage = String::from(
        "  collect DIR [options]          build the static folder as the macro does, write the\n\
         \x20                                release into the release folder DIR with the dcb/dcz\n\
         \x20                                deltas from the releases it keeps, and prune it\n\
         \x20   --keep N                     earlier releases kept whatever their age (default 2)\n\
         \x20   --age DURATION               releases younger than this are kept too (default 1h)\n",
    );
    for line in folder_build::BUILD_OPTIONS.lines() {
        usage.push_str("    ");
        usage.push_str(line.trim_start());
        usage.push('\n');
    }
    usage.push_str(
        "  prune DIR [--keep N] [--age DURATION]\n\
         \x20                                prune the release folder without writing a release\n\
         \x20 bust-token                     the bearer token of POST /cache/bust, from SECRET_KEY\n\
         \x20 nginx-config                   the version routing of VERSION_MAP for nginx\n\
         \x20                                (BACKEND_ADDRS, NGINX_LISTEN)\n\
         \x20 nginx-config --static-root DIR [--prefix PATH] [--brotli]\n\
         \x20                                the nginx location that serves the release folder,\n\
         \x20                                its deltas and dictionaries included\n",
    );
    usage
}
