//! `estiba clean` removes only what carries the lesson's label, never a look-alike of the learner's.

mod common;

use estiba::docker::Engine;

const LESSON: &str = "estiba-tests-clean";

fn rootfs(text: &str) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(text.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    b.append_data(&mut h, "dato.txt", text.as_bytes()).unwrap();
    b.into_inner().unwrap()
}

async fn import(engine: &Engine, reference: &str, labels: &[&str]) {
    let body = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(rootfs(reference)))]);
    let changes = labels.iter().map(|l| format!("LABEL {l}")).collect();
    engine.import_rootfs(body, reference, changes, "prueba de clean").await.expect("import");
}

#[tokio::test]
async fn clean_removes_only_labelled_things() {
    let Some(engine) = common::engine().await else { return };
    // The learner's own image, named like a lesson image, without the label.
    import(&engine, "estiba-clean-prueba/hola:1.0.0", &[]).await;
    // Two images of the lesson, and a stand-in base.
    import(&engine, "estiba-clean-prueba/hola:2.0.0", &[&format!("estiba.lesson={LESSON}")]).await;
    import(&engine, "estiba-clean-prueba/otra:1", &[&format!("estiba.lesson={LESSON}")]).await;
    import(&engine, "estiba-clean-prueba/base:1", &[&format!("estiba.lesson={LESSON}"), "estiba.standin=debian-prueba"]).await;

    let cleaned = engine.clean(LESSON, false).await.expect("clean");
    assert!(cleaned.images.contains(&"estiba-clean-prueba/hola:2.0.0".to_string()), "{cleaned:?}");
    assert!(cleaned.images.contains(&"estiba-clean-prueba/otra:1".to_string()), "{cleaned:?}");
    assert!(engine.image_info("estiba-clean-prueba/hola:2.0.0").await.unwrap().is_none());
    assert!(engine.image_info("estiba-clean-prueba/hola:1.0.0").await.unwrap().is_some(), "the learner's image survives");
    assert!(engine.image_info("estiba-clean-prueba/base:1").await.unwrap().is_some(), "stand-in kept without --all");
    assert!(cleaned.kept.iter().any(|(n, _)| n == "estiba-clean-prueba/base:1"));

    let all = engine.clean(LESSON, true).await.expect("clean --all");
    assert_eq!(all.images, ["estiba-clean-prueba/base:1"]);
    assert!(engine.owned(LESSON).await.unwrap().images.is_empty());
    assert!(engine.image_info("estiba-clean-prueba/hola:1.0.0").await.unwrap().is_some(), "still untouched");

    // Remove the learner's look-alike by hand (Estiba itself refuses to).
    let mut s = estiba::docker::Session { lesson_id: LESSON.into(), ..Default::default() };
    let rmi = estiba::lesson::DockerCommand::Rmi { images: vec!["estiba-clean-prueba/hola:1.0.0".into()], force: false };
    let mut out = String::new();
    let code = {
        let mut sink = |o: estiba::docker::Output| {
            if let estiba::docker::Output::Text { text, .. } = o {
                out.push_str(&text);
            }
        };
        engine.execute(&rmi, &mut s, &mut sink).await.exit_code
    };
    assert_eq!(code, 1, "rmi refuses unlabelled images");
    assert!(out.contains("no lleva la etiqueta"), "{out}");
    common::remove_unlabelled_for_tests("estiba-clean-prueba/hola:1.0.0").await;
}
