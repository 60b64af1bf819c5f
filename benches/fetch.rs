//! The cost of one `fetch()` call as the driver makes it, per backend:
//!
//! - `fetch_call/noop`: the call and the classification of its result —
//!   the fixed overhead a backend adds to any fetcher;
//! - `fetch_call/const`: `const.Const`, one `LogMessage(PAYLOAD)` per call,
//!   taken back into a core message;
//! - `build_5_fields`: `fields.Fields`, a new message with MSG, HOST and
//!   five name-value pairs set from Python.
//!
//! Run with `cargo bench --ignore-rust-version --bench fetch`.

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logfetch_core::lifecycle::FetchOutcome;
use std::hint::black_box;

fn fetch(c: &mut Criterion) {
    for (name, backend) in common::backends() {
        let program = common::program(backend);
        for (group, id, class) in [
            ("fetch_call", "noop", "Noop"),
            ("fetch_call", "const", "const.Const"),
            ("build_5_fields", "fields", "fields.Fields"),
        ] {
            let fetcher = common::fetcher(program.as_ref(), class);
            let mut g = c.benchmark_group(group);
            g.throughput(Throughput::Elements(1));
            fetcher.run_worker(&mut |calls| {
                assert!(calls.open(), "{class}: open() failed");
                let expected_message = id != "noop";
                g.bench_function(format!("{name}/{id}"), |b| {
                    b.iter(|| {
                        let outcome = calls.fetch();
                        debug_assert_eq!(
                            matches!(outcome, FetchOutcome::Success(_)),
                            expected_message
                        );
                        black_box(outcome)
                    })
                });
                calls.close();
            });
            g.finish();
            fetcher.deinit();
        }
    }
}

criterion_group!(benches, fetch);
criterion_main!(benches);
