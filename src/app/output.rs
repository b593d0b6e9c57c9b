//! A command's output as the run pane keeps it: bounded lines, `\r` overwriting its line, and only
//! colour (SGR) escape sequences kept; every other control sequence is dropped.
//!
//! **Two streams, never one line.** stdout and stderr each write their own unfinished line; a line
//! joins the list when its newline arrives, so the two streams interleave by whole lines and every
//! line has one stream (and so one colour). A terminal would put stderr text right after unfinished
//! stdout text; we keep them apart, as the docker CLI's output reads when each stream is read line by
//! line (`docker logs`, a log collector). Flushing the other stream's unfinished line instead would
//! cut a `\r` progress line into pieces each time the other stream printed. A `\r` only rewinds the
//! line of its own stream. Unfinished lines are shown after the complete ones, oldest first.
//!
//! **`\r`** is lazy, as on a terminal: the old text stays until new text (or a tab) arrives, which
//! then replaces it; colour sequences between the `\r` and that text are kept. `text\r\n` keeps
//! `text`. Colour set before the `\r` is not carried over.
//!
//! **Tabs** are kept in the text (expectations such as `CapEff:\t0000` match it); the run pane lays
//! them out with [`expand_tabs`].
//!
//! **Bounded memory**, whatever a container prints:
//! - at most `max_lines` lines, and at most [`byte_budget`](OutputBuffer::byte_budget) bytes of
//!   them (the oldest go first; [`dropped`](OutputBuffer::dropped) counts them);
//! - a line reaching [`MAX_LINE_BYTES`] without a newline is cut there and goes on in a new line,
//!   as a terminal wraps it: nothing of the latest output is lost, only older lines to the bound;
//! - an escape sequence is never stored while it streams in: a string sequence (OSC, DCS, SOS, PM,
//!   APC, e.g. an OSC 52 clipboard payload) is skipped until its BEL or ST keeping one flag, and a
//!   CSI keeps at most [`MAX_CSI_BYTES`] parameter bytes (a longer one is no colour we keep, and is
//!   skipped to its final byte). Each input byte is looked at a bounded number of times.

use std::borrow::Cow;
use std::collections::VecDeque;

use crate::docker::Stream;

#[cfg(test)]
mod tests;

/// Default number of lines kept per command.
pub const DEFAULT_MAX_LINES: usize = 10_000;

/// A line is cut (and goes on in the next one) when its text reaches this many bytes.
pub const MAX_LINE_BYTES: usize = 16 * 1024;

/// Parameter bytes a CSI may have and still be kept as a colour sequence.
pub const MAX_CSI_BYTES: usize = 64;

/// Byte budget for the kept lines: this many bytes a line on average...
const BYTES_PER_LINE: usize = 256;
/// ...and at least this many.
const MIN_BYTE_BUDGET: usize = 4 * 1024 * 1024;

/// One line of output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutLine {
    /// Stream it came from.
    pub stream: Stream,
    /// Text with SGR colour sequences and tabs only.
    pub text: String,
}

/// The line a stream is writing (no newline yet).
#[derive(Debug, Clone)]
struct Partial {
    line: OutLine,
    /// Where a pending `\r` happened: the next text replaces what comes before.
    cr: Option<usize>,
    /// When it started, to show unfinished lines oldest first.
    seq: u64,
}

/// Where a stream is inside an escape sequence, possibly cut by the end of a chunk. Only this small
/// state is kept, never a sequence's payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Escape {
    /// Not in a sequence.
    #[default]
    None,
    /// Right after ESC.
    Esc,
    /// After ESC and intermediate bytes (`ESC ( B`): the next character ends it.
    Intermediate,
    /// In a CSI; `keep`: it can still be a colour sequence (its parameters so far are in `csi`).
    Csi { keep: bool },
    /// In a string sequence; `esc`: the last byte was ESC (an ST may be cut in two).
    Str { esc: bool },
}

/// What one stream has in progress.
#[derive(Debug, Clone, Default)]
struct StreamState {
    partial: Option<Partial>,
    escape: Escape,
    /// Parameter bytes of the CSI in progress, at most [`MAX_CSI_BYTES`].
    csi: String,
}

/// Output of one command.
#[derive(Debug, Clone)]
pub struct OutputBuffer {
    lines: VecDeque<OutLine>,
    /// Indexed by [`slot`].
    streams: [StreamState; 2],
    max_lines: usize,
    max_bytes: usize,
    /// Heap bytes of the texts in `lines`.
    line_bytes: usize,
    dropped: usize,
    seq: u64,
}

