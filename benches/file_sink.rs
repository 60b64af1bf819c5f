//! The `file()` write path: render each message with the default template,
//! buffer, write and flush once per batch — what a destination thread does
//! with one run of batches. Batches of 100 (the default window, so the
//! usual batch with flow control) and of 256 (the largest automatic batch).
//!
//! Run with `cargo bench --ignore-rust-version --bench file_sink`.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use logfetch_core::message::LogMessage;
use logfetch_core::plan::SinkBuilder;
use logfetch_core::template::Template;
use logfetch_sinks::FileConfig;
use logfetch_sinks::file_perms::Ownership;
use std::fs::OpenOptions;

const PAYLOAD: &str = "benchmark message number constant payload 0123456789";

fn file_sink(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("out.log");
    let config = FileConfig {
        path: Template::compile(&path.to_string_lossy()).expect("path template"),
        template: Template::compile("$DATE $HOST $MSGHDR$MSG\n").expect("template"),
        create_dirs: false,
        fsync: false,
        flush_lines: 0,
        file_perms: Ownership {
            mode: 0o644,
            ..Ownership::FILE_DEFAULT
        },
        dir_perms: Ownership::DIR_DEFAULT,
    };
    let mut g = c.benchmark_group("file_sink");
    for size in [100usize, 256] {
        let mut msg = LogMessage::with_message(PAYLOAD);
        msg.set_str("HOST", "bench-host-01");
        let batch = vec![msg; size];
        let mut sink = config.build().expect("sink");
        let truncate = || {
            OpenOptions::new()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_len(0))
                .ok();
        };
        let mut written = 0usize;
        g.throughput(Throughput::Elements(size as u64));
        g.bench_function(format!("batch_{size}"), |b| {
            b.iter_batched(
                || {
                    // Keep the file small: truncation is not measured.
                    written += 1;
                    if written.is_multiple_of(2000) {
                        truncate();
                    }
                },
                |()| {
                    sink.write(&batch).expect("write");
                    sink.flush().expect("flush");
                },
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, file_sink);
criterion_main!(benches);
