//! [`RouterStats`]: requests per version, matched, defaulted, canary and rejected.

use super::state::VersionRouterLayer;
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

impl VersionRouterLayer {
    /// The counters since start-up.
    pub fn stats(&self) -> RouterStats {
        let state = &self.state;
        RouterStats {
            per_version: state
                .per_version
                .iter()
                .map(|(version, count)| (version.clone(), count.load(Ordering::Relaxed)))
                .collect(),
            matched: state.matched.load(Ordering::Relaxed),
            defaulted: state.defaulted.load(Ordering::Relaxed),
            canary: state.canaried.load(Ordering::Relaxed),
            rejected: state.rejected.load(Ordering::Relaxed),
        }
    }
}

/// Counters of a [`VersionRouterLayer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouterStats {
    /// Requests served per version.
    pub per_version: BTreeMap<String, u64>,
    /// Requests that named a known version (header or cookie).
    pub matched: u64,
    /// Requests that named none and got the default.
    pub defaulted: u64,
    /// Requests that named none and got the canary.
    pub canary: u64,
    /// Requests refused (unknown or malformed version).
    pub rejected: u64,
}

impl RouterStats {
    /// As JSON, for a metrics endpoint.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "per_version": self.per_version,
            "matched": self.matched,
            "defaulted": self.defaulted,
            "canary": self.canary,
            "rejected": self.rejected,
        })
    }
}
