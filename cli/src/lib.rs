//! The `hyper-assets` command line as a library, so tests and other tools can run its
//! commands without a process: [`check`] verifies a live deployment's cache contract
//! from outside, over the plain-HTTP [`http_client`].

pub mod check;
pub mod http_client;
pub mod http_url;
