//! The problems one rule found, each with its fix, folded into one report line.

use super::report::Outcome;

/// How many problems a line spells out before it only counts the rest.
const SHOWN: usize = 3;

/// The problems one rule found, in the order found.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    problems: Vec<String>,
    fixes: Vec<String>,
}

impl Findings {
    /// Records a problem (`seen` names the URL and the header) and its fix.
    pub(crate) fn add(&mut self, seen: impl Into<String>, fix: impl Into<String>) {
        let (seen, fix) = (seen.into(), fix.into());
        if !self.problems.contains(&seen) {
            self.problems.push(seen);
        }
        if !self.fixes.contains(&fix) {
            self.fixes.push(fix);
        }
    }

    /// `Ok(ok())` when nothing was found, else a failure listing the first problems and
    /// every distinct fix.
    pub(crate) fn outcome(self, ok: impl FnOnce() -> String) -> Outcome {
        if self.problems.is_empty() {
            return Outcome::Ok(ok());
        }
        let mut seen = self.problems[..self.problems.len().min(SHOWN)].join("; ");
        if self.problems.len() > SHOWN {
            seen.push_str(&format!(" (and {} more)", self.problems.len() - SHOWN));
        }
        Outcome::fail(seen, self.fixes.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_found_is_ok() {
        let outcome = Findings::default().outcome(|| "fine".to_owned());
        assert_eq!(outcome, Outcome::Ok("fine".to_owned()));
    }

    #[test]
    fn shows_the_first_problems_and_each_fix_once() {
        let mut findings = Findings::default();
        for n in 0..5 {
            findings.add(format!("p{n}"), "Do x.");
        }
        findings.add("p0", "Do y.");
        let outcome = findings.outcome(String::new);
        assert_eq!(
            outcome,
            Outcome::fail("p0; p1; p2 (and 2 more)", "Do x. Do y.")
        );
    }
}
