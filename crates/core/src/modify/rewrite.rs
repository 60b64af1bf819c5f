//! Rewrite rules: `set()`, `unset()`, `groupset()`, `groupunset()`, `subst()`, `rename()`,
//! `set-tag()`, `clear-tag()`, `set-pri()`, `set-severity()`,
//! `set-facility()`, each with an optional `condition()`.

use crate::filter::Filter;
use crate::message::LogMessage;
use crate::pri;
use crate::template::Template;
use crate::value::Value;
use regex::bytes::{Captures, Regex};
use std::sync::Arc;

/// One rule of a `rewrite {}` statement.
#[derive(Debug)]
pub struct RewriteRule {
    /// What the rule does.
    pub action: RewriteAction,
    /// `condition()`: the rule applies only to messages that match.
    pub condition: Option<Filter>,
}

/// What a rewrite rule does.
#[derive(Debug)]
pub enum RewriteAction {
    /// `set("template" value("NAME"))`; a template that is one value
    /// reference copies the value with its type.
    Set {
        /// Names to set (`value()`, or each of `values()`).
        names: Vec<String>,
        /// The new value.
        template: Template,
    },
    /// `unset(value("NAME"))`.
    Unset(Vec<String>),
    /// `groupunset(values("glob*"))`: every name that matches a pattern.
    GroupUnset(Vec<Regex>),
    /// `groupset("template" values("glob*"))`: every set name that matches
    /// a pattern gets the template, which shows its old value as `$_`.
    GroupSet {
        /// The names changed.
        patterns: Vec<Regex>,
        /// The new value.
        template: Template,
    },
    /// `subst("regex" "replacement" value("NAME") flags(global))`.
    Subst {
        /// The value changed (`MESSAGE` unless `value()`).
        name: String,
        /// What to replace.
        pattern: Regex,
        /// What replaces it: a template that may show the match as `$0`
        /// and its groups as `$1` …
        replacement: Replacement,
        /// `flags(global)`: every match, not only the first.
        global: bool,
    },
    /// `rename("from" "to")`.
    Rename {
        /// The current name.
        from: String,
        /// The new name.
        to: String,
    },
    /// `set-tag("tag")` (a template).
    SetTag(Template),
    /// `clear-tag("tag")`.
    ClearTag(String),
    /// `set-pri("template")`: a number 0–1023.
    SetPri(Template),
    /// `set-severity("template")`: a number 0–7 or a severity name.
    SetSeverity(Template),
    /// `set-facility("template")`: a number 0–127 or a facility name.
    SetFacility(Template),
}

/// The replacement of `subst()`.
#[derive(Debug)]
pub struct Replacement {
    template: Template,
    /// Whether the template shows match groups (`$0` … `$255`).
    uses_groups: bool,
}

impl Replacement {
    /// A replacement from its template.
    pub fn new(template: Template) -> Self {
        let uses_groups = template
            .value_names()
            .any(|n| n.bytes().all(|b| b.is_ascii_digit()));
        Replacement {
            template,
            uses_groups,
        }
    }

    /// Appends the replacement of one match. The groups are shown through
    /// values named `0`, `1` … set on the message while it renders.
    fn render(&self, msg: &mut LogMessage, captures: &Captures, out: &mut Vec<u8>) {
        if !self.uses_groups {
            self.template.render(msg, out);
            return;
        }
        let saved: Vec<(String, Option<Value>)> = (0..captures.len())
            .map(|i| {
                let name = i.to_string();
                let old = msg.get(&name).cloned();
                (name, old)
            })
            .collect();
        for (i, (name, _)) in saved.iter().enumerate() {
            let text = captures.get(i).map_or(&b""[..], |m| m.as_bytes());
            msg.set_str(name, text);
        }
        self.template.render(msg, out);
        for (name, old) in saved {
            match old {
                Some(value) => msg.set(&name, value),
                None => msg.unset(&name),
            }
        }
    }
}

