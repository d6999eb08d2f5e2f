//! Serving: the static service, the one model of a served file, and the HTTP rules every
//! answer follows (conditional requests, ranges, content negotiation, safe paths).

pub(crate) mod accept_encoding;
pub(crate) mod delta;
pub(crate) mod if_match;
pub(crate) mod if_none_match;
pub(crate) mod range;
mod release_folder;
pub(crate) mod request_path;
mod respond;
mod served_file;
mod static_service;

pub use crate::manifest::Encoded;
pub(crate) use respond::status;
pub use respond::{IMMUTABLE, NO_STORE, REVALIDATE};
pub(crate) use served_file::FileSet;
pub use served_file::ServedFile;
pub(crate) use static_service::DiskFolder;
pub use static_service::{Body, StaticFuture, StaticService, StaticServiceFuture};
