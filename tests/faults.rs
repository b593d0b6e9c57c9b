//! Faults on the real engine: Esc during a build, Esc during a run, and the engine vanishing in
//! the middle of a build (a proxy socket in front of the engine is cut). Each leaves no container
//! and no dangling image with the lesson's label.

mod common;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use estiba::docker::{CANCELLED, Engine, Output, Session};
use estiba::lesson::{command, words::Vars};
use tokio::sync::watch;

const LESSON: &str = "estiba-tests-faults";
/// One fault at a time: the tests count containers.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn slow_context() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("estiba-faults-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("lenta")).unwrap();
    std::fs::write(dir.join("lenta/Dockerfile"), "FROM ubuntu:24.04\nRUN echo preparado > /preparado\nRUN sleep 60\n").unwrap();
    dir
}

/// Waits until the engine holds no container and no dangling image labelled for `LESSON`.
async fn nothing_left(engine: &Engine) -> (usize, usize) {
    let mut last = (usize::MAX, usize::MAX);
    for _ in 0..60 {
        let owned = engine.owned(LESSON).await.unwrap();
        let dangling = dangling_labelled(engine).await;
        last = (owned.containers.len(), dangling);
        if last == (0, 0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    last
}

async fn dangling_labelled(engine: &Engine) -> usize {
    let owned = engine.owned(LESSON).await.unwrap();
    let mut n = 0;
    for id in owned.images {
        if engine.image_info(&id).await.ok().flatten().is_some_and(|i| i.tags.is_empty()) {
            n += 1;
        }
    }
    n
}

/// Output so far, cancel switch and task of a command running in the background.
type Spawned = (Arc<Mutex<String>>, watch::Sender<bool>, tokio::task::JoinHandle<(estiba::docker::Outcome, Session)>);

/// Runs `line` in the background; returns its output so far, the cancel switch and the task.
fn spawn(engine: Engine, mut session: Session, line: &str) -> Spawned {
    let cmd = command::parse(line, &Vars::default()).unwrap();
    let (tx, rx) = watch::channel(false);
    session.cancel = Some(rx);
    let text = Arc::new(Mutex::new(String::new()));
    let t = text.clone();
    let task = tokio::spawn(async move {
        let mut sink = move |o: Output| {
            if let Output::Text { text, .. } = o {
                t.lock().unwrap().push_str(&text);
            }
        };
        let outcome = engine.execute(&cmd, &mut session, &mut sink).await;
        (outcome, session)
    });
    (text, tx, task)
}

async fn wait_text(text: &Arc<Mutex<String>>, needle: &str) {
    for _ in 0..600 {
        if text.lock().unwrap().contains(needle) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never saw {needle:?}: {}", text.lock().unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn esc_during_build_leaves_nothing() {
    let _g = SERIAL.lock().await;
    let Some(engine) = common::engine().await else { return };
    let before = common::all_image_ids().await;
    let session = Session { lesson_id: LESSON.into(), root: slow_context(), assets: slow_context(), ..Session::default() };
    let (text, cancel, task) = spawn(engine.clone(), session, "docker build --no-cache -t estiba-lenta:1 lenta");
    wait_text(&text, "sleep 60").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    cancel.send(true).unwrap();
    let (outcome, _) = tokio::time::timeout(Duration::from_secs(20), task).await.expect("Esc acts at once").unwrap();
    assert_eq!(outcome.exit_code, CANCELLED);
    assert!(text.lock().unwrap().contains("construcción cancelada"));
    assert_eq!(nothing_left(&engine).await, (0, 0), "containers, dangling images");
    assert!(engine.image_info("estiba-lenta:1").await.unwrap().is_none());
    assert_eq!(common::all_image_ids().await, before, "no image of the build is left, labelled or not");
}

#[tokio::test(flavor = "multi_thread")]
async fn esc_while_the_engine_commits_a_step_leaves_no_image() {
    let _g = SERIAL.lock().await;
    let Some(engine) = common::engine().await else { return };
    // A COPY of 64 MB takes the engine a while to commit; Esc comes while it does, and the engine
    // still commits that step after Estiba stopped listening.
    let dir = std::env::temp_dir().join(format!("estiba-faults-copia-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("copia")).unwrap();
    let mut data = vec![0u8; 64 << 20];
    let mut x = rand_suffix() as u64 | 1;
    for b in data.iter_mut() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    std::fs::write(dir.join("copia/grande.bin"), &data).unwrap();
    std::fs::write(dir.join("copia/Dockerfile"), "FROM ubuntu:24.04\nCOPY grande.bin /grande.bin\nRUN true\n").unwrap();
    let before = common::all_image_ids().await;
    let containers = common::all_container_ids().await;
    let session = Session { lesson_id: LESSON.into(), root: dir.clone(), assets: dir.clone(), ..Session::default() };
    let (text, cancel, task) = spawn(engine.clone(), session, "docker build -t estiba-copia:1 copia");
    wait_text(&text, " : COPY grande.bin").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    cancel.send(true).unwrap();
    let (outcome, _) = tokio::time::timeout(Duration::from_secs(30), task).await.expect("Esc ends the build").unwrap();
    assert_eq!(outcome.exit_code, CANCELLED, "{}", text.lock().unwrap());
    // A COPY commits without a container: wait until the engine's images stay the same for 6 s
    // (a late image would show up within that), at most 30 s.
    let mut seen = common::all_image_ids().await;
    let mut stable = 0;
    for _ in 0..60 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = common::all_image_ids().await;
        stable = if now == seen { stable + 1 } else { 0 };
        seen = now;
        if stable >= 12 && common::all_container_ids().await == containers {
            break;
        }
    }
    assert_eq!(nothing_left(&engine).await, (0, 0), "containers, dangling images");
    assert_eq!(common::all_image_ids().await, before, "{}", text.lock().unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_build_leaves_none_of_its_images_even_unlabelled() {
    let _g = SERIAL.lock().await;
    let Some(engine) = common::engine().await else { return };
    // The last stage gets the lesson label only from its final mark, so the images its steps make
    // before it fails carry none: they are removed because the build made them.
    let dir = std::env::temp_dir().join(format!("estiba-faults-scratch-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("rota")).unwrap();
    std::fs::write(dir.join("rota/dato.txt"), format!("{}\n", rand_suffix())).unwrap();
    std::fs::write(dir.join("rota/Dockerfile"), "FROM scratch\nCOPY dato.txt /dato.txt\nWORKDIR /w\nCOPY no-existe /\n").unwrap();
    let before = common::all_image_ids().await;
    let mut session = Session { lesson_id: LESSON.into(), root: dir.clone(), assets: dir.clone(), ..Session::default() };
    let cmd = command::parse("docker build -t estiba-rota:1 rota", &Vars::default()).unwrap();
    let mut out = String::new();
    let outcome = engine
        .execute(&cmd, &mut session, &mut |o| {
            if let estiba::docker::Output::Text { text, .. } = o {
                out.push_str(&text);
            }
        })
        .await;
    assert_ne!(outcome.exit_code, 0, "{out}");
    assert!(out.contains(" : WORKDIR /w"), "the build got past its first steps: {out}");
    assert_eq!(common::all_image_ids().await, before, "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn esc_during_run_stops_and_removes_the_container() {
    let _g = SERIAL.lock().await;
    let Some(engine) = common::engine().await else { return };
    let session = Session { lesson_id: LESSON.into(), ..Session::default() };
    let (text, cancel, task) = spawn(engine.clone(), session, "docker run --rm ubuntu:24.04 sh -c 'echo empieza; sleep 60'");
    wait_text(&text, "empieza").await;
    assert_eq!(engine.owned(LESSON).await.unwrap().containers.len(), 1, "the container runs, labelled");
    cancel.send(true).unwrap();
    let (outcome, _) = tokio::time::timeout(Duration::from_secs(20), task).await.expect("Esc acts at once").unwrap();
    assert_eq!(outcome.exit_code, CANCELLED);
    assert_eq!(engine.owned(LESSON).await.unwrap().containers.len(), 0);
}

/// A socket that forwards to the engine until it is cut.
async fn proxy() -> (String, tokio::task::AbortHandle) {
    let path = std::env::temp_dir().join(format!("estiba-proxy-{}-{}.sock", std::process::id(), rand_suffix()));
    let _ = std::fs::remove_file(&path);
    let listener = tokio::net::UnixListener::bind(&path).unwrap();
    let task = tokio::spawn(async move {
        let mut conns = tokio::task::JoinSet::new();
        loop {
            let Ok((mut client, _)) = listener.accept().await else { break };
            conns.spawn(async move {
                if let Ok(mut engine) = tokio::net::UnixStream::connect("/var/run/docker.sock").await {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut engine).await;
                }
            });
        }
    });
    (path.to_string_lossy().into_owned(), task.abort_handle())
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
}

#[tokio::test(flavor = "multi_thread")]
async fn engine_lost_mid_build_is_a_failure_and_leaves_nothing() {
    let _g = SERIAL.lock().await;
    let Some(engine) = common::engine().await else { return };
    let before = common::all_image_ids().await;
    let (path, cut) = proxy().await;
    let via_proxy = Engine::connect_unix(&path).await.expect("through the proxy");
    let session = Session { lesson_id: LESSON.into(), root: slow_context(), assets: slow_context(), ..Session::default() };
    let (text, _cancel, task) = spawn(via_proxy, session, "docker build --no-cache -t estiba-lenta:2 lenta");
    wait_text(&text, "sleep 60").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    cut.abort();
    let (outcome, mut session) = tokio::time::timeout(Duration::from_secs(30), task).await.expect("the loss is noticed").unwrap();
    assert!(outcome.engine_lost, "{outcome:?}: {}", text.lock().unwrap());
    assert_ne!(outcome.exit_code, 0);
    assert!(text.lock().unwrap().contains("No hay motor de Docker"), "{}", text.lock().unwrap());
    assert!(!session.leftovers.is_empty(), "what the build made is remembered for later");
    // The engine is back (here: reached directly); what the broken build left is removed.
    engine.remove_leftovers(&mut session).await;
    assert_eq!(nothing_left(&engine).await, (0, 0), "containers, dangling images");
    assert_eq!(common::all_image_ids().await, before, "no image of the build is left, labelled or not");
    let _ = std::fs::remove_file(&path);
}

#[tokio::test(flavor = "multi_thread")]
async fn engine_lost_mid_run_is_a_failure_and_its_container_is_removed_later() {
    let _g = SERIAL.lock().await;
    let Some(engine) = common::engine().await else { return };
    let (path, cut) = proxy().await;
    let via_proxy = Engine::connect_unix(&path).await.expect("through the proxy");
    let session = Session { lesson_id: LESSON.into(), ..Session::default() };
    let (text, _cancel, task) = spawn(via_proxy, session, "docker run --rm ubuntu:24.04 sleep 60");
    let mut running = false;
    for _ in 0..100 {
        if !engine.owned(LESSON).await.unwrap().containers.is_empty() {
            running = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(running, "the container runs: {}", text.lock().unwrap());
    tokio::time::sleep(Duration::from_secs(1)).await;
    cut.abort();
    let (outcome, mut session) = tokio::time::timeout(Duration::from_secs(30), task).await.expect("the loss is noticed").unwrap();
    assert!(outcome.engine_lost, "{outcome:?}: {}", text.lock().unwrap());
    assert_ne!(outcome.exit_code, 0);
    assert_eq!(session.leftover_containers.len(), 1, "the container that could not be removed is remembered");
    assert_eq!(engine.owned(LESSON).await.unwrap().containers.len(), 1, "it is still there while the engine is away");
    // The engine is back: before the next command, the container goes.
    engine.remove_leftovers(&mut session).await;
    assert!(session.leftover_containers.is_empty());
    assert_eq!(nothing_left(&engine).await, (0, 0), "containers, dangling images");
    let _ = std::fs::remove_file(&path);
}
