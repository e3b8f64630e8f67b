//! Embeds the built widget and demo shop (`target/dist`, made by `make build`) into the binary,
//! so that one file is the whole product. Without a `target/dist` the relay is built without
//! them and answers their paths with 404.

use std::env;
use std::fmt::Write;
use std::fs;
use std::path::{Path, PathBuf};

fn collect(root: &Path, directory: &Path, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = fs::read_dir(directory) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, files);
        } else if let Ok(relative) = path.strip_prefix(root) {
            let relative = relative.to_string_lossy().replace('\\', "/");
            let precompressed = relative.ends_with(".br") || relative.ends_with(".gz");
            if !precompressed && relative != "sizes.json" {
                files.push((relative, path));
            }
        }
    }
}

fn main() {
    let manifest =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let dist =
        env::var_os("BESEDA_DIST").map_or_else(|| manifest.join("../target/dist"), PathBuf::from);
    println!("cargo:rerun-if-env-changed=BESEDA_DIST");
    println!("cargo:rerun-if-changed={}", dist.display());
    let mut files = Vec::new();
    collect(&dist, &dist, &mut files);
    files.sort();
    let mut code =
        String::from("/// Every embedded file, by path.\npub static ASSETS: &[Asset] = &[\n");
    for (relative, path) in files {
        let variant = |suffix: &str| {
            let mut compressed = path.clone().into_os_string();
            compressed.push(suffix);
            let compressed = PathBuf::from(compressed);
            if compressed.exists() {
                format!(
                    "Some(include_bytes!({:?}))",
                    compressed.display().to_string()
                )
            } else {
                "None".to_owned()
            }
        };
        let _ = writeln!(
            code,
            "    Asset {{ path: {relative:?}, body: include_bytes!({:?}), brotli: {}, gzip: {} }},",
            path.display().to_string(),
            variant(".br"),
            variant(".gz")
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(out.join("assets.rs"), code).expect("write the asset table");
}
