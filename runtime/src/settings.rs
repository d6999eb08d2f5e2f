//! Settings of the version story, from the environment or a builder.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What a page does when an htmx response carries another app version
/// (`APP_VERSION_MISMATCH`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MismatchAction {
    /// Reload the page (default).
    #[default]
    Reload,
    /// `console.warn` once per server version, no reload.
    Warn,
    /// Inject nothing.
    Ignore,
    /// Show a banner with a reload button, once per version.
    Prompt,
}

impl MismatchAction {
    /// The setting's spelling: `reload`, `warn`, `ignore` or `prompt`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Reload => "reload",
            Self::Warn => "warn",
            Self::Ignore => "ignore",
            Self::Prompt => "prompt",
        }
    }

    fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "reload" => Some(Self::Reload),
            "warn" => Some(Self::Warn),
            "ignore" => Some(Self::Ignore),
            "prompt" => Some(Self::Prompt),
            _ => None,
        }
    }
}

/// How the stale-client script reaches the page (`STALE_CLIENT_SCRIPT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScriptDelivery {
    /// An inline `<script>` with the code (the default; needs `'unsafe-inline'` or a
    /// nonce under a Content-Security-Policy).
    #[default]
    Inline,
    /// `<script src="/_hyper-assets/stale-client.<12hex>.js" defer data-version=...>`:
    /// works under `script-src 'self'`, cached for a year.
    External,
}

/// A setting with a value it cannot take. The message names the variable and the valid
/// values, for a startup error. `Debug` shows the same sentence, so a `main` that returns
/// the error with `?` prints it readably.
#[derive(Clone, PartialEq, Eq)]
pub struct SettingsError {
    variable: &'static str,
    value: String,
    expected: &'static str,
}

impl SettingsError {
    /// The variable (`APP_VERSION_MISMATCH`).
    pub fn variable(&self) -> &'static str {
        self.variable
    }
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}={:?} is not valid: expected {}",
            self.variable, self.value, self.expected
        )
    }
}

impl fmt::Debug for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for SettingsError {}

/// The secret behind the `/cache/bust` token. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(String);

impl SecretKey {
    /// The key's text, whose UTF-8 bytes key the HMAC.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(redacted)")
    }
}

/// Settings of the version story.
///
/// | variable | type | default | meaning |
/// |---|---|---|---|
/// | `APP_VERSION` | text | unset | explicit version (git SHA, semver); at most 256 visible ASCII characters |
/// | `APP_VERSION_HEADER` | bool | `true` | send `X-App-Version` on every response |
/// | `APP_VERSION_MISMATCH` | `reload`, `warn`, `ignore`, `prompt` | `reload` | what a stale page does |
/// | `VERSION_ENDPOINT` | bool | `true` | mount `GET /version` |
/// | `STATIC_DEV_MODE` | bool | on in debug builds, off in release | serve the static folder from disk |
/// | `STATIC_DEV_VERSION_QUERY` | bool | `true` | `?v=<hash>` on dev-mode URLs |
/// | `SECRET_KEY` | text | unset | key of the `/cache/bust` token; unset refuses every bust |
/// | `APP_COMMIT` | text | unset | build commit shown on `/version`; at most 256 visible ASCII characters |
/// | `STALE_CLIENT_SCRIPT` | `inline`, `external` | `inline` | how the stale-client script reaches pages |
/// | `STATIC_DEV_DIR` | a folder | the macro's folder | in dev mode, the folder served from disk |
/// | `STATIC_RELEASES_DIR` | a folder | unset | a release folder shared by the instances (written by `collect`): hashed names of other releases found there are served, if their bytes hash to their name |
/// | `VERSION_MAP` | `version=backend,...` | unset | blue/green routing: the versions and their backends |
/// | `DEFAULT_VERSION` | a version of the map | unset (required with a map) | the version of clients that name none |
/// | `CANARY` | `version:percent` | unset | that share (0 to 100) of the clients that name no version get that version |
/// | `HTTP_HEADER_TIMEOUT` | seconds, 1 to 3600 | `10` | [`Site::serve`](crate::Site::serve): time to send a request head, and to stay idle between keep-alive requests (over HTTP/2: with no stream open) |
/// | `HTTP_MAX_CONNECTIONS` | 1 to 1000000 | `1024` | [`Site::serve`](crate::Site::serve): connections open at once (lowered to fit `ulimit -n`) |
/// | `TLS_CERT` | a PEM file | unset | [`Site::serve`](crate::Site::serve) serves HTTPS (HTTP/2 or HTTP/1.1 by ALPN) with this certificate chain; needs `TLS_KEY` and the `tls` feature |
/// | `TLS_KEY` | a PEM file | unset | the private key of `TLS_CERT` (PKCS#8, PKCS#1 or SEC1) |
/// | `TLS_HANDSHAKE_TIMEOUT` | seconds, 1 to 3600 | `10` | time a client has, from accept, to finish its TLS handshake |
/// | `TLS_HSTS` | `max-age=<seconds>[; includeSubDomains][; preload]` | unset | the `Strict-Transport-Security` header of every HTTPS response (unset: none); needs `TLS_CERT` |
/// | `TLS_REDIRECT_ADDR` | a socket address (`0.0.0.0:80`) | unset | [`Site::serve`](crate::Site::serve) (or `Server::from_settings`) also listens there in plain HTTP and redirects every request to HTTPS (unset: no such listener); needs `TLS_CERT` |
/// | `TLS_REDIRECT_PORT` | 1 to 65535 | unset | the HTTPS port those redirects name (unset: the port the HTTPS listener listens on); set it behind a port mapping; needs `TLS_REDIRECT_ADDR` |
///
/// Booleans are `true`/`false`, `1`/`0`, `yes`/`no` or `on`/`off`. An empty variable is
/// unset.
///
/// ```
/// use hyper_assets::{settings::MismatchAction, Settings};
///
/// let settings = Settings::builder()
///     .app_version("v1.2.3")
///     .mismatch(MismatchAction::Prompt)
///     .build()
///     .unwrap();
/// assert_eq!(settings.app_version(), Some("v1.2.3"));
///
/// let error = Settings::from_lookup(|name| {
///     (name == "APP_VERSION_MISMATCH").then(|| "relaod".to_owned())
/// })
/// .unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     r#"APP_VERSION_MISMATCH="relaod" is not valid: expected one of reload, warn, ignore, prompt"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    app_version: Option<String>,
    version_header: bool,
    mismatch: MismatchAction,
    version_endpoint: bool,
    dev_version_query: bool,
    dev_mode: bool,
    secret_key: Option<SecretKey>,
    commit: Option<String>,
    version_path: String,
    bust_path: String,
    /// Whether `dev_mode` was set (by the environment or the builder), not defaulted.
    dev_mode_set: bool,
    delivery: ScriptDelivery,
    dev_dir: Option<PathBuf>,
    releases_dir: Option<PathBuf>,
    routing: RoutingSettings,
    header_timeout: Duration,
    max_connections: usize,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    tls_handshake_timeout: Duration,
    tls_hsts: Option<String>,
    tls_redirect_addr: Option<std::net::SocketAddr>,
    tls_redirect_port: Option<u16>,
}

