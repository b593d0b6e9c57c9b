//! `docker run`: create (labelled, no network by default), attach, start, wait, remove.

use std::collections::HashMap;

use bollard::container::LogOutput;
use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{AttachContainerOptions, CreateContainerOptions, RemoveContainerOptions, WaitContainerOptions};
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use super::exec::{Sink, say};
use super::{CANCELLED, CONTAINER_LABEL, Engine, EngineError, LESSON_LABEL, Outcome, Session, Stream, daemon, is_lost};
use crate::lesson::command::Run;

/// The container configuration Estiba creates for a `docker run`.
pub fn container_config(r: &Run, lesson_id: &str) -> ContainerCreateBody {
    let host = HostConfig {
        network_mode: Some(r.network.clone().unwrap_or_else(|| "none".into())),
        cap_add: (!r.cap_add.is_empty()).then(|| r.cap_add.clone()),
        cap_drop: (!r.cap_drop.is_empty()).then(|| r.cap_drop.clone()),
        privileged: Some(r.privileged),
        readonly_rootfs: Some(r.read_only),
        security_opt: (!r.security_opt.is_empty()).then(|| r.security_opt.clone()),
        auto_remove: Some(false),
        binds: (!r.volumes.is_empty()).then(|| r.volumes.clone()),
        mounts: (!r.mounts.is_empty()).then(|| r.mounts.iter().map(|m| mount(m)).collect()),
        pid_mode: r.pid.clone(),
        devices: (!r.devices.is_empty()).then(|| r.devices.iter().map(|d| device(d)).collect()),
        ..Default::default()
    };
    ContainerCreateBody {
        image: Some(r.image.clone()),
        cmd: (!r.args.is_empty()).then(|| r.args.clone()),
        entrypoint: r.entrypoint.clone().map(|e| vec![e]),
        user: r.user.clone(),
        tty: Some(r.tty),
        open_stdin: Some(r.interactive),
        stdin_once: Some(r.interactive),
        attach_stdin: Some(r.interactive),
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        env: (!r.env.is_empty()).then(|| r.env.clone()),
        working_dir: r.workdir.clone(),
        labels: Some(HashMap::from([
            (LESSON_LABEL.to_string(), lesson_id.to_string()),
            (CONTAINER_LABEL.to_string(), lesson_id.to_string()),
        ])),
        host_config: Some(host),
        ..Default::default()
    }
}

/// `--mount type=bind,source=/a,target=/b,readonly` → a mount.
fn mount(spec: &str) -> bollard::models::Mount {
    use bollard::models::{Mount, MountType};
    let mut m = Mount::default();
    for kv in spec.split(',') {
        let (k, v) = kv.split_once('=').unwrap_or((kv, "true"));
        match k {
            "type" => {
                m.typ = Some(match v {
                    "bind" => MountType::BIND,
                    "tmpfs" => MountType::TMPFS,
                    _ => MountType::VOLUME,
                })
            }
            "source" | "src" => m.source = Some(v.into()),
            "target" | "destination" | "dst" => m.target = Some(v.into()),
            "readonly" | "ro" => m.read_only = Some(v != "false"),
            _ => {}
        }
    }
    m
}

/// `--device /dev/a[:/dev/b[:rwm]]` → a device mapping.
fn device(spec: &str) -> bollard::models::DeviceMapping {
    let mut parts = spec.split(':');
    let host = parts.next().unwrap_or_default().to_string();
    let inside = parts.next().map_or_else(|| host.clone(), String::from);
    bollard::models::DeviceMapping {
        path_on_host: Some(host),
        path_in_container: Some(inside),
        cgroup_permissions: Some(parts.next().unwrap_or("rwm").into()),
    }
}

/// Exit code the docker CLI gives when a container cannot start.
pub fn start_failure_code(message: &str) -> i64 {
    if message.contains("executable file not found") || message.contains("no such file or directory") {
        127
    } else if message.contains("permission denied") {
        126
    } else {
        125
    }
}

