//! `Accept-Encoding` negotiation (RFC 9110, section 12.5.3) among the precompressed
//! variants of an asset.

use http::header::{HeaderMap, ACCEPT_ENCODING};

/// The representation to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Coding {
    Identity,
    Brotli,
    Gzip,
}

/// The best coding the client accepts among those available: highest q-value, ties going
/// to brotli, then gzip, then identity. Identity is the answer when nothing else is
/// acceptable (even with `identity;q=0`: a server may always send it).
pub(crate) fn choose(headers: &HeaderMap, has_brotli: bool, has_gzip: bool) -> Coding {
    if !has_brotli && !has_gzip {
        return Coding::Identity;
    }
    let mut values = headers.get_all(ACCEPT_ENCODING).iter().peekable();
    if values.peek().is_none() {
        return Coding::Identity;
    }
    let (mut brotli, mut gzip, mut identity, mut star): (
        Option<u16>,
        Option<u16>,
        Option<u16>,
        Option<u16>,
    ) = (None, None, None, None);
    for value in values {
        let Ok(text) = value.to_str() else { continue };
        for item in text.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim();
            let mut q = Some(1000);
            for parameter in parts {
                if let Some((name, value)) = parameter.split_once('=') {
                    if name.trim().eq_ignore_ascii_case("q") {
                        q = parse_q(value.trim());
                    }
                }
            }
            let Some(q) = q else { continue };
            let is = |name: &str| coding.eq_ignore_ascii_case(name);
            let slot = if is("br") {
                &mut brotli
            } else if is("gzip") || is("x-gzip") {
                &mut gzip
            } else if is("identity") {
                &mut identity
            } else if coding == "*" {
                &mut star
            } else {
                continue;
            };
            *slot = Some(slot.map_or(q, |old: u16| old.max(q)));
        }
    }
    let brotli_q = if has_brotli {
        brotli.or(star).unwrap_or(0)
    } else {
        0
    };
    let gzip_q = if has_gzip {
        gzip.or(star).unwrap_or(0)
    } else {
        0
    };
    let identity_q = identity.or(star).unwrap_or(1);
    let best = brotli_q.max(gzip_q).max(identity_q);
    if best == 0 {
        Coding::Identity
    } else if brotli_q == best {
        Coding::Brotli
    } else if gzip_q == best {
        Coding::Gzip
    } else {
        Coding::Identity
    }
}

/// A q-value as thousandths; `None` when malformed (the item is then ignored).
fn parse_q(text: &str) -> Option<u16> {
    let value: f32 = text.parse().ok()?;
    (0.0..=1.0)
        .contains(&value)
        .then(|| (value * 1000.0).round() as u16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn pick(value: Option<&str>, br: bool, gzip: bool) -> Coding {
        let mut headers = HeaderMap::new();
        if let Some(value) = value {
            headers.insert(ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap());
        }
        choose(&headers, br, gzip)
    }

    #[test]
    fn preferences() {
        assert_eq!(pick(None, true, true), Coding::Identity);
        assert_eq!(
            pick(Some("gzip, deflate, br, zstd"), true, true),
            Coding::Brotli
        );
        assert_eq!(pick(Some("gzip, deflate, br"), false, true), Coding::Gzip);
        assert_eq!(pick(Some("br;q=1, gzip;q=0.5"), true, true), Coding::Brotli);
        assert_eq!(pick(Some("br;q=0.4, gzip;q=0.5"), true, true), Coding::Gzip);
        assert_eq!(pick(Some("br;q=0, gzip;q=0"), true, true), Coding::Identity);
        assert_eq!(
            pick(Some("identity;q=0, gzip;q=0.1"), true, true),
            Coding::Gzip
        );
        assert_eq!(pick(Some("*"), true, true), Coding::Brotli);
        assert_eq!(
            pick(Some("*;q=0.5, identity"), true, true),
            Coding::Identity
        );
        assert_eq!(pick(Some("deflate"), true, true), Coding::Identity);
        assert_eq!(pick(Some("br;q=bogus, gzip"), true, true), Coding::Gzip);
        assert_eq!(pick(Some("BR"), true, false), Coding::Brotli);
        assert_eq!(pick(Some("br"), false, false), Coding::Identity);
    }
}