/// The blue/green and canary settings: `VERSION_MAP`, `DEFAULT_VERSION`, `CANARY`.
/// [`Settings`] checks their syntax; the version router checks that they agree.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoutingSettings {
    versions: Vec<(String, String)>,
    default_version: Option<String>,
    canary: Option<(String, u8)>,
}

impl RoutingSettings {
    /// The mapped versions and their backends, in the order given (`VERSION_MAP`).
    pub fn versions(&self) -> &[(String, String)] {
        &self.versions
    }

    /// The version of clients that name none (`DEFAULT_VERSION`).
    pub fn default_version(&self) -> Option<&str> {
        self.default_version.as_deref()
    }

    /// The canary version and its share in percent (`CANARY`).
    pub fn canary(&self) -> Option<(&str, u8)> {
        self.canary
            .as_ref()
            .map(|(version, percent)| (version.as_str(), *percent))
    }

    /// Whether routing is configured at all (a version map is set).
    pub fn is_enabled(&self) -> bool {
        !self.versions.is_empty()
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            app_version: None,
            version_header: true,
            mismatch: MismatchAction::Reload,
            version_endpoint: true,
            dev_version_query: true,
            dev_mode: cfg!(debug_assertions),
            secret_key: None,
            commit: None,
            version_path: "/version".to_owned(),
            bust_path: "/cache/bust".to_owned(),
            dev_mode_set: false,
            delivery: ScriptDelivery::Inline,
            dev_dir: None,
            releases_dir: None,
            routing: RoutingSettings::default(),
            header_timeout: Duration::from_secs(10),
            max_connections: 1024,
            tls_cert: None,
            tls_key: None,
            tls_handshake_timeout: Duration::from_secs(10),
            tls_hsts: None,
            tls_redirect_addr: None,
            tls_redirect_port: None,
        }
    }
}

const BOOL: &str = "one of true, false, 1, 0, yes, no, on, off";
const VERSION_TEXT: &str = "at most 256 visible ASCII characters (no spaces or control characters)";

impl Settings {
    /// A builder starting from the defaults.
    pub fn builder() -> SettingsBuilder {
        SettingsBuilder {
            settings: Self::default(),
        }
    }

    /// Reads the variables in the table above from the process environment.
    ///
    /// # Errors
    /// A variable with a value it cannot take, or that is not UTF-8.
    pub fn from_env() -> Result<Self, SettingsError> {
        let mut not_unicode = None;
        let settings = Self::from_lookup(|name| match std::env::var(name) {
            Ok(value) => Some(value),
            Err(std::env::VarError::NotPresent) => None,
            Err(std::env::VarError::NotUnicode(value)) => {
                not_unicode.get_or_insert((name.to_owned(), value.to_string_lossy().into_owned()));
                None
            }
        })?;
        if let Some((name, value)) = not_unicode {
            return Err(SettingsError {
                variable: VARIABLES
                    .iter()
                    .copied()
                    .find(|v| *v == name)
                    .unwrap_or("a setting"),
                value,
                expected: "UTF-8 text",
            });
        }
        Ok(settings)
    }

