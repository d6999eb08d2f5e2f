#!/usr/bin/env python3
"""Build-side measurements: the same generated asset tree (1 MB and 16 MB of CSS, JS and
images) embedded by hyper-assets, rust-embed, include_dir and plain `include_bytes!`,
next to the same crate with no assets.

For each crate, in the dev profile (the edit-compile loop; rust-embed with `debug-embed`
so it embeds as it does in release): a cold build of the crate (its dependencies already
built), a rebuild after touching only main.rs and one after editing one asset (each the
median of three), the peak
memory of the build (rustc, macros included), the binary size, and the time from spawning
the binary to its first successful response for an asset.

    python3 build_side.py OUT.json

With `--deltas`, the build cost of the deltas between releases (issue 23) instead: the
compressed 16 MB build with `previous = "releases"` naming one earlier release, collected
by the deploy CLI (`hyper-assets collect`) from the tree before a tenth of its files
changed, with deltas on (the default) and off (`deltas = false`): cold builds of the two
crates in turn (DELTA_BUILD_RUNS, 5 each by default), the median of each, in wall-clock
and in CPU seconds (this machine is shared: CPU time moves less with the neighbours).

    python3 build_side.py --deltas OUT.json
"""

import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNTIME = HERE.parent / "runtime"
BUILD = HERE.parent / "build"
TARGET = HERE / "target" / "build-side"
SIZES = {"tiny": 1024, "1mb": 1 << 20, "16mb": 16 << 20}
KINDS = ["none", "include_bytes", "include_dir", "rust-embed", "ours", "ours-compress"]
FILE_SIZE = 80 * 1024

DEPS = f"""
[dependencies]
hyper-assets = {{ path = "{RUNTIME}" }}
axum = {{ version = "0.8", default-features = false, features = ["http1", "tokio"] }}
tokio = {{ version = "1", features = ["rt", "macros", "net"] }}
rust-embed = {{ version = "8", features = ["debug-embed"] }}
include_dir = "0.7"
"""

SERVE = """
async fn serve(router: axum::Router) {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:0".into());
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    axum::serve(listener, router).await.unwrap();
}
#[allow(dead_code)]
const TOUCHED: &str = "0";
"""


def text_file(rng, kind, size):
    """Compressible CSS or JS, like real stylesheets and bundles."""
    out, i = [], 0
    while sum(map(len, out)) < size:
        n = rng.randrange(1 << 20)
        if kind == "css":
            out.append(f".c{n} {{ margin: {n % 17}px; color: #{n % 4096:03x}; }}\n")
        else:
            out.append(f"export function f{n}(x) {{ return x * {n % 97} + {i}; }}\n")
        i += 1
    return "".join(out).encode()[:size]


