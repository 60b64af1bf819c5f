//! The whole pipeline per backend — fetcher → driver → flow-controlled
//! batches → destination thread → `file()` — in messages per second, with
//! the configuration `logfetch bench` generates (one `python-fetcher()`,
//! `flags(flow-control)`, window 100). Start-up (interpreter, `init()`) is
//! outside the timing: each sample starts a prepared runtime and stops the
//! clock when the last message was delivered.
//!
//! Run with `cargo bench --ignore-rust-version --bench pipeline`.

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logfetch_bench::pipeline::PipelineSpec;
use logfetch_core::plan::prepare;
use std::time::{Duration, Instant};

/// Messages per sample.
const MESSAGES: u64 = 20_000;

fn pipeline(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(MESSAGES));
    for (name, backend) in common::backends() {
        for (workload, class) in [("const", "const.Const"), ("fields", "fields.Fields")] {
            let spec = PipelineSpec {
                class_path: class.into(),
                options: Vec::new(),
                count: MESSAGES,
                sources: 1,
                output: Some(dir.path().join("out.log")),
                sys_path: vec![common::workloads()],
                window: logfetch_bench::pipeline::DEFAULT_WINDOW,
            };
            g.bench_function(format!("{name}/{workload}"), |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let _ = std::fs::remove_file(dir.path().join("out.log"));
                        let (plan, delivery) =
                            spec.plan(&dir.path().join("bench.conf")).expect("plan");
                        let mut runtime = prepare(&plan, backend).expect("prepare");
                        let started = Instant::now();
                        runtime.start().expect("start");
                        while !runtime.wait_fetchers_finished(Duration::from_millis(1)) {}
                        while delivery.delivered() < MESSAGES {
                            std::thread::sleep(Duration::from_micros(100));
                        }
                        total += started.elapsed();
                        runtime.stop(Duration::from_secs(10));
                    }
                    total
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
