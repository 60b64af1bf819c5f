//! The delivery contract between the pipeline and destinations.

use crate::message::LogMessage;
use std::io;

/// A destination driver: receives batches, writes them, reports success.
///
/// A batch counts as delivered once `write` and then `flush` returned `Ok`;
/// the pipeline then frees the batch's flow-control window slots.
pub trait Sink: Send {
    /// Renders and writes (or buffers) `messages`, in order.
    fn write(&mut self, messages: &[LogMessage]) -> io::Result<()>;
    /// Pushes buffered output to its target.
    fn flush(&mut self) -> io::Result<()>;
}
