//! Tokens of the syslog-ng configuration language, with their positions.
//!
//! Besides ordinary tokens the lexer captures `python { ... }` blocks as raw
//! text ([`Lexer::raw_block`]) with syslog-ng's brace-matching rules, and
//! turns `@version`, `@define` and backtick references into tokens or text.

use crate::error::{ConfigError, Location};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// `@include "scl.conf"`: the configuration library nearly every syslog-ng
/// configuration includes. It resolves to logfetch's own, which is empty
/// (its drivers are built in), never to syslog-ng's.
pub const SCL: &str = "scl.conf";

/// What a token is.
#[derive(Clone, Debug, PartialEq)]
pub enum TokenKind {
    /// A bare word: keyword, identifier or unquoted value.
    Word(String),
    /// A quoted string (escapes resolved).
    Str(String),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `;`
    Semicolon,
    /// `,`
    Comma,
    /// `=>`
    Arrow,
    /// `@version: X`
    Version(String),
    /// End of input.
    Eof,
}

impl TokenKind {
    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        match self {
            TokenKind::Word(w) => w.clone(),
            TokenKind::Str(s) => format!("\"{s}\""),
            TokenKind::Int(i) => i.to_string(),
            TokenKind::Float(f) => f.to_string(),
            TokenKind::LBrace => "{".into(),
            TokenKind::RBrace => "}".into(),
            TokenKind::LParen => "(".into(),
            TokenKind::RParen => ")".into(),
            TokenKind::LBracket => "[".into(),
            TokenKind::RBracket => "]".into(),
            TokenKind::Semicolon => ";".into(),
            TokenKind::Comma => ",".into(),
            TokenKind::Arrow => "=>".into(),
            TokenKind::Version(v) => format!("@version: {v}"),
            TokenKind::Eof => "end of file".into(),
        }
    }
}

/// A token and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// The token.
    pub kind: TokenKind,
    /// Its first character.
    pub location: Location,
}

/// What `logfetch preprocess` prints: every character the lexer consumes,
/// with includes inlined and backtick references replaced by their values.
#[derive(Clone, Default)]
struct Recorder {
    text: Rc<RefCell<String>>,
    muted: Rc<Cell<bool>>,
}

impl Recorder {
    fn push(&self, c: char) {
        if !self.muted.get() {
            self.text.borrow_mut().push(c);
        }
    }

    /// Removes `tail` from the end of the text, when it is there.
    fn forget(&self, tail: &str) {
        let mut text = self.text.borrow_mut();
        if text.ends_with(tail) {
            let len = text.len() - tail.len();
            text.truncate(len);
        }
    }
}

/// One text being read: a file, or a substituted value.
struct Input {
    file: Rc<PathBuf>,
    chars: Vec<char>,
    pos: usize,
    line: usize,
    col: usize,
    /// For substituted text: where the backtick reference was.
    origin: Option<Location>,
    recorder: Recorder,
}

impl Input {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.get(self.pos).copied()?;
        self.pos += 1;
        self.recorder.push(c);
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn location(&self) -> Location {
        self.origin.clone().unwrap_or_else(|| Location {
            file: (*self.file).clone(),
            line: self.line,
            col: self.col,
        })
    }
}

/// Turns configuration text into tokens.
pub struct Lexer {
    inputs: Vec<Input>,
    defines: HashMap<String, String>,
    include_path: Vec<PathBuf>,
    recorder: Recorder,
}

fn is_word_char(c: char) -> bool {
    !c.is_whitespace()
        && !matches!(
            c,
            '{' | '}' | '(' | ')' | '[' | ']' | ';' | ',' | '"' | '\'' | '#' | '`'
        )
}

impl Lexer {
    /// A lexer over `text`, read from `file`.
    pub fn new(file: &Path, text: &str) -> Self {
        let recorder = Recorder::default();
        Lexer {
            inputs: vec![Input {
                file: Rc::new(file.to_path_buf()),
                chars: text.chars().collect(),
                pos: 0,
                line: 1,
                col: 1,
                origin: None,
                recorder: recorder.clone(),
            }],
            defines: HashMap::new(),
            include_path: Vec::new(),
            recorder,
        }
    }

    /// A lexer over text that stands for something written at `origin`
    /// (a block's body): every token reports that place.
    pub fn at(origin: &Location, text: &str) -> Self {
        let mut lexer = Lexer::new(&origin.file, text);
        lexer.inputs[0].origin = Some(origin.clone());
        lexer
    }

    /// Directories searched by `@include` after the including file's own.
    pub fn set_include_path(&mut self, dirs: Vec<PathBuf>) {
        self.include_path = dirs;
    }

