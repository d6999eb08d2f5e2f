//! Rebuild when a benchmark asset is added or removed; memory-serve loads its copy here.

fn main() {
    hyper_assets_build::watch("assets");
    // memory-serve embeds the same folder from its build script.
    std::env::set_var("MEMORY_SERVE_QUIET", "1");
    memory_serve::load_directory("assets");
}
