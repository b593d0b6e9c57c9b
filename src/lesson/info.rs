//! Fence info strings: ```` ```sh +run exit=0 expect="Hola" ````.

use super::error::LocalError;

/// One word of an info string after the language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attr {
    /// `+name`: a marker such as `+run` or `+output`.
    Marker(String),
    /// `key=value` (value unquoted and unescaped).
    Pair(String, String),
}

/// A parsed info string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Info {
    /// Language word (`sh`, `dockerfile`, …), empty when absent.
    pub lang: String,
    /// Attributes with their character offsets in the info string.
    pub attrs: Vec<(Attr, usize)>,
}

impl Info {
    /// Whether marker `+name` is present.
    pub fn marker(&self, name: &str) -> bool {
        self.attrs.iter().any(|(a, _)| matches!(a, Attr::Marker(m) if m == name))
    }
}

/// Parses an info string.
pub fn parse(info: &str) -> Result<Info, LocalError> {
    let chars: Vec<char> = info.chars().collect();
    let mut out = Info::default();
    let mut i = 0;
    let mut first = true;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let mut key = String::new();
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '=' {
            key.push(chars[i]);
            i += 1;
        }
        if chars.get(i) == Some(&'=') {
            i += 1;
            let (value, next) = value(&chars, i)?;
            i = next;
            out.attrs.push((Attr::Pair(key, value), start));
        } else if let Some(m) = key.strip_prefix('+') {
            out.attrs.push((Attr::Marker(m.to_string()), start));
        } else if first {
            out.lang = key;
        } else {
            return Err(LocalError::new(
                start,
                format!("atributo `{key}` no reconocido"),
                "los atributos son `+run`, `+output` o `clave=valor`",
            ));
        }
        first = false;
    }
    Ok(out)
}

/// Reads a value at `i`: `"quoted with \" \\ \n \t"` or a bare word.
fn value(chars: &[char], mut i: usize) -> Result<(String, usize), LocalError> {
    let mut out = String::new();
    if chars.get(i) != Some(&'"') {
        while i < chars.len() && !chars[i].is_whitespace() {
            out.push(chars[i]);
            i += 1;
        }
        return Ok((out, i));
    }
    let open = i;
    i += 1;
    loop {
        match chars.get(i) {
            None => return Err(LocalError::new(open, "comilla sin cerrar en el atributo", "cierra el valor con `\"`")),
            Some('"') => return Ok((out, i + 1)),
            Some('\\') => {
                let c = match chars.get(i + 1) {
                    Some('n') => '\n',
                    Some('t') => '\t',
                    Some('"') => '"',
                    Some('\\') => '\\',
                    _ => return Err(LocalError::new(i, "escape no válido en el atributo", "usa `\\\"`, `\\\\`, `\\n` o `\\t`")),
                };
                out.push(c);
                i += 2;
            }
            Some(&c) => {
                out.push(c);
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_markers_and_quoted_pairs() {
        let info = parse(r#"sh +run exit=127 expect="a \"b\"\tc" input="id\nexit\n""#).unwrap();
        assert_eq!(info.lang, "sh");
        assert!(info.marker("run"));
        assert_eq!(info.attrs[1].0, Attr::Pair("exit".into(), "127".into()));
        assert_eq!(info.attrs[2].0, Attr::Pair("expect".into(), "a \"b\"\tc".into()));
        assert_eq!(info.attrs[3].0, Attr::Pair("input".into(), "id\nexit\n".into()));
    }

    #[test]
    fn unterminated_quote_is_located() {
        assert_eq!(parse(r#"sh +run expect="abc"#).unwrap_err().offset, 15);
    }
}
