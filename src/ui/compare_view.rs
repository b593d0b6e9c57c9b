//! The comparison view (`c`): the lesson's image variants side by side and a chart of their sizes.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, BorderType, Cell, Clear, Paragraph, Row, Table, Widget};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::theme;
use crate::app::App;
use crate::compare;

/// The comparison view of `app`.
pub struct CompareView<'a>(pub &'a App);

impl Widget for &CompareView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        Clear.render(area, buf);
        let busy = if app.compare_busy { " · midiendo…" } else { "" };
        let inner_h = Block::bordered().inner(area).height;
        let (content, height) = content(app, Block::bordered().inner(area).width);
        let scroll = app.compare_scroll.min(height.saturating_sub(inner_h));
        let more = if height > inner_h { " · ↑↓ desplaza" } else { "" };
        let block = Block::bordered().border_type(BorderType::Rounded).border_style(Style::new().fg(theme::ACCENT)).title(Span::styled(
            format!(" Variantes de imagen{busy} · r mide de nuevo{more} · Esc cierra "),
            Style::new().add_modifier(Modifier::BOLD),
        ));
        let inner = block.inner(area);
        block.render(area, buf);
        for y in 0..inner.height.min(height.saturating_sub(scroll)) {
            for x in 0..inner.width {
                buf[(inner.x + x, inner.y + y)] = content[(x, y + scroll)].clone();
            }
        }
    }
}

/// How far the comparison view can scroll in `area` (its box, borders included).
pub fn max_scroll(app: &App, area: Rect) -> u16 {
    let inner = Block::bordered().inner(area);
    content(app, inner.width).1.saturating_sub(inner.height)
}

/// Tallest content the view draws (far more than any lesson's variants need).
const TALL: u16 = 1000;

/// The view's content `width` columns wide and as tall as it needs, and that height: top to bottom,
/// the table, notes (missing variants, how it was measured) and the size chart.
fn content(app: &App, width: u16) -> (Buffer, u16) {
    let inner = Rect::new(0, 0, width, TALL);
    let mut buf = Buffer::empty(inner);
    let rows = &app.compare_rows;
    if rows.is_empty() {
        let text = if app.engine_ready() {
            "Midiendo cada variante dentro de su contenedor…"
        } else {
            "Sin motor de Docker: no se puede medir."
        };
        Paragraph::new(Span::styled(text, Style::new().fg(theme::DIM))).render(Rect { height: 1, ..inner }, &mut buf);
        return (buf, 1);
    }
    let sized: Vec<&compare::Row> =
        rows.iter().filter(|r| r.status == "ok" && r.run_options.is_empty() && r.size_bytes.is_some()).collect();
    let table_h = table(rows, inner, &mut buf);
    // Missing and unmeasured variants are explained under the table, wrapped to its width.
    let mut notes: Vec<Line> = rows
        .iter()
        .filter_map(|r| match r.status.as_str() {
            "ok" => None,
            "missing" => {
                Some(Span::styled(format!("falta {}: la construye el paso «{}»", r.name, r.built_by), Style::new().fg(theme::DIM)))
            }
            _ => Some(Span::styled(format!("✘ {}: {}", r.name, r.error.as_deref().unwrap_or("error")), Style::new().fg(theme::BAD))),
        })
        .map(Line::from)
        .collect();
    notes.push(Line::from(Span::styled(
        "⚠ proceso root · medido dentro de cada contenedor por estiba-probe (sin leer el /proc del equipo)",
        Style::new().fg(theme::DIM),
    )));
    let notes: Vec<Line> = notes.into_iter().flat_map(|l| super::run_pane::wrap(l, width)).collect();
    let notes_y = (table_h + 1).min(TALL);
    let notes_h = (notes.len() as u16).min(TALL - notes_y);
    Paragraph::new(notes).render(Rect { y: notes_y, height: notes_h, ..inner }, &mut buf);
    if sized.is_empty() {
        return (buf, notes_y + notes_h);
    }
    let chart_y = (notes_y + notes_h + 1).min(TALL);
    let chart_h = (sized.len() as u16 + 1).min(TALL - chart_y);
    bars(&sized, Rect { y: chart_y, height: chart_h, ..inner }, &mut buf);
    (buf, chart_y + chart_h)
}

/// The columns after VARIANTE: header, narrowest and widest width (content widens them up to it).
const COLUMNS: [(&str, u16, u16); 8] = [
    ("TAMAÑO", 6, 8),
    ("CAPAS", 5, 5),
    ("SH", 2, 3),
    ("USUARIO", 13, 16),
    ("CAPEFF", 7, 10),
    ("NNP", 3, 4),
    ("RAÍZ", 10, 10),
    ("DIGEST", 12, 12),
];
/// Index of the DIGEST column in [`COLUMNS`]: shown only when the names keep enough room.
const DIGEST: usize = 7;
/// Narrowest VARIANTE column the DIGEST column may leave.
const MIN_NAME_WITH_DIGEST: u16 = 24;

