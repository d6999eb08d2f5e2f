//! Processes the end-to-end tests run: children stopped on drop, free loopback ports,
//! a real nginx started from a configuration, and the demo binary of the test's profile.

use crate::cargo_project::{target_dir, workspace_root};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A child process stopped when the test ends, passed or failed.
#[derive(Debug)]
pub struct Running {
    /// The process.
    pub child: Child,
    /// nginx must be asked (SIGTERM to the master), or its workers outlive it.
    pub graceful: bool,
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

/// A loopback address nothing listens on (yet), never the same twice in one process.
///
/// Ports come from below Linux's ephemeral range (32768 and up), which `bind(:0)` and
/// every outgoing connection draw from: a port picked there can be handed to another
/// test's `bind(:0)`, or become a client socket's local port, before the child binds it.
/// Each process starts at its own offset so test binaries running at once do not meet.
pub fn free_addr() -> SocketAddr {
    use std::sync::atomic::{AtomicU32, Ordering};
    const FIRST: u32 = 20_000;
    const COUNT: u32 = 12_000;
    static NEXT: AtomicU32 = AtomicU32::new(u32::MAX);
    let start = std::process::id().wrapping_mul(7_919) % COUNT;
    let _ = NEXT.compare_exchange(u32::MAX, start, Ordering::Relaxed, Ordering::Relaxed);
    for _ in 0..COUNT {
        let port = FIRST + NEXT.fetch_add(1, Ordering::Relaxed) % COUNT;
        let addr = SocketAddr::from(([127, 0, 0, 1], port as u16));
        if TcpListener::bind(addr).is_ok() {
            return addr;
        }
    }
    panic!(
        "no free loopback port between {FIRST} and {}",
        FIRST + COUNT
    );
}

/// Waits until `addr` accepts connections; panics when `child` exits first or after 20 s.
pub fn wait_until_listening(addr: SocketAddr, what: &str, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(addr).is_err() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("{what} exited with {status} before listening on {addr}");
        }
        assert!(Instant::now() < deadline, "{what} never listened on {addr}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Debian's nginx; panics (never skips) when it is not installed.
pub fn nginx_binary() -> PathBuf {
    for candidate in ["/usr/sbin/nginx", "/usr/bin/nginx"] {
        if Path::new(candidate).exists() {
            return PathBuf::from(candidate);
        }
    }
    panic!("nginx is not installed (Debian package `nginx`); the routing e2e test needs it");
}

/// Starts nginx with `http_config` inside `http {}`, its prefix, pid file and temp
/// folders in `dir`, after `nginx -t` accepts the configuration.
pub fn start_nginx(dir: &Path, http_config: &str, listen: SocketAddr) -> Running {
    std::fs::create_dir_all(dir).unwrap();
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.starts_with(b"0\n"));
    let d = dir.display();
    let config = format!(
        "{user}worker_processes 1;\ndaemon off;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
         events {{ worker_connections 512; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  \
         fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n{http_config}}}\n",
        user = if is_root { "user root;\n" } else { "" },
    );
    std::fs::write(dir.join("nginx.conf"), &config).unwrap();
    let check = Command::new(nginx_binary())
        .args(["-t", "-p"])
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "nginx -t refused:\n{}\n{config}",
        String::from_utf8_lossy(&check.stderr)
    );
    let mut nginx = Command::new(nginx_binary());
    nginx
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"));
    start_listening(nginx, listen, "nginx", true)
}

/// Spawns `command` with its output discarded and waits until it listens on `addr`.
/// The process is owned before the wait, so a failed start still stops it; on drop it is
/// killed, or asked with SIGTERM first when `graceful` (nginx).
pub fn start_listening(
    mut command: Command,
    addr: SocketAddr,
    what: &str,
    graceful: bool,
) -> Running {
    command.stdout(Stdio::null()).stderr(Stdio::null());
    let mut running = Running {
        child: command.spawn().unwrap(),
        graceful,
    };
    wait_until_listening(addr, what, &mut running.child);
    running
}

/// The demo binary of this test's profile (`target/<profile>/demo`), built with
/// `cargo build -p demo` first if it is not there: it is another package's binary, so
/// cargo does not build it for this package's tests.
pub fn demo_binary() -> PathBuf {
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

/// Runs `binary collect DIR` with an empty environment (the binary's own collect, or the
/// demo's), asserts it succeeded, and returns what it printed.
pub fn collect_with(binary: &Path, dir: &Path) -> String {
    let output = Command::new(binary)
        .env_clear()
        .arg("collect")
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{} collect {}: {}",
        binary.display(),
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}
