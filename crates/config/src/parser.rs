//! Text → [`Statement`]s (syntax only).

use crate::ast::{Arg, Call, LogItem, LogPath, Scalar, Spanned, Statement};
use crate::error::{ConfigError, Location};
use crate::lexer::{Lexer, Token, TokenKind};
use std::path::Path;

/// Statement keywords with a name and a `{}` body.
pub const OBJECT_KINDS: &[&str] = &[
    "source",
    "destination",
    "filter",
    "parser",
    "rewrite",
    "template",
];

struct Parser {
    lexer: Lexer,
    peeked: Option<Token>,
}

fn unexpected(token: &Token, expected: &str) -> ConfigError {
    ConfigError::new(
        token.location.clone(),
        Some(&token.kind.describe()),
        format!("syntax error: expected {expected}"),
    )
}

/// Normalises a keyword: `_` and `-` are the same.
pub fn keyword(word: &str) -> String {
    word.replace('_', "-")
}

impl Parser {
    fn next(&mut self) -> Result<Token, ConfigError> {
        match self.peeked.take() {
            Some(t) => Ok(t),
            None => self.lexer.next_token(),
        }
    }

    fn peek(&mut self) -> Result<&Token, ConfigError> {
        if self.peeked.is_none() {
            self.peeked = Some(self.lexer.next_token()?);
        }
        Ok(self.peeked.as_ref().expect("just filled"))
    }

    fn expect(&mut self, kind: TokenKind, what: &str) -> Result<Token, ConfigError> {
        let t = self.next()?;
        if t.kind == kind {
            Ok(t)
        } else {
            Err(unexpected(&t, what))
        }
    }

    fn word(&mut self, what: &str) -> Result<Spanned<String>, ConfigError> {
        let t = self.next()?;
        match t.kind {
            TokenKind::Word(w) => Ok(Spanned {
                value: w,
                location: t.location,
            }),
            _ => Err(unexpected(&t, what)),
        }
    }

    fn name(&mut self, what: &str) -> Result<Spanned<String>, ConfigError> {
        let t = self.next()?;
        match t.kind {
            TokenKind::Word(w) | TokenKind::Str(w) => Ok(Spanned {
                value: w,
                location: t.location,
            }),
            _ => Err(unexpected(&t, what)),
        }
    }

    /// Skips any number of `;`.
    fn semicolons(&mut self) -> Result<(), ConfigError> {
        while self.peek()?.kind == TokenKind::Semicolon {
            self.next()?;
        }
        Ok(())
    }

    fn end_statement(&mut self) -> Result<(), ConfigError> {
        self.expect(TokenKind::Semicolon, "';'")?;
        self.semicolons()
    }

    fn statements(&mut self) -> Result<Vec<Statement>, ConfigError> {
        let mut out = Vec::new();
        loop {
            self.semicolons()?;
            let t = self.next()?;
            let word = match t.kind {
                TokenKind::Eof => return Ok(out),
                TokenKind::Version(v) => {
                    out.push(Statement::Version(Spanned {
                        value: v,
                        location: t.location,
                    }));
                    continue;
                }
                TokenKind::Word(ref w) => keyword(w),
                _ => {
                    return Err(unexpected(
                        &t,
                        "a statement (source, destination, log, options, python, ...)",
                    ));
                }
            };
            match word.as_str() {
                "python" => {
                    let open = self.expect(TokenKind::LBrace, "'{'")?;
                    let code = self.lexer.raw_block(&open.location)?;
                    out.push(Statement::Python(Spanned {
                        value: code,
                        location: open.location,
                    }));
                    self.end_statement()?;
                }
                "log" => {
                    let path = self.log_path(t.location)?;
                    out.push(Statement::Log(path));
                    self.end_statement()?;
                }
                "options" => {
                    self.expect(TokenKind::LBrace, "'{'")?;
                    let body = self.calls_until_brace()?;
                    out.push(Statement::Options(body));
                    self.end_statement()?;
                }
                kind if OBJECT_KINDS.contains(&kind) => {
                    let name = self.name("a name")?;
                    self.expect(TokenKind::LBrace, "'{'")?;
                    let body = self.calls_until_brace()?;
                    out.push(Statement::Object {
                        kind: Spanned {
                            value: kind.to_owned(),
                            location: t.location,
                        },
                        name,
                        body,
                    });
                    self.end_statement()?;
                }
                _ => {
                    let mut candidates = vec!["python", "log", "options"];
                    candidates.extend_from_slice(OBJECT_KINDS);
                    let hint = crate::error::closest(&word, candidates)
                        .map(|c| format!("; did you mean '{c}'?"))
                        .unwrap_or_default();
                    return Err(ConfigError::new(
                        t.location,
                        Some(&t.kind.describe()),
                        format!("unknown statement{hint}"),
                    ));
                }
            }
        }
    }

    /// `call; call; ... }` (the `{` already read).
    fn calls_until_brace(&mut self) -> Result<Vec<Call>, ConfigError> {
        let mut calls = Vec::new();
        loop {
            self.semicolons()?;
            if self.peek()?.kind == TokenKind::RBrace {
                self.next()?;
                return Ok(calls);
            }
            let name = self.word("a driver or option name")?;
            calls.push(self.call_after_name(name)?);
        }
    }

