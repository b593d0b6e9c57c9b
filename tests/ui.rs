//! The screen as a learner sees it: insta snapshots of `TestBackend` frames, plus colour checks.

use std::path::Path;

use estiba::app::{Action, App, Effect, update};
use estiba::docker::{EngineInfo, Outcome, Output, Stream};
use estiba::lesson::{Lesson, LoadOptions};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

fn app() -> App {
    let lesson = Lesson::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/cpp-seguro.md"), &LoadOptions::default()).unwrap();
    let mut a = App::new(lesson);
    a.size = (100, 30);
    update(
        &mut a,
        Action::EngineFound(EngineInfo { version: "20.10.24".into(), api_version: "1.41".into(), platform: "linux/amd64".into() }),
    );
    a
}

fn draw(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    app.size = (w, h);
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let m = estiba::ui::lesson_metrics(app, w, h);
    update(app, Action::LessonMetrics { lines: m.0, height: m.1 });
    let max_back = estiba::ui::output_metrics(app, w, h);
    update(app, Action::OutputMetrics { max_back });
    let max_scroll = estiba::ui::compare_metrics(app, w, h);
    update(app, Action::CompareMetrics { max_scroll });
    t.draw(|f| estiba::ui::draw(f, app)).unwrap();
    t
}

fn command_index(app: &App, step: usize, text: &str) -> usize {
    app.lesson.steps[step].commands.iter().position(|c| c.text == text).unwrap_or_else(|| panic!("{text}"))
}

/// Runs command `text` of `step` with `output` and `outcome`, without an engine.
fn simulate(app: &mut App, step: usize, text: &str, output: &[&str], outcome: Option<i64>) -> u64 {
    update(app, Action::GoToStep(step));
    app.selected[step] = command_index(app, step, text);
    let fx = update(app, Action::RunSelected);
    let Some(Effect::Run { run, .. }) = fx.first().cloned() else { panic!("{fx:?}") };
    update(app, Action::Started(run));
    for o in output {
        update(app, Action::Output(run, Output::Text { stream: Stream::Stdout, text: o.to_string() }));
    }
    if let Some(code) = outcome {
        update(app, Action::Finished(run, Outcome::code(code)));
    }
    if let Some(r) = app.runs.values_mut().find(|r| r.id == run) {
        r.elapsed = std::time::Duration::from_millis(1200);
    }
    run
}

/// Finds `needle` on screen; returns the style of its first cell.
fn style_of(t: &Terminal<TestBackend>, needle: &str) -> ratatui::style::Style {
    let buf = t.backend().buffer();
    for y in 0..buf.area.height {
        let row: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol().to_string()).collect();
        if let Some(byte) = row.find(needle) {
            let x = row[..byte].chars().count() as u16;
            return buf[(x, y)].style();
        }
    }
    panic!("`{needle}` not on screen:\n{}", t.backend());
}

#[test]
fn first_step() {
    insta::assert_snapshot!(draw(&mut app(), 100, 30).backend());
}

#[test]
fn step_with_a_table() {
    let mut a = app();
    update(&mut a, Action::GoToStep(7));
    update(&mut a, Action::ScrollDown(8));
    insta::assert_snapshot!(draw(&mut a, 100, 30).backend());
}

#[test]
fn dockerfile_code_step() {
    let mut a = app();
    update(&mut a, Action::GoToStep(1));
    insta::assert_snapshot!(draw(&mut a, 100, 30).backend());
}

#[test]
fn run_pane_mid_build() {
    let mut a = app();
    simulate(
        &mut a,
        2,
        "docker build -t hola:1.0.0 assets/hola-ubuntu",
        &[
            "Sending build context to Docker daemon  5.12kB\n",
            "Step 1/11 : FROM cpp-build-base:0.1.0 AS build\n",
            " ---> 32b3662f4dc4\n",
            "Step 3/11 : WORKDIR /src\n",
        ],
        None,
    );
    let t = draw(&mut a, 100, 30);
    insta::assert_snapshot!(t.backend());
    assert_eq!(style_of(&t, "▶ $ docker build").fg, Some(Color::Yellow));
}

