//! The app as a plain model: keys → actions, navigation, the run lifecycle, follow-tail, engine
//! lost and found. No terminal, no engine.

use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use estiba::app::keys::map_key;
use estiba::app::{Action, App, Effect, EngineState, Focus, Overlay, RunStatus, StepState, update};
use estiba::docker::{CANCELLED, EngineInfo, Outcome, Output, Stream};
use estiba::lesson::{Lesson, LoadOptions};
use rstest::rstest;

fn lesson() -> Lesson {
    Lesson::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/cpp-seguro.md"), &LoadOptions::default()).unwrap()
}

fn app() -> App {
    let mut a = App::new(lesson());
    update(
        &mut a,
        Action::EngineFound(EngineInfo { version: "20.10.24".into(), api_version: "1.41".into(), platform: "linux/amd64".into() }),
    );
    a
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn text(run: u64, s: &str) -> Action {
    Action::Output(run, Output::Text { stream: Stream::Stdout, text: s.into() })
}

#[rstest]
#[case(KeyCode::Right, Some(Action::NextStep))]
#[case(KeyCode::Char('l'), Some(Action::NextStep))]
#[case(KeyCode::Char('n'), Some(Action::NextStep))]
#[case(KeyCode::Left, Some(Action::PrevStep))]
#[case(KeyCode::Char('h'), Some(Action::PrevStep))]
#[case(KeyCode::Char('p'), Some(Action::PrevStep))]
#[case(KeyCode::Up, Some(Action::ScrollUp(1)))]
#[case(KeyCode::Char('j'), Some(Action::ScrollDown(1)))]
#[case(KeyCode::Tab, Some(Action::ToggleFocus))]
#[case(KeyCode::Enter, Some(Action::RunSelected))]
#[case(KeyCode::Esc, Some(Action::Cancel))]
#[case(KeyCode::Char('o'), Some(Action::ToggleOutline))]
#[case(KeyCode::Char('?'), Some(Action::ToggleHelp))]
#[case(KeyCode::Char('q'), Some(Action::Quit))]
#[case(KeyCode::Char('x'), None)]
fn keys_in_the_lesson_pane(#[case] code: KeyCode, #[case] want: Option<Action>) {
    assert_eq!(map_key(&app(), &key(code)), want);
}

#[test]
fn only_presses_act_and_ctrl_c_quits() {
    let a = app();
    let mut release = key(KeyCode::Enter);
    release.kind = KeyEventKind::Release;
    assert_eq!(map_key(&a, &release), None);
    let mut repeat = key(KeyCode::Right);
    repeat.kind = KeyEventKind::Repeat;
    assert_eq!(map_key(&a, &repeat), None);
    assert_eq!(map_key(&a, &KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)), Some(Action::Quit));
}

#[test]
fn arrows_select_commands_in_the_run_pane() {
    let mut a = app();
    update(&mut a, Action::ToggleFocus);
    assert_eq!(a.focus, Focus::Run);
    assert_eq!(map_key(&a, &key(KeyCode::Down)), Some(Action::SelectNext));
    update(&mut a, Action::GoToStep(3));
    update(&mut a, Action::SelectNext);
    update(&mut a, Action::SelectNext);
    assert_eq!(a.selected_command(), 2);
    for _ in 0..20 {
        update(&mut a, Action::SelectNext);
    }
    assert_eq!(a.selected_command(), a.lesson.steps[3].commands.len() - 1);
}

#[test]
fn step_navigation_is_clamped_and_resets_scroll() {
    let mut a = app();
    update(&mut a, Action::PrevStep);
    assert_eq!(a.step, 0);
    update(&mut a, Action::LessonMetrics { lines: 100, height: 20 });
    update(&mut a, Action::ScrollDown(10));
    assert_eq!(a.lesson_scroll, 10);
    update(&mut a, Action::ScrollDown(500));
    assert_eq!(a.lesson_scroll, 80, "clamped to lines - height");
    update(&mut a, Action::NextStep);
    assert_eq!((a.step, a.lesson_scroll), (1, 0));
    for _ in 0..50 {
        update(&mut a, Action::NextStep);
    }
    assert_eq!(a.step, a.lesson.steps.len() - 1);
}

