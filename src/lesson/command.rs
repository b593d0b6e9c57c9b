//! Typed docker commands: the subset of the docker CLI a lesson may use, parsed from a command line.

use super::error::LocalError;
use super::words::{self, Vars, Word};
use crate::lesson::flags::{self, Flag, Parsed};

/// A docker command of a lesson, with the meaning Estiba executes through the Engine API.
#[allow(clippy::large_enum_variant)] // a handful per lesson
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DockerCommand {
    /// `docker build`: builds an image from a build context.
    Build(Build),
    /// `docker images` / `docker image ls`: lists images as a table.
    Images(Images),
    /// `docker run`: creates, starts, waits for and removes a container.
    Run(Run),
    /// `docker tag`: gives an image another name.
    Tag {
        /// Existing image.
        source: String,
        /// New name.
        target: String,
    },
    /// `docker login`: checks credentials against a registry and keeps them in memory.
    Login(Login),
    /// `docker push`: uploads an image to its registry.
    Push {
        /// Image reference to push.
        image: String,
    },
    /// `docker pull`: downloads an image from its registry.
    Pull {
        /// Image reference to pull.
        image: String,
    },
    /// `docker inspect` / `docker image inspect`: prints low-level information on images.
    Inspect {
        /// Go-template subset given with `--format`/`-f`.
        format: Option<String>,
        /// Images to inspect.
        targets: Vec<String>,
    },
    /// `docker history`: lists the layers of an image.
    History {
        /// Image whose history is shown.
        image: String,
        /// `--no-trunc`: do not shorten the CREATED BY column.
        no_trunc: bool,
    },
    /// `docker rmi` / `docker image rm`: removes images (only those Estiba created).
    Rmi {
        /// Images to remove.
        images: Vec<String>,
        /// `-f`: remove even when tagged several times.
        force: bool,
    },
    /// `docker image prune`: removes dangling images (only those Estiba created).
    ImagePrune {
        /// `-a`: every unused image, not only dangling ones.
        all: bool,
        /// `-f`: no confirmation prompt.
        force: bool,
    },
    /// `docker version`: prints client and engine versions.
    Version,
}

/// `docker build` options.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Build {
    /// `-t`: names for the image.
    pub tags: Vec<String>,
    /// `-f`: Dockerfile path, relative to the context.
    pub dockerfile: Option<String>,
    /// `--target`: stage to stop at.
    pub target: Option<String>,
    /// `--build-arg NAME=VALUE`.
    pub build_args: Vec<(String, String)>,
    /// `--no-cache`.
    pub no_cache: bool,
    /// Build context folder, as written.
    pub context: String,
}

/// `docker images` options.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Images {
    /// Repository (or reference) filter.
    pub repository: Option<String>,
    /// `--digests`: add the DIGEST column.
    pub digests: bool,
    /// `-a`: include intermediate images.
    pub all: bool,
    /// `-q`: only image ids.
    pub quiet: bool,
}

/// `docker run` options.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Run {
    /// `--rm` (Estiba always removes its containers; kept to show what the learner typed).
    pub rm: bool,
    /// `-i`: keep stdin open.
    pub interactive: bool,
    /// `-t`: allocate a TTY.
    pub tty: bool,
    /// `-u`/`--user`: user[:group] to run as.
    pub user: Option<String>,
    /// `--cap-drop`.
    pub cap_drop: Vec<String>,
    /// `--cap-add`.
    pub cap_add: Vec<String>,
    /// `--read-only`: read-only root filesystem.
    pub read_only: bool,
    /// `--security-opt`.
    pub security_opt: Vec<String>,
    /// `--network`/`--net`; `None` means Estiba's default, `none`.
    pub network: Option<String>,
    /// `--privileged`.
    pub privileged: bool,
    /// `--name`.
    pub name: Option<String>,
    /// `--entrypoint`.
    pub entrypoint: Option<String>,
    /// `-e`/`--env`.
    pub env: Vec<String>,
    /// `-w`/`--workdir`.
    pub workdir: Option<String>,
    /// `-v`/`--volume` (host binds need confirmation).
    pub volumes: Vec<String>,
    /// `--mount`.
    pub mounts: Vec<String>,
    /// `--pid`.
    pub pid: Option<String>,
    /// `--device`.
    pub devices: Vec<String>,
    /// Image to run.
    pub image: String,
    /// Command and arguments after the image.
    pub args: Vec<String>,
}