    /// The configuration text as read so far (includes and references expanded).
    pub fn expanded(&self) -> String {
        self.recorder.text.borrow().clone()
    }

    /// The `@define`s seen so far.
    pub fn defines(&self) -> &HashMap<String, String> {
        &self.defines
    }

    /// Defines `name` for backtick substitution.
    pub fn define(&mut self, name: &str, value: &str) {
        self.defines.insert(name.to_owned(), value.to_owned());
    }

    fn input(&mut self) -> &mut Input {
        self.inputs
            .last_mut()
            .expect("the lexer always has its file")
    }

    /// The current position.
    pub fn location(&self) -> Location {
        self.inputs
            .last()
            .expect("the lexer always has its file")
            .location()
    }

    fn error(&self, location: Location, word: Option<&str>, msg: impl Into<String>) -> ConfigError {
        ConfigError::new(location, word, msg)
    }

    /// Skips blanks and comments, leaving finished substitutions.
    fn skip_blanks(&mut self) {
        loop {
            let input = self.input();
            match input.peek() {
                Some(c) if c.is_whitespace() => {
                    input.bump();
                }
                Some('#') => {
                    while let Some(c) = input.peek() {
                        if c == '\n' {
                            break;
                        }
                        input.bump();
                    }
                }
                None if self.inputs.len() > 1 => {
                    self.inputs.pop();
                }
                _ => return,
            }
        }
    }

    /// Replaces a backtick reference by its value (read as configuration text).
    fn substitute(&mut self) -> Result<(), ConfigError> {
        let location = self.location();
        self.input().bump();
        let name = self.reference_name(&location)?;
        let value = self.lookup(&name, &location)?;
        if self.inputs.len() > 64 {
            return Err(self.error(location, Some(&name), "backtick references nest too deeply"));
        }
        self.push_substitution(&value, location);
        Ok(())
    }

    /// Makes a backtick reference's value, found at `location`, the text
    /// read next.
    fn push_substitution(&mut self, value: &str, location: Location) {
        let file = self.input().file.clone();
        self.inputs.push(Input {
            file,
            chars: value.chars().collect(),
            pos: 0,
            line: location.line,
            col: location.col,
            origin: Some(location),
            recorder: self.recorder.clone(),
        });
    }

    /// Reads `name\`` after an opening backtick, unrecorded.
    fn reference_name(&mut self, location: &Location) -> Result<String, ConfigError> {
        let was_muted = self.recorder.muted.replace(true);
        if !was_muted {
            // The opening backtick was recorded already.
            self.recorder.text.borrow_mut().pop();
        }
        let mut name = String::new();
        let result = loop {
            match self.input().bump() {
                Some('`') => break Ok(name),
                Some(c) => name.push(c),
                None => {
                    break Err(self.error(
                        location.clone(),
                        Some(&name),
                        "unterminated backtick reference",
                    ));
                }
            }
        };
        self.recorder.muted.set(was_muted);
        result
    }

    /// The value of a backtick reference: an `@define`, else an environment variable.
    fn lookup(&self, name: &str, location: &Location) -> Result<String, ConfigError> {
        match self.defines.get(name) {
            Some(v) => Ok(v.clone()),
            None => std::env::var(name).map_err(|_| {
                self.error(
                    location.clone(),
                    Some(name),
                    "undefined name in backtick reference; define it with @define",
                )
            }),
        }
    }

    /// The next token.
    pub fn next_token(&mut self) -> Result<Token, ConfigError> {
        loop {
            self.skip_blanks();
            if self.input().peek() == Some('`') {
                self.substitute()?;
                continue;
            }
            break;
        }
        let location = self.location();
        let input = self.input();
        let Some(c) = input.peek() else {
            return Ok(Token {
                kind: TokenKind::Eof,
                location,
            });
        };
        let single = match c {
            '{' => Some(TokenKind::LBrace),
            '}' => Some(TokenKind::RBrace),
            '(' => Some(TokenKind::LParen),
            ')' => Some(TokenKind::RParen),
            '[' => Some(TokenKind::LBracket),
            ']' => Some(TokenKind::RBracket),
            ';' => Some(TokenKind::Semicolon),
            ',' => Some(TokenKind::Comma),
            _ => None,
        };
        if let Some(kind) = single {
            input.bump();
            return Ok(Token { kind, location });
        }
        if c == '=' && input.peek_at(1) == Some('>') {
            input.bump();
            input.bump();
            return Ok(Token {
                kind: TokenKind::Arrow,
                location,
            });
        }
        if c == '"' || c == '\'' {
            let s = self.string(c, &location)?;
            return Ok(Token {
                kind: TokenKind::Str(s),
                location,
            });
        }
        if c == '@' && self.input().origin.is_none() {
            return self.pragma(location);
        }
        let mut word = String::new();
        let input = self.input();
        while let Some(c) = input.peek() {
            if !is_word_char(c) || (c == '=' && input.peek_at(1) == Some('>')) {
                break;
            }
            word.push(c);
            input.bump();
        }
        Ok(Token {
            kind: classify_word(word),
            location,
        })
    }

