//! `dictionary`: compression dictionaries (RFC 9842). A hashed script or stylesheet
//! offers itself as the dictionary of its later versions (`Use-As-Dictionary` whose
//! `match` is its own URL with the hash as `*`, with the right `match-dest`); a
//! dictionary no release has gets the usual answer; and with `--releases DIR`, a
//! request naming an earlier release's version of the file gets a delta (`dcb` or `dcz`)
//! that decodes against that version to exactly the file, where collect would have made
//! one.

use crate::check::cache_control::CacheControl;
use crate::check::deployment::{Asset, Deployment};
use crate::check::findings::Findings;
use crate::check::releases::read_releases;
use crate::check::report::{counted, Outcome};
use crate::http_client::Response;
use hyper_assets_pipeline::{
    compress, decode_delta, dictionary_base64, make_deltas, percent_encode_path, split_hashed_name,
    CompressionCache, CompressionSettings, ContentHash, DeltaEncoding, DeltaJob, Encoding, Release,
};
use std::path::Path;

const FIX_OFFER: &str = "send Use-As-Dictionary with every hashed script and stylesheet: \
    match=\"<its URL with the hash as *>\", and match-dest=(\"script\") or (\"style\") \
    (hyper-assets does; nginx: the location nginx-config --static-root prints), so a \
    returning browser offers it for the next version.";
const FIX_UNKNOWN: &str = "answer a dictionary you hold no delta from with the usual \
    encodings, never dcb or dcz: the browser cannot decode a delta made against another \
    dictionary.";
const FIX_DELTA: &str = "serve the delta collect made from an earlier release's version \
    (Content-Encoding dcb or dcz), and only one that decodes against that version to \
    exactly the file (nginx: the location nginx-config --static-root prints, over the \
    folder collect wrote).";
const FIX_VARY: &str = "send Vary: Accept-Encoding, Available-Dictionary on every answer \
    of a URL that can carry a delta, and the immutable Cache-Control on the delta, so no \
    cache hands one client's delta to another.";
const FIX_FILE: &str = "point --releases at the folder collect writes to, which keeps \
    releases.json.";

/// Every delta coding, then the usual ones, as a browser that holds a dictionary asks.
const ACCEPT_DELTAS: &str = "gzip, deflate, br, dcb, dcz";

pub(crate) async fn check(deployment: &Deployment<'_>) -> Outcome {
    let served = match deployment.served_assets() {
        Ok(served) => served,
        Err(outcome) => return outcome,
    };
    let offered: Vec<(&Asset, &Response)> = served
        .into_iter()
        .filter(|(asset, _)| destination(&asset.path).is_some())
        .collect();
    let Some(&(first, _)) = offered.first() else {
        return deployment.not_checked("no hashed script or stylesheet URL of it answered 200");
    };
    let mut findings = Findings::default();
    for (asset, response) in &offered {
        offers_itself(deployment, asset, response, &mut findings);
    }
    let unknown = unknown_dictionary(deployment, first, &mut findings).await;
    let mut deltas = Vec::new();
    let releases = match deployment.options.releases() {
        None => None,
        Some(dir) => match read_releases(dir) {
            Ok(releases) => Some(releases),
            Err(error) => {
                findings.add(error, FIX_FILE);
                None
            }
        },
    };
    if let Some(releases) = &releases {
        for (asset, response) in &offered {
            for (old, release) in earlier_versions(deployment, asset, releases) {
                let pair = Pair {
                    asset,
                    current: response,
                    old: &old,
                    release: &release.version,
                };
                if let Some(delta) = pair.check(deployment, &mut findings).await {
                    deltas.push(delta);
                }
            }
        }
    }
    findings.outcome(|| {
        let mut seen = format!(
            "{} offer themselves as dictionaries (first: {} with Use-As-Dictionary: {}); \
             a dictionary no release has gets {unknown}",
            counted(offered.len(), "hashed script and stylesheet URL"),
            first.path,
            offered
                .first()
                .and_then(|(_, response)| response.header("Use-As-Dictionary"))
                .unwrap_or_default()
        );
        match (&releases, deltas.as_slice()) {
            (None, _) => seen.push_str(" (give --releases DIR to ask for deltas too)"),
            (Some(_), []) => seen.push_str(
                "; no earlier release's version of them is one collect would make a delta from",
            ),
            (Some(_), deltas) => {
                let shown: Vec<&str> = deltas.iter().take(3).map(String::as_str).collect();
                seen.push_str(&format!(
                    "; {} from earlier releases' versions, each decoding to the file: {}",
                    counted(deltas.len(), "delta"),
                    shown.join(", ")
                ));
            }
        }
        seen
    })
}