/// One variant as table cells (after its name) with their styles, and the style of the whole row.
fn cells_of(r: &compare::Row) -> ([(String, Style); 8], Style) {
    let plain = |s: &str| (s.to_string(), Style::new());
    match r.status.as_str() {
        "ok" => {
            let user = match (r.uid, &r.id_output) {
                (Some(0), _) => "⚠ root".to_string(),
                (Some(u), Some(id)) => id.split_whitespace().next().map_or(u.to_string(), |s| s.trim_start_matches("uid=").to_string()),
                (Some(u), None) => u.to_string(),
                _ => "—".into(),
            };
            let caps = match r.cap_eff.len() {
                0 => "ninguna".to_string(),
                n if n >= 41 => format!("todas ({n})"),
                n => n.to_string(),
            };
            let yes = |b: Option<bool>| match b {
                Some(true) => "sí",
                Some(false) => "no",
                None => "—",
            };
            let root_fs = match r.rootfs_writable {
                Some(false) => "solo lect.",
                Some(true) => "escritura",
                None => "—",
            };
            let good_if = |good: bool| if good { Style::new().fg(theme::OK) } else { Style::new().fg(theme::BUSY) };
            let cells = [
                plain(r.size.as_deref().unwrap_or_default()),
                (r.layers.map(|l| l.to_string()).unwrap_or_default(), Style::new()),
                (yes(r.has_shell).into(), good_if(r.has_shell != Some(true))),
                (user, if r.uid == Some(0) { Style::new().fg(theme::BAD) } else { Style::new().fg(theme::OK) }),
                (caps, good_if(r.cap_eff.is_empty())),
                plain(yes(r.no_new_privs)),
                plain(root_fs),
                (short_digest(r.digest.as_deref()), Style::new()),
            ];
            (cells, Style::new())
        }
        "missing" => (["falta", "", "", "", "", "", "—", ""].map(plain), Style::new().fg(theme::DIM)),
        _ => (["—", "", "", "✘ sin medir ↓", "", "", "", ""].map(plain), Style::new().fg(theme::BAD)),
    }
}

/// The first 12 hex digits of a `repo@sha256:…` digest, or `—`.
fn short_digest(digest: Option<&str>) -> String {
    digest.and_then(|d| d.rsplit_once("sha256:")).map_or_else(|| "—".into(), |(_, hex)| hex.chars().take(12).collect())
}

/// `text` in lines of at most `width` columns, broken at spaces; a word wider than a line is broken
/// after its last `/` that fits (`127.0.0.1:5000/estudiante/` `hola:2.0.0`), else where the line ends.
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        if !cur.is_empty() && cur.width() + 1 + word.width() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        let mut rest = word;
        while cur.width() + rest.width() > width {
            // The longest part of `rest` that fits after `cur`, cut after a `/` when there is one.
            let room = width.saturating_sub(cur.width());
            let mut fit = 0;
            let mut used = 0;
            for (i, c) in rest.char_indices() {
                used += c.width().unwrap_or(0);
                if used > room {
                    break;
                }
                fit = i + c.len_utf8();
            }
            let cut = rest[..fit].rfind('/').map_or(fit, |i| i + 1);
            if cut == 0 && cur.is_empty() {
                // Not even one character fits: it goes alone on its line.
                let first = rest.chars().next().map_or(0, char::len_utf8);
                lines.push(rest[..first].to_string());
                rest = &rest[first..];
                continue;
            }
            cur.push_str(&rest[..cut]);
            lines.push(std::mem::take(&mut cur).trim_end().to_string());
            rest = &rest[cut..];
        }
        cur.push_str(rest);
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Draws the table: VARIANTE takes the width the other columns leave and long names wrap over
/// several lines; DIGEST is dropped when it would leave the names under [`MIN_NAME_WITH_DIGEST`].
/// Returns the height it takes.
fn table(rows: &[compare::Row], area: Rect, buf: &mut Buffer) -> u16 {
    let cells: Vec<([(String, Style); 8], Style)> = rows.iter().map(cells_of).collect();
    let widths: Vec<u16> = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, (header, min, max))| {
            let content = cells.iter().map(|(c, _)| c[i].0.width()).chain([header.width()]).max().unwrap_or(0);
            (content as u16).clamp(*min, *max)
        })
        .collect();
    // Each shown column after VARIANTE takes its width and one space before it.
    let others: u16 = widths[..DIGEST].iter().map(|w| w + 1).sum();
    let with_digest = others + widths[DIGEST] + 1;
    let shown = if area.width >= with_digest + MIN_NAME_WITH_DIGEST { DIGEST + 1 } else { DIGEST };
    let name_w = area.width.saturating_sub(if shown > DIGEST { with_digest } else { others }).max(1);
    let header =
        Row::new(["VARIANTE"].into_iter().chain(COLUMNS[..shown].iter().map(|c| c.0))).style(Style::new().add_modifier(Modifier::BOLD));
    let mut height = 1;
    let body: Vec<Row> = rows
        .iter()
        .zip(cells)
        .map(|(r, (cells, style))| {
            let name: Vec<Line> = wrap_words(&r.name, usize::from(name_w)).into_iter().map(Line::from).collect();
            let lines = name.len() as u16;
            height += lines;
            let rest = cells.into_iter().take(shown).map(|(text, style)| Cell::from(text).style(style));
            Row::new(std::iter::once(Cell::from(Text::from(name))).chain(rest)).height(lines).style(style)
        })
        .collect();
    let constraints: Vec<Constraint> = std::iter::once(name_w).chain(widths[..shown].iter().copied()).map(Constraint::Length).collect();
    let height = height.min(area.height);
    Widget::render(Table::new(body, constraints).header(header).column_spacing(1), Rect { height, ..area }, buf);
    height
}

