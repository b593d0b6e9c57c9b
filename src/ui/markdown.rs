//! CommonMark → styled, word-wrapped terminal lines for the lesson pane.
//!
//! The renderer is pure: the same text and width always give the same lines, and no line is wider than
//! the pane. The input is normalised first (CRLF → LF, NFC, tabs expanded to 4-column stops, control
//! characters replaced), so a lesson saved with Windows line endings or decomposed accents renders
//! exactly like a clean one. Estiba's fence annotations (`+run`, `+output`, `file=`, `excerpt=`, …)
//! become a label above the block instead of being shown.

use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
use unicode_width::UnicodeWidthChar;

use super::highlight::highlight_line;

/// Tab stops every this many columns.
const TAB_STOP: usize = 4;
/// Below this many columns of content, container prefixes (bars, indents) are dropped.
const MIN_CONTENT: usize = 4;
/// Bullets by list depth.
const BULLETS: [&str; 3] = ["• ", "◦ ", "▪ "];
/// Left bar of a block quote.
const QUOTE_BAR: &str = "▌ ";
/// Left gutter of a code line.
const GUTTER: &str = "│ ";

/// Level-1 heading.
const H1: Style = Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD).add_modifier(Modifier::UNDERLINED);
/// Level-2 heading.
const H2: Style = Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD);
/// Level-3+ heading.
const H3: Style = Style::new().add_modifier(Modifier::BOLD);
/// Inline code colour.
const CODE_FG: Color = Color::Yellow;
/// Secondary text: bars, rules, URLs, labels, HTML.
const DIM: Style = Style::new().fg(Color::DarkGray);
/// List bullets and numbers.
const MARKER: Style = Style::new().fg(Color::Cyan);
/// A checked task box.
const TASK_DONE: Style = Style::new().fg(Color::Green);
/// Label of a `+run` block.
const RUN_LABEL: Style = Style::new().fg(Color::Green).add_modifier(Modifier::BOLD);
/// Label of a `file=` / `excerpt=` block.
const FILE_LABEL: Style = Style::new().fg(Color::Cyan);

/// Renders CommonMark to styled, wrapped lines for a pane `width` columns wide.
///
/// Never panics; no returned line is wider than `width` display columns. A `width` of 0 gives no lines.
pub fn render(markdown: &str, width: u16) -> Vec<Line<'static>> {
    if width == 0 {
        return Vec::new();
    }
    let text = normalize(markdown);
    let body = strip_front_matter(&text);
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut r = Renderer::new(usize::from(width));
    for event in Parser::new_ext(body, options) {
        r.event(event);
    }
    r.finish()
}

// ---------------------------------------------------------------------------------------------
// Input normalisation

/// CRLF/CR → LF, NFC, tabs → spaces (4-column stops), other control characters → U+FFFD, BOM dropped.
fn normalize(input: &str) -> String {
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
fn strip_front_matter(text: &str) -> &str {
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
fn sanitize(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { '\u{FFFD}' } else { c }).collect()
}

// ---------------------------------------------------------------------------------------------
// Widths

/// Display width of one character; a variation selector 16 counts 1 so that `❤️` measures 2 as in
/// `unicode-width`'s string width (an over-estimate elsewhere is harmless).
fn char_width(c: char) -> usize {
    if (' '..'\u{7f}').contains(&c) || c == '\u{FE0F}' { 1 } else { c.width().unwrap_or(0) }
}

/// Width of a span exactly as ratatui measures it.
fn exact_width(span: &Span<'_>) -> usize {
    let s = span.content.as_ref();
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) { s.len() } else { span.width() }
}

fn str_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