    fn string(&mut self, quote: char, location: &Location) -> Result<String, ConfigError> {
        self.input().bump();
        let mut s = String::new();
        loop {
            let Some(c) = self.input().bump() else {
                let start = s.lines().next().unwrap_or_default();
                return Err(self.error(
                    location.clone(),
                    Some(&format!("{quote}{start}")),
                    "unterminated string",
                ));
            };
            if c == quote {
                return Ok(s);
            }
            if c == '`' {
                let at = self.location();
                let name = self.reference_name(&at)?;
                let value = self.lookup(&name, &at)?;
                self.substituted_text(&value, quote == '"', &at, &mut s);
                continue;
            }
            if c == '\\' && quote == '"' {
                self.escape(&mut s);
                continue;
            }
            s.push(c);
        }
    }

    /// Appends a backtick reference's value inside a string. syslog-ng reads
    /// the value as configuration text, so in a `"..."` string its escapes
    /// (`\\t` from `@define sep "\\t"`) are resolved too.
    fn substituted_text(&mut self, value: &str, escapes: bool, at: &Location, s: &mut String) {
        self.push_substitution(value, at.clone());
        while let Some(c) = self.input().bump() {
            if c == '\\' && escapes {
                self.escape(s);
            } else {
                s.push(c);
            }
        }
        self.inputs.pop();
    }

    /// Resolves the escape after a `\\` in a `"..."` string.
    fn escape(&mut self, s: &mut String) {
        match self.input().bump() {
            Some('n') => s.push('\n'),
            Some('t') => s.push('\t'),
            Some('r') => s.push('\r'),
            Some('a') => s.push('\x07'),
            Some('v') => s.push('\x0b'),
            Some('x') => s.push(self.escaped_code('x', 16, 2)),
            Some('o') => s.push(self.escaped_code('o', 8, 3)),
            Some('\n') => {}
            Some(other) => s.push(other),
            None => {}
        }
    }

    /// The character of a `\\xHH` (1–2 hex digits) or `\\oOOO` (1–3 octal
    /// digits) escape, as syslog-ng reads them; without digits the escape
    /// stands for the letter itself. (Codes above 0x7f give that Unicode
    /// character, where syslog-ng puts the raw byte.)
    fn escaped_code(&mut self, letter: char, radix: u32, max_digits: usize) -> char {
        let mut code = 0u32;
        let mut digits = 0;
        while digits < max_digits {
            match self.input().peek().and_then(|d| d.to_digit(radix)) {
                Some(d) => {
                    self.input().bump();
                    code = code * radix + d;
                    digits += 1;
                }
                None => break,
            }
        }
        if digits == 0 {
            return letter;
        }
        char::from_u32(code).unwrap_or(letter)
    }

    fn rest_of_line(&mut self) -> String {
        let input = self.input();
        let mut text = String::new();
        while let Some(c) = input.peek() {
            if c == '\n' {
                break;
            }
            text.push(c);
            input.bump();
        }
        match text.find('#') {
            Some(i) => text[..i].trim().to_owned(),
            None => text.trim().to_owned(),
        }
    }

