//! What can happen to the app (actions) and what the app asks the outside world to do (effects).

use crossterm::event::{KeyEvent, MouseEvent};

use crate::docker::{EngineInfo, Outcome, Output};
use crate::lesson::DockerCommand;

/// Identifies one run of a command.
pub type RunId = u64;

/// Something that happened: a key, a resize, or news from background work.
#[allow(clippy::large_enum_variant)] // short-lived, moved once through the channel
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A key was pressed (mapped to another action according to the current mode).
    Key(KeyEvent),
    /// A mouse event (the wheel scrolls).
    Mouse(MouseEvent),
    /// Go to the next step.
    NextStep,
    /// Go to the previous step.
    PrevStep,
    /// Go to step `n` (0-based).
    GoToStep(usize),
    /// Scroll the focused pane up by this many lines.
    ScrollUp(u16),
    /// Scroll the focused pane down by this many lines.
    ScrollDown(u16),
    /// The mouse wheel turned over `column`.
    Wheel {
        /// Column of the pointer.
        column: u16,
        /// Towards the top.
        up: bool,
    },
    /// Scroll the output to its end and follow new lines.
    FollowTail,
    /// Move focus between the lesson pane and the run pane.
    ToggleFocus,
    /// Give the focused pane the whole width, or go back to both panes.
    ToggleZoom,
    /// Select the previous command of the step.
    SelectPrev,
    /// Select the next command of the step.
    SelectNext,
    /// Run the selected command.
    RunSelected,
    /// Cancel the running command, or close the open overlay.
    Cancel,
    /// Show or hide the outline of steps.
    ToggleOutline,
    /// Show or hide the help overlay.
    ToggleHelp,
    /// Show or hide the comparison of image variants (measuring them again when shown).
    ToggleCompare,
    /// Measure the variants again.
    RefreshCompare,
    /// One variant was measured.
    CompareRow(usize, crate::compare::Row),
    /// Every variant was measured.
    CompareDone,
    /// Quit Estiba (cancelling what runs).
    Quit,
    /// The terminal now has this many columns and rows.
    Resize(u16, u16),
    /// The pane sizes after a draw: lesson lines rendered, lesson pane height.
    LessonMetrics {
        /// Lines the current step renders to.
        lines: u16,
        /// Rows of the lesson pane.
        height: u16,
    },
    /// The comparison view scrolls by this many lines (negative: up).
    CompareScroll(i32),
    /// The most the comparison view can scroll, as last drawn.
    CompareMetrics {
        /// Lines the content is taller than the view.
        max_scroll: u16,
    },
    /// The most the shown output can scroll back with the run pane as last drawn.
    OutputMetrics {
        /// Output lines from the end at which the first line reaches the top.
        max_back: usize,
    },
    /// The engine answered.
    EngineFound(EngineInfo),
    /// The engine cannot be reached.
    EngineLost {
        /// Socket or `DOCKER_HOST` tried.
        endpoint: String,
        /// Why.
        reason: String,
    },
    /// A run started in the engine.
    Started(RunId),
    /// A run reported output.
    Output(RunId, Output),
    /// A run ended.
    Finished(RunId, Outcome),
    /// Bytes the learner typed in the interactive shell, to forward.
    ShellKey(Vec<u8>),
    /// Leave the interactive shell (stops its container).
    LeaveShell,
    /// A character typed in the password prompt.
    PromptChar(char),
    /// Backspace in the password prompt.
    PromptBackspace,
    /// Enter in the password prompt.
    PromptSubmit,
    /// The learner confirmed a command that reaches beyond its container.
    Confirm,
    /// Time passes while a command runs (updates elapsed time).
    Tick,
    /// A step passed earlier must be done again: what it built is gone.
    StepRedo(usize),
    /// A message for the status bar.
    Notice(String),
}

/// Work the app asks the runtime to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Run a command through the engine.
    Run {
        /// Run id to report with.
        run: RunId,
        /// The command.
        command: DockerCommand,
        /// Password for a `login`.
        password: Option<String>,
        /// The learner confirmed its host access.
        confirmed: bool,
    },
    /// Run an interactive command with a TTY of (rows, columns).
    RunShell {
        /// Run id to report with.
        run: RunId,
        /// The command.
        command: DockerCommand,
        /// TTY size.
        size: (u16, u16),
        /// The learner confirmed its host access.
        confirmed: bool,
    },
    /// Cancel a run (stops and removes its container).
    Cancel(RunId),
    /// Send bytes to the interactive shell.
    ShellInput(RunId, Vec<u8>),
    /// The shell pane has a new size (rows, columns).
    ShellResize(RunId, u16, u16),
    /// Measure every image variant of the lesson.
    Compare,
    /// Check that the images built by restored steps still exist: (step, image) pairs.
    Reconcile(Vec<(usize, String)>),
    /// Save the learner's progress.
    SaveProgress(crate::progress::Progress),
    /// Try to reach the engine again.
    Reconnect,
    /// Leave the program.
    Quit,
}
