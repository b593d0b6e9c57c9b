//! Markdown → [`Lesson`]: headings start steps, annotated code blocks become commands and files.

use std::path::{Path, PathBuf};

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::command;
use super::error::{LessonError, LocalError};
use super::expect::{ExitExpect, Expectation};
use super::info::{self, Attr, Info};
use super::source::{self, LineIndex};
use super::words::Vars;
use super::{DEFAULT_REGISTRY, FileBlock, Lesson, LoadOptions, RunBlock, Step};

/// Parser options shared with the renderer.
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

struct Ctx<'a> {
    path: &'a Path,
    text: &'a str,
    index: LineIndex,
    vars: Vars,
}

impl Ctx<'_> {
    /// A lesson error at byte `offset` of the text.
    fn at(&self, offset: usize, message: impl Into<String>, hint: impl Into<String>) -> LessonError {
        let (line, column) = self.index.position(self.text, offset);
        LessonError::new(self.path, line, column, message, hint)
    }

    /// A lesson error from a local error at `line`, whose column 1 is at byte `line_offset`.
    fn local(&self, line_offset: usize, e: LocalError) -> LessonError {
        let (line, col) = self.index.position(self.text, line_offset);
        LessonError::new(self.path, line, col + e.offset, e.message, e.hint)
    }
}

struct Pending {
    title: String,
    own_title: String,
    level: u8,
    start: usize,
    heading_end: usize,
    has_body: bool,
    commands: Vec<RunBlock>,
    files: Vec<FileBlock>,
}

pub fn parse(path: &Path, raw: &str, opts: &LoadOptions) -> Result<Lesson, LessonError> {
    let normalized = source::normalize(raw);
    let (fm, body) = super::front::split(&normalized).map_err(|(line, e)| LessonError::new(path, line, 1, e.message, e.hint))?;
    let registry = opts.registry.clone().or(fm.registry.clone()).unwrap_or_else(|| DEFAULT_REGISTRY.to_string());
    let ctx = Ctx { path, text: &body, index: LineIndex::new(&body), vars: Vars { registry: registry.clone() } };

    let mut steps: Vec<Step> = Vec::new();
    let mut cur: Option<Pending> = None;
    let mut heading: Option<(u8, usize, String)> = None;
    let mut code: Option<(String, usize, String)> = None;
    let mut preamble = false;
    let mut empty_parents: Vec<(u8, String)> = Vec::new();

    for (event, range) in Parser::new_ext(&body, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) if level <= HeadingLevel::H3 => {
                heading = Some((level as u8, range.start, String::new()));
            }
            Event::End(TagEnd::Heading(level)) if level <= HeadingLevel::H3 => {
                let (lvl, start, title) = heading.take().unwrap_or_default();
                let title = title.trim().to_string();
                let merged = match cur.take() {
                    Some(p) if !p.has_body && lvl > p.level && p.commands.is_empty() => Some(p),
                    Some(p) => {
                        finish(&body, p, start, &mut steps);
                        None
                    }
                    None => {
                        if preamble {
                            steps.push(Step {
                                title: "Inicio".into(),
                                level: 1,
                                line: 1,
                                markdown: body[..start].trim().to_string(),
                                commands: vec![],
                                files: vec![],
                            });
                        }
                        None
                    }
                };
                // Empty sections give their title to the deeper steps below them.
                empty_parents.retain(|(l, _)| *l < lvl);
                let start = match merged {
                    Some(parent) => {
                        empty_parents.push((parent.level, parent.own_title));
                        parent.start
                    }
                    None => start,
                };
                let own_title = title.clone();
                let title = empty_parents.iter().map(|(_, t)| t.as_str()).chain([title.as_str()]).collect::<Vec<_>>().join(" › ");
                cur = Some(Pending {
                    title,
                    own_title,
                    level: lvl,
                    start,
                    heading_end: range.end,
                    has_body: false,
                    commands: vec![],
                    files: vec![],
                });
            }
            Event::Text(t) | Event::Code(t) if heading.is_some() => {
                if let Some((_, _, title)) = heading.as_mut() {
                    title.push_str(&t);
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(i) => i.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((info, range.start, String::new()));
            }
            Event::Text(t) if code.is_some() => {
                if let Some((_, _, content)) = code.as_mut() {
                    content.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                let (info, start, content) = code.take().unwrap_or_default();
                match cur.as_mut() {
                    Some(p) => {
                        p.has_body = true;
                        code_block(&ctx, p, &info, start, content)?;
                    }
                    None => {
                        preamble = true;
                        let mut scratch = Pending {
                            title: String::new(),
                            own_title: String::new(),
                            level: 1,
                            start: 0,
                            heading_end: 0,
                            has_body: true,
                            commands: vec![],
                            files: vec![],
                        };
                        code_block(&ctx, &mut scratch, &info, start, content)?;
                        if !scratch.commands.is_empty() {
                            return Err(ctx.at(
                                start,
                                "orden `+run` antes del primer título",
                                "pon cada orden dentro de una sección con título",
                            ));
                        }
                    }
                }
            }
            _ => {
                if heading.is_none() {
                    match cur.as_mut() {
                        Some(p) if range.start >= p.heading_end => p.has_body = true,
                        None if !body[range.clone()].trim().is_empty() => preamble = true,
                        _ => {}
                    }
                }
            }
        }
    }
    if let Some(p) = cur {
        finish(&body, p, body.len(), &mut steps);
    }
    if steps.is_empty() {
        return Err(LessonError::new(path, 1, 1, "la lección no tiene ningún título", "cada paso empieza con un título `#`, `##` o `###`"));
    }
    let stem = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "leccion".into());
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let (root, assets) = folders(path, &fm)?;
    let root = dir.join(root);
    Ok(Lesson {
        id: fm.id.unwrap_or(stem),
        title: fm.title.unwrap_or_else(|| steps[0].title.clone()),
        path: path.to_path_buf(),
        assets: root.join(assets),
        root,
        registry,
        source: normalized,
        steps,
    })
}

