//! Delivered messages go back to the thread that built them, to be freed there.
//!
//! A message's buffers are allocated on its fetcher's thread. When a
//! destination thread frees them, glibc's allocator returns each block to the
//! fetcher's arena under that arena's lock, and the fetcher, allocating the
//! next messages from the same arena, keeps meeting the lock held: the two
//! threads wake each other through futexes many times per batch. So a
//! destination hands each delivered batch back through a [`ReturnBin`], and
//! the fetcher drops it between two `fetch()` calls, where freeing is cheap
//! and the freed blocks serve its next messages (each message's value vector
//! directly: see [`LogMessage::recycle`]).

use crate::message::LogMessage;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Batches waiting to be dropped on their source's thread.
#[derive(Default)]
pub struct ReturnBin {
    /// Whether `batches` holds anything (read without the lock on every post).
    filled: AtomicBool,
    batches: Mutex<Vec<Vec<LogMessage>>>,
}

impl ReturnBin {
    /// Hands back a delivered batch (on a destination thread).
    pub fn put(&self, batch: Vec<LogMessage>) {
        if batch.is_empty() {
            return;
        }
        self.batches.lock().push(batch);
        self.filled.store(true, Ordering::Release);
    }

    /// Drops every batch handed back so far on the calling thread.
    pub fn empty_here(&self) {
        if !self.filled.load(Ordering::Acquire) {
            return;
        }
        let batches = {
            let mut batches = self.batches.lock();
            self.filled.store(false, Ordering::Relaxed);
            std::mem::take(&mut *batches)
        };
        for batch in batches {
            batch.into_iter().for_each(LogMessage::recycle);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_wait_until_emptied() {
        let bin = ReturnBin::default();
        bin.put(Vec::new());
        assert!(!bin.filled.load(Ordering::Relaxed));
        bin.put(vec![LogMessage::with_message("a"), LogMessage::new()]);
        assert_eq!(bin.batches.lock().len(), 1);
        bin.empty_here();
        assert!(bin.batches.lock().is_empty());
        assert!(!bin.filled.load(Ordering::Relaxed));
    }
}
