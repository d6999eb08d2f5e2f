//! The guide's console blocks, run (issue 24): every ```` ```console ```` block of the
//! README and the chapters shows `$ command` lines, each followed by its output. Each
//! block gets a demo of its own (as `cargo run --release -p demo` starts it: production
//! mode, no settings), each command runs with `sh -c` with the demo's address in place of
//! `127.0.0.1:3000`, and what it prints must be the block's output, trailing whitespace
//! aside. The one thing dropped is a `date:` header line, which changes every second and
//! which the guide leaves out.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use hyper_assets_tests::docs::markdown::fenced_blocks;
use hyper_assets_tests::docs::pages;
use hyper_assets_tests::processes::{free_addr, start_listening};
use std::process::Command;

/// The address the guide shows, where `cargo run -p demo` listens.
const GUIDE_ADDR: &str = "127.0.0.1:3000";

/// One `$ command` of a console block and the output the block shows for it.
#[derive(Debug)]
struct Step {
    command: String,
    output: String,
}

/// The steps of a console block: a line `$ command`, then its output up to the next one.
fn steps(body: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    for line in body.lines() {
        if let Some(command) = line.strip_prefix("$ ") {
            steps.push(Step {
                command: command.to_owned(),
                output: String::new(),
            });
        } else if let Some(step) = steps.last_mut() {
            step.output.push_str(line);
            step.output.push('\n');
        }
    }
    steps
}

/// Output as compared: `\r\n` read as `\n`, each line's trailing whitespace and the
/// trailing blank lines left out, `date:` header lines dropped.
fn normalized(output: &str) -> String {
    let lines: Vec<&str> = output
        .lines()
        .map(str::trim_end)
        .filter(|line| !line.to_ascii_lowercase().starts_with("date:"))
        .collect();
    lines.join("\n").trim_end().to_owned()
}

#[test]
#[ignore = "runs the guide's curl commands; run by scripts/test-all.sh"]
fn every_console_block_of_the_guide_prints_what_it_shows() {
    let blocks: Vec<_> = pages()
        .into_iter()
        .flat_map(|(page, text)| {
            fenced_blocks(&text)
                .into_iter()
                .filter(|block| block.language() == "console")
                .map(move |block| (page.clone(), block))
        })
        .collect();
    assert!(
        !blocks.is_empty(),
        "no ```console block in the README or the guide: nothing was read"
    );
    println!("the guide's console blocks:");
    for (page, block) in &blocks {
        println!("  {}:{}", page.display(), block.line);
    }
    let mut problems = Vec::new();
    for (page, block) in &blocks {
        let at = format!("{}:{}", page.display(), block.line);
        let steps = steps(&block.body);
        if steps.is_empty() {
            problems.push(format!(
                "{at}: a console block without a `$ command` line runs nothing"
            ));
            continue;
        }
        let addr = free_addr();
        let mut demo = Command::new(env!("CARGO_BIN_EXE_demo"));
        demo.env_clear()
            .env("ADDR", addr.to_string())
            .env("STATIC_DEV_MODE", "false");
        let _demo = start_listening(demo, addr, "the demo", false);
        for step in steps {
            let command = step.command.replace(GUIDE_ADDR, &addr.to_string());
            let output = Command::new("sh").arg("-c").arg(&command).output().unwrap();
            let printed =
                String::from_utf8_lossy(&output.stdout).replace(&addr.to_string(), GUIDE_ADDR);
            if !output.status.success() {
                problems.push(format!(
                    "{at}: `{}` failed ({}): {}",
                    step.command,
                    output.status,
                    String::from_utf8_lossy(&output.stderr)
                ));
            } else if normalized(&printed) != normalized(&step.output) {
                problems.push(format!(
                    "{at}: `{}` printed\n{}\nwhere the guide shows\n{}",
                    step.command,
                    normalized(&printed),
                    normalized(&step.output)
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} of the guide's console blocks do not print what they show:\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

#[test]
fn console_blocks_read_as_commands_and_outputs() {
    let steps = steps("$ curl -s x\n{\"a\":1}\n$ true\n$ printf 'a\\nb'\na\nb\n");
    assert_eq!(steps.len(), 3);
    assert_eq!(steps[0].command, "curl -s x");
    assert_eq!(steps[0].output, "{\"a\":1}\n");
    assert_eq!(steps[1].output, "");
    assert_eq!(steps[2].output, "a\nb\n");
    assert_eq!(
        normalized("HTTP/1.1 200 OK\r\ndate: Mon, 01 Jan 2024 00:00:00 GMT\r\nvary: x  \r\n\r\n"),
        "HTTP/1.1 200 OK\nvary: x"
    );
}