    /// `( args )` after a name.
    fn call_after_name(&mut self, name: Spanned<String>) -> Result<Call, ConfigError> {
        self.expect(TokenKind::LParen, "'('")?;
        let args = self.args()?;
        Ok(Call { name, args })
    }

    fn args(&mut self) -> Result<Vec<Arg>, ConfigError> {
        let mut args = Vec::new();
        loop {
            let t = self.next()?;
            let arg = match t.kind {
                TokenKind::RParen => return Ok(args),
                TokenKind::Comma => continue,
                TokenKind::Str(s) => Arg::Value(Spanned {
                    value: Scalar::Str(s),
                    location: t.location,
                }),
                TokenKind::Int(i) => Arg::Value(Spanned {
                    value: Scalar::Int(i),
                    location: t.location,
                }),
                TokenKind::Float(f) => Arg::Value(Spanned {
                    value: Scalar::Float(f),
                    location: t.location,
                }),
                TokenKind::Word(w) => {
                    if self.peek()?.kind == TokenKind::LParen {
                        Arg::Call(self.call_after_name(Spanned {
                            value: w,
                            location: t.location,
                        })?)
                    } else {
                        Arg::Value(Spanned {
                            value: Scalar::Word(w),
                            location: t.location,
                        })
                    }
                }
                TokenKind::LBracket => Arg::List(Spanned {
                    value: self.list()?,
                    location: t.location,
                }),
                TokenKind::Eof => return Err(unexpected(&t, "')'")),
                _ => return Err(unexpected(&t, "a value or ')'")),
            };
            if self.peek()?.kind == TokenKind::Arrow {
                self.next()?;
                let value_token = self.peek()?.clone();
                let mut value = self.args_one()?;
                if value.is_none() {
                    return Err(unexpected(&value_token, "a value after '=>'"));
                }
                args.push(Arg::Arrow(
                    Box::new(arg),
                    Box::new(value.take().expect("checked")),
                ));
            } else {
                args.push(arg);
            }
        }
    }

    /// Exactly one argument (for the right side of `=>`).
    fn args_one(&mut self) -> Result<Option<Arg>, ConfigError> {
        let t = self.next()?;
        Ok(Some(match t.kind {
            TokenKind::Str(s) => Arg::Value(Spanned {
                value: Scalar::Str(s),
                location: t.location,
            }),
            TokenKind::Int(i) => Arg::Value(Spanned {
                value: Scalar::Int(i),
                location: t.location,
            }),
            TokenKind::Float(f) => Arg::Value(Spanned {
                value: Scalar::Float(f),
                location: t.location,
            }),
            TokenKind::Word(w) => {
                if self.peek()?.kind == TokenKind::LParen {
                    Arg::Call(self.call_after_name(Spanned {
                        value: w,
                        location: t.location,
                    })?)
                } else {
                    Arg::Value(Spanned {
                        value: Scalar::Word(w),
                        location: t.location,
                    })
                }
            }
            TokenKind::LBracket => Arg::List(Spanned {
                value: self.list()?,
                location: t.location,
            }),
            _ => {
                self.peeked = Some(t);
                return Ok(None);
            }
        }))
    }

    fn list(&mut self) -> Result<Vec<Spanned<Scalar>>, ConfigError> {
        let mut items = Vec::new();
        loop {
            let t = self.next()?;
            let value = match t.kind {
                TokenKind::RBracket => return Ok(items),
                TokenKind::Comma => continue,
                TokenKind::Str(s) => Scalar::Str(s),
                TokenKind::Word(w) => Scalar::Word(w),
                TokenKind::Int(i) => Scalar::Int(i),
                TokenKind::Float(f) => Scalar::Float(f),
                _ => return Err(unexpected(&t, "a list item or ']'")),
            };
            items.push(Spanned {
                value,
                location: t.location,
            });
        }
    }

    fn log_path(&mut self, location: Location) -> Result<LogPath, ConfigError> {
        self.expect(TokenKind::LBrace, "'{'")?;
        let mut items = Vec::new();
        loop {
            self.semicolons()?;
            if self.peek()?.kind == TokenKind::RBrace {
                self.next()?;
                return Ok(LogPath { items, location });
            }
            let name = self.word("source(), destination(), filter(), flags() or log")?;
            let kw = keyword(&name.value);
            match self.peek()?.kind {
                TokenKind::LBrace if kw == "log" => {
                    let nested = self.log_path(name.location)?;
                    items.push(LogItem::Log(nested));
                }
                TokenKind::LBrace => {
                    self.next()?;
                    let body = self.calls_until_brace()?;
                    items.push(LogItem::Inline(name, body));
                }
                _ => items.push(LogItem::Reference(self.call_after_name(name)?)),
            }
            self.expect(TokenKind::Semicolon, "';'")?;
        }
    }
}

/// Parses configuration text; `defines` seed backtick substitution.
pub fn parse(
    file: &Path,
    text: &str,
    defines: &[(String, String)],
) -> Result<Vec<Statement>, ConfigError> {
    let mut lexer = Lexer::new(file, text);
    for (k, v) in defines {
        lexer.define(k, v);
    }
    Parser {
        lexer,
        peeked: None,
    }
    .statements()
}
