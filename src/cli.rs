//! Command-line interface: `estiba`, `estiba check`, `estiba prepare`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::check::{self, CheckOptions, Event, Status};
use crate::docker::{self, Engine, Output, PrepareOptions, Stream};
use crate::lesson::{self, Lesson, LoadOptions};

/// Estiba: aprende seguridad de contenedores con una lección que se ejecuta de verdad.
#[derive(Debug, Parser)]
#[command(name = "estiba", version, about, args_conflicts_with_subcommands = true)]
pub struct Args {
    /// Lección que abrir (por defecto, la incluida).
    pub lesson: Option<PathBuf>,
    /// Empieza la lección desde el principio, olvidando el progreso guardado.
    #[arg(long)]
    pub reset: bool,
    /// Líneas de salida que se guardan por orden (las más antiguas se descartan).
    #[arg(long, default_value_t = crate::app::output::DEFAULT_MAX_LINES, value_name = "N")]
    pub max_lines: usize,
    /// Qué hacer (sin subcomando: abre la lección).
    #[command(subcommand)]
    pub command: Option<Cmd>,
    /// Registro para `$REGISTRY` (también ESTIBA_REGISTRY).
    #[arg(long, global = true, env = "ESTIBA_REGISTRY")]
    pub registry: Option<String>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Ejecuta todos los pasos de la lección sin interfaz y comprueba cada resultado.
    Check {
        /// Archivo de la lección (por defecto, la lección incluida).
        lesson: Option<PathBuf>,
        /// Formato de salida.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Muestra la salida de cada orden.
        #[arg(short, long)]
        verbose: bool,
        /// No ejecuta los pasos de limpieza: conserva las imágenes (p. ej. para `estiba compare`).
        #[arg(long)]
        keep: bool,
        /// Permite órdenes que salen del contenedor (--privileged, --cap-add, carpetas del equipo, --pid/--network host, dispositivos).
        #[arg(long)]
        allow_privileged: bool,
    },
    /// Prepara las imágenes base de la lección (también sin conexión).
    Prepare {
        /// Archivo de la lección (por defecto, la lección incluida).
        lesson: Option<PathBuf>,
        /// Archivo `docker save` del instructor con las imágenes base.
        #[arg(long)]
        from: Option<PathBuf>,
        /// No intentes descargar de un registro.
        #[arg(long)]
        offline: bool,
        /// Guarda después las imágenes base en este archivo (para repartirlo en clase).
        #[arg(long, value_name = "ARCHIVO")]
        save: Option<PathBuf>,
    },
    /// Compara las variantes de imagen de la lección: tamaño, shell, `id` y capacidades.
    Compare {
        /// Archivo de la lección (por defecto, la lección incluida).
        lesson: Option<PathBuf>,
        /// Formato de salida.
        #[arg(long, value_enum, default_value_t = CompareFormat::Table)]
        format: CompareFormat,
        /// Mide también las variantes que salen del contenedor (--privileged, …).
        #[arg(long)]
        allow_privileged: bool,
    },
    /// Borra los contenedores e imágenes que creó la lección (solo los que llevan su etiqueta).
    Clean {
        /// Archivo de la lección (por defecto, la lección incluida).
        lesson: Option<PathBuf>,
        /// Borra también la imagen base sustituta que hizo `estiba prepare`.
        #[arg(long)]
        all: bool,
    },
    /// Imprime la lección formateada (texto con colores ANSI).
    Show {
        /// Archivo de la lección (por defecto, la lección incluida).
        lesson: Option<PathBuf>,
        /// Columnas, 20 o más (por defecto, las de la terminal, u 80).
        #[arg(long, value_parser = clap::value_parser!(u16).range(20..))]
        width: Option<u16>,
        /// Sin colores.
        #[arg(long)]
        plain: bool,
    },
    /// (Medida) Ingiere salida sintética en el modelo del panel de ejecución e informa de líneas/s y memoria máxima.
    #[command(hide = true)]
    Ingest {
        /// Líneas que ingerir.
        #[arg(long, default_value_t = 10_000_000)]
        lines: usize,
    },
}

