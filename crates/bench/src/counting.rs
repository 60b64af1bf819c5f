//! A sink wrapper that counts and timestamps deliveries: the measuring
//! point of a logfetch row. A message counts as delivered when the
//! wrapped sink's `flush()` returned (for `file()`: the bytes reached the
//! kernel), which is where the pipeline reports delivery too.

use crate::clock::monotonic_ns;
use logfetch_core::message::LogMessage;
use logfetch_core::plan::SinkBuilder;
use logfetch_core::sink::Sink;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Delivery counters shared between the destination thread and whoever watches.
#[derive(Debug, Default)]
pub struct Delivery {
    delivered: AtomicU64,
    first_ns: AtomicU64,
    first_batch: AtomicU64,
    last_ns: AtomicU64,
}

/// A consistent-enough copy of [`Delivery`] (read after the run, it is exact).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliverySnapshot {
    /// Messages delivered so far.
    pub delivered: u64,
    /// `CLOCK_MONOTONIC` of the first delivery (0: none yet).
    pub first_ns: u64,
    /// How many messages that first delivery carried.
    pub first_batch: u64,
    /// `CLOCK_MONOTONIC` of the latest delivery.
    pub last_ns: u64,
}

impl Delivery {
    /// Messages delivered so far.
    pub fn delivered(&self) -> u64 {
        self.delivered.load(Ordering::Relaxed)
    }

    /// The counters now.
    pub fn snapshot(&self) -> DeliverySnapshot {
        DeliverySnapshot {
            delivered: self.delivered.load(Ordering::Acquire),
            first_ns: self.first_ns.load(Ordering::Relaxed),
            first_batch: self.first_batch.load(Ordering::Relaxed),
            last_ns: self.last_ns.load(Ordering::Relaxed),
        }
    }

    fn record(&self, count: u64) {
        let now = monotonic_ns();
        let total = self.delivered.fetch_add(count, Ordering::AcqRel) + count;
        if self.first_ns.load(Ordering::Relaxed) == 0 {
            self.first_batch.store(total, Ordering::Relaxed);
            self.first_ns.store(now, Ordering::Relaxed);
        }
        self.last_ns.store(now, Ordering::Relaxed);
    }
}

/// Builds a counting sink around another destination, or a null sink.
pub struct Counted {
    inner: Option<Box<dyn SinkBuilder>>,
    delivery: Arc<Delivery>,
}

impl Counted {
    /// Counts what `inner` delivers.
    pub fn wrap(inner: Box<dyn SinkBuilder>, delivery: &Arc<Delivery>) -> Self {
        Counted {
            inner: Some(inner),
            delivery: delivery.clone(),
        }
    }

    /// Counts messages and drops them (nothing rendered, nothing written).
    pub fn null(delivery: &Arc<Delivery>) -> Self {
        Counted {
            inner: None,
            delivery: delivery.clone(),
        }
    }
}

impl SinkBuilder for Counted {
    fn build(&self) -> io::Result<Box<dyn Sink>> {
        Ok(Box::new(CountingSink {
            inner: self.inner.as_ref().map(|b| b.build()).transpose()?,
            pending: 0,
            delivery: self.delivery.clone(),
        }))
    }
}

struct CountingSink {
    inner: Option<Box<dyn Sink>>,
    /// Written since the last flush.
    pending: u64,
    delivery: Arc<Delivery>,
}

impl Sink for CountingSink {
    fn write(&mut self, messages: &[LogMessage]) -> io::Result<()> {
        if let Some(inner) = &mut self.inner
            && let Err(e) = inner.write(messages)
        {
            // The pipeline retries the whole run, writing it again.
            self.pending = 0;
            return Err(e);
        }
        self.pending += messages.len() as u64;
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        if let Some(inner) = &mut self.inner
            && let Err(e) = inner.flush()
        {
            self.pending = 0;
            return Err(e);
        }
        if self.pending > 0 {
            self.delivery.record(self.pending);
            self.pending = 0;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_at_flush() {
        let delivery = Arc::new(Delivery::default());
        let mut sink = Counted::null(&delivery).build().unwrap();
        let batch = vec![LogMessage::with_message("x"); 3];
        sink.write(&batch).unwrap();
        assert_eq!(delivery.delivered(), 0);
        sink.flush().unwrap();
        sink.write(&batch[..1]).unwrap();
        sink.flush().unwrap();
        let s = delivery.snapshot();
        assert_eq!((s.delivered, s.first_batch), (4, 3));
        assert!(s.first_ns > 0 && s.last_ns >= s.first_ns);
    }
}
