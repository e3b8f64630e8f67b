//! `beseda-relay` itself, built inside the test package so tests can run it as a child process.

fn main() -> std::process::ExitCode {
    beseda_relay::cli::main()
}