#[test]
fn run_pane_after_hola_mundo() {
    let mut a = app();
    simulate(&mut a, 2, "docker run --rm hola:1.0.0", &["Hola Mundo!!\n"], Some(0));
    let t = draw(&mut a, 100, 30);
    insta::assert_snapshot!(t.backend());
    assert_eq!(style_of(&t, "✔ $ docker run").fg, Some(Color::Green), "passed mark is green");
    assert_eq!(style_of(&t, "✔ superada").fg, Some(Color::Green));
}

#[test]
fn failed_mark_is_red() {
    let mut a = app();
    simulate(&mut a, 2, "docker run --rm hola:1.0.0", &["\u{1b}[33mAdiós\u{1b}[0m\n"], Some(0));
    let t = draw(&mut a, 100, 30);
    assert_eq!(style_of(&t, "✘ $ docker run").fg, Some(Color::Red));
    assert_eq!(style_of(&t, "✘ fallida").fg, Some(Color::Red));
    assert_eq!(style_of(&t, "Adiós").fg, Some(Color::Yellow), "ANSI colours of the output are kept");
}

#[test]
fn help_overlay() {
    let mut a = app();
    update(&mut a, Action::ToggleHelp);
    insta::assert_snapshot!(draw(&mut a, 100, 30).backend());
}

#[test]
fn outline_overlay() {
    let mut a = app();
    simulate(&mut a, 2, "docker run --rm hola:1.0.0", &["Hola Mundo!!\n"], Some(0));
    simulate(&mut a, 3, "docker run --rm hola:2.0.0", &["nada\n"], Some(1));
    update(&mut a, Action::ToggleOutline);
    let t = draw(&mut a, 100, 30);
    insta::assert_snapshot!(t.backend());
    assert_eq!(style_of(&t, "✘ Scratch").fg, Some(Color::Red));
}

#[test]
fn no_engine_shows_what_was_tried_and_recorded_output() {
    let mut a = app();
    update(
        &mut a,
        Action::EngineLost { endpoint: "unix:///var/run/docker.sock".into(), reason: "No such file or directory (os error 2)".into() },
    );
    update(&mut a, Action::GoToStep(2));
    a.selected[2] = command_index(&a, 2, "docker run --rm hola:1.0.0");
    let t = draw(&mut a, 100, 30);
    insta::assert_snapshot!(t.backend());
    assert_eq!(style_of(&t, "Sin motor de Docker").fg, Some(Color::Red));
}

#[test]
fn too_small_terminal() {
    let mut a = app();
    insta::assert_snapshot!("too_small_20x5", draw(&mut a, 20, 5).backend());
    let t = draw(&mut a, 1, 1);
    assert_eq!(t.backend().buffer().area.width, 1);
    draw(&mut a, 59, 40);
    draw(&mut a, 200, 14);
}

#[test]
fn every_size_draws_without_panicking() {
    let mut a = app();
    simulate(&mut a, 2, "docker run --rm hola:1.0.0", &["Hola Mundo!!\n"], Some(0));
    for w in [1, 2, 10, 59, 60, 61, 80, 100, 160] {
        for h in [1, 2, 5, 14, 15, 16, 30, 60] {
            draw(&mut a, w, h);
        }
    }
}

#[test]
fn capability_masks_are_decoded_next_to_the_hex() {
    let mut a = app();
    simulate(
        &mut a,
        6,
        "docker run --rm ubuntu:24.04 grep Cap /proc/self/status",
        &[
            "CapInh:\t0000000000000000\n",
            "CapPrm:\t00000000a80425fb\n",
            "CapEff:\t00000000a80425fb\n",
            "CapBnd:\t00000000a80425fb\n",
            "CapAmb:\t0000000000000000\n",
        ],
        Some(0),
    );
    let t = draw(&mut a, 160, 30);
    insta::assert_snapshot!(t.backend());
    assert_eq!(style_of(&t, "(14: cap_chown").fg, Some(Color::Cyan));
    assert!(t.backend().to_string().contains("(ninguna)"));
}