#[test]
fn run_lifecycle_queued_running_passed() {
    let mut a = app();
    update(&mut a, Action::GoToStep(2));
    let hola = a.lesson.steps[2].commands.iter().position(|c| c.text == "docker run --rm hola:1.0.0").unwrap();
    a.selected[2] = hola;
    let fx = update(&mut a, Action::RunSelected);
    let Some(Effect::Run { run, .. }) = fx.first().cloned() else { panic!("{fx:?}") };
    assert_eq!(a.run_of(2, hola).unwrap().status, RunStatus::Queued);
    assert_eq!(a.step_state(2), StepState::Running);
    update(&mut a, Action::Started(run));
    assert_eq!(a.run_of(2, hola).unwrap().status, RunStatus::Running);
    assert!(update(&mut a, Action::RunSelected).is_empty(), "one command at a time");
    assert!(a.notice.as_deref().unwrap().contains("Ya hay una orden"));
    update(&mut a, text(run, "Hola Mundo!!\n"));
    update(&mut a, Action::Finished(run, Outcome::code(0)));
    let r = a.run_of(2, hola).unwrap();
    assert_eq!((r.status, r.exit_code), (RunStatus::Passed, Some(0)));
    assert_eq!(a.running, None);
    assert_eq!(a.selected_command(), hola, "the last command stays selected");

    a.selected[2] = 1;
    let Some(Effect::Run { run, .. }) = update(&mut a, Action::RunSelected).first().cloned() else { panic!() };
    update(&mut a, text(run, "REPOSITORY   TAG\n"));
    update(&mut a, Action::Finished(run, Outcome::code(0)));
    assert_eq!(a.selected_command(), 2, "selection moves on after a pass");
}

#[test]
fn run_fails_against_expectation_and_cancel_is_cancelled() {
    let mut a = app();
    update(&mut a, Action::GoToStep(2));
    let hola = a.lesson.steps[2].commands.iter().position(|c| c.text == "docker run --rm hola:1.0.0").unwrap();
    a.selected[2] = hola;
    let Some(Effect::Run { run, .. }) = update(&mut a, Action::RunSelected).first().cloned() else { panic!() };
    update(&mut a, text(run, "Adiós\n"));
    update(&mut a, Action::Finished(run, Outcome::code(0)));
    let r = a.run_of(2, hola).unwrap();
    assert_eq!(r.status, RunStatus::Failed);
    assert!(r.why.as_deref().unwrap().contains("Hola Mundo!!"));
    assert_eq!(a.step_state(2), StepState::Failed);

    let Some(Effect::Run { run, .. }) = update(&mut a, Action::RunSelected).first().cloned() else { panic!() };
    assert_eq!(update(&mut a, Action::Cancel), vec![Effect::Cancel(run)]);
    update(&mut a, Action::Finished(run, Outcome::code(CANCELLED)));
    assert_eq!(a.run_of(2, hola).unwrap().status, RunStatus::Cancelled);
}

#[test]
fn follow_tail_and_scroll_back() {
    let mut a = app();
    update(&mut a, Action::GoToStep(2));
    let Some(Effect::Run { run, .. }) = update(&mut a, Action::RunSelected).first().cloned() else { panic!() };
    for i in 0..50 {
        update(&mut a, text(run, &format!("línea {i}\n")));
    }
    a.focus = Focus::Run;
    assert_eq!(a.output_back, 0, "follows the tail");
    update(&mut a, Action::ScrollUp(10));
    assert_eq!(a.output_back, 10);
    update(&mut a, text(run, "otra\nmás\n"));
    assert_eq!(a.output_back, 12, "the view stays put while not following");
    update(&mut a, Action::FollowTail);
    assert_eq!(a.output_back, 0);
    update(&mut a, Action::ScrollDown(5));
    assert_eq!(a.output_back, 0);
}