/// `script` or `style`: what a hashed URL's `match-dest` must be; `None` for a file
/// that is neither.
fn destination(path: &str) -> Option<&'static str> {
    let path = path.split('?').next().unwrap_or_default();
    match Path::new(path).extension().and_then(|e| e.to_str()) {
        Some("js" | "mjs") => Some("script"),
        Some("css") => Some("style"),
        _ => None,
    }
}

/// Checks the `Use-As-Dictionary` of a plain answer.
fn offers_itself(
    deployment: &Deployment<'_>,
    asset: &Asset,
    response: &Response,
    findings: &mut Findings,
) {
    let url = response.url();
    let Some(value) = response.header("Use-As-Dictionary") else {
        findings.add(
            format!("{url} answered 200 with no Use-As-Dictionary header"),
            FIX_OFFER,
        );
        return;
    };
    let problem = match parse_offer(&value) {
        Err(problem) => Some(problem),
        Ok(offer) => offer_problem(deployment, asset, &offer),
    };
    if let Some(problem) = problem {
        findings.add(
            format!("{url} answered with Use-As-Dictionary: {value}: {problem}"),
            FIX_OFFER,
        );
    }
}

/// What is wrong with `offer` for `asset`, if anything.
fn offer_problem(deployment: &Deployment<'_>, asset: &Asset, offer: &Offer) -> Option<String> {
    let path = asset.path.split('?').next().unwrap_or_default();
    let Some(pattern) = &offer.pattern else {
        return Some("it has no match".to_owned());
    };
    // A pattern may be absolute: on this origin, it is the same as its path.
    let origin = deployment.client.origin().url("");
    let relative = pattern.strip_prefix(origin.as_str()).unwrap_or(pattern);
    let Some(pieces) = pattern_pieces(relative) else {
        return Some(format!(
            "its match {pattern:?} is not a path with `*` wildcards (other URL-pattern \
             syntax is not expected)"
        ));
    };
    if Some(pieces) != own_shape(path) {
        return Some(format!(
            "its match {pattern:?} is not this URL with its hash as `*`"
        ));
    }
    let wanted = destination(path).unwrap_or_default();
    if offer.destinations.as_deref() != Some(&[wanted.to_owned()][..]) {
        return Some(format!("its match-dest is not (\"{wanted}\")"));
    }
    if offer.quoted_type {
        return Some("its type is a quoted string, which Chromium ignores".to_owned());
    }
    None
}

/// A request naming a dictionary no release has gets the usual answer; what it got.
async fn unknown_dictionary(
    deployment: &Deployment<'_>,
    asset: &Asset,
    findings: &mut Findings,
) -> String {
    let unknown = ContentHash::of(b"hyper-assets check: a dictionary no release has");
    let named = format!(":{}:", dictionary_base64(&unknown));
    let headers = [
        ("Accept-Encoding", ACCEPT_DELTAS),
        ("Available-Dictionary", named.as_str()),
    ];
    match deployment.client.get(&asset.path, &headers).await {
        Err(error) => {
            findings.add(error.to_string(), FIX_UNKNOWN);
            String::new()
        }
        Ok(response) => {
            let encoding = response.content_encoding();
            if response.status() != 200 || matches!(encoding.as_str(), "dcb" | "dcz") {
                findings.add(
                    format!(
                        "{} with an unknown Available-Dictionary answered {} with \
                         Content-Encoding {encoding}",
                        response.url(),
                        response.status()
                    ),
                    FIX_UNKNOWN,
                );
            }
            encoding
        }
    }
}

