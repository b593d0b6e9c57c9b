//! Parser tables: every docker command form a lesson may use, bad input, and equivalent encodings.

use std::path::Path;

use estiba::lesson::command::{self, Build, Images, Login, Run};
use estiba::lesson::words::Vars;
use estiba::lesson::{DockerCommand, ExitExpect, Lesson, LoadOptions};
use rstest::rstest;

fn vars() -> Vars {
    Vars { registry: "127.0.0.1:5000".into() }
}

fn parse(line: &str) -> DockerCommand {
    command::parse(line, &vars()).unwrap_or_else(|e| panic!("{line}: {e:?}"))
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[rstest]
#[case("docker build -t cpp-build-base:0.1.0 assets/cpp-build-base", Build { tags: s(&["cpp-build-base:0.1.0"]), context: "assets/cpp-build-base".into(), ..Build::default() })]
#[case("docker build . -t hola:1.0.0", Build { tags: s(&["hola:1.0.0"]), context: ".".into(), ..Build::default() })]
#[case("docker build --tag=a:1 -t b:2 -f ctx/Dockerfile.alt --target build ctx", Build { tags: s(&["a:1", "b:2"]), dockerfile: Some("ctx/Dockerfile.alt".into()), target: Some("build".into()), context: "ctx".into(), ..Build::default() })]
#[case("docker build --build-arg BASE=ubuntu:24.04 --build-arg X= --no-cache d", Build { build_args: vec![("BASE".into(), "ubuntu:24.04".into()), ("X".into(), String::new())], no_cache: true, context: "d".into(), ..Build::default() })]
#[case("docker image build -tx:1 d", Build { tags: s(&["x:1"]), context: "d".into(), ..Build::default() })]
fn build_forms(#[case] line: &str, #[case] want: Build) {
    assert_eq!(parse(line), DockerCommand::Build(want));
}

#[rstest]
#[case("docker images", Images::default())]
#[case("docker images --digests", Images { digests: true, ..Images::default() })]
#[case("docker images hola", Images { repository: Some("hola".into()), ..Images::default() })]
#[case("docker images --digests $REGISTRY/estudiante/hola", Images { repository: Some("127.0.0.1:5000/estudiante/hola".into()), digests: true, ..Images::default() })]
#[case("docker image ls -aq", Images { all: true, quiet: true, ..Images::default() })]
fn images_forms(#[case] line: &str, #[case] want: Images) {
    assert_eq!(parse(line), DockerCommand::Images(want));
}

#[rstest]
#[case("docker run hola:1.0.0", Run { image: "hola:1.0.0".into(), ..Run::default() })]
#[case("docker run --rm -it hola:1.0.0 sh", Run { rm: true, interactive: true, tty: true, image: "hola:1.0.0".into(), args: s(&["sh"]), ..Run::default() })]
#[case("docker run -i -t --user 10001:10001 img id -u", Run { interactive: true, tty: true, user: Some("10001:10001".into()), image: "img".into(), args: s(&["id", "-u"]), ..Run::default() })]
#[case("docker run -u1000 img", Run { user: Some("1000".into()), image: "img".into(), ..Run::default() })]
#[case("docker run --cap-drop ALL --cap-add NET_BIND_SERVICE --cap-drop=CHOWN img", Run { cap_drop: s(&["ALL", "CHOWN"]), cap_add: s(&["NET_BIND_SERVICE"]), image: "img".into(), ..Run::default() })]
#[case("docker run --read-only --security-opt no-new-privileges --network none img", Run { read_only: true, security_opt: s(&["no-new-privileges"]), network: Some("none".into()), image: "img".into(), ..Run::default() })]
#[case("docker run --privileged --net=bridge img grep Cap /proc/self/status", Run { privileged: true, network: Some("bridge".into()), image: "img".into(), args: s(&["grep", "Cap", "/proc/self/status"]), ..Run::default() })]
#[case("docker run --rm img sh -c 'echo $HOME'", Run { rm: true, image: "img".into(), args: s(&["sh", "-c", "echo $HOME"]), ..Run::default() })]
#[case("docker run --entrypoint sh -e A=1 -w /tmp --name n img", Run { entrypoint: Some("sh".into()), env: s(&["A=1"]), workdir: Some("/tmp".into()), name: Some("n".into()), image: "img".into(), ..Run::default() })]
#[case("docker run -v /:/host --mount type=bind,src=/,dst=/h --pid host --device /dev/sda img", Run { volumes: s(&["/:/host"]), mounts: s(&["type=bind,src=/,dst=/h"]), pid: Some("host".into()), devices: s(&["/dev/sda"]), image: "img".into(), ..Run::default() })]
#[case("docker run img --rm", Run { image: "img".into(), args: s(&["--rm"]), ..Run::default() })]
fn run_forms(#[case] line: &str, #[case] want: Run) {
    assert_eq!(parse(line), DockerCommand::Run(want));
}

#[rstest]
#[case("docker tag hola:2.0.0 $REGISTRY/estudiante/hola:2.0.0", DockerCommand::Tag { source: "hola:2.0.0".into(), target: "127.0.0.1:5000/estudiante/hola:2.0.0".into() })]
#[case("docker image tag a b", DockerCommand::Tag { source: "a".into(), target: "b".into() })]
#[case("docker login ${REGISTRY} -u estudiante --password-stdin", DockerCommand::Login(Login { server: Some("127.0.0.1:5000".into()), username: Some("estudiante".into()), password_stdin: true }))]
#[case("docker login", DockerCommand::Login(Login::default()))]
#[case("docker push $REGISTRY/estudiante/hola:2.0.0", DockerCommand::Push { image: "127.0.0.1:5000/estudiante/hola:2.0.0".into() })]
#[case("docker pull ubuntu:24.04", DockerCommand::Pull { image: "ubuntu:24.04".into() })]
#[case("docker image pull ubuntu@sha256:abc", DockerCommand::Pull { image: "ubuntu@sha256:abc".into() })]
#[case("docker inspect hola:1.0.0", DockerCommand::Inspect { format: None, targets: s(&["hola:1.0.0"]) })]
#[case("docker image inspect --format '{{.Config.User}}' hola:2.1.0", DockerCommand::Inspect { format: Some("{{.Config.User}}".into()), targets: s(&["hola:2.1.0"]) })]
#[case("docker inspect -f \"{{json .Config}}\" a b", DockerCommand::Inspect { format: Some("{{json .Config}}".into()), targets: s(&["a", "b"]) })]
#[case("docker history hola:1.0.0", DockerCommand::History { image: "hola:1.0.0".into(), no_trunc: false })]
#[case("docker image history --no-trunc hola:1.0.0", DockerCommand::History { image: "hola:1.0.0".into(), no_trunc: true })]
#[case("docker rmi hola:1.0.0 hola:2.0.0", DockerCommand::Rmi { images: s(&["hola:1.0.0", "hola:2.0.0"]), force: false })]
#[case("docker image rm -f hola:1.0.0", DockerCommand::Rmi { images: s(&["hola:1.0.0"]), force: true })]
#[case("docker image prune -f", DockerCommand::ImagePrune { all: false, force: true })]
#[case("docker image prune -af", DockerCommand::ImagePrune { all: true, force: true })]
#[case("docker version", DockerCommand::Version)]
fn other_forms(#[case] line: &str, #[case] want: DockerCommand) {
    assert_eq!(parse(line), want);
}

/// What needs the learner's confirmation: anything that reaches beyond the container.
#[rstest]
#[case("docker run --rm hola:1.0.0", &[])]
#[case("docker run --rm --cap-drop ALL --read-only --security-opt no-new-privileges --user 1:1 hola", &[])]
#[case("docker run -v datos:/d hola", &[])]
#[case("docker run --mount type=volume,src=d,dst=/d hola", &[])]
#[case("docker run --privileged hola", &["--privileged"])]
#[case("docker run --cap-add NET_ADMIN hola", &["--cap-add NET_ADMIN"])]
#[case("docker run -v /:/host hola", &["-v /:/host"])]
#[case("docker run -v ./x:/x hola", &["-v ./x:/x"])]
#[case("docker run --mount type=bind,src=/etc,dst=/e hola", &["--mount type=bind"])]
#[case("docker run --pid host --network host hola", &["--pid host", "--network host"])]
#[case("docker run --device /dev/kvm hola", &["--device /dev/kvm"])]
#[case("docker run --security-opt seccomp=unconfined hola", &["--security-opt seccomp=unconfined"])]
#[case("docker run --security-opt apparmor:unconfined --security-opt label=disable hola", &["--security-opt apparmor:unconfined", "--security-opt label=disable"])]
#[case("docker run --security-opt systempaths=unconfined hola", &["--security-opt systempaths=unconfined"])]
#[case("docker run --security-opt seccomp=perfil.json hola", &[])]
fn risky_runs_are_named(#[case] line: &str, #[case] want: &[&str]) {
    let DockerCommand::Run(r) = parse(line) else { panic!("{line}") };
    let risks = r.risks();
    assert_eq!(risks.len(), want.len(), "{line}: {risks:?}");
    for (risk, w) in risks.iter().zip(want) {
        assert!(risk.starts_with(w), "{line}: {risk} should start with {w}");
    }
}

#[rstest]
#[case("docker run --bogus img", 11, "opción desconocida `--bogus`")]
#[case("docker run -z img", 11, "opción desconocida `-z`")]
#[case("docker build -t", 13, "necesita un valor")]
#[case("docker build -t a:1", 7, "falta el contexto")]
#[case("docker build a b", 15, "argumento de más")]
#[case("docker frobnicate", 7, "no admitido")]
#[case("docker compose up", 7, "no admitido")]
#[case("docker image explode", 13, "no admitido")]
#[case("docker run", 7, "falta la imagen")]
#[case("docker tag a", 7, "dos argumentos")]
#[case("docker images a b", 16, "un solo filtro")]
#[case("docker build --build-arg NOEQ d", 13, "sin `=`")]
#[case("docker images | grep hola", 14, "operador de shell")]
#[case("docker run img && rm -rf /", 15, "operador de shell")]
#[case("docker run $(whoami)", 11, "sustitución")]
#[case("docker run \"img", 11, "comilla doble sin cerrar")]
#[case("docker tag a $HOME/x", 13, "variable desconocida")]
#[case("podman run img", 0, "no es una orden docker")]
#[case("docker", 6, "falta el subcomando")]
#[case("docker rmi --rm x", 11, "opción desconocida")]
#[case("docker version extra", 15, "argumento inesperado")]
#[case("docker inspect --type container x", 7, "no admitido")]
fn bad_commands(#[case] line: &str, #[case] offset: usize, #[case] message: &str) {
    let e = command::parse(line, &vars()).expect_err(line);
    assert!(e.message.contains(message), "{line}: {e:?}");
    assert_eq!(e.offset, offset, "{line}: {e:?}");
    assert!(!e.hint.is_empty(), "{line}: no hint");
}

const CLEAN: &str = "---\nid: prueba\n---\n# Introducción\n\nTexto con acentos: canción, pingüino.\n\n```sh +run expect=\"Hola Mundo!!\"\ndocker run --rm hola:1.0.0\n```\n\n```text +output\nHola Mundo!!\n```\n\n## Seguridad\n\n### Digests\n\n| Imagen | Tamaño |\n| --- | --- |\n| hola | 2 MB |\n\n```sh +run exit=127 expect=\"executable file not found\"\ndocker run -it --rm hola:2.0.0 sh\n```\n";

fn lesson(text: &str) -> Lesson {
    Lesson::parse_str(Path::new("lessons/prueba.md"), text, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn clean_lesson_model() {
    let l = lesson(CLEAN);
    assert_eq!(l.id, "prueba");
    assert_eq!(l.title, "Introducción");
    let titles: Vec<&str> = l.steps.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, ["Introducción", "Seguridad › Digests"]);
    assert_eq!(l.steps[0].commands[0].line, 9);
    assert_eq!(l.steps[0].commands[0].recorded.as_deref(), Some("Hola Mundo!!\n"));
    let last = &l.steps[1].commands[0];
    assert_eq!(last.expect.exit, ExitExpect::Code(127));
    assert_eq!(last.expect.contains, ["executable file not found"]);
    assert_eq!(last.line, 25);
}

#[rstest]
#[case::crlf(CLEAN.replace('\n', "\r\n"))]
#[case::nfd(CLEAN.replace("ó", "o\u{301}").replace("ü", "u\u{308}").replace("ñ", "n\u{303}"))]
#[case::tabs(CLEAN.replace("docker run --rm hola:1.0.0", "docker\trun\t--rm  hola:1.0.0").replace("exit=127 expect", "exit=127\texpect"))]
#[case::bom(format!("\u{feff}{CLEAN}"))]
fn encodings_give_the_same_model(#[case] variant: String) {
    let clean = lesson(CLEAN);
    let other = lesson(&variant);
    assert_eq!(clean.steps.len(), other.steps.len());
    for (a, b) in clean.steps.iter().zip(&other.steps) {
        assert_eq!(a.title, b.title);
        assert_eq!(a.line, b.line);
        assert_eq!(a.markdown.replace('\t', " ").replace("  ", " "), b.markdown.replace('\t', " ").replace("  ", " "));
        let ca: Vec<_> = a.commands.iter().map(|c| (&c.command, &c.expect, c.line)).collect();
        let cb: Vec<_> = b.commands.iter().map(|c| (&c.command, &c.expect, c.line)).collect();
        assert_eq!(ca, cb);
    }
}

#[rstest]
#[case::unknown_subcommand("# A\n\n```sh +run\ndocker frobnicate\n```\n", 4, 8, "no admitido")]
#[case::bad_flag("# A\n\ntexto\n\n```sh +run\ndocker run --bogus img\n```\n", 6, 12, "opción desconocida")]
#[case::continuation("# A\n\n```sh +run\ndocker run \\\n  --bogus img\n```\n", 5, 3, "opción desconocida")]
#[case::two_commands("# A\n\n```sh +run\ndocker images\ndocker version\n```\n", 5, 1, "una sola orden")]
#[case::bad_exit("# A\n\n```sh +run exit=cero\ndocker images\n```\n", 3, 12, "no es un número")]
#[case::expect_without_run("# A\n\n```sh expect=\"x\"\ndocker images\n```\n", 3, 7, "solo vale en un bloque `+run`")]
#[case::unknown_marker("# A\n\n```sh +exec\ndocker images\n```\n", 3, 7, "marca `+exec` desconocida")]
#[case::orphan_output("# A\n\n```text +output\nx\n```\n", 3, 1, "sin un `+run`")]
#[case::unclosed_front("---\nid: x\n# A\n", 1, 1, "sin cerrar")]
#[case::bad_front_key("---\nautor: x\n---\n# A\n", 2, 1, "desconocida")]
#[case::no_heading("solo texto\n", 1, 1, "ningún título")]
#[case::shell_in_block("# A\n\n```sh +run\ndocker images | wc -l\n```\n", 4, 15, "operador de shell")]
fn lesson_errors_carry_file_line_column(#[case] text: &str, #[case] line: usize, #[case] column: usize, #[case] message: &str) {
    let e = Lesson::parse_str(Path::new("lessons/mala.md"), text, &LoadOptions::default()).expect_err("debe fallar");
    assert!(e.message.contains(message), "{e}");
    assert_eq!((e.line, e.column), (line, column), "{e}");
    assert!(e.to_string().starts_with(&format!("lessons/mala.md:{line}:{column}: ")), "{e}");
}

#[test]
fn registry_override_expands_in_text_and_command() {
    let text = "# A\n\n```sh +run\ndocker push $REGISTRY/estudiante/hola:2.0.0\n```\n";
    let l = Lesson::parse_str(Path::new("x.md"), text, &LoadOptions { registry: Some("aula:5000".into()) }).unwrap();
    let c = &l.steps[0].commands[0];
    assert_eq!(c.text, "docker push aula:5000/estudiante/hola:2.0.0");
    assert_eq!(c.command, DockerCommand::Push { image: "aula:5000/estudiante/hola:2.0.0".into() });
}

#[test]
fn bundled_lesson_parses_with_every_section() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/cpp-seguro.md");
    let l = Lesson::load(&path, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let titles: Vec<&str> = l.steps.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Introducción",
            "Imagen para compilar",
            "Crear un contenedor",
            "Scratch",
            "Seguridad › Digests",
            "Seguridad › Usuario",
            "Seguridad › Privilegios",
            "Resumen",
            "Limpieza"
        ]
    );
    assert!(l.steps.iter().all(|s| !s.commands.is_empty()), "every step runs something");
    assert!(!l.source.contains("egsmartin"), "no real account in the lesson");
}

#[rstest]
#[case::plain("FROM ubuntu:24.04\nRUN x\n", &["ubuntu:24.04"])]
#[case::stages_and_scratch("FROM cpp-build-base:0.1.0 AS build\nRUN make\nFROM scratch\nCOPY --from=build /a /\n", &["cpp-build-base:0.1.0"])]
#[case::earlier_stage_is_not_a_base("FROM a AS Base\nFROM base AS t\nFROM b\n", &["a", "b"])]
#[case::flags_and_case("from --platform=linux/amd64 debian:12 as x\n", &["debian:12"])]
#[case::continuation("FROM \\\n  ubuntu:24.04 \\\n  AS base\nFROM base\n", &["ubuntu:24.04"])]
#[case::crlf("FROM a AS b\r\nFROM b\r\nFROM c\r\n", &["a", "c"])]
#[case::repeats("FROM a\nFROM a\n", &["a"])]
#[case::not_from("RUN echo FROM x\n# FROM y\n", &[])]
fn dockerfile_bases(#[case] dockerfile: &str, #[case] want: &[&str]) {
    assert_eq!(estiba::lesson::assets::from_images(dockerfile), want);
}