#[test]
fn engine_lost_and_found() {
    let mut a = app();
    update(&mut a, Action::EngineLost { endpoint: "unix:///var/run/docker.sock".into(), reason: "no existe".into() });
    assert!(matches!(a.engine, EngineState::Unavailable { .. }));
    update(&mut a, Action::GoToStep(2));
    assert_eq!(update(&mut a, Action::RunSelected), vec![Effect::Reconnect]);
    assert!(a.runs.is_empty());
    update(&mut a, Action::EngineFound(EngineInfo::default()));
    assert!(a.engine_ready());
    let Some(Effect::Run { run, .. }) = update(&mut a, Action::RunSelected).first().cloned() else { panic!() };
    update(&mut a, Action::Finished(run, Outcome::lost()));
    assert!(matches!(a.engine, EngineState::Unavailable { .. }), "a run that lost the engine marks it lost");
}

#[test]
fn overlays_open_close_and_outline_jumps() {
    let mut a = app();
    update(&mut a, Action::ToggleHelp);
    assert_eq!(a.overlay, Overlay::Help);
    assert_eq!(map_key(&a, &key(KeyCode::Char('x'))), Some(Action::ToggleHelp), "any key closes help");
    update(&mut a, Action::ToggleHelp);
    update(&mut a, Action::ToggleOutline);
    assert_eq!(a.overlay, Overlay::Outline { cursor: 0 });
    update(&mut a, Action::SelectNext);
    update(&mut a, Action::SelectNext);
    let go = map_key(&a, &key(KeyCode::Enter)).unwrap();
    assert_eq!(go, Action::GoToStep(2));
    update(&mut a, go);
    assert_eq!((a.step, a.overlay.clone()), (2, Overlay::None));
}

#[test]
fn login_asks_for_the_password_without_showing_it() {
    let mut a = app();
    update(&mut a, Action::GoToStep(4));
    let login = a.lesson.steps[4].commands.iter().position(|c| c.text.starts_with("docker login")).unwrap();
    a.selected[4] = login;
    assert!(update(&mut a, Action::RunSelected).is_empty());
    assert!(matches!(&a.overlay, Overlay::Password(p) if p.username == "estudiante" && p.server == "127.0.0.1:5000"));
    for c in "secreto".chars() {
        update(&mut a, Action::PromptChar(c));
    }
    update(&mut a, Action::PromptBackspace);
    let fx = update(&mut a, Action::PromptSubmit);
    assert!(matches!(&fx[0], Effect::Run { password: Some(p), confirmed: false, .. } if p == "secret"));
    assert_eq!(a.overlay, Overlay::None);
    // Every time, as the lesson promises, whatever the environment says (that is for `check`).
    // SAFETY: this test binary reads no other environment variable concurrently that this affects.
    unsafe { std::env::set_var("ESTIBA_REGISTRY_PASSWORD", "estiba") };
    let Effect::Run { run, .. } = fx[0].clone() else { unreachable!() };
    update(&mut a, Action::Finished(run, Outcome::code(0)));
    a.selected[4] = login;
    assert!(update(&mut a, Action::RunSelected).is_empty());
    assert!(matches!(&a.overlay, Overlay::Password(_)));
}

#[test]
fn zoom_follows_the_focus_and_gives_the_shell_the_whole_width() {
    use estiba::app::layout::{Zoom, shell_size};
    let mut a = app();
    update(&mut a, Action::Resize(120, 40));
    assert_eq!(map_key(&a, &key(KeyCode::Char('z'))), Some(Action::ToggleZoom));
    update(&mut a, Action::ToggleZoom);
    assert_eq!(a.zoom, Zoom::Lesson);
    update(&mut a, Action::ToggleFocus);
    assert_eq!((a.focus, a.zoom), (Focus::Run, Zoom::Run));
    update(&mut a, Action::GoToStep(3));
    let sh = a.lesson.steps[3].commands.iter().position(|c| c.text == "docker run -it --rm hola:1.0.0 sh").unwrap();
    a.selected[3] = sh;
    let Some(Effect::RunShell { size, .. }) = update(&mut a, Action::RunSelected).first().cloned() else { panic!() };
    assert_eq!(size, (36, 118), "the whole screen but the status bar, the borders and the title line");
    assert!(shell_size(120, 40, Zoom::Lesson) == shell_size(120, 40, Zoom::None), "a lesson zoom gives way to the shell");
    update(&mut a, Action::ToggleZoom);
    assert_eq!(a.zoom, Zoom::None);
}

