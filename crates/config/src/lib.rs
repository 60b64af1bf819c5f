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

pub use check::{Checked, SingleFetcher, single_fetcher_plan};
pub use error::{ConfigError, Location};

use std::path::{Path, PathBuf};

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

fn read(path: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.display().to_string(),
        source,
    })
}

/// Reads, parses and checks the configuration in `path`; `@include` looks
/// beside the including file, then in `include_path`.
pub fn load_file(path: &Path, include_path: &[PathBuf]) -> Result<Checked, LoadError> {
    load_str(path, &read(path)?, include_path)
}

/// Parses and checks configuration `text` as if read from `path`.
pub fn load_str(path: &Path, text: &str, include_path: &[PathBuf]) -> Result<Checked, LoadError> {
    let parsed = parser::parse(path, text, include_path)?;
    Ok(check::check(path, &parsed.statements)?)
}

/// The configuration in `path` after `@include`, `@define` and backtick
/// references are expanded (what `logfetch preprocess` prints).
pub fn preprocess(path: &Path, include_path: &[PathBuf]) -> Result<String, LoadError> {
    Ok(parser::parse(path, &read(path)?, include_path)?.expanded)
}
