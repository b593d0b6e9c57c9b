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

mod text;
use text::*;

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
        // A column narrower than its longest word cuts that word (`ubuntu:24.│04`): keep each column
        // at least as wide as its longest word while the table still fits.
        let mut floors = vec![1; ncols];
        for row in &table.rows {
            for (f, cell) in floors.iter_mut().zip(&row.cells) {
                *f = (*f).max(longest_word(cell));
            }
        }
        if floors.iter().sum::<usize>() > budget {
            floors.fill(1);
        }
        shrink(&mut widths, &floors, budget);
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

/// Width of the longest run of non-blank text in a cell.
fn longest_word(cell: &[Seg]) -> usize {
    let text: String = cell.iter().map(|s| s.text.as_str()).collect();
    text.split_whitespace().map(str_width).max().unwrap_or(0)
}

/// Narrows the widest columns until the widths add up to at most `budget`, none below its floor
/// (the floors must add up to at most `budget`).
fn shrink(widths: &mut [usize], floors: &[usize], budget: usize) {
    let total: usize = widths.iter().sum();
    if total <= budget {
        return;
    }
    let at = |level: usize, w: usize, f: usize| w.min(level.max(f));
    let capped = |level: usize| widths.iter().zip(floors).map(|(w, f)| at(level, *w, *f)).sum::<usize>();
    let (mut lo, mut hi) = (1, widths.iter().copied().max().unwrap_or(1));
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if capped(mid) <= budget { lo = mid } else { hi = mid - 1 }
    }
    let mut spare = budget.saturating_sub(capped(lo));
    for (w, f) in widths.iter_mut().zip(floors) {
        let capped = at(lo, *w, *f);
        if capped < *w && spare > 0 {
            *w = capped + 1;
            spare -= 1;
        } else {
            *w = capped;
        }
    }
}

#[cfg(test)]
mod tests;