    /// Reads the variables through `lookup` (for tests, or another configuration source).
    ///
    /// # Errors
    /// A variable with a value it cannot take.
    pub fn from_lookup(
        mut lookup: impl FnMut(&str) -> Option<String>,
    ) -> Result<Self, SettingsError> {
        let mut get = |name: &str| lookup(name).filter(|value| !value.is_empty());
        let mut builder = Self::builder();
        if let Some(value) = get("APP_VERSION") {
            builder = builder.app_version(value);
        }
        if let Some(value) = get("APP_VERSION_HEADER") {
            builder.settings.version_header = parse_bool("APP_VERSION_HEADER", &value)?;
        }
        if let Some(value) = get("APP_VERSION_MISMATCH") {
            builder.settings.mismatch = MismatchAction::parse(&value).ok_or(SettingsError {
                variable: "APP_VERSION_MISMATCH",
                value,
                expected: "one of reload, warn, ignore, prompt",
            })?;
        }
        if let Some(value) = get("VERSION_ENDPOINT") {
            builder.settings.version_endpoint = parse_bool("VERSION_ENDPOINT", &value)?;
        }
        if let Some(value) = get("STATIC_DEV_MODE") {
            builder = builder.dev_mode(parse_bool("STATIC_DEV_MODE", &value)?);
        }
        if let Some(value) = get("STATIC_DEV_DIR") {
            builder = builder.dev_dir(value);
        }
        if let Some(value) = get("STATIC_RELEASES_DIR") {
            builder = builder.releases_dir(value);
        }
        if let Some(value) = get("STALE_CLIENT_SCRIPT") {
            builder.settings.delivery = match value.trim().to_ascii_lowercase().as_str() {
                "inline" => ScriptDelivery::Inline,
                "external" => ScriptDelivery::External,
                _ => {
                    return Err(SettingsError {
                        variable: "STALE_CLIENT_SCRIPT",
                        value,
                        expected: "one of inline, external",
                    })
                }
            };
        }
        if let Some(value) = get("VERSION_MAP") {
            builder.settings.routing.versions = parse_version_map(&value)?;
        }
        if let Some(value) = get("DEFAULT_VERSION") {
            builder.settings.routing.default_version = Some(value.trim().to_owned());
        }
        if let Some(value) = get("CANARY") {
            builder.settings.routing.canary = Some(parse_canary(&value)?);
        }
        if let Some(value) = get("STATIC_DEV_VERSION_QUERY") {
            builder.settings.dev_version_query = parse_bool("STATIC_DEV_VERSION_QUERY", &value)?;
        }
        if let Some(value) = get("SECRET_KEY") {
            builder = builder.secret_key(value);
        }
        if let Some(value) = get("APP_COMMIT") {
            builder = builder.commit(value);
        }
        if let Some(value) = get("HTTP_HEADER_TIMEOUT") {
            let seconds = parse_number(
                "HTTP_HEADER_TIMEOUT",
                &value,
                3600,
                "a whole number of seconds from 1 to 3600",
            )?;
            builder.settings.header_timeout = Duration::from_secs(seconds);
        }
        if let Some(value) = get("HTTP_MAX_CONNECTIONS") {
            let connections = parse_number(
                "HTTP_MAX_CONNECTIONS",
                &value,
                1_000_000,
                "a whole number from 1 to 1000000",
            )?;
            builder.settings.max_connections = usize::try_from(connections).unwrap_or(usize::MAX);
        }
        if let Some(value) = get("TLS_CERT") {
            builder.settings.tls_cert = Some(PathBuf::from(value));
        }
        if let Some(value) = get("TLS_KEY") {
            builder.settings.tls_key = Some(PathBuf::from(value));
        }
        if let Some(value) = get("TLS_HANDSHAKE_TIMEOUT") {
            let seconds = parse_number(
                "TLS_HANDSHAKE_TIMEOUT",
                &value,
                3600,
                "a whole number of seconds from 1 to 3600",
            )?;
            builder.settings.tls_handshake_timeout = Duration::from_secs(seconds);
        }
        if let Some(value) = get("TLS_HSTS") {
            builder.settings.tls_hsts = Some(value);
        }
        if let Some(value) = get("TLS_REDIRECT_ADDR") {
            let addr = value.trim().parse().map_err(|_| SettingsError {
                variable: "TLS_REDIRECT_ADDR",
                value: value.clone(),
                expected: REDIRECT_ADDR,
            })?;
            builder.settings.tls_redirect_addr = Some(addr);
        }
        if let Some(value) = get("TLS_REDIRECT_PORT") {
            let port = parse_number("TLS_REDIRECT_PORT", &value, 65535, REDIRECT_PORT)?;
            builder.settings.tls_redirect_port = u16::try_from(port).ok();
        }
        builder.build()
    }

    /// The explicit version, if set.
    pub fn app_version(&self) -> Option<&str> {
        self.app_version.as_deref()
    }

    /// Whether `X-App-Version` is sent.
    pub fn version_header(&self) -> bool {
        self.version_header
    }

    /// What a stale page does.
    pub fn mismatch(&self) -> MismatchAction {
        self.mismatch
    }

    /// Whether `GET /version` is mounted.
    pub fn version_endpoint(&self) -> bool {
        self.version_endpoint
    }

    /// Whether dev-mode URLs carry `?v=<hash>`.
    pub fn dev_version_query(&self) -> bool {
        self.dev_version_query
    }

    /// Whether the static folder is served from disk (dev mode).
    pub fn dev_mode(&self) -> bool {
        self.dev_mode
    }

    /// The key of the `/cache/bust` token.
    pub fn secret_key(&self) -> Option<&SecretKey> {
        self.secret_key.as_ref()
    }

    /// The build commit.
    pub fn commit(&self) -> Option<&str> {
        self.commit.as_deref()
    }

    /// Path of the version endpoint (`/version`).
    pub fn version_path(&self) -> &str {
        &self.version_path
    }

    /// Path of the bust endpoint (`/cache/bust`).
    pub fn bust_path(&self) -> &str {
        &self.bust_path
    }

    /// Whether dev mode was asked for (`STATIC_DEV_MODE` or the builder) rather than
    /// defaulted from the build profile.
    pub(crate) fn dev_mode_is_set(&self) -> bool {
        self.dev_mode_set
    }

    /// How the stale-client script reaches pages (`STALE_CLIENT_SCRIPT`).
    pub fn script_delivery(&self) -> ScriptDelivery {
        self.delivery
    }

    /// In dev mode, the folder served instead of the one the macro embedded
    /// (`STATIC_DEV_DIR`).
    pub fn dev_dir(&self) -> Option<&Path> {
        self.dev_dir.as_deref()
    }

    /// The release folder whose other releases' hashed files are served
    /// (`STATIC_RELEASES_DIR`).
    pub fn releases_dir(&self) -> Option<&Path> {
        self.releases_dir.as_deref()
    }

