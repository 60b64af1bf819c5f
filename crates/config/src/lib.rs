//! The syslog-ng configuration language, as far as logfetch runs it.
//!
//! Two stages, kept apart: [`parser`] turns text into [`ast`] statements
//! (syntax only, every node with its file:line:col), and [`check`] turns
//! statements into a [`logfetch_core::plan::Plan`] — names resolved, options
//! typed and validated — that the runtime can trust.

pub mod ast;
pub mod check;
pub mod error;
pub mod lexer;
pub mod parser;
pub mod values;

pub use check::Checked;
pub use error::{ConfigError, Location};

use std::path::Path;

/// Why a configuration file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read configuration file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A syntax or semantic error.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// Reads, parses and checks the configuration in `path`.
pub fn load_file(path: &Path) -> Result<Checked, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.display().to_string(),
        source,
    })?;
    load_str(path, &text)
}

/// Parses and checks configuration `text` as if read from `path`.
pub fn load_str(path: &Path, text: &str) -> Result<Checked, LoadError> {
    let statements = parser::parse(path, text, &[])?;
    Ok(check::check(path, &statements)?)
}
