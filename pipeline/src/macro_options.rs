//! The options of `hyper_assets!`, named once: the macro lists them when it meets an
//! unknown one, and the guide's table of options is tested against this list.

/// How an option is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionSyntax {
    /// `name = value`.
    Assign,
    /// `name(...)`: a list of `key = value` pairs in parentheses.
    Group,
}

/// One option of `hyper_assets!("static", option = value, ...)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MacroOption {
    /// The option's name (`prefix`, `components`).
    pub name: &'static str,
    /// `name = value` or `name(...)`.
    pub syntax: OptionSyntax,
    /// The values it takes, in words (`true, false`).
    pub values: &'static str,
    /// What it is when left out.
    pub default: &'static str,
}

impl MacroOption {
    /// The option as a user writes its name: `prefix`, or `components(...)` for a group.
    pub fn written(&self) -> String {
        match self.syntax {
            OptionSyntax::Assign => self.name.to_owned(),
            OptionSyntax::Group => format!("{}(...)", self.name),
        }
    }
}

/// Every option of `hyper_assets!`, in the order its error messages list them.
///
/// ```
/// let hidden = hyper_assets_pipeline::MACRO_OPTIONS
///     .iter()
///     .find(|option| option.name == "hidden")
///     .unwrap();
/// assert_eq!(hidden.default, "false");
/// ```
pub const MACRO_OPTIONS: &[MacroOption] = &[
    MacroOption {
        name: "prefix",
        syntax: OptionSyntax::Assign,
        values: "a URL path such as \"/assets/\"",
        default: "\"/static/\"",
    },
    MacroOption {
        name: "url_prefix",
        syntax: OptionSyntax::Assign,
        values: "an http(s) URL or a path, such as \"https://cdn.example.com/static/\"",
        default: "the prefix",
    },
    MacroOption {
        name: "module",
        syntax: OptionSyntax::Assign,
        values: "an identifier",
        default: "assets",
    },
    MacroOption {
        name: "include",
        syntax: OptionSyntax::Assign,
        values: "a list of globs, such as [\"css/**\", \"*.js\"]",
        default: "all files",
    },
    MacroOption {
        name: "exclude",
        syntax: OptionSyntax::Assign,
        values: "a list of globs, such as [\"*.map\"]",
        default: "none",
    },
    MacroOption {
        name: "hidden",
        syntax: OptionSyntax::Assign,
        values: "true, false",
        default: "false",
    },
    MacroOption {
        name: "rewrite",
        syntax: OptionSyntax::Assign,
        values: "true, false",
        default: "true",
    },
    MacroOption {
        name: "missing_references",
        syntax: OptionSyntax::Assign,
        values: "\"error\", \"keep\"",
        default: "\"error\"",
    },
    MacroOption {
        name: "compress",
        syntax: OptionSyntax::Assign,
        values: "true, false",
        default: "true",
    },
    MacroOption {
        name: "size_limit",
        syntax: OptionSyntax::Assign,
        values: "a size such as \"200 MiB\", \"50MB\" or \"1GiB\"",
        default: "no limit, a warning past 32 MiB",
    },
    MacroOption {
        name: "previous",
        syntax: OptionSyntax::Assign,
        values: "a release folder, relative to Cargo.toml",
        default: "none",
    },
    MacroOption {
        name: "deltas",
        syntax: OptionSyntax::Assign,
        values: "true, false",
        default: "true",
    },
    MacroOption {
        name: "components",
        syntax: OptionSyntax::Group,
        values: "name = [files or folders], ...",
        default: "none",
    },
    MacroOption {
        name: "import_map",
        syntax: OptionSyntax::Group,
        values: "\"bare name\" = \"path\", ...",
        default: "none",
    },
    MacroOption {
        name: "crate",
        syntax: OptionSyntax::Assign,
        values: "a path",
        default: "::hyper_assets",
    },
];

/// The options as error messages list them: `` `prefix`, `url_prefix`, ...,
/// `components(...)`, ... ``.
pub fn macro_option_list() -> String {
    MACRO_OPTIONS
        .iter()
        .map(|option| format!("`{}`", option.written()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_once_each_in_the_messages_order() {
        assert_eq!(
            macro_option_list(),
            "`prefix`, `url_prefix`, `module`, `include`, `exclude`, `hidden`, `rewrite`, \
             `missing_references`, `compress`, `size_limit`, `previous`, `deltas`, \
             `components(...)`, `import_map(...)`, `crate`"
        );
    }
}
