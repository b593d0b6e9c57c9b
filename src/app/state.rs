//! The app's state: a plain model of the lesson, the learner's position and every run.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::docker::{EngineInfo, Progress};
use crate::lesson::Lesson;

use super::action::RunId;
use super::output::{DEFAULT_MAX_LINES, OutputBuffer};

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    /// The lesson text.
    #[default]
    Lesson,
    /// The commands and their output.
    Run,
}

/// Where the engine stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineState {
    /// Not known yet.
    Connecting,
    /// Answering.
    Connected(EngineInfo),
    /// Not answering.
    Unavailable {
        /// Socket or `DOCKER_HOST` tried.
        endpoint: String,
        /// Why.
        reason: String,
    },
}

/// Life of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    /// Asked for, not started yet.
    Queued,
    /// In the engine.
    Running,
    /// Ended as the lesson expects.
    Passed,
    /// Ended otherwise.
    Failed,
    /// Stopped by the learner.
    Cancelled,
}

/// State of a step, for the outline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    /// Nothing run yet.
    Pending,
    /// A command runs.
    Running,
    /// Every command passed.
    Passed,
    /// A command failed.
    Failed,
    /// Passed in an earlier session, but what it built is gone.
    Redo,
}

/// One run of one command.
#[derive(Debug, Clone)]
pub struct RunRecord {
    /// Id.
    pub id: RunId,
    /// Step index.
    pub step: usize,
    /// Command index in the step.
    pub command: usize,
    /// Status.
    pub status: RunStatus,
    /// Output so far.
    pub output: OutputBuffer,
    /// When it started.
    pub started: Option<Instant>,
    /// Time spent (updated while running).
    pub elapsed: Duration,
    /// Exit code once ended.
    pub exit_code: Option<i64>,
    /// Why it failed, against the lesson's expectation.
    pub why: Option<String>,
    /// `Step k/N` of a build.
    pub build_step: Option<(u32, u32)>,
    /// Latest progress of each item (a pushed layer, a prepare stage), in the order they appeared.
    pub progress: Vec<Progress>,
    /// Cancel was asked.
    pub cancel_requested: bool,
}

impl RunRecord {
    /// Records `p` as the latest progress of its item.
    pub fn set_progress(&mut self, p: Progress) {
        match self.progress.iter_mut().find(|q| q.id == p.id) {
            Some(q) => *q = p,
            None => self.progress.push(p),
        }
    }

    /// The items still under way (not all bytes done), at most `n`, oldest first; when every one
    /// is done, the latest one.
    pub fn active_progress(&self, n: usize) -> Vec<&Progress> {
        let busy: Vec<&Progress> = self.progress.iter().filter(|p| p.current.zip(p.total).is_some_and(|(c, t)| c < t)).take(n).collect();
        if busy.is_empty() { self.progress.last().filter(|p| p.total.is_some()).into_iter().collect() } else { busy }
    }
}

impl RunRecord {
    /// A queued run.
    pub fn new(id: RunId, step: usize, command: usize, max_lines: usize) -> Self {
        Self {
            id,
            step,
            command,
            status: RunStatus::Queued,
            output: OutputBuffer::new(max_lines),
            started: None,
            elapsed: Duration::ZERO,
            exit_code: None,
            why: None,
            build_step: None,
            progress: Vec::new(),
            cancel_requested: false,
        }
    }
}

/// An open interactive shell.
pub struct ShellView {
    /// The run it belongs to.
    pub run: RunId,
    /// Terminal emulation of the container's TTY.
    pub parser: vt100::Parser,
}

impl std::fmt::Debug for ShellView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ShellView({})", self.run)
    }
}

/// A password being typed for a `docker login`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPrompt {
    /// Registry.
    pub server: String,
    /// User.
    pub username: String,
    /// What was typed (never shown).
    pub typed: String,
    /// The command waiting for it (step, command index).
    pub pending: (usize, usize),
}

/// What covers the panes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Overlay {
    /// Nothing.
    #[default]
    None,
    /// Key help.
    Help,
    /// List of steps; the cursor is on a step.
    Outline {
        /// Highlighted step.
        cursor: usize,
    },
    /// Password prompt.
    Password(PasswordPrompt),
    /// Comparison of the image variants.
    Compare,
    /// A command that reaches beyond its container waits for confirmation.
    Confirm {
        /// The command (step, index).
        pending: (usize, usize),
        /// What it would reach, in Spanish.
        risks: Vec<String>,
    },
}

