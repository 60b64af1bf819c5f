//! After a failed write or flush the pipeline hands a sink the same run of
//! batches again. [`RunProgress`] remembers how many messages of that run
//! the sink already took (written, or still in its buffer), so that the
//! retry skips them instead of writing them twice.

use logfetch_core::message::LogMessage;
use logfetch_core::timestamp::Timestamp;

/// A message's identity across the pipeline's retries of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct MessageId {
    addr: usize,
    stamp: Timestamp,
    recvd: Timestamp,
}

impl MessageId {
    fn of(msg: &LogMessage) -> Self {
        MessageId {
            addr: std::ptr::from_ref(msg) as usize,
            stamp: msg.stamp,
            recvd: msg.recvd,
        }
    }
}

/// What a new run is to the sink.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RunStart {
    /// Not the start of a run, or a fresh run after a completed one.
    Fresh,
    /// The retry of the run that failed: its first messages are skipped.
    Retry,
    /// A different run after a failed one: the pipeline gave that one up,
    /// and the sink should drop what it kept of it.
    Abandoned,
}

/// How far the sink got with the current run of batches (from the first
/// `write()` after a completed `flush()` to the next `flush()` or error).
#[derive(Default)]
pub(crate) struct RunProgress {
    first: Option<MessageId>,
    /// Messages handed to `write()` so far in this run.
    seen: usize,
    /// Leading messages already taken by a failed attempt of this run.
    skip: usize,
    /// The failed run, and how many of its messages the sink took.
    failed: Option<(MessageId, usize)>,
}

impl RunProgress {
    /// Counts `msg`, handed to `write()`: returns what its run is (for the
    /// first message of a run) and whether the sink should take it (false:
    /// a failed attempt already did).
    pub(crate) fn admit(&mut self, msg: &LogMessage) -> (RunStart, bool) {
        let mut start = RunStart::Fresh;
        if self.seen == 0 {
            let id = MessageId::of(msg);
            self.first = Some(id);
            (start, self.skip) = match self.failed.take() {
                Some((first, taken)) if first == id => (RunStart::Retry, taken),
                Some(_) => (RunStart::Abandoned, 0),
                None => (RunStart::Fresh, 0),
            };
        }
        self.seen += 1;
        (start, self.seen > self.skip)
    }

    /// The run failed: its retry skips what was taken so far.
    pub(crate) fn fail(&mut self) {
        if let Some(first) = self.first {
            self.failed = Some((first, self.seen));
        }
        self.first = None;
        self.seen = 0;
        self.skip = 0;
    }

    /// The run was written completely.
    pub(crate) fn complete(&mut self) {
        *self = RunProgress::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retried_run_skips_what_the_failed_attempt_took() {
        let run: Vec<LogMessage> = (0..4)
            .map(|i| LogMessage::with_message(format!("{i}")))
            .collect();
        let other = LogMessage::with_message("other");
        let mut progress = RunProgress::default();
        assert_eq!(progress.admit(&run[0]), (RunStart::Fresh, true));
        assert_eq!(progress.admit(&run[1]), (RunStart::Fresh, true));
        progress.fail();
        let taken: Vec<bool> = run.iter().map(|m| progress.admit(m).1).collect();
        assert_eq!(taken, [false, false, true, true]);
        progress.fail();
        assert_eq!(progress.admit(&other), (RunStart::Abandoned, true));
        progress.complete();
        assert_eq!(progress.admit(&run[0]), (RunStart::Fresh, true));
    }
}
