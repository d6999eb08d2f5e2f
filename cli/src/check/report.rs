//! What the check found: one line per rule, then a summary.

use std::fmt;

/// `1 file`, `3 files`: a count for a report line.
pub(crate) fn counted(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// The rules of the cache contract, in the order they are checked and printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Hashed URLs are immutable for a year; the page is not.
    Immutable,
    /// A conditional GET with the asset's validators gets a 304 that stays immutable.
    Validators,
    /// Each content encoding has its own ETag, and `Vary: Accept-Encoding` is sent.
    Encodings,
    /// An encoding refused with `q=0` is not sent.
    QZero,
    /// `Range: bytes=0-9` gets the first 10 bytes as a 206.
    Range,
    /// A hash-shaped name no release has is a 404 that no cache keeps.
    MissingNotCacheable,
    /// Every page request is answered by one app version.
    StableVersion,
    /// The hashed files of earlier releases are still served, byte for byte.
    EarlierReleases,
    /// Hashed scripts and stylesheets offer themselves as compression dictionaries, and
    /// an earlier release's version gets a delta that decodes to the file (RFC 9842).
    Dictionary,
}

impl Rule {
    /// Every rule, in order.
    pub const ALL: [Self; 9] = [
        Self::Immutable,
        Self::Validators,
        Self::Encodings,
        Self::QZero,
        Self::Range,
        Self::MissingNotCacheable,
        Self::StableVersion,
        Self::EarlierReleases,
        Self::Dictionary,
    ];

    /// The name printed in the report.
    pub fn name(self) -> &'static str {
        match self {
            Self::Immutable => "immutable",
            Self::Validators => "validators",
            Self::Encodings => "encodings",
            Self::QZero => "q=0",
            Self::Range => "range",
            Self::MissingNotCacheable => "missing-not-cacheable",
            Self::StableVersion => "stable-version",
            Self::EarlierReleases => "earlier-releases",
            Self::Dictionary => "dictionary",
        }
    }
}

/// How one rule came out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The rule holds; what was seen.
    Ok(String),
    /// The rule is broken, or could not be checked.
    Fail {
        /// What was seen: the URL and the header.
        seen: String,
        /// What to change.
        fix: String,
    },
    /// The rule was not asked for (it needs an option); why.
    Skip(String),
}

impl Outcome {
    /// A failure with what was seen and the fix.
    pub fn fail(seen: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::Fail {
            seen: seen.into(),
            fix: fix.into(),
        }
    }

    /// Whether the rule failed.
    pub fn is_fail(&self) -> bool {
        matches!(self, Self::Fail { .. })
    }
}

/// One rule's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleReport {
    /// Which rule.
    pub rule: Rule,
    /// How it came out.
    pub outcome: Outcome,
}

impl fmt::Display for RuleReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.rule.name();
        match &self.outcome {
            Outcome::Ok(seen) => write!(f, "ok   {name}: {seen}"),
            Outcome::Fail { seen, fix } => write!(f, "FAIL {name}: {seen}. Fix: {fix}"),
            Outcome::Skip(why) => write!(f, "skip {name}: {why}"),
        }
    }
}

/// The whole check of one deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    url: String,
    rules: Vec<RuleReport>,
}

impl Report {
    pub(crate) fn new(url: String, rules: Vec<RuleReport>) -> Self {
        Self { url, rules }
    }

    /// Every rule's line, in [`Rule::ALL`] order.
    pub fn rules(&self) -> &[RuleReport] {
        &self.rules
    }

    /// How `rule` came out.
    pub fn outcome(&self, rule: Rule) -> Option<&Outcome> {
        self.rules
            .iter()
            .find(|line| line.rule == rule)
            .map(|line| &line.outcome)
    }

    /// Whether no rule failed (skipped rules do not fail).
    pub fn passed(&self) -> bool {
        !self.rules.iter().any(|line| line.outcome.is_fail())
    }

    fn count(&self, wanted: fn(&Outcome) -> bool) -> usize {
        self.rules
            .iter()
            .filter(|line| wanted(&line.outcome))
            .count()
    }
}

/// One line per rule, then the summary line.
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in &self.rules {
            writeln!(f, "{line}")?;
        }
        let ok = self.count(|outcome| matches!(outcome, Outcome::Ok(_)));
        let failed = self.count(Outcome::is_fail);
        let skipped = self.count(|outcome| matches!(outcome, Outcome::Skip(_)));
        let verdict = if failed == 0 {
            "keeps its cache contract"
        } else {
            "breaks its cache contract"
        };
        writeln!(
            f,
            "{}: {ok} ok, {failed} failed, {skipped} skipped: {verdict}",
            self.url
        )
    }
}
