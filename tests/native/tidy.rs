//! Tidy: the architecture's invariants, checked on the source tree (see ARCHITECTURE.md).

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn sources() -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| (p.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/"), std::fs::read_to_string(&p).unwrap()))
        .collect()
}

/// The core is everything but the binding and the command line.
fn is_core(path: &str) -> bool {
    !path.starts_with("src/wasm/") && !path.starts_with("src/bin/")
}

#[test]
fn every_module_starts_with_a_doc_comment() {
    for (path, text) in sources() {
        assert!(text.starts_with("//!"), "{path} must start with a `//!` module doc");
    }
}

#[test]
fn wasm_names_appear_only_under_src_wasm() {
    for (path, text) in sources() {
        if path.starts_with("src/wasm/") {
            continue;
        }
        for name in ["wasm_bindgen", "js_sys", "web_sys", "serde_wasm_bindgen", "console_error_panic_hook"] {
            assert!(!text.contains(name), "{path} names {name}; only src/wasm/ may");
        }
    }
}

#[test]
fn the_core_reads_no_clock_no_os_randomness_and_does_no_io() {
    let banned = [
        "SystemTime",
        "Instant::now",
        "thread_rng",
        "getrandom",
        "rand::",
        "std::fs",
        "std::net",
        "std::env",
        "std::process",
        "std::io::stdin",
        "println!",
        "eprintln!",
    ];
    for (path, text) in sources() {
        if !is_core(&path) {
            continue;
        }
        for word in banned {
            assert!(!text.contains(word), "{path} uses {word}: the core takes dates, seeds and bytes as arguments");
        }
    }
}

#[test]
fn no_stubs_and_no_files_past_900_lines() {
    for (path, text) in sources() {
        assert!(!text.contains(concat!("todo", "!(")) && !text.contains(concat!("unimplemented", "!(")), "{path} has a stub");
        assert!(text.lines().count() <= 900, "{path} has {} lines; split it", text.lines().count());
    }
}

#[test]
fn wasm_only_dependencies_are_target_gated() {
    let manifest = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let (host, wasm) = manifest.split_once("[target.'cfg(target_arch = \"wasm32\")'.dependencies]").expect("a wasm32 dependency table");
    for name in ["wasm-bindgen", "js-sys", "web-sys", "serde-wasm-bindgen", "console_error_panic_hook"] {
        assert!(!host.contains(&format!("\n{name} =")), "{name} must be a wasm32-only dependency");
    }
    assert!(wasm.contains("wasm-bindgen = \"="), "wasm-bindgen is pinned with = to the CLI's version");
}
