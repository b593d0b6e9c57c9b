//! `update(app, action) -> effects`: the only place the app's state changes.

use std::time::Instant;

use crate::docker::{CANCELLED, Output};
use crate::lesson::DockerCommand;

use super::action::{Action, Effect, RunId};
use super::keys::{map_key, map_mouse};
use super::layout::{Zoom, screen, shell_size};
use super::state::{App, EngineState, Focus, Overlay, PasswordPrompt, RunRecord, RunStatus, ShellView};

/// Applies `action` to `app` and returns the work to do outside.
pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Key(k) => map_key(app, &k).map(|a| update(app, a)).unwrap_or_default(),
        Action::Mouse(m) => map_mouse(&m).map(|a| update(app, a)).unwrap_or_default(),
        Action::NextStep => go_to(app, app.step + 1),
        Action::PrevStep => go_to(app, app.step.saturating_sub(1)),
        Action::GoToStep(n) => {
            app.overlay = Overlay::None;
            go_to(app, n)
        }
        Action::ScrollUp(n) => scroll(app, app.focus, -(n as i32)),
        Action::ScrollDown(n) => scroll(app, app.focus, n as i32),
        Action::Wheel { column, up } => {
            let pane = if column < screen(app.size.0, app.size.1, app.effective_zoom()).run.x { Focus::Lesson } else { Focus::Run };
            scroll(app, pane, if up { -3 } else { 3 })
        }
        Action::FollowTail => {
            app.output_back = 0;
            vec![]
        }
        Action::ToggleFocus => {
            app.focus = if app.focus == Focus::Lesson { Focus::Run } else { Focus::Lesson };
            if app.zoom != Zoom::None {
                // The zoomed pane follows the focus: Tab shows the other one, whole.
                app.zoom = if app.focus == Focus::Lesson { Zoom::Lesson } else { Zoom::Run };
            }
            vec![]
        }
        Action::ToggleZoom => {
            app.zoom = match (app.zoom, app.focus) {
                (Zoom::None, Focus::Lesson) => Zoom::Lesson,
                (Zoom::None, Focus::Run) => Zoom::Run,
                _ => Zoom::None,
            };
            vec![]
        }
        Action::CompareMetrics { max_scroll } => {
            app.compare_max_scroll = max_scroll;
            app.compare_scroll = app.compare_scroll.min(max_scroll);
            vec![]
        }
        Action::CompareScroll(by) => {
            app.compare_scroll = (i32::from(app.compare_scroll) + by).clamp(0, i32::from(app.compare_max_scroll)) as u16;
            vec![]
        }
        Action::OutputMetrics { max_back } => {
            app.output_max_back = Some(max_back);
            app.output_back = app.output_back.min(max_back);
            vec![]
        }
        Action::SelectPrev | Action::SelectNext => select(app, matches!(action, Action::SelectNext)),
        Action::RunSelected => run_selected(app),
        Action::Cancel => cancel(app),
        Action::ToggleOutline => {
            app.overlay = match app.overlay {
                Overlay::Outline { .. } => Overlay::None,
                _ => Overlay::Outline { cursor: app.step },
            };
            vec![]
        }
        Action::ToggleCompare => {
            if app.overlay == Overlay::Compare {
                app.overlay = Overlay::None;
                return vec![];
            }
            app.overlay = Overlay::Compare;
            app.compare_scroll = 0;
            refresh_compare(app)
        }
        Action::RefreshCompare => refresh_compare(app),
        Action::CompareRow(i, row) => {
            if let Some(slot) = app.compare_rows.get_mut(i) {
                *slot = row;
            } else {
                app.compare_rows.push(row);
            }
            vec![]
        }
        Action::CompareDone => {
            app.compare_busy = false;
            vec![]
        }
        Action::ToggleHelp => {
            app.overlay = if app.overlay == Overlay::Help { Overlay::None } else { Overlay::Help };
            vec![]
        }
        Action::Quit => {
            app.quit = true;
            if app.running.is_some() {
                app.notice = Some("Saliendo: detengo y borro lo que la orden en marcha dejó…".into());
            }
            let mut fx: Vec<Effect> = app.running.map(Effect::Cancel).into_iter().collect();
            fx.push(Effect::Quit);
            fx
        }
        Action::Resize(w, h) => {
            app.size = (w, h);
            match &app.shell {
                Some(sh) => {
                    let (rows, cols) = shell_size(w, h, app.zoom);
                    let run = sh.run;
                    if let Some(sh) = app.shell.as_mut() {
                        sh.parser.screen_mut().set_size(rows, cols);
                    }
                    vec![Effect::ShellResize(run, rows, cols)]
                }
                None => vec![],
            }
        }
        Action::LessonMetrics { lines, height } => {
            app.lesson_metrics = (lines, height);
            app.lesson_scroll = app.lesson_scroll.min(lines.saturating_sub(height));
            vec![]
        }
        Action::EngineFound(info) => {
            app.engine = EngineState::Connected(info);
            let built: Vec<(usize, String)> = app
                .restored
                .iter()
                .filter_map(|(s, c)| match &app.lesson.steps[*s].commands[*c].command {
                    DockerCommand::Build(b) => b.tags.first().map(|t| (*s, t.clone())),
                    _ => None,
                })
                .collect();
            if built.is_empty() { vec![] } else { vec![Effect::Reconcile(built)] }
        }
        Action::Notice(text) => {
            app.notice = Some(text);
            vec![]
        }
        Action::StepRedo(step) => {
            app.redo.insert(step);
            app.restored.retain(|(s, _)| *s != step);
            vec![]
        }
        Action::EngineLost { endpoint, reason } => {
            app.engine = EngineState::Unavailable { endpoint, reason };
            vec![]
        }
        Action::Started(id) => {
            if let Some(r) = app.record_mut(id) {
                r.status = RunStatus::Running;
                r.started = Some(Instant::now());
            }
            vec![]
        }
        Action::Output(id, out) => {
            output(app, id, out);
            vec![]
        }
        Action::Finished(id, outcome) => finished(app, id, outcome),
        Action::ShellKey(bytes) => app.shell.as_ref().map(|s| vec![Effect::ShellInput(s.run, bytes)]).unwrap_or_default(),
        Action::LeaveShell => {
            let Some(run) = app.shell.as_ref().map(|s| s.run) else { return vec![] };
            if let Some(r) = app.record_mut(run) {
                r.cancel_requested = true;
            }
            vec![Effect::Cancel(run)]
        }
        Action::PromptChar(c) => {
            if let Overlay::Password(p) = &mut app.overlay {
                p.typed.push(c);
            }
            vec![]
        }
        Action::PromptBackspace => {
            if let Overlay::Password(p) = &mut app.overlay {
                p.typed.pop();
            }
            vec![]
        }
        Action::Confirm => match std::mem::take(&mut app.overlay) {
            Overlay::Confirm { pending, .. } => start(app, pending.0, pending.1, None, true),
            other => {
                app.overlay = other;
                vec![]
            }
        },
        Action::PromptSubmit => match std::mem::take(&mut app.overlay) {
            Overlay::Password(p) => start(app, p.pending.0, p.pending.1, Some(p.typed), false),
            other => {
                app.overlay = other;
                vec![]
            }
        },
        Action::Tick => {
            if let Some(r) = app.running.and_then(|id| app.record_mut(id))
                && let Some(t) = r.started
            {
                r.elapsed = t.elapsed();
            }
            vec![]
        }
    }
}

