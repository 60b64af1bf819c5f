//! The `logfetch` binary; everything happens in `logfetch_cli`.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    logfetch_cli::main()
}
