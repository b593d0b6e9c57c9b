//! `prepare` against the real engine: an instructor's `docker save` archive is loaded, idempotently.

mod common;

use estiba::docker::{BaseOrigin, Output, PrepareOptions, Session};
use estiba::lesson::DockerCommand;

const LESSON: &str = "estiba-tests-prepare";
const BASE: &str = "estiba-prueba/base:1";

fn tiny_rootfs() -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let data = b"hola desde la base de prueba\n";
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    b.append_data(&mut h, "hola.txt", &data[..]).unwrap();
    b.into_inner().unwrap()
}

#[tokio::test]
async fn loads_bases_from_an_instructor_archive() {
    let Some(engine) = common::engine().await else { return };
    let changes = vec![format!("LABEL estiba.lesson={LESSON}")];
    let body = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(tiny_rootfs()))]);
    // The comment is Estiba's ownership mark, as on everything it imports: the `rmi` below may remove it.
    let mark = estiba::docker::ownership_mark(LESSON);
    engine.import_rootfs(body, BASE, changes, &mark).await.expect("import");
    let archive = std::env::temp_dir().join(format!("estiba-bases-{}.tar", std::process::id()));
    let written = engine.save(&[BASE.to_string()], &archive).await.expect("save");
    assert!(written > 1024, "{written} bytes");

    let mut session = Session { lesson_id: LESSON.into(), ..Session::default() };
    let rmi = DockerCommand::Rmi { images: vec![BASE.into()], force: false };
    let mut sink = |_: Output| {};
    assert_eq!(engine.execute(&rmi, &mut session, &mut sink).await.exit_code, 0);
    assert!(engine.base_origin(BASE).await.is_none(), "removed before loading");

    let mut log = String::new();
    let mut out = |o: Output| {
        if let Output::Text { text, .. } = o {
            log.push_str(&text);
        }
    };
    let opts = PrepareOptions { from: Some(archive.clone()), offline: true, lesson_id: LESSON.into(), ..PrepareOptions::default() };
    let done = engine.prepare(&[BASE.to_string()], &opts, &mut out).await.expect("prepare");
    assert_eq!(done[0].origin, BaseOrigin::Loaded, "{log}");
    assert!(log.contains("cargada de"), "{log}");

    // Idempotent: a second run finds it and loads nothing.
    let again = engine.prepare(&[BASE.to_string()], &opts, &mut |_| {}).await.expect("prepare again");
    assert_eq!(again[0].origin, BaseOrigin::Present);

    // A base it cannot make offline is a clear error, not a hang.
    let none = PrepareOptions { offline: true, lesson_id: LESSON.into(), ..PrepareOptions::default() };
    let err = engine.prepare(&["estiba-prueba/no-existe:1".to_string()], &none, &mut |_| {}).await.expect_err("no way to get it");
    assert!(err.to_string().contains("--from"), "{err}");

    let mut sink = |_: Output| {};
    engine.execute(&rmi, &mut session, &mut sink).await;
    let _ = std::fs::remove_file(&archive);
    assert!(engine.owned(LESSON).await.unwrap().images.is_empty());
}