#[test]
fn interactive_run_opens_a_shell_that_forwards_keys() {
    let mut a = app();
    update(&mut a, Action::GoToStep(3));
    let sh = a.lesson.steps[3].commands.iter().position(|c| c.text == "docker run -it --rm hola:1.0.0 sh").unwrap();
    a.selected[3] = sh;
    let fx = update(&mut a, Action::RunSelected);
    let Some(Effect::RunShell { run, size, .. }) = fx.first().cloned() else { panic!("{fx:?}") };
    assert!(size.0 > 5 && size.1 > 20, "{size:?}");
    assert!(a.shell.is_some());
    assert_eq!(map_key(&a, &key(KeyCode::Char('q'))), Some(Action::ShellKey(b"q".to_vec())), "q is typed, not quit");
    assert_eq!(map_key(&a, &key(KeyCode::Enter)), Some(Action::ShellKey(b"\r".to_vec())));
    assert_eq!(map_key(&a, &KeyEvent::new(KeyCode::Char(']'), KeyModifiers::CONTROL)), Some(Action::LeaveShell));
    assert_eq!(
        map_key(&a, &KeyEvent::new(KeyCode::Char('5'), KeyModifiers::CONTROL)),
        Some(Action::LeaveShell),
        "0x1d as crossterm reads it"
    );
    assert_eq!(map_key(&a, &KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL)), Some(Action::ShellKey(vec![4])));
    assert_eq!(update(&mut a, Action::ShellKey(b"id\r".to_vec())), vec![Effect::ShellInput(run, b"id\r".to_vec())]);
    update(&mut a, Action::Output(run, Output::Tty(b"# id\r\nuid=0(root) gid=0(root) groups=0(root)\r\n# ".to_vec())));
    assert_eq!(update(&mut a, Action::Resize(120, 40)), vec![Effect::ShellResize(run, 36, 52)]);
    update(&mut a, Action::Finished(run, Outcome::code(0)));
    assert!(a.shell.is_none());
    let r = a.run_of(3, sh).unwrap();
    assert_eq!(r.status, RunStatus::Passed, "{:?}", r.why);
    assert!(r.output.plain_text().contains("uid=0(root)"));
}

#[rstest]
#[case::did_what_the_lesson_asked(b"# id\r\nuid=0(root) gid=0(root) groups=0(root)\r\n# ".as_slice(), RunStatus::Passed)]
#[case::left_before_trying(b"# ".as_slice(), RunStatus::Cancelled)]
fn leaving_the_shell_with_ctrl_bracket_judges_what_it_showed(#[case] screen: &[u8], #[case] want: RunStatus) {
    let mut a = app();
    update(&mut a, Action::GoToStep(3));
    let sh = a.lesson.steps[3].commands.iter().position(|c| c.text == "docker run -it --rm hola:1.0.0 sh").unwrap();
    a.selected[3] = sh;
    let Some(Effect::RunShell { run, .. }) = update(&mut a, Action::RunSelected).first().cloned() else { panic!() };
    update(&mut a, Action::Output(run, Output::Tty(screen.to_vec())));
    assert_eq!(update(&mut a, Action::LeaveShell), vec![Effect::Cancel(run)]);
    update(&mut a, Action::Finished(run, Outcome::code(CANCELLED)));
    let r = a.run_of(3, sh).unwrap();
    assert_eq!(r.status, want, "{:?}", r.why);
    let next = if want == RunStatus::Passed { sh + 1 } else { sh };
    assert_eq!(a.selected[3], next, "a pass moves on to the next command; a cancel stays");
}

