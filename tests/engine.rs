//! The engine layer against the real Docker engine: the lesson's images are built and run once
//! (under the test lesson id `estiba-tests`), every outcome is recorded, everything is cleaned up,
//! and each test then checks one claim on the record.

mod common;

use std::collections::HashMap;
use std::sync::OnceLock;

use estiba::docker::{Engine, ImageInfo, Output, Session};
use estiba::lesson::{DockerCommand, command, words::Vars};

const LESSON: &str = "estiba-tests";
const REGISTRY: &str = "127.0.0.1:5000";

/// What one command did.
#[derive(Debug, Clone)]
struct Ran {
    code: i64,
    output: String,
}

/// Everything the setup observed.
#[derive(Debug, Default)]
struct Lab {
    ran: HashMap<&'static str, Ran>,
    images: HashMap<&'static str, Option<ImageInfo>>,
    compare: estiba::compare::Comparison,
    /// Untagged images labelled for the lesson that appeared during the comparison.
    probe_leftovers: Vec<String>,
    /// Probe archives in the cache folder after the comparison.
    probe_cached: Vec<String>,
    leftover_containers: usize,
    leftover_images: usize,
    /// The last image of the `build` stage of each of Estiba's multi-stage builds, and whether it
    /// still existed after the lesson's `docker image prune -f`.
    stage_ends: Vec<(String, bool)>,
    /// The learner's own untagged stage (built with the docker CLI `FROM` the lesson's build image),
    /// and whether it still existed after that prune.
    learner_stage: Option<(String, bool)>,
}

impl Lab {
    fn ran(&self, key: &str) -> &Ran {
        self.ran.get(key).unwrap_or_else(|| panic!("no se ejecutó `{key}`"))
    }

    fn image(&self, key: &str) -> &ImageInfo {
        self.images.get(key).and_then(Option::as_ref).unwrap_or_else(|| panic!("no existe la imagen `{key}`"))
    }
}

fn cmd(line: &str) -> DockerCommand {
    command::parse(line, &Vars { registry: REGISTRY.into() }).unwrap()
}

async fn exec(engine: &Engine, session: &mut Session, line: &str) -> Ran {
    let mut output = String::new();
    let mut sink = |o: Output| {
        if let Output::Text { text, .. } = o {
            output.push_str(&text);
        }
    };
    let outcome = engine.execute(&cmd(line), session, &mut sink).await;
    Ran { code: outcome.exit_code, output }
}

/// The image a classic build's output shows as the end of its first stage (the ` ---> id` before
/// the second `FROM` step).
fn first_stage_end(output: &str) -> Option<String> {
    let mut last = None;
    let mut froms = 0;
    for line in output.lines().map(str::trim) {
        if line.starts_with("Step ") && line.contains(" : FROM ") {
            froms += 1;
            if froms == 2 {
                return last;
            }
        } else if let Some(id) = line.strip_prefix("---> ").filter(|i| i.len() == 12 && i.chars().all(|c| c.is_ascii_hexdigit())) {
            last = Some(id.to_string());
        }
    }
    None
}

/// The learner's own multi-stage build with the docker CLI, `FROM` the lesson's build image: its
/// first stage is left untagged and inherits the lesson label. The id of that stage, or `None`
/// without a docker CLI (outside CI).
fn learner_multistage(tag: &str) -> Option<String> {
    let df = "FROM cpp-build-base:0.1.0 AS b\nRUN echo mio > /mio\nFROM scratch\nCOPY --from=b /mio /mio\n";
    let text = common::learner_docker_build(df, tag)?;
    Some(first_stage_end(&text).expect("the learner's first stage"))
}

