//! The lesson pane: the current step's Markdown, rendered and scrolled.

use std::cell::RefCell;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Widget};

use super::{markdown, theme};
use crate::app::{App, Focus};

/// (step, width) and the lines rendered for them.
type Rendered = Option<((usize, u16), Vec<Line<'static>>)>;

thread_local! {
    /// The last rendering: (step, width) → lines. Rendering happens once per step and width.
    static CACHE: RefCell<Rendered> = const { RefCell::new(None) };
}

/// Rendered lines of step `step` at `width` columns (cached).
pub fn step_lines(app: &App, step: usize, width: u16) -> Vec<Line<'static>> {
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if let Some((key, lines)) = c.as_ref()
            && *key == (step, width)
        {
            return lines.clone();
        }
        let lines = markdown::render(&app.lesson.steps[step].markdown, width);
        *c = Some(((step, width), lines.clone()));
        lines
    })
}

/// Inner width of the lesson pane on a screen `width` columns wide.
pub fn inner_width(area: Rect) -> u16 {
    area.width.saturating_sub(4)
}

/// The lesson pane of `app`.
pub struct LessonPane<'a>(pub &'a App);

impl Widget for &LessonPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let step = &app.lesson.steps[app.step];
        let title = Line::from(vec![
            Span::styled(
                format!(" {}/{} ", app.step + 1, app.lesson.steps.len()),
                Style::new().fg(theme::ACCENT).add_modifier(Modifier::BOLD),
            ),
            Span::styled(format!("{} ", step.title), Style::new().add_modifier(Modifier::BOLD)),
        ]);
        let block = Block::bordered().border_type(BorderType::Rounded).border_style(theme::border(app.focus == Focus::Lesson)).title(title);
        let inner = block.inner(area);
        block.render(area, buf);
        let text_area = Rect { x: inner.x + 1, width: inner.width.saturating_sub(2), ..inner };
        let lines = step_lines(app, app.step, text_area.width);
        let total = lines.len() as u16;
        let scroll = app.lesson_scroll.min(total.saturating_sub(text_area.height));
        Paragraph::new(lines).scroll((scroll, 0)).render(text_area, buf);
        if total > text_area.height && inner.height > 0 {
            let pct = if total <= text_area.height { 100 } else { u32::from(scroll + text_area.height) * 100 / u32::from(total) };
            let label = format!(" {pct}% ");
            let x = area.x + area.width.saturating_sub(label.len() as u16 + 2);
            buf.set_string(x, area.y + area.height.saturating_sub(1), label, Style::new().fg(theme::DIM));
        }
    }
}
