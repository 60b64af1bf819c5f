//! `stdout()`: writes rendered messages to standard output.

use logfetch_core::message::LogMessage;
use logfetch_core::plan::SinkBuilder;
use logfetch_core::seqnum::SequenceCounter;
use logfetch_core::sink::Sink;
use logfetch_core::template::Template;
use std::io::{self, Write};

/// Settings of one `stdout()` driver.
#[derive(Clone, Debug)]
pub struct StdoutConfig {
    /// The line template.
    pub template: Template,
}

impl SinkBuilder for StdoutConfig {
    fn build(&self) -> io::Result<Box<dyn Sink>> {
        Ok(Box::new(StdoutSink {
            template: self.template.clone(),
            buffer: Vec::with_capacity(64 * 1024),
            sequence: SequenceCounter::new(self.template.uses_seqnum()),
        }))
    }
}

struct StdoutSink {
    template: Template,
    buffer: Vec<u8>,
    /// `$SEQNUM` of the messages written here.
    sequence: SequenceCounter,
}

impl Sink for StdoutSink {
    fn write(&mut self, messages: &[LogMessage]) -> io::Result<()> {
        for msg in messages {
            let seq_num = self.sequence.number_for(msg);
            self.template
                .render_numbered(msg, seq_num, &mut self.buffer);
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        let mut out = io::stdout().lock();
        let result = out.write_all(&self.buffer).and_then(|()| out.flush());
        // On failure the pipeline retries the whole run, rendering it again.
        self.buffer.clear();
        result
    }
}