/// The whole app.
#[derive(Debug)]
pub struct App {
    /// The lesson.
    pub lesson: Lesson,
    /// Current step.
    pub step: usize,
    /// Focused pane.
    pub focus: Focus,
    /// First lesson line shown.
    pub lesson_scroll: u16,
    /// Lines of the current step and rows of its pane (from the last draw).
    pub lesson_metrics: (u16, u16),
    /// Selected command per step.
    pub selected: Vec<usize>,
    /// Latest run of each (step, command).
    pub runs: HashMap<(usize, usize), RunRecord>,
    /// The run in progress.
    pub running: Option<RunId>,
    /// Next run id.
    pub next_id: RunId,
    /// Engine state.
    pub engine: EngineState,
    /// Overlay.
    pub overlay: Overlay,
    /// Open interactive shell.
    pub shell: Option<ShellView>,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// Output lines (as the command printed them, before wrapping) scrolled back from the end of
    /// the shown output; 0 follows the tail.
    pub output_back: usize,
    /// The most `output_back` can be with the pane as last drawn (the first line at the top).
    pub output_max_back: Option<usize>,
    /// The pane that takes the whole width, if any.
    pub zoom: super::layout::Zoom,
    /// Quit was asked.
    pub quit: bool,
    /// A short message for the status bar.
    pub notice: Option<String>,
    /// Output lines kept per command.
    pub max_lines: usize,
    /// Latest measurement of the lesson's image variants (in lesson order).
    pub compare_rows: Vec<crate::compare::Row>,
    /// A measurement is under way.
    pub compare_busy: bool,
    /// Lines the comparison view is scrolled down.
    pub compare_scroll: u16,
    /// The most it can scroll, as last drawn.
    pub compare_max_scroll: u16,
    /// Commands that passed in an earlier session (step, command).
    pub restored: std::collections::BTreeSet<(usize, usize)>,
    /// Steps whose images disappeared since they passed.
    pub redo: std::collections::BTreeSet<usize>,
}

impl App {
    /// A fresh app on step 1 of `lesson`.
    pub fn new(lesson: Lesson) -> Self {
        let steps = lesson.steps.len();
        Self {
            lesson,
            step: 0,
            focus: Focus::Lesson,
            lesson_scroll: 0,
            lesson_metrics: (0, 0),
            selected: vec![0; steps],
            runs: HashMap::new(),
            running: None,
            next_id: 1,
            engine: EngineState::Connecting,
            overlay: Overlay::None,
            shell: None,
            size: (100, 30),
            output_back: 0,
            output_max_back: None,
            zoom: super::layout::Zoom::None,
            quit: false,
            notice: None,
            max_lines: DEFAULT_MAX_LINES,
            compare_rows: Vec::new(),
            compare_busy: false,
            compare_scroll: 0,
            compare_max_scroll: 0,
            restored: Default::default(),
            redo: Default::default(),
        }
    }

    /// The selected command index of the current step.
    pub fn selected_command(&self) -> usize {
        self.selected.get(self.step).copied().unwrap_or(0)
    }

    /// The run of `(step, command)`, if any.
    pub fn run_of(&self, step: usize, command: usize) -> Option<&RunRecord> {
        self.runs.get(&(step, command))
    }

    /// The run whose output the run pane shows: the selected command's, else the step's latest
    /// (a command that just passed stays in view after the selection moves on).
    pub fn shown_run(&self) -> Option<&RunRecord> {
        self.run_of(self.step, self.selected_command()).or_else(|| self.runs.values().filter(|r| r.step == self.step).max_by_key(|r| r.id))
    }

    /// The zoom in effect: an open shell needs the run pane, so a lesson zoom gives way to it.
    pub fn effective_zoom(&self) -> super::layout::Zoom {
        use super::layout::Zoom;
        if self.shell.is_some() && self.zoom == Zoom::Lesson { Zoom::None } else { self.zoom }
    }

    /// The record of run `id`.
    pub fn record_mut(&mut self, id: RunId) -> Option<&mut RunRecord> {
        self.runs.values_mut().find(|r| r.id == id)
    }

    /// The state of step `i` for the outline.
    pub fn step_state(&self, i: usize) -> StepState {
        let n = self.lesson.steps.get(i).map_or(0, |s| s.commands.len());
        let statuses: Vec<Option<RunStatus>> = (0..n)
            .map(|c| self.run_of(i, c).map(|r| r.status).or_else(|| self.restored.contains(&(i, c)).then_some(RunStatus::Passed)))
            .collect();
        if self.redo.contains(&i) && !statuses.iter().any(|s| matches!(s, Some(RunStatus::Running | RunStatus::Queued))) {
            return StepState::Redo;
        }
        if statuses.iter().any(|s| matches!(s, Some(RunStatus::Running | RunStatus::Queued))) {
            StepState::Running
        } else if statuses.iter().any(|s| matches!(s, Some(RunStatus::Failed))) {
            StepState::Failed
        } else if n > 0 && statuses.iter().all(|s| matches!(s, Some(RunStatus::Passed))) {
            StepState::Passed
        } else {
            StepState::Pending
        }
    }

    /// The progress to save: current step and every command passed (now or before).
    pub fn progress(&self) -> crate::progress::Progress {
        let mut passed = self.restored.clone();
        passed.extend(self.runs.iter().filter(|(_, r)| r.status == RunStatus::Passed).map(|(k, _)| *k));
        for ((step, cmd), r) in &self.runs {
            if r.status != RunStatus::Passed {
                passed.remove(&(*step, *cmd));
            }
        }
        crate::progress::Progress { version: crate::progress::VERSION, lesson: self.lesson.id.clone(), step: self.step, passed }
    }

    /// Restores saved progress (indices out of this lesson's range are ignored).
    pub fn restore(&mut self, p: &crate::progress::Progress) {
        self.step = p.step.min(self.lesson.steps.len().saturating_sub(1));
        self.restored =
            p.passed.iter().copied().filter(|(s, c)| self.lesson.steps.get(*s).is_some_and(|st| *c < st.commands.len())).collect();
    }

    /// Whether the engine answers.
    pub fn engine_ready(&self) -> bool {
        matches!(self.engine, EngineState::Connected(_))
    }
}
