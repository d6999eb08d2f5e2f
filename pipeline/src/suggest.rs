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

/// Up to three candidates close to `target`, best first: the name with its extension
/// left off (`css/styles` for `css/styles.css`), then by edit distance (a transposition
/// counts as one edit), then candidates with the same file name in another folder, or
/// the same name once middle extensions are dropped (`app.js` for `app.min.js`).
///
/// A candidate is close by edit distance only when its file name is too: at most one
/// edit in three characters of the name before its extension (at least one, none for a
/// one-character name), and the whole path within a third of its length. Sharing a
/// folder or an extension alone is not enough: `img/nope.png` gets no suggestion from
/// `img/logo.png`.
///
/// ```
/// use hyper_assets_pipeline::closest_matches;
///
/// let known = ["css/styles.css", "js/app.js", "img/logo.png"];
/// assert_eq!(closest_matches("css/style.css", known), vec!["css/styles.css"]);
/// assert_eq!(closest_matches("logo.png", known), vec!["img/logo.png"]);
/// assert_eq!(closest_matches("js/app.min.js", known), vec!["js/app.js"]);
/// assert_eq!(closest_matches("js/ap.js", known), vec!["js/app.js"]);
/// assert!(closest_matches("img/nope.png", known).is_empty());
/// assert!(closest_matches("fonts/inter.woff2", known).is_empty());
/// ```
pub fn closest_matches<'a>(
    target: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    let target_name = file_name(target);
    let limit = (target.chars().count() / 3).max(2);
    let name_limit = match stem(target_name).chars().count() {
        0 | 1 => 0,
        n => (n / 3).max(1),
    };
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter_map(|candidate| {
            let distance = edit_distance(target, candidate);
            if without_extension(candidate) == Some(target) {
                // `css/styles` for `css/styles.css`: the extension was left off.
                Some((0, candidate))
            } else if distance <= limit
                && edit_distance(target_name, file_name(candidate)) <= name_limit
            {
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

/// The name before its first extension: `app` for `app.min.js`, `htaccess` for
/// `.htaccess`.
fn stem(name: &str) -> &str {
    let name = name.trim_start_matches('.');
    name.split('.').next().unwrap_or(name)
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

/// Edit distance over characters (insertions, deletions, substitutions, and swaps of
/// two neighbours: the optimal string alignment distance).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows: two back for a swap, the previous one, the current one.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
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
        assert_eq!(edit_distance("mian", "main"), 1, "a swap is one edit");
        assert_eq!(edit_distance("ca", "abc"), 3);
    }

    /// Issue 24: a missing `../img/nope.png` suggested `img/logo.png`, and a missing
    /// `./nope.js` imported from `js/app.js` suggested `js/app.js`: the same folder and
    /// extension made them "close".
    #[test]
    fn a_shared_folder_and_extension_are_not_enough() {
        let known = ["img/logo.png", "js/app.js", "css/app.css"];
        assert!(closest_matches("img/nope.png", known).is_empty());
        assert!(closest_matches("js/nope.js", known).is_empty());
        assert!(closest_matches("js/x.js", known).is_empty());
    }

    #[test]
    fn genuine_typos_are_suggested() {
        let known = ["js/app.js", "js/main.js", "css/page.css", "img/logo.png"];
        assert_eq!(closest_matches("js/ap.js", known), ["js/app.js"]);
        assert_eq!(closest_matches("js/mian.js", known), ["js/main.js"]);
        assert_eq!(closest_matches("css/pag.css", known), ["css/page.css"]);
        assert_eq!(closest_matches("img/logoo.png", known), ["img/logo.png"]);
        assert_eq!(closest_matches("js/app.jss", known), ["js/app.js"]);
        assert_eq!(
            closest_matches("greetng", ["greeting", "format"]),
            ["greeting"]
        );
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
        let known = [
            "styl.css",
            "stylo.css",
            "style.css",
            "stile.css",
            "styles.css",
        ];
        let found = closest_matches("style.css", known);
        assert_eq!(found[0], "style.css");
        assert_eq!(found.len(), 3);
    }
}
