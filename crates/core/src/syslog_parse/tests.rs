//! Whole lines through [`parse_at`], with a fixed receive time. Expected
//! values are what AxoSyslog's parser gives (checked against syslog-ng 3.38
//! where the two agree).

use super::*;
use std::collections::BTreeMap;

/// 2024-06-15T12:00:00.25Z: BSD stamps without a year are from 2024.
const NOW: Timestamp = Timestamp {
    secs: 1_718_452_800,
    usec: 250_000,
    offset: 0,
};

/// The upstream example line.
const SU_LINE: &[u8] =
    b"<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8";

/// Everything a test looks at.
#[derive(Debug, PartialEq)]
struct Parsed {
    pri: u16,
    stamp: Timestamp,
    values: BTreeMap<String, String>,
    tags: Vec<String>,
}

/// Defaults, with BSD stamps read in UTC whatever the machine's zone.
fn utc() -> ParseOptions {
    with_zone("UTC")
}

fn with_zone(zone: &str) -> ParseOptions {
    ParseOptions {
        recv_time_zone: Some(TimeZoneSpec::parse(zone).unwrap()),
        ..ParseOptions::default()
    }
}

fn with_flags(flags: &[&str]) -> ParseOptions {
    let mut options = utc();
    for flag in flags {
        assert!(options.set_flag(flag), "{flag}");
    }
    options
}

fn parsed(line: &[u8], options: &ParseOptions) -> Parsed {
    let msg = parse_at(line, options, NOW);
    assert_eq!(msg.recvd, NOW);
    let mut scratch = Vec::new();
    let values = msg
        .names()
        .map(|n| {
            let text = msg.text(n, &mut scratch);
            (n.to_owned(), String::from_utf8_lossy(text).into_owned())
        })
        .collect();
    Parsed {
        pri: msg.pri,
        stamp: msg.stamp,
        values,
        tags: msg.tags().map(|t| t.to_string()).collect(),
    }
}

fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

fn tags(names: &[&str]) -> Vec<String> {
    names.iter().map(|t| (*t).to_owned()).collect()
}

fn stamp(secs: i64, usec: u32, offset: i32) -> Timestamp {
    Timestamp { secs, usec, offset }
}

/// 2024-10-11T22:14:15Z, the BSD example's time read in UTC.
const OCT_11: i64 = 1_728_684_855;
/// 2003-10-11T22:14:15Z, RFC 5424's examples.
const RFC_OCT_11: i64 = 1_065_910_455;

#[test]
fn upstream_bsd_example() {
    assert_eq!(
        parsed(SU_LINE, &utc()),
        Parsed {
            pri: 34,
            stamp: stamp(OCT_11, 0, 0),
            values: values(&[
                ("HOST", "mymachine"),
                ("PROGRAM", "su"),
                ("LEGACY_MSGHDR", "su: "),
                ("MESSAGE", "'su root' failed for lonvick on /dev/pts/8"),
                ("MSGFORMAT", "syslog:rfc3164"),
            ]),
            tags: vec![],
        }
    );
}

#[test]
fn rfc5424_example_with_bom_and_nil_procid() {
    let line = b"<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \
        \xEF\xBB\xBF'su root' failed for lonvick on /dev/pts/8";
    assert_eq!(
        parsed(line, &utc()),
        Parsed {
            pri: 34,
            stamp: stamp(RFC_OCT_11, 3000, 0),
            values: values(&[
                ("HOST", "mymachine.example.com"),
                ("PROGRAM", "su"),
                ("MSGID", "ID47"),
                ("MESSAGE", "'su root' failed for lonvick on /dev/pts/8"),
                ("MSGFORMAT", "syslog:rfc5424"),
            ]),
            tags: vec![],
        }
    );
}

#[test]
fn rfc5424_example_with_offset_and_pid() {
    let line = b"<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - \
        %% It's time to make the do-nuts.";
    assert_eq!(
        parsed(line, &with_zone("+05:00")),
        Parsed {
            pri: 165,
            stamp: stamp(1_061_727_255, 3, -25_200),
            values: values(&[
                ("HOST", "192.0.2.1"),
                ("PROGRAM", "myproc"),
                ("PID", "8710"),
                ("MESSAGE", "%% It's time to make the do-nuts."),
                ("MSGFORMAT", "syslog:rfc5424"),
            ]),
            tags: vec![],
        }
    );
}

