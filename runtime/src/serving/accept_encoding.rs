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

/// The q-values (thousandths) an `Accept-Encoding` gives the codings we can send; a
/// coding it does not name is `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Accepted {
    brotli: Option<u16>,
    gzip: Option<u16>,
    identity: Option<u16>,
    star: Option<u16>,
    dcb: Option<u16>,
    dcz: Option<u16>,
}

impl Accepted {
    /// The request's `Accept-Encoding` fields, or `None` when it has none.
    pub(crate) fn of(headers: &HeaderMap) -> Option<Self> {
        let mut values = headers.get_all(ACCEPT_ENCODING).iter().peekable();
        values.peek()?;
        let mut accepted = Self::default();
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
                    &mut accepted.brotli
                } else if is("gzip") || is("x-gzip") {
                    &mut accepted.gzip
                } else if is("identity") {
                    &mut accepted.identity
                } else if coding == "*" {
                    &mut accepted.star
                } else if is("dcb") {
                    &mut accepted.dcb
                } else if is("dcz") {
                    &mut accepted.dcz
                } else {
                    continue;
                };
                *slot = Some(slot.map_or(q, |old: u16| old.max(q)));
            }
        }
        Some(accepted)
    }

    /// Whether `dcb` and `dcz` are accepted (q > 0). Only when named: RFC 9842 has the
    /// browser advertise them, so `*` does not stand for them.
    pub(crate) fn deltas(&self) -> (bool, bool) {
        (self.dcb.unwrap_or(0) > 0, self.dcz.unwrap_or(0) > 0)
    }
}

/// The best coding the client accepts among those available: highest q-value, ties going
/// to brotli, then gzip, then identity. Identity is the answer when nothing else is
/// acceptable (even with `identity;q=0`: a server may always send it).
pub(crate) fn choose(headers: &HeaderMap, has_brotli: bool, has_gzip: bool) -> Coding {
    if !has_brotli && !has_gzip {
        return Coding::Identity;
    }
    match Accepted::of(headers) {
        Some(accepted) => accepted.choose(has_brotli, has_gzip),
        None => Coding::Identity,
    }
}

impl Accepted {
    /// [`choose`] over these q-values.
    pub(crate) fn choose(&self, has_brotli: bool, has_gzip: bool) -> Coding {
        let brotli_q = if has_brotli {
            self.brotli.or(self.star).unwrap_or(0)
        } else {
            0
        };
        let gzip_q = if has_gzip {
            self.gzip.or(self.star).unwrap_or(0)
        } else {
            0
        };
        let identity_q = self.identity.or(self.star).unwrap_or(1);
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

    #[test]
    fn delta_codings_are_accepted_only_when_named() {
        let deltas = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap());
            Accepted::of(&headers).unwrap().deltas()
        };
        assert_eq!(deltas("gzip, deflate, br, zstd, dcb, dcz"), (true, true));
        assert_eq!(deltas("dcb;q=0, dcz;q=0.5"), (false, true));
        assert_eq!(deltas("*"), (false, false));
        assert_eq!(deltas("DCZ"), (false, true));
        assert_eq!(deltas("dcz;q=bogus"), (false, false));
    }
}
