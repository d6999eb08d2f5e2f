//! Throwaway crates built with the real cargo, to test what only a build can show:
//! rebuilds after edits, determinism across folders, the README's quick start.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A crate in a scratch folder below the workspace's `target/`, removed on drop.
#[derive(Debug)]
pub struct CargoProject {
    dir: PathBuf,
    name: String,
}

/// The outcome of one `cargo build`.
#[derive(Debug)]
pub struct Build {
    /// Whether cargo succeeded.
    pub success: bool,
    /// What cargo and rustc printed.
    pub stderr: String,
}

impl Build {
    /// Whether cargo compiled the project's own crate (not only checked it was fresh).
    pub fn compiled(&self, name: &str) -> bool {
        self.stderr
            .lines()
            .any(|line| line.trim_start().starts_with(&format!("Compiling {name} ")))
    }
}

/// The workspace root (the folder with the root `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The cargo target folder the running test binary was built in.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    // <target>/<profile>/deps/<test binary>
    exe.ancestors()
        .nth(3)
        .expect("test binary lives in <target>/<profile>/deps")
        .to_path_buf()
}

impl CargoProject {
    /// A new, empty project folder named `name` (also the package name).
    pub fn new(name: &str) -> Self {
        let dir = target_dir().join("cargo-projects").join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create project folder");
        Self {
            dir,
            name: name.to_owned(),
        }
    }

    /// The project folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes a file (creating folders), relative to the project folder.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let path = self.dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("file has a parent")).expect("mkdir");
        std::fs::write(path, contents).expect("write");
    }

    /// Removes a file.
    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.dir.join(rel)).expect("remove");
    }

    /// Writes `Cargo.toml` with `dependencies` and `build_dependencies` (TOML lines), see
    /// [`CargoProject::manifest_from`].
    pub fn manifest(&self, dependencies: &str, build_dependencies: &str) {
        self.manifest_from(&format!(
            "[dependencies]\n{dependencies}\n\n[build-dependencies]\n{build_dependencies}\n\n\
             [profile.dev.build-override]\nopt-level = 3\n"
        ));
    }

    /// Writes `Cargo.toml` from a snippet of sections (as a README shows them), with a
    /// `[package]` in front, every `hyper-assets = ...` and `hyper-assets-build = ...`
    /// line pointed at this workspace (a version becomes a path, a `path` is replaced; an
    /// inline table keeps its other keys),
    /// and the workspace's `Cargo.lock` beside it so versions match.
    pub fn manifest_from(&self, sections: &str) {
        let root = workspace_root();
        let sections: Vec<String> = sections
            .lines()
            .map(|line| {
                // The crates of this workspace by name, longest first: a path in place of
                // the version.
                let found = [("hyper-assets-build", "build"), ("hyper-assets", "runtime")]
                    .into_iter()
                    .find(|(name, _)| line.trim_start().starts_with(&format!("{name} =")));
                let Some((name, folder)) = found else {
                    return line.to_owned();
                };
                let path = root.join(folder).display().to_string();
                // `{ path = "../hyper-assets/runtime", ... }` as the README shows it: this
                // checkout's folder in place of the one beside the user's crate.
                if let Some((head, rest)) = line.split_once("path = \"") {
                    let rest = &rest[rest.find('"').map_or(rest.len(), |end| end + 1)..];
                    return format!("{head}path = {path:?}{rest}");
                }
                match line.split_once('{') {
                    // `hyper-assets = { features = [...] }`: keep the table, add the path.
                    Some((head, rest)) => {
                        let rest = rest.trim_start();
                        let separator = if rest.starts_with('}') { " " } else { ", " };
                        format!("{head}{{ path = {path:?}{separator}{rest}")
                    }
                    None => format!("{name} = {{ path = {path:?} }}"),
                }
            })
            .collect();
        self.write(
            "Cargo.toml",
            format!(
                "[package]\nname = \"{}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n{}\n\n[workspace]\n",
                self.name,
                sections.join("\n"),
            ),
        );
        let lock = std::fs::read(workspace_root().join("Cargo.lock")).expect("Cargo.lock");
        self.write("Cargo.lock", lock);
    }

    /// The text of a file of the project.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.dir.join(rel)).expect("read a project file")
    }

    /// Runs `cargo build` (offline, in a target folder shared by all such projects).
    pub fn build(&self) -> Build {
        self.build_with(&[])
    }

    /// Runs `cargo build` with more arguments (`--keep-going`), as [`CargoProject::build`].
    pub fn build_with(&self, args: &[&str]) -> Build {
        let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
            .args(["build", "--offline"])
            .args(args)
            .current_dir(&self.dir)
            .env(
                "CARGO_TARGET_DIR",
                target_dir().join("cargo-projects-target"),
            )
            .env_remove("CARGO_MANIFEST_DIR")
            // What `cargo test` passes on from this crate's build script (its `OUT_DIR`,
            // the folders it watches): the project's own build script speaks for it.
            .env_remove("OUT_DIR")
            .env_remove("HYPER_ASSETS_WATCHED")
            .env_remove("RUSTFLAGS")
            // Built once per change and never edited in place: an incremental cache here
            // only takes disk (gigabytes across the projects).
            .env("CARGO_INCREMENTAL", "0")
            .output()
            .expect("run cargo");
        Build {
            success: output.status.success(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Builds and panics with cargo's output on failure.
    pub fn build_ok(&self) -> Build {
        let build = self.build();
        assert!(
            build.success,
            "cargo build of {} failed:\n{}",
            self.name, build.stderr
        );
        build
    }

    /// The path of the built binary.
    pub fn binary(&self) -> PathBuf {
        target_dir()
            .join("cargo-projects-target/debug")
            .join(&self.name)
    }

    /// Runs the built binary and returns its standard output.
    pub fn run(&self) -> String {
        let binary = self.binary();
        let output = Command::new(&binary).output().expect("run the binary");
        assert!(
            output.status.success(),
            "{} failed: {output:?}",
            binary.display()
        );
        String::from_utf8(output.stdout).expect("utf-8 output")
    }
}

impl Drop for CargoProject {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
