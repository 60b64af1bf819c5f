//! Text → [`Statement`]s (syntax only). `block` definitions are expanded
//! here, where they are used, as syslog-ng does: a block's body is text in
//! which backtick references to its parameters are replaced.

use crate::ast::{Arg, Call, FilterExpr, IfBranch, LogItem, LogPath, Scalar, Spanned, Statement};
use crate::error::{ConfigError, Location};
use crate::lexer::{Lexer, Token, TokenKind};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Statement keywords with a name and a `{}` body.
pub const OBJECT_KINDS: &[&str] = &[
    "source",
    "destination",
    "filter",
    "parser",
    "rewrite",
    "template",
];

/// Contexts a `block` can be used in.
const BLOCK_KINDS: &[&str] = &[
    "source",
    "destination",
    "root",
    "filter",
    "parser",
    "rewrite",
    "log",
    "options",
];

/// A `block KIND NAME(params) { body };` definition.
#[derive(Clone, Debug)]
struct BlockDef {
    params: Vec<(String, String)>,
    body: String,
    location: Location,
}

type Blocks = Rc<RefCell<HashMap<(String, String), BlockDef>>>;

struct Parser {
    lexer: Lexer,
    peeked: Option<Token>,
    blocks: Blocks,
    depth: usize,
}

fn unexpected(token: &Token, expected: &str) -> ConfigError {
    ConfigError::new(
        token.location.clone(),
        Some(&token.kind.describe()),
        format!("syntax error: expected {expected}"),
    )
}

/// Comparison operators of filter expressions.
pub const COMPARISONS: &[&str] = &[
    "==", "!=", "<", "<=", ">", ">=", "eq", "ne", "lt", "le", "gt", "ge",
];

/// One side of a comparison: a quoted template, or a bare word or number.
fn comparison_operand(t: Token) -> Result<Spanned<String>, ConfigError> {
    let value = match t.kind {
        TokenKind::Str(s) | TokenKind::Word(s) => s,
        TokenKind::Int(i) => i.to_string(),
        _ => return Err(unexpected(&t, "a quoted template to compare")),
    };
    Ok(Spanned {
        value,
        location: t.location,
    })
}

/// Normalises a keyword: `_` and `-` are the same.
pub fn keyword(word: &str) -> String {
    word.replace('_', "-")
}

/// A block argument's value: the text of a single quoted string, else the raw text.
fn argument_value(raw: &str, location: &Location) -> Result<String, ConfigError> {
    let mut lexer = Lexer::at(location, raw);
    let first = lexer.next_token()?;
    if let TokenKind::Str(s) = first.kind
        && lexer.next_token()?.kind == TokenKind::Eof
    {
        return Ok(s);
    }
    Ok(raw.trim().to_owned())
}

impl Parser {
    fn child(&self, origin: &Location, text: &str, params: &[(String, String)]) -> Parser {
        let mut lexer = Lexer::at(origin, text);
        for (k, v) in self.lexer.defines() {
            lexer.define(k, v);
        }
        for (k, v) in params {
            lexer.define(k, v);
        }
        Parser {
            lexer,
            peeked: None,
            blocks: self.blocks.clone(),
            depth: self.depth + 1,
        }
    }

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

