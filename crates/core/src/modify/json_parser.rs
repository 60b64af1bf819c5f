//! `json-parser()`: a JSON object in a message becomes name-value pairs.
//!
//! Nested objects become dotted names (`user.name`, with `key-delimiter()`).
//! Scalars keep their JSON type (syslog-ng 4.x typing: integers, doubles,
//! booleans, null) with syslog-ng's text forms (`%f` for doubles, `""` for
//! null). An array of strings becomes a list (`a,"b c"`), an array of other
//! scalars their list text (`1,2.500000`), an array holding objects or
//! arrays its compact JSON text, as in syslog-ng 3.38. A top-level array
//! sets the match values `$1`, `$2` … instead.

use crate::message::LogMessage;
use crate::template::Template;
use crate::value::{Value, encode_list_item};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// A `json-parser()` of a log path.
#[derive(Debug)]
pub struct JsonParser {
    /// `prefix()`: put before every name.
    pub prefix: String,
    /// `marker()`: the input must start with it; it is skipped, with the
    /// blanks after it.
    pub marker: Option<String>,
    /// `extract-prefix()`: parse only this member (`a.b[0].c`).
    pub extract_prefix: Option<String>,
    /// `key-delimiter()`: joins the names of nested objects.
    pub key_delimiter: char,
    /// `template()`: the input; `None` for the message text.
    pub template: Option<Template>,
}

impl Default for JsonParser {
    fn default() -> Self {
        JsonParser {
            prefix: String::new(),
            marker: None,
            extract_prefix: None,
            key_delimiter: '.',
            template: None,
        }
    }
}

impl JsonParser {
    /// Parses the input and sets the pairs; `false` (nothing set) when the
    /// marker is missing, the JSON is invalid or holds no object there.
    pub fn apply(&self, msg: &mut LogMessage) -> bool {
        let input = super::parser_input(self.template.as_ref(), msg);
        let mut text = &input[..];
        if let Some(marker) = &self.marker {
            let Some(rest) = text.strip_prefix(marker.as_bytes()) else {
                tracing::debug!(
                    marker = marker.as_str(),
                    "json-parser(): no marker at the beginning of the message, skipping JSON parsing"
                );
                return false;
            };
            text = rest.trim_ascii_start();
        }
        // Like json-c, the first JSON value counts; text after it is ignored.
        let parsed = serde_json::Deserializer::from_slice(text)
            .into_iter::<Json>()
            .next();
        let json = match parsed {
            Some(Ok(json)) => json,
            Some(Err(e)) => {
                tracing::debug!(json_error = %e, "json-parser(): failed to parse JSON payload");
                return false;
            }
            None => {
                tracing::debug!("json-parser(): failed to parse JSON payload");
                return false;
            }
        };
        let json = match &self.extract_prefix {
            Some(path) => match extract(&json, path) {
                Some(inner) => inner,
                None => return false,
            },
            None => &json,
        };
        match json {
            Json::Object(members) => {
                let mut name = self.prefix.clone();
                self.set_members(members, &mut name, msg);
                true
            }
            Json::Array(items) => {
                set_matches(items, msg);
                true
            }
            _ => {
                tracing::debug!(
                    "json-parser(): failed to extract JSON members into name-value pairs. The parsed/extracted JSON payload was not an object"
                );
                false
            }
        }
    }

    /// Sets each member under `name` + its key; `name` is restored after.
    fn set_members(&self, members: &[(String, Json)], name: &mut String, msg: &mut LogMessage) {
        let base = name.len();
        for (key, value) in members {
            name.truncate(base);
            name.push_str(key);
            match value {
                Json::Object(inner) => {
                    name.push(self.key_delimiter);
                    self.set_members(inner, name, msg);
                }
                other => msg.set(name, other.to_value()),
            }
        }
        name.truncate(base);
    }
}

/// How many match values (`$1` …) a message holds at most.
const MAX_MATCHES: usize = 255;

