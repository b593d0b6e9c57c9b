//! Text helpers of the Markdown renderer: input normalisation, display widths, cutting and
//! wrapping styled spans, and the fence info strings of Estiba's annotations.

use super::*;

// ---------------------------------------------------------------------------------------------
// Input normalisation

/// CRLF/CR → LF, NFC, tabs → spaces (4-column stops), other control characters → U+FFFD, BOM dropped.
pub(super) fn normalize(input: &str) -> String {
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    let lf: String = if input.contains('\r') {
        let mut s = String::with_capacity(input.len());
        let mut chars = input.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\r' {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                s.push('\n');
            } else {
                s.push(c);
            }
        }
        s
    } else {
        input.to_string()
    };
    let nfc = if is_nfc_quick(lf.chars()) == IsNormalized::Yes { lf } else { lf.nfc().collect() };
    if !nfc.chars().any(|c| c != '\n' && c.is_control()) {
        return nfc;
    }
    let mut out = String::with_capacity(nfc.len() + 16);
    let mut col = 0;
    for c in nfc.chars() {
        match c {
            '\n' => {
                out.push('\n');
                col = 0;
            }
            '\t' => {
                let n = TAB_STOP - col % TAB_STOP;
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            }
            c if c.is_control() => {
                out.push('\u{FFFD}');
                col += 1;
            }
            c => {
                out.push(c);
                col += char_width(c);
            }
        }
    }
    out
}

/// Skips a leading `---` … `---` (or `...`) front matter block; an unclosed one is kept.
pub(super) fn strip_front_matter(text: &str) -> &str {
    let mut lines = text.split_inclusive('\n');
    match lines.next() {
        Some(first) if first.trim_end() == "---" => {
            let mut offset = first.len();
            for line in lines {
                offset += line.len();
                let t = line.trim();
                if t == "---" || t == "..." {
                    return &text[offset..];
                }
            }
            text
        }
        _ => text,
    }
}

/// Replaces control characters (possible in attribute values and URLs) with U+FFFD.
pub(super) fn sanitize(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { '\u{FFFD}' } else { c }).collect()
}

// ---------------------------------------------------------------------------------------------
// Widths

/// Display width of one character; a variation selector 16 counts 1 so that `❤️` measures 2 as in
/// `unicode-width`'s string width (an over-estimate elsewhere is harmless).
pub(super) fn char_width(c: char) -> usize {
    if (' '..'\u{7f}').contains(&c) || c == '\u{FE0F}' { 1 } else { c.width().unwrap_or(0) }
}

/// Width of a span exactly as ratatui measures it.
pub(super) fn exact_width(span: &Span<'_>) -> usize {
    let s = span.content.as_ref();
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) { s.len() } else { span.width() }
}

pub(super) fn str_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