    fn block_def(&self, kind: &str, name: &str) -> Option<BlockDef> {
        self.blocks
            .borrow()
            .get(&(kind.to_owned(), keyword(name)))
            .cloned()
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
                    out.push(Statement::Python {
                        keyword: t.location.clone(),
                        block: Spanned {
                            value: code,
                            location: open.location,
                        },
                    });
                    self.end_statement()?;
                }
                "log" => {
                    let path = self.log_path(t.location)?;
                    out.push(Statement::Log(path));
                    self.end_statement()?;
                }
                "options" => {
                    self.expect(TokenKind::LBrace, "'{'")?;
                    let body = self.calls_until_brace("options")?;
                    out.push(Statement::Options(body));
                    self.end_statement()?;
                }
                "block" => {
                    self.block_definition()?;
                    self.end_statement()?;
                }
                "filter" => {
                    let name = self.name("a name")?;
                    let open = self.expect(TokenKind::LBrace, "'{'")?;
                    let expr = self.filter_expr()?;
                    self.semicolons()?;
                    self.expect(TokenKind::RBrace, "'}'")?;
                    out.push(Statement::Filter {
                        name,
                        expr: Spanned {
                            value: expr,
                            location: open.location,
                        },
                    });
                    self.end_statement()?;
                }
                kind if OBJECT_KINDS.contains(&kind) => {
                    let name = self.name("a name")?;
                    let next = self.next()?;
                    let body = match next.kind {
                        // `template NAME "text";`, short for
                        // `template NAME { template("text"); };`.
                        TokenKind::Str(text) if kind == "template" => vec![Call {
                            name: Spanned {
                                value: "template".to_owned(),
                                location: next.location.clone(),
                            },
                            args: vec![Arg::Value(Spanned {
                                value: Scalar::Str(text),
                                location: next.location,
                            })],
                        }],
                        TokenKind::LBrace => self.calls_until_brace(kind)?,
                        _ => return Err(unexpected(&next, "'{'")),
                    };
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
                _ if self.block_def("root", &word).is_some()
                    && self.peek()?.kind == TokenKind::LParen =>
                {
                    let name = Spanned {
                        value: word.clone(),
                        location: t.location,
                    };
                    let mut expanded = self.expand_block("root", name, |p| p.statements())?;
                    out.append(&mut expanded);
                    self.semicolons()?;
                }
                _ => {
                    let mut candidates = vec!["python", "log", "options", "block"];
                    candidates.extend_from_slice(OBJECT_KINDS);
                    let hint = crate::error::did_you_mean(&word, candidates);
                    return Err(ConfigError::new(
                        t.location,
                        Some(&t.kind.describe()),
                        format!("unknown statement{hint}"),
                    ));
                }
            }
        }
    }

    /// `block KIND NAME(param(default) ...) { body }`.
    fn block_definition(&mut self) -> Result<(), ConfigError> {
        let kind = self.word("the block's context (source, destination, root, ...)")?;
        let kind_kw = keyword(&kind.value);
        if !BLOCK_KINDS.contains(&kind_kw.as_str()) {
            let hint = crate::error::did_you_mean(&kind_kw, BLOCK_KINDS.iter().copied());
            return Err(ConfigError::new(
                kind.location,
                Some(&kind.value),
                format!("unknown block context{hint}"),
            ));
        }
        let name = self.word("the block's name")?;
        self.expect(TokenKind::LParen, "'('")?;
        let mut params = Vec::new();
        loop {
            let t = self.next()?;
            match t.kind {
                TokenKind::RParen => break,
                TokenKind::Comma => continue,
                TokenKind::Word(param) => {
                    let default = if self.peek()?.kind == TokenKind::LParen {
                        let open = self.next()?;
                        let raw = self.lexer.raw_parens(&open.location)?;
                        argument_value(&raw, &open.location)?
                    } else {
                        String::new()
                    };
                    params.push((keyword(&param), default));
                }
                _ => return Err(unexpected(&t, "a parameter name or ')'")),
            }
        }
        let open = self.expect(TokenKind::LBrace, "'{'")?;
        let body = self.lexer.raw_block(&open.location)?;
        let key = (kind_kw, keyword(&name.value));
        if self.blocks.borrow().contains_key(&key) {
            return Err(ConfigError::new(
                name.location,
                Some(&name.value),
                "duplicate block name",
            ));
        }
        self.blocks.borrow_mut().insert(
            key,
            BlockDef {
                params,
                body,
                location: name.location,
            },
        );
        Ok(())
    }

    /// Expands a use of block `name` (its `(` next) with `parse` over its body.
    fn expand_block<T>(
        &mut self,
        kind: &str,
        name: Spanned<String>,
        parse: impl FnOnce(&mut Parser) -> Result<T, ConfigError>,
    ) -> Result<T, ConfigError> {
        let def = self
            .block_def(kind, &name.value)
            .expect("caller checked the block exists");
        if self.depth > 16 {
            return Err(ConfigError::new(
                name.location,
                Some(&name.value),
                "blocks nest too deeply (a block uses itself?)",
            ));
        }
        self.expect(TokenKind::LParen, "'('")?;
        let mut values: HashMap<String, String> = HashMap::new();
        let mut varargs = Vec::new();
        loop {
            let t = self.next()?;
            match t.kind {
                TokenKind::RParen => break,
                TokenKind::Comma => continue,
                TokenKind::Word(arg) => {
                    let open = self.expect(TokenKind::LParen, "'('")?;
                    let raw = self.lexer.raw_parens(&open.location)?;
                    let arg_kw = keyword(&arg);
                    if def.params.iter().any(|(p, _)| *p == arg_kw) {
                        values.insert(arg_kw, argument_value(&raw, &open.location)?);
                    } else {
                        varargs.push(format!("{arg}({raw})"));
                    }
                }
                _ => {
                    return Err(unexpected(
                        &t,
                        "a block argument such as name(value), or ')'",
                    ));
                }
            }
        }
        let mut params: Vec<(String, String)> = def
            .params
            .iter()
            .map(|(p, default)| {
                (
                    p.clone(),
                    values.remove(p).unwrap_or_else(|| default.clone()),
                )
            })
            .collect();
        // Both spellings of a parameter work in the body.
        let underscored: Vec<(String, String)> = params
            .iter()
            .map(|(p, v)| (p.replace('-', "_"), v.clone()))
            .collect();
        params.extend(underscored);
        params.push(("__VARARGS__".into(), varargs.join(" ")));
        let _ = &def.location;
        let mut child = self.child(&name.location, &def.body, &params);
        parse(&mut child)
    }

    /// `call; call; ... }` (the `{` already read), with blocks of `context` expanded.
    fn calls_until_brace(&mut self, context: &str) -> Result<Vec<Call>, ConfigError> {
        let mut calls = Vec::new();
        loop {
            self.semicolons()?;
            let nested = self.depth > 0;
            match self.peek()?.kind {
                TokenKind::RBrace => {
                    self.next()?;
                    return Ok(calls);
                }
                TokenKind::Eof if nested => return Ok(calls),
                _ => {}
            }
            let name = self.word("a driver or option name")?;
            if self.block_def(context, &name.value).is_some() {
                let mut expanded =
                    self.expand_block(context, name, |p| p.calls_until_brace(context))?;
                calls.append(&mut expanded);
                continue;
            }
            calls.push(self.call_after_name(name)?);
        }
    }

    /// `( args )` after a name.
    fn call_after_name(&mut self, name: Spanned<String>) -> Result<Call, ConfigError> {
        self.expect(TokenKind::LParen, "'('")?;
        let args = self.args()?;
        Ok(Call { name, args })
    }

    /// One argument starting with token `t`; `None` for a token that ends the list.
    fn arg_from(&mut self, t: Token) -> Result<Option<Arg>, ConfigError> {
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

    fn args(&mut self) -> Result<Vec<Arg>, ConfigError> {
        let mut args = Vec::new();
        loop {
            let t = self.next()?;
            match t.kind {
                TokenKind::RParen => return Ok(args),
                TokenKind::Comma => continue,
                TokenKind::Eof => return Err(unexpected(&t, "')'")),
                _ => {}
            }
            let Some(arg) = self.arg_from(t)? else {
                let t = self.next()?;
                return Err(unexpected(&t, "a value or ')'"));
            };
            if self.peek()?.kind == TokenKind::Arrow {
                self.next()?;
                let t = self.next()?;
                let Some(value) = self.arg_from(t)? else {
                    let t = self.next()?;
                    return Err(unexpected(&t, "a value after '=>'"));
                };
                args.push(Arg::Arrow(Box::new(arg), Box::new(value)));
            } else {
                args.push(arg);
            }
        }
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

    /// `a or b`, `a and b`, `not a`, `( a )`, `name(args)`; `not` binds
    /// tightest, then `and`, then `or`.
    fn filter_expr(&mut self) -> Result<FilterExpr, ConfigError> {
        let mut left = self.filter_and()?;
        while matches!(&self.peek()?.kind, TokenKind::Word(w) if w.eq_ignore_ascii_case("or")) {
            self.next()?;
            let right = self.filter_and()?;
            left = FilterExpr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn filter_and(&mut self) -> Result<FilterExpr, ConfigError> {
        let mut left = self.filter_unary()?;
        while matches!(&self.peek()?.kind, TokenKind::Word(w) if w.eq_ignore_ascii_case("and")) {
            self.next()?;
            let right = self.filter_unary()?;
            left = FilterExpr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn filter_unary(&mut self) -> Result<FilterExpr, ConfigError> {
        let t = self.next()?;
        match t.kind {
            TokenKind::Word(ref w) if w.eq_ignore_ascii_case("not") => {
                Ok(FilterExpr::Not(Box::new(self.filter_unary()?)))
            }
            TokenKind::LParen => {
                let inner = self.filter_expr()?;
                self.expect(TokenKind::RParen, "')'")?;
                Ok(inner)
            }
            TokenKind::Word(w) if self.peek()?.kind == TokenKind::LParen => {
                let name = Spanned {
                    value: w,
                    location: t.location,
                };
                Ok(FilterExpr::Call(self.call_after_name(name)?))
            }
            TokenKind::Str(_) | TokenKind::Word(_) | TokenKind::Int(_) => {
                let left = comparison_operand(t)?;
                let op = self.next()?;
                let op = match op.kind {
                    TokenKind::Word(ref w)
                        if COMPARISONS.contains(&w.to_ascii_lowercase().as_str()) =>
                    {
                        Spanned {
                            value: w.to_ascii_lowercase(),
                            location: op.location,
                        }
                    }
                    _ => return Err(unexpected(&op, "a comparison such as == or eq")),
                };
                let right = comparison_operand(self.next()?)?;
                Ok(FilterExpr::Compare { left, op, right })
            }
            _ => Err(unexpected(
                &t,
                "a filter function such as program(\"...\"), a comparison, 'not' or '('",
            )),
        }
    }

    fn log_path(&mut self, location: Location) -> Result<LogPath, ConfigError> {
        self.expect(TokenKind::LBrace, "'{'")?;
        let items = self.log_items()?;
        Ok(LogPath { items, location })
    }

    /// The elements of a log path (or of an `if` branch) up to its `}`.
    fn log_items(&mut self) -> Result<Vec<LogItem>, ConfigError> {
        let mut items = Vec::new();
        loop {
            self.semicolons()?;
            if self.peek()?.kind == TokenKind::RBrace {
                self.next()?;
                return Ok(items);
            }
            let name = self.word("source(), destination(), filter(), flags(), if or log")?;
            let kw = keyword(&name.value);
            match self.peek()?.kind {
                _ if kw == "if" => items.push(LogItem::If(self.if_branches(name.location)?)),
                TokenKind::LBrace if kw == "log" => {
                    let nested = self.log_path(name.location)?;
                    items.push(LogItem::Log(nested));
                }
                TokenKind::LBrace if kw == "filter" => {
                    let open = self.next()?;
                    let expr = self.filter_expr()?;
                    self.semicolons()?;
                    self.expect(TokenKind::RBrace, "'}'")?;
                    items.push(LogItem::InlineFilter(Spanned {
                        value: expr,
                        location: open.location,
                    }));
                }
                TokenKind::LBrace => {
                    self.next()?;
                    let body = self.calls_until_brace(&kw)?;
                    items.push(LogItem::Inline(name, body));
                }
                _ => items.push(LogItem::Reference(self.call_after_name(name)?)),
            }
            self.expect(TokenKind::Semicolon, "';'")?;
        }
    }

    /// `(expr) { ... }` after `if`, then any `elif (expr) { ... }` and an
    /// optional `else { ... }`.
    fn if_branches(&mut self, location: Location) -> Result<Vec<IfBranch>, ConfigError> {
        let mut branches = Vec::new();
        let mut location = location;
        loop {
            let condition = if self.peek()?.kind == TokenKind::LParen {
                let open = self.next()?;
                let expr = self.filter_expr()?;
                self.expect(TokenKind::RParen, "')'")?;
                Some(Spanned {
                    value: expr,
                    location: open.location,
                })
            } else {
                None
            };
            self.expect(TokenKind::LBrace, "'{'")?;
            let items = self.log_items()?;
            branches.push(IfBranch {
                condition,
                items,
                is_else: false,
                location,
            });
            let next_word = match &self.peek()?.kind {
                TokenKind::Word(w) => keyword(w),
                _ => return Ok(branches),
            };
            match next_word.as_str() {
                "elif" => location = self.next()?.location,
                "else" => {
                    let location = self.next()?.location;
                    self.expect(TokenKind::LBrace, "'{'")?;
                    let items = self.log_items()?;
                    branches.push(IfBranch {
                        condition: None,
                        items,
                        is_else: true,
                        location,
                    });
                    return Ok(branches);
                }
                _ => return Ok(branches),
            }
        }
    }
}

/// Parses a filter expression on its own, as `$(if)` holds one; `origin`
/// names it in errors.
pub fn parse_filter_expression(origin: &Path, text: &str) -> Result<FilterExpr, ConfigError> {
    let mut parser = Parser {
        lexer: Lexer::new(origin, text),
        peeked: None,
        blocks: Blocks::default(),
        depth: 0,
    };
    let expr = parser.filter_expr()?;
    let end = parser.next()?;
    if end.kind != TokenKind::Eof {
        return Err(unexpected(&end, "the end of the filter expression"));
    }
    Ok(expr)
}

/// What parsing a configuration gives.
pub struct Parsed {
    /// The statements, blocks expanded.
    pub statements: Vec<Statement>,
    /// The text after `@include`/`@define`/backtick expansion.
    pub expanded: String,
}

/// Parses configuration text; `include_path` is searched by `@include`
/// after the including file's directory.
pub fn parse(file: &Path, text: &str, include_path: &[PathBuf]) -> Result<Parsed, ConfigError> {
    let mut lexer = Lexer::new(file, text);
    lexer.set_include_path(include_path.to_vec());
    let mut parser = Parser {
        lexer,
        peeked: None,
        blocks: Blocks::default(),
        depth: 0,
    };
    let statements = parser.statements()?;
    Ok(Parsed {
        statements,
        expanded: parser.lexer.expanded(),
    })
}
