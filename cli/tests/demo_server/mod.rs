//! The demo app as a real process on a loopback port, for the check to look at.

// Each test binary that includes this module uses a part of it.
#![allow(dead_code)]

use hyper_assets_tests::cargo_project::{target_dir, workspace_root};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A child process stopped when the test ends, passed or failed.
pub(crate) struct Running {
    pub(crate) child: Child,
    /// nginx must be asked (SIGTERM to the master), or its workers outlive it.
    pub(crate) graceful: bool,
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.graceful {
            let _ = Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback address nothing listens on (yet).
pub(crate) fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

pub(crate) fn wait_until_listening(addr: SocketAddr, what: &str, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(addr).is_err() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("{what} exited with {status} before listening on {addr}");
        }
        assert!(Instant::now() < deadline, "{what} never listened on {addr}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// The demo binary of this test's profile (`target/<profile>/demo`), built with
/// `cargo build -p demo` first if it is not there: it is another package's binary, so
/// cargo does not build it for this package's tests.
pub(crate) fn demo_binary() -> PathBuf {
    // Once per test binary: tests running in parallel wait for one build.
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(find_or_build_demo).clone()
}

fn find_or_build_demo() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // <target>/<profile>/deps/<test binary>
    let profile_dir = exe.ancestors().nth(2).unwrap().to_path_buf();
    let binary = profile_dir.join(format!("demo{}", std::env::consts::EXE_SUFFIX));
    if binary.exists() {
        return binary;
    }
    let release = profile_dir
        .file_name()
        .is_some_and(|name| name == "release");
    let mut build = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    build
        .args(["build", "-p", "demo"])
        .current_dir(workspace_root())
        .env("CARGO_TARGET_DIR", target_dir());
    if release {
        build.arg("--release");
    }
    let status = build.status().unwrap();
    assert!(status.success(), "cargo build -p demo failed: {status}");
    assert!(
        binary.exists(),
        "cargo build -p demo made no {}",
        binary.display()
    );
    binary
}

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
