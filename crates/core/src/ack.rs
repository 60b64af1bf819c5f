//! Acknowledgement trackers: `InstantAckTracker`, `ConsecutiveAckTracker` and
//! `BatchedAckTracker` report a message's bookmark once the message has been
//! delivered by every destination it went to.
//!
//! Each message a tracked source posts gets a sequence number; the
//! bookmark itself (a Python object) stays with the backend, which the
//! tracker refers to by id through a [`BookmarkSink`].

use parking_lot::Mutex;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How a tracker reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AckMode {
    /// Every delivered message's bookmark, as soon as it is delivered.
    Instant,
    /// The bookmark of the last message of the longest delivered prefix.
    Consecutive,
    /// Lists of bookmarks, when `batch_size` gathered or `timeout` passed.
    Batched {
        /// Longest wait after the first bookmark of a batch.
        timeout: Duration,
        /// Bookmarks per call.
        batch_size: usize,
    },
}

/// The backend side: calls the Python callback with bookmark objects.
pub trait BookmarkSink: Send + Sync {
    /// Calls the callback once per id (`as_list` false) or once with all (`as_list` true).
    fn acknowledge(&self, ids: &[u64], as_list: bool);
    /// Forgets bookmarks that will never be reported.
    fn release(&self, ids: &[u64]);
}

struct Pending {
    seq: u64,
    bookmark: Option<u64>,
    acked: bool,
}

struct State {
    next_seq: u64,
    /// Consecutive mode: every tracked message not yet reported, in order.
    pending: VecDeque<Pending>,
    /// Batched mode: delivered bookmarks not yet reported.
    batch: Vec<u64>,
    batch_started: Option<Instant>,
    closed: bool,
    /// Batched mode: bookmarks delivered after `close()`, reported by
    /// `finish()` (upstream reports them when the tracker is freed).
    late: Vec<u64>,
}

/// One source's tracker.
pub struct AckTracker {
    mode: AckMode,
    sink: Arc<dyn BookmarkSink>,
    state: Mutex<State>,
}

impl AckTracker {
    /// A tracker reporting through `sink`.
    pub fn new(mode: AckMode, sink: Arc<dyn BookmarkSink>) -> Self {
        AckTracker {
            mode,
            sink,
            state: Mutex::new(State {
                next_seq: 0,
                pending: VecDeque::new(),
                batch: Vec::new(),
                batch_started: None,
                closed: false,
                late: Vec::new(),
            }),
        }
    }

    /// Registers a posted message (with its bookmark id, if it has one);
    /// returns its sequence number.
    pub fn track(&self, bookmark: Option<u64>) -> u64 {
        let mut s = self.state.lock();
        let seq = s.next_seq;
        s.next_seq += 1;
        if self.mode == AckMode::Consecutive {
            s.pending.push_back(Pending {
                seq,
                bookmark,
                acked: false,
            });
        }
        seq
    }

    /// Reports delivered messages: `(sequence number, bookmark id)` pairs.
    pub fn delivered(&self, messages: &[(u64, Option<u64>)]) {
        let mut report = Vec::new();
        let mut release = Vec::new();
        let mut lists: Vec<Vec<u64>> = Vec::new();
        {
            let mut s = self.state.lock();
            if s.closed {
                if let AckMode::Batched { .. } = self.mode {
                    s.late.extend(messages.iter().filter_map(|(_, b)| *b));
                }
                return;
            }
            match self.mode {
                AckMode::Instant => report.extend(messages.iter().filter_map(|(_, b)| *b)),
                AckMode::Consecutive => {
                    let Some(front) = s.pending.front().map(|p| p.seq) else {
                        return;
                    };
                    for (seq, _) in messages {
                        if let Some(p) = seq
                            .checked_sub(front)
                            .and_then(|i| s.pending.get_mut(i as usize))
                        {
                            p.acked = true;
                        }
                    }
                    let mut last = None;
                    while s.pending.front().is_some_and(|p| p.acked) {
                        let p = s.pending.pop_front().expect("front exists");
                        if let Some(previous) = p.bookmark.and_then(|b| last.replace(b)) {
                            release.push(previous);
                        }
                    }
                    report.extend(last);
                }
                AckMode::Batched { batch_size, .. } => {
                    let bookmarks: Vec<u64> = messages.iter().filter_map(|(_, b)| *b).collect();
                    if !bookmarks.is_empty() && s.batch.is_empty() {
                        s.batch_started = Some(Instant::now());
                    }
                    s.batch.extend(bookmarks);
                    let size = batch_size.max(1);
                    while s.batch.len() >= size {
                        lists.push(s.batch.drain(..size).collect());
                    }
                    if s.batch.is_empty() {
                        s.batch_started = None;
                    } else if !lists.is_empty() {
                        s.batch_started = Some(Instant::now());
                    }
                }
            }
        }
        if !release.is_empty() {
            self.sink.release(&release);
        }
        if !report.is_empty() {
            self.sink.acknowledge(&report, false);
        }
        for list in lists {
            self.report_batch(list);
        }
    }

