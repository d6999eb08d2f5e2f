//! "Did you mean" suggestions for unknown asset paths.

/// `; did you mean `a` or `b`?` for the suggestions of [`closest_matches`], or nothing
/// without any: the tail of every error that names an unknown path.
///
/// ```
/// use hyper_assets_pipeline::did_you_mean;
///
/// assert_eq!(did_you_mean(&["css/a.css", "css/b.css"]), "; did you mean `css/a.css` or `css/b.css`?");
/// assert_eq!(did_you_mean::<&str>(&[]), "");
/// ```
pub fn did_you_mean<S: AsRef<str>>(suggestions: &[S]) -> String {
    if suggestions.is_empty() {
        return String::new();
    }
    let names: Vec<String> = suggestions
        .iter()
        .map(|name| format!("`{}`", name.as_ref()))
        .collect();
    format!("; did you mean {}?", names.join(" or "))
}

/// Up to three candidates closest to `target`: by edit distance, then candidates with the
/// same file name in another folder, or the same name once middle extensions are dropped
/// (`app.js` for `app.min.js`). Best first.
///
/// ```
/// use hyper_assets_pipeline::closest_matches;
///
/// let known = ["css/styles.css", "js/app.js", "img/logo.png"];
/// assert_eq!(closest_matches("css/style.css", known), vec!["css/styles.css"]);
/// assert_eq!(closest_matches("logo.png", known), vec!["img/logo.png"]);
/// assert_eq!(closest_matches("js/app.min.js", known), vec!["js/app.js"]);
/// assert!(closest_matches("fonts/inter.woff2", known).is_empty());
/// ```
pub fn closest_matches<'a>(
    target: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    let target_name = file_name(target);
    let limit = (target.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter_map(|candidate| {
            let distance = edit_distance(target, candidate);
            if without_extension(candidate) == Some(target) {
                // `css/styles` for `css/styles.css`: the extension was left off.
                Some((0, candidate))
            } else if distance <= limit {
                Some((distance, candidate))
            } else if file_name(candidate) == target_name {
                Some((limit + 1, candidate))
            } else if short_name(candidate) == short_name(target) {
                Some((limit + 2, candidate))
            } else {
                None
            }
        })
        .collect();
    scored.sort_unstable();
    scored.into_iter().take(3).map(|(_, name)| name).collect()
}

/// `css/styles.css` -> `css/styles`; `None` for a name without an extension.
fn without_extension(path: &str) -> Option<&str> {
    let dot = path.rfind('.')?;
    (dot > path.rfind('/').map_or(0, |slash| slash + 1)).then(|| &path[..dot])
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The folder-less name with middle extensions dropped: `js/app.min.js` -> `app.js`.
fn short_name(path: &str) -> (&str, &str) {
    let name = file_name(path);
    let first = name.split('.').next().unwrap_or(name);
    let last = name.rsplit('.').next().unwrap_or(name);
    (first, last)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("é", "e"), 1);
    }

    #[test]
    fn a_left_off_extension_is_suggested_first() {
        let known = ["css/styles.css", "css/style.css", "js/styles.js"];
        assert_eq!(closest_matches("css/styles", known)[0], "css/styles.css");
        assert_eq!(without_extension(".htaccess"), None);
        assert_eq!(without_extension("css/.x"), None);
        assert_eq!(without_extension("a/b.min.js"), Some("a/b.min"));
    }

    #[test]
    fn best_first_and_at_most_three() {
        let known = ["a.css", "b.css", "c.css", "d.css", "ab.css"];
        let found = closest_matches("a.css", known);
        assert_eq!(found[0], "a.css");
        assert_eq!(found.len(), 3);
    }
}
