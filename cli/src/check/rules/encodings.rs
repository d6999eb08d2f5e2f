//! `encodings`: each content encoding of a file has its own `ETag`, and every answer
//! says `Vary: Accept-Encoding`. Otherwise a cache can hand gzip bytes to a client that
//! asked for none, or a conditional request can validate the wrong bytes.

use crate::check::deployment::Deployment;
use crate::check::findings::Findings;
use crate::check::report::Outcome;
use crate::http_client::Response;

const FIX_ETAG: &str = "give each Content-Encoding of a file its own ETag (a cache or a \
    conditional request would otherwise mix the encoded and the plain bytes).";
const FIX_VARY: &str = "send \"Vary: Accept-Encoding\" on every answer for a file served \
    in more than one encoding, the plain one included (nginx: `gzip_vary on`).";
const FIX_ANSWER: &str = "answer a hashed file with 200 whatever Accept-Encoding asks (an \
    encoding the server does not have falls back to the plain bytes).";

/// The `Accept-Encoding` values asked, `None` for no header.
const ASKED: [Option<&str>; 3] = [Some("br"), Some("gzip"), None];

pub(crate) async fn check(deployment: &Deployment<'_>) -> Outcome {
    let (asset, _) = match deployment.compressible_asset() {
        Ok(found) => found,
        Err(outcome) => return outcome,
    };
    let mut findings = Findings::default();
    let mut answers: Vec<(&str, Response)> = Vec::new();
    for accept in ASKED {
        let headers: Vec<(&str, &str)> =
            accept.map(|a| ("Accept-Encoding", a)).into_iter().collect();
        let asked = accept.unwrap_or("none");
        match deployment.client.get(&asset.path, &headers).await {
            Ok(response) if response.status() == 200 => answers.push((asked, response)),
            Ok(response) => {
                let seen = format!(
                    "{} with Accept-Encoding: {asked} answered {}",
                    response.url(),
                    response.status()
                );
                findings.add(seen, FIX_ANSWER);
            }
            Err(error) => findings.add(error.to_string(), FIX_ANSWER),
        }
    }
    let url = deployment.client.origin().url(&asset.path);
    let encoded = answers
        .iter()
        .any(|(_, response)| response.content_encoding() != "identity");
    for (index, (asked, response)) in answers.iter().enumerate() {
        for (other_asked, other) in &answers[index + 1..] {
            let etag = response.header("ETag");
            if response.content_encoding() != other.content_encoding()
                && etag.is_some()
                && etag == other.header("ETag")
            {
                let seen = format!(
                    "{url} has {} for Content-Encoding {} (Accept-Encoding: {asked}) and {} \
                     (Accept-Encoding: {other_asked}) alike",
                    response.shown("ETag"),
                    response.content_encoding(),
                    other.content_encoding(),
                );
                findings.add(seen, FIX_ETAG);
            }
        }
        if encoded && !varies_by_encoding(response) {
            let seen = format!(
                "{url} with Accept-Encoding: {asked} answered Content-Encoding {} with {}",
                response.content_encoding(),
                response.shown("Vary")
            );
            findings.add(seen, FIX_VARY);
        }
    }
    let served: Vec<String> = answers
        .iter()
        .map(|(asked, response)| format!("{asked} -> {}", response.content_encoding()))
        .collect();
    let tagged = answers
        .iter()
        .all(|(_, response)| response.header("ETag").is_some());
    findings.outcome(|| {
        if encoded {
            let etags = if tagged {
                "each encoding with its own ETag"
            } else {
                "no ETag shared between encodings"
            };
            format!(
                "{url}: {}, {etags}, every answer with Vary: Accept-Encoding",
                served.join(", ")
            )
        } else {
            format!(
                "{url}: {} (note: no compressed encoding is served, so nothing can be mixed)",
                served.join(", ")
            )
        }
    })
}

fn varies_by_encoding(response: &Response) -> bool {
    response.header("Vary").is_some_and(|vary| {
        vary.split(',').any(|field| {
            let field = field.trim();
            field == "*" || field.eq_ignore_ascii_case("accept-encoding")
        })
    })
}
