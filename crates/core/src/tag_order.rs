//! The order `$TAGS` lists a message's tags in. syslog-ng numbers a tag name
//! the first time anything uses it — the parser's own tags when it loads,
//! a name in the configuration (`tags()`, `set-tag("x")`, a `tags()`
//! filter) while the configuration is read, `.source.NAME` when the source
//! starts, any other when a message first gets it — and lists tags by
//! number. The numbers last for the process, across reloads.

use parking_lot::RwLock;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

static NUMBERS: LazyLock<RwLock<HashMap<Arc<str>, u32>>> = LazyLock::new(|| {
    let mut numbers = HashMap::new();
    for tag in crate::syslog_parse::PARSER_TAGS.iter().copied() {
        let next = numbers.len() as u32;
        numbers.entry(Arc::from(tag)).or_insert(next);
    }
    RwLock::new(numbers)
});

/// The number of tag `name`, numbering it now if it has none yet.
pub fn number(name: &str) -> u32 {
    if let Some(n) = NUMBERS.read().get(name) {
        return *n;
    }
    let mut numbers = NUMBERS.write();
    let next = numbers.len() as u32;
    *numbers.entry(Arc::from(name)).or_insert(next)
}

/// `tags` in `$TAGS` order.
pub fn sorted<'a>(tags: impl Iterator<Item = &'a Arc<str>>) -> Vec<&'a Arc<str>> {
    let mut numbered: Vec<(u32, &Arc<str>)> = tags.map(|t| (number(t), t)).collect();
    numbered.sort_by_key(|(n, _)| *n);
    numbered.into_iter().map(|(_, t)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_sort_by_when_their_names_were_first_used() {
        number("tag-order-test-b");
        number("tag-order-test-a");
        let tags: Vec<Arc<str>> = ["tag-order-test-c", "tag-order-test-a", "tag-order-test-b"]
            .into_iter()
            .map(Arc::from)
            .collect();
        let sorted: Vec<&str> = sorted(tags.iter()).into_iter().map(|t| &**t).collect();
        assert_eq!(
            sorted,
            ["tag-order-test-b", "tag-order-test-a", "tag-order-test-c"]
        );
        assert!(number("syslog.missing_pri") < number("tag-order-test-b"));
    }
}
