//! The configuration as written: statements, driver calls and their
//! arguments, each with its position. Nothing is interpreted here; see
//! `check` for what the words mean.

use crate::error::Location;

/// A value with the place it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it starts.
    pub location: Location,
}

/// A single value.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    /// A quoted string.
    Str(String),
    /// A bare word.
    Word(String),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
}

impl Scalar {
    /// The value as text (numbers in their usual form).
    pub fn text(&self) -> String {
        match self {
            Scalar::Str(s) | Scalar::Word(s) => s.clone(),
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
        }
    }
}

/// One argument of a call: `"x"`, `word`, `5`, `[a, b]`, `name(...)`, `k => v`.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    /// A single value.
    Value(Spanned<Scalar>),
    /// `[a, b, ...]`.
    List(Spanned<Vec<Spanned<Scalar>>>),
    /// `name(args)`: an option, or a value such as `LogTemplate("...")`.
    Call(Call),
    /// `key => value`.
    Arrow(Box<Arg>, Box<Arg>),
}

impl Arg {
    /// Where the argument starts.
    pub fn location(&self) -> &Location {
        match self {
            Arg::Value(v) => &v.location,
            Arg::List(l) => &l.location,
            Arg::Call(c) => &c.name.location,
            Arg::Arrow(k, _) => k.location(),
        }
    }

    /// How the argument reads in an error message.
    pub fn describe(&self) -> String {
        match self {
            Arg::Value(v) => v.value.text(),
            Arg::List(_) => "[".into(),
            Arg::Call(c) => c.name.value.clone(),
            Arg::Arrow(k, _) => k.describe(),
        }
    }
}

/// `name(args)`: a driver or an option.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// The name as written.
    pub name: Spanned<String>,
    /// Its arguments in order.
    pub args: Vec<Arg>,
}

/// A filter expression as written.
#[derive(Clone, Debug, PartialEq)]
pub enum FilterExpr {
    /// `a and b`
    And(Box<FilterExpr>, Box<FilterExpr>),
    /// `a or b`
    Or(Box<FilterExpr>, Box<FilterExpr>),
    /// `not a`
    Not(Box<FilterExpr>),
    /// `program("re")`, `level(err..emerg)`, `filter(name)`, ...
    Call(Call),
    /// `"$TEMPLATE" == "text"`: two templates and a comparison operator
    /// (`==` `!=` `<` `<=` `>` `>=` compare numbers, `eq` `ne` `lt` `le`
    /// `gt` `ge` text).
    Compare {
        /// The left template.
        left: Spanned<String>,
        /// The operator as written.
        op: Spanned<String>,
        /// The right template.
        right: Spanned<String>,
    },
}

/// What a `log {}` path contains.
#[derive(Clone, Debug, PartialEq)]
pub enum LogItem {
    /// `source(name);`, `destination(name);`, `filter(name);`, `flags(...)`.
    Reference(Call),
    /// `source { drivers };` or `destination { drivers };` written inline.
    Inline(Spanned<String>, Vec<Call>),
    /// `filter { expression };` written inline.
    InlineFilter(Spanned<FilterExpr>),
    /// A nested `log { ... };`.
    Log(LogPath),
    /// `if (...) { ... } elif (...) { ... } else { ... };`.
    If(Vec<IfBranch>),
}

/// One branch of an `if` in a log path.
#[derive(Clone, Debug, PartialEq)]
pub struct IfBranch {
    /// `if (expr)` / `elif (expr)`; `None` for `else` and for `if { ... }`,
    /// whose own filters decide.
    pub condition: Option<Spanned<FilterExpr>>,
    /// Its elements.
    pub items: Vec<LogItem>,
    /// Whether this is the `else` branch.
    pub is_else: bool,
    /// Where `if`, `elif` or `else` is written.
    pub location: Location,
}

/// A `log { ... };` statement.
#[derive(Clone, Debug, PartialEq)]
pub struct LogPath {
    /// Its items in order.
    pub items: Vec<LogItem>,
    /// Where `log` is written.
    pub location: Location,
}

/// A top-level statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Statement {
    /// `@version: X`.
    Version(Spanned<String>),
    /// `python { ... };`.
    Python {
        /// Where the `python` keyword is (errors in the block point here).
        keyword: Location,
        /// The block's raw text; `location` is the `{`.
        block: Spanned<String>,
    },
    /// `source|destination|filter|... NAME { body };`.
    Object {
        /// `source`, `destination`, ...
        kind: Spanned<String>,
        /// The statement's name.
        name: Spanned<String>,
        /// Drivers (or, for filters, the expression's words) in order.
        body: Vec<Call>,
    },
    /// `filter NAME { expression; };`.
    Filter {
        /// The filter's name.
        name: Spanned<String>,
        /// Its expression.
        expr: Spanned<FilterExpr>,
    },
    /// `log { ... };`.
    Log(LogPath),
    /// `options { ... };`.
    Options(Vec<Call>),
}
