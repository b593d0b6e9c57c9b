//! The probe behind `estiba compare`: a static binary, built with the lesson's build image, copied
//! into a container created with the options being compared (archive upload, before start) and run
//! instead of the image's command. It reports uid/gid/groups, `id`, whether `/bin/sh` exists, whether
//! the root filesystem is mounted read-write and the capability lines of its own `/proc/self/status`: it
//! works in `scratch` images and never reads the host's `/proc`. The probe's image is removed as soon
//! as the binary is copied out of it; the binary is kept in `probe_cache`.

use std::collections::HashMap;

use bollard::body_full;
use bollard::container::LogOutput;
use bollard::models::ContainerConfig;
use bollard::query_parameters::{
    BuildImageOptions, BuilderVersion, CommitContainerOptions, CreateContainerOptions, DownloadFromContainerOptions, LogsOptions,
    RemoveContainerOptions, RemoveImageOptions, UploadToContainerOptions, WaitContainerOptions,
};
use futures_util::StreamExt;

use super::build::label_stages;
use super::run::container_config;
use super::steps::StepImages;
use super::{CONTAINER_LABEL, Engine, EngineError, LESSON_LABEL, Session, daemon, probe_cache};
use crate::caps::{self, CapSets};
use crate::lesson::command::Run;

const PROBE_SOURCE: &str = include_str!("../../assets/estiba-probe/probe.cpp");
const PROBE_DOCKERFILE: &str = include_str!("../../assets/estiba-probe/Dockerfile");
/// Name earlier versions of Estiba kept the probe image under (now the image is never kept).
pub const LEGACY_PROBE_IMAGE: &str = "estiba-probe:0.1.0";
/// Image the probe is built with.
pub const PROBE_BUILDER: &str = "cpp-build-base:0.1.0";

/// FNV-1a of the probe's source and Dockerfile: which probe a cached archive holds.
fn probe_source_id() -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in PROBE_SOURCE.bytes().chain(PROBE_DOCKERFILE.bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// What the probe saw inside a container.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProbeReport {
    /// Real uid.
    pub uid: u32,
    /// Real gid.
    pub gid: u32,
    /// Supplementary groups.
    pub groups: Vec<u32>,
    /// `id`-style line, with names where the image has `/etc/passwd` and `/etc/group`.
    pub id_output: String,
    /// `/bin/sh` exists.
    pub has_shell: bool,
    /// The root filesystem is mounted read-write (`false` with `--read-only`), whoever the user is.
    pub rootfs_writable: bool,
    /// Capability sets.
    pub caps: CapSets,
    /// `NoNewPrivs` is set.
    pub no_new_privs: bool,
}

/// Parses the probe's `key=value` and status lines.
pub fn parse_report(text: &str) -> Result<ProbeReport, String> {
    let mut r = ProbeReport { caps: caps::parse_status(text), ..ProbeReport::default() };
    let mut seen = 0;
    for line in text.lines() {
        if let Some((k, v)) = line.split_once('=') {
            seen += 1;
            match k {
                "uid" => r.uid = v.parse().map_err(|_| format!("uid no válido: {v}"))?,
                "gid" => r.gid = v.parse().map_err(|_| format!("gid no válido: {v}"))?,
                "groups" => r.groups = v.split(',').filter_map(|g| g.parse().ok()).collect(),
                "id" => r.id_output = v.to_string(),
                "sh" => r.has_shell = v == "yes",
                "rootfs" => r.rootfs_writable = v == "rw",
                _ => seen -= 1,
            }
        } else if let Some(v) = line.strip_prefix("NoNewPrivs:") {
            r.no_new_privs = v.trim() == "1";
        }
    }
    if seen < 6 {
        return Err(format!("la sonda no respondió como se esperaba: {}", text.trim()));
    }
    Ok(r)
}

impl Engine {
    /// The probe as a tar archive holding `estiba-probe`: the one this process already has, else the
    /// one in the cache folder, else built now (and then kept in both). Nothing of the build stays
    /// in the engine.
    pub async fn probe_archive(&self, lesson_id: &str) -> Result<Vec<u8>, EngineError> {
        let key = self.probe_key().await?;
        if let Some(archive) = probe_cache::memory_get(&key) {
            return Ok(archive);
        }
        let dir = super::prepare::cache_root();
        let archive = match probe_cache::read(&dir, &key) {
            Some(archive) => archive,
            None => {
                let archive = self.build_probe(lesson_id).await?;
                // Without a cache folder the probe is only built again next time.
                let _ = probe_cache::write(&dir, &key, &archive);
                archive
            }
        };
        probe_cache::memory_put(&key, &archive);
        Ok(archive)
    }

