//! Runs the app's effects: engine connection, commands, the interactive shell, cancellation.
//! Everything reports back as actions on one channel.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::sync::{Mutex, Notify, mpsc, watch};

use crate::app::{Action, Effect, RunId};
use crate::docker::{self, Engine, Output, Session, ShellControl, ShellHandle};
use crate::lesson::DockerCommand;

/// Background work of the TUI.
pub struct Runtime {
    tx: mpsc::UnboundedSender<Action>,
    engine: Arc<RwLock<Option<Engine>>>,
    wake: Arc<Notify>,
    session: Arc<Mutex<Session>>,
    cancels: HashMap<RunId, watch::Sender<bool>>,
    shells: HashMap<RunId, ShellHandle>,
    specs: Vec<crate::compare::VariantSpec>,
    lesson_id: String,
    /// Base images the lesson's builds start from, and how to make them when missing.
    bases: Arc<(Vec<String>, docker::PrepareOptions)>,
    /// Where progress is saved (`None`: not saved).
    pub progress_file: Option<std::path::PathBuf>,
}

impl Runtime {
    /// Starts the engine connector; commands will run for `lesson`.
    pub fn new(tx: mpsc::UnboundedSender<Action>, lesson: &crate::lesson::Lesson) -> Self {
        let engine = Arc::new(RwLock::new(None));
        let wake = Arc::new(Notify::new());
        tokio::spawn(connector(tx.clone(), engine.clone(), wake.clone()));
        let session =
            Session { lesson_id: lesson.id.clone(), root: lesson.root.clone(), assets: lesson.assets.clone(), ..Session::default() };
        Self {
            tx,
            engine,
            wake,
            session: Arc::new(Mutex::new(session)),
            cancels: HashMap::new(),
            shells: HashMap::new(),
            specs: crate::compare::variants(lesson),
            lesson_id: lesson.id.clone(),
            bases: Arc::new((
                crate::lesson::assets::base_images(lesson),
                docker::PrepareOptions { from: None, cache_dir: docker::default_cache_dir(), lesson_id: lesson.id.clone(), offline: false },
            )),
            progress_file: None,
        }
    }

    fn engine(&self) -> Option<Engine> {
        self.engine.read().ok().and_then(|e| e.clone())
    }

    /// Carries out one effect.
    pub fn apply(&mut self, effect: Effect) {
        match effect {
            Effect::Run { run, command, password, confirmed } => self.run(run, command, password, confirmed),
            Effect::RunShell { run, command, size, confirmed } => self.shell(run, command, size, confirmed),
            Effect::Cancel(run) => {
                if let Some(c) = self.cancels.get(&run) {
                    let _ = c.send(true);
                }
                self.shells.remove(&run);
            }
            Effect::ShellInput(run, bytes) => {
                if let Some(s) = self.shells.get(&run) {
                    let _ = s.control.send(ShellControl::Input(bytes));
                }
            }
            Effect::ShellResize(run, rows, cols) => {
                if let Some(s) = self.shells.get(&run) {
                    let _ = s.control.send(ShellControl::Resize(rows, cols));
                }
            }
            Effect::Compare => self.compare(),
            Effect::SaveProgress(p) => {
                if let Some(path) = &self.progress_file
                    && let Err(e) = crate::progress::save(path, &p)
                {
                    let _ = self.tx.send(Action::Notice(format!("no se pudo guardar el progreso: {e}")));
                }
            }
            Effect::Reconcile(built) => {
                let Some(engine) = self.engine() else { return };
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    for (step, image) in built {
                        if matches!(engine.image_info(&image).await, Ok(None)) {
                            let _ = tx.send(Action::StepRedo(step));
                        }
                    }
                });
            }
            Effect::Reconnect => self.wake.notify_one(),
            Effect::Quit => {}
        }
    }

    fn prepared(&mut self, run: RunId) -> Option<(Engine, Arc<Mutex<Session>>, watch::Receiver<bool>)> {
        let Some(engine) = self.engine() else {
            let _ =
                self.tx.send(Action::Output(run, Output::Text { stream: docker::Stream::Stderr, text: "Sin motor de Docker.\n".into() }));
            let _ = self.tx.send(Action::Finished(run, docker::Outcome::lost()));
            return None;
        };
        let (cancel_tx, cancel_rx) = watch::channel(false);
        self.cancels.insert(run, cancel_tx);
        Some((engine, self.session.clone(), cancel_rx))
    }

    fn run(&mut self, run: RunId, command: DockerCommand, password: Option<String>, confirmed: bool) {
        let Some((engine, session, cancel)) = self.prepared(run) else { return };
        let tx = self.tx.clone();
        let bases = self.bases.clone();
        tokio::spawn(async move {
            let _ = tx.send(Action::Started(run));
            let out_tx = tx.clone();
            let mut sink = move |o: Output| {
                let _ = out_tx.send(Action::Output(run, o));
            };
            if matches!(command, DockerCommand::Build(_)) && !ensure_bases(&engine, &bases.0, &bases.1, &mut sink, &tx).await {
                let _ = tx.send(Action::Finished(run, docker::Outcome::code(1)));
                return;
            }
            if *cancel.borrow() {
                let _ = tx.send(Action::Finished(run, docker::Outcome::code(docker::CANCELLED)));
                return;
            }
            let mut s = session.lock().await.clone();
            s.password = password;
            s.input = None;
            s.allow_risky = confirmed;
            s.cancel = Some(cancel);
            engine.remove_leftovers(&mut s).await;
            let outcome = engine.execute(&command, &mut s, &mut sink).await;
            let mut shared = session.lock().await;
            shared.credentials = s.credentials;
            shared.leftovers = s.leftovers;
            shared.leftover_containers = s.leftover_containers;
            drop(shared);
            let _ = tx.send(Action::Finished(run, outcome));
        });
    }

    fn compare(&mut self) {
        let Some(engine) = self.engine() else {
            let _ = self.tx.send(Action::CompareDone);
            return;
        };
        let (tx, specs, id) = (self.tx.clone(), self.specs.clone(), self.lesson_id.clone());
        tokio::spawn(async move {
            let row_tx = tx.clone();
            crate::compare::measure(&engine, &id, &specs, false, move |i, r| {
                let _ = row_tx.send(Action::CompareRow(i, r.clone()));
            })
            .await;
            let _ = tx.send(Action::CompareDone);
        });
    }

    fn shell(&mut self, run: RunId, command: DockerCommand, size: (u16, u16), confirmed: bool) {
        let DockerCommand::Run(r) = command else { return };
        let Some((engine, session, cancel)) = self.prepared(run) else { return };
        let (handle, control) = ShellHandle::new();
        self.shells.insert(run, handle);
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let _ = tx.send(Action::Started(run));
            let mut s = session.lock().await.clone();
            s.cancel = Some(cancel);
            s.allow_risky = confirmed;
            let out_tx = tx.clone();
            let mut sink = move |o: Output| {
                let _ = out_tx.send(Action::Output(run, o));
            };
            let outcome = engine.run_interactive(&r, &s, size, control, &mut sink).await;
            let _ = tx.send(Action::Finished(run, outcome));
        });
    }
}

