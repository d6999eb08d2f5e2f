//! The guide's reference of the command (`docs/src/reference/cli.md`) against the code
//! (issue 24): one section per command of [`COMMANDS`], named `` ## `NAME` ``, with the
//! command's synopsis and summary, and a table `| flag | value | default | meaning |` whose
//! rows are the command's flags, in order. On a mismatch the test prints the section as
//! the code gives it, to paste.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use hyper_assets_cli::commands::{Command, Flag, COMMANDS};
use hyper_assets_tests::cargo_project::workspace_root;
use hyper_assets_tests::docs::markdown::{cells, headings, plain};

const PAGE: &str = "docs/src/reference/cli.md";

/// A table cell of `text`: a `|` escaped.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The row of `flag` as the code gives it.
fn row(flag: &Flag) -> [String; 4] {
    let mut meaning = flag.meaning.to_owned();
    if flag.repeatable {
        meaning.push_str(", once per value");
    }
    [
        format!("`{}`", flag.name),
        flag.value
            .map_or_else(String::new, |value| format!("`{value}`")),
        flag.default.map_or_else(String::new, cell),
        cell(&meaning),
    ]
}

/// The section of `command` as the code gives it.
fn section(command: &Command) -> String {
    let mut text = format!(
        "## `{}`\n\n`{}`: {}.\n",
        command.name,
        command.synopsis(),
        command.summary
    );
    if command.flags.is_empty() {
        text.push_str("\nNo flags.\n");
    } else {
        text.push_str("\n| flag | value | default | meaning |\n|---|---|---|---|\n");
        for flag in command.flags {
            text.push_str(&format!("| {} |\n", row(flag).join(" | ")));
        }
    }
    text
}

/// The lines of the page's section `## `name``, up to the next `## ` heading.
fn page_section<'a>(lines: &[&'a str], start: usize) -> Vec<&'a str> {
    lines[start..]
        .iter()
        .take_while(|line| !line.starts_with("## "))
        .copied()
        .collect()
}

#[test]
fn the_reference_lists_every_command_and_flag_of_the_code() {
    let text = std::fs::read_to_string(workspace_root().join(PAGE)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut problems = Vec::new();
    let sections: Vec<(usize, String)> = headings(&text)
        .into_iter()
        .filter(|(line, _)| lines[line - 1].starts_with("## "))
        .map(|(line, heading)| (line, plain(&heading)))
        .collect();
    for (line, name) in &sections {
        if !COMMANDS.iter().any(|command| command.name == name) {
            problems.push(format!(
                "{PAGE}:{line}: hyper-assets has no command `{name}`"
            ));
        }
    }
    for command in COMMANDS {
        let Some((line, _)) = sections.iter().find(|(_, name)| name == command.name) else {
            problems.push(format!(
                "{PAGE}: no section for `{}`; the code gives:\n\n{}",
                command.name,
                section(command)
            ));
            continue;
        };
        let body = page_section(&lines, *line);
        let joined = plain(&body.join(" "));
        let mut wrong = Vec::new();
        for fact in [command.synopsis(), plain(command.summary)] {
            if !joined.contains(&fact) {
                wrong.push(format!("it does not say `{fact}`"));
            }
        }
        let rows: Vec<Vec<String>> = body
            .iter()
            .filter(|line| line.starts_with('|'))
            .map(|line| cells(line))
            .collect();
        let expected: Vec<Vec<String>> = command
            .flags
            .iter()
            .map(|flag| {
                row(flag)
                    .iter()
                    .map(|cell| plain(&cells(&format!("|{cell}|"))[0]))
                    .collect()
            })
            .collect();
        match rows.split_first() {
            None if command.flags.is_empty() => {}
            None => wrong.push("it has no table of flags".to_owned()),
            Some((header, rest)) => {
                if header != &["flag", "value", "default", "meaning"] {
                    wrong.push(format!("its table's header is {header:?}"));
                }
                let found: Vec<Vec<String>> = rest
                    .iter()
                    .skip(1) // the delimiter row
                    .map(|row| row.iter().map(|cell| plain(cell)).collect())
                    .collect();
                if found != expected {
                    wrong.push("its flags are not the code's".to_owned());
                }
            }
        }
        if !wrong.is_empty() {
            problems.push(format!(
                "{PAGE}:{line}: `{}`: {}; the code gives:\n\n{}",
                command.name,
                wrong.join("; "),
                section(command)
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{PAGE} is not hyper_assets_cli::commands::COMMANDS:\n\n{}",
        problems.join("\n\n")
    );
}