    fn pragma(&mut self, location: Location) -> Result<Token, ConfigError> {
        self.input().bump();
        let mut name = String::new();
        while let Some(c) = self.input().peek() {
            if !(c.is_alphanumeric() || c == '_' || c == '-') {
                break;
            }
            name.push(c);
            self.input().bump();
        }
        match name.as_str() {
            "version" => {
                let rest = self.rest_of_line();
                let version = rest.strip_prefix(':').unwrap_or(&rest).trim().to_owned();
                if version.is_empty() {
                    return Err(self.error(
                        location,
                        Some("@version"),
                        "@version needs a version number, e.g. @version: 4.2",
                    ));
                }
                Ok(Token {
                    kind: TokenKind::Version(version),
                    location,
                })
            }
            "define" => {
                let name_tok = self.next_token()?;
                let TokenKind::Word(name) = name_tok.kind else {
                    return Err(self.error(
                        name_tok.location,
                        Some(&name_tok.kind.describe()),
                        "@define needs a name",
                    ));
                };
                let value_tok = self.next_token()?;
                let value = match value_tok.kind {
                    TokenKind::Str(s) | TokenKind::Word(s) => s,
                    TokenKind::Int(i) => i.to_string(),
                    TokenKind::Float(f) => f.to_string(),
                    other => {
                        return Err(self.error(
                            value_tok.location,
                            Some(&other.describe()),
                            "@define needs a value",
                        ));
                    }
                };
                self.define(&name, &value);
                self.next_token()
            }
            "include" => {
                self.recorder.forget("@include");
                self.recorder.muted.set(true);
                let target = self.next_token();
                self.recorder.muted.set(false);
                let target = target?;
                let TokenKind::Str(pattern) = target.kind else {
                    return Err(self.error(
                        target.location,
                        Some(&target.kind.describe()),
                        "@include needs a quoted file name or glob",
                    ));
                };
                self.include(&pattern, &target.location)?;
                self.next_token()
            }
            // Loading a plugin (`@module python`) or requiring one
            // (`@requires json-plugin`): logfetch's drivers are built in,
            // and a driver it does not have is reported where it is used.
            "module" | "requires" => {
                self.rest_of_line();
                self.next_token()
            }
            other => Err(self.error(
                location,
                Some(&format!("@{other}")),
                "unknown pragma; logfetch knows @version, @include, @define, @module and @requires",
            )),
        }
    }

    /// Reads the files `pattern` names (relative to the including file's
    /// directory, then the include path) before the rest of this file;
    /// [`SCL`] names logfetch's own (empty) configuration library.
    fn include(&mut self, pattern: &str, location: &Location) -> Result<(), ConfigError> {
        if pattern == SCL {
            // syslog-ng's configuration library defines blocks over drivers
            // logfetch does not have; logfetch's own library is empty.
            return Ok(());
        }
        if self.inputs.iter().filter(|i| i.origin.is_none()).count() > 32 {
            return Err(self.error(
                location.clone(),
                Some(pattern),
                "@include nests too deeply (a file includes itself?)",
            ));
        }
        let here = self
            .input()
            .file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let candidates: Vec<PathBuf> = if Path::new(pattern).is_absolute() {
            vec![PathBuf::new()]
        } else {
            std::iter::once(here)
                .chain(self.include_path.iter().cloned())
                .collect()
        };
        let mut files = Vec::new();
        for dir in candidates {
            let full = dir.join(pattern);
            let full_text = full.to_string_lossy().into_owned();
            if full.is_dir() {
                let mut entries: Vec<PathBuf> = std::fs::read_dir(&full)
                    .map(|rd| {
                        rd.filter_map(|e| e.ok().map(|e| e.path()))
                            .filter(|p| p.is_file())
                            .collect()
                    })
                    .unwrap_or_default();
                entries.sort();
                files = entries;
                break;
            }
            if let Ok(paths) = glob::glob(&full_text) {
                let mut matched: Vec<PathBuf> = paths
                    .filter_map(Result::ok)
                    .filter(|p| p.is_file())
                    .collect();
                matched.sort();
                if !matched.is_empty() {
                    files = matched;
                    break;
                }
            }
        }
        let is_glob = pattern.contains(['*', '?', '[']);
        if files.is_empty() && !is_glob {
            return Err(self.error(
                location.clone(),
                Some(pattern),
                "@include: no such file (looked beside the including file and in the include path)",
            ));
        }
        for file in files.into_iter().rev() {
            let text = std::fs::read_to_string(&file).map_err(|e| {
                self.error(
                    location.clone(),
                    Some(pattern),
                    format!("@include: cannot read {}: {e}", file.display()),
                )
            })?;
            self.inputs.push(Input {
                file: Rc::new(file),
                chars: text.chars().collect(),
                pos: 0,
                line: 1,
                col: 1,
                origin: None,
                recorder: self.recorder.clone(),
            });
        }
        Ok(())
    }

    /// Reads the raw text inside `( ... )` after the `(`, up to the matching
    /// `)` (consumed); parentheses inside strings do not count.
    pub fn raw_parens(&mut self, open: &Location) -> Result<String, ConfigError> {
        self.raw_balanced(('(', ')'), false)
            .ok_or_else(|| self.error(open.clone(), Some("("), "missing ')'"))
    }

    /// Reads the raw text of a `python { ... }` block (or a block body)
    /// after its `{`, up to the matching `}` (consumed). Braces inside
    /// strings and `#` comments do not count; a backslash-newline outside
    /// strings joins lines.
    pub fn raw_block(&mut self, open: &Location) -> Result<String, ConfigError> {
        self.raw_balanced(('{', '}'), true).ok_or_else(|| {
            self.error(
                open.clone(),
                Some("python"),
                "unterminated python block: missing '}'",
            )
        })
    }

