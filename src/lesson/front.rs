//! Front matter: a leading `---` block of flat `key: value` lines.

use super::error::LocalError;

/// Lesson settings from the front matter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrontMatter {
    /// `id`.
    pub id: Option<String>,
    /// `title`.
    pub title: Option<String>,
    /// `root`.
    pub root: Option<String>,
    /// `registry`.
    pub registry: Option<String>,
    /// `assets`: the folder (relative to `root`) that build contexts and `file=` paths must stay in.
    pub assets: Option<String>,
    /// Line of each of `root` and `assets`, for errors.
    pub lines: std::collections::HashMap<&'static str, usize>,
}

/// Splits the front matter off `text`. Returns the settings and the text with the front matter lines
/// blanked (so that line numbers stay those of the file). Errors carry a 1-based line in `offset`.
pub fn split(text: &str) -> Result<(FrontMatter, String), (usize, LocalError)> {
    let mut fm = FrontMatter::default();
    let mut lines = text.split('\n');
    if lines.next().map(str::trim_end) != Some("---") {
        return Ok((fm, text.to_string()));
    }
    let mut end = None;
    for (n, line) in lines.enumerate() {
        let lineno = n + 2;
        let line = line.trim();
        if line == "---" || line == "..." {
            end = Some(lineno);
            break;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err((
                lineno,
                LocalError::new(
                    0,
                    format!("línea de cabecera sin `clave: valor`: «{line}»"),
                    "la cabecera solo admite líneas `clave: valor`",
                ),
            ));
        };
        let value = value.trim().trim_matches('"').to_string();
        let slot = match key.trim() {
            "id" => &mut fm.id,
            "title" => &mut fm.title,
            "root" => {
                fm.lines.insert("root", lineno);
                &mut fm.root
            }
            "assets" => {
                fm.lines.insert("assets", lineno);
                &mut fm.assets
            }
            "registry" => &mut fm.registry,
            other => {
                return Err((
                    lineno,
                    LocalError::new(
                        0,
                        format!("clave de cabecera desconocida `{other}`"),
                        "claves admitidas: id, title, root, assets, registry",
                    ),
                ));
            }
        };
        *slot = Some(value);
    }
    let Some(end) = end else {
        return Err((1, LocalError::new(0, "cabecera `---` sin cerrar", "termina la cabecera con una línea `---`")));
    };
    let blanked: String = text.split('\n').enumerate().map(|(i, l)| if i < end { "" } else { l }).collect::<Vec<_>>().join("\n");
    Ok((fm, blanked))
}
