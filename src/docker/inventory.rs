//! What the engine holds, as Estiba's own types: image facts and what a lesson owns.

use std::collections::HashMap;

use bollard::query_parameters::{ListContainersOptions, ListImagesOptions};

use super::{Engine, EngineError, LESSON_LABEL, daemon};

/// Facts about one image.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageInfo {
    /// Full id (`sha256:…`).
    pub id: String,
    /// Names (`repo:tag`).
    pub tags: Vec<String>,
    /// `repo@sha256:…` once pushed or pulled.
    pub digests: Vec<String>,
    /// Size in bytes as the engine reports it.
    pub size: i64,
    /// Number of filesystem layers.
    pub layers: usize,
    /// Configured user (`""` means root).
    pub user: String,
    /// Labels.
    pub labels: HashMap<String, String>,
}

/// Containers and images that carry a lesson's label.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Owned {
    /// Container ids.
    pub containers: Vec<String>,
    /// Image ids.
    pub images: Vec<String>,
}

impl Engine {
    /// Facts about `image`, or `None` when it does not exist.
    pub async fn image_info(&self, image: &str) -> Result<Option<ImageInfo>, EngineError> {
        let i = match self.docker.inspect_image(image).await {
            Ok(i) => i,
            Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }) => return Ok(None),
            Err(e) => return Err(daemon(e)),
        };
        let config = i.config.unwrap_or_default();
        Ok(Some(ImageInfo {
            id: i.id.unwrap_or_default(),
            tags: i.repo_tags.unwrap_or_default(),
            digests: i.repo_digests.unwrap_or_default(),
            size: i.size.unwrap_or_default(),
            layers: i.root_fs.and_then(|r| r.layers).map_or(0, |l| l.len()),
            user: config.user.unwrap_or_default(),
            labels: config.labels.unwrap_or_default(),
        }))
    }

    /// Every container (running or not) and image labelled `estiba.lesson=<lesson_id>`.
    pub async fn owned(&self, lesson_id: &str) -> Result<Owned, EngineError> {
        let filters = HashMap::from([("label".to_string(), vec![format!("{LESSON_LABEL}={lesson_id}")])]);
        let containers = self
            .docker
            .list_containers(Some(ListContainersOptions { all: true, filters: Some(filters.clone()), ..Default::default() }))
            .await
            .map_err(daemon)?;
        let images = self
            .docker
            .list_images(Some(ListImagesOptions { all: true, filters: Some(filters), ..Default::default() }))
            .await
            .map_err(daemon)?;
        Ok(Owned { containers: containers.into_iter().filter_map(|c| c.id).collect(), images: images.into_iter().map(|i| i.id).collect() })
    }
}

/// What `clean` removed and what it left.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cleaned {
    /// Containers removed (short ids).
    pub containers: Vec<String>,
    /// Images removed: their names, or short ids when untagged.
    pub images: Vec<String>,
    /// Images kept, with the reason.
    pub kept: Vec<(String, String)>,
}

impl Engine {
    /// Removes every container and image labelled `estiba.lesson=<lesson_id>`, newest first.
    /// Local stand-in base images are kept unless `include_bases`. Nothing unlabelled is touched.
    pub async fn clean(&self, lesson_id: &str, include_bases: bool) -> Result<Cleaned, EngineError> {
        use bollard::query_parameters::{RemoveContainerOptions, RemoveImageOptions};
        let filters = HashMap::from([("label".to_string(), vec![format!("{LESSON_LABEL}={lesson_id}")])]);
        let mut done = Cleaned::default();
        let containers = self
            .docker
            .list_containers(Some(ListContainersOptions { all: true, filters: Some(filters.clone()), ..Default::default() }))
            .await
            .map_err(daemon)?;
        for c in containers {
            let Some(id) = c.id else { continue };
            if self.docker.remove_container(&id, Some(RemoveContainerOptions { force: true, v: true, ..Default::default() })).await.is_ok()
            {
                done.containers.push(super::format::short_id(&id));
            }
        }
        let mut images = self
            .docker
            .list_images(Some(ListImagesOptions { all: true, filters: Some(filters), ..Default::default() }))
            .await
            .map_err(daemon)?;
        images.sort_by_key(|i| std::cmp::Reverse(i.created));
        for img in images {
            let name = img.repo_tags.iter().find(|t| *t != "<none>:<none>").cloned().unwrap_or_else(|| super::format::short_id(&img.id));
            if !include_bases && img.labels.contains_key(super::STANDIN_LABEL) && img.parent_id.is_empty() {
                done.kept.push((name, "imagen base sustituta (usa --all para borrarla)".into()));
                continue;
            }
            match self
                .docker
                .remove_image(&img.id, Some(RemoveImageOptions { force: true, noprune: false, ..Default::default() }), None)
                .await
            {
                Ok(_) => done.images.push(name),
                Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }) => {}
                Err(e) => done.kept.push((name, daemon(e).to_string())),
            }
        }
        Ok(done)
    }
}
