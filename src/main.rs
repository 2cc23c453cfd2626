//! The `moss` binary: everything is in the library.

fn main() {
    std::process::exit(moss::main());
}
