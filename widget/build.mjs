// Assembles what the relay serves: the widget (optimised, content-hashed, precompressed), the
// loader with the hashed names filled in, and the demo shop. Writes sizes.json with the bytes.
//
// node widget/build.mjs BINDGEN_DIR OUT_DIR
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { minify } from "terser";

const here = dirname(fileURLToPath(import.meta.url));
const [bindgen, out] = process.argv.slice(2);
if (!bindgen || !out) {
  console.error("usage: node widget/build.mjs BINDGEN_DIR OUT_DIR");
  process.exit(2);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "widget"), { recursive: true });

const features = [
  "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-reference-types", "--enable-multivalue",
];
const tool = (name) => join(here, "node_modules", ".bin", name);

const input = join(bindgen, "beseda_bg.wasm");

// wasm-opt -Oz with the features current Rust emits (TOOLCHAIN.md); then the control flow
// flattened and rebuilt from scratch (`--flatten --rereloop`), which undoes the shapes LLVM left,
// and -Oz again until it gains nothing more. `--low-memory-unused` lets it fold constant
// addresses into the loads' and stores' offsets: Rust lays the stack out first, growing down
// from 1 MB to 0, with the data above it, so the lowest kilobyte would be reached only by a stack
// a kilobyte short of overflowing. Together about 0.9 KB of brotli less for every visitor.
const optimised = join(out, "beseda.opt.wasm");
execFileSync(tool("wasm-opt"), [
  "--low-memory-unused", "-Oz", "--flatten", "--rereloop", "-Oz", "-Oz", "-Oz",
  "--strip-debug", "--strip-producers", ...features, input, "-o", optimised,
], { stdio: "inherit" });

// Import, export and module names shortened ("__wbg_addEventListener_3acb0aad4483804c" → "Fa"):
// every visitor downloads them twice, in the WebAssembly and in the glue. wasm-opt prints the
// mapping, and the glue is renamed to match.
const minified = join(out, "beseda.min.wasm");
const names = JSON.parse(execFileSync(tool("wasm-opt"), [...features, "--minify-imports-and-exports-and-modules", optimised, "-o", minified], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }));
rmSync(optimised);
const [module] = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(minified))).map((entry) => entry.module);

const hash = (bytes) => createHash("sha256").update(bytes).digest("hex").slice(0, 12);
const wasm = readFileSync(minified);
rmSync(minified);
const wasmName = `beseda-${hash(wasm)}.wasm`;
writeFileSync(join(out, "widget", wasmName), wasm);

const renamed = (text) => {
  let glue = text;
  const replace = (pattern, by, what) => {
    const before = glue;
    glue = glue.replace(pattern, by);
    if (glue === before) throw new Error(`the glue has no ${what}`);
  };
  // Functions as replacements: a short name may hold a "$", which a replacement string reads.
  for (const [, from, to] of names.imports) replace(new RegExp(`^(\\s+)${from}:`, "m"), (_, space) => `${space}${to}:`, `import ${from}`);
  for (const [from, to] of names.exports) {
    if (glue.includes(`wasm.${from}`)) replace(new RegExp(`\\bwasm\\.${from}\\b`, "g"), () => `wasm.${to}`, `export ${from}`);
  }
  replace(/"\.\/beseda_bg\.js": import0/, () => `"${module}": import0`, "import module");
  return glue;
};
const glueText = renamed(readFileSync(join(bindgen, "beseda.js"), "utf8"));
// Minified; the magic comment asks V8 to compile every function of the glue eagerly, while the
// file streams in, instead of on the main thread at each function's first call.
const small = async (code, module) => (await minify(code, { module, ecma: 2020, compress: { passes: 2 }, format: { comments: false } })).code;
const glue = Buffer.from("//# allFunctionsCalledOnLoad\n" + (await small(glueText, true)));
const glueName = `beseda-${hash(glue)}.js`;
writeFileSync(join(out, "widget", glueName), glue);

// The files module (previews, uploads, thumbnails, the larger view): not part of what every
// visitor downloads, the loader imports it the first time a file is picked, dropped, pasted or
// shown. Its parts (texts, styles, code) are joined into one file: the texts' and the styles'
// exports become the code's own constants.
const part = (name) => readFileSync(join(here, "files", name), "utf8");
const filesSource = ["texts.js", "style.js", "files.js"].map(part).join("\n")
  .replace(/^import .* from "\.\/.*\.js";\n/gm, "")
  .replace(/^export const /gm, "const ");
const files = Buffer.from(await small(filesSource, true));
const filesName = `files-${hash(files)}.js`;
writeFileSync(join(out, "widget", filesName), files);

const loader = readFileSync(join(here, "loader", "widget.js"), "utf8")
  .replace("__BESEDA_JS__", glueName)
  .replace("__BESEDA_WASM__", wasmName)
  .replace("__BESEDA_FILES__", filesName);
writeFileSync(join(out, "widget.js"), await small(loader, false));

// The demo shop, as it is.
const demo = join(here, "..", "www", "demo");
const copyTree = (from, to) => {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const source = join(from, name);
    if (statSync(source).isDirectory()) copyTree(source, join(to, name));
    else copyFileSync(source, join(to, name));
  }
};
copyTree(demo, join(out, "demo"));

// Brotli at its best, trying the encoder's input block sizes as well as its own choice and
// keeping the smallest: on the WebAssembly a smaller block than the encoder picks is some 60 B
// less for every visitor. Any of them decodes the same everywhere.
const smallestBrotli = (bytes) => {
  let best;
  for (const block of [0, 16, 17, 18, 19, 20]) {
    const params = { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length };
    if (block) params[constants.BROTLI_PARAM_LGBLOCK] = block;
    const brotli = brotliCompressSync(bytes, { params });
    if (!best || brotli.length < best.length) best = brotli;
  }
  return best;
};

// Precompressed copies for every file worth compressing.
const sizes = {};
const walk = (directory) => {
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) { walk(path); continue; }
    if (!/\.(js|wasm|html|css|svg|json)$/.test(name)) continue;
    const bytes = readFileSync(path);
    const brotli = smallestBrotli(bytes);
    writeFileSync(path + ".br", brotli);
    writeFileSync(path + ".gz", gzipSync(bytes, { level: 9 }));
    sizes[relative(out, path)] = { raw: bytes.length, brotli: brotli.length };
  }
};
walk(out);
const widgetFiles = ["widget.js", `widget/${glueName}`, `widget/${wasmName}`];
const total = widgetFiles.reduce((sum, file) => sum + sizes[file].brotli, 0);
writeFileSync(join(out, "sizes.json"), JSON.stringify({ loader: sizes["widget.js"].brotli, widgetTotal: total, filesModule: sizes[`widget/${filesName}`].brotli, files: sizes }, null, 2));
console.log(`widget: loader ${sizes["widget.js"].brotli} B, total ${total} B (brotli) -> ${out}`);
