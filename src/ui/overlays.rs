//! Help, outline, password prompt and the "too small" screen.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Widget, Wrap};

use super::theme;
use crate::app::state::PasswordPrompt;
use crate::app::{App, layout::MIN_SIZE};

/// A centred rectangle of at most `w`×`h` inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

fn frame(title: &str) -> Block<'_> {
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(Style::new().fg(theme::ACCENT))
        .title(Span::styled(title, Style::new().add_modifier(Modifier::BOLD)))
}

const KEYS: &[(&str, &str)] = &[
    ("→ l n", "paso siguiente"),
    ("← h p", "paso anterior"),
    ("↑ ↓ j k", "desplaza la lección; en el panel de órdenes, elige orden"),
    ("RePág AvPág", "desplaza el panel con foco (la salida, en el de órdenes)"),
    ("Fin G", "sigue el final de la salida"),
    ("Tab", "cambia el foco entre lección y órdenes"),
    ("z", "amplía el panel con foco a todo el ancho; otra vez, vuelve"),
    ("Enter", "ejecuta la orden elegida"),
    ("Esc", "cancela la orden en marcha / cierra"),
    ("Ctrl-]", "sale de la shell interactiva"),
    ("o", "índice de pasos"),
    ("c", "compara las variantes de imagen: tamaño, sh, id, capacidades"),
    ("?", "esta ayuda"),
    ("q Ctrl-C", "salir"),
];

/// The key help.
pub struct Help;

impl Widget for &Help {
    fn render(self, area: Rect, buf: &mut Buffer) {
        // Wide enough for every line at 80 columns; narrower screens wrap (and count the extra rows).
        let width = area.width.min(78);
        let inner = usize::from(width.saturating_sub(2).max(1));
        let rows: usize = KEYS.iter().map(|(_, what)| (13 + what.chars().count()).div_ceil(inner)).sum::<usize>() + 2;
        let rect = centered(area, width, rows as u16 + 2);
        Clear.render(rect, buf);
        let mut lines: Vec<Line> = KEYS
            .iter()
            .map(|(k, what)| {
                Line::from(vec![
                    Span::styled(format!(" {k:<12}"), Style::new().fg(theme::ACCENT).add_modifier(Modifier::BOLD)),
                    Span::raw(*what),
                ])
            })
            .collect();
        lines.push(Line::from(Span::styled(" La rueda del ratón desplaza el panel bajo el puntero.", Style::new().fg(theme::DIM))));
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(frame(" Ayuda · cualquier tecla cierra ")).render(rect, buf);
    }
}

/// The list of steps with their state.
pub struct Outline<'a> {
    /// The app.
    pub app: &'a App,
    /// Highlighted step.
    pub cursor: usize,
}

impl Widget for &Outline<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let steps = &self.app.lesson.steps;
        let rect = centered(area, 70, steps.len() as u16 + 2);
        Clear.render(rect, buf);
        let lines: Vec<Line> = steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let (mark, word, style) = theme::step_mark(self.app.step_state(i));
                let here = if i == self.app.step { "›" } else { " " };
                let mut line = Line::from(vec![
                    Span::raw(format!("{here}{:>2}. ", i + 1)),
                    Span::styled(format!("{mark} "), style),
                    Span::raw(s.title.clone()),
                    Span::styled(format!("  {word}"), style),
                ]);
                if i == self.cursor {
                    line = line.style(Style::new().add_modifier(Modifier::REVERSED));
                }
                line
            })
            .collect();
        Paragraph::new(lines).block(frame(" Índice · Enter va · Esc cierra ")).render(rect, buf);
    }
}

/// The password prompt of a `docker login`.
pub struct Prompt<'a>(pub &'a PasswordPrompt);

impl Widget for &Prompt<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let p = self.0;
        let rect = centered(area, 60, 7);
        Clear.render(rect, buf);
        let lines = vec![
            Line::from(format!("Contraseña de {}@{}:", p.username, p.server)),
            Line::from(Span::styled(format!("{}▏", "•".repeat(p.typed.chars().count())), Style::new().fg(theme::ACCENT))),
            Line::from(""),
            Line::from(Span::styled("Enter confirma · Esc cancela. Estiba no la guarda en ningún sitio.", Style::new().fg(theme::DIM))),
        ];
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(frame(" docker login ")).render(rect, buf);
    }
}

/// Confirmation of a command that reaches beyond its container.
pub struct Confirm<'a> {
    /// The command as typed.
    pub command: &'a str,
    /// What it would reach.
    pub risks: &'a [String],
}

impl Widget for &Confirm<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let mut lines = vec![
            Line::from(Span::styled("Esta orden sale del aislamiento del contenedor:", Style::new().add_modifier(Modifier::BOLD))),
            Line::from(""),
            Line::from(Span::styled(format!("$ {}", self.command), Style::new().fg(theme::ACCENT))),
            Line::from(""),
        ];
        lines.extend(self.risks.iter().map(|r| Line::from(vec![Span::styled("⚠ ", Style::new().fg(theme::BAD)), Span::raw(r.clone())])));
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled("s ejecuta · n o Esc cancela", Style::new().fg(theme::DIM))));
        let rect = centered(area, 76, lines.len() as u16 + 4);
        Clear.render(rect, buf);
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(frame(" ¿Ejecutar? ").border_style(Style::new().fg(theme::BAD)))
            .render(rect, buf);
    }
}

/// Shown instead of the panes when the terminal is too small.
pub struct TooSmall;

impl Widget for &TooSmall {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let lines = vec![
            Line::from(Span::styled("Amplía la terminal", Style::new().fg(theme::BUSY).add_modifier(Modifier::BOLD))),
            Line::from(Span::styled(format!("mínimo {}×{}", MIN_SIZE.0, MIN_SIZE.1), Style::new().fg(theme::DIM))),
            Line::from(Span::styled(format!("ahora {}×{}", area.width, area.height), Style::new().fg(theme::DIM))),
        ];
        let h = (lines.len() as u16).min(area.height);
        let rect = Rect { x: area.x, y: area.y + (area.height - h) / 2, width: area.width, height: h };
        Paragraph::new(lines).alignment(Alignment::Center).render(rect, buf);
    }
}
