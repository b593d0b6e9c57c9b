//! Container output never reaches the real terminal as control sequences: only colours are
//! interpreted in the run pane, and the shell pane emulates everything inside vt100. Checked on
//! the bytes Estiba writes to the terminal.

use std::path::Path;

use estiba::app::{Action, App, Effect, update};
use estiba::docker::{EngineInfo, Output, Stream};
use estiba::lesson::{Lesson, LoadOptions};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

const HOSTILE: &[u8] =
    b"\x1b]52;c;cm0gLXJmIH4=\x07\x1b]0;titulo falso\x07\x1b[?1049h\x1b[2J\x1b[H\x1b[10;10H\x1b[31mrojo\x1b[0m \xff\xfe fin\n";

fn app() -> App {
    let lesson = Lesson::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/cpp-seguro.md"), &LoadOptions::default()).unwrap();
    let mut a = App::new(lesson);
    a.size = (100, 30);
    update(&mut a, Action::EngineFound(EngineInfo::default()));
    a
}

/// A writer whose bytes stay readable after the terminal took it.
#[derive(Clone, Default)]
struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl std::io::Write for Shared {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Bytes a real terminal would receive for one frame of `app`.
fn frame_bytes(app: &App) -> Vec<u8> {
    let out = Shared::default();
    let mut t = Terminal::with_options(
        CrosstermBackend::new(out.clone()),
        ratatui::TerminalOptions { viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 100, 30)) },
    )
    .unwrap();
    t.draw(|f| estiba::ui::draw(f, app)).unwrap();
    drop(t);
    out.0.take()
}

fn assert_clean(bytes: &[u8]) {
    let s = String::from_utf8_lossy(bytes);
    for bad in ["\x1b]52", "\x1b]0;", "titulo falso", "\x1b[?1049h", "\x1b[2J", "cm0gLXJmIH4="] {
        assert!(!s.contains(bad), "the terminal received {bad:?}");
    }
}

#[test]
fn run_pane_keeps_colours_only() {
    let mut a = app();
    update(&mut a, Action::GoToStep(2));
    let Some(Effect::Run { run, .. }) = update(&mut a, Action::RunSelected).first().cloned() else { panic!() };
    // The engine turns invalid UTF-8 into U+FFFD (String::from_utf8_lossy), as here.
    let text = String::from_utf8_lossy(HOSTILE).into_owned();
    assert!(text.contains('\u{fffd}'));
    update(&mut a, Action::Output(run, Output::Text { stream: Stream::Stdout, text }));
    let bytes = frame_bytes(&a);
    assert_clean(&bytes);
    let s = String::from_utf8_lossy(&bytes);
    assert!(s.contains("rojo") && s.contains("fin"), "the text itself is shown");
    assert!(s.contains('\u{fffd}'));
}

#[test]
fn shell_pane_emulates_sequences_inside_vt100() {
    let mut a = app();
    update(&mut a, Action::GoToStep(3));
    a.selected[3] = a.lesson.steps[3].commands.iter().position(|c| c.text == "docker run -it --rm hola:1.0.0 sh").unwrap();
    let Some(Effect::RunShell { run, .. }) = update(&mut a, Action::RunSelected).first().cloned() else { panic!() };
    update(&mut a, Action::Output(run, Output::Tty(HOSTILE.to_vec())));
    let bytes = frame_bytes(&a);
    assert_clean(&bytes);
    assert!(String::from_utf8_lossy(&bytes).contains("rojo"));
}