pub(super) fn spans_width(spans: &[Span<'_>]) -> usize {
    spans.iter().map(|s| str_width(&s.content)).sum()
}

/// Cuts `spans` to `max` columns, ending with a dim `…` when something was cut.
pub(super) fn truncate(spans: Vec<Span<'static>>, max: usize) -> Vec<Span<'static>> {
    if spans_width(&spans) <= max {
        return spans;
    }
    let budget = max.saturating_sub(1);
    let mut out = Vec::with_capacity(spans.len() + 1);
    let mut used = 0;
    'spans: for span in spans {
        let mut text = String::new();
        for c in span.content.chars() {
            let w = char_width(c);
            if used + w > budget {
                if !text.is_empty() {
                    out.push(Span::styled(text, span.style));
                }
                break 'spans;
            }
            used += w;
            text.push(c);
        }
        out.push(Span::styled(text, span.style));
    }
    if max >= 1 {
        out.push(Span::styled("…", DIM));
    }
    out
}

/// Breaks `spans` into rows of at most `max` columns; every row after the first starts with a dim
/// `↪ ` (so a wrapped command reads as one). A line that fits is one row.
pub(super) fn wrap_code(spans: Vec<Span<'static>>, max: usize) -> Vec<Vec<Span<'static>>> {
    const MARK: &str = "↪ ";
    if spans_width(&spans) <= max || max <= MARK.chars().count() + 1 {
        return vec![truncate(spans, max)];
    }
    let mut rows = vec![Vec::new()];
    let mut used = 0;
    for span in spans {
        let mut text = String::new();
        for c in span.content.chars() {
            let w = char_width(c);
            if used + w > max {
                let row = rows.last_mut().expect("a row");
                if !text.is_empty() {
                    row.push(Span::styled(std::mem::take(&mut text), span.style));
                }
                rows.push(vec![Span::styled(MARK, DIM)]);
                used = MARK.chars().count();
            }
            used += w;
            text.push(c);
        }
        if !text.is_empty() {
            rows.last_mut().expect("a row").push(Span::styled(text, span.style));
        }
    }
    rows
}

/// Final guarantee that a line fits, measured exactly as ratatui measures it.
pub(super) fn clamp(spans: &mut Vec<Span<'static>>, width: usize) {
    let measured = |spans: &[Span<'static>]| spans.iter().map(exact_width).sum::<usize>();
    if measured(spans) <= width {
        return;
    }
    *spans = truncate(std::mem::take(spans), width);
    while measured(spans) > width {
        let Some(last) = spans.last_mut() else { break };
        if last.content.to_mut().pop().is_none() {
            spans.pop();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Word wrapping

/// A run of inline text in one style. A `'\n'` in `text` is a hard line break.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Seg {
    pub(super) text: String,
    pub(super) style: Style,
}

pub(super) fn push_seg(segs: &mut Vec<Seg>, text: &str, style: Style) {
    if text.is_empty() {
        return;
    }
    match segs.last_mut() {
        Some(last) if last.style == style => last.text.push_str(text),
        _ => segs.push(Seg { text: text.to_string(), style }),
    }
}

pub(super) fn segs_width(segs: &[Seg]) -> usize {
    segs.iter().map(|s| str_width(&s.text)).sum()
}

/// A byte range `start..end` of segment `seg`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Piece {
    pub(super) seg: usize,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// Appends `seg[start..end]` to `pieces`, extending the last piece when contiguous.
pub(super) fn push_piece(pieces: &mut Vec<Piece>, seg: usize, start: usize, end: usize) {
    match pieces.last_mut() {
        Some(last) if last.seg == seg && last.end == start => last.end = end,
        _ => pieces.push(Piece { seg, start, end }),
    }
}

/// Greedy word wrapper over styled text: breaks at spaces, splits words longer than the width.
/// Works on byte ranges of the input segments and only copies text when a line is complete.
pub(super) struct Wrapper<'a> {
    pub(super) segs: &'a [Seg],
    pub(super) width: usize,
    pub(super) lines: Vec<Vec<Seg>>,
    pub(super) line: Vec<Piece>,
    pub(super) line_w: usize,
    pub(super) space: Vec<Piece>,
    pub(super) space_w: usize,
    pub(super) word: Vec<Piece>,
    pub(super) word_w: usize,
}

impl<'a> Wrapper<'a> {
    fn new(segs: &'a [Seg], width: usize) -> Self {
        Self {
            segs,
            width: width.max(1),
            lines: Vec::new(),
            line: Vec::new(),
            line_w: 0,
            space: Vec::new(),
            space_w: 0,
            word: Vec::new(),
            word_w: 0,
        }
    }

    fn break_line(&mut self) {
        let mut out: Vec<Seg> = Vec::with_capacity(self.line.len());
        for p in self.line.drain(..) {
            let seg = &self.segs[p.seg];
            push_seg(&mut out, &seg.text[p.start..p.end], seg.style);
        }
        self.lines.push(out);
        self.line_w = 0;
        self.space.clear();
        self.space_w = 0;
    }

    fn flush_word(&mut self) {
        if self.word.is_empty() {
            return;
        }
        let word_w = std::mem::take(&mut self.word_w);
        if !self.line.is_empty() && self.line_w + self.space_w + word_w <= self.width {
            for p in self.space.drain(..).chain(self.word.drain(..)) {
                push_piece(&mut self.line, p.seg, p.start, p.end);
            }
            self.line_w += self.space_w + word_w;
            self.space_w = 0;
            return;
        }
        if !self.line.is_empty() {
            self.break_line();
        }
        self.space.clear();
        self.space_w = 0;
        if word_w <= self.width {
            std::mem::swap(&mut self.line, &mut self.word);
            self.word.clear();
            self.line_w = word_w;
            return;
        }
        let word = std::mem::take(&mut self.word);
        for p in &word {
            let text = &self.segs[p.seg].text[p.start..p.end];
            for (i, c) in text.char_indices() {
                let w = char_width(c);
                if self.line_w + w > self.width && !self.line.is_empty() {
                    self.break_line();
                }
                let at = p.start + i;
                push_piece(&mut self.line, p.seg, at, at + c.len_utf8());
                self.line_w += w;
            }
        }
        self.word = word;
        self.word.clear();
    }

    fn run(mut self) -> Vec<Vec<Seg>> {
        for (si, seg) in self.segs.iter().enumerate() {
            for (i, c) in seg.text.char_indices() {
                match c {
                    '\n' => {
                        self.flush_word();
                        self.break_line();
                    }
                    ' ' => {
                        self.flush_word();
                        if !self.line.is_empty() {
                            push_piece(&mut self.space, si, i, i + 1);
                            self.space_w += 1;
                        }
                    }
                    c => {
                        push_piece(&mut self.word, si, i, i + c.len_utf8());
                        self.word_w += char_width(c);
                    }
                }
            }
        }
        self.flush_word();
        if !self.line.is_empty() {
            self.break_line();
        }
        self.lines
    }
}

/// Wraps styled text to `width` columns.
pub(super) fn wrap(segs: &[Seg], width: usize) -> Vec<Vec<Seg>> {
    Wrapper::new(segs, width).run()
}

pub(super) fn to_spans(segs: Vec<Seg>) -> impl Iterator<Item = Span<'static>> {
    segs.into_iter().map(|s| Span::styled(s.text, s.style))
}

// ---------------------------------------------------------------------------------------------
// Fence info strings

/// Splits an info string into words; `"…"` quotes (with `\"`, `\\`, `\n`, `\t`) may contain spaces.
pub(super) fn info_words(info: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut started = false;
    let mut quoted = false;
    let mut chars = info.chars();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' => quoted = false,
                '\\' => {
                    if let Some(e) = chars.next() {
                        current.push(match e {
                            'n' => '\n',
                            't' => '\t',
                            other => other,
                        });
                    }
                }
                c => current.push(c),
            }
        } else if c.is_whitespace() {
            if started {
                words.push(std::mem::take(&mut current));
                started = false;
            }
        } else {
            started = true;
            if c == '"' {
                quoted = true;
            } else {
                current.push(c);
            }
        }
    }
    if started {
        words.push(current);
    }
    words
}

