// Assembles the operator console into OUT_DIR/console: the WebAssembly (optimised), its JS glue,
// the stylesheet and a small boot module, each named by content hash, and index.html naming
// them; every file precompressed (brotli, gzip). Leaves the rest of OUT_DIR alone.
//
// node www/console/build.mjs BINDGEN_DIR OUT_DIR
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const [bindgen, out] = process.argv.slice(2);
if (!bindgen || !out) {
  console.error("usage: node www/console/build.mjs BINDGEN_DIR OUT_DIR");
  process.exit(2);
}
const target = join(out, "console");
rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });

const hash = (bytes) => createHash("sha256").update(bytes).digest("hex").slice(0, 12);
/** Writes `bytes` as `stem-HASH.ext` and returns that name. */
const hashed = (stem, extension, bytes) => {
  const name = `${stem}-${hash(bytes)}.${extension}`;
  writeFileSync(join(target, name), bytes);
  return name;
};

// wasm-opt -Oz with the features current Rust emits (binaryen from the widget's build tools).
const optimised = join(target, "console.opt.wasm");
execFileSync(join(here, "..", "..", "widget", "node_modules", ".bin", "wasm-opt"), [
  "-Oz", "--strip-debug", "--strip-producers",
  "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-reference-types", "--enable-multivalue",
  join(bindgen, "beseda-console_bg.wasm"), "-o", optimised,
], { stdio: "inherit" });
const wasm = readFileSync(optimised);
rmSync(optimised);

const names = {
  __CONSOLE_WASM__: hashed("beseda-console", "wasm", wasm),
  __CONSOLE_JS__: hashed("beseda-console", "js", readFileSync(join(bindgen, "beseda-console.js"))),
  __CONSOLE_CSS__: hashed("console", "css", readFileSync(join(here, "static", "console.css"))),
};
const fill = (text) => Object.entries(names).reduce((text, [key, value]) => text.replaceAll(key, value), text);
names.__CONSOLE_BOOT__ = hashed("boot", "js", fill(readFileSync(join(here, "static", "boot.js"), "utf8")));
writeFileSync(join(target, "index.html"), fill(readFileSync(join(here, "static", "index.html"), "utf8")));

let total = 0;
for (const name of readdirSync(target)) {
  const path = join(target, name);
  const bytes = readFileSync(path);
  const brotli = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } });
  writeFileSync(path + ".br", brotli);
  writeFileSync(path + ".gz", gzipSync(bytes, { level: 9 }));
  total += brotli.length;
}
console.log(`console: ${total} B (brotli) -> ${target}`);
