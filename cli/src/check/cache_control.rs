//! The `Cache-Control` directives the rules read.

/// A year in seconds: the `max-age` a content-hashed name deserves.
pub(crate) const ONE_YEAR: u64 = 31_536_000;

/// Longer than this, a page's freshness hides a deploy from its visitors.
pub(crate) const LONG_FOR_A_PAGE: u64 = 3_600;

/// The directives of one `Cache-Control` value (several headers joined by `, `).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CacheControl {
    pub(crate) immutable: bool,
    pub(crate) no_store: bool,
    /// The larger of `max-age` and `s-maxage`: what the longest-keeping cache may use.
    pub(crate) max_age: Option<u64>,
}

impl CacheControl {
    /// Parses `value`; a missing header has no directives.
    pub(crate) fn parse(value: Option<&str>) -> Self {
        let mut parsed = Self::default();
        for directive in value.unwrap_or_default().split(',') {
            let (name, argument) = match directive.split_once('=') {
                Some((name, argument)) => (name.trim(), Some(argument.trim().trim_matches('"'))),
                None => (directive.trim(), None),
            };
            let name = name.to_ascii_lowercase();
            match name.as_str() {
                "immutable" => parsed.immutable = true,
                "no-store" => parsed.no_store = true,
                "max-age" | "s-maxage" => {
                    let seconds = argument.and_then(|a| a.parse::<u64>().ok());
                    parsed.max_age = parsed.max_age.max(seconds);
                }
                _ => {}
            }
        }
        parsed
    }

    /// `immutable` with a `max-age` of a year or more.
    pub(crate) fn is_immutable_for_a_year(&self) -> bool {
        self.immutable && self.max_age.is_some_and(|age| age >= ONE_YEAR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hashed_name_header() {
        let parsed = CacheControl::parse(Some("public, max-age=31536000, immutable"));
        assert!(parsed.is_immutable_for_a_year());
        assert!(!parsed.no_store);
    }

    #[test]
    fn short_or_missing_max_age_is_not_a_year() {
        for value in ["immutable, max-age=600", "immutable", "max-age=31536000"] {
            assert!(
                !CacheControl::parse(Some(value)).is_immutable_for_a_year(),
                "{value}"
            );
        }
        assert_eq!(CacheControl::parse(None), CacheControl::default());
    }

    #[test]
    fn s_maxage_and_case_count() {
        let parsed = CacheControl::parse(Some("No-Store, max-age=0, S-MAXAGE=\"86400\""));
        assert!(parsed.no_store);
        assert_eq!(parsed.max_age, Some(86_400));
    }
}
