//! Chat templates: Jinja as Hugging Face ships it, rendered the way transformers renders it.
//!
//! transformers compiles a chat template in a sandboxed Jinja2 environment with `trim_blocks`
//! and `lstrip_blocks` on, loop controls enabled, its own `tojson` (Python's `json.dumps` with
//! `ensure_ascii=False`), and the globals `raise_exception` and `strftime_now`; it renders with
//! `messages`, `tools`, `documents`, `add_generation_prompt` and the tokenizer's special tokens.
//! This module sets minijinja up the same way, with the `pycompat` methods (`.strip()`,
//! `.items()`, `.startswith()`, ...) that templates call as if they were Python objects.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::LazyLock;

use minijinja::value::{Kwargs, ValueKind};
use minijinja::{Environment, ErrorKind, Value};

use crate::{Error, Result};

const NAME: &str = "chat_template";

/// A compiled chat template plus the variables transformers passes along with the messages.
pub struct ChatTemplate {
    env: Environment<'static>,
    globals: BTreeMap<String, Value>,
}

impl std::fmt::Debug for ChatTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatTemplate").finish_non_exhaustive()
    }
}

fn template_error(err: &minijinja::Error) -> Error {
    let mut message = err.to_string();
    if let Some(line) = err.line() {
        if !message.contains("line") {
            let _ = write!(message, " (template line {line})");
        }
    }
    Error::ChatTemplate { message }
}

/// transformers' `{% generation %}` blocks only mark assistant text for its own masking; they
/// render their body unchanged, so an always-true `if` with the same whitespace control is exact.
fn rewrite_generation_tags(source: &str) -> String {
    static TAG: LazyLock<Option<regex::Regex>> =
        LazyLock::new(|| regex::Regex::new(r"\{%(-|\+)?\s*(end)?generation\s*(-|\+)?%\}").ok());
    let Some(tag) = TAG.as_ref() else {
        return source.to_owned();
    };
    tag.replace_all(source, |caps: &regex::Captures<'_>| {
        let open = caps.get(1).map_or("", |m| m.as_str());
        let close = caps.get(3).map_or("", |m| m.as_str());
        if caps.get(2).is_some() {
            format!("{{%{open} endif {close}%}}")
        } else {
            format!("{{%{open} if true {close}%}}")
        }
    })
    .into_owned()
}

impl ChatTemplate {
    /// Compiles `source`; `special_tokens` are the tokenizer's special tokens by their
    /// transformers names (`bos_token`, `eos_token`, ...), passed to every render.
    pub fn new(source: &str, special_tokens: &BTreeMap<String, String>) -> Result<Self> {
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_keep_trailing_newline(false);
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env.add_filter("tojson", tojson);
        // Print values the way Jinja2 does: Python's str() (None, True, ['a'], {'k': 1.0}).
        env.set_formatter(|out, _state, value| {
            let written = match value.as_str() {
                // Text (most of what templates print) goes out as is, without a copy.
                Some(text) => out.write_str(text),
                None => out.write_str(&super::pystr::py_str(value)),
            };
            written.map_err(|_| minijinja::Error::new(ErrorKind::WriteFailure, "write failed"))
        });
        env.add_filter("string", |value: &Value| super::pystr::py_str(value));
        env.add_filter("join", join);
        env.add_function("raise_exception", raise_exception);
        env.add_function("strftime_now", strftime_now);
        env.add_template_owned(NAME, rewrite_generation_tags(source))
            .map_err(|e| template_error(&e))?;
        let globals = special_tokens
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect();
        Ok(Self { env, globals })
    }

    /// Renders `messages` (a JSON array of message objects, kept as given, so tool calls and
    /// other fields reach the template) as transformers' `apply_chat_template(tokenize=False)`.
    pub fn render(
        &self,
        messages: &serde_json::Value,
        add_generation_prompt: bool,
        extra: Option<&serde_json::Map<String, serde_json::Value>>,
    ) -> Result<String> {
        let mut ctx = self.globals.clone();
        // transformers drops the keys whose value is None from each message before rendering
        // (templates handle a missing key better than a None one).
        let has_null = messages.as_array().is_some_and(|list| {
            list.iter()
                .filter_map(serde_json::Value::as_object)
                .any(|m| m.values().any(serde_json::Value::is_null))
        });
        let messages_value = if has_null {
            let mut cleaned = messages.clone();
            if let Some(list) = cleaned.as_array_mut() {
                for m in list.iter_mut().filter_map(serde_json::Value::as_object_mut) {
                    m.retain(|_, v| !v.is_null());
                }
            }
            Value::from_serialize(&cleaned)
        } else {
            Value::from_serialize(messages)
        };
        ctx.insert("messages".into(), messages_value);
        ctx.insert("tools".into(), Value::from(()));
        ctx.insert("documents".into(), Value::from(()));
        ctx.insert(
            "add_generation_prompt".into(),
            Value::from(add_generation_prompt),
        );
        if let Some(extra) = extra {
            for (k, v) in extra {
                ctx.insert(k.clone(), Value::from_serialize(v));
            }
        }
        let tmpl = self
            .env
            .get_template(NAME)
            .map_err(|e| template_error(&e))?;
        tmpl.render(ctx).map_err(|e| template_error(&e))
    }
}

