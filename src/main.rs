//! The `logfetch` binary; everything happens in `logfetch_cli`.

fn main() -> std::process::ExitCode {
    logfetch_cli::main()
}
