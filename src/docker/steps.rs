//! The images a classic build reports (` ---> 1a2b3c4d5e6f` lines): what it made, the ends of its
//! stages, and the step still under way when it is abandoned.

/// Ids of the images a classic build made (` ---> 1a2b3c4d5e6f` lines, cached steps excluded).
#[derive(Debug, Default)]
pub(super) struct StepImages {
    /// Short ids of the images this build made, oldest first.
    pub(super) ids: Vec<String>,
    /// The last image of each stage a later stage followed, when this build made it: untagged
    /// at the end, and without the ownership mark (see [`super::build::label_stages`]).
    pub(super) stage_ends: Vec<String>,
    /// The newest id seen, and whether this build made it.
    last: Option<(String, bool)>,
    /// The instruction of the step running now (`RUN`, `COPY`, …), until its image is seen.
    running: Option<String>,
    /// The container that step runs in, once its `Running in` line is seen.
    running_in: Option<String>,
    cached: bool,
}

impl StepImages {
    /// Takes note of the step images in a chunk of build output.
    pub(super) fn see(&mut self, text: &str) {
        for line in text.lines() {
            let line = line.trim();
            // The id after a FROM step or a cache hit is not this build's.
            let from = line.starts_with("Step ") && line.to_ascii_uppercase().contains(" : FROM ");
            if let Some((_, step)) = line.split_once(" : ").filter(|_| line.starts_with("Step ")) {
                self.running = step.split_whitespace().next().map(str::to_ascii_uppercase);
                self.running_in = None;
            }
            if let Some(c) = line.strip_prefix("---> Running in ") {
                self.running_in = Some(c.trim().to_string());
            }
            if from && let Some((id, true)) = self.last.take() {
                self.stage_ends.push(id);
            }
            if line == "---> Using cache" || from {
                self.cached = true;
            } else if line == "--->" {
                // `FROM scratch` has no image: the next id is the next step's.
                self.cached = false;
            } else if let Some(id) = line.strip_prefix("---> ").filter(|i| i.len() == 12 && i.chars().all(|c| c.is_ascii_hexdigit())) {
                if !self.cached {
                    self.ids.push(id.to_string());
                }
                self.last = Some((id.to_string(), !self.cached));
                self.running = None;
                self.cached = false;
            }
        }
    }

    /// The step still running when the build was abandoned: its instruction, the image it builds
    /// on and the container it runs in, if seen (`None` when no step was under way, or it had no
    /// image to build on).
    pub(super) fn in_flight(&self) -> Option<(&str, &str, Option<&str>)> {
        Some((self.running.as_deref()?, self.last.as_ref()?.0.as_str(), self.running_in.as_deref())).filter(|(k, ..)| *k != "FROM")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_images_skip_cached_steps() {
        let mut m = StepImages::default();
        m.see("Step 1/3 : FROM a\n ---> 0123456789ab\nStep 2/3 : RUN x\n ---> Using cache\n ---> aaaaaaaaaaaa\n");
        m.see("Step 3/3 : RUN y\n ---> Running in ffffffffffff\nRemoving intermediate container ffffffffffff\n ---> bbbbbbbbbbbb\n");
        assert_eq!(m.ids, ["bbbbbbbbbbbb"]);
        assert!(m.stage_ends.is_empty(), "the last stage is the final image's: {:?}", m.stage_ends);
    }

    #[test]
    fn the_step_in_flight_is_known_until_its_image_is_seen() {
        let mut m = StepImages::default();
        m.see("Step 1/3 : FROM a\n ---> 0123456789ab\nStep 2/3 : COPY big /big\n");
        assert_eq!(m.in_flight(), Some(("COPY", "0123456789ab", None)));
        m.see(" ---> 111111111111\nStep 3/3 : RUN make\n ---> Running in ffffffffffff\n");
        assert_eq!(m.in_flight(), Some(("RUN", "111111111111", Some("ffffffffffff"))));
        m.see(" ---> 222222222222\n");
        assert_eq!(m.in_flight(), None);
        let mut m = StepImages::default();
        m.see("Step 1/2 : FROM a\n");
        assert_eq!(m.in_flight(), None, "a FROM makes no image of its own");
    }

    #[test]
    fn stage_ends_are_the_made_images_a_later_stage_follows() {
        let mut m = StepImages::default();
        // A `build` stage this build made, a cached `test` stage, then the final stage.
        m.see("Step 1/7 : FROM a AS build\n ---> 0123456789ab\nStep 2/7 : RUN make\n ---> Running in ffffffffffff\n");
        m.see(" ---> 111111111111\nStep 3/7 : FROM build AS test\n ---> 111111111111\nStep 4/7 : RUN test\n ---> Using cache\n ---> 222222222222\n");
        m.see("Step 5/7 : FROM scratch\n ---> \nStep 6/7 : COPY --from=build /x /\n ---> 333333333333\nStep 7/7 : LABEL l=1\n ---> 444444444444\n");
        assert_eq!(m.stage_ends, ["111111111111"]);
        assert_eq!(m.ids, ["111111111111", "333333333333", "444444444444"]);
        // A stage with nothing after its FROM ends with its base: not this build's.
        let mut m = StepImages::default();
        m.see("Step 1/3 : FROM a AS build\n ---> 0123456789ab\nStep 2/3 : FROM scratch\nStep 3/3 : COPY --from=build /x /\n ---> 333333333333\n");
        assert!(m.stage_ends.is_empty());
    }
}