/// The hashed files of earlier releases with the asset's canonical path and another
/// hash, when the asset is the newest release's: each with its release.
fn earlier_versions<'r>(
    deployment: &Deployment<'_>,
    asset: &Asset,
    releases: &'r [Release],
) -> Vec<(String, &'r Release)> {
    let Some((newest, earlier)) = releases.split_first() else {
        return Vec::new();
    };
    let path = asset.path.split('?').next().unwrap_or_default();
    let url_of = |name: &str| format!("{}{}", deployment.prefix, percent_encode_path(name));
    let Some(current) = newest.files.iter().find(|name| url_of(name) == path) else {
        return Vec::new();
    };
    let Some((canonical, _)) = split_hashed_name(current) else {
        return Vec::new();
    };
    let mut found: Vec<(String, &Release)> = Vec::new();
    for release in earlier {
        for name in &release.files {
            let same = split_hashed_name(name).is_some_and(|(other, _)| other == canonical);
            if same && name != current && !found.iter().any(|(seen, _)| seen == name) {
                found.push((name.clone(), release));
            }
        }
    }
    found
}

/// A hashed file of the page and an earlier release's version of it.
struct Pair<'a> {
    asset: &'a Asset,
    /// Its plain (identity) answer.
    current: &'a Response,
    /// The earlier version's hashed name, relative to the prefix.
    old: &'a str,
    release: &'a str,
}

impl Pair<'_> {
    /// Asks for the delta from the earlier version and checks it; a description of the
    /// delta received, if one was.
    async fn check(&self, deployment: &Deployment<'_>, findings: &mut Findings) -> Option<String> {
        let client = &deployment.client;
        let old_path = format!("{}{}", deployment.prefix, percent_encode_path(self.old));
        let old = match client.get(&old_path, &[]).await {
            Ok(old) if old.status() == 200 && old.content_encoding() == "identity" => old,
            // Whether it is served at all is earlier-releases' to say.
            _ => return None,
        };
        let dictionary = ContentHash::of(old.body());
        let short = split_hashed_name(self.old).map(|(_, short)| short.to_owned());
        if short.as_deref() != Some(dictionary.short().as_str()) {
            return None; // not the bytes of its name: earlier-releases says so
        }
        let named = format!(":{}:", dictionary_base64(&dictionary));
        let headers = [
            ("Accept-Encoding", ACCEPT_DELTAS),
            ("Available-Dictionary", named.as_str()),
        ];
        let url = self.current.url();
        let asked = format!(
            "{url} with the Available-Dictionary of {} (release {})",
            old.url(),
            self.release
        );
        let response = match client.get(&self.asset.path, &headers).await {
            Ok(response) => response,
            Err(error) => {
                findings.add(error.to_string(), FIX_DELTA);
                return None;
            }
        };
        let encoding = match response.content_encoding().as_str() {
            "dcb" => DeltaEncoding::Dcb,
            "dcz" => DeltaEncoding::Dcz,
            other => {
                // The CLI's only task runs here: the encoding blocks nothing else.
                if let Some((delta, br)) = worth_a_delta(old.body(), self.current.body()) {
                    let compressed = other != "identity";
                    if compressed {
                        findings.add(
                            format!(
                                "{asked} answered {} with Content-Encoding {other}, not a \
                                 delta (collect makes one of {delta} bytes, against \
                                 {br} for br)",
                                response.status()
                            ),
                            FIX_DELTA,
                        );
                    }
                }
                return None;
            }
        };
        let token = encoding.token();
        let varies = varies_by_dictionary(&response);
        let cache_control = CacheControl::parse(response.header("Cache-Control").as_deref());
        if response.status() != 200 {
            findings.add(
                format!("{asked} answered {} with {token}", response.status()),
                FIX_DELTA,
            );
        } else if !varies || !cache_control.is_immutable_for_a_year() {
            findings.add(
                format!(
                    "{asked} answered {token} with {} and {}",
                    response.shown("Vary"),
                    response.shown("Cache-Control")
                ),
                FIX_VARY,
            );
        }
        let etag = response.header("ETag");
        if etag.is_none() || etag == self.current.header("ETag") {
            findings.add(
                format!(
                    "{asked} answered {token} with {}, not an ETag of its own",
                    response.shown("ETag")
                ),
                FIX_DELTA,
            );
        }
        // The usual answer of a URL that carries deltas varies by dictionary too.
        let usual = client
            .get(
                &self.asset.path,
                &[("Accept-Encoding", "gzip, deflate, br")],
            )
            .await;
        if let Ok(usual) = usual {
            if !varies_by_dictionary(&usual) {
                findings.add(
                    format!(
                        "{url} without a dictionary answered {} with {}, though it carries \
                         deltas",
                        usual.content_encoding(),
                        usual.shown("Vary")
                    ),
                    FIX_VARY,
                );
            }
        }
        let current = self.current.body();
        match decode_delta(old.body(), response.body(), encoding, current.len()) {
            Ok(decoded) if decoded == current => Some(format!(
                "{} ({token}, {} bytes)",
                self.asset.path,
                response.body().len()
            )),
            Ok(decoded) => {
                findings.add(
                    format!(
                        "{asked} answered {token} that decodes to {} bytes, not the {} of \
                         the file",
                        decoded.len(),
                        current.len()
                    ),
                    FIX_DELTA,
                );
                None
            }
            Err(reason) => {
                findings.add(
                    format!(
                        "{asked} answered a {token} of {} bytes that does not decode \
                         against it: {reason}",
                        response.body().len()
                    ),
                    FIX_DELTA,
                );
                None
            }
        }
    }
}

