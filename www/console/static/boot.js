// Starts the console's WebAssembly; the Rust side mounts the app on <body>.
import init from "./__CONSOLE_JS__";
init({ module_or_path: new URL("__CONSOLE_WASM__", import.meta.url) });
