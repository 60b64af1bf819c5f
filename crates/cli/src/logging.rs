//! Shared plumbing of the commands: internal log set-up, configuration
//! loading with warnings, backend choice.

use crate::args::{ConfigArgs, LogArgs};
use crate::{backends, exit};
use logfetch_config::{Checked, LoadError};
use logfetch_core::internal_log::{self, Verbosity};
use logfetch_core::lifecycle::Backend;

/// Installs the internal log at the requested verbosity.
pub fn install(a: &LogArgs) {
    let verbosity = if a.trace {
        Verbosity::Trace
    } else if a.debug {
        Verbosity::Debug
    } else if a.verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    internal_log::install(verbosity, a.stderr);
}

/// Loads and checks the configuration, reporting its warnings.
pub fn load(config: &ConfigArgs) -> Result<Checked, LoadError> {
    let checked = logfetch_config::load_file(&config.config_path(), &config.include_path())?;
    for w in &checked.warnings {
        tracing::warn!("{w}");
    }
    Ok(checked)
}

/// The chosen backend, or the exit code to leave with.
pub fn backend(name: Option<&str>) -> Result<&'static dyn Backend, u8> {
    match backends::get(name) {
        Ok(b) => Ok(b),
        Err(e @ backends::BackendError::NotCompiled(_)) => {
            tracing::error!("{e}");
            Err(exit::CONFIG)
        }
        Err(e) => {
            tracing::error!("{e}");
            Err(exit::INIT)
        }
    }
}
