//! `regexp-parser()`: the first of its patterns that matches sets the
//! message's match values (`$0` the whole match, `$1` … the groups) and a
//! pair per named group (`prefix` + name).

use crate::message::LogMessage;
use crate::template::Template;
use regex::bytes::Regex;

/// A `regexp-parser()` of a log path.
#[derive(Debug)]
pub struct RegexpParser {
    /// `patterns()`: tried in order.
    pub patterns: Vec<Regex>,
    /// `prefix()`: put before the names of named groups.
    pub prefix: String,
    /// `template()`: the input; `None` for the message text.
    pub template: Option<Template>,
}

impl RegexpParser {
    /// Sets the groups of the first pattern that matches; `false` when none does.
    pub fn apply(&self, msg: &mut LogMessage) -> bool {
        let input = super::parser_input(self.template.as_ref(), msg);
        for pattern in &self.patterns {
            let Some(captures) = pattern.captures(&input) else {
                continue;
            };
            for (i, group) in captures.iter().enumerate() {
                let name = i.to_string();
                match group {
                    Some(m) => msg.set_str(&name, m.as_bytes()),
                    None => msg.unset(&name),
                }
            }
            let mut name = self.prefix.clone();
            for group_name in pattern.capture_names().flatten() {
                if let Some(m) = captures.name(group_name) {
                    name.truncate(self.prefix.len());
                    name.push_str(group_name);
                    msg.set_str(&name, m.as_bytes());
                }
            }
            return true;
        }
        tracing::debug!("regexp-parser(): no pattern matches");
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    #[test]
    fn the_first_matching_pattern_sets_groups_and_named_pairs() {
        let parser = RegexpParser {
            patterns: vec![
                Regex::new(r"^(?<verb>DELETE) (\S+)$").unwrap(),
                Regex::new(r"(?<method>[A-Z]+) (?<path>\S+) (\d+)").unwrap(),
            ],
            prefix: ".http.".into(),
            template: None,
        };
        let mut msg = LogMessage::with_message("GET /index.html 200 512");
        assert!(parser.apply(&mut msg));
        assert_eq!(msg.get(".http.method"), Some(&Value::string("GET")));
        assert_eq!(msg.get(".http.path"), Some(&Value::string("/index.html")));
        assert_eq!(msg.get("0"), Some(&Value::string("GET /index.html 200")));
        assert_eq!(msg.get("3"), Some(&Value::string("200")));
        assert_eq!(msg.get(".http.verb"), None);
        assert!(!parser.apply(&mut LogMessage::with_message("garbage")));
    }
}
