//! The `hyper_assets!(...)` calls of a crate, read from its sources: the folder each
//! embeds and its options, for a tool that must build the folder as the macro does
//! (`hyper-assets collect`).

use crate::scan::find_calls;
use crate::tokens::{trees, Tree};
use std::path::{Path, PathBuf};

/// One `hyper_assets!(...)` call in a crate's `src/`.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("calls-doc-{}", std::process::id()));
/// std::fs::create_dir_all(dir.join("src")).unwrap();
/// std::fs::write(
///     dir.join("src/main.rs"),
///     "hyper_assets::hyper_assets!(\"static\", rewrite = false);\nfn main() {}\n",
/// )
/// .unwrap();
/// let calls = hyper_assets_build::macro_calls(&dir);
/// assert_eq!(calls[0].location(), "src/main.rs:1");
/// let arguments = calls[0].arguments().unwrap();
/// assert_eq!(arguments.folder(), "static");
/// assert_eq!(
///     arguments.option("rewrite"),
///     Some(&hyper_assets_build::OptionValue::Bool(false))
/// );
/// # std::fs::remove_dir_all(dir).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroCall {
    file: PathBuf,
    line: usize,
    arguments: Result<CallArguments, String>,
}

impl MacroCall {
    /// The source file, relative to the crate folder (`src/main.rs`).
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The 1-based line of `hyper_assets!`.
    pub fn line(&self) -> usize {
        self.line
    }

    /// `src/main.rs:29`, with `/` separators.
    pub fn location(&self) -> String {
        let file: Vec<String> = self
            .file
            .components()
            .map(|part| part.as_os_str().to_string_lossy().into_owned())
            .collect();
        format!("{}:{}", file.join("/"), self.line)
    }

    /// The folder and options; an error sentence when the arguments cannot be read (a
    /// call inside a `macro_rules!` with `$folder`, or one that does not compile).
    ///
    /// # Errors
    /// The arguments do not start with the folder literal, or an option is malformed.
    pub fn arguments(&self) -> Result<&CallArguments, &str> {
        self.arguments.as_ref().map_err(String::as_str)
    }
}

/// The folder of a `hyper_assets!` call and its options, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallArguments {
    folder: String,
    options: Vec<(String, OptionValue)>,
}

impl CallArguments {
    /// The folder, relative to the crate folder, as written.
    pub fn folder(&self) -> &str {
        &self.folder
    }

    /// Every option in order, by name (`prefix`, `components`, `crate`, ...).
    pub fn options(&self) -> &[(String, OptionValue)] {
        &self.options
    }

    /// The value of option `name`, if the call sets it.
    pub fn option(&self, name: &str) -> Option<&OptionValue> {
        self.options
            .iter()
            .find(|(option, _)| option == name)
            .map(|(_, value)| value)
    }
}

/// The value of one option of a `hyper_assets!` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OptionValue {
    /// `prefix = "/assets/"`.
    Str(String),
    /// `hidden = true`.
    Bool(bool),
    /// `include = ["*.css", "*.js"]`.
    List(Vec<String>),
    /// `import_map("htmx" = "vendor/htmx.esm.js")`: name and value pairs.
    Pairs(Vec<(String, String)>),
    /// `components(templates = ["templates"])`: named lists.
    Groups(Vec<(String, Vec<String>)>),
    /// Anything else as written (`module = files`, `crate = ::web_assets`).
    Other(String),
}

/// Every `hyper_assets!(...)` call in the `.rs` files under `crate_dir/src`
/// (recursively, hidden folders left out), sorted by file and line. Calls in comments
/// and strings are not calls.
pub fn macro_calls(crate_dir: &Path) -> Vec<MacroCall> {
    let mut calls = Vec::new();
    for (file, text) in crate_sources(crate_dir) {
        let relative = file.strip_prefix(crate_dir).unwrap_or(&file).to_path_buf();
        for found in macro_calls_in(&text) {
            calls.push(MacroCall {
                file: relative.clone(),
                line: found.0,
                arguments: parse_arguments(&found.1),
            });
        }
    }
    calls
}