fn refresh_compare(app: &mut App) -> Vec<Effect> {
    if app.compare_busy || !app.engine_ready() {
        return vec![];
    }
    app.compare_busy = true;
    vec![Effect::Compare]
}

fn go_to(app: &mut App, n: usize) -> Vec<Effect> {
    let n = n.min(app.lesson.steps.len().saturating_sub(1));
    if n == app.step {
        return vec![];
    }
    app.step = n;
    app.lesson_scroll = 0;
    app.output_back = 0;
    vec![Effect::SaveProgress(app.progress())]
}

fn scroll(app: &mut App, pane: Focus, delta: i32) -> Vec<Effect> {
    match pane {
        Focus::Lesson => {
            let (lines, height) = app.lesson_metrics;
            let max = i32::from(lines.saturating_sub(height));
            app.lesson_scroll = (i32::from(app.lesson_scroll) + delta).clamp(0, max.max(0)) as u16;
        }
        Focus::Run => {
            // Scroll what is shown, within what the last draw says fits.
            let lines = app.shown_run().map_or(0, |r| r.output.len());
            let max = app.output_max_back.unwrap_or(lines).min(lines);
            app.output_back = app.output_back.saturating_add_signed(-(delta as isize)).min(max);
        }
    }
    vec![]
}

fn select(app: &mut App, next: bool) -> Vec<Effect> {
    if let Overlay::Outline { cursor } = &mut app.overlay {
        let last = app.lesson.steps.len().saturating_sub(1);
        *cursor = if next { (*cursor + 1).min(last) } else { cursor.saturating_sub(1) };
        return vec![];
    }
    let n = app.lesson.steps[app.step].commands.len();
    let cur = app.selected_command();
    let new = if next { (cur + 1).min(n.saturating_sub(1)) } else { cur.saturating_sub(1) };
    if new != cur {
        app.selected[app.step] = new;
        app.output_back = 0;
    }
    vec![]
}

