//! The demo app as a real process on a loopback port, for the check to look at.

// Each test binary that includes this module uses a part of it.
#![allow(dead_code)]

pub(crate) use hyper_assets_tests::processes::demo_binary;
use hyper_assets_tests::processes::{free_addr, start_listening, Running};
use std::net::SocketAddr;
use std::process::Command;

/// Starts the demo (production mode, no other settings than `env`) on a free port.
pub(crate) fn start_demo(env: &[(&str, &str)]) -> (SocketAddr, Running) {
    let addr = free_addr();
    let mut demo = Command::new(demo_binary());
    demo.env_clear()
        .env("STATIC_DEV_MODE", "false")
        .env("ADDR", addr.to_string())
        .envs(env.iter().copied());
    (addr, start_listening(demo, addr, "demo", false))
}