/// `root` (relative to the lesson's folder: itself, a subfolder or its parent) and `assets`
/// (relative to `root`, inside it) from the front matter, checked without touching the disk.
fn folders(path: &Path, fm: &super::front::FrontMatter) -> Result<(PathBuf, PathBuf), LessonError> {
    let check = |key: &'static str, value: &str, lowest: i32| -> Result<PathBuf, LessonError> {
        let line = fm.lines.get(key).copied().unwrap_or(1);
        let bad = |msg: String| {
            LessonError::new(
                path,
                line,
                1,
                msg,
                "usa una ruta relativa: `root` es `.`, `..` o una subcarpeta; `assets` está dentro de `root`",
            )
        };
        if super::assets::depth(value).is_none_or(|d| d < lowest) {
            return Err(bad(format!("`{key}: {value}` sale de la carpeta de la lección")));
        }
        Ok(PathBuf::from(value))
    };
    let root = check("root", fm.root.as_deref().unwrap_or(".."), -1)?;
    let assets = check("assets", fm.assets.as_deref().unwrap_or("assets"), 0)?;
    Ok((root, assets))
}

fn finish(body: &str, p: Pending, end: usize, steps: &mut Vec<Step>) {
    let line = body[..p.start].matches('\n').count() + 1;
    let markdown = body[p.start..end].trim_end().to_string();
    steps.push(Step { title: p.title, level: p.level, line, markdown, commands: p.commands, files: p.files });
}

