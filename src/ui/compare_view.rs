//! The comparison view (`c`): the lesson's image variants side by side and a chart of their sizes.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Cell, Clear, Paragraph, Row, Table, Widget};
use unicode_width::UnicodeWidthStr;

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
        let block = Block::bordered().border_type(BorderType::Rounded).border_style(Style::new().fg(theme::ACCENT)).title(Span::styled(
            format!(" Variantes de imagen{busy} · r mide de nuevo · Esc cierra "),
            Style::new().add_modifier(Modifier::BOLD),
        ));
        let inner = block.inner(area);
        block.render(area, buf);
        let rows = &app.compare_rows;
        if rows.is_empty() {
            let text = if app.engine_ready() {
                "Midiendo cada variante dentro de su contenedor…"
            } else {
                "Sin motor de Docker: no se puede medir."
            };
            Paragraph::new(Span::styled(text, Style::new().fg(theme::DIM))).render(inner, buf);
            return;
        }
        let sized: Vec<&compare::Row> =
            rows.iter().filter(|r| r.status == "ok" && r.run_options.is_empty() && r.size_bytes.is_some()).collect();
        // Top to bottom: the table, notes (missing variants, how it was measured), the size chart.
        let bottom = inner.y + inner.height;
        let table_h = (rows.len() as u16 + 1).min(inner.height);
        table(rows, Rect { height: table_h, ..inner }, buf);
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
        let notes: Vec<Line> = notes.into_iter().flat_map(|l| super::run_pane::wrap(l, inner.width)).collect();
        let notes_y = (inner.y + table_h + 1).min(bottom);
        let notes_h = (notes.len() as u16).min(bottom - notes_y);
        Paragraph::new(notes).render(Rect { y: notes_y, height: notes_h, ..inner }, buf);
        let chart_y = (notes_y + notes_h + 1).min(bottom);
        let chart = Rect { y: chart_y, height: bottom - chart_y, ..inner };
        bars(&sized, chart, buf);
    }
}

fn table(rows: &[compare::Row], area: Rect, buf: &mut Buffer) {
    let header = Row::new(["VARIANTE", "TAMAÑO", "CAPAS", "SH", "USUARIO", "CAPEFF", "NNP", "RAÍZ"])
        .style(Style::new().add_modifier(Modifier::BOLD));
    let body: Vec<Row> = rows
        .iter()
        .map(|r| match r.status.as_str() {
            "ok" => {
                let root = r.uid == Some(0);
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
                Row::new(vec![
                    Cell::from(r.name.clone()),
                    Cell::from(r.size.clone().unwrap_or_default()),
                    Cell::from(r.layers.map(|l| l.to_string()).unwrap_or_default()),
                    Cell::from(yes(r.has_shell)).style(if r.has_shell == Some(true) {
                        Style::new().fg(theme::BUSY)
                    } else {
                        Style::new().fg(theme::OK)
                    }),
                    Cell::from(user).style(if root { Style::new().fg(theme::BAD) } else { Style::new().fg(theme::OK) }),
                    Cell::from(caps).style(if r.cap_eff.is_empty() { Style::new().fg(theme::OK) } else { Style::new().fg(theme::BUSY) }),
                    Cell::from(yes(r.no_new_privs)),
                    Cell::from(root_fs),
                ])
            }
            "missing" => Row::new(vec![
                Cell::from(r.name.clone()),
                Cell::from("falta"),
                Cell::from(""),
                Cell::from(""),
                Cell::from(""),
                Cell::from(""),
                Cell::from(""),
                Cell::from("—"),
            ])
            .style(Style::new().fg(theme::DIM)),
            _ => Row::new(vec![Cell::from(r.name.clone()), Cell::from("—"), Cell::from(""), Cell::from(""), Cell::from("✘ sin medir ↓")])
                .style(Style::new().fg(theme::BAD)),
        })
        .collect();
    let name_w = rows.iter().map(|r| r.name.width()).max().unwrap_or(10).clamp(10, 48) as u16;
    let widths = [
        Constraint::Length(name_w),
        Constraint::Length(8),
        Constraint::Length(5),
        Constraint::Length(3),
        Constraint::Length(16),
        Constraint::Length(10),
        Constraint::Length(4),
        Constraint::Min(10),
    ];
    Widget::render(Table::new(body, widths).header(header).column_spacing(1), area, buf);
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
        let name: String = r.name.chars().take(label_w as usize).collect();
        Line::from(vec![
            Span::raw(format!("{name:<w$} ", w = label_w as usize)),
            Span::styled(bar, Style::new().fg(color)),
            Span::raw(format!(" {}", r.size.clone().unwrap_or_default())),
        ])
        .render(Rect { y, height: 1, ..area }, buf);
    }
}