fn run_selected(app: &mut App) -> Vec<Effect> {
    let (step, idx) = (app.step, app.selected_command());
    let Some(block) = app.lesson.steps[step].commands.get(idx) else {
        app.notice = Some("Este paso no tiene órdenes que ejecutar".into());
        return vec![];
    };
    if app.running.is_some() {
        app.notice = Some("Ya hay una orden en marcha: espera o pulsa Esc para cancelarla".into());
        return vec![];
    }
    if !app.engine_ready() {
        app.notice = Some("Sin motor de Docker: se muestra la salida grabada".into());
        return vec![Effect::Reconnect];
    }
    if let DockerCommand::Login(l) = &block.command {
        // The learner types it, as the lesson promises (ESTIBA_REGISTRY_PASSWORD is for `check`).
        app.overlay = Overlay::Password(PasswordPrompt {
            server: l.server.clone().unwrap_or_else(|| "docker.io".into()),
            username: l.username.clone().unwrap_or_default(),
            typed: String::new(),
            pending: (step, idx),
        });
        return vec![];
    }
    if let DockerCommand::Run(r) = &block.command {
        let risks = r.risks();
        if !risks.is_empty() {
            app.overlay = Overlay::Confirm { pending: (step, idx), risks };
            return vec![];
        }
    }
    start(app, step, idx, None, false)
}

/// Queues the run of command `idx` of `step`.
fn start(app: &mut App, step: usize, idx: usize, password: Option<String>, confirmed: bool) -> Vec<Effect> {
    let id = app.next_id;
    app.next_id += 1;
    app.runs.insert((step, idx), RunRecord::new(id, step, idx, app.max_lines));
    app.running = Some(id);
    app.output_back = 0;
    app.notice = None;
    app.focus = Focus::Run;
    let command = app.lesson.steps[step].commands[idx].command.clone();
    if let DockerCommand::Run(r) = &command
        && r.interactive
        && r.tty
    {
        let size = shell_size(app.size.0, app.size.1, app.zoom);
        app.shell = Some(ShellView { run: id, parser: vt100::Parser::new(size.0, size.1, 1000) });
        return vec![Effect::RunShell { run: id, command, size, confirmed }];
    }
    vec![Effect::Run { run: id, command, password, confirmed }]
}

fn cancel(app: &mut App) -> Vec<Effect> {
    if app.overlay != Overlay::None {
        if matches!(app.overlay, Overlay::Confirm { .. } | Overlay::Password(_)) {
            app.notice = Some("No se ejecutó: la orden sigue pendiente (Enter para volver a intentarlo)".into());
        }
        app.overlay = Overlay::None;
        return vec![];
    }
    match app.running {
        Some(id) => {
            if let Some(r) = app.record_mut(id) {
                r.cancel_requested = true;
            }
            vec![Effect::Cancel(id)]
        }
        None => vec![],
    }
}