/// Jinja2's `join(d='', attribute=None)`: Python's `str()` of each item, joined by `d`.
#[allow(clippy::needless_pass_by_value)] // minijinja hands filters their arguments owned
fn join(
    value: &Value,
    separator: Option<String>,
    kwargs: Kwargs,
) -> std::result::Result<String, minijinja::Error> {
    let attribute: Option<String> = kwargs.get("attribute")?;
    let separator = match separator {
        Some(s) => s,
        None => kwargs.get::<Option<String>>("d")?.unwrap_or_default(),
    };
    kwargs.assert_all_used()?;
    if let Some(s) = value.as_str() {
        // A string joins its characters.
        return Ok(s
            .chars()
            .map(String::from)
            .collect::<Vec<_>>()
            .join(&separator));
    }
    let mut out = String::new();
    for (k, item) in value.try_iter()?.enumerate() {
        if k > 0 {
            out.push_str(&separator);
        }
        let item = match &attribute {
            Some(a) => item.get_attr(a)?,
            None => item,
        };
        super::pystr::write_str(&mut out, &item);
    }
    Ok(out)
}

#[allow(clippy::needless_pass_by_value)] // minijinja hands functions owned arguments
fn raise_exception(message: String) -> std::result::Result<Value, minijinja::Error> {
    Err(minijinja::Error::new(ErrorKind::InvalidOperation, message))
}

/// `json.dumps(value, ensure_ascii=False, indent=indent, separators=separators, sort_keys=...)`.
#[allow(clippy::needless_pass_by_value)] // minijinja hands filters their keyword arguments owned
fn tojson(value: &Value, kwargs: Kwargs) -> std::result::Result<Value, minijinja::Error> {
    let indent: Option<usize> = kwargs.get("indent")?;
    let ensure_ascii: Option<bool> = kwargs.get("ensure_ascii")?;
    let sort_keys: Option<bool> = kwargs.get("sort_keys")?;
    let separators: Option<Vec<String>> = kwargs.get("separators")?;
    kwargs.assert_all_used()?;
    let (item_sep, key_sep) = match separators.as_deref() {
        Some([a, b]) => (a.clone(), b.clone()),
        Some(_) => {
            return Err(minijinja::Error::new(
                ErrorKind::InvalidOperation,
                "tojson: separators must be a pair",
            ))
        }
        // Python drops the space after commas when indenting, so lines carry no trailing blank.
        None if indent.is_some() => (",".to_owned(), ": ".to_owned()),
        None => (", ".to_owned(), ": ".to_owned()),
    };
    let style = JsonStyle {
        indent,
        ensure_ascii: ensure_ascii.unwrap_or(false),
        sort_keys: sort_keys.unwrap_or(false),
        item_sep,
        key_sep,
    };
    let mut out = String::new();
    style.write(&mut out, value, 0)?;
    Ok(Value::from_safe_string(out))
}

struct JsonStyle {
    indent: Option<usize>,
    ensure_ascii: bool,
    sort_keys: bool,
    item_sep: String,
    key_sep: String,
}

impl JsonStyle {
    fn newline(&self, out: &mut String, depth: usize) {
        if let Some(width) = self.indent {
            out.push('\n');
            out.push_str(&" ".repeat(width * depth));
        }
    }