impl Run {
    /// What this run would let the container reach beyond itself, in Spanish; empty when nothing.
    /// Each of these needs the learner's explicit confirmation (`--allow-privileged` in `check`).
    pub fn risks(&self) -> Vec<String> {
        let mut r = Vec::new();
        if self.privileged {
            r.push("--privileged: todas las capacidades y todos los dispositivos del equipo, sin seccomp ni AppArmor".into());
        }
        for c in &self.cap_add {
            r.push(format!("--cap-add {c}: da al contenedor una capacidad que Docker quita por defecto"));
        }
        for v in &self.volumes {
            let src = v.split(':').next().unwrap_or_default();
            if src.starts_with('/') || src.starts_with('.') || src.starts_with('~') {
                r.push(format!("-v {v}: monta la carpeta {src} de tu equipo dentro del contenedor"));
            }
        }
        for m in &self.mounts {
            if m.split(',').any(|kv| kv == "type=bind") {
                r.push(format!("--mount {m}: monta una carpeta de tu equipo dentro del contenedor"));
            }
        }
        if let Some(p) = self.pid.as_deref().filter(|p| *p == "host") {
            r.push(format!("--pid {p}: el contenedor ve todos los procesos de tu equipo"));
        }
        if let Some(n) = self.network.as_deref().filter(|n| *n == "host") {
            r.push(format!("--network {n}: el contenedor usa la red de tu equipo"));
        }
        for d in &self.devices {
            r.push(format!("--device {d}: da acceso a un dispositivo de tu equipo"));
        }
        for o in &self.security_opt {
            // `seccomp=unconfined`, `apparmor:unconfined`, `label=disable`, `systempaths=unconfined`.
            let (key, value) = o.split_once(['=', ':']).unwrap_or((o.as_str(), ""));
            let what = match (key, value) {
                ("seccomp", "unconfined") => "quita el filtro seccomp de llamadas al sistema",
                ("apparmor", "unconfined") => "quita el perfil de AppArmor",
                ("label", "disable") => "quita el aislamiento de SELinux",
                ("systempaths", "unconfined") => "deja sin proteger /proc y /sys del equipo",
                _ => continue,
            };
            r.push(format!("--security-opt {o}: {what}"));
        }
        r
    }
}

/// `docker login` options.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Login {
    /// Registry server; `None` is Docker Hub.
    pub server: Option<String>,
    /// `-u`/`--username`.
    pub username: Option<String>,
    /// `--password-stdin`.
    pub password_stdin: bool,
}

/// Subcommands a lesson may use, for hints.
pub const SUPPORTED: &str = "build, images, run, tag, login, push, pull, inspect, history, rmi, image prune, version";

/// Parses one command line (`docker …`).
pub fn parse(line: &str, vars: &Vars) -> Result<DockerCommand, LocalError> {
    let words = words::split(line, vars)?;
    let Some(first) = words.first() else {
        return Err(LocalError::new(0, "bloque `+run` vacío", "escribe una orden `docker …`"));
    };
    if first.text != "docker" {
        return Err(LocalError::new(
            first.offset,
            format!("`{}` no es una orden docker", first.text),
            "Estiba solo ejecuta órdenes `docker …`",
        ));
    }
    let Some(sub) = words.get(1) else {
        return Err(LocalError::new(line.chars().count(), "falta el subcomando de docker", format!("subcomandos admitidos: {SUPPORTED}")));
    };
    let rest = &words[2..];
    match sub.text.as_str() {
        "build" => build(sub, rest),
        "images" => images(sub, rest),
        "run" => run(sub, rest),
        "tag" => tag(sub, rest),
        "login" => login(sub, rest),
        "push" => one_image(sub, rest).map(|image| DockerCommand::Push { image }),
        "pull" => one_image(sub, rest).map(|image| DockerCommand::Pull { image }),
        "inspect" => inspect(sub, rest),
        "history" => history(sub, rest),
        "rmi" => rmi(sub, rest),
        "version" => no_args(sub, rest).map(|_| DockerCommand::Version),
        "image" => image_sub(sub, rest),
        other => Err(LocalError::new(
            sub.offset,
            format!("subcomando `docker {other}` no admitido"),
            format!("subcomandos admitidos: {SUPPORTED}"),
        )),
    }
}