/// A top-level array: its items become `$1`, `$2` …; `$0` and matches
/// beyond the last item are cleared.
fn set_matches(items: &[Json], msg: &mut LogMessage) {
    let count = items.len().min(MAX_MATCHES);
    let stale: Vec<String> = msg
        .names()
        .filter(|n| {
            n.bytes().all(|b| b.is_ascii_digit())
                && n.parse::<usize>().is_ok_and(|i| i == 0 || i > count)
        })
        .map(str::to_owned)
        .collect();
    for name in stale {
        msg.unset(&name);
    }
    for (i, item) in items.iter().take(count).enumerate() {
        let name = (i + 1).to_string();
        match item {
            Json::Array(_) | Json::Object(_) => {
                let mut text = String::new();
                item.write_json(&mut text);
                msg.set(&name, Value::string(text));
            }
            scalar => msg.set(&name, scalar.to_value()),
        }
    }
}

/// A JSON value with its object members in the order written.
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Double(f64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The message value of a member that is not an object.
    fn to_value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Int(i) => Value::Int(*i),
            Json::Double(d) => Value::Double(*d),
            // Values are C strings in syslog-ng: a NUL ends them.
            Json::String(s) => Value::string(s.split('\0').next().unwrap_or_default()),
            Json::Array(items) if items.iter().all(|i| matches!(i, Json::String(_))) => {
                Value::List(items.iter().map(|i| i.to_value().to_text()).collect())
            }
            Json::Array(items) => {
                let mut text = String::new();
                if items
                    .iter()
                    .any(|i| matches!(i, Json::Array(_) | Json::Object(_)))
                {
                    self.write_json(&mut text);
                } else {
                    // syslog-ng 3.38's list text of the scalars' text forms.
                    let mut list = Vec::new();
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            list.push(b',');
                        }
                        encode_list_item(&item.to_value().to_text(), false, &mut list);
                    }
                    text = String::from_utf8_lossy(&list).into_owned();
                }
                Value::string(text)
            }
            Json::Object(_) => {
                let mut text = String::new();
                self.write_json(&mut text);
                Value::string(text)
            }
        }
    }

    /// Appends the value as compact JSON.
    fn write_json(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Int(i) => out.push_str(&i.to_string()),
            Json::Double(d) => out.push_str(
                &serde_json::Number::from_f64(*d)
                    .map_or_else(|| "null".to_owned(), |n| n.to_string()),
            ),
            Json::String(s) => write_json_string(s, out),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_json(out);
                }
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_json_string(key, out);
                    out.push(':');
                    value.write_json(out);
                }
                out.push('}');
            }
        }
    }
}

