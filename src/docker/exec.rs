//! Executes a lesson command: dispatch to the module that knows its meaning.

use super::{Engine, EngineError, Outcome, Output, Session, Stream, is_lost};
use crate::lesson::DockerCommand;

/// Where a command writes what it reports.
pub type Sink<'a> = &'a mut (dyn FnMut(Output) + Send);

/// Sends text to `out` on `stream`.
pub(crate) fn say(out: &mut (dyn FnMut(Output) + Send), stream: Stream, text: impl Into<String>) {
    out(Output::Text { stream, text: text.into() });
}

impl Engine {
    /// Executes `cmd` as the docker CLI would, reporting output to `out`. Never panics on engine
    /// errors: they become the CLI's error text and exit code.
    pub async fn execute(&self, cmd: &DockerCommand, session: &mut Session, out: Sink<'_>) -> Outcome {
        let result = match cmd {
            DockerCommand::Build(b) => self.build(b, session, out).await,
            DockerCommand::Images(i) => self.images(i, out).await,
            DockerCommand::Run(r) => return self.run(r, session, out).await,
            DockerCommand::Tag { source, target } => self.tag(source, target).await,
            DockerCommand::Login(l) => self.login(l, session, out).await,
            DockerCommand::Push { image } => self.push(image, session, out).await,
            DockerCommand::Pull { image } => self.pull(image, session, out).await,
            DockerCommand::Inspect { format, targets } => self.inspect(format.as_deref(), targets, out).await,
            DockerCommand::History { image, no_trunc } => self.history(image, *no_trunc, out).await,
            DockerCommand::Rmi { images, force } => self.rmi(images, *force, session, out).await,
            DockerCommand::ImagePrune { all, force: _ } => self.prune(*all, session, out).await,
            DockerCommand::Version => self.version_text(out).await,
        };
        match result {
            Ok(code) => Outcome::code(code),
            Err(e) => {
                let lost = is_lost(&e);
                let text = match &e {
                    EngineError::Daemon(m) => format!("Error response from daemon: {m}\n"),
                    other => format!("{other}\n"),
                };
                say(out, Stream::Stderr, text);
                Outcome { exit_code: 1, engine_lost: lost, refused: false }
            }
        }
    }

    async fn version_text(&self, out: Sink<'_>) -> Result<i64, EngineError> {
        let v = self.docker.version().await.map_err(super::daemon)?;
        let s = |o: Option<String>| o.unwrap_or_default();
        let text = format!(
            "Client:\n Version:           estiba {}\n API version:       {} (bollard)\n\nServer:\n Engine:\n  Version:          {}\n  API version:      {} (minimum version {})\n  Go version:       {}\n  Git commit:       {}\n  OS/Arch:          {}/{}\n",
            env!("CARGO_PKG_VERSION"),
            s(v.api_version.clone()),
            s(v.version),
            s(v.api_version),
            s(v.min_api_version),
            s(v.go_version),
            s(v.git_commit),
            s(v.os),
            s(v.arch),
        );
        say(out, Stream::Stdout, text);
        Ok(0)
    }
}