async fn setup() -> Option<Lab> {
    let engine = common::engine().await?;
    let mut s = Session { lesson_id: LESSON.into(), root: common::root(), assets: common::root().join("assets"), ..Session::default() };
    let mut lab = Lab::default();
    let steps: &[(&'static str, &str)] = &[
        ("build-base", "docker build -t cpp-build-base:0.1.0 assets/cpp-build-base"),
        ("build-ubuntu", "docker build -t hola:1.0.0 assets/hola-ubuntu"),
        ("build-scratch", "docker build -t hola:2.0.0 assets/hola-scratch"),
        ("build-nonroot", "docker build -t hola:1.1.0 assets/hola-ubuntu-usuario"),
        ("build-scratch-nonroot", "docker build -t hola:2.1.0 assets/hola-scratch-usuario"),
        ("run-ubuntu", "docker run --rm hola:1.0.0"),
        ("run-scratch", "docker run --rm hola:2.0.0"),
        ("sh-scratch", "docker run -it --rm hola:2.0.0 sh"),
        ("id-ubuntu", "docker run --rm hola:1.0.0 id"),
        ("id-nonroot", "docker run --rm hola:1.1.0 id"),
        ("id-user-flag", "docker run --rm --user 10001:10001 hola:1.0.0 id"),
        ("user-scratch", "docker image inspect --format '{{.Config.User}}' hola:2.1.0"),
        ("caps-root", "docker run --rm ubuntu:24.04 grep Cap /proc/self/status"),
        ("caps-drop", "docker run --rm --cap-drop ALL ubuntu:24.04 grep Cap /proc/self/status"),
        ("no-new-privs", "docker run --rm --security-opt no-new-privileges ubuntu:24.04 grep NoNewPrivs /proc/self/status"),
        ("read-only", "docker run --rm --read-only ubuntu:24.04 touch /prueba"),
        ("network", "docker run --rm ubuntu:24.04 cat /proc/net/dev"),
        ("images", "docker images hola"),
        ("invalid-utf8", "docker run --rm ubuntu:24.04 printf 'a\\377\\376b\\n'"),
        ("tag", "docker tag hola:2.0.0 $REGISTRY/estudiante/hola:2.0.0"),
    ];
    for (key, line) in steps {
        lab.ran.insert(key, exec(&engine, &mut s, line).await);
    }
    // The lesson's prune removes the untagged `build` stages of Estiba's builds (they carry no mark
    // of their own: the ledger holds them), never the learner's untagged stage beside them.
    let learner = learner_multistage("estiba-tests-aprendiz:1");
    lab.ran.insert("prune", exec(&engine, &mut s, "docker image prune -f").await);
    let exists = async |id: &str| engine.image_info(id).await.expect("inspect").is_some();
    for key in ["build-ubuntu", "build-scratch", "build-nonroot", "build-scratch-nonroot"] {
        if let Some(id) = first_stage_end(&lab.ran(key).output) {
            let still = exists(&id).await;
            lab.stage_ends.push((id, still));
        }
    }
    if let Some(id) = learner {
        let still = exists(&id).await;
        lab.learner_stage = Some((id.clone(), still));
        common::remove_unlabelled_for_tests("estiba-tests-aprendiz:1").await;
        common::remove_unlabelled_for_tests(&id).await;
    }
    s.input = Some("id\nexit\n".into());
    lab.ran.insert("sh-ubuntu", exec(&engine, &mut s, "docker run -it --rm hola:1.0.0 sh").await);
    s.password = Some("contraseña-mala".into());
    lab.ran.insert("login-bad", exec(&engine, &mut s, "docker login $REGISTRY -u estudiante --password-stdin").await);
    s.password = Some(common::registry_password());
    lab.ran.insert("login", exec(&engine, &mut s, "docker login $REGISTRY -u estudiante --password-stdin").await);
    lab.ran.insert("push", exec(&engine, &mut s, "docker push $REGISTRY/estudiante/hola:2.0.0").await);
    lab.ran.insert("digests", exec(&engine, &mut s, "docker images --digests $REGISTRY/estudiante/hola").await);
    for key in ["cpp-build-base:0.1.0", "hola:1.0.0", "hola:2.0.0", "hola:1.1.0", "hola:2.1.0", "127.0.0.1:5000/estudiante/hola:2.0.0"] {
        lab.images.insert(key, engine.image_info(key).await.expect("inspect"));
    }

    // A failing build, in a lesson root of its own.
    let dir = std::env::temp_dir().join(format!("estiba-falla-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("falla")).unwrap();
    std::fs::write(dir.join("falla/Dockerfile"), "FROM ubuntu:24.04\nRUN exit 3\n").unwrap();
    let mut bad = Session { lesson_id: LESSON.into(), root: dir.clone(), assets: dir.clone(), ..Session::default() };
    lab.ran.insert("build-fails", exec(&engine, &mut bad, "docker build -t estiba-falla:1 falla").await);
    lab.ran.insert("context-outside", exec(&engine, &mut bad, "docker build -t estiba-falla:2 ../..").await);
    let _ = std::fs::remove_dir_all(&dir);

    // The comparison of every variant, measured by the probe inside each container.
    let variant = |image: &str, opts: &str| {
        let run = match cmd(&format!("docker run {opts} {image}")) {
            DockerCommand::Run(r) => r,
            _ => unreachable!(),
        };
        let run_options = if opts.is_empty() { vec![] } else { vec![opts.to_string()] };
        let name = format!("{image} {opts}").trim().to_string();
        estiba::compare::VariantSpec { name, image: image.into(), run_options, run, step: "prueba".into(), base: None }
    };
    let specs = vec![
        variant("hola:1.0.0", ""),
        variant("hola:2.0.0", ""),
        variant("hola:1.1.0", ""),
        variant("hola:2.1.0", ""),
        variant("ubuntu:24.04", ""),
        variant("ubuntu:24.04", "--cap-drop ALL"),
        variant("ubuntu:24.04", "--user 10001:10001"),
        variant("ubuntu:24.04", "--read-only"),
        variant("ubuntu:24.04", "--security-opt no-new-privileges"),
        variant("ubuntu:24.04", "--privileged"),
        variant("hola:9.9.9", ""),
        variant("127.0.0.1:5000/estudiante/hola:2.0.0", ""),
    ];
    // From nothing (as on a new machine): the probe is built, copied out and its image removed.
    estiba::docker::forget_probe();
    let before = engine.untagged_labelled(LESSON).await.expect("list images");
    lab.compare = estiba::compare::measure(&engine, LESSON, &specs, true, |_, _| {}).await;
    let after = engine.untagged_labelled(LESSON).await.expect("list images");
    lab.probe_leftovers = after.into_iter().filter(|i| !before.contains(i)).collect();
    lab.ran.insert("probe-images", exec(&engine, &mut s, "docker images estiba-probe").await);
    lab.probe_cached = std::fs::read_dir(estiba::docker::cache_root())
        .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().to_string()).filter(|n| n.starts_with("estiba-probe-")).collect())
        .unwrap_or_default();

    // Estiba never removes what it did not create.
    lab.ran.insert("rmi-foreign", exec(&engine, &mut s, "docker rmi ubuntu:24.04").await);

    // Clean up everything this test created.
    let all = "docker rmi 127.0.0.1:5000/estudiante/hola:2.0.0 hola:2.1.0 hola:2.0.0 hola:1.1.0 hola:1.0.0 cpp-build-base:0.1.0";
    lab.ran.insert("cleanup", exec(&engine, &mut s, all).await);
    exec(&engine, &mut s, "docker image prune -f").await;
    let owned = engine.owned(LESSON).await.expect("list owned");
    lab.leftover_containers = owned.containers.len();
    lab.leftover_images = owned.images.len();
    Some(lab)
}

fn lab() -> Option<&'static Lab> {
    static LAB: OnceLock<Option<Lab>> = OnceLock::new();
    LAB.get_or_init(|| {
        std::thread::spawn(|| tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(setup()))
            .join()
            .expect("setup")
    })
    .as_ref()
}