/// Appends a JSON string as json-c writes it (`/` escaped too).
fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push_str("\\/"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The member `path` names (`a.b`, `a[0].b`, `[1]`), if there is one.
fn extract<'a>(mut json: &'a Json, path: &str) -> Option<&'a Json> {
    for part in path.split('.') {
        let (key, mut indexes) = match part.find('[') {
            Some(open) => (&part[..open], &part[open..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            let Json::Object(members) = json else {
                return None;
            };
            json = members
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)?;
        }
        while let Some(rest) = indexes.strip_prefix('[') {
            let close = rest.find(']')?;
            let index: usize = rest[..close].trim().parse().ok()?;
            let Json::Array(items) = json else {
                return None;
            };
            json = items.get(index)?;
            indexes = &rest[close + 1..];
        }
        if !indexes.is_empty() {
            return None;
        }
    }
    Some(json)
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        // As json-c: integers beyond the 64-bit range saturate.
        Ok(Json::Int(i64::try_from(v).unwrap_or(i64::MAX)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        Ok(Json::Double(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut members = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Json>()? {
            members.push((key, value));
        }
        Ok(Json::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(parser: &JsonParser, text: &str) -> Option<LogMessage> {
        let mut msg = LogMessage::with_message(text);
        parser.apply(&mut msg).then_some(msg)
    }

    fn text(msg: &LogMessage, name: &str) -> String {
        String::from_utf8(msg.text(name, &mut Vec::new()).to_vec()).unwrap()
    }

    #[test]
    fn members_become_typed_pairs_under_dotted_names() {
        let parser = JsonParser {
            prefix: ".json.".into(),
            ..JsonParser::default()
        };
        let msg = parse(
            &parser,
            r#"{"user": {"name": "alice", "id": 42}, "ok": true, "r": 1.5, "n": null,
                "tags": ["a", "b c"], "mixed": [1, "x", {"k": 2}], "big": 18446744073709551615}"#,
        )
        .unwrap();
        assert_eq!(msg.get(".json.user.id"), Some(&Value::Int(42)));
        assert_eq!(text(&msg, ".json.user.name"), "alice");
        assert_eq!(msg.get(".json.ok"), Some(&Value::Bool(true)));
        assert_eq!(text(&msg, ".json.r"), "1.500000");
        assert_eq!(msg.get(".json.n"), Some(&Value::Null));
        assert_eq!(text(&msg, ".json.tags"), "a,\"b c\"");
        assert_eq!(text(&msg, ".json.mixed"), r#"[1,"x",{"k":2}]"#);
        assert_eq!(text(&msg, ".json.big"), "9223372036854775807");
        assert_eq!(text(&msg, "MESSAGE").chars().next(), Some('{'));
    }

    #[test]
    fn not_an_object_or_not_json_fails_and_sets_nothing() {
        let parser = JsonParser::default();
        assert!(parse(&parser, "not json").is_none());
        assert!(parse(&parser, r#"{"a": "#).is_none());
        assert!(parse(&parser, r#""a""#).is_none());
        assert!(parse(&parser, "42").is_none());
        assert!(parse(&parser, "").is_none());
        let msg = parse(&parser, r#"{"a": 1} trailing text"#).unwrap();
        assert_eq!(msg.get("a"), Some(&Value::Int(1)));
    }

    #[test]
    fn lists_are_written_as_syslog_ng_writes_them() {
        let parser = JsonParser::default();
        let msg = parse(
            &parser,
            r#"{"s": ["a", "b c", "d,e", "f\"g", "h'i", ""], "n": [1, 2.5, -3],
                "both": ["q\"a'b", "back\\slash", "t\tab", 1.0], "empty": [],
                "slash": [{"p": "a/b"}], "nul": "cut\u0000here"}"#,
        )
        .unwrap();
        // A list item with a comma is quoted (syslog-ng 3.38 leaves it bare).
        assert_eq!(text(&msg, "s"), r#"a,"b c","d,e",'f"g',"h'i","""#);
        assert_eq!(text(&msg, "n"), "1,2.500000,-3");
        assert_eq!(
            text(&msg, "both"),
            r#""q\"a'b","back\\slash","t\tab",1.000000"#
        );
        assert_eq!(text(&msg, "empty"), "");
        assert_eq!(text(&msg, "slash"), r#"[{"p":"a\/b"}]"#);
        assert_eq!(text(&msg, "nul"), "cut");
    }

    #[test]
    fn a_top_level_array_sets_the_match_values() {
        let mut msg = LogMessage::with_message(r#"["top", 2.5, {"k": "v"}]"#);
        msg.set_str("0", "old whole match");
        msg.set_str("4", "old fourth");
        assert!(JsonParser::default().apply(&mut msg));
        assert_eq!(text(&msg, "1"), "top");
        assert_eq!(text(&msg, "2"), "2.500000");
        assert_eq!(text(&msg, "3"), r#"{"k":"v"}"#);
        assert_eq!(msg.get("0"), None);
        assert_eq!(msg.get("4"), None);
    }

    #[test]
    fn marker_extract_prefix_and_key_delimiter() {
        let cee = JsonParser {
            marker: Some("@cee:".into()),
            ..JsonParser::default()
        };
        assert_eq!(
            text(&parse(&cee, r#"@cee:  {"a": "x"}"#).unwrap(), "a"),
            "x"
        );
        assert!(parse(&cee, r#"{"a": "x"}"#).is_none());

        let extract = JsonParser {
            extract_prefix: Some("data.list[1]".into()),
            key_delimiter: '_',
            ..JsonParser::default()
        };
        let msg = parse(
            &extract,
            r#"{"data": {"list": [{"k": 0}, {"k": 1, "in": {"x": "y"}}]}}"#,
        )
        .unwrap();
        assert_eq!(msg.get("k"), Some(&Value::Int(1)));
        assert_eq!(text(&msg, "in_x"), "y");
        assert!(parse(&extract, r#"{"data": {}}"#).is_none());
    }
}
