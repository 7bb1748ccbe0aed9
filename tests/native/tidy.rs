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

/// The layers of the core, bottom first (ARCHITECTURE.md, "Layers"). A module may name only modules of a lower
/// layer: never its own layer's siblings, never a layer above. `wasm` and `bin` sit above all of them.
const LAYERS: [&[&str]; 12] = [
    &["error"],
    &["base"],
    &["identity"],
    &["model"],
    &["ingest", "rfm", "sample"],
    &["metrics"],
    &["models"],
    &["rules"],
    &["tags"],
    &["audience"],
    &["export"],
    &["engine"],
];

/// Within a module, files whose order matters: a file may not name one listed after it.
const FILE_ORDER: [(&str, &[&str]); 3] = [
    ("rules", &["diagnostic", "lexer", "ast", "names", "parser", "check", "eval"]),
    ("audience", &["stats", "histogram", "index", "scope", "preview", "explain", "lists", "portrait", "split", "lift"]),
    ("export", &["activation", "members", "tables", "sql"]),
];

/// The text of a file before its unit tests (a test may use a generator from anywhere).
fn non_test(text: &str) -> &str {
    text.find("\n#[cfg(test)]\nmod tests").map_or(text, |i| &text[..i])
}

/// Every `crate::NAME` the code of a text refers to, with its line, including the names inside
/// `use crate::{a, b::c}` (comments, and the links in doc comments, are not dependencies).
fn crate_references(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim_start().starts_with("//")) {
        let mut rest = line;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            if let Some(group) = after.strip_prefix('{') {
                let inner = &group[..group.find('}').unwrap_or(group.len())];
                out.extend(inner.split(',').map(|p| (n + 1, p.trim().split("::").next().unwrap_or("").to_string())));
            } else {
                let name: String = after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                out.push((n + 1, name));
            }
            rest = after;
        }
    }
    out.retain(|(_, name)| !name.is_empty());
    out
}

/// The layer violations in one file of module `module`.
fn upward_references(module: &str, text: &str) -> Vec<String> {
    let layer = |m: &str| LAYERS.iter().position(|l| l.contains(&m));
    let Some(own) = layer(module) else {
        return vec![format!("module `{module}` is in no layer: add it to LAYERS and to ARCHITECTURE.md")];
    };
    crate_references(non_test(text))
        .into_iter()
        .filter(|(_, target)| target != module)
        .filter_map(|(line, target)| match layer(&target) {
            Some(l) if l < own => None,
            Some(_) => Some(format!("line {line}: `{module}` (layer {own}) names `crate::{target}`, which is not below it")),
            None => Some(format!("line {line}: `crate::{target}` is in no layer")),
        })
        .collect()
}

/// The file-order violations in one file: `super::X` or `crate::module::X` naming a file listed after it.
fn backward_file_references(module: &str, file: &str, text: &str) -> Vec<String> {
    let Some((_, order)) = FILE_ORDER.iter().find(|(m, _)| *m == module) else { return Vec::new() };
    let Some(own) = order.iter().position(|f| *f == file) else { return Vec::new() };
    let mut out = Vec::new();
    for (n, line) in non_test(text).lines().enumerate().filter(|(_, l)| !l.trim_start().starts_with("//")) {
        for (i, later) in order.iter().enumerate().skip(own + 1) {
            for pattern in [format!("super::{later}"), format!("crate::{module}::{later}")] {
                if line.contains(&pattern) && i > own {
                    out.push(format!("line {}: `{module}::{file}` names `{later}`, which comes after it", n + 1));
                }
            }
        }
    }
    out
}

#[test]
fn every_reference_points_down_a_layer() {
    let mut problems = Vec::new();
    for (path, text) in sources() {
        let Some(rest) = path.strip_prefix("src/") else { continue };
        let module = rest.split(['/', '.']).next().unwrap_or("");
        if !is_core(&path) || module == "lib" {
            continue;
        }
        problems.extend(upward_references(module, &text).into_iter().map(|p| format!("{path}: {p}")));
        let file = rest.split('/').nth(1).map(|f| f.trim_end_matches(".rs")).unwrap_or("mod");
        let file = if file == "mod" { rest.split('/').nth(2).map_or("mod", |f| f.trim_end_matches(".rs")) } else { file };
        problems.extend(backward_file_references(module, file, &text).into_iter().map(|p| format!("{path}: {p}")));
    }
    assert!(problems.is_empty(), "references that point up a layer:\n{}", problems.join("\n"));
}

#[test]
fn the_layer_check_finds_an_upward_reference() {
    // A fixture: the bottom layer naming the engine, and a lower file of the rules naming a later one.
    let fixture = "//! fixture\nuse crate::error::Result;\nuse crate::{engine::Workspace, base::dict};\nfn f() {}\n";
    let found = upward_references("base", fixture);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("crate::engine"), "{found:?}");
    assert!(upward_references("engine", fixture).is_empty());
    assert_eq!(backward_file_references("rules", "ast", "use super::parser::is_reserved;\n").len(), 1);
    assert!(backward_file_references("rules", "parser", "use super::ast::Expr;\n").is_empty());
    // Unit tests may use anything.
    assert!(upward_references("base", "//! x\n\n#[cfg(test)]\nmod tests {\n    use crate::engine::Workspace;\n}\n").is_empty());
}

#[test]
fn errors_are_built_only_in_the_catalogue() {
    for (path, text) in sources() {
        if path == "src/error.rs" || path == "src/wasm/error.rs" {
            continue;
        }
        let text = non_test(&text);
        for banned in ["Error { code", "code: \"", "map_err(to_js_error)", "bad_argument(", "Error::new("] {
            assert!(!text.contains(banned), "{path} builds an error outside the catalogue (`{banned}`): add a constructor to src/error.rs");
        }
    }
}