    /// Hands a batch to the batched callback, newest first, in the order
    /// upstream's tracker lists it.
    fn report_batch(&self, mut batch: Vec<u64>) {
        batch.reverse();
        self.sink.acknowledge(&batch, true);
    }

    /// Batched mode: reports a batch whose timeout passed.
    pub fn flush_if_due(&self) {
        let AckMode::Batched { timeout, .. } = self.mode else {
            return;
        };
        let report = {
            let mut s = self.state.lock();
            if s.closed || s.batch_started.is_none_or(|t| t.elapsed() < timeout) {
                return;
            }
            s.batch_started = None;
            std::mem::take(&mut s.batch)
        };
        self.report_batch(report);
    }

    /// Stops reporting (before `deinit()`): bookmarks still pending are
    /// forgotten, except that a batched tracker reports the partial batch
    /// it has, as upstream does when it is deinitialised.
    pub fn close(&self) {
        let (forget, partial) = {
            let mut s = self.state.lock();
            s.closed = true;
            let forget: Vec<u64> = s.pending.drain(..).filter_map(|p| p.bookmark).collect();
            (forget, std::mem::take(&mut s.batch))
        };
        if !forget.is_empty() {
            self.sink.release(&forget);
        }
        if !partial.is_empty() {
            self.report_batch(partial);
        }
    }

    /// After the destinations drained: a batched tracker reports, in one
    /// last batch, what was delivered after `close()`.
    pub fn finish(&self) {
        let late = std::mem::take(&mut self.state.lock().late);
        if !late.is_empty() {
            self.report_batch(late);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Recorder {
        calls: Mutex<Vec<(Vec<u64>, bool)>>,
        released: Mutex<Vec<u64>>,
    }

    impl BookmarkSink for Recorder {
        fn acknowledge(&self, ids: &[u64], as_list: bool) {
            self.calls.lock().push((ids.to_vec(), as_list));
        }
        fn release(&self, ids: &[u64]) {
            self.released.lock().extend_from_slice(ids);
        }
    }

    fn post(t: &AckTracker, bookmarks: &[Option<u64>]) -> Vec<(u64, Option<u64>)> {
        bookmarks.iter().map(|b| (t.track(*b), *b)).collect()
    }

    #[test]
    fn consecutive_reports_the_end_of_the_delivered_prefix() {
        let r = Arc::new(Recorder::default());
        let t = AckTracker::new(AckMode::Consecutive, r.clone());
        let m = post(&t, &[Some(10), Some(11), None, Some(13)]);
        t.delivered(&m[1..2]);
        assert!(r.calls.lock().is_empty(), "11 waits for 10");
        t.delivered(&m[0..1]);
        assert_eq!(*r.calls.lock(), vec![(vec![11], false)]);
        assert_eq!(*r.released.lock(), vec![10]);
        t.delivered(&m[2..4]);
        assert_eq!(r.calls.lock().last().unwrap(), &(vec![13], false));
    }

    #[test]
    fn instant_and_batched() {
        let r = Arc::new(Recorder::default());
        let t = AckTracker::new(AckMode::Instant, r.clone());
        let m = post(&t, &[Some(1), None, Some(3)]);
        t.delivered(&m);
        assert_eq!(*r.calls.lock(), vec![(vec![1, 3], false)]);

        let r = Arc::new(Recorder::default());
        let mode = AckMode::Batched {
            timeout: Duration::from_millis(1),
            batch_size: 3,
        };
        let t = AckTracker::new(mode, r.clone());
        let m = post(&t, &[Some(1), Some(2), Some(3), Some(4)]);
        t.delivered(&m);
        assert_eq!(
            *r.calls.lock(),
            vec![(vec![3, 2, 1], true)],
            "4 waits for more or the timeout"
        );
        let m = post(&t, &[Some(5)]);
        t.delivered(&m);
        std::thread::sleep(Duration::from_millis(5));
        t.flush_if_due();
        assert_eq!(r.calls.lock().last().unwrap(), &(vec![5, 4], true));
    }

    #[test]
    fn a_batched_tracker_reports_its_partial_batch_on_close_and_late_ones_at_finish() {
        let r = Arc::new(Recorder::default());
        let mode = AckMode::Batched {
            timeout: Duration::from_secs(60),
            batch_size: 10,
        };
        let t = AckTracker::new(mode, r.clone());
        let m = post(&t, &[Some(1), Some(2), Some(3)]);
        t.delivered(&m[..2]);
        t.close();
        assert_eq!(*r.calls.lock(), vec![(vec![2, 1], true)]);
        t.delivered(&m[2..]);
        assert_eq!(
            r.calls.lock().len(),
            1,
            "nothing is reported between close and finish"
        );
        t.finish();
        assert_eq!(r.calls.lock().last().unwrap(), &(vec![3], true));
        t.finish();
        assert_eq!(
            r.calls.lock().len(),
            2,
            "an empty last batch is not reported"
        );
    }
}
