//! A read position in the raw line: every step is bounds-checked, so the
//! parsers can follow upstream's pointer walking without indexing.

/// The input and how far the parser has read it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `data`.
    pub(super) fn new(data: &'a [u8]) -> Self {
        Cursor { data, pos: 0 }
    }

    /// Bytes read so far.
    pub(super) fn pos(&self) -> usize {
        self.pos
    }

    /// Bytes not read yet.
    pub(super) fn rest(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or_default()
    }

    /// Whether everything has been read.
    pub(super) fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// The next byte.
    pub(super) fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    /// The byte `ahead` positions after the next one.
    pub(super) fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.data.get(self.pos.saturating_add(ahead)).copied()
    }

    /// Whether the next byte is `b`.
    pub(super) fn at(&self, b: u8) -> bool {
        self.peek() == Some(b)
    }

    /// Moves past one byte; false at the end.
    pub(super) fn bump(&mut self) -> bool {
        if self.is_empty() {
            return false;
        }
        self.pos += 1;
        true
    }

    /// Moves past `n` bytes (at most to the end).
    pub(super) fn advance(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n).min(self.data.len());
    }

    /// Moves past the next byte if it is `b`.
    pub(super) fn eat(&mut self, b: u8) -> bool {
        self.at(b) && self.bump()
    }

    /// Moves past `prefix` if the rest starts with it.
    pub(super) fn eat_prefix(&mut self, prefix: &[u8]) -> bool {
        if self.rest().starts_with(prefix) {
            self.advance(prefix.len());
            return true;
        }
        false
    }

    /// Moves past bytes while `keep` holds; returns how many.
    pub(super) fn skip_while(&mut self, mut keep: impl FnMut(u8) -> bool) -> usize {
        let start = self.pos;
        while self.peek().is_some_and(&mut keep) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// The bytes between `start` and the current position.
    pub(super) fn since(&self, start: usize) -> &'a [u8] {
        self.data.get(start..self.pos).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_stop_at_the_end() {
        let mut c = Cursor::new(b"ab");
        assert!(c.eat(b'a'));
        assert!(!c.eat(b'x'));
        assert_eq!(c.skip_while(|_| true), 1);
        assert!(!c.bump());
        c.advance(10);
        assert_eq!((c.pos(), c.rest(), c.peek_at(3)), (2, &b""[..], None));
        assert_eq!(c.since(0), b"ab");
        assert_eq!(c.since(5), b"");
    }
}
