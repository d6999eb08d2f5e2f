//! Rebuilds the demo when a file is added to or removed from a folder its
//! `hyper_assets!` call embeds (`static`, and the `templates` component).

fn main() {
    hyper_assets_build::watch_embedded();
}
