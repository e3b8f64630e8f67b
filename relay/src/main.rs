//! The `beseda-relay` binary: see `beseda-relay --help`.

fn main() -> std::process::ExitCode {
    beseda_relay::cli::main()
}
