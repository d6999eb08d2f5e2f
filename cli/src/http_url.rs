//! `http://host[:port]/path` URLs: the only kind the checker speaks. TLS is out of scope,
//! so an `https://` URL is refused with the way round it (check the plain-HTTP origin or
//! the proxy's plain listener).

use std::fmt;

/// Where requests go: a host and port, and the `Host` header that names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The host to connect to, without the brackets of an IPv6 literal.
    host: String,
    port: u16,
    /// `host[:port]` as the URL spelled it: the `Host` header.
    authority: String,
}

impl Origin {
    /// The host to connect to (an IPv6 literal without its brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The TCP port (80 when the URL names none).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `host[:port]` as the URL spelled it, sent as the `Host` header.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// The full URL of `path` (which starts with `/`) on this origin, for reports.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.authority)
    }

    /// Whether `authority` (as written in a link: `host[:port]`) names this origin.
    pub fn is_same(&self, authority: &str) -> bool {
        parse_authority(authority).is_ok_and(|other| {
            other.host.eq_ignore_ascii_case(&self.host) && other.port == self.port
        })
    }
}

/// An `http://` URL split into its origin and its path (with any query).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl {
    origin: Origin,
    path: String,
}

impl HttpUrl {
    /// Parses `http://host[:port][/path]`.
    ///
    /// ```
    /// use hyper_assets_cli::http_url::HttpUrl;
    ///
    /// let url = HttpUrl::parse("http://127.0.0.1:8080/about?x=1").unwrap();
    /// assert_eq!(url.origin().authority(), "127.0.0.1:8080");
    /// assert_eq!(url.path(), "/about?x=1");
    /// assert!(HttpUrl::parse("https://example.com/").is_err());
    /// ```
    ///
    /// # Errors
    /// Another scheme (`https://` among them), no host, a bad port, or user info.
    pub fn parse(text: &str) -> Result<Self, UrlError> {
        let url = || text.to_owned();
        let Some((scheme, rest)) = text.split_once("://") else {
            return Err(UrlError::NotHttp { url: url() });
        };
        if scheme.eq_ignore_ascii_case("https") {
            return Err(UrlError::Https { url: url() });
        }
        if !scheme.eq_ignore_ascii_case("http") {
            return Err(UrlError::NotHttp { url: url() });
        }
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(end);
        // A fragment never reaches the server.
        let path = path.split('#').next().unwrap_or_default();
        let path = match path {
            "" => "/".to_owned(),
            query if query.starts_with('?') => format!("/{query}"),
            path => path.to_owned(),
        };
        let origin = parse_authority(authority)
            .map_err(|reason| UrlError::Authority { url: url(), reason })?;
        Ok(Self { origin, path })
    }

    /// Where the URL's requests go.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The path and query, starting with `/`.
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.origin.url(&self.path))
    }
}

fn parse_authority(authority: &str) -> Result<Origin, &'static str> {
    if authority.contains('@') {
        return Err("user info (`user@`) is not supported");
    }
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or("an IPv6 host lacks its `]`")?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err("the URL has no host");
    }
    let port = match port {
        None => 80,
        Some(port) => port
            .parse::<u16>()
            .ok()
            .filter(|&port| port != 0)
            .ok_or("the port is not a number from 1 to 65535")?,
    };
    Ok(Origin {
        host: host.to_owned(),
        port,
        authority: authority.to_owned(),
    })
}

/// A URL the checker cannot use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    /// `https://`: TLS is out of scope.
    Https {
        /// The URL as given.
        url: String,
    },
    /// Not an `http://` URL at all.
    NotHttp {
        /// The URL as given.
        url: String,
    },
    /// The host or port cannot be used.
    Authority {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Https { url } => write!(
                f,
                "{url:?} is an https:// URL, and the check speaks plain HTTP only (TLS is out \
                 of scope): run it against the plain-HTTP origin or the proxy's plain-HTTP \
                 listener, e.g. http://127.0.0.1:8080/"
            ),
            Self::NotHttp { url } => write!(
                f,
                "{url:?} is not an http:// URL; give a page of the deployment as \
                 http://host[:port]/path"
            ),
            Self::Authority { url, reason } => write!(f, "{url:?}: {reason}"),
        }
    }
}

impl std::error::Error for UrlError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_and_path() {
        let url = HttpUrl::parse("http://localhost:3000/a/b?c#d").unwrap();
        assert_eq!(url.origin().host(), "localhost");
        assert_eq!(url.origin().port(), 3000);
        assert_eq!(url.path(), "/a/b?c");
        assert_eq!(url.to_string(), "http://localhost:3000/a/b?c");
    }

    #[test]
    fn defaults_to_port_80_and_root() {
        let url = HttpUrl::parse("HTTP://example.test").unwrap();
        assert_eq!(url.origin().port(), 80);
        assert_eq!(url.origin().authority(), "example.test");
        assert_eq!(url.path(), "/");
        assert_eq!(HttpUrl::parse("http://h?q").unwrap().path(), "/?q");
    }

    #[test]
    fn ipv6_literal() {
        let url = HttpUrl::parse("http://[::1]:8080/").unwrap();
        assert_eq!(url.origin().host(), "::1");
        assert_eq!(url.origin().port(), 8080);
        assert_eq!(url.origin().authority(), "[::1]:8080");
    }

    #[test]
    fn https_names_the_way_round() {
        let error = HttpUrl::parse("https://example.com/").unwrap_err();
        assert!(matches!(error, UrlError::Https { .. }));
        assert!(error.to_string().contains("plain-HTTP origin"), "{error}");
    }

    #[test]
    fn refuses_what_it_cannot_use() {
        for bad in [
            "example.com/",
            "ftp://example.com/",
            "http:///path",
            "http://h:0/",
            "http://h:99999/",
            "http://h:x/",
            "http://user@h/",
            "http://[::1/",
        ] {
            assert!(HttpUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn same_origin_by_host_and_port() {
        let url = HttpUrl::parse("http://Example.test/").unwrap();
        assert!(url.origin().is_same("example.test:80"));
        assert!(url.origin().is_same("example.test"));
        assert!(!url.origin().is_same("example.test:8080"));
        assert!(!url.origin().is_same("cdn.example.test"));
    }
}