fn row(name: &str, size: i64, uid: u32, shell: bool, caps: usize, opts: &[&str]) -> estiba::compare::Row {
    let mut r: estiba::compare::Row = serde_json::from_value(serde_json::json!({
        "name": name, "image": name, "run_options": opts, "status": "ok", "built_by": "Scratch", "error": null,
        "size_bytes": size, "size": estiba::docker::format::human_size(size), "layers": 2, "base": null, "has_shell": shell,
        "uid": uid, "gid": uid, "groups": [uid], "id_output": if uid == 0 { "uid=0(root) gid=0(root) groups=0(root)".to_string() } else { format!("uid={uid} gid={uid} groups={uid}") },
        "user": "", "cap_eff": [], "cap_prm": [], "cap_bnd": [], "no_new_privs": false, "rootfs_writable": true, "digest": null
    }))
    .unwrap();
    r.cap_eff = (0..caps).map(|i| format!("cap_{i}")).collect();
    r
}

#[test]
fn comparison_view_and_chart() {
    let mut a = app();
    update(&mut a, Action::ToggleCompare);
    let rows = vec![
        row("cpp-build-base:0.1.0", 559_000_000, 0, true, 14, &[]),
        row("hola:1.0.0", 207_000_000, 0, true, 14, &[]),
        row("hola:2.0.0", 2_220_000, 0, false, 14, &[]),
        row("hola:2.1.0", 2_220_000, 10001, false, 0, &[]),
        row("ubuntu:24.04 --cap-drop ALL", 207_000_000, 0, true, 0, &["--cap-drop ALL"]),
    ];
    for (i, r) in rows.into_iter().enumerate() {
        update(&mut a, Action::CompareRow(i, r));
    }
    let mut missing = row("hola:1.1.0", 0, 0, false, 0, &[]);
    missing.status = "missing".into();
    missing.built_by = "Seguridad › Usuario".into();
    update(&mut a, Action::CompareRow(5, missing));
    let mut refused = row("ubuntu:24.04 --privileged", 207_000_000, 0, true, 0, &["--privileged"]);
    refused.status = "error".into();
    refused.error = Some(
        "el motor no arranca este contenedor: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: unable to apply caps: operation not permitted: unknown".into(),
    );
    update(&mut a, Action::CompareRow(6, refused));
    update(&mut a, Action::CompareDone);
    let t = draw(&mut a, 100, 30);
    insta::assert_snapshot!(t.backend());
    // The engine's refusal is quoted whole under the table, wrapped, in red.
    let screen = t.backend().to_string();
    assert!(screen.contains("✘ sin medir ↓"), "{screen}");
    assert!(screen.contains("✘ ubuntu:24.04 --privileged: el motor no arranca este contenedor"), "{screen}");
    assert!(screen.contains("operation not permitted: unknown"), "{screen}");
    assert_eq!(style_of(&t, "✘ ubuntu:24.04 --privileged").fg, Some(Color::Red));
    assert_eq!(style_of(&t, "⚠ root").fg, Some(Color::Red), "root rows are marked");
    assert!(t.backend().to_string().contains("falta hola:1.1.0: la construye el paso «Seguridad › Usuario»"));
    // The 2.22MB bar is 250× shorter than the 559MB one and still drawn.
    let screen = t.backend().to_string();
    let small =
        screen.lines().find(|l| l.contains("hola:2.0.0") && l.contains("2.22MB") && !l.contains("root")).expect("bar of hola:2.0.0");
    assert!(small.chars().any(|c| "▏▎▍▌▋▊▉█".contains(c)), "{small}");
}

