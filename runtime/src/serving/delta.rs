//! Which delta a request can take (RFC 9842): the dictionary it names and the delta
//! codings it accepts, or none.

use super::accept_encoding::Accepted;
use http::header::{HeaderMap, HeaderName, HeaderValue, RANGE};
use hyper_assets_pipeline::DeltaEncoding;

/// `Available-Dictionary`: the SHA-256 of the dictionary the browser holds for this URL.
pub(crate) const AVAILABLE_DICTIONARY: HeaderName = HeaderName::from_static("available-dictionary");
/// `Use-As-Dictionary`: offers a response as the dictionary of the URLs it matches.
pub(crate) const USE_AS_DICTIONARY: HeaderName = HeaderName::from_static("use-as-dictionary");
const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");
/// The `Vary` of a URL that can carry a delta: a cache keeps one answer per dictionary.
pub(crate) const DELTA_VARY: HeaderValue =
    HeaderValue::from_static("Accept-Encoding, Available-Dictionary");

/// A request that can take a delta: the dictionary it holds and the codings it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DeltaRequest {
    pub(crate) dictionary: hyper_assets_pipeline::ContentHash,
    pub(crate) dcb: bool,
    pub(crate) dcz: bool,
}

impl DeltaRequest {
    /// The codings it accepts, each with its slot: 0 for `dcb`, 1 for `dcz`.
    pub(crate) fn codings(&self) -> impl Iterator<Item = (usize, DeltaEncoding)> {
        [
            (DeltaEncoding::Dcb, self.dcb),
            (DeltaEncoding::Dcz, self.dcz),
        ]
        .into_iter()
        .enumerate()
        .filter_map(|(slot, (encoding, wanted))| wanted.then_some((slot, encoding)))
    }
}

/// The delta a request can take, or `None`, which gets today's answer:
/// - no `Available-Dictionary`, several, or one that is not exactly one 32-byte
///   structured-field Byte Sequence (garbage never errors: it is no dictionary);
/// - neither `dcb` nor `dcz` accepted with q > 0;
/// - a `Range` request (ranges apply to the identity bytes);
/// - a cross-origin request (`Sec-Fetch-Site: cross-site` or `same-site`): RFC 9842,
///   section 9.3.3, allows one only in cors mode with an `Access-Control-Allow-Origin`
///   that matches, and these answers carry none, so deltas are same-origin only.
pub(crate) fn requested(headers: &HeaderMap) -> Option<DeltaRequest> {
    negotiate(headers).0
}

/// [`requested`], with the `Accept-Encoding` q-values when it had to read them, so the
/// answer does not parse the field a second time.
pub(crate) fn negotiate(headers: &HeaderMap) -> (Option<DeltaRequest>, Option<Accepted>) {
    let mut values = headers.get_all(AVAILABLE_DICTIONARY).iter();
    let Some(value) = values.next() else {
        return (None, None);
    };
    if values.next().is_some() || headers.contains_key(RANGE) {
        return (None, None);
    }
    let Some(dictionary) = hyper_assets_pipeline::parse_available_dictionary(value.as_bytes())
    else {
        return (None, None);
    };
    if let Some(site) = headers.get(SEC_FETCH_SITE) {
        let site = site.as_bytes();
        if site.eq_ignore_ascii_case(b"cross-site") || site.eq_ignore_ascii_case(b"same-site") {
            return (None, None);
        }
    }
    let Some(accepted) = Accepted::of(headers) else {
        return (None, None);
    };
    let (dcb, dcz) = accepted.deltas();
    let request = (dcb || dcz).then_some(DeltaRequest {
        dictionary,
        dcb,
        dcz,
    });
    (request, Some(accepted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper_assets_pipeline::{dictionary_base64, ContentHash};

    fn request(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        headers
    }

    #[test]
    fn what_takes_a_delta() {
        let hash = ContentHash::of(b"v1");
        let named = format!(":{}:", dictionary_base64(&hash));
        let all = "gzip, deflate, br, zstd, dcb, dcz";
        let ok = request(&[("accept-encoding", all), ("available-dictionary", &named)]);
        assert_eq!(
            requested(&ok),
            Some(DeltaRequest {
                dictionary: hash,
                dcb: true,
                dcz: true
            })
        );
        let same_origin = request(&[
            ("accept-encoding", "dcz"),
            ("available-dictionary", &named),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert!(requested(&same_origin).is_some_and(|r| r.dcz && !r.dcb));
        let huge = "x".repeat(10_000);
        for refused in [
            request(&[
                ("accept-encoding", "gzip, br"),
                ("available-dictionary", &named),
            ]),
            request(&[
                ("accept-encoding", "dcb;q=0, dcz;q=0"),
                ("available-dictionary", &named),
            ]),
            request(&[("accept-encoding", all)]),
            request(&[
                ("accept-encoding", all),
                ("available-dictionary", "garbage"),
            ]),
            request(&[("accept-encoding", all), ("available-dictionary", &huge)]),
            request(&[
                ("accept-encoding", all),
                ("available-dictionary", &named),
                ("available-dictionary", &named),
            ]),
            request(&[
                ("accept-encoding", all),
                ("available-dictionary", &named),
                ("range", "bytes=0-10"),
            ]),
            request(&[
                ("accept-encoding", all),
                ("available-dictionary", &named),
                ("sec-fetch-site", "cross-site"),
            ]),
            request(&[
                ("accept-encoding", all),
                ("available-dictionary", &named),
                ("sec-fetch-site", "same-site"),
            ]),
        ] {
            assert_eq!(requested(&refused), None, "{refused:?}");
        }
    }
}