impl RewriteRule {
    /// Applies the rule (when its condition holds).
    pub fn apply(&self, msg: &mut LogMessage) {
        if self.condition.as_ref().is_some_and(|c| !c.matches(msg)) {
            return;
        }
        match &self.action {
            RewriteAction::Set { names, template } => {
                let value = match template.single_value().and_then(|n| msg.get(n)) {
                    Some(value) => value.clone(),
                    None => {
                        let mut text = Vec::new();
                        template.render(msg, &mut text);
                        Value::string(text)
                    }
                };
                for name in names {
                    msg.set(name, value.clone());
                }
            }
            RewriteAction::Unset(names) => {
                for name in names {
                    msg.unset(name);
                }
            }
            RewriteAction::GroupUnset(patterns) => {
                for name in matching_names(msg, patterns) {
                    msg.unset(&name);
                }
            }
            RewriteAction::GroupSet { patterns, template } => {
                let saved = msg.get("_").cloned();
                for name in matching_names(msg, patterns) {
                    if let Some(old) = msg.get(&name).cloned() {
                        msg.set("_", old);
                        let mut text = Vec::new();
                        template.render(msg, &mut text);
                        msg.set_str(&name, text);
                    }
                }
                match saved {
                    Some(value) => msg.set("_", value),
                    None => msg.unset("_"),
                }
            }
            RewriteAction::Subst {
                name,
                pattern,
                replacement,
                global,
            } => subst(msg, name, pattern, replacement, *global),
            RewriteAction::Rename { from, to } => {
                if let Some(value) = msg.get(from).cloned() {
                    msg.unset(from);
                    msg.set(to, value);
                }
            }
            RewriteAction::SetTag(template) => {
                let mut tag = Vec::new();
                template.render(msg, &mut tag);
                let tag: Arc<str> = Arc::from(String::from_utf8_lossy(&tag).as_ref());
                msg.add_tag(&tag);
            }
            RewriteAction::ClearTag(tag) => msg.remove_tag(tag),
            RewriteAction::SetPri(template) => {
                if let Some(n) = rendered_number(msg, template).filter(|n| *n <= 1023) {
                    msg.pri = n;
                }
            }
            RewriteAction::SetSeverity(template) => {
                let text = rendered(msg, template);
                let severity = text
                    .parse::<u16>()
                    .ok()
                    .filter(|n| *n <= 7)
                    .or_else(|| pri::severity_by_name(&text));
                if let Some(severity) = severity {
                    msg.pri = (msg.pri & !7) | severity;
                }
            }
            RewriteAction::SetFacility(template) => {
                let text = rendered(msg, template);
                let facility = text
                    .parse::<u16>()
                    .ok()
                    .filter(|n| *n <= 127)
                    .or_else(|| pri::facility_by_name(&text));
                if let Some(facility) = facility {
                    msg.pri = (facility << 3) | (msg.pri & 7);
                }
            }
        }
    }
}

/// The set names that match any of `patterns`.
fn matching_names(msg: &LogMessage, patterns: &[Regex]) -> Vec<String> {
    msg.names()
        .filter(|n| patterns.iter().any(|p| p.is_match(n.as_bytes())))
        .map(str::to_owned)
        .collect()
}

fn rendered(msg: &LogMessage, template: &Template) -> String {
    let mut text = Vec::new();
    template.render(msg, &mut text);
    String::from_utf8_lossy(&text).trim().to_owned()
}

fn rendered_number(msg: &LogMessage, template: &Template) -> Option<u16> {
    rendered(msg, template).parse().ok()
}

/// Replaces the first (or, `global`, every) match in `name`'s text. As in
/// syslog-ng, an empty match at the very end of the text is not replaced.
fn subst(
    msg: &mut LogMessage,
    name: &str,
    pattern: &Regex,
    replacement: &Replacement,
    global: bool,
) {
    let Some(value) = msg.get(name) else {
        return;
    };
    let text = value.to_text();
    let mut out = Vec::with_capacity(text.len());
    let mut last = 0;
    let mut changed = false;
    let mut from = 0;
    // By hand rather than `captures_iter`: PCRE also takes an empty match
    // right after a non-empty one (`x*` on `axxc` gives `-a--c`).
    while let Some(captures) = pattern.captures_at(&text, from) {
        let whole = captures.get(0).expect("group 0 is the match");
        if whole.is_empty() && whole.start() == text.len() {
            break;
        }
        out.extend_from_slice(&text[last..whole.start()]);
        replacement.render(msg, &captures, &mut out);
        last = whole.end();
        changed = true;
        if !global {
            break;
        }
        from = if whole.is_empty() {
            next_char_boundary(&text, whole.end())
        } else {
            whole.end()
        };
    }
    if changed {
        out.extend_from_slice(&text[last..]);
        msg.set_str(name, out);
    }
}