fn spans_width(spans: &[Span<'_>]) -> usize {
    spans.iter().map(|s| str_width(&s.content)).sum()
}

/// Cuts `spans` to `max` columns, ending with a dim `…` when something was cut.
fn truncate(spans: Vec<Span<'static>>, max: usize) -> Vec<Span<'static>> {
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
fn wrap_code(spans: Vec<Span<'static>>, max: usize) -> Vec<Vec<Span<'static>>> {
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
fn clamp(spans: &mut Vec<Span<'static>>, width: usize) {
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
struct Seg {
    text: String,
    style: Style,
}

fn push_seg(segs: &mut Vec<Seg>, text: &str, style: Style) {
    if text.is_empty() {
        return;
    }
    match segs.last_mut() {
        Some(last) if last.style == style => last.text.push_str(text),
        _ => segs.push(Seg { text: text.to_string(), style }),
    }
}

fn segs_width(segs: &[Seg]) -> usize {
    segs.iter().map(|s| str_width(&s.text)).sum()
}

/// A byte range `start..end` of segment `seg`.
#[derive(Debug, Clone, Copy)]
struct Piece {
    seg: usize,
    start: usize,
    end: usize,
}

/// Appends `seg[start..end]` to `pieces`, extending the last piece when contiguous.
fn push_piece(pieces: &mut Vec<Piece>, seg: usize, start: usize, end: usize) {
    match pieces.last_mut() {
        Some(last) if last.seg == seg && last.end == start => last.end = end,
        _ => pieces.push(Piece { seg, start, end }),
    }
}

/// Greedy word wrapper over styled text: breaks at spaces, splits words longer than the width.
/// Works on byte ranges of the input segments and only copies text when a line is complete.
struct Wrapper<'a> {
    segs: &'a [Seg],
    width: usize,
    lines: Vec<Vec<Seg>>,
    line: Vec<Piece>,
    line_w: usize,
    space: Vec<Piece>,
    space_w: usize,
    word: Vec<Piece>,
    word_w: usize,
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
fn wrap(segs: &[Seg], width: usize) -> Vec<Vec<Seg>> {
    Wrapper::new(segs, width).run()
}

fn to_spans(segs: Vec<Seg>) -> impl Iterator<Item = Span<'static>> {
    segs.into_iter().map(|s| Span::styled(s.text, s.style))
}

// ---------------------------------------------------------------------------------------------
// Fence info strings

/// Splits an info string into words; `"…"` quotes (with `\"`, `\\`, `\n`, `\t`) may contain spaces.
fn info_words(info: &str) -> Vec<String> {
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
fn code_label(info: &str) -> (String, Vec<Span<'static>>) {
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

// ---------------------------------------------------------------------------------------------
// Renderer

/// A block that prefixes every line inside it.
enum Container {
    Quote,
    Item {
        /// Bullet or number (and task box) shown on the item's first line.
        marker: Vec<Span<'static>>,
        /// Width of `marker`: the hanging indent of the following lines.
        width: usize,
        /// Whether the marker has been shown.
        used: bool,
        /// Whether the item holds paragraphs (a loose list).
        loose: bool,
    },
}

struct Code {
    lang: String,
    label: Vec<Span<'static>>,
    text: String,
}

struct Row {
    header: bool,
    cells: Vec<Vec<Seg>>,
}

struct Table {
    aligns: Vec<Alignment>,
    rows: Vec<Row>,
}

struct Renderer {
    width: usize,
    out: Vec<Line<'static>>,
    containers: Vec<Container>,
    /// Next number of each open list (`None`: bulleted).
    lists: Vec<Option<u64>>,
    /// Inline style stack; the last one is current.
    styles: Vec<Style>,
    /// Inline text of the current block.
    inline: Vec<Seg>,
    /// Open links: destination and the text seen so far.
    links: Vec<(String, String)>,
    /// A blank line is due before the next line; it carries the prefixes of this many containers.
    pending_blank: Option<usize>,
    table: Option<Table>,
    code: Option<Code>,
    html: Option<String>,
}

impl Renderer {
    fn new(width: usize) -> Self {
        Self {
            width,
            out: Vec::new(),
            containers: Vec::new(),
            lists: Vec::new(),
            styles: vec![Style::new()],
            inline: Vec::new(),
            links: Vec::new(),
            pending_blank: None,
            table: None,
            code: None,
            html: None,
        }
    }

    fn finish(mut self) -> Vec<Line<'static>> {
        self.flush_inline();
        self.end_code();
        self.end_html();
        self.end_table();
        self.out
    }

    fn style(&self) -> Style {
        self.styles.last().copied().unwrap_or_default()
    }

    fn push_style(&mut self, style: Style) {
        self.styles.push(style);
    }

    fn pop_style(&mut self) {
        if self.styles.len() > 1 {
            self.styles.pop();
        }
    }

    fn text(&mut self, text: &str, style: Style) {
        if let Some((_, seen)) = self.links.last_mut() {
            seen.push_str(text);
        }
        push_seg(&mut self.inline, text, style);
    }

    fn set_pending(&mut self) {
        self.pending_blank = Some(self.containers.len());
    }

    fn pop_container(&mut self) {
        self.containers.pop();
        if let Some(depth) = &mut self.pending_blank {
            *depth = (*depth).min(self.containers.len());
        }
    }

    fn prefix_width(&self) -> usize {
        self.containers
            .iter()
            .map(|c| match c {
                Container::Quote => QUOTE_BAR.chars().count(),
                Container::Item { width, .. } => *width,
            })
            .sum()
    }

    /// How a line with `extra` fixed columns (a gutter) is laid out: whether the container prefix and
    /// the extra columns are kept, and how many columns remain for content. Narrow panes drop
    /// decoration rather than squeezing the content below [`MIN_CONTENT`].
    fn layout(&self, extra: usize) -> (bool, bool, usize) {
        let min = MIN_CONTENT.min(self.width);
        let prefix = self.prefix_width();
        if prefix + extra + min <= self.width {
            (true, true, self.width - prefix - extra)
        } else if extra + min <= self.width {
            (false, true, self.width - extra)
        } else {
            (false, false, self.width)
        }
    }

    /// The container prefix for the next line (markers on an item's first line, indents after).
    fn take_prefix(&mut self, keep: bool) -> Vec<Span<'static>> {
        let mut spans = Vec::new();
        for c in &mut self.containers {
            match c {
                Container::Quote => spans.push(Span::styled(QUOTE_BAR, DIM)),
                Container::Item { marker, width, used, .. } => {
                    if *used {
                        spans.push(Span::raw(" ".repeat(*width)));
                    } else {
                        spans.extend(marker.iter().cloned());
                        *used = true;
                    }
                }
            }
        }
        if keep { spans } else { Vec::new() }
    }

    fn blank_if_pending(&mut self) {
        let Some(depth) = self.pending_blank.take() else { return };
        if self.out.is_empty() {
            return;
        }
        let mut spans: Vec<Span<'static>> = Vec::new();
        for c in &self.containers[..depth.min(self.containers.len())] {
            match c {
                Container::Quote => spans.push(Span::styled(QUOTE_BAR, DIM)),
                Container::Item { width, .. } => spans.push(Span::raw(" ".repeat(*width))),
            }
        }
        while let Some(last) = spans.last_mut() {
            let trimmed = last.content.trim_end().len();
            if trimmed == 0 {
                spans.pop();
            } else {
                last.content.to_mut().truncate(trimmed);
                break;
            }
        }
        clamp(&mut spans, self.width);
        self.out.push(Line::from(spans));
    }

    fn emit(&mut self, mut spans: Vec<Span<'static>>) {
        self.blank_if_pending();
        clamp(&mut spans, self.width);
        self.out.push(Line::from(spans));
    }

    /// Wraps and emits the pending inline text.
    fn flush_inline(&mut self) {
        if self.inline.is_empty() {
            return;
        }
        let segs = std::mem::take(&mut self.inline);
        self.links.clear();
        let (keep, _, avail) = self.layout(0);
        for line in wrap(&segs, avail) {
            let mut spans = self.take_prefix(keep);
            spans.extend(to_spans(line));
            self.emit(spans);
        }
    }

    fn event(&mut self, event: Event<'_>) {
        if let Some(code) = &mut self.code {
            match event {
                Event::Text(t) => code.text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => self.end_code(),
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => self.text(&t, self.style()),
            Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => self.text(&t, self.style().fg(CODE_FG)),
            Event::Html(t) | Event::InlineHtml(t) => match &mut self.html {
                Some(html) => html.push_str(&t),
                None => push_seg(&mut self.inline, &t.replace('\n', " "), DIM),
            },
            Event::SoftBreak => self.text(" ", self.style()),
            Event::HardBreak => {
                let style = self.style();
                push_seg(&mut self.inline, "\n", style);
            }
            Event::Rule => {
                self.flush_inline();
                let (keep, _, avail) = self.layout(0);
                let mut spans = self.take_prefix(keep);
                spans.push(Span::styled("─".repeat(avail), DIM));
                self.emit(spans);
                self.set_pending();
            }
            Event::FootnoteReference(label) => push_seg(&mut self.inline, &format!("[^{label}]"), DIM),
            Event::TaskListMarker(done) => {
                let (text, style) = if done { ("[x] ", TASK_DONE) } else { ("[ ] ", Style::new()) };
                match self.containers.last_mut() {
                    Some(Container::Item { marker, width, used: false, .. }) => {
                        marker.push(Span::styled(text, style));
                        *width += text.chars().count();
                    }
                    _ => push_seg(&mut self.inline, text, style),
                }
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => {
                self.flush_inline();
                if let Some(Container::Item { loose, .. }) = self.containers.last_mut() {
                    *loose = true;
                }
            }
            Tag::Heading { level, .. } => {
                self.flush_inline();
                let style = match level {
                    HeadingLevel::H1 => H1,
                    HeadingLevel::H2 => H2,
                    _ => H3,
                };
                self.push_style(style);
            }
            Tag::BlockQuote(_) => {
                self.flush_inline();
                self.containers.push(Container::Quote);
            }
            Tag::CodeBlock(kind) => {
                self.flush_inline();
                let (lang, label) = match kind {
                    CodeBlockKind::Fenced(info) => code_label(&info),
                    CodeBlockKind::Indented => (String::new(), Vec::new()),
                };
                self.code = Some(Code { lang, label, text: String::new() });
            }
            Tag::HtmlBlock => {
                self.flush_inline();
                self.html = Some(String::new());
            }
            Tag::List(start) => {
                self.flush_inline();
                self.lists.push(start);
            }
            Tag::Item => {
                self.flush_inline();
                let depth = self.lists.len().saturating_sub(1);
                let text = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let text = format!("{n}. ");
                        *n = n.saturating_add(1);
                        text
                    }
                    _ => BULLETS[depth % BULLETS.len()].to_string(),
                };
                let width = str_width(&text);
                self.containers.push(Container::Item { marker: vec![Span::styled(text, MARKER)], width, used: false, loose: false });
            }
            Tag::Table(aligns) => {
                self.flush_inline();
                self.table = Some(Table { aligns, rows: Vec::new() });
            }
            Tag::TableHead | Tag::TableRow => {
                let header = matches!(tag, Tag::TableHead);
                if let Some(t) = &mut self.table {
                    t.rows.push(Row { header, cells: Vec::new() });
                }
            }
            Tag::TableCell => self.inline.clear(),
            Tag::Emphasis => self.push_style(self.style().add_modifier(Modifier::ITALIC)),
            Tag::Strong => self.push_style(self.style().add_modifier(Modifier::BOLD)),
            Tag::Strikethrough => self.push_style(self.style().add_modifier(Modifier::CROSSED_OUT)),
            Tag::Link { dest_url, .. } => {
                self.push_style(self.style().add_modifier(Modifier::UNDERLINED));
                self.links.push((sanitize(&dest_url), String::new()));
            }
            Tag::Image { .. } => {
                push_seg(&mut self.inline, "[imagen: ", DIM);
                self.push_style(self.style().add_modifier(Modifier::ITALIC));
            }
            Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => self.flush_inline(),
            Tag::Superscript | Tag::Subscript => self.push_style(self.style()),
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {
                self.flush_inline();
                self.set_pending();
            }
            TagEnd::Heading(_) => {
                self.flush_inline();
                self.pop_style();
                self.set_pending();
            }
            TagEnd::BlockQuote(_) => {
                self.flush_inline();
                self.pop_container();
                self.set_pending();
            }
            TagEnd::CodeBlock => self.end_code(),
            TagEnd::HtmlBlock => self.end_html(),
            TagEnd::List(_) => {
                self.flush_inline();
                self.lists.pop();
                match self.containers.last() {
                    Some(Container::Item { loose: false, .. }) => {}
                    _ => self.set_pending(),
                }
            }
            TagEnd::Item => {
                self.flush_inline();
                if let Some(Container::Item { used: false, .. }) = self.containers.last() {
                    let (keep, _, _) = self.layout(0);
                    let spans = self.take_prefix(keep);
                    self.emit(spans);
                }
                self.pop_container();
            }
            TagEnd::Table => self.end_table(),
            TagEnd::TableHead | TagEnd::TableRow => {}
            TagEnd::TableCell => {
                let cell = std::mem::take(&mut self.inline);
                if let Some(t) = &mut self.table {
                    if t.rows.is_empty() {
                        t.rows.push(Row { header: false, cells: Vec::new() });
                    }
                    if let Some(row) = t.rows.last_mut() {
                        row.cells.push(cell);
                    }
                }
            }
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Superscript | TagEnd::Subscript => self.pop_style(),
            TagEnd::Link => {
                self.pop_style();
                if let Some((url, text)) = self.links.pop() {
                    let same = url == text || url.strip_prefix("mailto:") == Some(text.as_str());
                    if !url.is_empty() && !same {
                        let style = self.style();
                        push_seg(&mut self.inline, " ", style);
                        push_seg(&mut self.inline, &format!("<{url}>"), DIM);
                    }
                    if let Some((_, outer)) = self.links.last_mut() {
                        outer.push_str(&text);
                    }
                }
            }
            TagEnd::Image => {
                self.pop_style();
                push_seg(&mut self.inline, "]", DIM);
            }
            TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::MetadataBlock(_) => {
                self.flush_inline();
                self.set_pending();
            }
        }
    }

    fn end_code(&mut self) {
        let Some(code) = self.code.take() else { return };
        let gutter = GUTTER.chars().count();
        let (keep, keep_gutter, avail) = self.layout(gutter);
        if !code.label.is_empty() {
            let mut spans = self.take_prefix(keep);
            spans.extend(truncate(code.label, avail + if keep_gutter { gutter } else { 0 }));
            self.emit(spans);
        }
        if !code.text.is_empty() {
            let body = code.text.strip_suffix('\n').unwrap_or(&code.text);
            for line in body.split('\n') {
                // Wrapped, not cut: a learner must be able to read the whole command.
                for row in wrap_code(highlight_line(&code.lang, line), avail) {
                    let mut spans = self.take_prefix(keep);
                    if keep_gutter {
                        spans.push(Span::styled(GUTTER, DIM));
                    }
                    spans.extend(row);
                    self.emit(spans);
                }
            }
        }
        self.set_pending();
    }

    fn end_html(&mut self) {
        let Some(html) = self.html.take() else { return };
        let (keep, _, avail) = self.layout(0);
        let body = html.trim_end_matches('\n');
        if !body.is_empty() {
            for line in body.split('\n') {
                let mut spans = self.take_prefix(keep);
                spans.extend(truncate(vec![Span::styled(line.to_string(), DIM)], avail));
                self.emit(spans);
            }
        }
        self.set_pending();
    }

    fn end_table(&mut self) {
        let Some(table) = self.table.take() else { return };
        self.inline.clear();
        let ncols = table.rows.iter().map(|r| r.cells.len()).max().unwrap_or(0).max(table.aligns.len());
        if ncols == 0 {
            return;
        }
        let mut widths = vec![1; ncols];
        for row in &table.rows {
            for (w, cell) in widths.iter_mut().zip(&row.cells) {
                *w = (*w).max(segs_width(cell));
            }
        }
        let (keep, _, avail) = self.layout(0);
        let wide = avail >= 3 * (ncols - 1) + ncols;
        let (sep, cross) = if wide { (" │ ", "─┼─") } else { ("│", "┼") };
        let budget = avail.saturating_sub(str_width(sep) * (ncols - 1)).max(ncols);
        shrink(&mut widths, budget);
        for (i, row) in table.rows.iter().enumerate() {
            let cells: Vec<Vec<Vec<Seg>>> =
                (0..ncols).map(|c| row.cells.get(c).map(|cell| wrap(cell, widths[c])).unwrap_or_default()).collect();
            let height = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
            for l in 0..height {
                let mut spans = self.take_prefix(keep);
                for (c, cell) in cells.iter().enumerate() {
                    if c > 0 {
                        spans.push(Span::styled(sep, DIM));
                    }
                    let content = cell.get(l).cloned().unwrap_or_default();
                    let pad = widths[c].saturating_sub(segs_width(&content));
                    let (left, right) = match table.aligns.get(c) {
                        Some(Alignment::Right) => (pad, 0),
                        Some(Alignment::Center) => (pad / 2, pad - pad / 2),
                        _ => (0, pad),
                    };
                    if left > 0 {
                        spans.push(Span::raw(" ".repeat(left)));
                    }
                    for seg in content {
                        let style = if row.header { seg.style.add_modifier(Modifier::BOLD) } else { seg.style };
                        spans.push(Span::styled(seg.text, style));
                    }
                    if right > 0 {
                        spans.push(Span::raw(" ".repeat(right)));
                    }
                }
                self.emit(spans);
            }
            if row.header && table.rows.get(i + 1).is_none_or(|next| !next.header) {
                let mut spans = self.take_prefix(keep);
                let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
                spans.push(Span::styled(rule.join(cross), DIM));
                self.emit(spans);
            }
        }
        self.set_pending();
    }
}

/// Narrows the widest columns until the widths add up to at most `budget` (each stays ≥ 1).
fn shrink(widths: &mut [usize], budget: usize) {
    let total: usize = widths.iter().sum();
    if total <= budget {
        return;
    }
    let capped = |level: usize| widths.iter().map(|w| (*w).min(level)).sum::<usize>();
    let (mut lo, mut hi) = (1, widths.iter().copied().max().unwrap_or(1));
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if capped(mid) <= budget { lo = mid } else { hi = mid - 1 }
    }
    let mut spare = budget.saturating_sub(capped(lo));
    for w in widths.iter_mut() {
        if *w > lo {
            *w = lo;
            if spare > 0 {
                *w += 1;
                spare -= 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LESSON: &str = include_str!("../../lessons/cpp-seguro.md");

    fn plain(line: &Line<'_>) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    fn plain_all(lines: &[Line<'_>]) -> Vec<String> {
        lines.iter().map(plain).collect()
    }

    fn nfd_crlf(s: &str) -> String {
        s.nfd().collect::<String>().replace('\n', "\r\n")
    }

    #[test]
    fn nfd_crlf_and_tabs_render_like_clean_input() {
        let clean = "# Introducción\n\nAlgún párrafo con *énfasis* y `código`: a   b.\n\n| Año | Canción |\n| --- | :-: |\n| 2024 | Sí |\n\n\
                     ```text\nCapEff: 0000\n    sangría\n```\n\n- ítem\n    - anidado\n";
        let dirty = "# Introduccio\u{301}n\r\n\r\nAlgu\u{301}n pa\u{301}rrafo con *e\u{301}nfasis* y `co\u{301}digo`: a\tb.\r\n\r\n\
                     | An\u{303}o | Cancio\u{301}n |\r\n| --- | :-: |\r\n| 2024 | Si\u{301} |\r\n\r\n\
                     ```text\r\nCapEff:\t0000\r\n\tsangri\u{301}a\r\n```\r\n\r\n- i\u{301}tem\r\n\t- anidado\r\n";
        for width in [1, 3, 10, 20, 40, 80] {
            assert_eq!(render(dirty, width), render(clean, width), "width {width}");
        }
        for width in [1, 7, 40, 80, 120] {
            assert_eq!(render(&nfd_crlf(LESSON), width), render(LESSON, width), "lesson at width {width}");
        }
        // A lone CR, a BOM and a tab after a wide character behave too.
        assert_eq!(render("\u{feff}a\rb", 80), render("a\nb", 80));
        assert_eq!(render("```\n界\tx\n```", 80), render("```\n界  x\n```", 80));
    }

    #[test]
    fn table_with_accented_cells_aligns() {
        let md = "| Imagen | Tamaño aprox. | ¿Tiene `sh`? | Número |\n| :-- | :-: | :-: | --: |\n\
                  | `hola:1.0.0` | 78 MB | Sí | 1 |\n| canción | 2,3 MB | No | 10001 |\n";
        for source in [md.to_string(), nfd_crlf(md)] {
            for width in [80, 40, 30, 20, 12] {
                let lines = render(&source, width);
                let widths: Vec<usize> = lines.iter().map(Line::width).collect();
                assert_eq!(lines.len(), widths.len());
                assert!(widths.iter().all(|w| *w == widths[0]), "width {width}: {:#?}", plain_all(&lines));
                assert!(widths[0] <= usize::from(width));
            }
        }
        let text = plain_all(&render(md, 80));
        assert_eq!(text[0], "Imagen     │ Tamaño aprox. │ ¿Tiene sh? │ Número");
        assert_eq!(text[1], "───────────┼───────────────┼────────────┼───────");
        assert_eq!(text[2], "hola:1.0.0 │     78 MB     │     Sí     │      1");
        assert_eq!(text[3], "canción    │    2,3 MB     │     No     │  10001");
        let header = render(md, 80).remove(0);
        assert!(
            header
                .spans
                .iter()
                .filter(|s| !s.content.trim().is_empty() && s.content != " │ ")
                .all(|s| s.style.add_modifier.contains(Modifier::BOLD))
        );
        // Shrunk: the widest column wraps inside itself.
        let narrow = plain_all(&render("| a | bbbbbbbbbb cccccccccc |\n| - | - |\n| x | y |\n", 16));
        assert_eq!(narrow, ["a │ bbbbbbbbbb  ", "  │ cccccccccc  ", "──┼─────────────", "x │ y           "].map(String::from));
    }

    #[test]
    fn the_lesson_never_exceeds_the_width() {
        for width in 1..=120u16 {
            let lines = render(LESSON, width);
            for (i, line) in lines.iter().enumerate() {
                assert!(line.width() <= usize::from(width), "width {width}, line {i}: {:?}", plain(line));
            }
        }
    }

    #[test]
    fn odd_input_never_panics_nor_overflows() {
        let inputs = [
            "",
            "---",
            "---\nid: x\n",
            "\t\t\t",
            "> > > > > > > > > > deep quote with words",
            "- - - - - - - - nested",
            "1. 2. 3. 4. 5. 6. 7. 8. nested",
            "999999999. big number",
            "| a |\n| - |",
            "| a | b | c | d | e | f | g | h | i | j |\n|-|-|-|-|-|-|-|-|-|-|\n|1|2|3|4|5|6|7|8|9|10|",
            "```\n\u{1b}[31mred\u{7}\n```",
            "text with \u{1b}[2J escape and \u{0} nul",
            "界界界界界界界界 界界界界 😀😀😀 ❤️❤️ 👨‍👩‍👧 e\u{301}",
            "[link](https://example.com/a/very/long/path/that/does/not/fit/anywhere/at/all)",
            "<https://example.com>",
            "![alt *text*](img.png)",
            "<div>\n<b>html</b>\n</div>",
            "a <span>inline</span> b",
            "***\n___\n---",
            "- [ ] todo\n- [x] done",
            "```sh +run expect=\"unterminated\n```",
            "```\n",
            "# \n## \n",
            "a  \nb\\\nc",
            "- \n-\n",
            "> ```\n> code in quote that is rather long indeed\n> ```",
            "[^1]\n\n[^1]: footnote",
            "~~strike~~ **bold *both*** `code`",
            "\u{feff}\r\n\r\n\r",
        ];
        for input in inputs {
            for width in 1..=40u16 {
                for line in render(input, width) {
                    assert!(line.width() <= usize::from(width), "{input:?} at {width}: {:?}", plain(&line));
                }
            }
        }
        assert!(render("# x", 0).is_empty());
        let _ = render(LESSON, u16::MAX);
    }

    #[test]
    fn nested_list_hanging_indent() {
        let md = "- uno dos tres cuatro cinco seis\n  - siete ocho nueve diez once\n    - doce trece catorce\n- quince\n\n\
                  1. primero segundo tercero\n2. cuarto\n\nFin.";
        let text = plain_all(&render(md, 20));
        assert_eq!(
            text,
            [
                "• uno dos tres",
                "  cuatro cinco seis",
                "  ◦ siete ocho nueve",
                "    diez once",
                "    ▪ doce trece",
                "      catorce",
                "• quince",
                "",
                "1. primero segundo",
                "   tercero",
                "2. cuarto",
                "",
                "Fin.",
            ]
            .map(String::from)
        );
        let loose = plain_all(&render("- a\n\n  b\n- c\n", 20));
        assert_eq!(loose, ["• a", "", "  b", "", "• c"].map(String::from));
        let tasks = plain_all(&render("- [ ] por hacer algo largo\n- [x] hecho", 16));
        assert_eq!(tasks, ["• [ ] por hacer", "      algo largo", "• [x] hecho"].map(String::from));
    }

    #[test]
    fn front_matter_is_skipped() {
        let lines = render(LESSON, 80);
        assert_eq!(plain(&lines[0]), "Introducción");
        assert!(lines[0].spans[0].style.add_modifier.contains(Modifier::BOLD | Modifier::UNDERLINED));
        assert!(plain_all(&lines).iter().all(|l| !l.contains("registry:") && !l.starts_with("id:")));
        assert_eq!(plain_all(&render("---\ntitle: x\n---\n\nHola", 80)), ["Hola"]);
        // Not closed: not front matter.
        assert!(plain_all(&render("---\nHola", 80)).iter().any(|l| l.contains("Hola")));
    }

    #[test]
    fn run_label_shown_and_attributes_hidden() {
        let md = "```sh +run exit=0 expect=\"Hola Mundo!!\" input=\"a b\"\ndocker run --rm hola:1.0.0\n```\n\n\
                  ```text +output\nHola Mundo!!\n```\n\n```dockerfile file=assets/hola/Dockerfile\nFROM scratch\n```\n\n\
                  ```cmake excerpt=assets/hola/CMakeLists.txt\nSET(X ON)\n```\n\n```Dockerfile\nFROM x\n```\n";
        let lines = render(md, 60);
        let text = plain_all(&lines);
        assert_eq!(
            text,
            [
                "▶ orden",
                "│ docker run --rm hola:1.0.0",
                "",
                "salida grabada",
                "│ Hola Mundo!!",
                "",
                "assets/hola/Dockerfile",
                "│ FROM scratch",
                "",
                "extracto de assets/hola/CMakeLists.txt",
                "│ SET(X ON)",
                "",
                "Dockerfile",
                "│ FROM x",
            ]
            .map(String::from)
        );
        assert_eq!(lines[0].spans[0].style.fg, Some(Color::Green));
        assert_eq!(lines[6].spans[0].style.fg, Some(Color::Cyan));
        for hidden in ["+run", "exit=", "expect", "input=", "+output", "file=", "excerpt="] {
            assert!(text.iter().all(|l| !l.contains(hidden)), "{hidden} shown");
        }
        // The code is highlighted: `FROM` is not plain.
        let from = lines[7].spans.iter().find(|s| s.content == "FROM").map(|s| s.style);
        assert!(from.is_some_and(|s| s != Style::default()), "{:?}", lines[7]);
    }

    #[test]
    fn long_code_lines_wrap_with_a_mark() {
        let lines = render("```sh\ndocker run --rm --user 10001:10001 --cap-drop ALL hola\n```", 24);
        let text = plain_all(&lines);
        assert_eq!(text, ["sh", "│ docker run --rm --user", "│ ↪  10001:10001 --cap-d", "│ ↪ rop ALL hola"]);
        assert!(lines.iter().all(|l| l.width() <= 24), "{text:?}");
        // Every character of the command is on screen, in order.
        let joined: String = text[1..].iter().map(|l| l.trim_start_matches("│ ").trim_start_matches("↪ ")).collect();
        assert_eq!(joined, "docker run --rm --user 10001:10001 --cap-drop ALL hola");
    }

    #[test]
    fn quotes_links_rules_and_inline_styles() {
        let text = plain_all(&render("> uno dos tres cuatro cinco\n>\n> > seis siete", 14));
        assert_eq!(text, ["▌ uno dos tres", "▌ cuatro cinco", "▌", "▌ ▌ seis siete"]);
        let lines = render("Ver [la guía](https://x.es/g) y <https://x.es>.", 80);
        assert_eq!(plain(&lines[0]), "Ver la guía <https://x.es/g> y https://x.es.");
        let url = lines[0].spans.iter().find(|s| s.content.starts_with('<')).map(|s| s.style);
        assert_eq!(url, Some(DIM));
        assert_eq!(plain_all(&render("a\n\n---\n\nb", 5)), ["a", "", "─────", "", "b"]);
        let lines = render("*it* **bo** ~~st~~ `co` ![gato](g.png)", 80);
        assert_eq!(plain(&lines[0]), "it bo st co [imagen: gato]");
        let style = |t: &str| lines[0].spans.iter().find(|s| s.content == t).map(|s| s.style).unwrap_or_default();
        assert!(style("it").add_modifier.contains(Modifier::ITALIC));
        assert!(style("bo").add_modifier.contains(Modifier::BOLD));
        assert!(style("st").add_modifier.contains(Modifier::CROSSED_OUT));
        assert_eq!(style("co").fg, Some(Color::Yellow));
        assert_eq!(plain_all(&render("uno  \ndos\\\ntres", 80)), ["uno", "dos", "tres"]);
        assert_eq!(plain_all(&render("<div>\n  <b>x</b>\n</div>", 80)), ["<div>", "  <b>x</b>", "</div>"]);
    }
}
