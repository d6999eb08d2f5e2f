//! `hyper-assets collect DIR` and `hyper-assets prune DIR`: a release into the release
//! folder, and the pruning of releases no page needs any more.

use crate::args::{parse_duration, Args};
use crate::folder_build::{build, BuildOptions};
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

/// Builds the static folder as the macro does and writes it into the release folder,
/// with the deltas from the earlier releases it keeps (unless `--no-deltas`).
pub(crate) fn collect(mut args: Args) -> Result<String, String> {
    let options = BuildOptions::from_args(&mut args)?;
    let retention = retention(&mut args)?;
    let dir = args.positional("the release folder: hyper-assets collect DIR")?;
    args.finish()?;
    let built = build(&options)?;
    let files = built.collected();
    let report = Collect::new(
        Path::new(&dir),
        &built.version,
        &files,
        &built.staticfiles_json,
    )
    .retention(retention)
    .deltas(options.deltas)
    .run()
    .map_err(|e| e.to_string())?;
    Ok(format!(
        "collected release {} ({} files, {} deltas, {} bytes written) into {dir}; {}\n",
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
