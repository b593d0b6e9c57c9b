//! Colours and marks, readable on dark and light backgrounds (the 16 base colours only).

use ratatui::style::{Color, Modifier, Style};

use crate::app::{RunStatus, StepState};

/// Accent for titles and focus.
pub const ACCENT: Color = Color::Cyan;
/// Passed.
pub const OK: Color = Color::Green;
/// Failed.
pub const BAD: Color = Color::Red;
/// Running.
pub const BUSY: Color = Color::Yellow;
/// Secondary text.
pub const DIM: Color = Color::DarkGray;

/// Border style of a pane.
pub fn border(focused: bool) -> Style {
    if focused { Style::new().fg(ACCENT).add_modifier(Modifier::BOLD) } else { Style::new().fg(DIM) }
}

/// Mark and colour of a run status.
pub fn run_mark(status: Option<RunStatus>) -> (&'static str, Style) {
    match status {
        None => ("·", Style::new().fg(DIM)),
        Some(RunStatus::Queued) => ("…", Style::new().fg(BUSY)),
        Some(RunStatus::Running) => ("▶", Style::new().fg(BUSY).add_modifier(Modifier::BOLD)),
        Some(RunStatus::Passed) => ("✔", Style::new().fg(OK).add_modifier(Modifier::BOLD)),
        Some(RunStatus::Failed) => ("✘", Style::new().fg(BAD).add_modifier(Modifier::BOLD)),
        Some(RunStatus::Cancelled) => ("■", Style::new().fg(Color::Magenta)),
    }
}

/// Mark, word and colour of a step state.
pub fn step_mark(state: StepState) -> (&'static str, &'static str, Style) {
    match state {
        StepState::Pending => ("·", "pendiente", Style::new().fg(DIM)),
        StepState::Running => ("▶", "en marcha", Style::new().fg(BUSY)),
        StepState::Passed => ("✔", "superado", Style::new().fg(OK)),
        StepState::Failed => ("✘", "fallido", Style::new().fg(BAD)),
        StepState::Redo => ("↺", "por rehacer", Style::new().fg(Color::Magenta)),
    }
}