#[test]
fn privileged_commands_wait_for_confirmation() {
    let mut a = app();
    update(&mut a, Action::GoToStep(6));
    let p = a.lesson.steps[6].commands.iter().position(|c| c.text.contains("--privileged")).unwrap();
    a.selected[6] = p;
    assert!(update(&mut a, Action::RunSelected).is_empty(), "nothing runs yet");
    let Overlay::Confirm { risks, .. } = &a.overlay else { panic!("{:?}", a.overlay) };
    assert!(risks[0].starts_with("--privileged"));
    assert_eq!(map_key(&a, &key(KeyCode::Char('n'))), Some(Action::Cancel));
    assert_eq!(map_key(&a, &key(KeyCode::Enter)), None, "Enter alone does not confirm");
    update(&mut a, Action::Cancel);
    assert!(a.runs.is_empty() && a.overlay == Overlay::None);
    assert!(a.notice.as_deref().is_some_and(|n| n.starts_with("No se ejecutó")), "declining says so: {:?}", a.notice);
    update(&mut a, Action::RunSelected);
    let fx = update(&mut a, Action::Confirm);
    assert!(matches!(&fx[0], Effect::Run { confirmed: true, .. }), "{fx:?}");
}

#[rstest]
#[case::engine_lost(Outcome::lost(), "se perdió la conexión con el motor")]
#[case::not_confirmed(Outcome::refused(), "necesita tu confirmación")]
fn a_command_that_did_not_run_to_its_end_never_passes(#[case] outcome: Outcome, #[case] why: &str) {
    // The `--privileged` counter-example accepts any exit code, and its output may say `CapEff:`.
    let mut a = app();
    update(&mut a, Action::GoToStep(6));
    let p = a.lesson.steps[6].commands.iter().position(|c| c.text.contains("--privileged")).unwrap();
    a.selected[6] = p;
    update(&mut a, Action::RunSelected);
    let Some(Effect::Run { run, .. }) = update(&mut a, Action::Confirm).first().cloned() else { panic!() };
    update(&mut a, text(run, "CapEff:\t000001ffffffffff\n"));
    update(&mut a, Action::Finished(run, outcome));
    let r = &a.runs[&(6, p)];
    assert_eq!(r.status, RunStatus::Failed);
    assert!(r.why.as_deref().unwrap_or_default().contains(why), "{:?}", r.why);
}

#[test]
fn a_flood_of_output_stays_bounded_and_esc_still_cancels() {
    let mut a = app();
    update(&mut a, Action::GoToStep(2));
    let Some(Effect::Run { run, .. }) = update(&mut a, Action::RunSelected).first().cloned() else { panic!() };
    let chunk = "y\n".repeat(1000);
    for _ in 0..300 {
        update(&mut a, text(run, &chunk));
    }
    let r = a.runs.values().find(|r| r.id == run).unwrap();
    assert_eq!(r.output.len(), estiba::app::output::DEFAULT_MAX_LINES);
    assert_eq!(r.output.dropped(), 300_000 - estiba::app::output::DEFAULT_MAX_LINES);
    assert_eq!(update(&mut a, Action::Cancel), vec![Effect::Cancel(run)]);
}

#[test]
fn restored_progress_is_reconciled_with_the_engine() {
    // Saved: at step 3 (Crear un contenedor), every command of steps 2 and 3 passed (and a stray index).
    let mut a = App::new(lesson());
    let b3 = a.lesson.steps[2].commands.iter().position(|c| c.text.starts_with("docker build")).unwrap();
    let saved = estiba::progress::Progress {
        version: estiba::progress::VERSION,
        lesson: a.lesson.id.clone(),
        step: 2,
        passed: (1..=2).flat_map(|s| (0..a.lesson.steps[s].commands.len()).map(move |c| (s, c))).chain([(99, 0)]).collect(),
    };
    a.restore(&saved);
    assert_eq!(a.step, 2);
    // When the engine answers, the app asks it whether the images those builds made still exist.
    let fx = update(&mut a, Action::EngineFound(EngineInfo::default()));
    assert_eq!(fx, vec![Effect::Reconcile(vec![(1, "cpp-build-base:0.1.0".into()), (2, "hola:1.0.0".into())])]);
    assert_eq!(a.step_state(2), StepState::Passed);
    // hola:1.0.0 is gone: its step is to be done again; the other stays passed.
    update(&mut a, Action::StepRedo(2));
    assert_eq!(a.step_state(2), StepState::Redo);
    assert_eq!(a.step_state(1), StepState::Passed);
    // Running the build again clears it.
    update(&mut a, Action::GoToStep(2));
    a.selected[2] = b3;
    let Some(Effect::Run { run, .. }) = update(&mut a, Action::RunSelected).first().cloned() else { panic!() };
    update(&mut a, text(run, "Successfully tagged hola:1.0.0\n"));
    update(&mut a, Action::Finished(run, Outcome::code(0)));
    assert_ne!(a.step_state(2), StepState::Redo);
}

