//! Links libpython so that one binary runs any CPython 3.10+, and turns the Python package shipped
//! in `src/python/` into bytecode embedded in the binary (no import-time compile).
//!
//! The binary needs `libpython3.so`, the library every CPython 3 ships whose only content is the
//! dependency on its own `libpython3.X.so.1.0`: the loader finds it through the binary's RUNPATH
//! (the build interpreter's library folder) or, when moss chooses another Python at start-up,
//! through `LD_LIBRARY_PATH`. The linker will not resolve symbols through that indirection, so
//! the link uses a stub of the same name that defines the build libpython's symbols; the binary
//! keeps only its name.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Turns each source into marshalled bytecode with the very interpreter we link against, so the
/// bytecode format always matches the runtime.
const COMPILE_SCRIPT: &str = r#"
import marshal, sys
out = sys.argv[1]
print(sys.implementation.cache_tag)
for i in range(2, len(sys.argv), 2):
    src, virtual = sys.argv[i], sys.argv[i + 1]
    with open(src, encoding="utf-8") as f:
        code = compile(f.read(), virtual, "exec", dont_inherit=True, optimize=0)
    with open(out + "/" + virtual.replace("/", "__") + ".bin", "wb") as f:
        f.write(marshal.dumps(code))
"#;

fn main() {
    let config = pyo3_build_config::get();
    let python = config
        .executable()
        .map(str::to_owned)
        .expect("pyo3 found no Python executable; set PYO3_PYTHON to a python3 (3.10 or newer)");
    let lib_dir =
        config.lib_dir().expect("pyo3 found no libpython folder; moss needs a CPython built with --enable-shared");
    println!("cargo:rustc-env=MOSS_BUILD_PYTHON={python}");
    println!("cargo:rerun-if-changed=src/python");
    println!("cargo:rerun-if-env-changed=PYO3_PYTHON");

    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("src/python");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    link_libpython3(Path::new(lib_dir), config.lib_name().expect("pyo3 names the libpython it found"), &out);
    let bytecode_dir = out.join("python");
    fs::create_dir_all(&bytecode_dir).unwrap();

    let mut sources = Vec::new();
    collect_sources(&root, &root, &mut sources);
    sources.sort();

    let mut cmd = Command::new(&python);
    cmd.arg("-c").arg(COMPILE_SCRIPT).arg(&bytecode_dir);
    for relative in &sources {
        cmd.arg(root.join(relative)).arg(virtual_path(relative));
    }
    let output = cmd.output().expect("could not run the build's Python to compile src/python");
    if !output.status.success() {
        panic!("compiling src/python failed:\n{}", String::from_utf8_lossy(&output.stderr));
    }
    let cache_tag = String::from_utf8(output.stdout).unwrap().trim().to_owned();

    let mut table = String::new();
    writeln!(table, "pub const CACHE_TAG: &str = {cache_tag:?};").unwrap();
    writeln!(table, "pub static MODULES: &[EmbeddedModule] = &[").unwrap();
    for relative in &sources {
        let virtual_name = virtual_path(relative);
        let is_package = relative.ends_with("__init__.py");
        let module = relative.trim_end_matches(".py").trim_end_matches("/__init__").replace('/', ".");
        let source = root.join(relative);
        let bytecode = bytecode_dir.join(format!("{}.bin", virtual_name.replace('/', "__")));
        writeln!(
            table,
            "    EmbeddedModule {{ name: {module:?}, is_package: {is_package}, file: {virtual_name:?}, \
             source: include_str!({:?}), bytecode: include_bytes!({:?}) }},",
            source.display().to_string(),
            bytecode.display().to_string()
        )
        .unwrap();
    }
    writeln!(table, "];").unwrap();
    fs::write(out.join("embedded_python.rs"), table).unwrap();
}

