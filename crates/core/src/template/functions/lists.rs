//! syslog-ng's list and path template functions: `$(list-count)`,
//! `$(list-nth)`, `$(explode)`, `$(implode)`, `$(basename)`, `$(uuid)` …
//! Lists are in syslog-ng's encoding (`a,b,"c d"`); where a function takes
//! several list arguments, they are one list end to end.

use crate::value::{decode_list, encode_list};

/// One of the functions here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ListFunction {
    Count,
    Head,
    Tail,
    Nth,
    Concat,
    Append,
    Slice,
    Explode,
    Implode,
    Basename,
    Dirname,
    Ipv4ToInt,
    Uuid,
}

impl ListFunction {
    /// The function `name` names, if it is one of these.
    pub(super) fn named(name: &str) -> Option<ListFunction> {
        Some(match name {
            "list-count" => ListFunction::Count,
            "list-head" => ListFunction::Head,
            "list-tail" => ListFunction::Tail,
            "list-nth" => ListFunction::Nth,
            "list-concat" => ListFunction::Concat,
            "list-append" => ListFunction::Append,
            "list-slice" => ListFunction::Slice,
            "explode" => ListFunction::Explode,
            "implode" => ListFunction::Implode,
            "basename" => ListFunction::Basename,
            "dirname" => ListFunction::Dirname,
            "ipv4-to-int" => ListFunction::Ipv4ToInt,
            "uuid" => ListFunction::Uuid,
            _ => return None,
        })
    }

    /// Appends the result for the rendered arguments `args`.
    pub(super) fn apply(self, args: &[Vec<u8>], out: &mut Vec<u8>) {
        match self {
            ListFunction::Count => {
                out.extend_from_slice(joined(args).len().to_string().as_bytes());
            }
            ListFunction::Head => {
                if let Some(first) = joined(args).first() {
                    out.extend_from_slice(first);
                }
            }
            ListFunction::Tail => encode_list(joined(args).get(1..).unwrap_or_default(), out),
            ListFunction::Nth => {
                let Some((index, lists)) = args.split_first() else {
                    return;
                };
                let items = joined(lists);
                if let Some(i) = index_of(index, items.len()) {
                    out.extend_from_slice(&items[i]);
                }
            }
            ListFunction::Concat => encode_list(&joined(args), out),
            ListFunction::Append => {
                let Some((list, extra)) = args.split_first() else {
                    return;
                };
                let mut items = decode_list(list);
                items.extend(extra.iter().cloned());
                encode_list(&items, out);
            }
            ListFunction::Slice => {
                let Some((range, lists)) = args.split_first() else {
                    return;
                };
                let items = joined(lists);
                let (start, end) = slice_bounds(range, items.len());
                encode_list(items.get(start..end).unwrap_or_default(), out);
            }
            ListFunction::Explode => {
                let Some((delimiters, texts)) = args.split_first() else {
                    return;
                };
                let items: Vec<Vec<u8>> = texts
                    .iter()
                    .flat_map(|t| t.split(|b| delimiters.contains(b)).map(<[u8]>::to_vec))
                    .collect();
                encode_list(&items, out);
            }
            ListFunction::Implode => {
                let Some((separator, lists)) = args.split_first() else {
                    return;
                };
                out.extend_from_slice(&joined(lists).join(&separator[..]));
            }
            ListFunction::Basename => path_part(args, out, basename),
            ListFunction::Dirname => path_part(args, out, dirname),
            ListFunction::Ipv4ToInt => {
                let numbers: Vec<String> = args
                    .iter()
                    .filter_map(|a| std::str::from_utf8(a).ok()?.trim().parse().ok())
                    .map(|ip: std::net::Ipv4Addr| u32::from(ip).to_string())
                    .collect();
                out.extend_from_slice(numbers.join(",").as_bytes());
            }
            ListFunction::Uuid => out.extend_from_slice(random_uuid().as_bytes()),
        }
    }
}

/// The items of the lists `args`, end to end.
fn joined(args: &[Vec<u8>]) -> Vec<Vec<u8>> {
    args.iter().flat_map(|a| decode_list(a)).collect()
}

/// A Python-style index (negative counts from the end) into `len` items.
fn index_of(text: &[u8], len: usize) -> Option<usize> {
    let n: i64 = std::str::from_utf8(text).ok()?.trim().parse().ok()?;
    let i = if n < 0 { len as i64 + n } else { n };
    (0..len as i64).contains(&i).then_some(i as usize)
}

/// `START:END`, `START:`, `:END` or `START`, Python-style, clamped.
fn slice_bounds(text: &[u8], len: usize) -> (usize, usize) {
    let text = String::from_utf8_lossy(text);
    let (start, end) = text.split_once(':').unwrap_or((&text, ""));
    let bound = |s: &str, default: usize| -> usize {
        match s.trim().parse::<i64>() {
            Ok(n) if n < 0 => (len as i64 + n).max(0) as usize,
            Ok(n) => (n as usize).min(len),
            Err(_) => default,
        }
    };
    let (start, end) = (bound(start, 0), bound(end, len));
    (start, end.max(start))
}