#[test]
fn rfc5424_examples_with_structured_data() {
    let sd = r#"[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"]"#;
    let header = "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47";
    let sd_values = [
        (".SDATA.exampleSDID@32473.iut", "3"),
        (".SDATA.exampleSDID@32473.eventSource", "Application"),
        (".SDATA.exampleSDID@32473.eventID", "1011"),
    ];
    let common = [
        ("HOST", "mymachine.example.com"),
        ("PROGRAM", "evntslog"),
        ("MSGID", "ID47"),
        ("MSGFORMAT", "syslog:rfc5424"),
    ];

    let line = format!("{header} {sd} \u{feff}An application event log entry...");
    let got = parsed(line.as_bytes(), &utc());
    let mut expected: Vec<_> = common.iter().chain(&sd_values).copied().collect();
    expected.push(("MESSAGE", "An application event log entry..."));
    assert_eq!(got.values, values(&expected));
    assert_eq!((got.pri, got.stamp), (165, stamp(RFC_OCT_11, 3000, 0)));

    let line = format!(r#"{header} {sd}[examplePriority@32473 class="high"]"#);
    let got = parsed(line.as_bytes(), &utc());
    let mut expected: Vec<_> = common.iter().chain(&sd_values).copied().collect();
    expected.extend([
        (".SDATA.examplePriority@32473.class", "high"),
        ("MESSAGE", ""),
    ]);
    assert_eq!(got.values, values(&expected));
    assert!(got.tags.is_empty());
}

#[test]
fn sdata_prefix_names_the_values() {
    let options = ParseOptions {
        sdata_prefix: ".X.".into(),
        ..utc()
    };
    let line = br#"<13>1 2003-10-11T22:14:15Z host app 1 - [a x="v\"q\\b\]c\d"][b] m"#;
    let got = parsed(line, &options);
    assert_eq!(
        got.values,
        values(&[
            ("HOST", "host"),
            ("PROGRAM", "app"),
            ("PID", "1"),
            (".X.a.x", r#"v"q\b]c\d"#),
            (".X.b", ""),
            ("MESSAGE", "m"),
            ("MSGFORMAT", "syslog:rfc5424"),
        ])
    );
}

#[test]
fn rfc5424_nil_values() {
    let got = parsed(b"<13>1 - - - - - -", &utc());
    assert_eq!(
        got,
        Parsed {
            pri: 13,
            stamp: NOW,
            values: values(&[("MESSAGE", ""), ("MSGFORMAT", "syslog:rfc5424")]),
            tags: tags(&["syslog.missing_timestamp"]),
        }
    );
    let got = parsed(b"<13>1 - - - - - - nil everything", &utc());
    assert_eq!(got.values["MESSAGE"], "nil everything");
    // A header field that runs to the end of the line is an error.
    let got = parsed(b"<13>1 - host app", &utc());
    assert_eq!(got.values["MSGFORMAT"], "syslog:error");
}

#[test]
fn bsd_with_pid() {
    let got = parsed(
        b"<13>Feb  5 17:32:18 10.0.0.99 sshd[4321]: Accepted publickey for root",
        &utc(),
    );
    assert_eq!(
        got,
        Parsed {
            pri: 13,
            stamp: stamp(1_707_154_338, 0, 0),
            values: values(&[
                ("HOST", "10.0.0.99"),
                ("PROGRAM", "sshd"),
                ("PID", "4321"),
                ("LEGACY_MSGHDR", "sshd[4321]: "),
                ("MESSAGE", "Accepted publickey for root"),
                ("MSGFORMAT", "syslog:rfc3164"),
            ]),
            tags: vec![],
        }
    );
    // An unclosed PID ends at the space.
    let got = parsed(b"<13>Oct 11 22:14:15 host prog[12 x: text", &utc());
    assert_eq!(
        (
            &got.values["PID"],
            &got.values["LEGACY_MSGHDR"],
            &got.values["MESSAGE"]
        ),
        (
            &"12".to_owned(),
            &"prog[12 ".to_owned(),
            &"x: text".to_owned()
        )
    );
}

#[test]
fn bsd_without_a_host_name() {
    let got = parsed(b"<13>Feb  5 17:32:18 su: hello", &utc());
    assert_eq!(
        got.values,
        values(&[
            ("PROGRAM", "su"),
            ("LEGACY_MSGHDR", "su: "),
            ("MESSAGE", "hello"),
            ("MSGFORMAT", "syslog:rfc3164"),
        ])
    );
    assert_eq!(got.tags, tags(&["syslog.invalid_hostname"]));
    // no-hostname: the first word is the program.
    let got = parsed(SU_LINE, &with_flags(&["no-hostname"]));
    assert_eq!(got.values["PROGRAM"], "mymachine");
    assert_eq!(
        got.values["MESSAGE"],
        "su: 'su root' failed for lonvick on /dev/pts/8"
    );
    assert!(!got.values.contains_key("HOST"));
}

#[test]
fn check_hostname_rejects_odd_characters() {
    let line = b"<13>Oct 11 22:14:15 h%st prog: x";
    assert_eq!(parsed(line, &utc()).values["HOST"], "h%st");
    let got = parsed(line, &with_flags(&["check-hostname"]));
    assert!(!got.values.contains_key("HOST"));
    assert_eq!(
        (&got.values["PROGRAM"], &got.values["MESSAGE"]),
        (&"h%st".to_owned(), &"prog: x".to_owned())
    );
}

#[test]
fn check_program_rejects_odd_program_names() {
    let options = with_flags(&["check-program"]);
    let got = parsed(
        b"<189> Feb  3 12:34:56 host prog_1-a(b).c/d[pid]: message",
        &options,
    );
    assert_eq!(got.values["PROGRAM"], "prog_1-a(b).c/d");
    for line in [
        &b"<189> Feb  3 12:34:56 host 127.0.0.1[pid]: message"[..],
        b"<189> Feb  3 12:34:56 host program![pid]: message",
    ] {
        let got = parsed(line, &options);
        assert!(!got.values.contains_key("PROGRAM"));
        assert!(got.values["MESSAGE"].ends_with("[pid]: message"));
        assert_eq!(got.tags, tags(&["syslog.rfc3164_invalid_program"]));
    }
}

#[test]
fn line_without_pri_gets_the_default() {
    let line = b"Feb  5 17:32:18 myhost prog: text";
    let got = parsed(line, &utc());
    assert_eq!(
        got,
        Parsed {
            pri: 13,
            stamp: stamp(1_707_154_338, 0, 0),
            values: values(&[
                ("HOST", "myhost"),
                ("PROGRAM", "prog"),
                ("LEGACY_MSGHDR", "prog: "),
                ("MESSAGE", "text"),
                ("MSGFORMAT", "syslog:rfc3164"),
            ]),
            tags: tags(&["syslog.missing_pri"]),
        }
    );
    let local4_warning = ParseOptions {
        default_pri: Some(20 * 8 + 4),
        ..utc()
    };
    assert_eq!(parsed(line, &local4_warning).pri, 164);
    assert_eq!(parsed(SU_LINE, &local4_warning).pri, 34);
}

#[test]
fn line_without_timestamp_is_stamped_when_received() {
    let got = parsed(b"<13>prog[12]: no stamp here", &with_zone("+02:00"));
    assert_eq!(
        got,
        Parsed {
            pri: 13,
            stamp: stamp(NOW.secs, NOW.usec, 7200),
            values: values(&[
                ("PROGRAM", "prog"),
                ("PID", "12"),
                ("LEGACY_MSGHDR", "prog[12]: "),
                ("MESSAGE", "no stamp here"),
                ("MSGFORMAT", "syslog:rfc3164"),
            ]),
            tags: tags(&["syslog.missing_timestamp", "syslog.rfc3164_missing_header"]),
        }
    );
}

#[test]
fn no_parse_keeps_the_whole_line() {
    let mut options = with_flags(&["no-parse"]);
    let got = parsed(b"<34>Oct 11 22:14:15 mymachine su: hi\n", &options);
    assert_eq!(
        got,
        Parsed {
            pri: 13,
            stamp: NOW,
            values: values(&[
                ("MESSAGE", "<34>Oct 11 22:14:15 mymachine su: hi"),
                ("MSGFORMAT", "raw"),
            ]),
            tags: vec![],
        }
    );
    options.default_pri = Some(3);
    assert_eq!(parsed(b"x", &options).pri, 3);
}

#[test]
fn bsd_year_is_guessed_from_the_receive_time() {
    // Received 2025-01-10: December is last year's.
    let january = stamp(1_736_510_400, 0, 0);
    let msg = parse_at(b"<13>Dec 31 23:59:59 host prog: x", &utc(), january);
    assert_eq!(msg.stamp, stamp(1_735_689_599, 0, 0)); // 2024-12-31T23:59:59Z
    let msg = parse_at(b"<13>Mar  1 00:00:00 host prog: x", &utc(), january);
    assert_eq!(msg.stamp.fields().0, 2025);
    // Received 2024-12-20: January is next year's.
    let december = stamp(1_734_696_000, 0, 0);
    let msg = parse_at(b"<13>Jan  1 00:00:00 host prog: x", &utc(), december);
    assert_eq!(msg.stamp, stamp(1_735_689_600, 0, 0)); // 2025-01-01T00:00:00Z
}

#[test]
fn fractional_seconds_and_other_stamp_forms() {
    let got = parsed(b"<13>Oct 11 22:14:15.123456 host prog: x", &utc());
    assert_eq!(got.stamp, stamp(OCT_11, 123_456, 0));
    let got = parsed(b"<13>Oct 11 22:14:15,5 host prog: x", &utc());
    assert_eq!(got.stamp, stamp(OCT_11, 500_000, 0));
    let got = parsed(b"<13>2003-10-11T22:14:15+02:00 host prog: x", &utc());
    assert_eq!(got.stamp, stamp(RFC_OCT_11 - 7200, 0, 7200));
    assert_eq!(got.values["HOST"], "host");
    let got = parsed(b"<13>Oct 11 2003 22:14:15: host prog: x", &utc());
    assert_eq!(got.stamp, stamp(RFC_OCT_11, 0, 0));
    assert_eq!(got.values["HOST"], "host");
}

#[test]
fn receive_time_zone_applies_to_stamps_without_offset() {
    let line = b"<13>Jan 15 12:00:00 host prog: x";
    // 2024-01-15T11:00:00Z
    assert_eq!(
        parsed(line, &with_zone("Europe/Budapest")).stamp,
        stamp(1_705_316_400, 0, 3600)
    );
    assert_eq!(
        parsed(line, &with_zone("-0530")).stamp,
        stamp(1_705_339_800, 0, -19_800)
    );
    let iso = b"<13>1 2003-10-11T22:14:15Z host app - - - x";
    assert_eq!(
        parsed(iso, &with_zone("Europe/Budapest")).stamp,
        stamp(RFC_OCT_11, 0, 0)
    );
    let iso_without_offset = b"<13>1 2003-10-11T22:14:15 host app - - - x";
    assert_eq!(
        parsed(iso_without_offset, &with_zone("+02:00")).stamp,
        stamp(RFC_OCT_11 - 7200, 0, 7200)
    );
}

#[test]
fn guess_timezone_moves_a_current_stamp_to_now() {
    // Written at 14:00 local (+02:00) but read in UTC.
    let got = parsed(
        b"<13>Jun 15 14:00:00 host prog: x",
        &with_flags(&["guess-timezone"]),
    );
    assert_eq!(got.stamp, stamp(NOW.secs, 0, 7200));
}

#[test]
fn garbage_is_a_program_and_a_message() {
    assert_eq!(
        parsed(b"garbage line here", &utc()),
        Parsed {
            pri: 13,
            stamp: NOW,
            values: values(&[
                ("PROGRAM", "garbage"),
                ("LEGACY_MSGHDR", "garbage "),
                ("MESSAGE", "line here"),
                ("MSGFORMAT", "syslog:rfc3164"),
            ]),
            tags: tags(&[
                "syslog.missing_pri",
                "syslog.missing_timestamp",
                "syslog.rfc3164_missing_header",
            ]),
        }
    );
    let got = parsed(b"<1a>hello world", &utc());
    assert_eq!(
        (got.pri, got.values["MESSAGE"].as_str(), got.tags),
        (13, "<1a>hello world", tags(&["syslog.invalid_pri"]))
    );
}

fn error_message(quoted: &str) -> Parsed {
    Parsed {
        pri: 43,
        stamp: NOW,
        values: values(&[
            ("HOST", crate::host::local_hostname()),
            (
                "MESSAGE",
                &format!("Error processing log message: {quoted}"),
            ),
            ("PROGRAM", "syslog-ng"),
            ("PID", &std::process::id().to_string()),
            ("MSGFORMAT", "syslog:error"),
        ]),
        tags: vec![],
    }
}

#[test]
fn broken_rfc5424_becomes_syslog_ngs_error_message() {
    for (line, quoted) in [
        ("<13>1 garbage", "<13>1>@< garbage"),
        (
            "<13>1 2003-10-11T22:14:15Z host app - - [bad sd",
            "<13>1 2003-10-11T22:14:15Z host app - - [bad s>@<d",
        ),
        (
            r#"<13>1 2003-10-11T22:14:15Z host app 1 id [a x="1"]msg"#,
            r#"<13>1 2003-10-11T22:14:15Z host app 1 id [a x="1">@<]msg"#,
        ),
        (
            "<13>1 2003-10-11T22:14:15Z",
            "<13>1 2003-10-11T22:14:15>@<Z",
        ),
        (
            "<13>1 2003-10-11T22:14:15Z host",
            "<13>1 2003-10-11T22:14:15Z >@<host",
        ),
    ] {
        assert_eq!(
            parsed(line.as_bytes(), &utc()),
            error_message(quoted),
            "{line}"
        );
    }
}

#[test]
fn without_fallback_a_bsd_line_is_an_error() {
    let got = parsed(SU_LINE, &with_flags(&["no-rfc3164-fallback"]));
    assert_eq!(got, error_message(&String::from_utf8_lossy(SU_LINE)));
}

#[test]
fn without_piggybacking_an_error_keeps_the_line() {
    let got = parsed(b"<13>1 garbage", &with_flags(&["no-piggyback-errors"]));
    assert_eq!(
        got,
        Parsed {
            pri: 13,
            stamp: NOW,
            values: values(&[("MESSAGE", "<13>1 garbage"), ("MSGFORMAT", "syslog:error")]),
            tags: tags(&["syslog.missing_timestamp"]),
        }
    );
}

#[test]
fn empty_input() {
    for line in [&b""[..], b"\n", b"\r\n\0"] {
        assert_eq!(
            parsed(line, &utc()),
            Parsed {
                pri: 13,
                stamp: NOW,
                values: values(&[
                    ("PROGRAM", ""),
                    ("LEGACY_MSGHDR", ""),
                    ("MESSAGE", ""),
                    ("MSGFORMAT", "syslog:rfc3164"),
                ]),
                tags: tags(&[
                    "syslog.missing_pri",
                    "syslog.missing_timestamp",
                    "syslog.rfc3164_missing_header",
                ]),
            }
        );
    }
}

#[test]
fn raw_message_line_ends_and_multi_line() {
    let options = with_flags(&["store-raw-message"]);
    let got = parsed(b"<13>Oct 11 22:14:15 host prog: a\nb\r\n\r\n", &options);
    assert_eq!(got.values["RAWMSG"], "<13>Oct 11 22:14:15 host prog: a\nb");
    assert_eq!(got.values["MESSAGE"], "a\nb");
    let options = with_flags(&["no-multi-line"]);
    let got = parsed(
        b"<13>Oct 11 22:14:15 host prog: multi\nline\0text\r",
        &options,
    );
    assert_eq!(got.values["MESSAGE"], "multi line text");
}

#[test]
fn sanitize_utf8_escapes_invalid_messages_only() {
    let options = with_flags(&["sanitize-utf8"]);
    let got = parsed(
        b"<13>Oct 11 22:14:15 host prog: bad \xff utf8\\ \t",
        &options,
    );
    assert_eq!(got.values["MESSAGE"], r"bad \xff utf8\\ \t");
    assert_eq!(got.tags, tags(&["message.utf8_sanitized"]));
    let got = parsed(
        "<13>Oct 11 22:14:15 host prog: fine é\\".as_bytes(),
        &options,
    );
    assert_eq!(got.values["MESSAGE"], "fine é\\");
    let got = parsed(b"caf\xe9", &with_flags(&["no-parse", "sanitize-utf8"]));
    assert_eq!(got.values["MESSAGE"], r"caf\xe9");
}

#[test]
fn cisco_aix_and_repeat_lines() {
    let got = parsed(
        b"<189>29: *Apr 29 13:58:40.411: %SYS-5-CONFIG_I: Configured from console",
        &utc(),
    );
    assert_eq!(
        got.values,
        values(&[
            (".SDATA.meta.sequenceId", "29"),
            (".SDATA.timeQuality.isSynced", "0"),
            ("PROGRAM", "%SYS-5-CONFIG_I"),
            ("LEGACY_MSGHDR", "%SYS-5-CONFIG_I: "),
            ("MESSAGE", "Configured from console"),
            ("MSGFORMAT", "syslog:rfc3164"),
        ])
    );
    assert_eq!(got.stamp, stamp(1_714_399_120, 411_000, 0));
    let got = parsed(
        b"<13>Apr 29 13:58:40 Message forwarded from aix1: prog: text",
        &utc(),
    );
    assert_eq!(
        (
            &got.values["HOST"],
            &got.values["PROGRAM"],
            &got.values["MESSAGE"]
        ),
        (&"aix1".to_owned(), &"prog".to_owned(), &"text".to_owned())
    );
    let got = parsed(b"<13>Apr 29 13:58:40 last message repeated 3 times", &utc());
    assert_eq!(
        got.values,
        values(&[
            ("MESSAGE", "last message repeated 3 times"),
            ("MSGFORMAT", "syslog:rfc3164"),
        ])
    );
}

#[test]
fn header_flags() {
    let got = parsed(SU_LINE, &with_flags(&["dont-store-legacy-msghdr"]));
    assert!(!got.values.contains_key("LEGACY_MSGHDR"));
    let got = parsed(SU_LINE, &with_flags(&["no-header"]));
    assert_eq!(
        got.values["MESSAGE"],
        "Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8"
    );
    assert_eq!((got.pri, got.stamp), (34, NOW));
    // Without syslog-protocol an RFC 5424 line is read as BSD.
    let got = parsed(
        b"<13>1 2003-10-11T22:14:15Z host app - - - msg",
        &with_flags(&["no-syslog-protocol"]),
    );
    assert_eq!(
        (&got.values["PROGRAM"], &got.values["MSGFORMAT"]),
        (&"1".to_owned(), &"syslog:rfc3164".to_owned())
    );
}

#[test]
fn octet_count_before_the_line_is_tagged() {
    let got = parsed(b"5 aaaaa", &utc());
    assert_eq!(got.tags[0], "syslog.unexpected_framing");
    let got = parsed(b"99999999999 a", &utc());
    assert!(!got.tags.contains(&"syslog.unexpected_framing".to_owned()));
}

/// Every prefix of every line above, and pseudo-random bytes, under every
/// flag: nothing panics.
#[test]
fn no_input_panics() {
    let mut lines: Vec<Vec<u8>> = [
        SU_LINE,
        b"<165>1 2003-10-11T22:14:15.003Z h app - ID47 [a@1 b=\"c\\]\"][d] \xEF\xBB\xBFm",
        b"<189>29: *Apr 29 13:58:40.411: %SYS: x",
        b"<13>Oct 11 2003 22:14:15: h p[1]: m",
        b"<13>Oct 11 22:14:15 2003 h p: m",
        b"<13>2003-10-11 22:14:15.5+01:00 h p: m",
        b"<13>Apr 29 13:58:40 Message forwarded from h: p: m",
        b"<13>1 - - - - - -",
        b"12 <99999999999>1 - 1:2:3:4:5:6:7:8:9 a b c [x y=\"\xff\"] \xff",
    ]
    .iter()
    .flat_map(|line| (0..=line.len()).map(|n| line[..n].to_vec()))
    .collect();
    const BYTES: &[u8] = b"<>[]\"\\= :-.0123456789TZOct\xff\n";
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..2000 {
        let len = (seed % 64) as usize;
        let line = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                BYTES[(seed % BYTES.len() as u64) as usize]
            })
            .collect();
        lines.push(line);
    }
    let flag_sets: [&[&str]; 5] = [
        &[],
        &["no-parse", "sanitize-utf8"],
        &[
            "check-hostname",
            "check-program",
            "no-multi-line",
            "store-raw-message",
        ],
        &["no-syslog-protocol", "guess-timezone", "sanitize-utf8"],
        &["no-rfc3164-fallback", "no-piggyback-errors"],
    ];
    for flags in flag_sets {
        let options = with_flags(flags);
        for line in &lines {
            parse_at(line, &options, NOW);
        }
    }
    let long_prefix = ParseOptions {
        sdata_prefix: "p".repeat(300),
        ..utc()
    };
    parse_at(b"<13>1 - h a - - [x y=\"z\"] m", &long_prefix, NOW);
}
