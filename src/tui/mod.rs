//! The terminal program: sets up the terminal, feeds actions to the app, runs its effects in the
//! background and draws when something changed. The terminal is restored on quit, error and panic.

mod effects;

use std::io::stdout;
use std::time::{Duration, Instant};

use crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use ratatui::DefaultTerminal;
use tokio::sync::mpsc;

use crate::app::{Action, App, Effect, update};
use crate::lesson::Lesson;
use effects::Runtime;

/// At most this many frames a second.
const FRAME: Duration = Duration::from_millis(33);

/// How the TUI starts.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Ignore (and overwrite) saved progress.
    pub reset: bool,
    /// Output lines kept per command.
    pub max_lines: usize,
}

/// Opens the lesson in the terminal UI until the learner quits.
pub async fn run(lesson: Lesson, options: Options) -> anyhow::Result<()> {
    let mut terminal = ratatui::init();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(stdout(), DisableMouseCapture);
        ratatui::restore();
        previous(info);
    }));
    let _ = crossterm::execute!(stdout(), EnableMouseCapture);
    let result = event_loop(&mut terminal, lesson, options).await;
    let _ = crossterm::execute!(stdout(), DisableMouseCapture);
    ratatui::restore();
    result
}

async fn event_loop(terminal: &mut DefaultTerminal, lesson: Lesson, options: Options) -> anyhow::Result<()> {
    // Whatever was typed before we started (the Enter that launched us) must not act.
    while event::poll(Duration::ZERO)? {
        let _ = event::read()?;
    }
    let (tx, mut rx) = mpsc::unbounded_channel::<Action>();
    spawn_input(tx.clone());
    spawn_signals(tx.clone());
    let mut runtime = Runtime::new(tx.clone(), &lesson);
    let progress_file = crate::progress::file_for(&crate::progress::state_dir(), &lesson.id);
    let saved = if options.reset { Ok(None) } else { crate::progress::load(&progress_file, &lesson.id) };
    runtime.progress_file = Some(progress_file);
    let mut app = App::new(lesson);
    app.max_lines = options.max_lines.max(100);
    match saved {
        Ok(Some(p)) => app.restore(&p),
        Ok(None) => {}
        Err(warning) => app.notice = Some(warning),
    }
    let size = terminal.size()?;
    app.size = (size.width, size.height);
    let mut last_draw = Instant::now() - FRAME;
    let mut quitting: Option<Instant> = None;
    draw(terminal, &mut app)?;
    loop {
        let first = if app.running.is_some() {
            match tokio::time::timeout(Duration::from_millis(250), rx.recv()).await {
                Ok(a) => a,
                Err(_) => Some(Action::Tick),
            }
        } else {
            rx.recv().await
        };
        let Some(first) = first else { break };
        apply(&mut app, &mut runtime, &mut quitting, first);
        // Then everything that comes until the next frame is due, and one draw. Actions are
        // handled as they arrive (not left queued while we wait), so the unbounded channel holds
        // only what `update` has not caught up with yet: a flood of output is taken as fast as
        // the buffer ingests it, and redraws stay at most one per FRAME. Bounding the channel
        // instead would need the engine's output sink (a sync callback inside async tasks) to
        // block, and `Runtime::apply` sends on this same channel from this loop.
        let due = last_draw + FRAME;
        loop {
            let action = match rx.try_recv() {
                Ok(a) => a,
                Err(mpsc::error::TryRecvError::Empty) => {
                    let left = due.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        break;
                    }
                    // `recv` is cancel-safe: when the frame is due first, nothing is lost.
                    match tokio::time::timeout(left, rx.recv()).await {
                        Ok(Some(a)) => a,
                        _ => break,
                    }
                }
                Err(mpsc::error::TryRecvError::Disconnected) => break,
            };
            apply(&mut app, &mut runtime, &mut quitting, action);
            if Instant::now() >= due {
                break;
            }
        }
        if let Some(t) = quitting
            && (app.running.is_none() || t.elapsed() > QUIT_GRACE)
        {
            break;
        }
        draw(terminal, &mut app)?;
        last_draw = Instant::now();
    }
    Ok(())
}

/// Updates the app with `action` and runs its effects; remembers when quitting began.
fn apply(app: &mut App, runtime: &mut Runtime, quitting: &mut Option<Instant>, action: Action) {
    for effect in update(app, action) {
        if effect == Effect::Quit {
            quitting.get_or_insert_with(Instant::now);
        }
        runtime.apply(effect);
    }
}

fn draw(terminal: &mut DefaultTerminal, app: &mut App) -> anyhow::Result<()> {
    let size = terminal.size()?;
    let metrics = crate::ui::lesson_metrics(app, size.width, size.height);
    if metrics != app.lesson_metrics {
        update(app, Action::LessonMetrics { lines: metrics.0, height: metrics.1 });
    }
    let max_scroll = crate::ui::compare_metrics(app, size.width, size.height);
    if app.compare_max_scroll != max_scroll {
        update(app, Action::CompareMetrics { max_scroll });
    }
    let max_back = crate::ui::output_metrics(app, size.width, size.height);
    if app.output_max_back != Some(max_back) {
        update(app, Action::OutputMetrics { max_back });
    }
    terminal.draw(|f| crate::ui::draw(f, app))?;
    Ok(())
}

/// Reads terminal events on a thread of its own and sends them as actions.
fn spawn_input(tx: mpsc::UnboundedSender<Action>) {
    std::thread::spawn(move || {
        loop {
            let action = match event::read() {
                Ok(Event::Key(k)) => Action::Key(k),
                Ok(Event::Mouse(m)) => Action::Mouse(m),
                Ok(Event::Resize(w, h)) => Action::Resize(w, h),
                Ok(_) => continue,
                Err(_) => break,
            };
            if tx.send(action).is_err() {
                break;
            }
        }
    });
}

/// How long quitting waits for the running command to be cancelled and cleaned up: a cancelled
/// build waits up to 10 s for the engine to finish the step it was running, then its leftovers
/// are retried for up to 10 s while the engine stops its last container.
const QUIT_GRACE: Duration = Duration::from_secs(22);

/// SIGTERM, SIGHUP and SIGINT (a `kill -INT`; in the TUI, Ctrl-C is a key) quit cleanly, like `q`.
fn spawn_signals(tx: mpsc::UnboundedSender<Action>) {
    #[cfg(unix)]
    tokio::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut hup), Ok(mut int)) =
            (signal(SignalKind::terminate()), signal(SignalKind::hangup()), signal(SignalKind::interrupt()))
        else {
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = hup.recv() => {}
            _ = int.recv() => {}
        }
        let _ = tx.send(Action::Quit);
    });
}
