//! Python's `str()` and `repr()` of template values, as Jinja2 prints them.
//!
//! transformers renders chat templates with Jinja2, which prints a value with Python's `str()`:
//! `None`, `True`, `False`, floats in their shortest round-trip form (`1.0`, `1e+16`), and
//! lists and dicts as their `repr()` (`['a', 'b']`, `{'k': None}`). minijinja prints `none`,
//! `true` and JSON-like containers; the template's formatter and `string` filter use these
//! functions instead, so the rendered text is byte-identical.

use std::fmt::Write as _;

use minijinja::value::ValueKind;
use minijinja::Value;

/// Python's `str(value)`.
pub fn py_str(value: &Value) -> String {
    let mut out = String::new();
    write_str(&mut out, value);
    out
}

/// Appends Python's `str(value)` to `out`.
pub fn write_str(out: &mut String, value: &Value) {
    match value.kind() {
        ValueKind::Undefined => {}
        ValueKind::String => out.push_str(value.as_str().unwrap_or_default()),
        _ => write_repr(out, value),
    }
}

/// Appends Python's `repr(value)` to `out`.
pub fn write_repr(out: &mut String, value: &Value) {
    match value.kind() {
        // Jinja2's Undefined is not a Python value; inside a container it cannot occur.
        ValueKind::Undefined => {}
        ValueKind::None => out.push_str("None"),
        ValueKind::Bool => out.push_str(if value.is_true() { "True" } else { "False" }),
        ValueKind::Number => write_number(out, value),
        ValueKind::String => write_repr_string(out, value.as_str().unwrap_or_default()),
        ValueKind::Seq | ValueKind::Iterable => {
            out.push('[');
            if let Ok(items) = value.try_iter() {
                for (k, item) in items.enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    write_repr(out, &item);
                }
            }
            out.push(']');
        }
        ValueKind::Map => {
            out.push('{');
            if let Ok(keys) = value.try_iter() {
                for (k, key) in keys.enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    write_repr(out, &key);
                    out.push_str(": ");
                    write_repr(out, &value.get_item(&key).unwrap_or_default());
                }
            }
            out.push('}');
        }
        _ => {
            let _ = write!(out, "{value}");
        }
    }
}

fn write_number(out: &mut String, value: &Value) {
    if value.is_integer() {
        let _ = write!(out, "{value}");
    } else if let Ok(f) = f64::try_from(value.clone()) {
        out.push_str(&py_float(f));
    } else {
        let _ = write!(out, "{value}");
    }
}

/// Python's `repr(float)`: the shortest round-trip digits, positional for decimal exponents
/// from -4 to 15, scientific (`1e+16`, `1.5e-05`) outside.
pub fn py_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    // Rust's `{:e}` gives the shortest round-trip digits too: "-1.25e-7".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    // The decimal point sits after `point` digits.
    let point = exp + 1;
    let n = i64::try_from(digits.len()).unwrap_or(i64::MAX);
    if !(-3..=16).contains(&point) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    } else if point <= 0 {
        out.push_str("0.");
        for _ in 0..-point {
            out.push('0');
        }
        out.push_str(&digits);
    } else if point >= n {
        out.push_str(&digits);
        for _ in 0..point - n {
            out.push('0');
        }
        out.push_str(".0");
    } else {
        let split = usize::try_from(point).unwrap_or(0);
        out.push_str(&digits[..split]);
        out.push('.');
        out.push_str(&digits[split..]);
    }
    out
}

/// Python's `repr(str)`: single quotes unless the text holds `'` and no `"`; backslash escapes
/// for the quote, backslash, `\t\n\r` and characters Python does not print.
fn write_repr_string(out: &mut String, s: &str) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !printable(c) => {
                let code = c as u32;
                let _ = if code < 0x100 {
                    write!(out, "\\x{code:02x}")
                } else if code < 0x10000 {
                    write!(out, "\\u{code:04x}")
                } else {
                    write!(out, "\\U{code:08x}")
                };
            }
            c => out.push(c),
        }
    }
    out.push(quote);
}

/// Python's `str.isprintable()` for one character, for the characters text carries: controls,
/// separators other than the space, format characters, surrogates and private use are not.
fn printable(c: char) -> bool {
    let code = c as u32;
    !matches!(code,
        0x00..=0x1f
        | 0x7f..=0xa0
        | 0xad
        | 0x061c
        | 0x1680
        | 0x180e
        | 0x2000..=0x200f
        | 0x2028..=0x202f
        | 0x205f..=0x2064
        | 0x2066..=0x206f
        | 0x3000
        | 0xd800..=0xf8ff
        | 0xfeff
        | 0xfff9..=0xfffb
        | 0xe0001
        | 0xe0020..=0xe007f
        | 0xf0000..=0x0010_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_like_python() {
        for (f, want) in [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1.5e16, "1.5e+16"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.25e-7, "1.25e-07"),
            (123_456.789, "123456.789"),
            (-0.0, "-0.0"),
            (f64::INFINITY, "inf"),
            (f64::NAN, "nan"),
        ] {
            assert_eq!(py_float(f), want, "{f}");
        }
    }

    #[test]
    fn containers_and_constants_like_python() {
        let v = Value::from_serialize(serde_json::json!({
            "a": [1, 2.0, "x", null, true, false],
            "it's": {"q": "say \"hi\"\n"},
            "mixed": "it's \"both\"",
        }));
        assert_eq!(
            py_str(&v),
            r#"{'a': [1, 2.0, 'x', None, True, False], "it's": {'q': 'say "hi"\n'}, 'mixed': 'it\'s "both"'}"#
        );
        assert_eq!(py_str(&Value::from(())), "None");
        assert_eq!(py_str(&Value::UNDEFINED), "");
        assert_eq!(py_str(&Value::from("plain")), "plain");
        assert_eq!(
            py_str(&Value::from_serialize(["\u{7f}é\u{200b}"])),
            r"['\x7fé\u200b']"
        );
    }
}
