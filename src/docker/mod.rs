//! The engine layer: the only module that talks to Docker (through bollard). It executes lesson
//! commands and reports output and progress as Estiba's own types.

mod build;
mod exec;
pub mod format;
mod images;
mod interactive;
mod inventory;
mod late;
mod ledger;
mod prepare;
mod probe;
mod probe_cache;
mod registry;
mod run;
mod steps;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use bollard::Docker;

pub use interactive::{ShellControl, ShellHandle};
pub use inventory::{Cleaned, ImageInfo, Owned, ownership_mark};
pub use prepare::{BaseImage, BaseOrigin, PrepareOptions, cache_root, default_cache_dir, describe as describe_origin};
pub use probe::{LEGACY_PROBE_IMAGE, PROBE_BUILDER, ProbeReport, forget_probe};

/// Label carried by everything Estiba creates: `estiba.lesson=<lesson id>`.
pub const LESSON_LABEL: &str = "estiba.lesson";
/// Label of base images Estiba made as local stand-ins.
pub const STANDIN_LABEL: &str = "estiba.standin";
/// Label Estiba puts on the containers it creates (never on an image, so a learner's own container
/// of a lesson image, which inherits the image's labels, does not carry it).
pub const CONTAINER_LABEL: &str = "estiba.container";

/// The engine could not be reached or answered with an error.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Nothing answers at the endpoint.
    #[error(
        "No hay motor de Docker en {endpoint}: {reason}\n\
         Cómo arreglarlo: arranca Docker (`sudo systemctl start docker`, `sudo dockerd &` o Docker Desktop), \
         comprueba que tu usuario puede usar el socket (grupo `docker`) o define DOCKER_HOST \
         (por ejemplo `export DOCKER_HOST=unix:///var/run/docker.sock`)."
    )]
    Unavailable {
        /// Socket or `DOCKER_HOST` tried.
        endpoint: String,
        /// What went wrong.
        reason: String,
    },
    /// The engine answered with an error.
    #[error("Error response from daemon: {0}")]
    Daemon(String),
    /// A local problem (reading a build context, a script, a file).
    #[error("{0}")]
    Local(String),
}

/// Where output goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// Something a running command reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Text as the docker CLI prints it (may carry ANSI colour and `\r`).
    Text {
        /// Stream it belongs to.
        stream: Stream,
        /// The text.
        text: String,
    },
    /// Progress of a layer (push, pull) or a stage (prepare).
    Progress(Progress),
    /// Raw bytes from an interactive container's TTY, for a terminal emulator.
    Tty(Vec<u8>),
}

/// Exit code of a command cancelled by the learner (as for Ctrl-C in a shell).
pub const CANCELLED: i64 = 130;

/// Progress of one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// Layer id or stage name.
    pub id: String,
    /// Status text (`Pushing`, `Pushed`, …).
    pub status: String,
    /// Bytes done.
    pub current: Option<u64>,
    /// Bytes in all.
    pub total: Option<u64>,
}

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Exit code as the docker CLI would return it.
    pub exit_code: i64,
    /// The engine stopped answering during the command.
    pub engine_lost: bool,
    /// Not run at all: it reaches beyond the container and was not confirmed.
    pub refused: bool,
}

impl Outcome {
    /// A normal end with `code`.
    pub fn code(exit_code: i64) -> Self {
        Self { exit_code, engine_lost: false, refused: false }
    }

    /// The engine was lost during the command (reported as exit code 1, like the CLI).
    pub fn lost() -> Self {
        Self { exit_code: 1, engine_lost: true, refused: false }
    }

    /// The command was not run because it needs a confirmation it did not get (code 125).
    pub fn refused() -> Self {
        Self { exit_code: 125, engine_lost: false, refused: true }
    }
}

/// Registry credentials kept in memory only.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// User name.
    pub username: String,
    /// Password (never written anywhere).
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}, ***)", self.username)
    }
}