#[test]
fn comparison_view_scrolls_when_it_does_not_fit() {
    let mut a = app();
    update(&mut a, Action::ToggleCompare);
    let names = ["cpp-build-base:0.1.0", "hola:1.0.0", "hola:2.0.0", "hola:1.1.0", "hola:2.1.0", "ubuntu:24.04"];
    for (i, n) in names.iter().enumerate() {
        update(&mut a, Action::CompareRow(i, row(n, 2_220_000 * (i as i64 + 1), 0, true, 14, &[])));
    }
    for i in 0..6 {
        let opts = format!("--user 1000{i}");
        update(&mut a, Action::CompareRow(6 + i, row(&format!("ubuntu:24.04 {opts}"), 207_000_000, 10000 + i as u32, true, 0, &[&opts])));
    }
    update(&mut a, Action::CompareDone);
    // 80×24, as on a projector with a large font: the chart is below the fold.
    let t = draw(&mut a, 80, 24);
    let top = t.backend().to_string();
    assert!(top.contains("↑↓ desplaza"), "{top}");
    let last_bar = |screen: &str| screen.lines().any(|l| l.contains("ubuntu:24.04 ") && l.contains('█'));
    assert!(!last_bar(&top), "{top}");
    assert!(a.compare_max_scroll > 0);
    let key = |a: &App, c| estiba::app::keys::map_key(a, &crossterm::event::KeyEvent::new(c, crossterm::event::KeyModifiers::NONE));
    let end = key(&a, crossterm::event::KeyCode::End).expect("End scrolls");
    update(&mut a, end);
    assert_eq!(a.compare_scroll, a.compare_max_scroll, "clamped to the content");
    let t = draw(&mut a, 80, 24);
    let bottom = t.backend().to_string();
    assert!(last_bar(&bottom), "the last bar is reached: {bottom}");
    let up = key(&a, crossterm::event::KeyCode::Up).expect("Up scrolls");
    update(&mut a, up);
    assert_eq!(a.compare_scroll, a.compare_max_scroll - 1);
    // Closing and opening again starts at the top; a view that fits does not scroll.
    update(&mut a, Action::ToggleCompare);
    update(&mut a, Action::ToggleCompare);
    assert_eq!(a.compare_scroll, 0);
    let t = draw(&mut a, 120, 60);
    assert!(!t.backend().to_string().contains("↑↓ desplaza"));
    assert_eq!(a.compare_max_scroll, 0);
}

/// The VARIANTE cells of the row whose name starts with `first` and of the rows it wraps onto:
/// the column ends where the header's TAMAÑO begins (less the space between columns).
fn name_cells(t: &Terminal<TestBackend>, first: &str, name: &str) -> Vec<String> {
    let screen = t.backend().to_string();
    let lines: Vec<Vec<char>> = screen.lines().map(|l| l.trim_matches('"').chars().collect()).collect();
    let header = lines.iter().find(|l| l.iter().collect::<String>().contains("VARIANTE")).expect("table header");
    let size_x = (0..header.len()).find(|&x| header[x..].starts_with(&['T', 'A', 'M', 'A', 'Ñ', 'O'])).expect("TAMAÑO");
    let cell = |l: &Vec<char>| l[1..size_x - 1].iter().collect::<String>().trim_end().to_string();
    let start = lines.iter().position(|l| cell(l).starts_with(first)).unwrap_or_else(|| panic!("no row starts with {first}:\n{screen}"));
    let mut cells = Vec::new();
    for l in &lines[start..] {
        cells.push(cell(l));
        if cells.concat().replace(' ', "").len() >= name.replace(' ', "").len() {
            break;
        }
    }
    cells
}