impl Default for OutputBuffer {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_LINES)
    }
}

fn slot(stream: Stream) -> usize {
    match stream {
        Stream::Stdout => 0,
        Stream::Stderr => 1,
    }
}

impl OutputBuffer {
    /// An empty buffer keeping at most `max_lines` lines.
    pub fn new(max_lines: usize) -> Self {
        let max_lines = max_lines.max(1);
        Self {
            lines: VecDeque::new(),
            streams: Default::default(),
            max_lines,
            max_bytes: max_lines.saturating_mul(BYTES_PER_LINE).max(MIN_BYTE_BUDGET),
            line_bytes: 0,
            dropped: 0,
            seq: 0,
        }
    }

    /// Appends `text` from `stream`; returns how many complete lines were added.
    pub fn push(&mut self, stream: Stream, text: &str) -> usize {
        let s = slot(stream);
        let bytes = text.as_bytes();
        let mut added = 0;
        let mut i = 0;
        if self.streams[s].escape != Escape::None {
            i = self.escape(stream, text, 0, &mut added);
        }
        while i < bytes.len() {
            // Fast path: a run of printable text goes in at once.
            let start = i;
            while i < bytes.len() && is_plain(bytes, i) {
                i += 1;
            }
            if i > start {
                added += self.put_text(stream, &text[start..i]);
                continue;
            }
            match bytes[i] {
                b'\n' => {
                    self.commit(stream);
                    added += 1;
                    i += 1;
                }
                b'\r' => {
                    // Lazy: `\r\n` keeps the line; `\r` + text replaces it.
                    if let Some(p) = self.streams[s].partial.as_mut() {
                        p.cr.get_or_insert(p.line.text.len());
                    }
                    i += 1;
                }
                0x1b => {
                    self.streams[s].escape = Escape::Esc;
                    i = self.escape(stream, text, i + 1, &mut added);
                }
                b'\t' => {
                    added += self.put_text(stream, "\t");
                    i += 1;
                }
                _ => {
                    // Any other control character (C0, DEL, C1) is dropped.
                    i += char_len(text, i);
                }
            }
        }
        added
    }

    /// Goes on with the escape sequence `stream` is in, from byte `i` of `text`; a finished colour
    /// sequence goes into the line. Returns where the sequence ended (`text.len()` if it did not).
    fn escape(&mut self, stream: Stream, text: &str, i: usize, added: &mut usize) -> usize {
        let st = &mut self.streams[slot(stream)];
        let (end, sgr) = st.scan(text, i);
        if sgr {
            let params = std::mem::take(&mut st.csi);
            let len = params.len() + 3;
            if self.streams[slot(stream)].partial.as_ref().is_some_and(|p| p.line.text.len() + len > MAX_LINE_BYTES) {
                self.wrap(stream);
                *added += 1;
            }
            let t = &mut self.partial_mut(stream).line.text;
            t.push_str("\u{1b}[");
            t.push_str(&params);
            t.push('m');
            self.streams[slot(stream)].csi = params;
        }
        end
    }

    /// Appends printable text (or a tab), replacing the line after a pending `\r` and cutting the
    /// line at [`MAX_LINE_BYTES`]. Returns how many lines that completed.
    fn put_text(&mut self, stream: Stream, mut piece: &str) -> usize {
        let mut added = 0;
        loop {
            let p = self.partial_mut(stream);
            if let Some(at) = p.cr.take() {
                p.line.text.drain(..at);
            }
            let room = MAX_LINE_BYTES.saturating_sub(p.line.text.len());
            if piece.len() <= room {
                p.line.text.push_str(piece);
                return added;
            }
            let mut cut = room;
            while !piece.is_char_boundary(cut) {
                cut -= 1;
            }
            p.line.text.push_str(&piece[..cut]);
            piece = &piece[cut..];
            self.wrap(stream);
            added += 1;
        }
    }

    /// Ends a full line of `stream` without a newline; what follows goes on in a new line.
    fn wrap(&mut self, stream: Stream) {
        if let Some(p) = self.streams[slot(stream)].partial.as_mut() {
            p.line.text.shrink_to_fit();
        }
        self.commit(stream);
    }

