//! What the engine holds, as Estiba's own types: image facts and what a lesson owns.

use std::collections::{BTreeSet, HashMap};

use bollard::query_parameters::{ListContainersOptions, ListImagesOptions};

use super::{CONTAINER_LABEL, Engine, EngineError, LESSON_LABEL, STANDIN_LABEL, daemon};

/// The ownership mark: `estiba.lesson="<id>"`, the last instruction (`LABEL …`) of the stage an
/// Estiba build ends with and the comment of every image it commits or imports.
pub fn ownership_mark(lesson_id: &str) -> String {
    format!("{LESSON_LABEL}=\"{lesson_id}\"")
}

/// Whether a history entry (its `created_by` or its comment) is the ownership mark of `lesson_id`.
pub fn is_mark(entry: &str, lesson_id: &str) -> bool {
    entry.split_whitespace().any(|w| w.strip_prefix("estiba.lesson=").is_some_and(|v| v.trim_matches('"') == lesson_id))
}

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

    /// Whether image `id` is Estiba's own for `lesson_id`: it carries the label and either its newest
    /// step is Estiba's ownership mark or Estiba's build wrote it down as a stage it made (in the
    /// ledger, `<state dir>/<lesson>.built`). An image a learner built `FROM` a lesson image inherits the label, but its
    /// newest step is the learner's and no build of Estiba's made it, so it is never taken for Estiba's.
    pub async fn is_own_image(&self, id: &str, lesson_id: &str) -> Result<bool, EngineError> {
        let ledger = super::ledger::read(&super::ledger::default_file(lesson_id));
        self.is_own_with(id, lesson_id, &ledger).await
    }

    async fn is_own_with(&self, id: &str, lesson_id: &str, ledger: &BTreeSet<String>) -> Result<bool, EngineError> {
        let i = self.docker.inspect_image(id).await.map_err(daemon)?;
        let labels = i.config.and_then(|c| c.labels).unwrap_or_default();
        if labels.get(LESSON_LABEL).map(String::as_str) != Some(lesson_id) {
            return Ok(false);
        }
        if i.id.as_deref().is_some_and(|full| super::ledger::holds(ledger, full)) {
            return Ok(true);
        }
        let history = self.docker.image_history(id).await.map_err(daemon)?;
        Ok(history.first().is_some_and(|h| is_mark(&h.created_by, lesson_id) || is_mark(&h.comment, lesson_id)))
    }

    /// Ids of the images that are Estiba's own for `lesson_id` (see [`Engine::is_own_image`]);
    /// `dangling_only` keeps the untagged ones.
    pub(super) async fn own_images(&self, lesson_id: &str, dangling_only: bool) -> Result<Vec<bollard::models::ImageSummary>, EngineError> {
        let mut filters = HashMap::from([("label".to_string(), vec![format!("{LESSON_LABEL}={lesson_id}")])]);
        if dangling_only {
            filters.insert("dangling".to_string(), vec!["true".to_string()]);
        }
        let images = self
            .docker
            .list_images(Some(ListImagesOptions { all: !dangling_only, filters: Some(filters), ..Default::default() }))
            .await
            .map_err(daemon)?;
        let ledger = super::ledger::read(&super::ledger::default_file(lesson_id));
        let mut own = Vec::new();
        for i in images {
            if self.is_own_with(&i.id, lesson_id, &ledger).await.unwrap_or(false) {
                own.push(i);
            }
        }
        Ok(own)
    }

    /// Ids of the untagged images labelled for `lesson_id`, intermediate build steps included, whether
    /// or not they are Estiba's own: what a build or a measurement might leave behind.
    pub async fn untagged_labelled(&self, lesson_id: &str) -> Result<Vec<String>, EngineError> {
        let filters = HashMap::from([
            ("label".to_string(), vec![format!("{LESSON_LABEL}={lesson_id}")]),
            ("dangling".to_string(), vec!["true".to_string()]),
        ]);
        let images = self
            .docker
            .list_images(Some(ListImagesOptions { all: true, filters: Some(filters), ..Default::default() }))
            .await
            .map_err(daemon)?;
        Ok(images.into_iter().map(|i| i.id).collect())
    }

    /// Every container (running or not) Estiba created for `lesson_id`, and every image that is its own.
    pub async fn owned(&self, lesson_id: &str) -> Result<Owned, EngineError> {
        let filters = HashMap::from([("label".to_string(), vec![format!("{CONTAINER_LABEL}={lesson_id}")])]);
        let containers = self
            .docker
            .list_containers(Some(ListContainersOptions { all: true, filters: Some(filters), ..Default::default() }))
            .await
            .map_err(daemon)?;
        let images = self.own_images(lesson_id, false).await?;
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
    /// Removes every container Estiba created for `lesson_id` and every image that is its own
    /// (see [`Engine::is_own_image`]), newest first. Local stand-in base images are kept unless
    /// `include_bases`. Nothing else is touched, not even an image built `FROM` a lesson image.
    pub async fn clean(&self, lesson_id: &str, include_bases: bool) -> Result<Cleaned, EngineError> {
        use bollard::query_parameters::{RemoveContainerOptions, RemoveImageOptions};
        let filters = HashMap::from([("label".to_string(), vec![format!("{CONTAINER_LABEL}={lesson_id}")])]);
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
        let mut images = self.own_images(lesson_id, false).await?;
        for base in self.standins(lesson_id).await? {
            let name = base.repo_tags.first().cloned().unwrap_or_else(|| super::format::short_id(&base.id));
            if include_bases {
                images.push(base);
            } else {
                done.kept.push((name, "imagen base sustituta (usa --all para borrarla)".into()));
            }
        }
        images.sort_by_key(|i| std::cmp::Reverse(i.created));
        for img in images {
            let name = img.repo_tags.iter().find(|t| *t != "<none>:<none>").cloned().unwrap_or_else(|| super::format::short_id(&img.id));
            // Force: the image may have several of the lesson's names (a tag for the registry).
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
        // The ledger keeps only what is still there.
        let left: Vec<String> = self
            .docker
            .list_images(Some(ListImagesOptions { all: true, ..Default::default() }))
            .await
            .map_err(daemon)?
            .into_iter()
            .map(|i| i.id)
            .collect();
        super::ledger::retain(&super::ledger::default_file(lesson_id), |short| left.iter().any(|id| super::format::same_id(id, short)));
        Ok(done)
    }

    /// The lesson's local stand-in base images: labelled `estiba.standin` and with the lesson's label,
    /// made by `docker import` (a single step), so an image built `FROM` one is not among them.
    async fn standins(&self, lesson_id: &str) -> Result<Vec<bollard::models::ImageSummary>, EngineError> {
        let filters = HashMap::from([("label".to_string(), vec![STANDIN_LABEL.to_string(), format!("{LESSON_LABEL}={lesson_id}")])]);
        let images =
            self.docker.list_images(Some(ListImagesOptions { filters: Some(filters), ..Default::default() })).await.map_err(daemon)?;
        let mut out = Vec::new();
        for i in images {
            let history = self.docker.image_history(&i.id).await.map_err(daemon)?;
            if history.len() == 1 {
                out.push(i);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mark_names_exactly_the_lesson() {
        // As the classic builder records the LABEL step, and as a commit comment.
        assert!(is_mark("/bin/sh -c #(nop)  LABEL estiba.lesson=cpp-seguro", "cpp-seguro"));
        assert!(is_mark("/bin/sh -c #(nop)  LABEL estiba.lesson=\"cpp-seguro\"", "cpp-seguro"));
        assert!(is_mark(&ownership_mark("cpp-seguro"), "cpp-seguro"));
        assert!(!is_mark("/bin/sh -c #(nop)  LABEL estiba.lesson=cpp-seguro-2", "cpp-seguro"));
        assert!(!is_mark("/bin/sh -c #(nop)  LABEL mia=si", "cpp-seguro"));
        assert!(!is_mark("/bin/sh -c #(nop)  CMD [\"./hola\"]", "cpp-seguro"));
        assert!(!is_mark("", "cpp-seguro"));
    }
}