/// The language (for highlighting) and the label line of a fenced block.
pub(super) fn code_label(info: &str) -> (String, Vec<Span<'static>>) {
    let mut lang = String::new();
    let (mut run, mut output) = (false, false);
    let (mut file, mut excerpt) = (None, None);
    for (i, word) in info_words(info).into_iter().enumerate() {
        if let Some(marker) = word.strip_prefix('+') {
            match marker {
                "run" => run = true,
                "output" => output = true,
                _ => {}
            }
        } else if let Some((key, value)) = word.split_once('=') {
            match key {
                "file" => file = Some(sanitize(value)),
                "excerpt" => excerpt = Some(sanitize(value)),
                _ => {}
            }
        } else if i == 0 {
            lang = sanitize(&word);
        }
    }
    let label = if run {
        vec![Span::styled("▶ orden", RUN_LABEL)]
    } else if output {
        vec![Span::styled("salida grabada", DIM)]
    } else if let Some(path) = file {
        vec![Span::styled(path, FILE_LABEL)]
    } else if let Some(path) = excerpt {
        vec![Span::styled("extracto de ", DIM), Span::styled(path, FILE_LABEL)]
    } else if !lang.is_empty() {
        vec![Span::styled(lang.clone(), DIM)]
    } else {
        Vec::new()
    };
    let lang = lang.split(',').next().unwrap_or_default().trim_matches(['{', '}', '.']).to_string();
    (lang, label)
}