/// Links `libpython3.so` through a stub (see the module comment), with RUNPATH (which, unlike
/// RPATH, yields to `LD_LIBRARY_PATH`) at the build interpreter's library folder.
fn link_libpython3(lib_dir: &Path, lib_name: &str, out: &Path) {
    assert!(
        lib_dir.join("libpython3.so").is_file(),
        "{} has no libpython3.so, through which moss loads CPython; build with a Python that ships it \
         (pyenv's, python.org's), naming it with PYO3_PYTHON",
        lib_dir.display()
    );
    let library = lib_dir.join(format!("lib{lib_name}.so"));
    let symbols = Command::new(env::var("NM").unwrap_or_else(|_| "nm".into()))
        .args(["-D", "--defined-only", "-S"])
        .arg(&library)
        .output()
        .unwrap_or_else(|e| panic!("cannot run nm (binutils) on {}: {e}", library.display()));
    assert!(
        symbols.status.success(),
        "nm failed on {}: {}",
        library.display(),
        String::from_utf8_lossy(&symbols.stderr)
    );
    let mut stub = String::new();
    for line in String::from_utf8_lossy(&symbols.stdout).lines() {
        // "<address> <size> <type> <name>"; symbols without a size (absolute ones) are not libpython's API.
        let [_, size, kind, name] = line.split_whitespace().collect::<Vec<_>>()[..] else { continue };
        let size = u64::from_str_radix(size, 16).unwrap_or(0).max(1);
        match kind {
            "T" | "W" => writeln!(stub, "void {name}(void) {{}}").unwrap(),
            "D" | "B" | "R" | "V" => writeln!(stub, "char {name}[{size}];").unwrap(),
            _ => {}
        }
    }
    let stub_dir = out.join("libpython3-stub");
    fs::create_dir_all(&stub_dir).unwrap();
    let source = stub_dir.join("stub.c");
    fs::write(&source, stub).unwrap();
    let status = Command::new(env::var("CC").unwrap_or_else(|_| "cc".into()))
        .args(["-shared", "-fPIC", "-w", "-fno-builtin", "-Wl,-soname,libpython3.so", "-o"])
        .arg(stub_dir.join("libpython3.so"))
        .arg(&source)
        .status()
        .expect("cannot run the C compiler (cc) to build the link stub of libpython3.so");
    assert!(status.success(), "building the link stub of libpython3.so failed");
    println!("cargo:rustc-link-arg=-L{}", stub_dir.display());
    // Whatever its place in the link line: rustc's default --as-needed drops a library that comes
    // before the objects using it.
    println!("cargo:rustc-link-arg=-Wl,--push-state,--no-as-needed,-lpython3,--pop-state");
    println!("cargo:rustc-link-arg=-Wl,--enable-new-dtags,-rpath,{}", lib_dir.display());
    // A position-dependent executable: a PIE's 21,000 relative relocations (every pointer in its
    // tables) cost the loader ~10% of a `moss --version` and dirty 0.5 MiB that would otherwise
    // stay shared with the file. The code stays position-independent (linked at a fixed address);
    // the last of `-pie` (rustc's) and `-no-pie` wins.
    println!("cargo:rustc-link-arg-bins=-no-pie");
    // .cargo/config.toml asks for it; RUSTFLAGS set in the environment replaces that.
    if !env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default().contains("relro-level=partial") {
        println!(
            "cargo:warning=built without `-C relro-level=partial`: the binary binds libpython at load and cannot \
             start when a Python 3.9 libpython3.so comes first in LD_LIBRARY_PATH; add it to RUSTFLAGS"
        );
    }
}

/// The file name the shipped modules carry in tracebacks: clearly not a file on disk.
fn virtual_path(relative: &str) -> String {
    format!("<moss>/{relative}")
}

fn collect_sources(root: &Path, dir: &Path, found: &mut Vec<String>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "__pycache__") {
                collect_sources(root, &path, found);
            }
        } else if path.extension().is_some_and(|e| e == "py") {
            found.push(path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"));
        }
    }
}