/// What a lesson run carries from command to command.
#[derive(Debug, Clone, Default)]
pub struct Session {
    /// Lesson id for the `estiba.lesson` label.
    pub lesson_id: String,
    /// Folder build contexts resolve from.
    pub root: PathBuf,
    /// The lesson's asset folder: build contexts must stay inside it.
    pub assets: PathBuf,
    /// Credentials per registry, after a successful `login`.
    pub credentials: HashMap<String, Credentials>,
    /// Password for the next `login` (asked by the UI, or from `ESTIBA_REGISTRY_PASSWORD`).
    pub password: Option<String>,
    /// Scripted stdin for the next interactive command.
    pub input: Option<String>,
    /// Images of cancelled or failed builds not removed yet (the engine was unreachable).
    pub leftovers: Vec<String>,
    /// Containers whose command ended but that could not be removed (the engine was unreachable).
    pub leftover_containers: Vec<String>,
    /// The learner confirmed the next command's host access (`--privileged`, binds, …).
    pub allow_risky: bool,
    /// Cancellation signal for the running command: it flips to `true` on Esc or quit.
    pub cancel: Option<tokio::sync::watch::Receiver<bool>>,
}

impl Session {
    /// Resolves when the running command has been cancelled (never, without a signal).
    pub async fn cancelled(&self) {
        match self.cancel.clone() {
            Some(mut rx) => {
                let _ = rx.wait_for(|c| *c).await;
            }
            None => std::future::pending().await,
        }
    }
}

/// Engine identity for the status bar and `version`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EngineInfo {
    /// Engine version (`20.10.24+dfsg1`).
    pub version: String,
    /// API version (`1.41`).
    pub api_version: String,
    /// `linux/amd64`.
    pub platform: String,
}

/// A connection to the Docker engine.
#[derive(Debug, Clone)]
pub struct Engine {
    docker: Docker,
    endpoint: String,
}

/// The socket or `DOCKER_HOST` Estiba tries.
pub fn endpoint() -> String {
    std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "unix:///var/run/docker.sock".into())
}

impl Engine {
    /// Connects and pings the engine (5 s at most).
    pub async fn connect() -> Result<Engine, EngineError> {
        let endpoint = endpoint();
        let unavailable = |reason: String| EngineError::Unavailable { endpoint: endpoint.clone(), reason };
        let docker = Docker::connect_with_defaults().map_err(|e| unavailable(e.to_string()))?;
        match tokio::time::timeout(Duration::from_secs(5), docker.ping()).await {
            Ok(Ok(_)) => Ok(Engine { docker, endpoint }),
            Ok(Err(e)) => Err(unavailable(e.to_string())),
            Err(_) => Err(unavailable("sin respuesta en 5 s".into())),
        }
    }

    /// Connects to the engine at a `unix://` socket path and pings it (5 s at most).
    pub async fn connect_unix(path: &str) -> Result<Engine, EngineError> {
        let endpoint = format!("unix://{path}");
        let unavailable = |reason: String| EngineError::Unavailable { endpoint: endpoint.clone(), reason };
        let docker = Docker::connect_with_unix(path, 120, bollard::API_DEFAULT_VERSION).map_err(|e| unavailable(e.to_string()))?;
        match tokio::time::timeout(Duration::from_secs(5), docker.ping()).await {
            Ok(Ok(_)) => Ok(Engine { docker, endpoint }),
            Ok(Err(e)) => Err(unavailable(e.to_string())),
            Err(_) => Err(unavailable("sin respuesta en 5 s".into())),
        }
    }

    /// The endpoint this engine was reached at.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Engine version and API version.
    pub async fn info(&self) -> Result<EngineInfo, EngineError> {
        let v = self.docker.version().await.map_err(daemon)?;
        Ok(EngineInfo {
            version: v.version.unwrap_or_default(),
            api_version: v.api_version.unwrap_or_default(),
            platform: format!("{}/{}", v.os.unwrap_or_default(), v.arch.unwrap_or_default()),
        })
    }
}

/// Maps a bollard error to ours, keeping the daemon's own message.
pub(crate) fn daemon(e: bollard::errors::Error) -> EngineError {
    use bollard::errors::Error as E;
    match e {
        E::DockerResponseServerError { message, .. } => EngineError::Daemon(message),
        E::DockerStreamError { error } => EngineError::Daemon(error),
        E::HyperResponseError { .. }
        | E::IOError { .. }
        | E::RequestTimeoutError
        | E::HyperLegacyError { .. }
        | E::SocketNotFoundError(_) => EngineError::Unavailable { endpoint: endpoint(), reason: e.to_string() },
        other => EngineError::Daemon(other.to_string()),
    }
}

/// Whether an error means the engine is gone rather than a refusal.
pub(crate) fn is_lost(e: &EngineError) -> bool {
    matches!(e, EngineError::Unavailable { .. })
}
