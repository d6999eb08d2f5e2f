//! What the demo's process-level tests share: child processes stopped on drop, free
//! loopback ports, a real nginx started from a configuration, and variant builds of the
//! demo (its sources with edits, built as their own crate).

// Each test binary that includes this module uses a part of it.
#![allow(dead_code)]

use hyper_assets_tests::cargo_project::{workspace_root, CargoProject};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
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

pub(crate) fn nginx_binary() -> PathBuf {
    for candidate in ["/usr/sbin/nginx", "/usr/bin/nginx"] {
        if Path::new(candidate).exists() {
            return PathBuf::from(candidate);
        }
    }
    panic!("nginx is not installed (Debian package `nginx`); the routing e2e test needs it");
}

/// Starts nginx with `http_config` inside `http {}`, its prefix, pid file and temp
/// folders in `dir`, after `nginx -t` accepts the configuration.
pub(crate) fn start_nginx(dir: &Path, http_config: &str, listen: SocketAddr) -> Running {
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
    let child = Command::new(nginx_binary())
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut running = Running {
        child,
        graceful: true,
    };
    wait_until_listening(listen, "nginx", &mut running.child);
    running
}

/// The demo's sources, edited by `edit`, built as the crate `name`.
pub(crate) fn build_variant(name: &str, edit: impl FnOnce(&CargoProject)) -> CargoProject {
    let demo = workspace_root().join("examples/demo");
    let project = CargoProject::new(name);
    for rel in [
        "build.rs",
        "src/main.rs",
        "templates/index.html",
        "config/site.json",
        "static/css/styles.css",
        "static/js/app.js",
        "static/img/logo.png",
        "static/fonts/hyper-block.woff",
    ] {
        project.write(rel, std::fs::read(demo.join(rel)).unwrap());
    }
    edit(&project);
    project.manifest_from(
        r#"[dependencies]
hyper-assets = { features = ["minijinja"] }
axum = "0.8"
tokio = { version = "1", features = ["rt-multi-thread", "macros", "net", "signal"] }
minijinja = { version = "2", default-features = false, features = ["builtins", "macros", "multi_template", "serde"] }
tracing-subscriber = { version = "0.3", default-features = false, features = ["fmt", "ansi", "std"] }
tower-http = { version = "0.6", default-features = false, features = ["set-header"] }

[build-dependencies]
hyper-assets-build = {}

[profile.dev.build-override]
opt-level = 3
"#,
    );
    project.build_ok();
    project
}