const EIGHTHS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/// Horizontal bars, linear in size, with at least a sliver for any non-empty image and the size
/// written next to each bar, so a bar 200× shorter stays visible and readable.
fn bars(rows: &[&compare::Row], area: Rect, buf: &mut Buffer) {
    if area.height == 0 || rows.is_empty() {
        return;
    }
    Line::from(Span::styled("Tamaño (escala lineal)", Style::new().fg(theme::DIM))).render(Rect { height: 1, ..area }, buf);
    let max = rows.iter().filter_map(|r| r.size_bytes).max().unwrap_or(1).max(1) as f64;
    let label_w = rows.iter().map(|r| r.name.width()).max().unwrap_or(8).min(30) as u16;
    let bar_w = area.width.saturating_sub(label_w + 12).max(1);
    for (i, r) in rows.iter().enumerate() {
        let y = area.y + 1 + i as u16;
        if y >= area.y + area.height {
            break;
        }
        let size = r.size_bytes.unwrap_or(0) as f64;
        let eighths = ((size / max) * f64::from(bar_w) * 8.0).round().max(1.0) as usize;
        let bar = format!("{}{}", "█".repeat(eighths / 8), EIGHTHS[eighths % 8]);
        let color = if r.size_bytes.unwrap_or(0) < 10_000_000 { theme::OK } else { theme::BUSY };
        // A name longer than the labels' column is cut with a mark, never silently.
        let name = if r.name.width() > usize::from(label_w) {
            let mut cut = String::new();
            for c in r.name.chars() {
                if cut.width() + c.width().unwrap_or(0) + 1 > usize::from(label_w) {
                    break;
                }
                cut.push(c);
            }
            cut + "…"
        } else {
            r.name.clone()
        };
        Line::from(vec![
            Span::raw(format!("{name:<w$} ", w = label_w as usize)),
            Span::styled(bar, Style::new().fg(color)),
            Span::raw(format!(" {}", r.size.clone().unwrap_or_default())),
        ])
        .render(Rect { y, height: 1, ..area }, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_wrap_at_spaces_then_slashes_and_stay_whole() {
        let long = "hola:2.1.0 --user 10001:10001 --cap-drop ALL --security-opt no-new-privileges --read-only";
        assert_eq!(
            wrap_words(long, 28),
            ["hola:2.1.0 --user", "10001:10001 --cap-drop ALL", "--security-opt", "no-new-privileges", "--read-only"]
        );
        assert_eq!(wrap_words(long, 200), [long]);
        assert_eq!(wrap_words("127.0.0.1:5000/estudiante/hola:2.0.0", 32), ["127.0.0.1:5000/estudiante/", "hola:2.0.0"]);
        assert_eq!(wrap_words("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap_words("a b", 1), ["a", "b"]);
        assert_eq!(wrap_words("", 10), [""]);
        for w in 1..40 {
            let lines = wrap_words(long, w);
            assert!(lines.iter().all(|l| l.width() <= w), "{w}: {lines:?}");
            assert_eq!(lines.concat().replace(' ', ""), long.replace(' ', ""), "{w}");
        }
    }

    #[test]
    fn digests_are_shortened() {
        let d = format!("127.0.0.1:5000/estudiante/hola@sha256:{}", "0123456789abcdef".repeat(4));
        assert_eq!(short_digest(Some(&d)), "0123456789ab");
        assert_eq!(short_digest(None), "—");
    }
}