    /// Which probe fits this engine: its source id and the engine's architecture.
    async fn probe_key(&self) -> Result<String, EngineError> {
        let info = self.info().await?;
        let arch = info.platform.rsplit('/').next().filter(|a| !a.is_empty()).unwrap_or("desconocida").to_string();
        Ok(format!("{}-{arch}", probe_source_id()))
    }

    /// Builds the probe with the lesson's build image and copies the binary out as a tar archive.
    /// The image is built untagged and without the build cache, and removed with every intermediate
    /// image of its build as soon as the binary is out (or the build fails): none is left behind.
    async fn build_probe(&self, lesson_id: &str) -> Result<Vec<u8>, EngineError> {
        if self.image_info(PROBE_BUILDER).await?.is_none() {
            return Err(EngineError::Local(format!(
                "para medir hace falta la imagen para compilar {PROBE_BUILDER}: ejecuta antes el paso «Imagen para compilar»"
            )));
        }
        self.remove_legacy_probe(lesson_id).await;
        let mut ctx = tar::Builder::new(Vec::new());
        let inherited = self.labelled_bases(PROBE_DOCKERFILE, lesson_id).await;
        let df = label_stages(PROBE_DOCKERFILE, lesson_id, &inherited, None);
        for (name, data) in [("Dockerfile", df.as_str()), ("probe.cpp", PROBE_SOURCE)] {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            ctx.append_data(&mut h, name, data.as_bytes()).map_err(|e| EngineError::Local(e.to_string()))?;
        }
        let tar = ctx.into_inner().map_err(|e| EngineError::Local(e.to_string()))?;
        let opts = BuildImageOptions {
            dockerfile: "Dockerfile".into(),
            rm: true,
            forcerm: true,
            // Every step's image is this build's own, so removing the last one removes them all.
            nocache: true,
            networkmode: Some("none".into()),
            version: BuilderVersion::BuilderV1,
            ..Default::default()
        };
        let mut made = StepImages::default();
        let mut built = None;
        let mut result = Ok(());
        let mut s = self.docker.build_image(opts, None, Some(body_full(tar.into())));
        while let Some(item) = s.next().await {
            match item {
                Ok(info) => {
                    let text = info.stream.unwrap_or_default();
                    made.see(&text);
                    built = built.or_else(|| text.lines().find_map(|l| l.trim().strip_prefix("Successfully built ")).map(String::from));
                }
                Err(e) => {
                    result = Err(daemon(e));
                    break;
                }
            }
        }
        drop(s);
        let archive = match (result, &built) {
            (Ok(()), Some(image)) => self.copy_probe_out(image, lesson_id).await,
            (Ok(()), None) => Err(EngineError::Local("la construcción de la sonda no dio ninguna imagen".into())),
            (Err(e), _) => Err(e),
        };
        // The image and its intermediate ones, newest first (removing the last prunes its parents).
        let mut done = Session { lesson_id: lesson_id.to_string(), leftovers: made.ids, ..Session::default() };
        done.leftovers.extend(built);
        self.remove_leftovers(&mut done).await;
        archive
    }

    /// Downloads `/estiba-probe` from a container of `image` (created, never started).
    async fn copy_probe_out(&self, image: &str, lesson_id: &str) -> Result<Vec<u8>, EngineError> {
        let labels =
            HashMap::from([(LESSON_LABEL.to_string(), lesson_id.to_string()), (CONTAINER_LABEL.to_string(), lesson_id.to_string())]);
        let body = bollard::models::ContainerCreateBody { image: Some(image.into()), labels: Some(labels), ..Default::default() };
        let id = self.docker.create_container(None::<CreateContainerOptions>, body).await.map_err(daemon)?.id;
        let mut archive = Vec::new();
        let mut s = self.docker.download_from_container(&id, Some(DownloadFromContainerOptions { path: "/estiba-probe".into() }));
        let mut result = Ok(());
        while let Some(chunk) = s.next().await {
            match chunk {
                Ok(c) => archive.extend_from_slice(&c),
                Err(e) => {
                    result = Err(daemon(e));
                    break;
                }
            }
        }
        drop(s);
        let _ = self.docker.remove_container(&id, Some(RemoveContainerOptions { force: true, ..Default::default() })).await;
        result?;
        if !probe_cache::holds_probe(&archive) {
            return Err(EngineError::Local("la sonda copiada del contenedor no es un binario".into()));
        }
        Ok(archive)
    }

    /// Removes the probe image earlier versions of Estiba kept ([`LEGACY_PROBE_IMAGE`]), when it is
    /// the lesson's own.
    async fn remove_legacy_probe(&self, lesson_id: &str) {
        let Ok(Some(old)) = self.image_info(LEGACY_PROBE_IMAGE).await else { return };
        if self.is_own_image(&old.id, lesson_id).await.unwrap_or(false) {
            let opts = RemoveImageOptions { force: true, noprune: false, ..Default::default() };
            let _ = self.docker.remove_image(LEGACY_PROBE_IMAGE, Some(opts), None).await;
        }
    }