#[test]
fn comparison_wraps_long_names_and_shows_digests() {
    let long = "hola:2.1.0 --user 10001:10001 --cap-drop ALL --security-opt no-new-privileges --read-only";
    let pushed = "127.0.0.1:5000/estudiante/hola:2.0.0";
    let hex = "5be1e4c1d7a7f1c3a2b9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7";
    let mut a = app();
    update(&mut a, Action::ToggleCompare);
    let mut p = row(pushed, 2_220_000, 0, false, 14, &[]);
    p.digest = Some(format!("127.0.0.1:5000/estudiante/hola@sha256:{hex}"));
    let opts = ["--user 10001:10001", "--cap-drop ALL", "--security-opt no-new-privileges", "--read-only"];
    let mut l = row(long, 2_220_000, 10001, false, 0, &opts);
    l.no_new_privs = Some(true);
    l.rootfs_writable = Some(false);
    let rows = [row("hola:1.0.0", 207_000_000, 0, true, 14, &[]), l, p, row("hola:2.0.0", 2_220_000, 0, false, 14, &[])];
    for (i, r) in rows.into_iter().enumerate() {
        update(&mut a, Action::CompareRow(i, r));
    }
    update(&mut a, Action::CompareDone);
    for (w, h, digest) in [(100, 30, true), (120, 40, true), (80, 30, false)] {
        let t = draw(&mut a, w, h);
        let screen = t.backend().to_string();
        // Whole, over as many rows as it takes, in order; the rest of its row on its first line.
        let cells = name_cells(&t, "hola:2.1.0 --user", long);
        assert!(cells.len() > 1, "{w}×{h}: wrapped over rows: {cells:?}\n{screen}");
        assert_eq!(cells.join(" "), long, "{w}×{h}: the whole name:\n{screen}");
        let first = screen.lines().find(|line| line.contains("hola:2.1.0 --user")).unwrap();
        assert!(first.contains("10001") && first.contains("ninguna") && first.contains("solo lect."), "{w}×{h}: {first}");
        assert_eq!(name_cells(&t, "127.0.0.1:5000/", pushed).concat(), pushed, "{w}×{h}:\n{screen}");
        // The digest's first 12 hex digits on the pushed row; a dash on the others.
        let header = screen.lines().find(|line| line.contains("VARIANTE")).unwrap();
        let pushed_line = screen.lines().find(|line| line.contains("127.0.0.1:5000/")).unwrap();
        let plain_line = screen.lines().find(|line| line.contains("│hola:1.0.0 ")).unwrap();
        if digest {
            assert!(header.contains("DIGEST"), "{w}×{h}: {header}");
            assert!(pushed_line.contains(&hex[..12]) && !pushed_line.contains(&hex[..13]), "{w}×{h}: {pushed_line}");
            assert!(plain_line.trim_end_matches(['│', '"', ' ']).ends_with('—'), "{w}×{h}: {plain_line}");
        } else {
            assert!(!header.contains("DIGEST") && !screen.contains(&hex[..12]), "{w}×{h}: no room for digests:\n{screen}");
        }
        assert_eq!(style_of(&t, "⚠ root").fg, Some(Color::Red), "{w}×{h}: root rows are marked");
        // The chart's labels are narrower: a name cut there says so.
        assert!(screen.contains("│127.0.0.1:5000/estudiante/hol… "), "{w}×{h}:\n{screen}");
    }
}