/// The position after the character starting at `at` (UTF-8, or one byte).
fn next_char_boundary(text: &[u8], at: usize) -> usize {
    let width = match text.get(at) {
        Some(b) if *b >= 0xF0 => 4,
        Some(b) if *b >= 0xE0 => 3,
        Some(b) if *b >= 0xC0 => 2,
        _ => 1,
    };
    (at + width).min(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(action: RewriteAction) -> RewriteRule {
        RewriteRule {
            action,
            condition: None,
        }
    }

    fn text(msg: &LogMessage, name: &str) -> String {
        String::from_utf8(msg.text(name, &mut Vec::new()).to_vec()).unwrap()
    }

    fn template(text: &str) -> Template {
        Template::compile(text).unwrap()
    }

    #[test]
    fn subst_first_or_every_match_with_groups() {
        let mut msg = LogMessage::with_message("foo boo zoo");
        rule(RewriteAction::Subst {
            name: "MESSAGE".into(),
            pattern: Regex::new("o+").unwrap(),
            replacement: Replacement::new(template("0")),
            global: false,
        })
        .apply(&mut msg);
        assert_eq!(text(&msg, "MESSAGE"), "f0 boo zoo");
        rule(RewriteAction::Subst {
            name: "MESSAGE".into(),
            pattern: Regex::new(r"(\w)(o+)").unwrap(),
            replacement: Replacement::new(template("<$2$1>")),
            global: true,
        })
        .apply(&mut msg);
        assert_eq!(text(&msg, "MESSAGE"), "f0 <oob> <ooz>");
        assert_eq!(msg.get("1"), None);
    }

    #[test]
    fn empty_matches_are_replaced_before_each_character_but_not_at_the_end() {
        let cases = [
            ("x*", true, "hello world", "-h-e-l-l-o- -w-o-r-l-d"),
            (
                "x*",
                true,
                "abc a.c aXc axxc",
                "-a-b-c- -a-.-c- -a-X-c- -a--c",
            ),
            ("x*", true, "x", "-"),
            ("x*", false, "hello world", "-hello world"),
            ("", true, "x", "-x"),
            ("", true, "", ""),
        ];
        for (pattern, global, input, expected) in cases {
            let mut msg = LogMessage::with_message(input);
            rule(RewriteAction::Subst {
                name: "MESSAGE".into(),
                pattern: Regex::new(pattern).unwrap(),
                replacement: Replacement::new(template("-")),
                global,
            })
            .apply(&mut msg);
            assert_eq!(text(&msg, "MESSAGE"), expected, "{pattern} on {input}");
        }
    }

    #[test]
    fn set_keeps_the_type_of_a_single_reference_and_renders_otherwise() {
        let mut msg = LogMessage::with_message("m");
        msg.set("n", Value::Int(7));
        rule(RewriteAction::Set {
            names: vec!["copy".into()],
            template: template("$n"),
        })
        .apply(&mut msg);
        rule(RewriteAction::Set {
            names: vec!["text".into()],
            template: template("n=$n"),
        })
        .apply(&mut msg);
        assert_eq!(msg.get("copy"), Some(&Value::Int(7)));
        assert_eq!(msg.get("text"), Some(&Value::string("n=7")));
    }

    #[test]
    fn unset_rename_tags_and_pri() {
        let mut msg = LogMessage::with_message("m");
        msg.set_str(".app.a", "1");
        msg.set_str(".app.b", "2");
        msg.set_str("keep", "3");
        rule(RewriteAction::GroupUnset(vec![
            Regex::new(r"^\.app\..*$").unwrap(),
        ]))
        .apply(&mut msg);
        rule(RewriteAction::Rename {
            from: "keep".into(),
            to: "kept".into(),
        })
        .apply(&mut msg);
        assert_eq!(msg.names().collect::<Vec<_>>(), ["MESSAGE", "kept"]);
        rule(RewriteAction::GroupSet {
            patterns: vec![Regex::new("^k.*$").unwrap()],
            template: template("<$_>"),
        })
        .apply(&mut msg);
        assert_eq!(msg.get("kept"), Some(&Value::string("<3>")));
        assert_eq!(msg.get("_"), None);
        rule(RewriteAction::Unset(vec!["kept".into()])).apply(&mut msg);
        rule(RewriteAction::Set {
            names: vec!["kept".into()],
            template: template("3"),
        })
        .apply(&mut msg);
        rule(RewriteAction::SetTag(template("t-$kept"))).apply(&mut msg);
        assert!(msg.has_tag("t-3"));
        rule(RewriteAction::ClearTag("t-3".into())).apply(&mut msg);
        assert!(!msg.has_tag("t-3"));
        rule(RewriteAction::SetSeverity(template("err"))).apply(&mut msg);
        rule(RewriteAction::SetFacility(template("local0"))).apply(&mut msg);
        assert_eq!(msg.pri, 16 * 8 + 3);
        let conditional = RewriteRule {
            action: RewriteAction::SetPri(template("5")),
            condition: Some(Filter::Level(1)),
        };
        conditional.apply(&mut msg);
        assert_eq!(msg.pri, 16 * 8 + 3);
    }
}
