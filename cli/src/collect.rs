//! `hyper-assets collect DIR` and `hyper-assets prune DIR`: a release into the release
//! folder, and the pruning of releases no page needs any more.

use crate::args::{parse_duration, Args};
use crate::build_flags::BuildFlags;
use crate::call_source::{resolve, OptionsSource};
use crate::folder_build::build;
use hyper_assets_pipeline::{Collect, CollectReport, Retention};
use std::path::Path;

/// `--keep N --age DURATION`, with Phoenix's defaults.
fn retention(args: &mut Args) -> Result<Retention, String> {
    let mut retention = Retention::default();
    if let Some(keep) = args.value("--keep")? {
        retention.keep = keep
            .parse()
            .map_err(|_| format!("--keep {keep:?}: expected a number of releases, such as 2"))?;
    }
    if let Some(age) = args.value("--age")? {
        retention.age = parse_duration("--age", &age)?;
    }
    Ok(retention)
}

fn pruned(report: &CollectReport) -> String {
    format!(
        "releases kept: {}; releases pruned: {} ({} files deleted)",
        report.releases, report.pruned_releases, report.pruned_files
    )
}

/// Builds the static folder as the macro does, with the options of the crate's
/// `hyper_assets!` call (or the flags, when no call embeds the folder), and writes it
/// into the release folder with the deltas from the earlier releases it keeps (unless
/// `deltas = false`); with `--expect-version`, only a release of that version.
pub(crate) fn collect(mut args: Args) -> Result<String, String> {
    let flags = BuildFlags::from_args(&mut args)?;
    let expected = args.value("--expect-version")?;
    let retention = retention(&mut args)?;
    let dir = args.positional("the release folder: hyper-assets collect DIR")?;
    args.finish()?;
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let resolved = resolve(&flags, expected.is_some(), &cwd)?;
    let source = match &resolved.source {
        OptionsSource::Call(location) => format!("the `hyper_assets!` call at {location}"),
        OptionsSource::Flags(why) => format!(
            "the flags, as {why}: nothing checked them against the binary's \
             (--expect-version VERSION does)"
        ),
    };
    let built = build(&resolved)?;
    if let Some(expected) = expected.as_deref().map(str::trim) {
        if built.version != expected {
            return Err(format!(
                "the release would be version {}, but --expect-version is {expected}: the \
                 binary was built from other files or with other options, and its pages would \
                 name files this release does not have; nothing was written (options: {source})",
                built.version
            ));
        }
    }
    let files = built.collected();
    let report = Collect::new(
        Path::new(&dir),
        &built.version,
        &files,
        &built.staticfiles_json,
    )
    .retention(retention)
    .deltas(resolved.options.deltas)
    .run()
    .map_err(|e| e.to_string())?;
    Ok(format!(
        "collected release {} ({} files, {} deltas, {} bytes written) into {dir}; {}\noptions: {source}\n",
        built.version,
        report.files,
        report.deltas,
        report.bytes,
        pruned(&report)
    ))
}

/// Prunes the release folder by `--keep` and `--age` without writing a release.
pub(crate) fn prune(mut args: Args) -> Result<String, String> {
    let retention = retention(&mut args)?;
    let dir = args.positional("the release folder: hyper-assets prune DIR")?;
    args.finish()?;
    let report = hyper_assets_pipeline::prune_releases(Path::new(&dir), &retention)
        .map_err(|e| e.to_string())?;
    Ok(format!("{dir}: {}\n", pruned(&report)))
}
