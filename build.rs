//! Links libpython so the binary finds it where the build found it, and turns the Python package
//! shipped in `src/python/` into bytecode embedded in the binary (no import-time compile).

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
    pyo3_build_config::add_libpython_rpath_link_args();
    let config = pyo3_build_config::get();
    let python = config
        .executable()
        .map(str::to_owned)
        .expect("pyo3 found no Python executable; set PYO3_PYTHON to a python3 (3.10 or newer)");
    println!("cargo:rustc-env=MOSS_BUILD_PYTHON={python}");
    println!("cargo:rerun-if-changed=src/python");

    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("src/python");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
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