    fn partial_mut(&mut self, stream: Stream) -> &mut Partial {
        let seq = &mut self.seq;
        self.streams[slot(stream)].partial.get_or_insert_with(|| {
            *seq += 1;
            Partial { line: OutLine { stream, text: String::new() }, cr: None, seq: *seq }
        })
    }

    fn commit(&mut self, stream: Stream) {
        let mut line = match self.streams[slot(stream)].partial.take() {
            Some(p) => p.line,
            None => OutLine { stream, text: String::new() },
        };
        // A line that once held a long progress text and was then rewound keeps no spare room.
        if line.text.capacity() > line.text.len() * 2 + 64 {
            line.text.shrink_to_fit();
        }
        self.line_bytes += line.text.capacity();
        self.lines.push_back(line);
        while self.lines.len() > self.max_lines || self.line_bytes > self.max_bytes {
            let Some(old) = self.lines.pop_front() else { break };
            self.line_bytes -= old.text.capacity();
            self.dropped += 1;
        }
    }

    /// The unfinished lines, oldest first.
    fn partials(&self) -> impl Iterator<Item = &OutLine> {
        let [a, b] = &self.streams;
        let (a, b) = (a.partial.as_ref(), b.partial.as_ref());
        let (first, second) = match (a, b) {
            (Some(x), Some(y)) if y.seq < x.seq => (b, a),
            _ => (a, b),
        };
        first.into_iter().chain(second).map(|p| &p.line)
    }

    /// Complete lines plus the lines being written (one a stream at most), oldest first.
    pub fn lines(&self) -> impl Iterator<Item = &OutLine> {
        self.lines.iter().chain(self.partials())
    }

    /// Number of lines [`lines`](Self::lines) yields.
    pub fn len(&self) -> usize {
        self.lines.len() + self.streams.iter().filter(|s| s.partial.is_some()).count()
    }

    /// Whether nothing was printed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Lines dropped because of the bound.
    pub fn dropped(&self) -> usize {
        self.dropped
    }

    /// Most bytes of complete lines kept (beyond it the oldest are dropped).
    pub fn byte_budget(&self) -> usize {
        self.max_bytes
    }

    /// Heap bytes this buffer holds: the kept lines' texts and slots, the unfinished lines and the
    /// escape state. Bounded by about `byte_budget() + max_lines × size_of::<OutLine>() + 4 ×
    /// MAX_LINE_BYTES`, whatever was pushed.
    pub fn stored_bytes(&self) -> usize {
        let streams: usize = self.streams.iter().map(|s| s.partial.as_ref().map_or(0, |p| p.line.text.capacity()) + s.csi.capacity()).sum();
        self.line_bytes + self.lines.capacity() * std::mem::size_of::<OutLine>() + streams
    }

    /// All text without colour sequences (for checking expectations).
    pub fn plain_text(&self) -> String {
        let mut s = String::new();
        for l in self.lines() {
            s.push_str(&strip_sgr(&l.text));
            s.push('\n');
        }
        s
    }
}

impl StreamState {
    /// Scans the escape sequence in progress from byte `i` of `text`. Returns where it ended (or
    /// `text.len()` when it goes on in the next chunk) and whether it was a colour sequence, whose
    /// parameters are then in `csi`. A control character (or a non-ASCII one) aborts a sequence and
    /// is then handled as usual, so a stray ESC swallows no newline.
    fn scan(&mut self, text: &str, mut i: usize) -> (usize, bool) {
        let b = text.as_bytes();
        while let Some(&c) = b.get(i) {
            match self.escape {
                Escape::None => return (i, false),
                Escape::Esc => match c {
                    b'[' => {
                        self.csi.clear();
                        self.escape = Escape::Csi { keep: true };
                        i += 1;
                    }
                    b']' | b'P' | b'X' | b'^' | b'_' => {
                        self.escape = Escape::Str { esc: false };
                        i += 1;
                    }
                    0x20..=0x2f => {
                        self.escape = Escape::Intermediate;
                        i += 1;
                    }
                    0x00..=0x1f | 0x7f => self.escape = Escape::None,
                    _ => {
                        self.escape = Escape::None;
                        return (i + char_len(text, i), false);
                    }
                },
                Escape::Intermediate => match c {
                    0x20..=0x2f => i += 1,
                    0x00..=0x1f | 0x7f => self.escape = Escape::None,
                    _ => {
                        self.escape = Escape::None;
                        return (i + char_len(text, i), false);
                    }
                },
                Escape::Csi { keep } => match c {
                    0x20..=0x3f => {
                        let colour = c.is_ascii_digit() || c == b';' || c == b':';
                        if keep && colour && self.csi.len() < MAX_CSI_BYTES {
                            self.csi.push(char::from(c));
                        } else if keep {
                            self.csi.clear();
                            self.escape = Escape::Csi { keep: false };
                        }
                        i += 1;
                    }
                    0x40..=0x7e => {
                        self.escape = Escape::None;
                        return (i + 1, keep && c == b'm');
                    }
                    _ => self.escape = Escape::None,
                },
                Escape::Str { esc: true } if c == b'\\' => {
                    self.escape = Escape::None;
                    return (i + 1, false);
                }
                Escape::Str { .. } => match b[i..].iter().position(|&x| x == 0x07 || x == 0x1b) {
                    None => {
                        self.escape = Escape::Str { esc: false };
                        i = b.len();
                    }
                    Some(p) if b[i + p] == 0x07 => {
                        self.escape = Escape::None;
                        return (i + p + 1, false);
                    }
                    Some(p) => {
                        self.escape = Escape::Str { esc: true };
                        i += p + 1;
                    }
                },
            }
        }
        (i, false)
    }
}

