//! Typed values of a source's `options()`, as `init(options)` receives them.

/// One value of `options("key" => value ...)` (syslog-ng 4.2+ typing).
#[derive(Clone, Debug, PartialEq)]
pub enum OptionValue {
    /// A quoted string → `str`.
    Str(String),
    /// A bare integer → `int`.
    Int(i64),
    /// A bare float → `float`.
    Float(f64),
    /// `yes/no/on/off/true/false/True/False` → `bool`.
    Bool(bool),
    /// `["a", "b"]` → `list` of `str`.
    List(Vec<String>),
    /// `LogTemplate("...")` → a `syslogng.LogTemplate` instance.
    Template(String),
}

/// The options of one source in configuration order; later keys win when
/// the dictionary is built. Keys already have `-` replaced by `_`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Options(pub Vec<(String, OptionValue)>);

impl Options {
    /// Adds a key (with `-` turned into `_`).
    pub fn push(&mut self, key: &str, value: OptionValue) {
        self.0.push((key.replace('-', "_"), value));
    }

    /// The last value given for `key`.
    pub fn get(&self, key: &str) -> Option<&OptionValue> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}