def generate_tree(root, total):
    """Half text (CSS, JS), half incompressible images, ~80 KB per file."""
    rng = random.Random(total)
    written, i = 0, 0
    while written < total:
        size = min(FILE_SIZE, total - written)
        kind = ("css", "js", "png")[i % 3]
        folder = root / {"css": "css", "js": "js", "png": "img"}[kind]
        folder.mkdir(parents=True, exist_ok=True)
        data = rng.randbytes(size) if kind == "png" else text_file(rng, kind, size)
        (folder / f"file{i:04}.{kind}").write_bytes(data)
        written += size
        i += 1
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def main_rs(kind, files):
    first = files[0]
    if kind == "none":
        body = """
#[tokio::main(flavor = "current_thread")]
async fn main() {
    serve(axum::Router::new().route("/static/{*path}", axum::routing::get(|| async { "none" }))).await;
}
"""
    elif kind == "include_bytes":
        entries = "\n".join(
            f'    ("{f}", include_bytes!("../assets/{f}")),' for f in files
        )
        body = f"""
static FILES: &[(&str, &[u8])] = &[
{entries}
];

#[tokio::main(flavor = "current_thread")]
async fn main() {{
    let router = axum::Router::new().route(
        "/static/{{*path}}",
        axum::routing::get(|axum::extract::Path(path): axum::extract::Path<String>| async move {{
            FILES.iter().find(|(name, _)| *name == path).map(|(_, bytes)| *bytes).unwrap_or_default()
        }}),
    );
    serve(router).await;
}}
"""
    elif kind == "include_dir":
        body = """
static DIR: include_dir::Dir<'static> = include_dir::include_dir!("$CARGO_MANIFEST_DIR/assets");

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let router = axum::Router::new().route(
        "/static/{*path}",
        axum::routing::get(|axum::extract::Path(path): axum::extract::Path<String>| async move {
            DIR.get_file(&path).map(|file| file.contents()).unwrap_or_default()
        }),
    );
    serve(router).await;
}
"""
    elif kind == "rust-embed":
        body = """
#[derive(rust_embed::Embed)]
#[folder = "assets"]
struct Assets;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let router = axum::Router::new().route(
        "/static/{*path}",
        axum::routing::get(|axum::extract::Path(path): axum::extract::Path<String>| async move {
            <Assets as rust_embed::RustEmbed>::get(&path).map(|file| file.data).unwrap_or_default()
        }),
    );
    serve(router).await;
}
"""
    else:
        compress = "true" if kind == "ours-compress" else "false"
        body = f"""
hyper_assets::hyper_assets!("assets", compress = {compress});

#[tokio::main(flavor = "current_thread")]
async fn main() {{
    serve(axum::Router::new().fallback_service(assets::MANIFEST.service())).await;
}}
"""
    return SERVE + body, f"/static/{first}"


def build(workspace, package, env):
    """Builds one package; returns (seconds, peak RSS in bytes of the build)."""
    seconds, rss, _ = build_usage(workspace, package, env)
    return seconds, rss