/// `1 paso`, `2 pasos`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Una línea por paso y un resumen.
    Text,
    /// JSON para máquinas.
    Json,
}

/// Output format of `compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompareFormat {
    /// Tabla alineada.
    Table,
    /// JSON para máquinas.
    Json,
    /// Tabla Markdown.
    Markdown,
}

/// The bundled lesson: `./lessons/cpp-seguro.md`, else the one next to the sources.
pub fn default_lesson() -> PathBuf {
    let local = PathBuf::from("lessons/cpp-seguro.md");
    if local.exists() { local } else { PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("lessons/cpp-seguro.md") }
}

fn load(path: Option<PathBuf>, registry: Option<String>) -> Result<Lesson, ExitCode> {
    let path = path.unwrap_or_else(default_lesson);
    Lesson::load(&path, &LoadOptions { registry }).map_err(|e| {
        eprintln!("Error en la lección:\n{e}");
        ExitCode::from(2)
    })
}

async fn connect() -> Result<Engine, ExitCode> {
    Engine::connect().await.map_err(|e| {
        eprintln!("{e}");
        ExitCode::from(2)
    })
}

/// Runs the CLI.
/// Runs `args`: what needs no engine (`show`, `ingest`) at once, the rest on a tokio runtime
/// started only then (starting its threads is a good part of `show`'s few milliseconds).
pub fn run_blocking(args: Args) -> ExitCode {
    match args.command {
        Some(Cmd::Show { lesson, width, plain }) => show_cmd(lesson, args.registry, width, plain).unwrap_or_else(|code| code),
        Some(Cmd::Ingest { lines }) => ingest_cmd(lines),
        _ => match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
            Ok(rt) => rt.block_on(run(args)),
            Err(e) => {
                eprintln!("estiba: no se pudo iniciar el entorno de ejecución: {e}");
                ExitCode::FAILURE
            }
        },
    }
}

/// Runs `args` (on a tokio runtime).
pub async fn run(args: Args) -> ExitCode {
    let result = match args.command {
        Some(Cmd::Check { lesson, format, verbose, keep, allow_privileged }) => {
            check_cmd(lesson, args.registry, format, CheckFlags { verbose, keep, allow_privileged }).await
        }
        Some(Cmd::Prepare { lesson, from, offline, save }) => prepare_cmd(lesson, args.registry, from, offline, save).await,
        Some(Cmd::Show { lesson, width, plain }) => show_cmd(lesson, args.registry, width, plain),
        Some(Cmd::Clean { lesson, all }) => clean_cmd(lesson, args.registry, all).await,
        Some(Cmd::Ingest { lines }) => Ok(ingest_cmd(lines)),
        Some(Cmd::Compare { lesson, format, allow_privileged }) => compare_cmd(lesson, args.registry, format, allow_privileged).await,
        None => tui_cmd(args.lesson, args.registry, crate::tui::Options { reset: args.reset, max_lines: args.max_lines }).await,
    };
    result.unwrap_or_else(|code| code)
}

async fn tui_cmd(path: Option<PathBuf>, registry: Option<String>, options: crate::tui::Options) -> Result<ExitCode, ExitCode> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        eprintln!("estiba: la salida no es una terminal; imprimo la lección (usa `estiba check` para ejecutarla sin interfaz).");
        return show_cmd(path, registry, None, true);
    }
    let lesson = load(path, registry)?;
    match crate::tui::run(lesson, options).await {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            eprintln!("estiba: {e:#}");
            Ok(ExitCode::from(1))
        }
    }
}

fn show_cmd(path: Option<PathBuf>, registry: Option<String>, width: Option<u16>, plain: bool) -> Result<ExitCode, ExitCode> {
    use std::io::IsTerminal;
    let lesson = load(path, registry)?;
    let width = width.or_else(|| crossterm::terminal::size().ok().map(|(w, _)| w).filter(|w| *w > 0)).unwrap_or(80).max(20);
    let colour = !plain && std::env::var_os("NO_COLOR").is_none();
    let mut text = String::new();
    let total = lesson.steps.len();
    for (i, step) in lesson.steps.iter().enumerate() {
        let rule = format!("── Paso {}/{total}: {} ", i + 1, step.title);
        if rule.chars().count() > usize::from(width) {
            text.extend(rule.chars().take(usize::from(width) - 1));
            text.push('…');
        } else {
            text.push_str(&rule);
        }
        text.push('\n');
        crate::ui::ansi::write_lines(&mut text, &crate::ui::markdown::render(&step.markdown, width), colour);
        text.push('\n');
    }
    if std::io::stdout().is_terminal() {
        text.push_str("Abre la lección interactiva con `estiba`; compruébala entera con `estiba check`.\n");
    }
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(ExitCode::SUCCESS)
}