impl Engine {
    pub(super) async fn run(&self, r: &Run, session: &mut Session, out: Sink<'_>) -> Outcome {
        let risks = r.risks();
        if !risks.is_empty() && !session.allow_risky {
            let list: String = risks.iter().map(|x| format!("  - {x}\n")).collect();
            say(
                out,
                Stream::Stderr,
                format!(
                    "docker: Estiba no ejecuta esta orden sin tu confirmación:\n{list}(en la interfaz se pide confirmación; en `estiba check`, usa --allow-privileged)\n"
                ),
            );
            return Outcome::refused();
        }
        let config = container_config(r, &session.lesson_id);
        let create = CreateContainerOptions { name: r.name.clone(), ..Default::default() };
        let id = match self.docker.create_container(Some(create.clone()), config.clone()).await {
            Ok(c) => c.id,
            Err(e) => {
                let e = daemon(e);
                if let EngineError::Daemon(m) = &e
                    && m.starts_with("No such image")
                {
                    say(out, Stream::Stderr, format!("Unable to find image '{}' locally\n", r.image));
                    let pulled = self.pull(&r.image, session, out).await;
                    if !matches!(pulled, Ok(0)) {
                        return Outcome::code(125);
                    }
                    match self.docker.create_container(Some(create), config).await {
                        Ok(c) => c.id,
                        Err(e) => return fail_cli(out, daemon(e), 125),
                    }
                } else {
                    return fail_cli(out, e, 125);
                }
            }
        };
        let outcome = self.attach_start_wait(&id, r, session, out).await;
        if let Err(e) = self.docker.remove_container(&id, Some(RemoveContainerOptions { force: true, v: true, ..Default::default() })).await
            && !matches!(e, bollard::errors::Error::DockerResponseServerError { status_code: 404, .. })
        {
            // The engine went away mid-run: removed as soon as it answers again (before the next command).
            session.leftover_containers.push(id);
        }
        outcome
    }

    async fn attach_start_wait(&self, id: &str, r: &Run, session: &mut Session, out: Sink<'_>) -> Outcome {
        let attach =
            AttachContainerOptions { stream: true, stdin: r.interactive, stdout: true, stderr: true, logs: true, ..Default::default() };
        let mut io = match self.docker.attach_container(id, Some(attach)).await {
            Ok(io) => io,
            Err(e) => return fail_cli(out, daemon(e), 125),
        };
        if let Err(e) = self.docker.start_container(id, None::<bollard::query_parameters::StartContainerOptions>).await {
            let e = daemon(e);
            let code = match &e {
                EngineError::Daemon(m) => start_failure_code(m),
                _ => 125,
            };
            return fail_cli(out, e, code);
        }
        if r.interactive {
            // Scripted input, then end of input: Ctrl-D on a TTY (the line discipline turns it into
            // EOF), a half-close otherwise.
            let mut input = session.input.take().unwrap_or_default();
            if r.tty {
                input.push('\u{4}');
            }
            let _ = io.input.write_all(input.as_bytes()).await;
            let _ = io.input.flush().await;
            if !r.tty {
                let _ = io.input.shutdown().await;
            }
        }
        loop {
            let chunk = tokio::select! {
                c = io.output.next() => c,
                () = session.cancelled() => {
                    say(out, Stream::Stderr, "\n^C cancelado: se detiene y se borra el contenedor\n");
                    return Outcome::code(CANCELLED);
                }
            };
            let Some(chunk) = chunk else { break };
            match chunk {
                Ok(LogOutput::StdErr { message }) => say(out, Stream::Stderr, String::from_utf8_lossy(&message)),
                Ok(LogOutput::StdOut { message } | LogOutput::Console { message }) => {
                    say(out, Stream::Stdout, String::from_utf8_lossy(&message))
                }
                Ok(LogOutput::StdIn { .. }) => {}
                Err(e) => {
                    let e = daemon(e);
                    if is_lost(&e) {
                        return fail_cli(out, e, 125);
                    }
                }
            }
        }
        let mut wait = self.docker.wait_container(id, None::<WaitContainerOptions>);
        match wait.next().await {
            Some(Ok(w)) => Outcome::code(w.status_code),
            Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })) => Outcome::code(code),
            Some(Err(e)) => fail_cli(out, daemon(e), 125),
            None => Outcome::code(125),
        }
    }
}

/// Prints an engine error as `docker run` does and ends with `code`.
fn fail_cli(out: Sink<'_>, e: EngineError, code: i64) -> Outcome {
    let lost = is_lost(&e);
    let text = match &e {
        EngineError::Daemon(m) => format!("docker: Error response from daemon: {}.\nSee 'docker run --help'.\n", m.trim_end_matches('.')),
        other => format!("docker: {other}\n"),
    };
    say(out, Stream::Stderr, text);
    Outcome { exit_code: code, engine_lost: lost, refused: false }
}