/// The calls of one source text: line and token trees.
fn macro_calls_in(text: &str) -> Vec<(usize, Vec<Tree>)> {
    find_calls(text)
        .into_iter()
        .map(|call| (call.line, trees(&call.arguments)))
        .collect()
}

/// The string literals of every call in `text`, call by call.
pub(crate) fn macro_literals(text: &str) -> Vec<Vec<String>> {
    macro_calls_in(text)
        .into_iter()
        .map(|(_, trees)| {
            let mut literals = Vec::new();
            Tree::literals(&trees, &mut literals);
            literals
        })
        .collect()
}

/// The readable `.rs` files under `crate_dir/src` and their text, sorted by path.
pub(crate) fn crate_sources(crate_dir: &Path) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(&crate_dir.join("src"), &mut files);
    files.sort();
    files
        .into_iter()
        .filter_map(|file| {
            let text = std::fs::read_to_string(&file).ok()?;
            Some((file, text))
        })
        .collect()
}

/// The `.rs` files below `dir`, recursively (hidden folders left out).
fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        match entry.file_type() {
            Ok(kind) if kind.is_dir() && !hidden => rust_files(&path, found),
            Ok(kind) if kind.is_file() && path.extension().is_some_and(|e| e == "rs") => {
                found.push(path);
            }
            _ => {}
        }
    }
}

/// `"static", option = value, name(...), ...`.
fn parse_arguments(trees: &[Tree]) -> Result<CallArguments, String> {
    let mut items = trees.split(|tree| *tree == Tree::Punct(','));
    let folder = match items.next() {
        Some([Tree::Str(folder)]) => folder.clone(),
        _ => {
            return Err(format!(
                "the first argument is not the folder as a string literal: `{}`",
                Tree::text(trees)
            ))
        }
    };
    let mut options = Vec::new();
    for item in items {
        let (name, value) = match item {
            // A trailing comma.
            [] => continue,
            [Tree::Word(name), Tree::Group('(', inner)] if name == "import_map" => {
                (name, OptionValue::Pairs(pairs(inner)?))
            }
            [Tree::Word(name), Tree::Group('(', inner)] => {
                (name, OptionValue::Groups(groups(inner)?))
            }
            [Tree::Word(name), Tree::Punct('='), value @ ..] if !value.is_empty() => {
                (name, option_value(value))
            }
            _ => return Err(format!("`{}` is not `option = value`", Tree::text(item))),
        };
        options.push((name.clone(), value));
    }
    Ok(CallArguments { folder, options })
}

fn option_value(value: &[Tree]) -> OptionValue {
    match value {
        [Tree::Str(text)] => OptionValue::Str(text.clone()),
        [Tree::Word(word)] if word == "true" || word == "false" => {
            OptionValue::Bool(word == "true")
        }
        [Tree::Group('[', inner)] => match strings(inner) {
            Some(list) => OptionValue::List(list),
            None => OptionValue::Other(Tree::text(value)),
        },
        _ => OptionValue::Other(Tree::text(value)),
    }
}