    /// The text up to the `close` that balances an already read `open`;
    /// `None` at the end of input. `code` also skips `#` comments and joins
    /// backslash-continued lines.
    fn raw_balanced(&mut self, (open, close): (char, char), code: bool) -> Option<String> {
        let input = self.input();
        let mut text = String::new();
        let mut depth = 1usize;
        loop {
            let c = input.bump()?;
            if c == open {
                depth += 1;
            } else if c == close {
                depth -= 1;
                if depth == 0 {
                    return Some(text);
                }
            } else if c == '"' || c == '\'' {
                text.push(c);
                while let Some(s) = input.bump() {
                    text.push(s);
                    if s == '\\' && c == '"' {
                        text.extend(input.bump());
                    } else if s == c {
                        break;
                    }
                }
                continue;
            } else if code && c == '\\' && input.peek() == Some('\n') {
                input.bump();
                continue;
            } else if code && c == '#' {
                text.push(c);
                while let Some(s) = input.peek().filter(|s| *s != '\n') {
                    text.push(s);
                    input.bump();
                }
                continue;
            }
            text.push(c);
        }
    }
}

fn classify_word(word: String) -> TokenKind {
    let digits = word.strip_prefix('-').unwrap_or(&word);
    if !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
        && let Ok(i) = word.parse()
    {
        return TokenKind::Int(i);
    }
    if digits.starts_with(|c: char| c.is_ascii_digit())
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
        && let Ok(f) = word.parse()
    {
        return TokenKind::Float(f);
    }
    TokenKind::Word(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind> {
        let mut lx = Lexer::new(Path::new("t.conf"), text);
        let mut out = Vec::new();
        loop {
            let t = lx.next_token().unwrap();
            if t.kind == TokenKind::Eof {
                return out;
            }
            out.push(t.kind);
        }
    }

    #[test]
    fn string_escapes_as_syslog_ng_reads_them() {
        let strings = kinds(r#""[\x42][\x4g][\x][\o101][\101][\v][\e][\\][\"][\a]""#);
        assert_eq!(
            strings,
            vec![TokenKind::Str(
                "[B][\x04g][x][A][101][\x0b][e][\\][\"][\x07]".into()
            )]
        );
    }

    #[test]
    fn substituted_text_in_a_string_has_its_escapes_resolved() {
        let mut lx = Lexer::new(Path::new("t.conf"), "\"a`sep`b\" 'c`sep`d'");
        lx.define("sep", "\\t");
        let kinds: Vec<TokenKind> = (0..2).map(|_| lx.next_token().unwrap().kind).collect();
        assert_eq!(
            kinds,
            vec![
                TokenKind::Str("a\tb".into()),
                TokenKind::Str("c\\td".into())
            ]
        );
    }

    #[test]
    fn tokens_and_escapes() {
        use TokenKind::*;
        assert_eq!(
            kinds("source s { x(\"a\\nb\" 'c\\d' 5 1.5 -3 => [y]); }; # c"),
            vec![
                Word("source".into()),
                Word("s".into()),
                LBrace,
                Word("x".into()),
                LParen,
                Str("a\nb".into()),
                Str("c\\d".into()),
                Int(5),
                Float(1.5),
                Int(-3),
                Arrow,
                LBracket,
                Word("y".into()),
                RBracket,
                RParen,
                Semicolon,
                RBrace,
                Semicolon,
            ]
        );
    }

    #[test]
    fn defines_and_positions() {
        let mut lx = Lexer::new(Path::new("t.conf"), "@define port \"514\"\nx(`port`)");
        let t = lx.next_token().unwrap();
        assert_eq!(t.kind, TokenKind::Word("x".into()));
        assert_eq!((t.location.line, t.location.col), (2, 1));
        lx.next_token().unwrap();
        let v = lx.next_token().unwrap();
        assert_eq!(v.kind, TokenKind::Int(514));
        assert_eq!((v.location.line, v.location.col), (2, 3));
    }

    #[test]
    fn raw_python_block() {
        let text = "{\nd = {'a': '}'}  # }\ns = \"{\\\"\"\n}; after";
        let mut lx = Lexer::new(Path::new("t.conf"), text);
        let open = lx.next_token().unwrap();
        let raw = lx.raw_block(&open.location).unwrap();
        assert_eq!(raw, "\nd = {'a': '}'}  # }\ns = \"{\\\"\"\n");
        assert_eq!(lx.next_token().unwrap().kind, TokenKind::Semicolon);
    }
}
