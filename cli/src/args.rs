//! Command-line flags, read by name: each command takes the ones it knows, and whatever
//! is left is an error that names it.

/// The arguments after the command name.
pub(crate) struct Args {
    rest: Vec<String>,
}

impl Args {
    /// The arguments, in order.
    pub(crate) fn new(rest: Vec<String>) -> Self {
        Self { rest }
    }

    /// Takes `--name`, reporting whether it was there.
    pub(crate) fn flag(&mut self, name: &str) -> bool {
        let before = self.rest.len();
        self.rest.retain(|arg| arg != name);
        self.rest.len() != before
    }

    /// Takes every `--name VALUE` (or `--name=VALUE`).
    pub(crate) fn values(&mut self, name: &str) -> Result<Vec<String>, String> {
        let mut values = Vec::new();
        let mut kept = Vec::with_capacity(self.rest.len());
        let mut args = std::mem::take(&mut self.rest).into_iter();
        while let Some(arg) = args.next() {
            if arg == name {
                values.push(args.next().ok_or_else(|| format!("{name} needs a value"))?);
            } else if let Some(value) = arg.strip_prefix(name).and_then(|v| v.strip_prefix('=')) {
                values.push(value.to_owned());
            } else {
                kept.push(arg);
            }
        }
        self.rest = kept;
        Ok(values)
    }

    /// Takes `--name VALUE`, given at most once.
    pub(crate) fn value(&mut self, name: &str) -> Result<Option<String>, String> {
        let mut values = self.values(name)?;
        if values.len() > 1 {
            return Err(format!("{name} is given {} times", values.len()));
        }
        Ok(values.pop())
    }

    /// Takes the first argument that is not a flag.
    pub(crate) fn positional(&mut self, what: &str) -> Result<String, String> {
        let at = self
            .rest
            .iter()
            .position(|arg| !arg.starts_with("--"))
            .ok_or_else(|| format!("missing {what}"))?;
        Ok(self.rest.remove(at))
    }

    /// Fails on anything not taken.
    pub(crate) fn finish(self) -> Result<(), String> {
        match self.rest.first() {
            None => Ok(()),
            Some(arg) => Err(format!("unknown argument {arg:?}")),
        }
    }
}

/// `1h`, `30m`, `90s`, `7d` or a number of seconds.
pub(crate) fn parse_duration(flag: &str, text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let factor = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => 0,
    };
    number
        .parse::<u64>()
        .ok()
        .filter(|_| factor > 0)
        .and_then(|n| n.checked_mul(factor))
        .map(std::time::Duration::from_secs)
        .ok_or_else(|| format!("{flag} {text:?}: expected a duration such as 1h, 30m, 90s or 7d"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_values_and_leftovers() {
        let args = |list: &[&str]| Args::new(list.iter().map(|s| (*s).to_owned()).collect());
        let mut a = args(&[
            "dir",
            "--keep",
            "3",
            "--age=2h",
            "--hidden",
            "--include",
            "*.css",
        ]);
        assert_eq!(a.value("--keep").unwrap().as_deref(), Some("3"));
        assert_eq!(a.value("--age").unwrap().as_deref(), Some("2h"));
        assert!(a.flag("--hidden"));
        assert_eq!(a.values("--include").unwrap(), ["*.css"]);
        assert_eq!(a.positional("DIR").unwrap(), "dir");
        assert!(a.finish().is_ok());
        let mut a = args(&["--keep"]);
        assert_eq!(a.value("--keep").unwrap_err(), "--keep needs a value");
        assert_eq!(
            args(&["--colour"]).finish().unwrap_err(),
            "unknown argument \"--colour\""
        );
        assert_eq!(parse_duration("--age", "1h").unwrap().as_secs(), 3600);
        assert_eq!(parse_duration("--age", "90").unwrap().as_secs(), 90);
        assert!(parse_duration("--age", "1 fortnight").is_err());
        assert!(parse_duration("--age", "h").is_err());
    }
}