    /// Runs the probe in `run.image` with `run`'s options. `Err(Daemon)` when the engine refuses
    /// to start such a container (e.g. `--privileged` where the engine cannot grant it).
    pub async fn probe(&self, run: &Run, archive: &[u8], lesson_id: &str) -> Result<ProbeReport, EngineError> {
        let mut r = run.clone();
        r.entrypoint = Some("/estiba-probe".into());
        r.args.clear();
        r.interactive = false;
        r.tty = false;
        r.name = None;
        let mut staged_image = None;
        if r.read_only {
            // A read-only root filesystem refuses the upload: stage the probe in a committed copy.
            let mut staging = r.clone();
            staging.read_only = false;
            let id = self
                .docker
                .create_container(None::<CreateContainerOptions>, container_config(&staging, lesson_id))
                .await
                .map_err(daemon)?
                .id;
            let up = self.upload(&id, archive).await;
            let committed = match up {
                Ok(()) => self
                    .docker
                    .commit_container(
                        CommitContainerOptions {
                            container: Some(id.clone()),
                            changes: Some(format!("LABEL {LESSON_LABEL}={lesson_id}")),
                            comment: Some(super::inventory::ownership_mark(lesson_id)),
                            ..Default::default()
                        },
                        ContainerConfig::default(),
                    )
                    .await
                    .map_err(daemon),
                Err(e) => Err(e),
            };
            let _ = self.docker.remove_container(&id, Some(RemoveContainerOptions { force: true, ..Default::default() })).await;
            let image = committed?.id;
            r.image = image.clone();
            staged_image = Some(image);
        }
        let result = self.probe_in(&r, archive, lesson_id, staged_image.is_none()).await;
        if let Some(image) = staged_image {
            let _ = self.docker.remove_image(&image, Some(RemoveImageOptions { force: true, ..Default::default() }), None).await;
        }
        result
    }

    async fn upload(&self, id: &str, archive: &[u8]) -> Result<(), EngineError> {
        self.docker
            .upload_to_container(
                id,
                Some(UploadToContainerOptions { path: "/".into(), ..Default::default() }),
                body_full(archive.to_vec().into()),
            )
            .await
            .map_err(daemon)
    }

    async fn probe_in(&self, r: &Run, archive: &[u8], lesson_id: &str, upload: bool) -> Result<ProbeReport, EngineError> {
        let id = self.docker.create_container(None::<CreateContainerOptions>, container_config(r, lesson_id)).await.map_err(daemon)?.id;
        let result = async {
            if upload {
                self.upload(&id, archive).await?;
            }
            self.docker.start_container(&id, None::<bollard::query_parameters::StartContainerOptions>).await.map_err(daemon)?;
            let mut wait = self.docker.wait_container(&id, None::<WaitContainerOptions>);
            while let Some(w) = wait.next().await {
                if let Err(e) = w
                    && !matches!(e, bollard::errors::Error::DockerContainerWaitError { .. })
                {
                    return Err(daemon(e));
                }
            }
            let mut text = String::new();
            let mut logs = self.docker.logs(&id, Some(LogsOptions { stdout: true, stderr: true, ..Default::default() }));
            while let Some(chunk) = logs.next().await {
                if let Ok(LogOutput::StdOut { message } | LogOutput::StdErr { message } | LogOutput::Console { message }) = chunk {
                    text.push_str(&String::from_utf8_lossy(&message));
                }
            }
            parse_report(&text).map_err(EngineError::Local)
        }
        .await;
        let _ = self.docker.remove_container(&id, Some(RemoveContainerOptions { force: true, v: true, ..Default::default() })).await;
        result
    }
}

/// Forgets the probe kept between measurements (in memory and in the cache folder): the next
/// measurement builds it again.
pub fn forget_probe() {
    probe_cache::memory_clear();
    probe_cache::remove_files(&super::prepare::cache_root());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_probe_output() {
        let text = "uid=10001\ngid=10001\ngroups=10001\nid=uid=10001 gid=10001 groups=10001\nsh=no\nrootfs=ro\nCapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapBnd:\t00000000a80425fb\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\nSeccomp:\t2\n";
        let r = parse_report(text).unwrap();
        assert_eq!((r.uid, r.gid, r.groups.as_slice()), (10001, 10001, &[10001][..]));
        assert!(!r.has_shell && !r.rootfs_writable && r.no_new_privs);
        assert_eq!(r.caps.bounding, 0xa80425fb);
        assert!(parse_report("exec failed").is_err());
    }
}
