//! `hyper-assets bust-token`: the bearer token of `POST /cache/bust`, derived from
//! `SECRET_KEY` exactly as the app derives it.

use crate::args::Args;

/// The token for the `SECRET_KEY` of the environment.
pub(crate) fn bust_token(args: Args) -> Result<String, String> {
    args.finish()?;
    let settings = hyper_assets::Settings::from_env().map_err(|e| e.to_string())?;
    let token = settings
        .cache_bust_token()
        .ok_or("SECRET_KEY is not set; the token is derived from it")?;
    Ok(format!("{token}\n"))
}