/// `"a", "b",`: the literals, or `None` for anything else.
fn strings(trees: &[Tree]) -> Option<Vec<String>> {
    trees
        .split(|tree| *tree == Tree::Punct(','))
        .filter(|item| !item.is_empty())
        .map(|item| match item {
            [Tree::Str(text)] => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// `"a" = "b", ...`.
fn pairs(trees: &[Tree]) -> Result<Vec<(String, String)>, String> {
    trees
        .split(|tree| *tree == Tree::Punct(','))
        .filter(|item| !item.is_empty())
        .map(|item| match item {
            [Tree::Str(name), Tree::Punct('='), Tree::Str(value)] => {
                Ok((name.clone(), value.clone()))
            }
            _ => Err(format!(
                "`{}` is not `\"name\" = \"path\"`",
                Tree::text(item)
            )),
        })
        .collect()
}

/// `name = ["a", "b"], ...`.
fn groups(trees: &[Tree]) -> Result<Vec<(String, Vec<String>)>, String> {
    trees
        .split(|tree| *tree == Tree::Punct(','))
        .filter(|item| !item.is_empty())
        .map(|item| match item {
            [Tree::Word(name), Tree::Punct('='), Tree::Group('[', inner)] => strings(inner)
                .map(|list| (name.clone(), list))
                .ok_or_else(|| format!("`{}` is not a list of strings", Tree::text(item))),
            _ => Err(format!(
                "`{}` is not `name = [\"path\", ...]`",
                Tree::text(item)
            )),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<CallArguments, String> {
        parse_arguments(&trees(text))
    }

    fn parsed(text: &str) -> CallArguments {
        parse(text).unwrap()
    }

    #[test]
    fn every_kind_of_option() {
        let arguments = parsed(
            r#"
            "public",
            prefix = "/assets",
            module = files,
            include = ["**/*.css", "*.js",],
            hidden = true,
            crate = ::renamed::path,
            components(templates = ["templates"], config = ["a.toml", "b.toml"]),
            import_map("htmx" = "vendor/htmx.esm.js", "@x/y" = "y.js"),
            "#,
        );
        assert_eq!(arguments.folder(), "public");
        assert_eq!(
            arguments.option("prefix"),
            Some(&OptionValue::Str("/assets".to_owned()))
        );
        assert_eq!(
            arguments.option("module"),
            Some(&OptionValue::Other("files".to_owned()))
        );
        assert_eq!(
            arguments.option("include"),
            Some(&OptionValue::List(vec![
                "**/*.css".to_owned(),
                "*.js".to_owned()
            ]))
        );
        assert_eq!(arguments.option("hidden"), Some(&OptionValue::Bool(true)));
        assert_eq!(
            arguments.option("crate"),
            Some(&OptionValue::Other("::renamed::path".to_owned()))
        );
        assert_eq!(
            arguments.option("components"),
            Some(&OptionValue::Groups(vec![
                ("templates".to_owned(), vec!["templates".to_owned()]),
                (
                    "config".to_owned(),
                    vec!["a.toml".to_owned(), "b.toml".to_owned()]
                ),
            ]))
        );
        assert_eq!(
            arguments.option("import_map"),
            Some(&OptionValue::Pairs(vec![
                ("htmx".to_owned(), "vendor/htmx.esm.js".to_owned()),
                ("@x/y".to_owned(), "y.js".to_owned()),
            ]))
        );
        assert_eq!(arguments.option("exclude"), None);
        assert_eq!(
            parsed("\"s\", import_map()").option("import_map"),
            Some(&OptionValue::Pairs(Vec::new()))
        );
    }

    #[test]
    fn unreadable_calls_say_why() {
        assert!(parse("$folder").unwrap_err().contains("the folder"));
        assert!(parse("").unwrap_err().contains("the folder"));
        assert!(parse("\"s\", hidden").unwrap_err().contains("`hidden`"));
        assert!(parse("\"s\", import_map(htmx = \"a.js\")")
            .unwrap_err()
            .contains("\"name\" = \"path\""));
    }

    #[test]
    fn literals_of_every_call() {
        let source = r##"
            hyper_assets::hyper_assets!(
                "static",
                prefix = "/assets/", // a comment with "quotes"
                components(templates = ["templates", r#"config/site.json"#]),
            );
        "##;
        assert_eq!(
            macro_literals(source),
            vec![vec![
                "static".to_owned(),
                "/assets/".to_owned(),
                "templates".to_owned(),
                "config/site.json".to_owned(),
            ]]
        );
    }
}
