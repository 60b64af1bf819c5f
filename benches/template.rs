//! Template rendering of one message with MSG, HOST, PROGRAM, PID and five
//! name-value pairs (what `fields.Fields` produces after source processing):
//!
//! - `file_default`: `$DATE $HOST $MSGHDR$MSG\n`, the `file()` default;
//! - `rfc5424`: an RFC 5424-like line with `$ISODATE` and `$SDATA`;
//! - `format_json`: `$(format-json --scope nv-pairs)\n`.
//!
//! Run with `cargo bench --ignore-rust-version --bench template`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logfetch_core::message::LogMessage;
use logfetch_core::template::Template;
use logfetch_core::value::Value;
use std::hint::black_box;
use std::sync::Arc;

/// Templates measured, by name.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("file_default", "$DATE $HOST $MSGHDR$MSG\n"),
    (
        "rfc5424",
        "<$PRI>1 $ISODATE $HOST ${PROGRAM:--} ${PID:--} ${MSGID:--} $SDATA $MSG\n",
    ),
    ("format_json", "$(format-json --scope nv-pairs)\n"),
];

fn message() -> LogMessage {
    let mut msg = LogMessage::with_message("user session refreshed");
    msg.set_str("HOST", "bench-host-01");
    msg.set_str("HOST_FROM", "bench-host-01");
    msg.set_str("PROGRAM", "checkout");
    msg.set_str("PID", "4242");
    msg.set_str("SOURCE", "s_bench");
    msg.set_str("app", "checkout");
    msg.set_str("env", "production");
    msg.set_str("user", "alice");
    msg.set_str("region", "eu-west-1");
    msg.set("seq", Value::Int(123_456));
    msg.add_tag(&Arc::from(".source.s_bench"));
    msg
}

fn templates(c: &mut Criterion) {
    let msg = message();
    let mut g = c.benchmark_group("template");
    g.throughput(Throughput::Elements(1));
    for (name, text) in TEMPLATES {
        let template = Template::compile(text).expect("template compiles");
        let mut out = Vec::with_capacity(512);
        g.bench_function(*name, |b| {
            b.iter(|| {
                out.clear();
                template.render(black_box(&msg), &mut out);
                black_box(out.len())
            })
        });
    }
    g.finish();
}

criterion_group!(benches, templates);
criterion_main!(benches);
