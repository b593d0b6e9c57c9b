//! Screen geometry shared by the app (shell TTY size) and the UI (where panes go).

/// Smallest terminal Estiba draws its panes in (columns, rows).
pub const MIN_SIZE: (u16, u16) = (60, 15);

/// A rectangle in cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Area {
    /// Left column.
    pub x: u16,
    /// Top row.
    pub y: u16,
    /// Width.
    pub width: u16,
    /// Height.
    pub height: u16,
}

/// Where everything goes on a `width`×`height` screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screen {
    /// Lesson pane (with border).
    pub lesson: Area,
    /// Run pane (with border).
    pub run: Area,
    /// Status bar.
    pub status: Area,
}

/// Whether the screen is too small for the panes.
pub fn too_small(width: u16, height: u16) -> bool {
    width < MIN_SIZE.0 || height < MIN_SIZE.1
}

/// Which pane, if any, takes the whole width (`z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Zoom {
    /// Both panes side by side.
    #[default]
    None,
    /// The lesson alone.
    Lesson,
    /// The run pane alone (wide output such as `docker images`, a roomy shell).
    Run,
}

/// The layout of a screen at least [`MIN_SIZE`].
pub fn screen(width: u16, height: u16, zoom: Zoom) -> Screen {
    let body = height.saturating_sub(1);
    let lesson_w = match zoom {
        Zoom::None => width * 11 / 20,
        Zoom::Lesson => width,
        Zoom::Run => 0,
    };
    Screen {
        lesson: Area { x: 0, y: 0, width: lesson_w, height: body },
        run: Area { x: lesson_w, y: 0, width: width - lesson_w, height: body },
        status: Area { x: 0, y: body, width, height: 1 },
    }
}

/// Rows and columns of the interactive shell inside the run pane (border and a title line off).
pub fn shell_size(width: u16, height: u16, zoom: Zoom) -> (u16, u16) {
    // The shell lives in the run pane: a lesson zoom gives way to it.
    let zoom = if zoom == Zoom::Lesson { Zoom::None } else { zoom };
    let run = screen(width, height, zoom).run;
    (run.height.saturating_sub(3).max(1), run.width.saturating_sub(2).max(1))
}
