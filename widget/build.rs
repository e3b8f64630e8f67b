//! Minifies `src/widget.css` into `OUT_DIR`: the styles ship inside the WebAssembly that every
//! visitor downloads, so comments and layout whitespace go.

use std::{env, fs, path::Path};

fn main() {
    let source = "src/widget.css";
    println!("cargo::rerun-if-changed={source}");
    let css = fs::read_to_string(source).expect("src/widget.css is readable");
    let out = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    fs::write(Path::new(&out).join("widget.css"), minify(&css)).expect("OUT_DIR is writable");
}

/// Drops comments, folds whitespace, and drops the spaces around `{ } ; ,` and after `:`
/// (in a selector a colon is never followed by a space). The styles hold no strings.
fn minify(css: &str) -> String {
    let mut text = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        rest = rest[start + 2..]
            .split_once("*/")
            .map_or("", |(_, after)| after);
    }
    text.push_str(rest);
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(folded.len());
    let chars: Vec<char> = folded.chars().collect();
    for (index, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let before = index.checked_sub(1).map(|i| chars[i]);
            let after = chars.get(index + 1).copied();
            let tight = |c: Option<char>| matches!(c, Some('{' | '}' | ';' | ','));
            if tight(before) || tight(after) || before == Some(':') {
                continue;
            }
        }
        out.push(c);
    }
    out.replace(";}", "}")
}