/// Length in bytes of the character at byte `i` (a char boundary) of `s`.
fn char_len(s: &str, i: usize) -> usize {
    s[i..].chars().next().map_or(1, char::len_utf8)
}

/// Whether byte `i` starts or continues printable text (not C0, DEL, or a C1 control `C2 80..9F`).
fn is_plain(b: &[u8], i: usize) -> bool {
    match b[i] {
        0x00..=0x1f | 0x7f => false,
        0xc2 => !matches!(b.get(i + 1), Some(0x80..=0x9f)),
        _ => true,
    }
}

/// Length in bytes of the escape sequence at the start of `s` (which starts with ESC), `None` when
/// it is incomplete. For text this buffer kept, where only SGR sequences are left.
fn escape_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    match b.get(1)? {
        b'[' => Some(b[2..].iter().position(|c| (0x40..=0x7e).contains(c))? + 3),
        b']' | b'P' | b'X' | b'^' | b'_' => {
            // String sequences end with BEL or ST (ESC \).
            let mut i = 2;
            while i < b.len() {
                if b[i] == 0x07 {
                    return Some(i + 1);
                }
                if b[i] == 0x1b && b.get(i + 1) == Some(&b'\\') {
                    return Some(i + 2);
                }
                i += 1;
            }
            None
        }
        c if (0x20..=0x2f).contains(c) => Some(2 + s[2..].chars().next()?.len_utf8()),
        _ => Some(1 + char_len(s, 1)),
    }
}

/// `s` without SGR sequences.
pub fn strip_sgr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('\u{1b}') {
        out.push_str(&rest[..i]);
        match escape_len(&rest[i..]) {
            Some(len) => rest = &rest[i + len..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// A kept line with its tabs laid out to 8-column stops (colour sequences take no columns).
pub fn expand_tabs(line: &str) -> Cow<'_, str> {
    if !line.contains('\t') {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len() + 8);
    let mut col = 0;
    for piece in line.split_inclusive('\t') {
        let (body, tab) = piece.strip_suffix('\t').map_or((piece, false), |b| (b, true));
        out.push_str(body);
        col += unicode_width::UnicodeWidthStr::width(strip_sgr(body).as_str());
        if tab {
            let n = 8 - col % 8;
            out.extend(std::iter::repeat_n(' ', n));
            col += n;
        }
    }
    Cow::Owned(out)
}

/// Synthetic output like a build's, `lines` lines: colour, `\r` progress, accents and plain text.
/// Used by the benchmarks (`benches/`, `estiba ingest`) so both measure the same input.
pub fn sample_build_output(lines: usize) -> String {
    let mut s = String::with_capacity(lines * 64);
    for i in 0..lines {
        match i % 4 {
            0 => s.push_str(&format!("\u{1b}[32mStep {i}/{lines}\u{1b}[0m : RUN make -j2\n")),
            1 => s.push_str(&format!(" 10% |██      |\r 50% |████    |\r100% |████████| capa {i}\n")),
            2 => s.push_str("\u{1b}[1;31merror:\u{1b}[0m nada grave, solo una línea larga de compilador con acentos: canción\n"),
            _ => s.push_str(" ---> Running in 0123456789ab\n"),
        }
    }
    s
}