macro_rules! lab_or_skip {
    () => {
        match lab() {
            Some(l) => l,
            None => return,
        }
    };
}

#[test]
fn build_image_builds_and_tags() {
    let l = lab_or_skip!();
    let r = l.ran("build-base");
    assert_eq!(r.code, 0, "{}", r.output);
    assert!(r.output.starts_with("Sending build context to Docker daemon"), "{}", r.output);
    assert!(r.output.contains("Successfully tagged cpp-build-base:0.1.0"), "{}", r.output);
    assert_eq!(l.image("cpp-build-base:0.1.0").labels.get("estiba.lesson").map(String::as_str), Some(LESSON));
}

#[test]
fn prune_removes_estibas_build_stages_and_not_the_learners() {
    let l = lab_or_skip!();
    assert_eq!(l.ran("prune").code, 0, "{}", l.ran("prune").output);
    assert_eq!(l.stage_ends.len(), 4, "every build shows its first stage: {:?}", l.stage_ends);
    for (id, still) in &l.stage_ends {
        assert!(!still, "the build stage {id} survived the prune: {}", l.ran("prune").output);
    }
    assert!(l.ran("prune").output.contains(&format!("deleted: sha256:{}", l.stage_ends[0].0)), "{}", l.ran("prune").output);
    if let Some((id, still)) = &l.learner_stage {
        assert!(still, "the learner's untagged stage {id} was pruned: {}", l.ran("prune").output);
    } else {
        assert!(!common::in_ci());
    }
}

