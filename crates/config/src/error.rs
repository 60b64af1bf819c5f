//! Configuration errors, always pointing at a place in a file.

use std::fmt;
use std::path::PathBuf;

/// A position in a configuration file (1-based line and column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file.
    pub file: PathBuf,
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1 (in characters).
    pub col: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.col)
    }
}

/// A syntax or semantic error: where, what word, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}{}", word.as_ref().map(|w| format!(" near '{w}'")).unwrap_or_default())]
pub struct ConfigError {
    /// Where the problem is.
    pub location: Location,
    /// The offending word, when there is one.
    pub word: Option<String>,
    /// What is wrong (and what would be right).
    pub message: String,
}

impl ConfigError {
    /// An error at `location` about `word`.
    pub fn new(location: Location, word: Option<&str>, message: impl Into<String>) -> Self {
        ConfigError {
            location,
            word: word.map(str::to_owned),
            message: message.into(),
        }
    }
}

/// The closest of `candidates` to `word`, if it is close enough to suggest.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, c)| *d <= 3.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// `"; did you mean 'x'?"` when a candidate is close to `word`, else `""`.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(word, candidates)
        .map(|c| format!("; did you mean '{c}'?"))
        .unwrap_or_default()
}
