//! The build logic of [hyper-assets](https://docs.rs/hyper-assets): walk a static folder,
//! hash every file, give it a content-hashed name and describe the result as a manifest.
//!
//! This crate has no `syn` or `quote`. The `hyper_assets!` macro calls it at build time
//! and the runtime calls the same functions at run time, so the two can never disagree
//! on a name or a hash.
//!
//! ```
//! use hyper_assets_pipeline::{hashed_name, ContentHash};
//!
//! let hash = ContentHash::of(b"body { color: red }");
//! let name = hashed_name("css/styles.css", &hash);
//! assert_eq!(name, format!("css/styles.{}.css", hash.short()));
//! ```

#[cfg(feature = "compress")]
mod compress;
mod content_hash;
mod content_type;
mod delta;
mod error;
mod file_filter;
mod glob;
mod hashed_name;
mod import_map;
mod integrity;
mod macro_options;
mod manifest;
mod nginx_location;
mod references;
mod release_folder;
mod rewrite;
mod suggest;
mod url_path;
mod walk;

/// The crate's README, its crates.io page: its examples compile as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// Changes with every build of this crate from changed sources: part of the macro's
/// expansion-cache key.
#[doc(hidden)]
pub const BUILD_ID: &str = env!("HYPER_ASSETS_BUILD_ID");

#[cfg(feature = "compress")]
pub use compress::{compress, CompressionCache, CompressionSettings, Encoding, Variant};
pub use content_hash::{ContentHash, SHORT_HASH_LEN};
pub use content_type::{content_type, is_compressible};
#[cfg(feature = "deltas")]
pub use delta::decode_delta;
pub use delta::{
    delta_file_name, delta_header, dictionary_base64, parse_available_dictionary,
    parse_delta_file_name, use_as_dictionary, DeltaEncoding, MAX_DELTA_TARGET,
};
#[cfg(feature = "compress")]
pub use delta::{encode_delta, make_deltas, Delta, DeltaJob};
pub use error::PipelineError;
pub use file_filter::{FileFilter, LEFT_OUT_FOLDERS};
pub use glob::{Glob, GlobError};
pub use hashed_name::{hashed_name, split_hashed_name};
pub use import_map::{
    check_bare_name, import_map_tag, is_module, static_import_graph, ImportMapJson, MapModule,
};
pub use integrity::integrity;
pub use macro_options::{macro_option_list, MacroOption, OptionSyntax, MACRO_OPTIONS};
pub use manifest::{listing_hash, manifest_version, staticfiles_json, Manifest, ManifestEntry};
pub use nginx_location::nginx_static_location;
pub use references::{scan_css, scan_js, Reference, ReferenceKind};
pub use release_folder::{
    collect_release, collect_release_at, is_release_file_name, prune_releases, prune_releases_at,
    verify_hashed_file, Collect, CollectError, CollectReport, CollectedFile, MadeDelta, Release,
    ReleaseIndex, Retention, RELEASES_INDEX, STATICFILES_JSON,
};
pub use rewrite::{process, MissingReferences, ProcessedFile, RewriteOptions};
pub use suggest::{closest_matches, did_you_mean};
pub use url_path::{check_url_path, normalize_prefix, percent_encode_path};
pub use walk::{left_out_folders, stamps, walk, FileStamp, SourceFile};