    fn write(
        &self,
        out: &mut String,
        value: &Value,
        depth: usize,
    ) -> std::result::Result<(), minijinja::Error> {
        match value.kind() {
            ValueKind::Undefined | ValueKind::None => out.push_str("null"),
            ValueKind::Bool => out.push_str(if value.is_true() { "true" } else { "false" }),
            ValueKind::Number => write_number(out, value),
            ValueKind::String | ValueKind::Bytes => {
                write_string(out, value.as_str().unwrap_or_default(), self.ensure_ascii);
            }
            ValueKind::Seq | ValueKind::Iterable => {
                let items: Vec<Value> = value.try_iter()?.collect();
                self.write_container(out, depth, '[', ']', &items, |s, out, item, d| {
                    s.write(out, item, d)
                })?;
            }
            ValueKind::Map => {
                let mut keys: Vec<Value> = value.try_iter()?.collect();
                if self.sort_keys {
                    keys.sort();
                }
                let pairs: Vec<(Value, Value)> = keys
                    .into_iter()
                    .map(|k| {
                        let v = value.get_item(&k).unwrap_or_default();
                        (k, v)
                    })
                    .collect();
                self.write_container(out, depth, '{', '}', &pairs, |s, out, (k, v), d| {
                    match k.as_str() {
                        Some(key) => write_string(out, key, s.ensure_ascii),
                        // Python turns non-string keys into their JSON text, quoted.
                        None => write_string(out, &k.to_string(), s.ensure_ascii),
                    }
                    out.push_str(&s.key_sep);
                    s.write(out, v, d)
                })?;
            }
            _ => write_string(out, &value.to_string(), self.ensure_ascii),
        }
        Ok(())
    }

    fn write_container<T>(
        &self,
        out: &mut String,
        depth: usize,
        open: char,
        close: char,
        items: &[T],
        mut each: impl FnMut(&Self, &mut String, &T, usize) -> std::result::Result<(), minijinja::Error>,
    ) -> std::result::Result<(), minijinja::Error> {
        out.push(open);
        if items.is_empty() {
            out.push(close);
            return Ok(());
        }
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(&self.item_sep);
            }
            self.newline(out, depth + 1);
            each(self, out, item, depth + 1)?;
        }
        self.newline(out, depth);
        out.push(close);
        Ok(())
    }
}

fn write_number(out: &mut String, value: &Value) {
    if let Some(i) = value.as_i64() {
        let _ = write!(out, "{i}");
    } else if let Ok(f) = f64::try_from(value.clone()) {
        if f.is_nan() {
            out.push_str("NaN");
        } else if f.is_infinite() {
            out.push_str(if f > 0.0 { "Infinity" } else { "-Infinity" });
        } else {
            // serde_json prints the shortest round-trip form, as Python's float repr does.
            out.push_str(
                &serde_json::Number::from_f64(f).map_or_else(|| f.to_string(), |n| n.to_string()),
            );
        }
    } else {
        out.push_str(&value.to_string());
    }
}

fn write_string(out: &mut String, s: &str, ensure_ascii: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if ensure_ascii && (c as u32) > 0x7e => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `strftime_now(format)`: the current UTC time, with the directives chat templates use.
fn strftime_now(format: &str) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    strftime(secs, format)
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Formats seconds since the Unix epoch (UTC) with C `strftime` directives.
pub fn strftime(epoch_secs: u64, format: &str) -> String {
    let days = epoch_secs / 86_400;
    let rem = epoch_secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    // 1970-01-01 was a Thursday (index 3 from Monday).
    let weekday = usize::try_from((days + 3) % 7).unwrap_or(0);
    let month_name = MONTHS[(month - 1) as usize];
    let mut out = String::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let _ = match chars.next() {
            Some('Y') => write!(out, "{year}"),
            Some('y') => write!(out, "{:02}", year % 100),
            Some('m') => write!(out, "{month:02}"),
            Some('d') => write!(out, "{day:02}"),
            Some('e') => write!(out, "{day:2}"),
            Some('B') => write!(out, "{month_name}"),
            Some('b' | 'h') => write!(out, "{}", &month_name[..3]),
            Some('A') => write!(out, "{}", WEEKDAYS[weekday]),
            Some('a') => write!(out, "{}", &WEEKDAYS[weekday][..3]),
            Some('H') => write!(out, "{:02}", rem / 3600),
            Some('M') => write!(out, "{:02}", rem % 3600 / 60),
            Some('S') => write!(out, "{:02}", rem % 60),
            Some('%') | None => write!(out, "%"),
            Some(other) => write!(out, "%{other}"),
        };
    }
    out
}