/// The first argument's file name or directory, as GLib's
/// `g_path_get_basename()` / `g_path_get_dirname()` give them.
fn path_part(args: &[Vec<u8>], out: &mut Vec<u8>, part: fn(&[u8]) -> &[u8]) {
    let path = args.first().map_or(&[][..], Vec::as_slice);
    out.extend_from_slice(part(path));
}

fn basename(path: &[u8]) -> &[u8] {
    if path.is_empty() {
        return b".";
    }
    let trimmed = trim_trailing_slashes(path);
    if trimmed.is_empty() {
        return b"/";
    }
    match trimmed.iter().rposition(|b| *b == b'/') {
        Some(slash) => &trimmed[slash + 1..],
        None => trimmed,
    }
}

fn dirname(path: &[u8]) -> &[u8] {
    let Some(slash) = path.iter().rposition(|b| *b == b'/') else {
        return b".";
    };
    let dir = trim_trailing_slashes(&path[..slash]);
    if dir.is_empty() { b"/" } else { dir }
}

fn trim_trailing_slashes(path: &[u8]) -> &[u8] {
    let end = path.iter().rposition(|b| *b != b'/').map_or(0, |e| e + 1);
    &path[..end]
}

/// A random (version 4) UUID, lower case.
fn random_uuid() -> String {
    let mut bytes = [0u8; 16];
    // SAFETY: bytes is valid for writes of its length.
    let got = unsafe { libc::getrandom(bytes.as_mut_ptr().cast(), bytes.len(), 0) };
    if got != bytes.len() as isize {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        bytes = (nanos ^ (u128::from(std::process::id()) << 64)).to_le_bytes();
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: &[&str]) -> String {
        let args: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
        let mut out = Vec::new();
        ListFunction::named(name).unwrap().apply(&args, &mut out);
        String::from_utf8(out).unwrap()
    }

    /// What syslog-ng 3.38 writes for the same calls.
    #[test]
    fn results_match_syslog_ng() {
        let cases: &[(&str, &[&str], &str)] = &[
            ("basename", &["/a/b/c.txt"], "c.txt"),
            ("basename", &["c.txt"], "c.txt"),
            ("basename", &["/a/b/"], "b"),
            ("basename", &[""], "."),
            ("dirname", &["/a/b/c.txt"], "/a/b"),
            ("dirname", &["c.txt"], "."),
            ("dirname", &["/a/b/"], "/a/b"),
            ("dirname", &["/c"], "/"),
            ("ipv4-to-int", &["192.168.1.1"], "3232235777"),
            ("ipv4-to-int", &["1.2.3.4", "5.6.7.8"], "16909060,84281096"),
            ("explode", &[",", "a,b,c"], "a,b,c"),
            ("explode", &[" ", "x y", "z"], "x,y,z"),
            ("explode", &[",", "a b,c"], "\"a b\",c"),
            ("implode", &["-", "a,b,c"], "a-b-c"),
            ("implode", &["-", "a,b", "c,d"], "a-b-c-d"),
            ("implode", &[", ", "x,y"], "x, y"),
            ("list-count", &["a,b,c"], "3"),
            ("list-count", &[""], "0"),
            ("list-count", &["a,b", "c"], "3"),
            ("list-head", &["a,b,c"], "a"),
            ("list-tail", &["a,b,c"], "b,c"),
            ("list-tail", &["a"], ""),
            ("list-nth", &["1", "a,b,c"], "b"),
            ("list-nth", &["-1", "a,b,c"], "c"),
            ("list-nth", &["5", "a,b,c"], ""),
            ("list-nth", &["0", "a,b", "c,d"], "a"),
            ("list-concat", &["a,b", "c,d"], "a,b,c,d"),
            ("list-concat", &["x y", "z"], "\"x y\",z"),
            ("list-append", &["a,b", "c", "d"], "a,b,c,d"),
            ("list-append", &["a,b", "c,d", "e f"], "a,b,\"c,d\",\"e f\""),
            ("list-slice", &["1:", "a,b,c,d"], "b,c,d"),
            ("list-slice", &[":2", "a,b,c,d"], "a,b"),
            ("list-slice", &["1:-1", "a,b,c,d"], "b,c"),
            ("list-slice", &["-2:", "a,b,c,d"], "c,d"),
            ("list-slice", &["1", "a,b,c,d"], "b,c,d"),
            ("list-slice", &["1:3", "a,b", "c,d"], "b,c"),
        ];
        for (name, args, want) in cases {
            assert_eq!(call(name, args), *want, "$({name} {args:?})");
        }
    }

    #[test]
    fn uuids_are_random_version_4() {
        let (a, b) = (call("uuid", &[]), call("uuid", &[]));
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
    }
}
