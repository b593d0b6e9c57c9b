//! `docker run -it` with a real TTY for the TUI: keys in, raw terminal bytes out, resizes forwarded.

use bollard::container::LogOutput;
use bollard::query_parameters::{AttachContainerOptions, CreateContainerOptions, RemoveContainerOptions, ResizeContainerTTYOptions};
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

use super::exec::{Sink, say};
use super::run::{container_config, start_failure_code};
use super::{CANCELLED, Engine, EngineError, Outcome, Output, Session, Stream, daemon, is_lost};
use crate::lesson::command::Run;

/// What the UI sends to a running interactive container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellControl {
    /// Bytes typed by the learner.
    Input(Vec<u8>),
    /// The pane's new size (rows, columns).
    Resize(u16, u16),
}

/// The UI's end of an interactive container.
#[derive(Debug, Clone)]
pub struct ShellHandle {
    /// Sends keys and resizes.
    pub control: mpsc::UnboundedSender<ShellControl>,
}

impl ShellHandle {
    /// A handle and the receiver the engine reads from.
    pub fn new() -> (Self, mpsc::UnboundedReceiver<ShellControl>) {
        let (control, rx) = mpsc::unbounded_channel();
        (Self { control }, rx)
    }
}

impl Engine {
    /// Runs `r` with a TTY of `size` (rows, columns), forwarding `control` to it and its raw output
    /// to `out` as [`Output::Tty`], until it exits or is cancelled. The container is always removed.
    pub async fn run_interactive(
        &self,
        r: &Run,
        session: &Session,
        size: (u16, u16),
        mut control: mpsc::UnboundedReceiver<ShellControl>,
        out: Sink<'_>,
    ) -> Outcome {
        if !r.risks().is_empty() && !session.allow_risky {
            say(out, Stream::Stderr, "docker: Estiba no ejecuta esta orden sin tu confirmación.\r\n");
            return Outcome::refused();
        }
        let mut run = r.clone();
        run.tty = true;
        run.interactive = true;
        let id = match self
            .docker
            .create_container(
                Some(CreateContainerOptions { name: r.name.clone(), ..Default::default() }),
                container_config(&run, &session.lesson_id),
            )
            .await
        {
            Ok(c) => c.id,
            Err(e) => return fail(out, daemon(e), 125),
        };
        let outcome = self.shell_session(&id, session, size, &mut control, out).await;
        let _ = self.docker.remove_container(&id, Some(RemoveContainerOptions { force: true, v: true, ..Default::default() })).await;
        outcome
    }

    async fn shell_session(
        &self,
        id: &str,
        session: &Session,
        (rows, cols): (u16, u16),
        control: &mut mpsc::UnboundedReceiver<ShellControl>,
        out: Sink<'_>,
    ) -> Outcome {
        let attach = AttachContainerOptions { stream: true, stdin: true, stdout: true, stderr: true, logs: true, ..Default::default() };
        let mut io = match self.docker.attach_container(id, Some(attach)).await {
            Ok(io) => io,
            Err(e) => return fail(out, daemon(e), 125),
        };
        if let Err(e) = self.docker.start_container(id, None::<bollard::query_parameters::StartContainerOptions>).await {
            let e = daemon(e);
            let code = match &e {
                EngineError::Daemon(m) => start_failure_code(m),
                _ => 125,
            };
            return fail(out, e, code);
        }
        let _ = self.docker.resize_container_tty(id, ResizeContainerTTYOptions { h: rows.into(), w: cols.into() }).await;
        loop {
            tokio::select! {
                chunk = io.output.next() => match chunk {
                    Some(Ok(LogOutput::Console { message } | LogOutput::StdOut { message } | LogOutput::StdErr { message })) => out(Output::Tty(message.to_vec())),
                    Some(Ok(LogOutput::StdIn { .. })) => {}
                    Some(Err(e)) => {
                        let e = daemon(e);
                        if is_lost(&e) {
                            return fail(out, e, 125);
                        }
                    }
                    None => break,
                },
                msg = control.recv() => match msg {
                    Some(ShellControl::Input(bytes)) => {
                        let _ = io.input.write_all(&bytes).await;
                        let _ = io.input.flush().await;
                    }
                    Some(ShellControl::Resize(h, w)) => {
                        let _ = self.docker.resize_container_tty(id, ResizeContainerTTYOptions { h: h.into(), w: w.into() }).await;
                    }
                    None => return Outcome::code(CANCELLED),
                },
                () = session.cancelled() => return Outcome::code(CANCELLED),
            }
        }
        let mut wait = self.docker.wait_container(id, None::<bollard::query_parameters::WaitContainerOptions>);
        match wait.next().await {
            Some(Ok(w)) => Outcome::code(w.status_code),
            Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })) => Outcome::code(code),
            Some(Err(e)) => fail(out, daemon(e), 125),
            None => Outcome::code(125),
        }
    }
}

fn fail(out: Sink<'_>, e: EngineError, code: i64) -> Outcome {
    let lost = is_lost(&e);
    let text = match &e {
        EngineError::Daemon(m) => {
            format!("docker: Error response from daemon: {}.\r\nSee 'docker run --help'.\r\n", m.trim_end_matches('.'))
        }
        other => format!("docker: {other}\r\n"),
    };
    say(out, Stream::Stderr, text);
    Outcome { exit_code: code, engine_lost: lost, refused: false }
}
