//! Splits a command line the way a POSIX shell splits words, without running anything.
//!
//! Quotes (`'…'`, `"…"`) and backslashes work as in `sh`; `$REGISTRY` / `${REGISTRY}` expand to the
//! configured registry. Shell operators (pipes, `&&`, redirections, command substitution) are
//! refused: Estiba never runs a shell.

use super::error::LocalError;

/// One word of a command line and the character offset where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word after quote removal and expansion.
    pub text: String,
    /// Offset in characters of its first character in the line.
    pub offset: usize,
}

/// Variables a command line may use.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    /// Value of `$REGISTRY`.
    pub registry: String,
}

const NO_SHELL: &str = "Estiba no ejecuta una shell: escribe una sola orden docker, sin tuberías, redirecciones ni `&&`";

/// Splits `line` into words.
pub fn split(line: &str, vars: &Vars) -> Result<Vec<Word>, LocalError> {
    let chars: Vec<char> = line.chars().collect();
    let mut words = Vec::new();
    let mut cur: Option<Word> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' => {
                words.extend(cur.take());
                i += 1;
            }
            '\'' => {
                let w = cur.get_or_insert_with(|| Word { text: String::new(), offset: i });
                let end =
                    find(&chars, i + 1, '\'').ok_or_else(|| LocalError::new(i, "comilla simple sin cerrar", "cierra la comilla `'`"))?;
                w.text.extend(&chars[i + 1..end]);
                i = end + 1;
            }
            '"' => {
                let start = i;
                cur.get_or_insert_with(|| Word { text: String::new(), offset: i });
                i += 1;
                loop {
                    let Some(&d) = chars.get(i) else {
                        return Err(LocalError::new(start, "comilla doble sin cerrar", "cierra la comilla `\"`"));
                    };
                    match d {
                        '"' => break,
                        '\\' if matches!(chars.get(i + 1), Some('"' | '\\' | '$' | '`')) => {
                            push(&mut cur, chars[i + 1]);
                            i += 2;
                        }
                        '$' => i = expand(&chars, i, vars, &mut cur)?,
                        '`' => return Err(LocalError::new(i, "sustitución de órdenes no admitida", NO_SHELL)),
                        _ => {
                            push(&mut cur, d);
                            i += 1;
                        }
                    }
                }
                i += 1;
            }
            '\\' => {
                match chars.get(i + 1) {
                    Some('\n') | None => {}
                    Some(&n) => {
                        cur.get_or_insert_with(|| Word { text: String::new(), offset: i });
                        push(&mut cur, n);
                    }
                }
                i += 2;
            }
            '$' => {
                cur.get_or_insert_with(|| Word { text: String::new(), offset: i });
                i = expand(&chars, i, vars, &mut cur)?;
            }
            '|' | '&' | ';' | '<' | '>' | '`' | '(' | ')' => {
                return Err(LocalError::new(i, format!("operador de shell `{c}` no admitido"), NO_SHELL));
            }
            _ => {
                cur.get_or_insert_with(|| Word { text: String::new(), offset: i });
                push(&mut cur, c);
                i += 1;
            }
        }
    }
    words.extend(cur);
    Ok(words)
}

fn find(chars: &[char], from: usize, target: char) -> Option<usize> {
    (from..chars.len()).find(|&j| chars[j] == target)
}

fn push(cur: &mut Option<Word>, c: char) {
    if let Some(w) = cur {
        w.text.push(c);
    }
}

/// Expands the variable starting at `chars[i] == '$'`; returns the index after it.
fn expand(chars: &[char], i: usize, vars: &Vars, cur: &mut Option<Word>) -> Result<usize, LocalError> {
    let (name, next) = if chars.get(i + 1) == Some(&'{') {
        let end = find(chars, i + 2, '}').ok_or_else(|| LocalError::new(i, "`${` sin cerrar", "escribe `${REGISTRY}`"))?;
        (chars[i + 2..end].iter().collect::<String>(), end + 1)
    } else if chars.get(i + 1) == Some(&'(') {
        return Err(LocalError::new(i, "sustitución de órdenes `$(…)` no admitida", NO_SHELL));
    } else {
        let end = (i + 1..chars.len()).find(|&j| !(chars[j].is_ascii_alphanumeric() || chars[j] == '_')).unwrap_or(chars.len());
        (chars[i + 1..end].iter().collect::<String>(), end)
    };
    match name.as_str() {
        "REGISTRY" => {
            if let Some(w) = cur {
                w.text.push_str(&vars.registry);
            }
            Ok(next)
        }
        "" => Err(LocalError::new(i, "`$` suelto", "escribe `\\$` o quita el `$`")),
        other => Err(LocalError::new(i, format!("variable desconocida `${other}`"), "la única variable disponible es `$REGISTRY`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<String> {
        let vars = Vars { registry: "127.0.0.1:5000".into() };
        split(line, &vars).unwrap().into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn quotes_backslashes_and_registry() {
        assert_eq!(
            texts("docker  tag\ta \"$REGISTRY/x y\" '{{.Config.User}}' a\\ b ${REGISTRY}/z"),
            ["docker", "tag", "a", "127.0.0.1:5000/x y", "{{.Config.User}}", "a b", "127.0.0.1:5000/z"]
        );
    }

    #[test]
    fn refuses_shell_operators() {
        let vars = Vars::default();
        assert!(split("docker images | grep x", &vars).is_err());
        assert!(split("docker run $(id)", &vars).is_err());
        assert_eq!(split("docker run $HOME", &vars).unwrap_err().offset, 11);
    }
}
