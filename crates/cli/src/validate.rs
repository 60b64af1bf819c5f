//! `logfetch validate` and `logfetch preprocess`.

use crate::args::{PreprocessArgs, ValidateArgs};
use crate::exit;
use crate::logging::{backend, load};
use logfetch_core::internal_log::{self, Verbosity};
use logfetch_core::plan::LaunchError;

/// Checks a configuration and runs its `python {}` blocks; with
/// `--check-startup` also creates its sources and calls `init()`.
pub fn validate(a: &ValidateArgs) -> u8 {
    internal_log::install(Verbosity::Normal, true);
    let checked = match load(&a.config) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("{e}");
            return exit::CONFIG;
        }
    };
    if a.check_startup {
        let backend = match backend(a.backend.as_deref()) {
            Ok(b) => b,
            Err(code) => return code,
        };
        match logfetch_core::plan::check_startup(&checked.plan, backend) {
            Ok(()) => {}
            Err(LaunchError::Program(_)) => return exit::CONFIG,
            Err(_) => return exit::INIT,
        }
    } else if !checked.plan.program.code.is_empty() {
        // `python {}` blocks belong to the configuration: as `syslog-ng -s`
        // does, run them, so that one that does not compile or raises is
        // refused here.
        let backend = match backend(a.backend.as_deref()) {
            Ok(b) => b,
            Err(code) => return code,
        };
        if backend.load_program(&checked.plan.program).is_err() {
            return exit::CONFIG;
        }
    }
    println!(
        "{}: configuration is valid",
        a.config.config_path().display()
    );
    exit::OK
}

/// Prints the configuration after @include/@define/backtick expansion.
pub fn preprocess(a: &PreprocessArgs) -> u8 {
    internal_log::install(Verbosity::Normal, true);
    match logfetch_config::preprocess(&a.config.config_path(), &a.config.include_path()) {
        Ok(text) => {
            print!("{text}");
            exit::OK
        }
        Err(e) => {
            tracing::error!("{e}");
            exit::CONFIG
        }
    }
}