#[test]
fn push_shows_a_bar_per_layer_being_sent() {
    let mut a = app();
    let step = a.lesson.steps.iter().position(|s| s.commands.iter().any(|c| c.text.starts_with("docker push"))).unwrap();
    let text = a.lesson.steps[step].commands.iter().find(|c| c.text.starts_with("docker push")).unwrap().text.clone();
    let run = simulate(&mut a, step, &text, &["The push refers to repository [127.0.0.1:5000/estudiante/hola]\n"], None);
    let bar = |id: &str, status: &str, current: u64, total: u64| {
        Action::Output(
            run,
            Output::Progress(estiba::docker::Progress { id: id.into(), status: status.into(), current: Some(current), total: Some(total) }),
        )
    };
    update(&mut a, bar("capa 1/2", "Pushing", 1_100_000, 2_200_000));
    update(&mut a, bar("capa 2/2", "Pushing", 512, 512));
    update(&mut a, bar("capa 2/2", "Pushed", 512, 512));
    update(&mut a, Action::Output(run, Output::Text { stream: Stream::Stdout, text: "capa 2/2: Pushed\n".into() }));
    let t = draw(&mut a, 100, 30);
    let screen = t.backend().to_string();
    assert!(screen.contains("capa 1/2: Pushing 1.1MB/2.2MB"), "the layer still under way has its bar:\n{screen}");
    assert!(!screen.contains("capa 2/2: Pushed 512B"), "a finished layer's bar goes away:\n{screen}");
    insta::assert_snapshot!(t.backend());
    // Two uploads at once: two bars.
    update(&mut a, bar("capa 2/2", "Pushing", 10, 5_000));
    let screen = draw(&mut a, 100, 30).backend().to_string();
    assert!(screen.contains("capa 1/2: Pushing") && screen.contains("capa 2/2: Pushing 10B/5kB"), "{screen}");
}

#[test]
fn stderr_is_red_and_stdout_plain() {
    let mut a = app();
    let run = simulate(&mut a, 6, "docker run --rm --read-only ubuntu:24.04 touch /prueba", &["salida normal\n"], None);
    update(
        &mut a,
        Action::Output(run, Output::Text { stream: Stream::Stderr, text: "touch: cannot touch '/prueba': Read-only file system\n".into() }),
    );
    update(&mut a, Action::Finished(run, Outcome::code(1)));
    let t = draw(&mut a, 120, 30);
    assert_eq!(style_of(&t, "touch: cannot touch").fg, Some(Color::Red));
    assert!(matches!(style_of(&t, "salida normal").fg, None | Some(Color::Reset)));
}

#[test]
fn stderr_after_unfinished_stdout_keeps_its_own_line_and_colour() {
    let mut a = app();
    let run = simulate(&mut a, 2, "docker run --rm hola:1.0.0", &["\u{1b}[32mHola "], None);
    update(&mut a, Action::Output(run, Output::Text { stream: Stream::Stderr, text: "aviso del motor\n".into() }));
    update(&mut a, Action::Output(run, Output::Text { stream: Stream::Stdout, text: "Mundo!!\u{1b}[0m\n".into() }));
    let t = draw(&mut a, 100, 30);
    assert_eq!(style_of(&t, "aviso del motor").fg, Some(Color::Red), "stderr in its colour");
    assert_eq!(style_of(&t, "Hola Mundo!!").fg, Some(Color::Green), "stdout line whole, in its own colour");
    assert!(!t.backend().to_string().contains("Hola aviso"));
}

#[test]
fn a_long_build_scrolls_back_to_its_first_line_after_it_passed() {
    let mut a = app();
    let mut out = vec![
        "Sending build context to Docker daemon  2.048kB\n".to_string(),
        "Step 1/4 : FROM ubuntu:24.04\n".to_string(),
        "Step 2/4 : RUN apt-get update && apt-get install -y --no-install-recommends g++ cmake make\n".to_string(),
    ];
    out.extend((1..=300).map(|i| format!("Get:{i} file:/var/lib/estiba-apt ./ paquete-{i} 12.2.0-14+deb12u1 [10.7 MB]\n")));
    out.push("Successfully tagged cpp-build-base:0.1.0\n".into());
    let lines: Vec<&str> = out.iter().map(String::as_str).collect();
    simulate(&mut a, 1, "docker build -t cpp-build-base:0.1.0 assets/cpp-build-base", &lines, Some(0));
    // It passed: the selection moved on to the next command, and its output stays in view.
    assert_eq!(a.selected[1], 1);
    a.focus = estiba::app::Focus::Run;
    draw(&mut a, 100, 30);
    for _ in 0..100 {
        update(&mut a, Action::ScrollUp(10));
    }
    let top = draw(&mut a, 100, 30).backend().to_string();
    assert!(top.contains("Sending build context to Docker daemon"), "{top}");
    assert!(top.contains("Step 1/4 : FROM ubuntu:24.04"), "{top}");
    // Scrolled to the top, one page down moves at once (no dead zone past the top).
    update(&mut a, Action::ScrollDown(10));
    let moved = draw(&mut a, 100, 30).backend().to_string();
    assert!(!moved.contains("Sending build context"), "{moved}");
    update(&mut a, Action::FollowTail);
    let tail = draw(&mut a, 100, 30).backend().to_string();
    assert!(tail.contains("Successfully tagged cpp-build-base:0.1.0"), "{tail}");
}