/// Days since 1970-01-01 to (year, month, day), Howard Hinnant's civil-from-days.
fn civil_from_days(days: u64) -> (i64, u32, u32) {
    let z = i64::try_from(days).unwrap_or(0) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn special() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("bos_token".to_owned(), "<s>".to_owned()),
            ("eos_token".to_owned(), "</s>".to_owned()),
        ])
    }

    const CHATML: &str = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    #[test]
    fn renders_chatml() {
        let t = ChatTemplate::new(CHATML, &special()).unwrap_or_else(|e| panic!("{e}"));
        let msgs =
            json!([{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}]);
        let out = t
            .render(&msgs, false, None)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            out,
            "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nYo<|im_end|>\n"
        );
        let out = t
            .render(&msgs, true, None)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(out.ends_with("<|im_start|>assistant\n"));
    }

    #[test]
    fn trims_blocks_like_transformers() {
        let src = "{% for m in messages %}\n  {% if m.role == 'user' %}\n[{{ m.content | trim }}]\n  {% endif %}\n{% endfor %}\n";
        let t = ChatTemplate::new(src, &special()).unwrap_or_else(|e| panic!("{e}"));
        let out = t
            .render(&json!([{"role": "user", "content": " a "}]), false, None)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out, "[a]\n");
    }

    #[test]
    fn values_print_as_python_str() {
        let src = "{{ add_generation_prompt }} {{ none }} {{ m }} {{ m | string }} \
                   {{ [true, none, 1.0] | join('/') }} {{ 4 / 2 }} {{ undefined_name }}.";
        let t = ChatTemplate::new(src, &special()).unwrap_or_else(|e| panic!("{e}"));
        let extra = json!({"m": {"a": [1, "b"], "c": false}});
        let out = t
            .render(&json!([]), true, extra.as_object())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            out,
            "True None {'a': [1, 'b'], 'c': False} {'a': [1, 'b'], 'c': False} True/None/1.0 2.0 ."
        );
    }

    #[test]
    fn python_methods_and_specials() {
        let src = "{{ bos_token }}{% for m in messages %}{{ m['content'].strip().upper() }}{% if m.role.startswith('ass') %}{{ eos_token }}{% endif %}{% endfor %}";
        let t = ChatTemplate::new(src, &special()).unwrap_or_else(|e| panic!("{e}"));
        let msgs =
            json!([{"role": "user", "content": " q "}, {"role": "assistant", "content": "a"}]);
        assert_eq!(
            t.render(&msgs, false, None)
                .unwrap_or_else(|e| panic!("{e}")),
            "<s>QA</s>"
        );
    }

    #[test]
    fn raise_exception_is_an_error() {
        let src = "{% if messages[0].role != 'system' %}{{ raise_exception('need a system prompt') }}{% endif %}";
        let t = ChatTemplate::new(src, &special()).unwrap_or_else(|e| panic!("{e}"));
        let err = t.render(&json!([{"role": "user", "content": "x"}]), false, None);
        assert!(
            matches!(err, Err(Error::ChatTemplate { message }) if message.contains("need a system prompt"))
        );
    }

    #[test]
    fn tojson_matches_python_json_dumps() {
        let src = "{{ messages[0] | tojson }}|{{ messages[0] | tojson(indent=2) }}";
        let t = ChatTemplate::new(src, &special()).unwrap_or_else(|e| panic!("{e}"));
        let msgs = json!([{"b": "é<\"x\">\n", "a": [1, 2.5, true, null]}]);
        let out = t
            .render(&msgs, false, None)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            out,
            "{\"b\": \"é<\\\"x\\\">\\n\", \"a\": [1, 2.5, true, null]}|{\n  \"b\": \"é<\\\"x\\\">\\n\",\n  \"a\": [\n    1,\n    2.5,\n    true,\n    null\n  ]\n}"
        );
    }

    #[test]
    fn generation_tags_render_their_body() {
        let src = "{% for m in messages %}{%- generation -%} {{ m.content }} {%- endgeneration %}{% endfor %}";
        let t = ChatTemplate::new(src, &special()).unwrap_or_else(|e| panic!("{e}"));
        let out = t
            .render(&json!([{"role": "assistant", "content": "x"}]), false, None)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out, "x");
    }

    #[test]
    fn syntax_errors_are_reported() {
        let err = ChatTemplate::new("{% for %}", &special());
        assert!(matches!(err, Err(Error::ChatTemplate { .. })));
    }

    #[test]
    fn strftime_known_dates() {
        assert_eq!(strftime(0, "%d %b %Y %H:%M"), "01 Jan 1970 00:00");
        // 2024-07-23 was a Tuesday.
        assert_eq!(
            strftime(1_721_692_800, "%A %d %B %Y"),
            "Tuesday 23 July 2024"
        );
    }
}