def build_usage(workspace, package, env):
    """Builds one package; returns (seconds, peak RSS in bytes, CPU seconds: user and
    system time of cargo and everything it ran, rustc and the macros inside it)."""
    start = time.monotonic()
    process = subprocess.Popen(
        ["cargo", "build", "-q", "-p", package],
        cwd=workspace,
        env=env,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - start
    if status != 0:
        sys.exit(f"build_side: building {package} failed")
    return seconds, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


def first_response(binary, url):
    """Seconds from spawning the server to its first 200 for `url`."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    start = time.monotonic()
    server = subprocess.Popen([str(binary), f"127.0.0.1:{port}"], stderr=subprocess.DEVNULL)
    try:
        request = f"GET {url} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
        while time.monotonic() - start < 30:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
                    conn.sendall(request)
                    head = conn.recv(64)
                    if head.startswith(b"HTTP/1.1 200"):
                        return time.monotonic() - start
                    sys.exit(f"build_side: {binary.name} answered {head[:20]!r} for {url}")
            except (ConnectionRefusedError, ConnectionResetError):
                time.sleep(0.0005)
        sys.exit(f"build_side: {binary.name} never answered")
    finally:
        server.kill()
        server.wait()


def build_cli(env):
    """The deploy CLI, built from this checkout into bench/target/cli; its path."""
    cli_env = dict(env, CARGO_TARGET_DIR=str(HERE / "target" / "cli"))
    subprocess.run(
        ["cargo", "build", "--release", "--locked", "-q", "-p", "hyper-assets-cli",
         "--manifest-path", str(HERE.parent / "Cargo.toml")],
        env=cli_env, check=True,
    )
    return HERE / "target" / "cli" / "release" / "hyper-assets"


def change_a_tenth(root, files):
    """The next release: every tenth file changed, as a deploy changes them. A text file
    gets one line of its middle edited (a rule, a function); an image is new bytes."""
    rng = random.Random(23)
    changed = []
    for i, name in enumerate(files):
        if i % 10 != 5:
            continue
        path = root / name
        if name.endswith(".png"):
            path.write_bytes(rng.randbytes(path.stat().st_size))
        else:
            lines = path.read_text().split("\n")
            middle = len(lines) // 2
            lines[middle] = lines[middle] + " /* changed in the next release */"
            path.write_text("\n".join(lines))
        changed.append(name)
    return changed


DELTA_CRATES = {"deltas-on": "", "deltas-off": ", deltas = false"}


def delta_build_cost(out):
    work = Path(tempfile.mkdtemp(prefix="build-side-deltas-"))
    env = dict(os.environ, CARGO_TARGET_DIR=str(TARGET))
    try:
        before = work / "before"
        files = generate_tree(before, SIZES["16mb"])
        cli = build_cli(env)
        releases = work / "releases"
        subprocess.run([str(cli), "collect", str(releases), "--static", str(before)],
                       check=True, stdout=subprocess.DEVNULL)
        after = work / "after"
        shutil.copytree(before, after)
        changed = change_a_tenth(after, files)
        packages = []
        for name, option in DELTA_CRATES.items():
            package = f"bs-ours-compress-16mb-{name}"
            crate = work / package
            (crate / "src").mkdir(parents=True)
            shutil.copytree(after, crate / "assets")
            shutil.copytree(releases, crate / "releases")
            (crate / "src" / "main.rs").write_text(SERVE + f"""
hyper_assets::hyper_assets!("assets", previous = "releases"{option});

#[tokio::main(flavor = "current_thread")]
async fn main() {{
    serve(axum::Router::new().fallback_service(assets::MANIFEST.service())).await;
}}
""")
            (crate / "Cargo.toml").write_text(
                f'[package]\nname = "{package}"\nversion = "0.0.0"\nedition = "2021"\n'
                f'publish = false\n{DEPS}\n[build-dependencies]\n'
                f'hyper-assets-build = {{ path = "{BUILD}" }}\n'
            )
            (crate / "build.rs").write_text('fn main() { hyper_assets_build::watch("assets"); }\n')
            packages.append((name, package))
        (work / "Cargo.toml").write_text(
            "[workspace]\nresolver = \"2\"\nmembers = ["
            + ", ".join(f'"{p}"' for _, p in packages)
            + "]\n\n[profile.dev.build-override]\nopt-level = 3\n"
        )
        lock = HERE / "build-side.lock"
        if lock.exists():
            shutil.copy(lock, work / "Cargo.lock")
        print("build_side: building dependencies", file=sys.stderr)
        build(work, packages[1][1], env)
        runs = {name: [] for name, _ in packages}
        cpu = {name: [] for name, _ in packages}
        rss = {name: 0 for name, _ in packages}
        # In turn (on, off, on, off, ...), so a drift of the machine's speed hits both.
        for _ in range(int(os.environ.get("DELTA_BUILD_RUNS", "5"))):
            for name, package in packages:
                subprocess.run(["cargo", "clean", "-q", "-p", package], cwd=work, env=env, check=True)
                seconds, peak, cpu_seconds = build_usage(work, package, env)
                runs[name].append(seconds)
                cpu[name].append(cpu_seconds)
                rss[name] = max(rss[name], peak)
                print(f"build_side: {package} cold {seconds:.2f} s ({cpu_seconds:.2f} s CPU)",
                      file=sys.stderr)
        # The deltas the last build made: the macro's cache in the crate's OUT_DIR.
        made = {"dcb": 0, "dcz": 0}
        for cache in (TARGET / "debug" / "build").glob(f"{packages[0][1]}-*/out/hyper-assets-compressed"):
            for encoding in made:
                made[encoding] += len(list(cache.glob(f"*.{encoding}")))
        texts = [name for name in changed if not name.endswith(".png")]
        result = {
            "files": len(files),
            "changed": len(changed),
            "changed_text": len(texts),
            "payload": SIZES["16mb"],
            "deltas_made": made,
            "cold_s": runs,
            "median_s": {name: statistics.median(times) for name, times in runs.items()},
            "cpu_s": cpu,
            "median_cpu_s": {name: statistics.median(times) for name, times in cpu.items()},
            "peak_rss": rss,
        }
        print(f"build_side: deltas {result}", file=sys.stderr)
        out.write_text(json.dumps(result, indent=1))
    finally:
        if not os.environ.get("KEEP_WORK"):
            shutil.rmtree(work, ignore_errors=True)


def main():
    if sys.argv[1] == "--deltas":
        delta_build_cost(Path(sys.argv[2]))
        return
    out = Path(sys.argv[1])
    work = Path(tempfile.mkdtemp(prefix="build-side-"))
    env = dict(os.environ, CARGO_TARGET_DIR=str(TARGET))
    try:
        members, plan = [], []
        trees = {}
        for size_name, size in SIZES.items():
            tree = work / f"tree-{size_name}"
            trees[size_name] = generate_tree(tree, size)
            for kind in KINDS:
                if kind == "none" and size_name != "tiny":
                    continue  # the no-asset crate does not depend on the size
                package = f"bs-{kind}-{size_name}".replace("_", "-")
                crate = work / package
                (crate / "src").mkdir(parents=True)
                if kind != "none":
                    shutil.copytree(tree, crate / "assets")
                source, url = main_rs(kind, trees[size_name])
                (crate / "src" / "main.rs").write_text(source)
                (crate / "Cargo.toml").write_text(
                    f'[package]\nname = "{package}"\nversion = "0.0.0"\nedition = "2021"\n'
                    f"publish = false\n{DEPS}"
                )
                if kind.startswith("ours"):
                    (crate / "build.rs").write_text(
                        'fn main() { hyper_assets_build::watch("assets"); }\n'
                    )
                    with open(crate / "Cargo.toml", "a") as manifest:
                        manifest.write(f'\n[build-dependencies]\nhyper-assets-build = {{ path = "{BUILD}" }}\n')
                members.append(package)
                plan.append((kind, size_name, package, crate, url, size))
        (work / "Cargo.toml").write_text(
            "[workspace]\nresolver = \"2\"\nmembers = ["
            + ", ".join(f'"{m}"' for m in members)
            + "]\n\n[profile.dev.build-override]\nopt-level = 3\n"
        )
        lock = HERE / "build-side.lock"
        if lock.exists():
            shutil.copy(lock, work / "Cargo.lock")
        # Dependencies once, so every cold build below is the app crate alone.
        print("build_side: building dependencies", file=sys.stderr)
        build(work, "bs-none-tiny", env)
        build(work, "bs-ours-tiny", env)
        shutil.copy(work / "Cargo.lock", lock)
        results = []
        for kind, size_name, package, crate, url, size in plan:
            subprocess.run(["cargo", "clean", "-q", "-p", package], cwd=work, env=env, check=True)
            cold, cold_rss = build(work, package, env)
            # Rebuilds are short and noisy: the median of three, each after its own edit.
            main = crate / "src" / "main.rs"
            touches, touched_rss = [], 0
            for n in range(1, 4):
                source = main.read_text()
                main.write_text(source.replace(f'TOUCHED: &str = "{n - 1}"', f'TOUCHED: &str = "{n}"'))
                seconds, rss = build(work, package, env)
                touches.append(seconds)
                touched_rss = max(touched_rss, rss)
            touched = sorted(touches)[1]
            edited = None
            if kind != "none":
                asset = crate / "assets" / trees[size_name][0]
                edits = []
                for n in range(3):
                    asset.write_bytes(asset.read_bytes() + f"\n/* edit {n} */\n".encode())
                    edits.append(build(work, package, env)[0])
                edited = sorted(edits)[1]
            binary = TARGET / "debug" / package
            ttfr = sorted(first_response(binary, url) for _ in range(5))[2]
            row = {
                "kind": kind,
                "size": size_name,
                "payload": size,
                "cold_s": cold,
                "touch_main_s": touched,
                "edit_asset_s": edited,
                "peak_rss": max(cold_rss, touched_rss),
                "binary": binary.stat().st_size,
                "first_response_s": ttfr,
            }
            print(f"build_side: {row}", file=sys.stderr)
            results.append(row)
        out.write_text(json.dumps({"rows": results}, indent=1))
    finally:
        if not os.environ.get("KEEP_WORK"):
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
