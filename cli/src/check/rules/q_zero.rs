//! `q=0`: an encoding the client refused (`gzip;q=0`) is never sent, since such a client
//! cannot decode it.

use crate::check::deployment::Deployment;
use crate::check::findings::Findings;
use crate::check::report::Outcome;

const FIX: &str = "honour q=0 in Accept-Encoding: send a refused encoding never, the \
    plain bytes instead (nginx: `gzip_static on`, not `always`).";

/// Each `Accept-Encoding` asked, with the encodings it refuses.
const REFUSALS: [(&str, &[&str]); 2] = [
    ("gzip;q=0, br;q=0", &["gzip", "br"]),
    ("gzip;q=0", &["gzip"]),
];

pub(crate) async fn check(deployment: &Deployment<'_>) -> Outcome {
    let (asset, _) = match deployment.compressible_asset() {
        Ok(found) => found,
        Err(outcome) => return outcome,
    };
    let url = deployment.client.origin().url(&asset.path);
    let mut findings = Findings::default();
    let mut served = Vec::new();
    for (accept, refused) in REFUSALS {
        let response = match deployment
            .client
            .get(&asset.path, &[("Accept-Encoding", accept)])
            .await
        {
            Ok(response) => response,
            Err(error) => {
                findings.add(error.to_string(), FIX);
                continue;
            }
        };
        let encoding = response.content_encoding();
        // 406 Not Acceptable is an honest answer too.
        if !matches!(response.status(), 200 | 406) || refused.contains(&encoding.as_str()) {
            let seen = format!(
                "{url} with Accept-Encoding: {accept} answered {} with Content-Encoding {encoding}",
                response.status()
            );
            findings.add(seen, FIX);
        }
        served.push(format!("{accept} -> {encoding}"));
    }
    findings.outcome(|| format!("{url}: {}", served.join("; ")))
}