    /// Blue/green and canary routing (`VERSION_MAP`, `DEFAULT_VERSION`, `CANARY`).
    pub fn routing(&self) -> &RoutingSettings {
        &self.routing
    }

    /// How long a client may take to send a request head, and stay idle between
    /// keep-alive requests (`HTTP_HEADER_TIMEOUT`), for [`Site::serve`](crate::Site::serve).
    pub fn header_timeout(&self) -> Duration {
        self.header_timeout
    }

    /// How many connections are open at once at most (`HTTP_MAX_CONNECTIONS`), for
    /// [`Site::serve`](crate::Site::serve).
    pub fn max_connections(&self) -> usize {
        self.max_connections
    }

    /// The certificate chain (`TLS_CERT`) and private key (`TLS_KEY`) PEM files that make
    /// [`Site::serve`](crate::Site::serve) serve HTTPS, if set (always both).
    pub fn tls(&self) -> Option<(&Path, &Path)> {
        self.tls_cert.as_deref().zip(self.tls_key.as_deref())
    }

    /// How long a client has, from accept, to finish its TLS handshake
    /// (`TLS_HANDSHAKE_TIMEOUT`).
    pub fn tls_handshake_timeout(&self) -> Duration {
        self.tls_handshake_timeout
    }

    /// The `Strict-Transport-Security` value of HTTPS responses (`TLS_HSTS`), if set: in
    /// the form `max-age=<seconds>[; includeSubDomains][; preload]`.
    pub fn tls_hsts(&self) -> Option<&str> {
        self.tls_hsts.as_deref()
    }

    /// Where [`Site::serve`](crate::Site::serve) and a
    /// [`Server::from_settings`](crate::server::Server::from_settings) listen in plain
    /// HTTP to redirect to HTTPS (`TLS_REDIRECT_ADDR`), if set.
    pub fn tls_redirect_addr(&self) -> Option<std::net::SocketAddr> {
        self.tls_redirect_addr
    }

    /// The HTTPS port the redirect listener sends clients to (`TLS_REDIRECT_PORT`), if
    /// set; unset, it is the port the HTTPS listener listens on.
    pub fn tls_redirect_port(&self) -> Option<u16> {
        self.tls_redirect_port
    }
}

const HSTS_SYNTAX: &str = "max-age=<seconds> (0 to 9999999999), then optionally \
                           `; includeSubDomains` and `; preload` (for example \
                           `max-age=31536000; includeSubDomains`)";
const REDIRECT_ADDR: &str = "a socket address, such as 0.0.0.0:80 or [::]:80";
const REDIRECT_PORT: &str = "a port number from 1 to 65535 (443 leaves the port out of \
                             the redirect)";

/// A `Strict-Transport-Security` value, in the written form, or `None` if it is not one.
fn parse_hsts(value: &str) -> Option<String> {
    let mut parts = value.split(';').map(str::trim);
    let first = parts.next()?;
    let seconds = first
        .get(..8)
        .filter(|name| name.eq_ignore_ascii_case("max-age="))
        .map(|_| &first[8..])?;
    if seconds.is_empty() || seconds.len() > 10 || !seconds.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let seconds: u64 = seconds.parse().ok()?;
    let (mut subdomains, mut preload) = (false, false);
    for part in parts {
        let flag = if part.eq_ignore_ascii_case("includeSubDomains") {
            &mut subdomains
        } else if part.eq_ignore_ascii_case("preload") {
            &mut preload
        } else {
            return None;
        };
        if std::mem::replace(flag, true) {
            return None;
        }
    }
    let mut header = format!("max-age={seconds}");
    if subdomains {
        header.push_str("; includeSubDomains");
    }
    if preload {
        header.push_str("; preload");
    }
    Some(header)
}

const VERSION_MAP_SYNTAX: &str =
    "version=backend pairs separated by commas, such as v1.0=backend-blue,v1.1=backend-green";
const CANARY_SYNTAX: &str = "version:percent with a percent from 0 to 100, such as v1.1:10";

fn parse_version_map(text: &str) -> Result<Vec<(String, String)>, SettingsError> {
    let invalid = || SettingsError {
        variable: "VERSION_MAP",
        value: text.to_owned(),
        expected: VERSION_MAP_SYNTAX,
    };
    let mut versions = Vec::new();
    for pair in text
        .split(',')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
    {
        let (version, backend) = pair.split_once('=').ok_or_else(invalid)?;
        let (version, backend) = (version.trim(), backend.trim());
        if version.is_empty() || backend.is_empty() {
            return Err(invalid());
        }
        versions.push((version.to_owned(), backend.to_owned()));
    }
    if versions.is_empty() {
        return Err(invalid());
    }
    Ok(versions)
}

fn parse_canary(text: &str) -> Result<(String, u8), SettingsError> {
    text.split_once(':')
        .and_then(|(version, percent)| {
            let percent = percent.trim().parse::<u8>().ok().filter(|p| *p <= 100)?;
            let version = version.trim();
            (!version.is_empty()).then(|| (version.to_owned(), percent))
        })
        .ok_or_else(|| SettingsError {
            variable: "CANARY",
            value: text.to_owned(),
            expected: CANARY_SYNTAX,
        })
}

/// Every variable [`Settings::from_env`] reads.
pub const VARIABLES: [&str; 22] = [
    "APP_VERSION",
    "APP_VERSION_HEADER",
    "APP_VERSION_MISMATCH",
    "VERSION_ENDPOINT",
    "STATIC_DEV_MODE",
    "STATIC_DEV_VERSION_QUERY",
    "SECRET_KEY",
    "APP_COMMIT",
    "STALE_CLIENT_SCRIPT",
    "STATIC_DEV_DIR",
    "STATIC_RELEASES_DIR",
    "VERSION_MAP",
    "DEFAULT_VERSION",
    "CANARY",
    "HTTP_HEADER_TIMEOUT",
    "HTTP_MAX_CONNECTIONS",
    "TLS_CERT",
    "TLS_KEY",
    "TLS_HANDSHAKE_TIMEOUT",
    "TLS_HSTS",
    "TLS_REDIRECT_ADDR",
    "TLS_REDIRECT_PORT",
];