/// Whether `response` has `Vary: Available-Dictionary` (or `*`).
fn varies_by_dictionary(response: &Response) -> bool {
    response.header("Vary").is_some_and(|vary| {
        vary.split(',').any(|field| {
            let field = field.trim();
            field == "*" || field.eq_ignore_ascii_case("available-dictionary")
        })
    })
}

/// Whether collect (and the macro) make a delta from `old` to `current`: the file has a
/// `br` variant (1 KiB or more, smaller compressed) and a delta smaller than it. The
/// smallest delta's size and the `br` size when they do.
fn worth_a_delta(old: &[u8], current: &[u8]) -> Option<(usize, usize)> {
    let settings = CompressionSettings::default();
    if current.len() < settings.min_size {
        return None;
    }
    let brotli = compress(current, Encoding::Brotli, &settings);
    if brotli.len() >= current.len() {
        return None;
    }
    let hash = ContentHash::of(current);
    let job = DeltaJob {
        dictionary: old,
        target: current,
        target_hash: &hash,
        brotli_len: brotli.len(),
    };
    let made = make_deltas(&CompressionCache::new(None), &[job]);
    let smallest = made.first()?.iter().map(|delta| delta.bytes.len()).min()?;
    Some((smallest, brotli.len()))
}

/// What a `Use-As-Dictionary` value says.
#[derive(Debug, Default, PartialEq, Eq)]
struct Offer {
    /// `match`, unescaped.
    pattern: Option<String>,
    /// `match-dest`, each string unescaped.
    destinations: Option<Vec<String>>,
    /// `type` given as a quoted string.
    quoted_type: bool,
}

/// Parses a `Use-As-Dictionary` value: a structured-field Dictionary (RFC 8941) of
/// strings, inner lists of strings and tokens, which is all RFC 9842 puts in it.
fn parse_offer(value: &str) -> Result<Offer, String> {
    let mut offer = Offer::default();
    let mut rest = value.trim();
    while !rest.is_empty() {
        let key_end = rest
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || "_-.*".contains(c)))
            .unwrap_or(rest.len());
        let (key, after) = rest.split_at(key_end);
        if key.is_empty() {
            return Err("it is not a structured-field dictionary".to_owned());
        }
        let (item, after) = match after.strip_prefix('=') {
            None => (Item::Other, after),
            Some(value) => parse_item(value)?,
        };
        match (key, item) {
            ("match", Item::String(pattern)) => offer.pattern = Some(pattern),
            ("match", _) => return Err("its match is not a string".to_owned()),
            ("match-dest", Item::List(list)) => offer.destinations = Some(list),
            ("match-dest", _) => return Err("its match-dest is not a list".to_owned()),
            ("type", Item::String(_)) => offer.quoted_type = true,
            _ => {}
        }
        // Parameters of a member (`;name=value`) are allowed and ignored.
        let after = after.split_once(',').map_or("", |(_, next)| next);
        rest = after.trim_start();
    }
    Ok(offer)
}

/// A member's value: what RFC 9842 puts in a `Use-As-Dictionary`.
enum Item {
    String(String),
    List(Vec<String>),
    /// A token, a number or a boolean: not read.
    Other,
}