#[test]
fn the_wheel_scrolls_the_pane_under_the_pointer() {
    use crossterm::event::{MouseEvent, MouseEventKind};
    use estiba::app::keys::map_mouse;
    let mut a = app();
    a.size = (120, 40);
    update(&mut a, Action::LessonMetrics { lines: 200, height: 30 });
    let wheel = |kind, column| MouseEvent { kind, column, row: 5, modifiers: KeyModifiers::NONE };
    // Over the lesson (left): the lesson scrolls, whatever pane has the focus.
    a.focus = Focus::Run;
    let down = map_mouse(&wheel(MouseEventKind::ScrollDown, 10)).unwrap();
    assert_eq!(down, Action::Wheel { column: 10, up: false });
    update(&mut a, down);
    assert_eq!(a.lesson_scroll, 3);
    update(&mut a, map_mouse(&wheel(MouseEventKind::ScrollUp, 10)).unwrap());
    assert_eq!(a.lesson_scroll, 0);
    // Over the run pane (right): the output scrolls back, and the lesson stays.
    let Some(Effect::Run { run, .. }) = update(&mut a, Action::RunSelected).first().cloned() else { panic!() };
    update(&mut a, text(run, &"línea\n".repeat(100)));
    update(&mut a, map_mouse(&wheel(MouseEventKind::ScrollUp, 110)).unwrap());
    assert_eq!((a.output_back, a.lesson_scroll), (3, 0));
    // Clicks and moves do nothing.
    assert_eq!(map_mouse(&wheel(MouseEventKind::Moved, 110)), None);
}

/// Runs command `cmd` (found in any step) with `output`, exit code 0; returns its record's status.
fn run_with(cmd: &str, output: &[(Stream, &str)]) -> (RunStatus, Option<String>) {
    let mut a = app();
    let (step, idx) = a
        .lesson
        .steps
        .iter()
        .enumerate()
        .find_map(|(s, st)| st.commands.iter().position(|c| c.text == cmd).map(|i| (s, i)))
        .unwrap_or_else(|| panic!("{cmd}"));
    update(&mut a, Action::GoToStep(step));
    a.selected[step] = idx;
    let Some(Effect::Run { run, .. }) = update(&mut a, Action::RunSelected).first().cloned() else { panic!() };
    update(&mut a, Action::Started(run));
    for (stream, t) in output {
        update(&mut a, Action::Output(run, Output::Text { stream: *stream, text: (*t).into() }));
    }
    update(&mut a, Action::Finished(run, Outcome::code(0)));
    let r = a.run_of(step, idx).unwrap();
    (r.status, r.why.clone())
}

#[test]
fn a_tab_in_the_expectation_matches_the_output() {
    let status = run_with(
        "docker run --rm --user 10001:10001 ubuntu:24.04 grep Cap /proc/self/status",
        &[(Stream::Stdout, "CapPrm:\t0000000000000000\nCapEff:"), (Stream::Stdout, "\t0000000000000000\n")],
    );
    assert_eq!(status, (RunStatus::Passed, None));
}

#[test]
fn stderr_in_the_middle_of_a_stdout_line_does_not_break_it() {
    let status = run_with(
        "docker run --rm hola:1.0.0",
        &[(Stream::Stdout, "Hola "), (Stream::Stderr, "WARNING: plataforma\n"), (Stream::Stdout, "Mundo!!\n")],
    );
    assert_eq!(status, (RunStatus::Passed, None));
}