/// `estiba ingest`: pushes `lines` lines of build-like output, in 4 KiB chunks as the engine's stream
/// delivers them, into one run-pane buffer (default bound), then prints throughput and peak memory.
fn ingest_cmd(lines: usize) -> ExitCode {
    use crate::app::output::{OutputBuffer, sample_build_output};
    const BLOCK: usize = 10_000;
    let block = sample_build_output(BLOCK);
    let chunks: Vec<&str> = chunk_str(&block, 4096);
    let mut buf = OutputBuffer::default();
    let started = std::time::Instant::now();
    let mut done = 0;
    while done < lines {
        for c in &chunks {
            buf.push(Stream::Stdout, c);
        }
        done += BLOCK;
    }
    let secs = started.elapsed().as_secs_f64();
    let peak_kb = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok()))
        .unwrap_or(0);
    println!("lines={done} seconds={secs:.3} lines_per_sec={:.0} kept={} peak_rss_kb={peak_kb}", done as f64 / secs, buf.len());
    ExitCode::SUCCESS
}

/// Splits `s` into pieces of about `size` bytes, on character boundaries.
fn chunk_str(s: &str, size: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let mut end = size.min(rest.len());
        while !rest.is_char_boundary(end) {
            end += 1;
        }
        let (a, b) = rest.split_at(end);
        out.push(a);
        rest = b;
    }
    out
}

/// Switches of `check`.
struct CheckFlags {
    verbose: bool,
    keep: bool,
    allow_privileged: bool,
}

