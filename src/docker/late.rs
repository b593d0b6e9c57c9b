//! What an abandoned build may still commit. When Estiba stops listening (Esc, quit), the engine
//! finishes the step it was running (a `COPY` over a large image takes seconds to commit), so that
//! step's image appears after the build's output has ended and is known to nobody: without this it
//! would stay in the engine, untagged and never removed.

use std::collections::HashMap;
use std::time::Duration;

use bollard::query_parameters::{ListContainersOptions, ListImagesOptions};

use super::format::same_id;
use super::{Engine, daemon};

/// How long Estiba waits for the engine to finish the step of an abandoned build.
pub(super) const LATE_WAIT: Duration = Duration::from_secs(10);

/// Whether a history entry's `created_by` is the step of instruction `keyword` (`RUN`, `COPY`, …).
pub(super) fn made_by(created_by: &str, keyword: &str) -> bool {
    match created_by.split_once("#(nop)") {
        Some((_, rest)) => rest.trim_start().to_ascii_uppercase().starts_with(&keyword.to_ascii_uppercase()),
        None => keyword.eq_ignore_ascii_case("RUN"),
    }
}

impl Engine {
    /// After a build was abandoned while running instruction `keyword` on top of image `parent`:
    /// the untagged images made on top of `parent` since `since` (Unix seconds) whose newest step is
    /// that instruction. A step that runs in a container (`container`, from its `Running in` line)
    /// is over once that container is gone; a `COPY` or `ADD` commits without one, so its image is
    /// awaited. Either way, at most [`LATE_WAIT`].
    pub(super) async fn late_images(
        &self,
        parent: &str,
        keyword: &str,
        container: Option<&str>,
        since: i64,
    ) -> Result<Vec<String>, super::EngineError> {
        let deadline = tokio::time::Instant::now() + LATE_WAIT;
        loop {
            let over = match container {
                Some(c) => {
                    let containers = self
                        .docker
                        .list_containers(Some(ListContainersOptions { all: true, ..Default::default() }))
                        .await
                        .map_err(daemon)?;
                    !containers.iter().any(|k| k.id.as_deref().is_some_and(|id| same_id(id, c)))
                }
                None => false,
            };
            let late = self.children_made_by(parent, keyword, since).await?;
            if !late.is_empty() || over || tokio::time::Instant::now() >= deadline {
                return Ok(late);
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Untagged images made on top of `parent` since `since` whose newest step is `keyword`.
    async fn children_made_by(&self, parent: &str, keyword: &str, since: i64) -> Result<Vec<String>, super::EngineError> {
        let filters = HashMap::from([("dangling".to_string(), vec!["true".to_string()])]);
        let images = self
            .docker
            .list_images(Some(ListImagesOptions { all: true, filters: Some(filters), ..Default::default() }))
            .await
            .map_err(daemon)?;
        let mut late = Vec::new();
        for i in images.into_iter().filter(|i| i.created >= since && same_id(&i.parent_id, parent)) {
            let history = self.docker.image_history(&i.id).await.map_err(daemon)?;
            if history.first().is_some_and(|h| made_by(&h.created_by, keyword)) {
                late.push(i.id);
            }
        }
        Ok(late)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_told_by_their_instruction() {
        assert!(made_by("/bin/sh -c #(nop) COPY file:2e1d45ff in /dato.txt", "COPY"));
        assert!(made_by("/bin/sh -c #(nop)  LABEL estiba.lesson=x", "label"));
        assert!(made_by("/bin/sh -c cmake . && make", "RUN"));
        assert!(!made_by("/bin/sh -c cmake . && make", "COPY"));
        assert!(!made_by("/bin/sh -c #(nop) WORKDIR /src", "COPY"));
        assert!(same_id("sha256:1a2b3c4d5e6f0000", "1a2b3c4d5e6f"));
        assert!(!same_id("sha256:1a2b3c4d5e6f0000", ""));
        assert!(!same_id("sha256:1a2b3c4d5e6f0000", "sha256:"));
    }
}
