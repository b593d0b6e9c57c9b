//! The bottom line: step, engine, key hints or a notice.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::theme;
use crate::app::{App, EngineState};

/// The status bar of `app`.
pub struct StatusBar<'a>(pub &'a App);

impl Widget for &StatusBar<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let step = format!(" Paso {}/{} ", app.step + 1, app.lesson.steps.len());
        let engine = match &app.engine {
            EngineState::Connecting => Span::styled(" conectando… ", Style::new().fg(theme::BUSY)),
            EngineState::Connected(i) => {
                Span::styled(format!(" Docker {} · API {} ", i.version, i.api_version), Style::new().fg(theme::OK))
            }
            EngineState::Unavailable { .. } => Span::styled(" sin motor ", Style::new().fg(theme::BAD).add_modifier(Modifier::BOLD)),
        };
        let tail = match &app.notice {
            Some(n) => Span::styled(format!(" {n}"), Style::new().fg(theme::BUSY)),
            None if app.shell.is_some() => Span::styled(" Ctrl-] sale de la shell", Style::new().fg(theme::DIM)),
            None => {
                Span::styled(" ←→ pasos · Enter ejecuta · Tab foco · o índice · c compara · ? ayuda · q salir", Style::new().fg(theme::DIM))
            }
        };
        let line = Line::from(vec![Span::styled(step, Style::new().add_modifier(Modifier::REVERSED)), engine, tail]);
        line.render(area, buf);
    }
}