fn image_sub(sub: &Word, rest: &[Word]) -> Result<DockerCommand, LocalError> {
    let Some(op) = rest.first() else {
        return Err(LocalError::new(sub.offset, "falta la operación de `docker image`", "por ejemplo `docker image prune -f`"));
    };
    let rest = &rest[1..];
    match op.text.as_str() {
        "ls" | "list" => images(op, rest),
        "build" => build(op, rest),
        "inspect" => inspect(op, rest),
        "history" => history(op, rest),
        "rm" => rmi(op, rest),
        "tag" => tag(op, rest),
        "push" => one_image(op, rest).map(|image| DockerCommand::Push { image }),
        "pull" => one_image(op, rest).map(|image| DockerCommand::Pull { image }),
        "prune" => prune(op, rest),
        other => Err(LocalError::new(
            op.offset,
            format!("`docker image {other}` no admitido"),
            "operaciones admitidas: ls, build, inspect, history, rm, tag, push, pull, prune",
        )),
    }
}

const BUILD_FLAGS: &[Flag] = &[
    Flag::value("tag", Some('t')),
    Flag::value("file", Some('f')),
    Flag::value("target", None),
    Flag::value("build-arg", None),
    Flag::switch("no-cache", None),
];

fn build(sub: &Word, rest: &[Word]) -> Result<DockerCommand, LocalError> {
    let p = flags::parse("build", rest, BUILD_FLAGS, false)?;
    let context = exactly_one(sub, &p, "el contexto de construcción", "docker build -t nombre:tag carpeta")?;
    let mut b = Build { context, no_cache: p.has("no-cache"), ..Build::default() };
    b.tags = p.values("tag");
    b.dockerfile = p.last("file");
    b.target = p.last("target");
    for (value, offset) in p.values_at("build-arg") {
        let (k, v) = value
            .split_once('=')
            .ok_or_else(|| LocalError::new(offset, format!("`--build-arg {value}` sin `=`"), "usa `--build-arg NOMBRE=valor`"))?;
        b.build_args.push((k.to_string(), v.to_string()));
    }
    Ok(DockerCommand::Build(b))
}

const IMAGES_FLAGS: &[Flag] = &[Flag::switch("digests", None), Flag::switch("all", Some('a')), Flag::switch("quiet", Some('q'))];

fn images(sub: &Word, rest: &[Word]) -> Result<DockerCommand, LocalError> {
    let p = flags::parse("images", rest, IMAGES_FLAGS, false)?;
    if let Some(extra) = p.positionals.get(1) {
        return Err(LocalError::new(
            extra.offset,
            "`docker images` admite un solo filtro de repositorio",
            "por ejemplo `docker images hola`",
        ));
    }
    let _ = sub;
    Ok(DockerCommand::Images(Images {
        repository: p.positionals.first().map(|w| w.text.clone()),
        digests: p.has("digests"),
        all: p.has("all"),
        quiet: p.has("quiet"),
    }))
}

const RUN_FLAGS: &[Flag] = &[
    Flag::switch("rm", None),
    Flag::switch("interactive", Some('i')),
    Flag::switch("tty", Some('t')),
    Flag::value("user", Some('u')),
    Flag::value("cap-drop", None),
    Flag::value("cap-add", None),
    Flag::switch("read-only", None),
    Flag::value("security-opt", None),
    Flag::value("network", None),
    Flag::value("net", None),
    Flag::switch("privileged", None),
    Flag::value("name", None),
    Flag::value("entrypoint", None),
    Flag::value("env", Some('e')),
    Flag::value("workdir", Some('w')),
    Flag::value("volume", Some('v')),
    Flag::value("mount", None),
    Flag::value("pid", None),
    Flag::value("device", None),
];

fn run(sub: &Word, rest: &[Word]) -> Result<DockerCommand, LocalError> {
    let p = flags::parse("run", rest, RUN_FLAGS, true)?;
    let Some(image) = p.positionals.first() else {
        return Err(LocalError::new(sub.offset, "falta la imagen de `docker run`", "por ejemplo `docker run --rm hola:1.0.0`"));
    };
    Ok(DockerCommand::Run(Run {
        rm: p.has("rm"),
        interactive: p.has("interactive"),
        tty: p.has("tty"),
        user: p.last("user"),
        cap_drop: p.values("cap-drop"),
        cap_add: p.values("cap-add"),
        read_only: p.has("read-only"),
        security_opt: p.values("security-opt"),
        network: p.last("network").or_else(|| p.last("net")),
        privileged: p.has("privileged"),
        name: p.last("name"),
        entrypoint: p.last("entrypoint"),
        env: p.values("env"),
        workdir: p.last("workdir"),
        volumes: p.values("volume"),
        mounts: p.values("mount"),
        pid: p.last("pid"),
        devices: p.values("device"),
        image: image.text.clone(),
        args: p.positionals[1..].iter().map(|w| w.text.clone()).collect(),
    }))
}

