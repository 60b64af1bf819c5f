//! The core's share of each fetched message on the fetcher thread, without
//! Python: building the message the way `fetch()` does, then
//! `SourceLink::post` (source processing — HOST_FROM, HOST, SOURCE, tags —
//! batching and window bookkeeping). The source has no log path, so closed
//! batches are dropped at once, on the same thread.
//!
//! - `const`: `LogMessage(PAYLOAD)` as `const.Const` builds it;
//! - `fields`: MSG, HOST and five pairs, as `fields.Fields` builds them.
//!
//! Run with `cargo bench --ignore-rust-version --bench source_post`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logfetch_core::message::LogMessage;
use logfetch_core::pipeline::{SourceLink, SourceSettings};
use logfetch_core::value::Value;

/// Builds the message for the `seq`-th fetch.
type BuildMessage = fn(i64) -> LogMessage;

const PAYLOAD: &str = "benchmark message number constant payload 0123456789";

fn const_message(_: i64) -> LogMessage {
    LogMessage::with_message(PAYLOAD)
}

fn fields_message(seq: i64) -> LogMessage {
    let mut msg = LogMessage::new();
    msg.set_str("MSG", "user session refreshed");
    msg.set_str("HOST", "bench-host-01");
    msg.set_str("app", "checkout");
    msg.set_str("env", "production");
    msg.set_str("user", "alice");
    msg.set_str("region", "eu-west-1");
    msg.set("seq", Value::Int(seq));
    msg
}

fn source_post(c: &mut Criterion) {
    let mut g = c.benchmark_group("source_post");
    g.throughput(Throughput::Elements(1));
    let builders: [(&str, BuildMessage); 2] =
        [("const", const_message), ("fields", fields_message)];
    for (name, build) in builders {
        let link = SourceLink::new(SourceSettings::new("s", 0), Vec::new());
        let mut seq = 0;
        g.bench_function(name, |b| {
            b.iter(|| {
                seq += 1;
                link.post(build(seq))
            })
        });
    }
    g.finish();
}

criterion_group!(benches, source_post);
criterion_main!(benches);
