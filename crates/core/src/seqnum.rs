//! `$SEQNUM`: the number a destination gives each message it writes, as
//! syslog-ng's writers do.
//!
//! Messages logfetch makes itself (`internal()`, syslog-ng's "local"
//! messages) are numbered by each destination on its own, from 1. Other
//! messages have a number only if they carry one in
//! `.SDATA.meta.sequenceId`; without it `$SEQNUM` is empty.

use crate::message::LogMessage;

/// Where RFC 5424 keeps a message's sequence number.
pub const META_SEQUENCE_ID: &str = ".SDATA.meta.sequenceId";

/// Numbers past this wrap around to 1 (RFC 5424's `sequenceId` range).
const MAX_SEQUENCE_ID: u32 = 0x7fff_ffff;

/// One destination's sequence of local messages.
#[derive(Debug)]
pub struct SequenceCounter {
    next: u32,
    /// Whether the destination's templates show `$SEQNUM`: only then is a
    /// carried number looked up.
    shown: bool,
}

impl SequenceCounter {
    /// A counter for a destination whose templates show `$SEQNUM` only if
    /// `shown` (local messages are numbered either way, for `$SDATA`).
    pub fn new(shown: bool) -> Self {
        SequenceCounter { next: 1, shown }
    }

    /// The `$SEQNUM` of `msg` in this destination (0: none), counting it
    /// when it is a local message.
    pub fn number_for(&mut self, msg: &LogMessage) -> u32 {
        if msg.local {
            let number = self.next;
            self.next = if number >= MAX_SEQUENCE_ID {
                1
            } else {
                number + 1
            };
            return number;
        }
        if self.shown { carried_number(msg) } else { 0 }
    }
}

/// The leading decimal digits of the message's `meta.sequenceId`, or 0.
fn carried_number(msg: &LogMessage) -> u32 {
    let mut scratch = Vec::new();
    let text = msg.text(META_SEQUENCE_ID, &mut scratch).trim_ascii_start();
    let digits = text.iter().take_while(|b| b.is_ascii_digit()).count();
    std::str::from_utf8(&text[..digits])
        .ok()
        .and_then(|d| d.parse::<u32>().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_messages_count_from_one_others_carry_their_own() {
        let mut counter = SequenceCounter::new(true);
        let mut local = LogMessage::with_message("internal");
        local.local = true;
        let mut carried = LogMessage::with_message("parsed");
        carried.set_str(META_SEQUENCE_ID, "77");
        let plain = LogMessage::with_message("fetched");

        assert_eq!(counter.number_for(&local), 1);
        assert_eq!(counter.number_for(&plain), 0);
        assert_eq!(counter.number_for(&carried), 77);
        assert_eq!(counter.number_for(&local), 2);
        assert_eq!(SequenceCounter::new(true).number_for(&local), 1);
    }

    #[test]
    fn a_destination_that_does_not_show_seqnum_still_numbers_local_messages() {
        let mut counter = SequenceCounter::new(false);
        let mut carried = LogMessage::new();
        carried.set_str(META_SEQUENCE_ID, "77");
        let mut local = LogMessage::new();
        local.local = true;
        assert_eq!(counter.number_for(&carried), 0);
        assert_eq!(counter.number_for(&local), 1);
    }

    #[test]
    fn templates_know_whether_they_show_seqnum() {
        use crate::template::Template;
        for (text, shown) in [
            ("$MSG", false),
            ("${SEQNUM}", true),
            ("$(format-json --scope selected-macros)", true),
            ("$(format-json n=$SEQNUM)", true),
            ("$(format-json --scope rfc5424)", false),
        ] {
            assert_eq!(
                Template::compile(text).unwrap().uses_seqnum(),
                shown,
                "{text}"
            );
        }
    }

    #[test]
    fn the_count_wraps_to_one() {
        let mut counter = SequenceCounter {
            next: MAX_SEQUENCE_ID,
            shown: true,
        };
        let mut local = LogMessage::new();
        local.local = true;
        assert_eq!(counter.number_for(&local), MAX_SEQUENCE_ID);
        assert_eq!(counter.number_for(&local), 1);
    }
}