/// One item at the start of `text`, and what follows it.
fn parse_item(text: &str) -> Result<(Item, &str), String> {
    if let Some(inner) = text.strip_prefix('(') {
        let mut list = Vec::new();
        let mut rest = inner.trim_start();
        loop {
            if let Some(after) = rest.strip_prefix(')') {
                return Ok((Item::List(list), after));
            }
            let (string, after) = parse_string(rest)?;
            list.push(string);
            rest = after.trim_start();
        }
    }
    if text.starts_with('"') {
        let (string, after) = parse_string(text)?;
        return Ok((Item::String(string), after));
    }
    let end = text
        .find(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .unwrap_or(text.len());
    Ok((Item::Other, &text[end..]))
}

/// A structured-field string at the start of `text`, unescaped, and what follows it.
fn parse_string(text: &str) -> Result<(String, &str), String> {
    let mut chars = text
        .strip_prefix('"')
        .ok_or("a string does not start with a quote")?
        .char_indices();
    let mut out = String::new();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Ok((out, &text[at + 2..])),
            '\\' => match chars.next() {
                Some((_, escaped @ ('"' | '\\'))) => out.push(escaped),
                _ => return Err("a string has a bad escape".to_owned()),
            },
            c => out.push(c),
        }
    }
    Err("a string is not closed".to_owned())
}

/// A URL-pattern path as characters and `*` wildcards.
#[derive(Debug, PartialEq, Eq)]
enum Piece {
    Char(char),
    Any,
}

/// The pieces of a URL-pattern pathname made of text, `\`-escapes and `*`; `None` for
/// any other pattern syntax.
fn pattern_pieces(pattern: &str) -> Option<Vec<Piece>> {
    let mut pieces = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => pieces.push(Piece::Char(chars.next()?)),
            '*' => pieces.push(Piece::Any),
            ':' | '(' | ')' | '{' | '}' | '+' | '?' => return None,
            c => pieces.push(Piece::Char(c)),
        }
    }
    Some(pieces)
}

/// `path` with its content hash as the one wildcard.
fn own_shape(path: &str) -> Option<Vec<Piece>> {
    let (_, short) = split_hashed_name(path)?;
    let at = path.rfind(&format!(".{short}"))? + 1;
    let mut pieces: Vec<Piece> = path[..at].chars().map(Piece::Char).collect();
    pieces.push(Piece::Any);
    pieces.extend(path[at + short.len()..].chars().map(Piece::Char));
    Some(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offers_parse_as_structured_fields() {
        let offer =
            parse_offer(r#"match="/static/a\\(b\\).*.css", match-dest=("style"), id="x""#).unwrap();
        assert_eq!(offer.pattern.as_deref(), Some(r"/static/a\(b\).*.css"));
        assert_eq!(offer.destinations, Some(vec!["style".to_owned()]));
        assert!(!offer.quoted_type);
        assert!(
            parse_offer(r#"match="/a.*.js", type="raw""#)
                .unwrap()
                .quoted_type
        );
        assert!(
            !parse_offer(r#"match="/a.*.js", type=raw"#)
                .unwrap()
                .quoted_type
        );
        assert!(parse_offer(r#"match=/a.js"#).is_err());
        assert!(parse_offer(r#"match="/a.js"#).is_err());
    }

    #[test]
    fn the_match_is_the_url_with_its_hash_wildcarded() {
        let path = "/static/a(b).0123456789ab.css";
        let own = own_shape(path);
        assert!(own.is_some());
        assert_eq!(pattern_pieces(r"/static/a\(b\).*.css"), own);
        assert_ne!(pattern_pieces("/static/*"), own);
        assert_ne!(pattern_pieces("/static/a(b).*.css"), own);
        assert_eq!(pattern_pieces("/static/:name.css"), None);
        assert_eq!(destination("/s/app.0123456789ab.mjs?v=1"), Some("script"));
        assert_eq!(destination("/s/logo.0123456789ab.png"), None);
    }

    #[test]
    fn a_delta_is_expected_only_where_it_beats_brotli() {
        let old: String = (0..400)
            .map(|i| format!(".r{i} {{ margin: {i}px }}\n"))
            .collect();
        let new = old.replace(".r200 {", ".r200, .x {");
        let (delta, br) = worth_a_delta(old.as_bytes(), new.as_bytes()).unwrap();
        assert!(delta < br, "{delta} vs {br}");
        assert_eq!(worth_a_delta(old.as_bytes(), b"tiny"), None);
    }
}