/// Before a build: makes the lesson's missing base images as `estiba prepare` would (pull, else a
/// local stand-in), with its progress in the run pane. `false` when they could not be made.
async fn ensure_bases(
    engine: &Engine,
    bases: &[String],
    opts: &docker::PrepareOptions,
    sink: &mut (dyn FnMut(Output) + Send),
    tx: &mpsc::UnboundedSender<Action>,
) -> bool {
    let mut missing = Vec::new();
    for b in bases {
        if engine.base_origin(b).await.is_none() {
            missing.push(b.clone());
        }
    }
    if missing.is_empty() {
        return true;
    }
    let say = |sink: &mut (dyn FnMut(Output) + Send), stream, text: String| sink(Output::Text { stream, text });
    say(sink, docker::Stream::Stdout, format!("Falta la imagen base {}: la preparo ahora, como `estiba prepare`.\n", missing.join(", ")));
    match engine.prepare(&missing, opts, sink).await {
        Ok(done) => {
            for b in done {
                let what = format!("Imagen base {}: {}", b.reference, docker::describe_origin(&b.origin));
                say(sink, docker::Stream::Stdout, format!("{what}\n\n"));
                // Also where it stays in sight while the build scrolls on.
                let _ = tx.send(Action::Notice(what));
            }
            true
        }
        Err(e) => {
            say(
                sink,
                docker::Stream::Stderr,
                format!(
                    "No se pudo preparar la imagen base: {e}\nPrepárala en otra terminal con `sudo estiba prepare` \
                     (o `estiba prepare --from imagenes.tar` con el archivo de tu instructor) y vuelve a ejecutar esta orden.\n"
                ),
            );
            false
        }
    }
}

/// Keeps trying to reach the engine; reports when it comes and goes.
async fn connector(tx: mpsc::UnboundedSender<Action>, slot: Arc<RwLock<Option<Engine>>>, wake: Arc<Notify>) {
    let mut connected = false;
    loop {
        match Engine::connect().await {
            Ok(engine) => {
                if !connected {
                    let info = engine.info().await.unwrap_or_default();
                    if let Ok(mut s) = slot.write() {
                        *s = Some(engine);
                    }
                    let _ = tx.send(Action::EngineFound(info));
                    connected = true;
                }
            }
            Err(e) => {
                if let Ok(mut s) = slot.write() {
                    *s = None;
                }
                let (endpoint, reason) = match e {
                    docker::EngineError::Unavailable { endpoint, reason } => (endpoint, reason),
                    other => (docker::endpoint(), other.to_string()),
                };
                let _ = tx.send(Action::EngineLost { endpoint, reason });
                connected = false;
            }
        }
        let pause = if connected { Duration::from_secs(10) } else { Duration::from_secs(3) };
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = wake.notified() => {}
        }
    }
}