/// Handles one fenced block of a step.
fn code_block(ctx: &Ctx, step: &mut Pending, info_text: &str, start: usize, content: String) -> Result<(), LessonError> {
    let fence_line = ctx.index.line(start);
    let fence_start = ctx.index.line_start(fence_line);
    let line_text = ctx.text[fence_start..].split('\n').next().unwrap_or("");
    let info_col = line_text.find(info_text.trim()).map_or(0, |b| line_text[..b].chars().count());
    let info_at = |e: LocalError| {
        let e = LocalError { offset: info_col + e.offset, ..e };
        ctx.local(fence_start, e)
    };
    let info = info::parse(info_text).map_err(info_at)?;
    let run = info.marker("run");
    let output = info.marker("output");
    for (attr, offset) in &info.attrs {
        let bad = match attr {
            Attr::Marker(m) if m == "run" || m == "output" => None,
            Attr::Marker(m) => Some((format!("marca `+{m}` desconocida"), "las marcas son `+run` y `+output`".to_string())),
            Attr::Pair(k, _) if (k == "file" || k == "excerpt") && !run && !output => None,
            Attr::Pair(k, v) if k == "exit" && run && v != "any" && v.parse::<i64>().is_err() => {
                Some((format!("`exit={v}` no es un número"), "usa `exit=0`, `exit=127` o `exit=any`".to_string()))
            }
            Attr::Pair(k, _) if RUN_ATTRS.contains(&k.as_str()) && run => None,
            Attr::Pair(k, _) if RUN_ATTRS.contains(&k.as_str()) => {
                Some((format!("`{k}=` solo vale en un bloque `+run`"), "añade `+run` o quita el atributo".to_string()))
            }
            Attr::Pair(k, _) => Some((
                format!("atributo `{k}=` desconocido"),
                "atributos: exit, expect, expect-any, reject, input, file, excerpt".to_string(),
            )),
        };
        if let Some((message, hint)) = bad {
            return Err(info_at(LocalError::new(*offset, message, hint)));
        }
    }
    if run {
        let block = run_block(ctx, &info, fence_line + 1, content)?;
        step.commands.push(block);
    } else if output {
        let Some(last) = step.commands.last_mut().filter(|c| c.recorded.is_none()) else {
            return Err(ctx.at(start, "bloque `+output` sin un `+run` antes", "pon la salida grabada justo después de su orden `+run`"));
        };
        last.recorded = Some(content);
    } else {
        for (attr, _) in &info.attrs {
            if let Attr::Pair(k, v) = attr {
                step.files.push(FileBlock { line: fence_line, path: v.clone(), excerpt: k == "excerpt", content: content.clone() });
            }
        }
    }
    Ok(())
}

/// Attributes that only a `+run` block takes.
const RUN_ATTRS: [&str; 5] = ["exit", "expect", "expect-any", "reject", "input"];

/// Builds a [`RunBlock`] from a `+run` block whose content starts at 1-based `first_line`.
fn run_block(ctx: &Ctx, info: &Info, first_line: usize, content: String) -> Result<RunBlock, LessonError> {
    let mut expect = Expectation::default();
    let mut input = None;
    for (attr, _) in &info.attrs {
        let Attr::Pair(k, v) = attr else { continue };
        match k.as_str() {
            "exit" if v == "any" => expect.exit = ExitExpect::Any,
            "exit" => expect.exit = ExitExpect::Code(v.parse().unwrap_or(0)),
            "expect" => expect.contains.push(v.clone()),
            "expect-any" => expect.any_of.push(v.clone()),
            "reject" => expect.rejects.push(v.clone()),
            "input" => input = Some(v.clone()),
            _ => {}
        }
    }
    // Comments become blank lines so offsets still map to the file's lines.
    let lines: Vec<&str> = content.split('\n').collect();
    let cleaned: Vec<&str> = lines.iter().map(|l| if l.trim_start().starts_with('#') { "" } else { *l }).collect();
    let mut seen_command = false;
    let mut continued = false;
    for (n, l) in cleaned.iter().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        if seen_command && !continued {
            let at = ctx.index.line_start(first_line + n);
            return Err(ctx.at(at, "un bloque `+run` admite una sola orden", "separa cada orden en su propio bloque `+run`"));
        }
        seen_command = true;
        continued = l.trim_end().ends_with('\\');
    }
    let joined = cleaned.join("\n");
    let command = command::parse(&joined, &ctx.vars).map_err(|e| located(ctx, first_line, &joined, e))?;
    let line = first_line + cleaned.iter().position(|l| !l.trim().is_empty()).unwrap_or(0);
    let text = cleaned
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| expand_registry(l.trim_end(), &ctx.vars.registry))
        .collect::<Vec<_>>()
        .join("\n");
    Ok(RunBlock { line, text, command, expect, input, recorded: None })
}

/// Maps a character offset in a block's joined text to the file's line and column.
fn located(ctx: &Ctx, first_line: usize, joined: &str, e: LocalError) -> LessonError {
    let before: String = joined.chars().take(e.offset).collect();
    let line_in_block = before.matches('\n').count();
    let col = before.rsplit('\n').next().map_or(0, |s| s.chars().count());
    LessonError::new(ctx.path, first_line + line_in_block, col + 1, e.message, e.hint)
}

fn expand_registry(line: &str, registry: &str) -> String {
    line.replace("${REGISTRY}", registry).replace("$REGISTRY", registry)
}
