//! The demo app as a real process on a loopback port, for the check to look at.

// Each test binary that includes this module uses a part of it.
#![allow(dead_code)]

pub(crate) use hyper_assets_tests::processes::demo_binary;
use hyper_assets_tests::processes::{free_addr, wait_until_listening, Running};
use std::net::SocketAddr;
use std::process::{Command, Stdio};

/// Starts the demo (production mode, no other settings than `env`) on a free port.
pub(crate) fn start_demo(env: &[(&str, &str)]) -> (SocketAddr, Running) {
    let addr = free_addr();
    let child = Command::new(demo_binary())
        .env_clear()
        .env("STATIC_DEV_MODE", "false")
        .env("ADDR", addr.to_string())
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut running = Running {
        child,
        graceful: false,
    };
    wait_until_listening(addr, "demo", &mut running.child);
    (addr, running)
}
