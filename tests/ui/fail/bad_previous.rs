// A release folder with a planted file (its bytes do not hash to its name), and one
// that does not exist: both are errors on the `previous` literal, naming the file.
mod planted {
    hyper_assets::hyper_assets!("fixtures/basic", previous = "fixtures/releases-corrupt");
}

mod missing {
    hyper_assets::hyper_assets!("fixtures/basic", previous = "fixtures/no-releases");
}

fn main() {}