fn tag(sub: &Word, rest: &[Word]) -> Result<DockerCommand, LocalError> {
    let p = flags::parse("tag", rest, &[], false)?;
    match p.positionals.as_slice() {
        [s, t] => Ok(DockerCommand::Tag { source: s.text.clone(), target: t.text.clone() }),
        _ => Err(LocalError::new(sub.offset, "`docker tag` necesita dos argumentos", "usa `docker tag ORIGEN DESTINO`")),
    }
}

const LOGIN_FLAGS: &[Flag] = &[Flag::value("username", Some('u')), Flag::switch("password-stdin", None)];

fn login(sub: &Word, rest: &[Word]) -> Result<DockerCommand, LocalError> {
    let p = flags::parse("login", rest, LOGIN_FLAGS, false)?;
    if p.positionals.len() > 1 {
        return Err(LocalError::new(
            sub.offset,
            "`docker login` admite un solo servidor",
            "usa `docker login SERVIDOR -u USUARIO --password-stdin`",
        ));
    }
    Ok(DockerCommand::Login(Login {
        server: p.positionals.first().map(|w| w.text.clone()),
        username: p.last("username"),
        password_stdin: p.has("password-stdin"),
    }))
}

fn one_image(sub: &Word, rest: &[Word]) -> Result<String, LocalError> {
    let p = flags::parse(&sub.text, rest, &[], false)?;
    exactly_one(sub, &p, "la imagen", "indica una sola imagen, p. ej. `registro/espacio/hola:2.0.0`")
}

const INSPECT_FLAGS: &[Flag] = &[Flag::value("format", Some('f')), Flag::value("type", None)];

fn inspect(sub: &Word, rest: &[Word]) -> Result<DockerCommand, LocalError> {
    let p = flags::parse("inspect", rest, INSPECT_FLAGS, false)?;
    if p.positionals.is_empty() {
        return Err(LocalError::new(sub.offset, "falta la imagen a inspeccionar", "por ejemplo `docker image inspect hola:2.1.0`"));
    }
    if let Some(t) = p.last("type").filter(|t| t != "image") {
        return Err(LocalError::new(sub.offset, format!("`--type {t}` no admitido"), "Estiba solo inspecciona imágenes"));
    }
    Ok(DockerCommand::Inspect { format: p.last("format"), targets: p.positionals.iter().map(|w| w.text.clone()).collect() })
}

fn history(sub: &Word, rest: &[Word]) -> Result<DockerCommand, LocalError> {
    let p = flags::parse("history", rest, &[Flag::switch("no-trunc", None)], false)?;
    let image = exactly_one(sub, &p, "la imagen", "por ejemplo `docker history hola:1.0.0`")?;
    Ok(DockerCommand::History { image, no_trunc: p.has("no-trunc") })
}

fn rmi(sub: &Word, rest: &[Word]) -> Result<DockerCommand, LocalError> {
    let p = flags::parse("rmi", rest, &[Flag::switch("force", Some('f'))], false)?;
    if p.positionals.is_empty() {
        return Err(LocalError::new(sub.offset, "falta la imagen a borrar", "por ejemplo `docker rmi hola:1.0.0`"));
    }
    Ok(DockerCommand::Rmi { images: p.positionals.iter().map(|w| w.text.clone()).collect(), force: p.has("force") })
}

fn prune(sub: &Word, rest: &[Word]) -> Result<DockerCommand, LocalError> {
    let p = flags::parse("image prune", rest, &[Flag::switch("all", Some('a')), Flag::switch("force", Some('f'))], false)?;
    no_positionals(sub, &p)?;
    Ok(DockerCommand::ImagePrune { all: p.has("all"), force: p.has("force") })
}

fn no_args(sub: &Word, rest: &[Word]) -> Result<(), LocalError> {
    let p = flags::parse(&sub.text, rest, &[], false)?;
    no_positionals(sub, &p)
}

fn no_positionals(sub: &Word, p: &Parsed) -> Result<(), LocalError> {
    match p.positionals.first() {
        Some(w) => Err(LocalError::new(
            w.offset,
            format!("argumento inesperado `{}`", w.text),
            format!("`docker {}` no lleva argumentos", sub.text),
        )),
        None => Ok(()),
    }
}

fn exactly_one(sub: &Word, p: &Parsed, what: &str, example: &str) -> Result<String, LocalError> {
    match p.positionals.as_slice() {
        [one] => Ok(one.text.clone()),
        [] => Err(LocalError::new(sub.offset, format!("falta {what} de `docker {}`", sub.text), example.to_string())),
        [_, extra, ..] => Err(LocalError::new(extra.offset, format!("argumento de más `{}`", extra.text), example.to_string())),
    }
}
