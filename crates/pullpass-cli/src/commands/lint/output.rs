//! The output of `pullpass lint` in input order, streamed: each file's rendered findings are
//! written as soon as the file is linted, and the file's text and findings dropped, so the
//! memory of a 100 k-file run does not grow with the files (issue 13/15: the driver kept every
//! file until the end, 0.9–1.1 GB).
//!
//! Two things cannot be written at once: a source file that takes part in the cross-file pass
//! (its findings are known only after every file was read), and a frame whose head depends on
//! every file (SARIF's `artifacts`, the `--verbose` list of skipped files that opens the text
//! report). From the first such point on, the output goes to a spool (memory, then an unlinked
//! temporary file: `tempfile::SpooledTempFile`) with a *hole* per held file; [`Ordered::finish`]
//! writes the head, the spool with the held files' chunks in their holes, and the tail.

use std::io::{self, Read as _, Seek as _, Write};

/// What the spool keeps in memory before it moves to a temporary file.
const SPOOL_IN_MEMORY: usize = 8 << 20;

/// Rendered output in input order: straight to the sink until the first hole (or from the
/// start, when the head is known only at the end), then through a spool.
pub(super) struct Ordered<W: Write> {
    sink: SkipFirst<W>,
    spool: Option<tempfile::SpooledTempFile>,
    /// Bytes written to the spool.
    spooled: u64,
    /// (spool offset, the caller's id of the held file), in input order.
    holes: Vec<(u64, usize)>,
}

impl<W: Write> std::fmt::Debug for Ordered<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ordered")
            .field("spooled", &self.spooled)
            .field("holes", &self.holes.len())
            .finish_non_exhaustive()
    }
}

impl<W: Write> Ordered<W> {
    /// `spool_from_start`: the head is written by [`Self::finish`], so nothing goes to `sink`
    /// before it.
    pub(super) fn new(sink: W, spool_from_start: bool) -> Self {
        Self {
            sink: SkipFirst {
                inner: sink,
                skip: 0,
            },
            spool: spool_from_start.then(|| tempfile::SpooledTempFile::new(SPOOL_IN_MEMORY)),
            spooled: 0,
            holes: Vec::new(),
        }
    }

    /// The bytes of one file (or a frame's head), in order.
    pub(super) fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        match &mut self.spool {
            Some(spool) => {
                spool.write_all(bytes)?;
                self.spooled += bytes.len() as u64;
                Ok(())
            }
            None => self.sink.write_all(bytes),
        }
    }

    /// The output of held file `id` goes here; it is rendered by [`Self::finish`].
    pub(super) fn hole(&mut self, id: usize) {
        if self.spool.is_none() {
            self.spool = Some(tempfile::SpooledTempFile::new(SPOOL_IN_MEMORY));
        }
        self.holes.push((self.spooled, id));
    }

    /// Writes `head` (what had to wait for every file), the spooled output with each hole
    /// filled by `fill`, then `tail`. `skip_after_head`: bytes of the first item written after
    /// `head` to drop (a list's leading separator); 0 keeps what [`Self::skip_next`] armed.
    pub(super) fn finish(
        mut self,
        head: &[u8],
        skip_after_head: usize,
        mut fill: impl FnMut(usize, &mut dyn Write) -> io::Result<()>,
        tail: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<W> {
        self.sink.write_all(head)?;
        if skip_after_head > 0 {
            self.sink.skip = skip_after_head;
        }
        if let Some(mut spool) = self.spool.take() {
            spool.seek(io::SeekFrom::Start(0))?;
            let mut at = 0u64;
            for (offset, id) in std::mem::take(&mut self.holes) {
                io::copy(&mut (&mut spool).take(offset - at), &mut self.sink)?;
                at = offset;
                fill(id, &mut self.sink)?;
            }
            io::copy(&mut spool, &mut self.sink)?;
        }
        self.sink.skip = 0;
        tail(&mut self.sink)?;
        self.sink.inner.flush()?;
        Ok(self.sink.inner)
    }

    /// Drops the next `n` bytes of output (the separator before a list's first item, when
    /// every item is written as `,` + item). Spooled output passes through the sink too, so
    /// the bytes dropped are the next ones in output order either way, unless
    /// [`Self::finish`] re-arms it for its own head.
    pub(super) fn skip_next(&mut self, n: usize) {
        self.sink.skip = n;
    }
}

impl<W: Write> Write for Ordered<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ordered::write(self, buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A writer that drops the first `skip` bytes written to it, then passes everything on.
struct SkipFirst<W: Write> {
    inner: W,
    skip: usize,
}

impl<W: Write> Write for SkipFirst<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.skip == 0 {
            return self.inner.write(buf);
        }
        let dropped = self.skip.min(buf.len());
        self.skip -= dropped;
        if dropped == buf.len() {
            return Ok(dropped);
        }
        Ok(dropped + self.inner.write(&buf[dropped..])?)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::Ordered;

    #[test]
    fn holes_are_filled_in_order_after_the_head() {
        for from_start in [false, true] {
            let mut o = Ordered::new(Vec::new(), from_start);
            o.write(b"a").unwrap();
            o.hole(7);
            o.write(b"c").unwrap();
            o.hole(9);
            o.write(b"e").unwrap();
            let out = o
                .finish(
                    b"",
                    0,
                    |id, w| w.write_all(if id == 7 { b"B" } else { b"D" }),
                    |w| w.write_all(b"!"),
                )
                .unwrap();
            assert_eq!(out, b"aBcDe!");
        }
        let mut o = Ordered::new(Vec::new(), true);
        o.write(b",x").unwrap();
        o.write(b",y").unwrap();
        let out = o
            .finish(b"[", 1, |_, _| Ok(()), |w| w.write_all(b"]"))
            .unwrap();
        assert_eq!(out, b"[x,y]");
    }
}