#[test]
fn ubuntu_image_prints_hola_mundo() {
    let l = lab_or_skip!();
    let r = l.ran("run-ubuntu");
    assert_eq!((r.code, r.output.as_str()), (0, "Hola Mundo!!\n"));
    assert_eq!(l.ran("run-scratch").output, "Hola Mundo!!\n");
}

#[test]
fn scratch_is_tiny_and_ubuntu_is_not() {
    let l = lab_or_skip!();
    let scratch = l.image("hola:2.0.0");
    let ubuntu = l.image("hola:1.0.0");
    assert!(scratch.size < 3_000_000, "scratch: {} bytes", scratch.size);
    assert!(ubuntu.size > 20_000_000, "ubuntu: {} bytes", ubuntu.size);
    assert!(l.image("cpp-build-base:0.1.0").size > ubuntu.size, "the build image is the big one");
    let images = &l.ran("images").output;
    assert!(images.starts_with("REPOSITORY   TAG       IMAGE ID       CREATED"), "{images}");
    assert!(images.lines().any(|line| line.starts_with("hola         2.0.0     ") && line.ends_with("MB")), "{images}");
}

#[test]
fn sh_in_scratch_fails_with_the_engine_exec_error() {
    let l = lab_or_skip!();
    let r = l.ran("sh-scratch");
    assert_eq!(r.code, 127, "{}", r.output);
    assert!(r.output.starts_with("docker: Error response from daemon: "), "{}", r.output);
    assert!(r.output.contains("exec: \"sh\": executable file not found in $PATH"), "{}", r.output);
}

#[test]
fn ubuntu_shell_runs_as_root() {
    let l = lab_or_skip!();
    assert!(l.ran("id-ubuntu").output.starts_with("uid=0(root) gid=0(root)"), "{}", l.ran("id-ubuntu").output);
    let sh = l.ran("sh-ubuntu");
    assert_eq!(sh.code, 0, "{}", sh.output);
    assert!(sh.output.contains("uid=0(root) gid=0(root) groups=0(root)"), "{}", sh.output);
}

#[test]
fn non_root_variants_show_their_uid() {
    let l = lab_or_skip!();
    assert!(l.ran("id-nonroot").output.starts_with("uid=10001(hola)"), "{}", l.ran("id-nonroot").output);
    assert_eq!(l.ran("id-user-flag").output, "uid=10001 gid=10001 groups=10001\n");
    assert_eq!(l.ran("user-scratch").output, "10001:10001\n");
    assert_eq!(l.image("hola:2.1.0").user, "10001:10001");
    assert_eq!(l.image("hola:1.1.0").user, "hola");
}

#[test]
fn capabilities_default_and_dropped() {
    let l = lab_or_skip!();
    assert!(l.ran("caps-root").output.contains("CapEff:\t00000000a80425fb"), "{}", l.ran("caps-root").output);
    let drop = &l.ran("caps-drop").output;
    assert!(drop.contains("CapEff:\t0000000000000000"), "{drop}");
    assert!(drop.contains("CapBnd:\t0000000000000000"), "{drop}");
    assert_eq!(l.ran("no-new-privs").output, "NoNewPrivs:\t1\n");
    let ro = l.ran("read-only");
    assert_eq!(ro.code, 1);
    assert!(ro.output.contains("Read-only file system"), "{}", ro.output);
}

