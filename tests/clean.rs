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

async fn import(engine: &Engine, reference: &str, labels: &[&str], comment: &str) {
    let body = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(rootfs(reference)))]);
    let changes = labels.iter().map(|l| format!("LABEL {l}")).collect();
    engine.import_rootfs(body, reference, changes, comment).await.expect("import");
}

/// The learner builds an image of their own `FROM` `base` with the docker CLI, outside Estiba: it
/// inherits the base's labels. `false` when there is no docker CLI here (outside CI).
fn learner_builds_from(base: &str, tag: &str) -> bool {
    common::learner_docker_build(&format!("FROM {base}\nLABEL mia=si\n"), tag).is_some()
}

#[tokio::test]
async fn clean_removes_only_labelled_things() {
    let Some(engine) = common::engine().await else { return };
    let mark = estiba::docker::ownership_mark(LESSON);
    let label = format!("estiba.lesson={LESSON}");
    // The learner's own image, named like a lesson image, without the label.
    import(&engine, "estiba-clean-prueba/hola:1.0.0", &[], "mía").await;
    // Two images of the lesson (made by Estiba: its mark is their newest step), and a stand-in base.
    import(&engine, "estiba-clean-prueba/hola:2.0.0", &[&label], &mark).await;
    import(&engine, "estiba-clean-prueba/otra:1", &[&label], &mark).await;
    import(&engine, "estiba-clean-prueba/base:1", &[&label, "estiba.standin=debian-prueba"], "sustituta").await;
    // An image that carries the label without being Estiba's (as one a learner made from a lesson image).
    import(&engine, "estiba-clean-prueba/heredada:1", &[&label], "mía").await;
    // The learner's images built FROM a lesson image and FROM the stand-in: they inherit the labels.
    let cli = learner_builds_from("estiba-clean-prueba/hola:2.0.0", "estiba-clean-prueba/mia:1")
        && learner_builds_from("estiba-clean-prueba/base:1", "estiba-clean-prueba/mia-base:1");
    let learners = ["estiba-clean-prueba/hola:1.0.0", "estiba-clean-prueba/heredada:1"];
    let learners_cli = if cli { vec!["estiba-clean-prueba/mia:1", "estiba-clean-prueba/mia-base:1"] } else { vec![] };

    let cleaned = engine.clean(LESSON, false).await.expect("clean");
    // With the learner's image built FROM it, the engine itself refuses to remove it (kept, with why).
    assert_eq!(cleaned.images.contains(&"estiba-clean-prueba/hola:2.0.0".to_string()), !cli, "{cleaned:?}");
    assert!(cleaned.images.contains(&"estiba-clean-prueba/otra:1".to_string()), "{cleaned:?}");
    assert_eq!(engine.image_info("estiba-clean-prueba/hola:2.0.0").await.unwrap().is_none(), !cli);
    assert!(engine.image_info("estiba-clean-prueba/hola:1.0.0").await.unwrap().is_some(), "the learner's image survives");
    assert!(engine.image_info("estiba-clean-prueba/base:1").await.unwrap().is_some(), "stand-in kept without --all");
    assert!(cleaned.kept.iter().any(|(n, _)| n == "estiba-clean-prueba/base:1"));

    for mine in learners.iter().chain(&learners_cli) {
        assert!(engine.image_info(mine).await.unwrap().is_some(), "the learner's {mine} survives clean");
    }

    let all = engine.clean(LESSON, true).await.expect("clean --all");
    if !cli {
        assert_eq!(all.images, ["estiba-clean-prueba/base:1"]);
    }
    assert!(all.images.contains(&"estiba-clean-prueba/base:1".to_string()) || cli, "{all:?}");
    // What is left of the lesson's is only what the learner's images were built from.
    assert_eq!(engine.owned(LESSON).await.unwrap().images.len(), usize::from(cli), "{all:?}");
    for mine in learners.iter().chain(&learners_cli) {
        assert!(engine.image_info(mine).await.unwrap().is_some(), "the learner's {mine} survives clean --all");
    }

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
    for mine in learners.iter().chain(&learners_cli).rev() {
        common::remove_unlabelled_for_tests(mine).await;
    }
    // With the learner's images gone, what they were built from can go too.
    engine.clean(LESSON, true).await.expect("clean --all");
    assert!(engine.owned(LESSON).await.unwrap().images.is_empty());
    assert!(engine.image_info("estiba-clean-prueba/base:1").await.unwrap().is_none());
}