fn output(app: &mut App, id: RunId, out: Output) {
    let back = app.output_back;
    let is_shell = app.shell.as_ref().is_some_and(|s| s.run == id);
    let Some(r) = app.record_mut(id) else { return };
    if r.status == RunStatus::Queued {
        r.status = RunStatus::Running;
        r.started.get_or_insert_with(Instant::now);
    }
    let added = match out {
        Output::Text { stream, text } => {
            if let Some(s) = build_step(&text) {
                r.build_step = Some(s);
            }
            let n = r.output.push(stream, &text);
            if is_shell && let Some(sh) = app.shell.as_mut() {
                sh.parser.process(text.replace('\n', "\r\n").as_bytes());
            }
            n
        }
        Output::Progress(p) => {
            r.set_progress(p);
            0
        }
        Output::Tty(bytes) => {
            if let Some(sh) = app.shell.as_mut() {
                sh.parser.process(&bytes);
            }
            0
        }
    };
    if back > 0 {
        app.output_back = back.saturating_add(added);
    }
}

/// `Step 3/11 : …` → (3, 11).
fn build_step(text: &str) -> Option<(u32, u32)> {
    let line = text.lines().rev().find(|l| l.starts_with("Step "))?;
    let (k, rest) = line["Step ".len()..].split_once('/')?;
    let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((k.parse().ok()?, n.parse().ok()?))
}

fn finished(app: &mut App, id: RunId, outcome: crate::docker::Outcome) -> Vec<Effect> {
    let shell = app.shell.take_if(|s| s.run == id);
    let was_shell = shell.is_some();
    if app.running == Some(id) {
        app.running = None;
    }
    let lost = outcome.engine_lost;
    let Some(r) = app.record_mut(id) else { return vec![] };
    if let Some(sh) = shell {
        // Keep what the shell showed as the run's output.
        let text = sh.parser.screen().contents();
        r.output = super::output::OutputBuffer::new(r.output.dropped() + r.output.len() + text.lines().count() + 1);
        r.output.push(crate::docker::Stream::Stdout, &text);
        r.output.push(crate::docker::Stream::Stdout, "\n");
    }
    if let Some(t) = r.started {
        r.elapsed = t.elapsed();
    }
    r.exit_code = Some(outcome.exit_code);
    let (step, idx) = (r.step, r.command);
    let expect = &app.lesson.steps[step].commands[idx].expect;
    let Some(r) = app.runs.get_mut(&(step, idx)) else { return vec![] };
    let left_shell = was_shell && r.cancel_requested && outcome.exit_code == CANCELLED;
    let verdict: Result<Option<String>, (RunStatus, String)> =
        if left_shell && expect.has_texts() && expect.verify_texts(&r.output.plain_text()).is_ok() {
            // The learner left the shell (Ctrl-]) after doing what the lesson asked: the transcript proves it.
            Ok(Some("saliste con Ctrl-]; la salida es la esperada".into()))
        } else if r.cancel_requested && outcome.exit_code == CANCELLED {
            Err((RunStatus::Cancelled, "cancelada".into()))
        } else if lost || outcome.refused {
            // Whatever the lesson accepts, a command that did not run to its end proves nothing.
            let why = if lost { "se perdió la conexión con el motor" } else { "no se ejecutó: necesita tu confirmación" };
            Err((RunStatus::Failed, why.into()))
        } else {
            expect.verify(outcome.exit_code, &r.output.plain_text()).map(|()| None).map_err(|why| (RunStatus::Failed, why))
        };
    match verdict {
        Ok(note) => {
            r.status = RunStatus::Passed;
            r.why = note;
            app.redo.remove(&step);
            // On to the next command, unless the learner already chose another.
            let n = app.lesson.steps[step].commands.len();
            if step == app.step && idx + 1 < n && app.selected[step] == idx {
                app.selected[step] = idx + 1;
                app.output_back = 0;
            }
        }
        Err((status, why)) => {
            r.status = status;
            r.why = Some(why);
        }
    }
    let mut fx = vec![Effect::SaveProgress(app.progress())];
    if lost {
        app.engine =
            EngineState::Unavailable { endpoint: crate::docker::endpoint(), reason: "se perdió la conexión durante la orden".into() };
        fx.push(Effect::Reconnect);
    }
    fx
}