/// A whole number from 1 to `max`, else an error expecting `expected`.
fn parse_number(
    variable: &'static str,
    value: &str,
    max: u64,
    expected: &'static str,
) -> Result<u64, SettingsError> {
    match value.trim().parse::<u64>() {
        Ok(number) if (1..=max).contains(&number) => Ok(number),
        _ => Err(SettingsError {
            variable,
            value: value.to_owned(),
            expected,
        }),
    }
}

fn parse_bool(variable: &'static str, value: &str) -> Result<bool, SettingsError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(SettingsError {
            variable,
            value: value.to_owned(),
            expected: BOOL,
        }),
    }
}

fn is_version_text(value: &str) -> bool {
    !value.is_empty() && value.len() <= 256 && value.bytes().all(|b| b.is_ascii_graphic())
}

/// Builds [`Settings`]; [`SettingsBuilder::build`] checks every value.
#[derive(Debug, Clone)]
pub struct SettingsBuilder {
    settings: Settings,
}

impl SettingsBuilder {
    /// The header-read and keep-alive idle timeout of [`Site::serve`](crate::Site::serve)
    /// (`HTTP_HEADER_TIMEOUT`; at least one millisecond).
    #[must_use]
    pub fn header_timeout(mut self, timeout: Duration) -> Self {
        self.settings.header_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Serve HTTPS with this certificate chain and private key, both PEM files
    /// (`TLS_CERT`, `TLS_KEY`); they are read when the server starts. Needs the `tls`
    /// feature: without it, [`SettingsBuilder::build`] refuses them.
    #[must_use]
    pub fn tls(mut self, cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        self.settings.tls_cert = Some(cert.into());
        self.settings.tls_key = Some(key.into());
        self
    }

    /// How long a client has, from accept, to finish its TLS handshake
    /// (`TLS_HANDSHAKE_TIMEOUT`; at least one millisecond).
    #[must_use]
    pub fn tls_handshake_timeout(mut self, timeout: Duration) -> Self {
        self.settings.tls_handshake_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Send `Strict-Transport-Security: <value>` on every HTTPS response (`TLS_HSTS`):
    /// `max-age=<seconds>`, then optionally `; includeSubDomains` and `; preload`.
    /// [`SettingsBuilder::build`] refuses another form, and the setting without
    /// [`SettingsBuilder::tls`].
    #[must_use]
    pub fn tls_hsts(mut self, value: impl Into<String>) -> Self {
        self.settings.tls_hsts = Some(value.into());
        self
    }

    /// Also listen at `addr` in plain HTTP and redirect every request there to HTTPS
    /// (`TLS_REDIRECT_ADDR`), in [`Site::serve`](crate::Site::serve).
    /// [`SettingsBuilder::build`] refuses it without [`SettingsBuilder::tls`].
    #[must_use]
    pub fn tls_redirect_addr(mut self, addr: std::net::SocketAddr) -> Self {
        self.settings.tls_redirect_addr = Some(addr);
        self
    }

    /// The HTTPS port the redirects of [`SettingsBuilder::tls_redirect_addr`]'s listener
    /// name (`TLS_REDIRECT_PORT`; unset: the HTTPS listener's own port), for clients that
    /// reach HTTPS on another port than the server listens on, as behind a port mapping.
    /// [`SettingsBuilder::build`] refuses 0, and the port without a redirect listener.
    #[must_use]
    pub fn tls_redirect_port(mut self, port: u16) -> Self {
        self.settings.tls_redirect_port = Some(port);
        self
    }

    /// The connection cap of [`Site::serve`](crate::Site::serve) (`HTTP_MAX_CONNECTIONS`;
    /// at least 1).
    #[must_use]
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.settings.max_connections = connections.max(1);
        self
    }

    /// The explicit version (`APP_VERSION`).
    #[must_use]
    pub fn app_version(mut self, version: impl Into<String>) -> Self {
        self.settings.app_version = Some(version.into());
        self
    }

    /// Whether to send `X-App-Version` (`APP_VERSION_HEADER`).
    #[must_use]
    pub fn version_header(mut self, on: bool) -> Self {
        self.settings.version_header = on;
        self
    }

    /// What a stale page does (`APP_VERSION_MISMATCH`).
    #[must_use]
    pub fn mismatch(mut self, action: MismatchAction) -> Self {
        self.settings.mismatch = action;
        self
    }

    /// Whether to mount `GET /version` (`VERSION_ENDPOINT`).
    #[must_use]
    pub fn version_endpoint(mut self, on: bool) -> Self {
        self.settings.version_endpoint = on;
        self
    }

    /// Whether to serve the static folder from disk (`STATIC_DEV_MODE`).
    #[must_use]
    pub fn dev_mode(mut self, on: bool) -> Self {
        self.settings.dev_mode = on;
        self.settings.dev_mode_set = true;
        self
    }

    /// In dev mode, serve this folder instead of the one the macro embedded
    /// (`STATIC_DEV_DIR`): a checkout moved since the build, or a test's copy.
    #[must_use]
    pub fn dev_dir(mut self, folder: impl Into<PathBuf>) -> Self {
        self.settings.dev_dir = Some(folder.into());
        self
    }

    /// Serve other releases' hashed files from this release folder, shared by the
    /// instances and written by `collect` (`STATIC_RELEASES_DIR`).
    #[must_use]
    pub fn releases_dir(mut self, folder: impl Into<PathBuf>) -> Self {
        self.settings.releases_dir = Some(folder.into());
        self
    }

    /// How the stale-client script reaches pages (`STALE_CLIENT_SCRIPT`).
    #[must_use]
    pub fn script_delivery(mut self, delivery: ScriptDelivery) -> Self {
        self.settings.delivery = delivery;
        self
    }

    /// Maps a version to the backend that serves it (`VERSION_MAP`); call once per
    /// version.
    #[must_use]
    pub fn version(mut self, version: impl Into<String>, backend: impl Into<String>) -> Self {
        self.settings
            .routing
            .versions
            .push((version.into(), backend.into()));
        self
    }

    /// The version of clients that name none (`DEFAULT_VERSION`).
    #[must_use]
    pub fn default_version(mut self, version: impl Into<String>) -> Self {
        self.settings.routing.default_version = Some(version.into());
        self
    }

    /// Sends `percent`% of the clients that name no version to `version` (`CANARY`).
    #[must_use]
    pub fn canary(mut self, version: impl Into<String>, percent: u8) -> Self {
        self.settings.routing.canary = Some((version.into(), percent));
        self
    }

    /// Whether dev-mode URLs carry `?v=<hash>` (`STATIC_DEV_VERSION_QUERY`).
    #[must_use]
    pub fn dev_version_query(mut self, on: bool) -> Self {
        self.settings.dev_version_query = on;
        self
    }

    /// The key of the `/cache/bust` token (`SECRET_KEY`).
    #[must_use]
    pub fn secret_key(mut self, key: impl Into<String>) -> Self {
        self.settings.secret_key = Some(SecretKey(key.into()));
        self
    }

    /// The build commit shown on `/version` (`APP_COMMIT`).
    #[must_use]
    pub fn commit(mut self, commit: impl Into<String>) -> Self {
        self.settings.commit = Some(commit.into());
        self
    }

    /// Where the version endpoint is mounted (default `/version`).
    #[must_use]
    pub fn version_path(mut self, path: impl Into<String>) -> Self {
        self.settings.version_path = path.into();
        self
    }

    /// Where the bust endpoint is mounted (default `/cache/bust`).
    #[must_use]
    pub fn bust_path(mut self, path: impl Into<String>) -> Self {
        self.settings.bust_path = path.into();
        self
    }

    /// Checks the values and returns the settings.
    ///
    /// # Errors
    /// An explicit version or commit that is not 1 to 256 visible ASCII characters, an
    /// empty secret key, an endpoint path that does not start with `/`, one of `TLS_CERT`
    /// and `TLS_KEY` without the other, or either without the `tls` feature, a `TLS_HSTS`
    /// not of the form `max-age=<seconds>[; includeSubDomains][; preload]`, or
    /// `TLS_HSTS` or `TLS_REDIRECT_ADDR` without `TLS_CERT`, or a `TLS_REDIRECT_PORT` of 0
    /// or without `TLS_REDIRECT_ADDR`.
    pub fn build(self) -> Result<Settings, SettingsError> {
        let mut settings = self.settings;
        let shown = |path: &Path| path.display().to_string();
        match (&settings.tls_cert, &settings.tls_key) {
            (Some(cert), None) => {
                return Err(SettingsError {
                    variable: "TLS_CERT",
                    value: shown(cert),
                    expected: "TLS_KEY set too, to the certificate's private key: HTTPS needs both",
                })
            }
            (None, Some(key)) => {
                return Err(SettingsError {
                    variable: "TLS_KEY",
                    value: shown(key),
                    expected: "TLS_CERT set too, to the key's certificate chain: HTTPS needs both",
                })
            }
            #[cfg(not(feature = "tls"))]
            (Some(cert), Some(_)) => {
                return Err(SettingsError {
                    variable: "TLS_CERT",
                    value: shown(cert),
                    expected: "unset: this build of hyper-assets has no `tls` feature (add \
                               `features = [\"tls\"]` to serve HTTPS; it never serves cleartext \
                               in its place)",
                })
            }
            _ => {}
        }
        if let Some(hsts) = &settings.tls_hsts {
            let Some(header) = parse_hsts(hsts) else {
                return Err(SettingsError {
                    variable: "TLS_HSTS",
                    value: hsts.clone(),
                    expected: HSTS_SYNTAX,
                });
            };
            if settings.tls_cert.is_none() {
                return Err(SettingsError {
                    variable: "TLS_HSTS",
                    value: hsts.clone(),
                    expected: "unset, or TLS_CERT and TLS_KEY set too: the header is sent \
                               over HTTPS only",
                });
            }
            settings.tls_hsts = Some(header);
        }
        if let (Some(addr), None) = (&settings.tls_redirect_addr, &settings.tls_cert) {
            return Err(SettingsError {
                variable: "TLS_REDIRECT_ADDR",
                value: addr.to_string(),
                expected: "unset, or TLS_CERT and TLS_KEY set too: the listener redirects \
                           to HTTPS",
            });
        }
        match (settings.tls_redirect_port, settings.tls_redirect_addr) {
            (Some(0), _) => {
                return Err(SettingsError {
                    variable: "TLS_REDIRECT_PORT",
                    value: "0".to_owned(),
                    expected: REDIRECT_PORT,
                })
            }
            (Some(port), None) => {
                return Err(SettingsError {
                    variable: "TLS_REDIRECT_PORT",
                    value: port.to_string(),
                    expected: "unset, or TLS_REDIRECT_ADDR set too: it is the HTTPS port that \
                               listener's redirects name",
                })
            }
            _ => {}
        }
        if let Some(version) = &settings.app_version {
            if !is_version_text(version) {
                return Err(SettingsError {
                    variable: "APP_VERSION",
                    value: version.clone(),
                    expected: VERSION_TEXT,
                });
            }
        }
        if let Some(commit) = &settings.commit {
            if !is_version_text(commit) {
                return Err(SettingsError {
                    variable: "APP_COMMIT",
                    value: commit.clone(),
                    expected: VERSION_TEXT,
                });
            }
        }
        if settings
            .secret_key
            .as_ref()
            .is_some_and(|key| key.0.is_empty())
        {
            return Err(SettingsError {
                variable: "SECRET_KEY",
                value: String::new(),
                expected: "a non-empty key",
            });
        }
        for (variable, path) in [
            ("version_path", &settings.version_path),
            ("bust_path", &settings.bust_path),
        ] {
            if !path.starts_with('/') || path.bytes().any(|b| !b.is_ascii_graphic()) {
                return Err(SettingsError {
                    variable,
                    value: path.clone(),
                    expected: "a URL path starting with `/`",
                });
            }
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hsts_and_the_redirect_listener_are_checked_and_need_tls() {
        let tls = [("TLS_CERT", "cert.pem"), ("TLS_KEY", "key.pem")];
        let with = |extra: (&str, &str)| from(&[tls[0], tls[1], extra]);
        if cfg!(feature = "tls") {
            for (value, header) in [
                ("max-age=31536000", "max-age=31536000"),
                (
                    "MAX-AGE=0 ;includesubdomains; PRELOAD",
                    "max-age=0; includeSubDomains; preload",
                ),
                ("max-age=60; preload", "max-age=60; preload"),
            ] {
                let settings = with(("TLS_HSTS", value)).unwrap();
                assert_eq!(settings.tls_hsts(), Some(header), "{value}");
            }
            let settings = with(("TLS_REDIRECT_ADDR", "0.0.0.0:80")).unwrap();
            assert_eq!(
                settings.tls_redirect_addr(),
                Some("0.0.0.0:80".parse().unwrap())
            );
            for value in [
                "31536000",
                "max-age=",
                "max-age=-1",
                "max-age=1e9",
                "max-age=12345678901",
                "max-age=60; includeSubDomains; includeSubDomains",
                "max-age=60;",
                "max-age=60; other",
                "includeSubDomains; max-age=60",
                "max-age=60\r\nSet-Cookie: a=b",
            ] {
                let error = with(("TLS_HSTS", value)).unwrap_err();
                assert_eq!(error.variable(), "TLS_HSTS", "{value}");
                assert!(error.to_string().contains("max-age=<seconds>"), "{error}");
            }
            for value in ["80", "localhost:80", "0.0.0.0", "[::]:99999"] {
                let error = with(("TLS_REDIRECT_ADDR", value)).unwrap_err();
                assert_eq!(error.variable(), "TLS_REDIRECT_ADDR", "{value}");
                assert!(error.to_string().contains("socket address"), "{error}");
            }
            let redirect = ("TLS_REDIRECT_ADDR", "0.0.0.0:80");
            for (value, port) in [("443", 443), (" 8443 ", 8443), ("65535", 65535)] {
                let settings = from(&[tls[0], tls[1], redirect, ("TLS_REDIRECT_PORT", value)]);
                assert_eq!(settings.unwrap().tls_redirect_port(), Some(port), "{value}");
            }
            for value in ["0", "65536", "-1", "https", "443/tcp"] {
                let error =
                    from(&[tls[0], tls[1], redirect, ("TLS_REDIRECT_PORT", value)]).unwrap_err();
                assert_eq!(error.variable(), "TLS_REDIRECT_PORT", "{value}");
                assert!(error.to_string().contains("1 to 65535"), "{error}");
            }
            let error = with(("TLS_REDIRECT_PORT", "443")).unwrap_err();
            assert_eq!(error.variable(), "TLS_REDIRECT_PORT");
            assert!(
                error.to_string().contains("TLS_REDIRECT_ADDR set too"),
                "{error}"
            );
            let built = Settings::builder()
                .tls("cert.pem", "key.pem")
                .tls_redirect_addr("0.0.0.0:80".parse().unwrap())
                .tls_redirect_port(0)
                .build();
            assert_eq!(built.unwrap_err().variable(), "TLS_REDIRECT_PORT");
        }
        assert_eq!(Settings::default().tls_hsts(), None);
        assert_eq!(Settings::default().tls_redirect_addr(), None);
        assert_eq!(Settings::default().tls_redirect_port(), None);
        let error = from(&[("TLS_HSTS", "max-age=60")]).unwrap_err();
        assert_eq!(error.variable(), "TLS_HSTS");
        assert!(error.to_string().contains("over HTTPS only"), "{error}");
        let error = from(&[("TLS_REDIRECT_ADDR", "127.0.0.1:8080")]).unwrap_err();
        assert_eq!(error.variable(), "TLS_REDIRECT_ADDR");
        assert!(
            error.to_string().contains("TLS_CERT and TLS_KEY set too"),
            "{error}"
        );
    }

    #[test]
    fn tls_needs_both_files_a_valid_handshake_timeout_and_the_feature() {
        let error = from(&[("TLS_CERT", "cert.pem")]).unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"TLS_CERT="cert.pem" is not valid: expected TLS_KEY set too, to the certificate's private key: HTTPS needs both"#
        );
        let error = from(&[("TLS_KEY", "key.pem")]).unwrap_err();
        assert_eq!(error.variable(), "TLS_KEY");
        let error = from(&[("TLS_HANDSHAKE_TIMEOUT", "0")]).unwrap_err();
        assert_eq!(error.variable(), "TLS_HANDSHAKE_TIMEOUT");
        assert_eq!(
            from(&[("TLS_HANDSHAKE_TIMEOUT", "3")])
                .unwrap()
                .tls_handshake_timeout(),
            Duration::from_secs(3)
        );
        let both = from(&[("TLS_CERT", "cert.pem"), ("TLS_KEY", "key.pem")]);
        if cfg!(feature = "tls") {
            let settings = both.unwrap();
            assert_eq!(
                settings.tls(),
                Some((Path::new("cert.pem"), Path::new("key.pem")))
            );
        } else {
            let error = both.unwrap_err();
            assert_eq!(error.variable(), "TLS_CERT");
            assert!(error.to_string().contains("no `tls` feature"), "{error}");
        }
    }

    fn from(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        Settings::from_lookup(|name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    #[test]
    fn defaults() {
        let settings = from(&[]).unwrap();
        assert_eq!(settings, Settings::default());
        assert!(settings.version_header());
        assert_eq!(settings.mismatch(), MismatchAction::Reload);
        assert!(settings.version_endpoint());
        assert!(settings.dev_version_query());
        assert!(settings.secret_key().is_none());
        assert!(!settings.dev_mode_is_set());
        assert!(!settings.routing().is_enabled());
        assert_eq!(settings.script_delivery(), ScriptDelivery::Inline);
        assert_eq!(settings.version_path(), "/version");
        assert_eq!(settings.bust_path(), "/cache/bust");
    }

    #[test]
    fn every_variable() {
        let settings = from(&[
            ("APP_VERSION", "v1.2.3+build.5"),
            ("APP_VERSION_HEADER", "off"),
            ("APP_VERSION_MISMATCH", "Prompt"),
            ("VERSION_ENDPOINT", "0"),
            ("STATIC_DEV_VERSION_QUERY", "no"),
            ("STATIC_DEV_MODE", "on"),
            ("SECRET_KEY", "s3cret"),
            ("APP_COMMIT", "abc123"),
            ("STALE_CLIENT_SCRIPT", "External"),
            ("STATIC_DEV_DIR", "/srv/checkout/static"),
            ("VERSION_MAP", " v1.0=backend-blue , v1.1=backend-green,"),
            ("DEFAULT_VERSION", "v1.0"),
            ("CANARY", "v1.1:10"),
        ])
        .unwrap();
        assert_eq!(settings.script_delivery(), ScriptDelivery::External);
        assert_eq!(settings.dev_dir(), Some(Path::new("/srv/checkout/static")));
        assert!(settings.dev_mode_is_set());
        let routing = settings.routing();
        assert!(routing.is_enabled());
        assert_eq!(
            routing.versions(),
            [
                ("v1.0".to_owned(), "backend-blue".to_owned()),
                ("v1.1".to_owned(), "backend-green".to_owned())
            ]
        );
        assert_eq!(routing.default_version(), Some("v1.0"));
        assert_eq!(routing.canary(), Some(("v1.1", 10)));
        assert_eq!(settings.app_version(), Some("v1.2.3+build.5"));
        assert!(!settings.version_header());
        assert_eq!(settings.mismatch(), MismatchAction::Prompt);
        assert!(!settings.version_endpoint());
        assert!(!settings.dev_version_query());
        assert!(settings.dev_mode());
        assert_eq!(settings.secret_key().unwrap().expose(), "s3cret");
        assert_eq!(settings.commit(), Some("abc123"));
        assert_eq!(
            format!("{:?}", settings.secret_key().unwrap()),
            "SecretKey(redacted)"
        );
    }

    #[test]
    fn empty_means_unset() {
        let settings = from(&[("APP_VERSION", ""), ("SECRET_KEY", "")]).unwrap();
        assert!(settings.app_version().is_none());
        assert!(settings.secret_key().is_none());
    }

    #[test]
    fn invalid_values_name_the_variable_and_the_valid_values() {
        let cases: &[(&str, &str, &str)] = &[
            ("APP_VERSION_HEADER", "maybe", BOOL),
            ("VERSION_ENDPOINT", "2", BOOL),
            ("STATIC_DEV_VERSION_QUERY", "yes please", BOOL),
            (
                "APP_VERSION_MISMATCH",
                "explode",
                "one of reload, warn, ignore, prompt",
            ),
            ("APP_VERSION", "has space", VERSION_TEXT),
            ("STALE_CLIENT_SCRIPT", "inlined", "one of inline, external"),
            ("VERSION_MAP", "v1.0:backend-blue", VERSION_MAP_SYNTAX),
            ("VERSION_MAP", "v1.0=", VERSION_MAP_SYNTAX),
            ("VERSION_MAP", ",", VERSION_MAP_SYNTAX),
            ("CANARY", "v1.1", CANARY_SYNTAX),
            ("CANARY", "v1.1:101", CANARY_SYNTAX),
            ("CANARY", ":10", CANARY_SYNTAX),
            ("APP_VERSION", "tab\there", VERSION_TEXT),
            ("APP_VERSION", "ünïcode", VERSION_TEXT),
        ];
        for &(variable, value, expected) in cases {
            let error = from(&[(variable, value)]).unwrap_err();
            assert_eq!(error.variable(), variable);
            let message = error.to_string();
            assert_eq!(format!("{error:?}"), message, "Debug reads like Display");
            assert!(message.starts_with(variable), "{message}");
            assert!(message.contains(expected), "{message}");
        }
        let long = "v".repeat(257);
        assert!(from(&[("APP_VERSION", &long)]).is_err());
        assert!(from(&[("APP_VERSION", &long[..256])]).is_ok());
    }

    #[test]
    fn builder_checks_paths() {
        assert!(Settings::builder().version_path("version").build().is_err());
        assert!(Settings::builder().bust_path("/ops/bust").build().is_ok());
    }
}