async fn check_cmd(path: Option<PathBuf>, registry: Option<String>, format: Format, flags: CheckFlags) -> Result<ExitCode, ExitCode> {
    let CheckFlags { verbose, keep, allow_privileged } = flags;
    let lesson = load(path, registry)?;
    let problems = lesson::assets::verify(&lesson);
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("{p}");
        }
        return Err(ExitCode::from(2));
    }
    let engine = connect().await?;
    let text = format == Format::Text;
    if text {
        let info = engine.info().await.unwrap_or_default();
        println!("Lección: {} ({})", lesson.title, lesson.path.display());
        println!("Motor: Docker {} (API {}) en {}", info.version, info.api_version, engine.endpoint());
        for base in lesson::assets::base_images(&lesson) {
            match engine.base_origin(&base).await {
                Some(o) => println!("Base {base}: {}", docker::describe_origin(&o)),
                None => println!("Base {base}: falta; ejecuta `estiba prepare` (funciona sin conexión)"),
            }
        }
        println!();
    }
    let opts = CheckOptions { password: std::env::var("ESTIBA_REGISTRY_PASSWORD").ok(), keep, allow_privileged };
    let total = lesson.steps.len();
    let started = std::time::Instant::now();
    let report = check::run(&engine, &lesson, &opts, |ev| match ev {
        Event::Command { text: t } if verbose && text => println!("$ {}", t.replace('\n', " ")),
        Event::Output(Output::Text { text: t, stream }) if verbose && text => match stream {
            Stream::Stdout => print!("{t}"),
            Stream::Stderr => eprint!("{t}"),
        },
        Event::Step { index, report } if text => {
            let mark = match report.status {
                Status::Passed => "✔ superado",
                Status::Failed => "✘ fallido ",
                Status::Skipped => "· omitido ",
            };
            println!("{mark} {:>2}/{total} {} ({:.1} s) — {}", index + 1, report.title, report.seconds, report.detail);
        }
        _ => {}
    })
    .await;
    if text {
        let skipped = total - report.passed - report.failed;
        println!(
            "\n{}: {}, {}, {} ({:.1} s)",
            count(total, "paso", "pasos"),
            count(report.passed, "superado", "superados"),
            count(report.failed, "fallido", "fallidos"),
            count(skipped, "omitido", "omitidos"),
            started.elapsed().as_secs_f64()
        );
        // What the lesson built and its cleanup did not remove (skipped, --keep, or a failure before it).
        if let Ok(owned) = engine.owned(&lesson.id).await
            && !owned.images.is_empty()
        {
            println!("Quedan en el motor {} de esta lección; `estiba clean` las borra.", count(owned.images.len(), "imagen", "imágenes"));
        }
    } else {
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    }
    Ok(if report.complete() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

async fn compare_cmd(
    path: Option<PathBuf>,
    registry: Option<String>,
    format: CompareFormat,
    allow_privileged: bool,
) -> Result<ExitCode, ExitCode> {
    let lesson = load(path, registry)?;
    let engine = connect().await?;
    let specs = crate::compare::variants(&lesson);
    // Progress on stderr only where someone watches it: a terminal.
    let table = format == CompareFormat::Table && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let total = specs.len();
    let c = crate::compare::measure(&engine, &lesson.id, &specs, allow_privileged, |i, r| {
        if table {
            eprint!("\rmidiendo {}/{total}: {:<50}", i + 1, r.name.chars().take(50).collect::<String>());
        }
    })
    .await;
    if table {
        eprint!("\r{:<80}\r", "");
    }
    match format {
        CompareFormat::Json => println!("{}", serde_json::to_string_pretty(&c).unwrap_or_default()),
        CompareFormat::Markdown => print!("{}", crate::compare::markdown(&c)),
        CompareFormat::Table => {
            print!("{}", docker::format::table(&crate::compare::cells(&c)));
            println!("\n⚠ = el proceso es root. Medido dentro de cada contenedor por estiba-probe (ver la lección, «Privilegios»).");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn clean_cmd(path: Option<PathBuf>, registry: Option<String>, all: bool) -> Result<ExitCode, ExitCode> {
    let lesson = load(path, registry)?;
    let engine = connect().await?;
    match engine.clean(&lesson.id, all).await {
        Ok(c) => {
            println!("Lección {}: solo se toca lo que lleva la etiqueta {}={}", lesson.id, docker::LESSON_LABEL, lesson.id);
            println!("Contenedores borrados: {}", if c.containers.is_empty() { "ninguno".to_string() } else { c.containers.join(", ") });
            println!("Imágenes borradas: {}", if c.images.is_empty() { "ninguna".to_string() } else { c.images.join(", ") });
            for (name, why) in &c.kept {
                println!("Conservada {name}: {why}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("estiba clean: {e}");
            Ok(ExitCode::from(1))
        }
    }
}

async fn prepare_cmd(
    path: Option<PathBuf>,
    registry: Option<String>,
    from: Option<PathBuf>,
    offline: bool,
    save: Option<PathBuf>,
) -> Result<ExitCode, ExitCode> {
    let lesson = load(path, registry)?;
    let engine = connect().await?;
    let bases = lesson::assets::base_images(&lesson);
    let opts = PrepareOptions { from, cache_dir: docker::default_cache_dir(), lesson_id: lesson.id.clone(), offline };
    let mut sink = |o: Output| {
        if let Output::Text { text, .. } = o {
            print!("{text}");
            let _ = std::io::stdout().flush();
        }
    };
    match engine.prepare(&bases, &opts, &mut sink).await {
        Ok(done) => {
            println!("\nImágenes base de «{}»:", lesson.title);
            for b in done {
                println!("  {}: {}", b.reference, docker::describe_origin(&b.origin));
            }
            if let Some(file) = save {
                match engine.save(&bases, &file).await {
                    Ok(bytes) => println!(
                        "Guardadas en {} ({}): repártelo y usa `estiba prepare --from {}`",
                        file.display(),
                        docker::format::human_size(bytes as i64),
                        file.display()
                    ),
                    Err(e) => {
                        eprintln!("estiba prepare: {e}");
                        return Ok(ExitCode::from(1));
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("estiba prepare: {e}");
            Ok(ExitCode::from(1))
        }
    }
}