#[test]
fn z_gives_the_focused_pane_the_whole_width() {
    let mut a = app();
    let table = "REPOSITORY       TAG       IMAGE ID       CREATED          SIZE\n\
                 cpp-build-base   0.1.0     5c2e8a17d3b4   15 seconds ago   431MB\n";
    simulate(&mut a, 1, "docker images cpp-build-base", &[table], Some(0));
    let narrow = draw(&mut a, 100, 30).backend().to_string();
    assert!(!narrow.contains("cpp-build-base   0.1.0     5c2e8a17d3b4   15 seconds ago   431MB"), "wraps when narrow");
    a.focus = estiba::app::Focus::Run;
    update(&mut a, Action::ToggleZoom);
    let wide = draw(&mut a, 100, 30).backend().to_string();
    assert!(wide.contains("cpp-build-base   0.1.0     5c2e8a17d3b4   15 seconds ago   431MB"), "{wide}");
    assert!(!wide.contains("Imagen para compilar"), "the lesson pane is hidden: {wide}");
    // Tab shows the other pane, whole; z again goes back to both.
    update(&mut a, Action::ToggleFocus);
    let lesson = draw(&mut a, 100, 30).backend().to_string();
    assert!(lesson.contains("Imagen para compilar") && !lesson.contains("Órdenes"), "{lesson}");
    update(&mut a, Action::ToggleZoom);
    let both = draw(&mut a, 100, 30).backend().to_string();
    assert!(both.contains("Imagen para compilar") && both.contains("Órdenes"), "{both}");
}

#[test]
fn the_selected_command_is_shown_whole() {
    let mut a = app();
    let step = a.lesson.steps.iter().position(|s| s.commands.iter().any(|c| c.text.starts_with("docker login"))).unwrap();
    update(&mut a, Action::GoToStep(step));
    a.selected[step] = a.lesson.steps[step].commands.iter().position(|c| c.text.starts_with("docker login")).unwrap();
    let screen = draw(&mut a, 100, 30).backend().to_string();
    let rows: String = screen.lines().map(|l| l.split("││").nth(1).unwrap_or("").trim_end_matches(['│', '"', ' ']).to_string()).collect();
    assert!(rows.contains("docker login 127.0.0.1:5000 -u estudiante --password-stdin"), "{screen}");
    // The others are cut with an ellipsis.
    assert!(screen.contains("…"), "{screen}");
}

#[test]
fn narrow_status_bar_keeps_help_and_quit_whole() {
    for w in [60u16, 64, 72, 80] {
        let mut a = app();
        let info = EngineInfo { version: "20.10.24+dfsg1".into(), api_version: "1.41".into(), platform: "linux/amd64".into() };
        update(&mut a, Action::EngineFound(info));
        let t = draw(&mut a, w, 15);
        let buf = t.backend().buffer();
        let last: String = (0..w).map(|x| buf[(x, 14)].symbol().to_string()).collect();
        assert!(last.trim_end().ends_with("? ayuda · q salir"), "{w}: {last:?}");
        assert!(last.contains("Docker 20.10.24+dfsg1"), "{w}: {last:?}");
    }
}
