//! `estiba check`: runs every step of a lesson headless, in order, and proves each outcome.

use std::time::Instant;

use serde::Serialize;

use crate::app::output::{DEFAULT_MAX_LINES, OutputBuffer};
use crate::docker::{Engine, Output, Session};
use crate::lesson::{DockerCommand, Lesson};

/// Result of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every command did what the lesson expects.
    Passed,
    /// A command did not.
    Failed,
    /// Not run (an earlier step failed, or it has no commands).
    Skipped,
}

/// One step's report.
#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    /// Step title.
    pub title: String,
    /// Outcome.
    pub status: Status,
    /// Why, in Spanish.
    pub detail: String,
    /// Seconds spent.
    #[serde(skip)]
    pub seconds: f64,
    /// Commands not run because they reach beyond the container and were not allowed.
    #[serde(skip)]
    pub refused: usize,
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Lesson id.
    pub lesson: String,
    /// Steps in order.
    pub steps: Vec<StepReport>,
    /// Steps passed.
    pub passed: usize,
    /// Steps failed.
    pub failed: usize,
    /// Steps not run (after a failure, cleanup with `--keep`, none to run, or not confirmed).
    pub skipped: usize,
}

impl Report {
    /// Every step that has commands ran them all as the lesson expects (what exit code 0 means).
    pub fn complete(&self) -> bool {
        self.failed == 0 && self.steps.iter().all(|s| s.refused == 0)
    }
}

/// Options of a check run.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Registry password for `login` (from `ESTIBA_REGISTRY_PASSWORD`).
    pub password: Option<String>,
    /// Skip cleanup steps, keeping the images (to compare them afterwards).
    pub keep: bool,
    /// Run commands that reach beyond the container (`--privileged`, host binds, …).
    pub allow_privileged: bool,
}

/// What the runner reports while it works.
#[derive(Debug, Clone)]
pub enum Event<'a> {
    /// A command starts.
    Command {
        /// Its text as typed.
        text: &'a str,
    },
    /// A command printed something.
    Output(&'a Output),
    /// A step ended.
    Step {
        /// 0-based index.
        index: usize,
        /// Its report.
        report: &'a StepReport,
    },
}

/// Runs every step of `lesson` in order; after a failed step the rest are skipped.
pub async fn run(engine: &Engine, lesson: &Lesson, opts: &CheckOptions, mut on: impl FnMut(Event<'_>) + Send) -> Report {
    let mut session = Session {
        lesson_id: lesson.id.clone(),
        root: lesson.root.clone(),
        assets: lesson.assets.clone(),
        allow_risky: opts.allow_privileged,
        ..Session::default()
    };
    let mut steps = Vec::new();
    let mut failed_at: Option<String> = None;
    for (index, step) in lesson.steps.iter().enumerate() {
        let started = Instant::now();
        let mut refused = Vec::new();
        let (status, detail) = if let Some(title) = &failed_at {
            (Status::Skipped, format!("no se ejecutó: falló el paso «{title}»"))
        } else if opts.keep && step.is_cleanup() {
            (Status::Skipped, "no se ejecutó: --keep conserva las imágenes".to_string())
        } else if step.commands.is_empty() {
            (Status::Skipped, "sin órdenes que ejecutar".to_string())
        } else {
            let mut result = (Status::Passed, String::new());
            for cmd in &step.commands {
                on(Event::Command { text: &cmd.text });
                session.input = cmd.input.clone();
                if matches!(cmd.command, DockerCommand::Login(_)) {
                    session.password = opts.password.clone();
                }
                // The same bounded model as the run pane (lines, bytes, escapes), so a flood keeps
                // memory flat and `check` judges exactly the text the TUI would.
                let mut out = OutputBuffer::new(DEFAULT_MAX_LINES);
                let outcome = {
                    let mut sink = |o: Output| {
                        if let Output::Text { stream, text } = &o {
                            out.push(*stream, text);
                        }
                        on(Event::Output(&o));
                    };
                    engine.execute(&cmd.command, &mut session, &mut sink).await
                };
                let text = out.plain_text();
                if outcome.refused {
                    // Not run: reaches beyond the container and --allow-privileged was not given.
                    let risks: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("  - ")).collect();
                    refused.push(format!("`{}` (línea {}: {})", cmd.text.replace('\n', " "), cmd.line, risks.join("; ")));
                    continue;
                }
                let verdict = if outcome.engine_lost {
                    Err("se perdió la conexión con el motor".to_string())
                } else {
                    cmd.expect.verify(outcome.exit_code, &text)
                };
                if let Err(why) = verdict {
                    let tail: Vec<&str> = text.lines().rev().filter(|l| !l.trim().is_empty()).take(3).collect();
                    let tail = tail.into_iter().rev().collect::<Vec<_>>().join(" | ");
                    result = (Status::Failed, format!("`{}` (línea {}): {why}; salida: {tail}", cmd.text.replace('\n', " "), cmd.line));
                    break;
                }
            }
            if result.0 == Status::Passed {
                let ran = step.commands.len() - refused.len();
                let done = match ran {
                    1 => "1 orden como se esperaba".to_string(),
                    n => format!("{n} órdenes como se esperaba"),
                };
                result = if refused.is_empty() {
                    (Status::Passed, done)
                } else {
                    // Honest: a step with a command that was never run has not passed.
                    let done = if ran == 0 { String::new() } else { format!("{done}; ") };
                    let list = refused.join(", ");
                    (Status::Skipped, format!("{done}no ejecutada sin tu confirmación (usa --allow-privileged): {list}"))
                };
            }
            result
        };
        if status == Status::Failed {
            failed_at = Some(step.title.clone());
        }
        let report =
            StepReport { title: step.title.clone(), status, detail, seconds: started.elapsed().as_secs_f64(), refused: refused.len() };
        on(Event::Step { index, report: &report });
        steps.push(report);
    }
    let passed = steps.iter().filter(|s| s.status == Status::Passed).count();
    let failed = steps.iter().filter(|s| s.status == Status::Failed).count();
    let skipped = steps.iter().filter(|s| s.status == Status::Skipped).count();
    Report { lesson: lesson.id.clone(), steps, passed, failed, skipped }
}