#[test]
fn containers_have_no_network_by_default() {
    let l = lab_or_skip!();
    let dev = &l.ran("network").output;
    assert!(dev.contains("lo:"), "{dev}");
    assert!(!dev.contains("eth0"), "a container without --network must have only loopback: {dev}");
}

#[test]
fn push_gives_a_sha256_digest() {
    let l = lab_or_skip!();
    let bad = l.ran("login-bad");
    assert_eq!(bad.code, 1, "{}", bad.output);
    assert!(bad.output.contains("401 Unauthorized"), "{}", bad.output);
    assert!(bad.output.contains("usuario o contraseña incorrectos para 127.0.0.1:5000"), "{}", bad.output);
    let login = l.ran("login");
    assert_eq!((login.code, login.output.as_str()), (0, "Login Succeeded\n"));
    let push = l.ran("push");
    assert_eq!(push.code, 0, "{}", push.output);
    assert!(push.output.contains("The push refers to repository [127.0.0.1:5000/estudiante/hola]"), "{}", push.output);
    assert!(push.output.contains("2.0.0: digest: sha256:"), "{}", push.output);
    let pushed = l.image("127.0.0.1:5000/estudiante/hola:2.0.0");
    let digest = pushed.digests.iter().find(|d| d.starts_with("127.0.0.1:5000/estudiante/hola@sha256:")).expect("repo digest");
    let hex = digest.rsplit(':').next().unwrap();
    assert_eq!(hex.len(), 64);
    assert!(l.ran("digests").output.contains(&format!("sha256:{hex}")), "{}", l.ran("digests").output);
}

#[test]
fn failing_build_is_reported_as_failed() {
    let l = lab_or_skip!();
    let r = l.ran("build-fails");
    assert_eq!(r.code, 3, "{}", r.output);
    assert!(r.output.contains("returned a non-zero code: 3"), "{}", r.output);
    assert!(!r.output.contains("Successfully built"), "{}", r.output);
    let out = l.ran("context-outside");
    assert_eq!(out.code, 1);
    assert!(out.output.contains("sale de la carpeta de recursos de la lección"), "{}", out.output);
}

#[test]
fn estiba_leaves_foreign_images_and_nothing_of_its_own() {
    let l = lab_or_skip!();
    let foreign = l.ran("rmi-foreign");
    assert_eq!(foreign.code, 1);
    assert!(foreign.output.contains("no lleva la etiqueta"), "{}", foreign.output);
    assert_eq!(l.ran("cleanup").code, 0, "{}", l.ran("cleanup").output);
    assert_eq!(l.leftover_containers, 0, "containers left behind");
    assert_eq!(l.leftover_images, 0, "images left behind");
}

fn row<'a>(l: &'a Lab, name: &str) -> &'a estiba::compare::Row {
    l.compare.variants.iter().find(|r| r.name == name).unwrap_or_else(|| panic!("no row {name}: {:#?}", l.compare))
}

#[test]
fn compare_sizes_and_shells() {
    let l = lab_or_skip!();
    let ubuntu = row(l, "hola:1.0.0");
    let scratch = row(l, "hola:2.0.0");
    assert_eq!((ubuntu.status.as_str(), scratch.status.as_str()), ("ok", "ok"), "{ubuntu:?} {scratch:?}");
    assert!(ubuntu.size_bytes.unwrap() > 20_000_000 && ubuntu.has_shell == Some(true), "{ubuntu:?}");
    assert!(scratch.size_bytes.unwrap() < 3_000_000 && scratch.has_shell == Some(false), "{scratch:?}");
    assert_eq!(scratch.layers, Some(2), "WORKDIR and COPY: nothing else in a scratch image");
    let missing = row(l, "hola:9.9.9");
    assert_eq!(missing.status, "missing");
    assert!(missing.error.as_deref().unwrap().contains("«prueba»"));
}

