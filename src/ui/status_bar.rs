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
                // The key hints that always stay must fit: on a narrow bar the engine says less.
                let min_hints = hints(0, app.zoom != crate::app::layout::Zoom::None).chars().count();
                let room = (area.width as usize).saturating_sub(step.chars().count() + min_hints);
                let full = format!(" Docker {} · API {} ", i.version, i.api_version);
                let short = format!(" Docker {} ", i.version);
                let text = [full, short].into_iter().find(|t| t.chars().count() <= room).unwrap_or_else(|| " Docker ".into());
                Span::styled(text, Style::new().fg(theme::OK))
            }
            EngineState::Unavailable { .. } => Span::styled(" sin motor ", Style::new().fg(theme::BAD).add_modifier(Modifier::BOLD)),
        };
        let tail = match &app.notice {
            Some(n) => Span::styled(format!(" {n}"), Style::new().fg(theme::BUSY)),
            None if app.shell.is_some() => Span::styled(" Ctrl-] sale de la shell", Style::new().fg(theme::DIM)),
            None => {
                let room = (area.width as usize).saturating_sub(step.chars().count() + engine.content.chars().count());
                let zoomed = app.zoom != crate::app::layout::Zoom::None;
                Span::styled(hints(room, zoomed), Style::new().fg(theme::DIM))
            }
        };
        let line = Line::from(vec![Span::styled(step, Style::new().add_modifier(Modifier::REVERSED)), engine, tail]);
        line.render(area, buf);
    }
}

/// Key hints, most useful first; the ones that do not fit in `room` columns are left out whole
/// (never cut mid-word), but `? ayuda` and `q salir` always stay, and with a pane zoomed, the way back.
pub fn hints(room: usize, zoomed: bool) -> String {
    const OPTIONAL: [&str; 5] = ["←→ pasos", "Enter ejecuta", "c compara", "o índice", "Tab foco"];
    let always: &[&str] = if zoomed { &["z dos paneles", "? ayuda", "q salir"] } else { &["? ayuda", "q salir"] };
    // " a · b · c": a leading space and " · " between parts.
    let width = |parts: &[&str]| 1 + parts.iter().map(|p| p.chars().count() + 3).sum::<usize>() - 3;
    let mut kept: Vec<&str> = Vec::new();
    for h in OPTIONAL {
        if width(&[kept.as_slice(), &[h], always].concat()) <= room {
            kept.push(h);
        }
    }
    // Lesson order of the keys, whatever fitted.
    let order = ["←→ pasos", "Enter ejecuta", "Tab foco", "o índice", "c compara"];
    let mut shown: Vec<&str> = order.into_iter().filter(|h| kept.contains(h)).collect();
    shown.extend(always);
    format!(" {}", shown.join(" · "))
}

#[cfg(test)]
mod tests {
    use super::hints;

    #[test]
    fn hints_fit_without_cutting_words() {
        assert_eq!(hints(200, false), " ←→ pasos · Enter ejecuta · Tab foco · o índice · c compara · ? ayuda · q salir");
        assert_eq!(hints(60, false), " ←→ pasos · Enter ejecuta · c compara · ? ayuda · q salir");
        assert_eq!(hints(70, false), " ←→ pasos · Enter ejecuta · o índice · c compara · ? ayuda · q salir");
        assert_eq!(hints(5, false), " ? ayuda · q salir");
        assert!(hints(40, true).ends_with("z dos paneles · ? ayuda · q salir"));
        for room in 0..120 {
            let h = hints(room, false);
            assert!(h.ends_with("? ayuda · q salir"), "{room}: {h}");
            assert!(h.chars().count() <= room.max(" ? ayuda · q salir".chars().count()), "{room}: {h}");
        }
    }
}
