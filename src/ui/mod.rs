//! Drawing: one widget per pane; widgets only read the app.

pub mod ansi;
pub mod compare_view;
pub mod highlight;
pub mod lesson_pane;
pub mod markdown;
pub mod overlays;
pub mod run_pane;
pub mod status_bar;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::app::layout::{self, Area};
use crate::app::{App, Overlay};

fn rect(a: Area) -> Rect {
    Rect { x: a.x, y: a.y, width: a.width, height: a.height }
}

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if layout::too_small(area.width, area.height) {
        frame.render_widget(&overlays::TooSmall, area);
        return;
    }
    let s = layout::screen(area.width, area.height, app.effective_zoom());
    if s.lesson.width > 0 {
        frame.render_widget(&lesson_pane::LessonPane(app), rect(s.lesson));
    }
    if s.run.width > 0 {
        frame.render_widget(&run_pane::RunPane(app), rect(s.run));
    }
    frame.render_widget(&status_bar::StatusBar(app), rect(s.status));
    match &app.overlay {
        Overlay::None => {}
        Overlay::Help => frame.render_widget(&overlays::Help, area),
        Overlay::Outline { cursor } => frame.render_widget(&overlays::Outline { app, cursor: *cursor }, area),
        Overlay::Password(p) => frame.render_widget(&overlays::Prompt(p), area),
        Overlay::Confirm { pending, risks } => {
            let command = app.lesson.steps[pending.0].commands[pending.1].text.replace("\\\n", " ").replace('\n', " ");
            frame.render_widget(&overlays::Confirm { command: &command, risks }, area);
        }
        Overlay::Compare => {
            let body = Rect { height: area.height.saturating_sub(1), ..area };
            frame.render_widget(&compare_view::CompareView(app), body);
        }
    }
}

/// How far the comparison view can scroll on a `width`×`height` screen (0 when it is closed).
pub fn compare_metrics(app: &App, width: u16, height: u16) -> u16 {
    if layout::too_small(width, height) || app.overlay != Overlay::Compare {
        return 0;
    }
    compare_view::max_scroll(app, Rect { x: 0, y: 0, width, height: height.saturating_sub(1) })
}

/// (rendered lines, visible rows) of the lesson pane for a `width`×`height` screen.
pub fn lesson_metrics(app: &App, width: u16, height: u16) -> (u16, u16) {
    if layout::too_small(width, height) {
        return (0, 0);
    }
    let pane = rect(layout::screen(width, height, app.effective_zoom()).lesson);
    if pane.width == 0 {
        return app.lesson_metrics;
    }
    let text_width = pane.width.saturating_sub(4);
    let lines = lesson_pane::step_lines(app, app.step, text_width).len() as u16;
    (lines, pane.height.saturating_sub(2))
}

/// How far back the run pane's output can scroll on a `width`×`height` screen (see
/// [`run_pane::max_back`]).
pub fn output_metrics(app: &App, width: u16, height: u16) -> usize {
    if layout::too_small(width, height) || app.shell.is_some() {
        return 0;
    }
    let pane = rect(layout::screen(width, height, app.effective_zoom()).run);
    if pane.width == 0 {
        return app.output_max_back.unwrap_or(0);
    }
    run_pane::output_max_back(app, pane)
}