#[test]
fn compare_users() {
    let l = lab_or_skip!();
    for name in ["hola:1.0.0", "hola:2.0.0", "ubuntu:24.04"] {
        assert_eq!(row(l, name).uid, Some(0), "{name} runs as root by default");
    }
    assert_eq!(row(l, "hola:1.0.0").id_output.as_deref(), Some("uid=0(root) gid=0(root) groups=0(root)"));
    assert_eq!(row(l, "hola:2.0.0").id_output.as_deref(), Some("uid=0 gid=0 groups=0"), "scratch has no /etc/passwd");
    let nonroot = row(l, "hola:1.1.0");
    assert_eq!((nonroot.uid, nonroot.user.as_deref()), (Some(10001), Some("hola")));
    assert!(nonroot.id_output.as_deref().unwrap().starts_with("uid=10001(hola)"));
    let scratch_nonroot = row(l, "hola:2.1.0");
    assert_eq!((scratch_nonroot.uid, scratch_nonroot.gid), (Some(10001), Some(10001)));
    assert_eq!(row(l, "ubuntu:24.04 --user 10001:10001").uid, Some(10001));
}

#[test]
fn compare_capabilities() {
    let l = lab_or_skip!();
    let root = row(l, "ubuntu:24.04");
    assert_eq!(root.cap_eff.len(), 14, "Docker's default set: {:?}", root.cap_eff);
    assert!(root.cap_eff.contains(&"cap_net_bind_service".to_string()));
    assert!(row(l, "ubuntu:24.04 --cap-drop ALL").cap_eff.is_empty());
    assert!(row(l, "ubuntu:24.04 --cap-drop ALL").cap_bnd.is_empty());
    let user = row(l, "ubuntu:24.04 --user 10001:10001");
    assert!(user.cap_eff.is_empty() && user.cap_bnd.len() == 14, "{user:?}");
    assert_eq!(row(l, "ubuntu:24.04 --security-opt no-new-privileges").no_new_privs, Some(true));
    assert_eq!(row(l, "ubuntu:24.04 --read-only").rootfs_writable, Some(false));
    assert_eq!(root.rootfs_writable, Some(true));
    // A user who may not write to / is not a read-only root: the probe reads the mount, not a write.
    assert_eq!(user.rootfs_writable, Some(true), "{user:?}");
    assert_eq!(row(l, "hola:2.1.0").rootfs_writable, Some(true));
    let privileged = row(l, "ubuntu:24.04 --privileged");
    // Where the engine can grant every capability the probe sees all 41; where it cannot (an engine
    // itself inside a container, like this project's CI) the row says the engine refused, quoting it.
    match privileged.status.as_str() {
        "ok" => assert_eq!(privileged.cap_eff.len(), 41, "{privileged:?}"),
        _ => assert!(privileged.error.as_deref().unwrap().contains("unable to apply caps"), "{privileged:?}"),
    }
}

#[test]
fn compare_shows_the_pushed_digest() {
    let l = lab_or_skip!();
    let pushed = row(l, "127.0.0.1:5000/estudiante/hola:2.0.0");
    assert!(pushed.digest.as_deref().unwrap().contains("@sha256:"), "{pushed:?}");
}

#[test]
fn compare_leaves_no_probe_image_behind() {
    let l = lab_or_skip!();
    assert_eq!(row(l, "hola:2.0.0").status, "ok", "the probe was built and ran: {:?}", row(l, "hola:2.0.0"));
    let images = &l.ran("probe-images").output;
    assert_eq!(images.lines().count(), 1, "no image named estiba-probe:\n{images}");
    assert!(l.probe_leftovers.is_empty(), "the probe build left untagged images of the lesson: {:?}", l.probe_leftovers);
    assert_eq!(l.probe_cached.len(), 1, "the probe's archive is cached on the host: {:?}", l.probe_cached);
}

#[test]
fn invalid_utf8_becomes_replacement_characters() {
    let l = lab_or_skip!();
    let r = l.ran("invalid-utf8");
    assert_eq!(r.code, 0, "{}", r.output);
    assert_eq!(r.output, "a\u{fffd}\u{fffd}b\n");
}
