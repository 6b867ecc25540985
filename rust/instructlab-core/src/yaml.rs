//! YAML parsing that keeps the position of every node.
//!
//! Users' YAML (taxonomy `qna.yaml`, `config.yaml`, pipeline files) was written for tools that read
//! it with PyYAML, so plain scalars are resolved with PyYAML's YAML 1.1 rules (`yes` is a boolean,
//! `1e3` is a string, `0755` is octal). Unlike PyYAML we refuse duplicate keys, which it silently
//! collapses to the last one, and we report every error with a line and column.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::error::{Error, Location, Result};

pub(crate) mod pyyaml_quirks;

/// A parsed YAML value with the position where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// 1-based line of the node's first character.
    pub line: usize,
    /// 1-based column of the node's first character.
    pub column: usize,
}

/// A YAML value, typed as PyYAML's safe loader would type it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `~`, `null`, or nothing.
    Null,
    /// `true`, `yes`, `on`, and their opposites.
    Bool(bool),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// An integer too large for 64 bits, as decimal digits (with a leading `-` when negative).
    BigInt(String),
    /// A float, including `.inf` and `.nan`.
    Float(f64),
    /// Any other scalar.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in file order. Keys are scalars and unique.
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// Looks a string key up in a mapping node.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| matches!(&k.value, Value::Str(s) if s == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Parses one YAML document. An empty input is a `Null` node at 1:1.
///
/// `file` names the input in error messages.
pub fn parse(source: &str, file: &str) -> Result<Node> {
    parse_with(source, file, None)
}

/// A key that appeared twice in a mapping: where the second one is, and the key as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// 1-based line of the repeated key.
    pub line: usize,
    /// 1-based column of the repeated key.
    pub column: usize,
    /// The key, as written.
    pub key: String,
}

/// Parses like PyYAML does: a repeated key replaces the earlier value (keeping its place).
/// The repeats are returned so a caller can still report them (yamllint's `key-duplicates`).
pub fn parse_lenient(source: &str, file: &str) -> Result<(Node, Vec<DuplicateKey>)> {
    let mut duplicates = Vec::new();
    let node = parse_with(source, file, Some(&mut duplicates))?;
    Ok((node, duplicates))
}

fn parse_with(
    source: &str,
    file: &str,
    mut duplicates: Option<&mut Vec<DuplicateKey>>,
) -> Result<Node> {
    let first = match parse_once(source, file, duplicates.as_deref_mut()) {
        Ok(node) => return Ok(node),
        Err(failure) => failure,
    };
    // What PyYAML reads and our scanner refuses: retry on a text with blanks inserted (see
    // `pyyaml_quirks`), then report every position in the original text.
    let mut patched = pyyaml_quirks::Patched::new(source);
    let mut failure = first;
    // Each round fixes at least one more spot of a finite text; the bound is only a backstop.
    for _ in 0..=source.len() {
        let Failure::Scan(message, mark) = &failure else {
            break;
        };
        if !patched.accommodate(message, mark.line().max(1), mark.col()) {
            break;
        }
        patched.rebuild(source);
        if let Some(found) = duplicates.as_deref_mut() {
            found.clear();
        }
        match parse_once(&patched.text, file, duplicates.as_deref_mut()) {
            Ok(mut node) => {
                relocate(&mut node, &patched);
                for d in duplicates.into_iter().flatten() {
                    (d.line, d.column) = to_original(&patched, d.line, d.column);
                }
                return Ok(node);
            }
            Err(next) => failure = next,
        }
    }
    let mut error = match failure {
        Failure::Scan(message, mark) => Error::Yaml {
            location: location(file, mark),
            message,
        },
        Failure::Build(error) => error,
    };
    if let Error::Yaml { location, .. } = &mut error {
        (location.line, location.column) = to_original(&patched, location.line, location.column);
    }
    Err(error)
}

/// Why a parse stopped: the scanner or parser (message and where), or a value we refuse.
enum Failure {
    Scan(String, Marker),
    Build(Error),
}

fn parse_once(
    source: &str,
    file: &str,
    duplicates: Option<&mut Vec<DuplicateKey>>,
) -> std::result::Result<Node, Failure> {
    let mut builder = Builder {
        file,
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        documents: 0,
        duplicates,
    };
    let mut parser = Parser::new_from_str(source);
    loop {
        let (event, mark) = parser
            .next_token()
            .map_err(|e| Failure::Scan(e.info().to_owned(), *e.marker()))?;
        if event == Event::StreamEnd {
            break;
        }
        builder.on_event(event, mark).map_err(Failure::Build)?;
    }
    Ok(builder.root.unwrap_or(Node {
        value: Value::Null,
        line: 1,
        column: 1,
    }))
}

/// A 1-based line and column of the patched text, in the original.
fn to_original(patched: &pyyaml_quirks::Patched, line: usize, column: usize) -> (usize, usize) {
    let (line, col) = patched.to_original(line, column.saturating_sub(1));
    (line, col + 1)
}

/// Moves every node's position from the patched text back to the original.
fn relocate(node: &mut Node, patched: &pyyaml_quirks::Patched) {
    (node.line, node.column) = to_original(patched, node.line, node.column);
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| relocate(n, patched)),
        Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            relocate(k, patched);
            relocate(v, patched);
        }),
        _ => {}
    }
}

fn location(file: &str, mark: Marker) -> Location {
    // yaml-rust2 counts lines from 1 and columns from 0.
    Location {
        file: file.to_owned(),
        line: mark.line().max(1),
        column: mark.col() + 1,
    }
}

enum Frame {
    Seq {
        items: Vec<Node>,
        mark: Marker,
        anchor: usize,
    },
    Map {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        /// Entries brought in by merge keys; explicit keys win over them whatever the order.
        merged: Vec<(Node, Node)>,
        /// Each explicit key seen so far and its line, for duplicate detection in O(1).
        seen: HashMap<KeyRepr, usize>,
        mark: Marker,
        anchor: usize,
    },
}

struct Builder<'a> {
    file: &'a str,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    documents: usize,
    /// `Some` = lenient about duplicate keys, recording them here.
    duplicates: Option<&'a mut Vec<DuplicateKey>>,
}

impl Builder<'_> {
    fn error(&self, mark: Marker, message: impl Into<String>) -> Error {
        Error::Yaml {
            location: location(self.file, mark),
            message: message.into(),
        }
    }

    fn on_event(&mut self, event: Event, mark: Marker) -> Result<()> {
        match event {
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(self.error(
                        mark,
                        "found a second YAML document ('---'); this file must hold exactly one",
                    ));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let value = resolve_scalar(&text, style, tag.as_ref())
                    .map_err(|message| self.error(mark, message))?;
                let (line, column) = (mark.line().max(1), mark.col() + 1);
                self.push(
                    Node {
                        value,
                        line,
                        column,
                    },
                    anchor,
                    mark,
                )?;
            }
            Event::Alias(id) => {
                if self.merges_itself(id) {
                    // PyYAML reads a mapping that merges itself as if it merged nothing (its
                    // own keys win over merged ones anyway); the alias is left out.
                    if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
                        *key = None;
                    }
                    return Ok(());
                }
                let node = self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| self.error(mark, "alias refers to an unknown anchor"))?;
                self.push(node, 0, mark)?;
            }
            Event::SequenceStart(anchor, tag) => {
                check_collection_tag(tag.as_ref(), "seq").map_err(|m| self.error(mark, m))?;
                self.stack.push(Frame::Seq {
                    items: Vec::new(),
                    mark,
                    anchor,
                });
            }
            Event::MappingStart(anchor, tag) => {
                check_collection_tag(tag.as_ref(), "map").map_err(|m| self.error(mark, m))?;
                self.stack.push(Frame::Map {
                    entries: Vec::new(),
                    key: None,
                    merged: Vec::new(),
                    seen: HashMap::new(),
                    mark,
                    anchor,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (value, anchor, start) = match self.stack.pop() {
                    Some(Frame::Seq {
                        items,
                        mark,
                        anchor,
                    }) => (Value::Seq(items), anchor, mark),
                    Some(Frame::Map {
                        entries,
                        merged,
                        mark,
                        anchor,
                        ..
                    }) => (Value::Map(apply_merge(merged, entries)), anchor, mark),
                    None => return Err(self.error(mark, "unbalanced collection end")),
                };
                // A block mapping's start mark sits on its first key's indicator; the first key's
                // own position is what a person would point at.
                let (line, column) = match &value {
                    Value::Map(entries) if !entries.is_empty() => {
                        (entries[0].0.line, entries[0].0.column)
                    }
                    _ => (start.line().max(1), start.col() + 1),
                };
                let node = Node {
                    value,
                    line,
                    column,
                };
                self.push(node, anchor, start)?;
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
        Ok(())
    }

    /// Whether an alias to anchor `id` is the value of a merge key (`<<: *id`, or an item of
    /// `<<: [*id]`) of the very mapping that anchor names, still being read.
    fn merges_itself(&self, id: usize) -> bool {
        let merging_map = |frame: Option<&Frame>| match frame {
            Some(Frame::Map {
                key: Some(k),
                anchor,
                ..
            }) => *anchor == id && id != 0 && is_merge_key(k),
            _ => false,
        };
        let n = self.stack.len();
        match self.stack.last() {
            Some(Frame::Map { .. }) => merging_map(self.stack.last()),
            Some(Frame::Seq { .. }) if n >= 2 => merging_map(self.stack.get(n - 2)),
            _ => false,
        }
    }

    fn push(&mut self, node: Node, anchor: usize, mark: Marker) -> Result<()> {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                key,
                merged,
                seen,
                ..
            }) => match key.take() {
                None => {
                    if matches!(node.value, Value::Seq(_) | Value::Map(_)) {
                        return Err(self.error(
                            mark,
                            "a mapping key must be a scalar, not a list or a mapping",
                        ));
                    }
                    *key = Some(node);
                }
                Some(k) => {
                    if is_merge_key(&k) {
                        merge(merged, node).map_err(|m| Error::Yaml {
                            location: location(self.file, mark),
                            message: m,
                        })?;
                    } else if let (Some(found), true) = (
                        self.duplicates.as_mut(),
                        seen.contains_key(&KeyRepr::of(&k.value)),
                    ) {
                        found.push(DuplicateKey {
                            line: k.line,
                            column: k.column,
                            key: describe_key(&k.value).trim_matches('\'').to_owned(),
                        });
                        if let Some(slot) = entries.iter_mut().find(|(e, _)| e.value == k.value) {
                            slot.1 = node;
                        }
                    } else if let Some(first_line) = seen.get(&KeyRepr::of(&k.value)) {
                        return Err(Error::Yaml {
                            location: Location {
                                file: self.file.to_owned(),
                                line: k.line,
                                column: k.column,
                            },
                            message: format!(
                                "duplicate key {} (first defined at line {first_line})",
                                describe_key(&k.value),
                            ),
                        });
                    } else {
                        seen.insert(KeyRepr::of(&k.value), k.line);
                        entries.push((k, node));
                    }
                }
            },
        }
        Ok(())
    }
}

/// A hashable stand-in for a scalar key (floats by their bits, so `.nan` equals itself here).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum KeyRepr {
    Null,
    Bool(bool),
    Int(i64),
    Text(String),
    Float(u64),
}

impl KeyRepr {
    fn of(value: &Value) -> Self {
        match value {
            Value::Null => Self::Null,
            Value::Bool(b) => Self::Bool(*b),
            Value::Int(i) => Self::Int(*i),
            Value::Float(f) => Self::Float(f.to_bits()),
            // Big integers are kept apart from strings by a prefix no string key can start with.
            Value::BigInt(s) => Self::Text(format!("\0{s}")),
            Value::Str(s) => Self::Text(s.clone()),
            Value::Seq(_) | Value::Map(_) => Self::Text("\0collection".to_owned()),
        }
    }
}

fn describe_key(value: &Value) -> String {
    match value {
        Value::Str(s) => format!("'{s}'"),
        Value::Int(i) => i.to_string(),
        Value::BigInt(s) => s.clone(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_owned(),
        Value::Seq(_) | Value::Map(_) => "(collection)".to_owned(),
    }
}

fn is_merge_key(key: &Node) -> bool {
    matches!(&key.value, Value::Str(s) if s == "<<")
}

/// Orders a mapping as PyYAML does: merged keys first, explicit values overriding them.
fn apply_merge(merged: Vec<(Node, Node)>, explicit: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
    if merged.is_empty() {
        return explicit;
    }
    let mut out = merged;
    for (k, v) in explicit {
        match out.iter_mut().find(|(e, _)| e.value == k.value) {
            Some(slot) => *slot = (k, v),
            None => out.push((k, v)),
        }
    }
    out
}

/// Collects a merge key's mappings (`<<: *base` or `<<: [*a, *b]`); earlier sources win.
fn merge(entries: &mut Vec<(Node, Node)>, source: Node) -> std::result::Result<(), String> {
    let maps = match source.value {
        Value::Map(m) => vec![m],
        Value::Seq(items) => items
            .into_iter()
            .map(|n| match n.value {
                Value::Map(m) => Ok(m),
                _ => Err("a merge key ('<<') takes a mapping or a list of mappings".to_owned()),
            })
            .collect::<std::result::Result<_, _>>()?,
        _ => return Err("a merge key ('<<') takes a mapping or a list of mappings".to_owned()),
    };
    for map in maps {
        for (k, v) in map {
            if !entries.iter().any(|(e, _)| e.value == k.value) {
                entries.push((k, v));
            }
        }
    }
    Ok(())
}

const CORE_TAG: &str = "tag:yaml.org,2002:";

fn tag_name(tag: &Tag) -> Option<&str> {
    if tag.handle == CORE_TAG || tag.handle == "!!" {
        Some(tag.suffix.as_str())
    } else {
        None
    }
}

fn check_collection_tag(tag: Option<&Tag>, expected: &str) -> std::result::Result<(), String> {
    match tag {
        None => Ok(()),
        Some(t) if tag_name(t) == Some(expected) => Ok(()),
        Some(t) => Err(format!(
            "unsupported tag '{}{}' (only plain YAML data is read)",
            t.handle, t.suffix
        )),
    }
}

fn resolve_scalar(
    text: &str,
    style: TScalarStyle,
    tag: Option<&Tag>,
) -> std::result::Result<Value, String> {
    if let Some(tag) = tag {
        let explicit = |kind: &str| match kind {
            "str" => Ok(Value::Str(text.to_owned())),
            "null" => Ok(Value::Null),
            "bool" => parse_bool(text).map(Value::Bool).ok_or(()),
            "int" => parse_int(text).ok_or(()),
            "float" => parse_float(text)
                .or_else(|| parse_int(text).and_then(|v| int_as_float(&v)))
                .ok_or(()),
            _ => Err(()),
        };
        return match tag_name(tag)
            .filter(|k| matches!(*k, "str" | "null" | "bool" | "int" | "float"))
        {
            Some(kind) => explicit(kind)
                .map_err(|()| format!("'{text}' is not a valid value for the tag '!!{kind}'")),
            None => Err(format!(
                "unsupported tag '{}{}' (only plain YAML data is read)",
                tag.handle, tag.suffix
            )),
        };
    }
    if style != TScalarStyle::Plain {
        return Ok(Value::Str(text.to_owned()));
    }
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        return Ok(Value::Null);
    }
    if let Some(b) = parse_bool(text) {
        return Ok(Value::Bool(b));
    }
    if let Some(i) = parse_int(text) {
        return Ok(i);
    }
    if let Some(f) = parse_float(text) {
        return Ok(f);
    }
    Ok(Value::Str(text.to_owned()))
}

fn int_as_float(v: &Value) -> Option<Value> {
    match v {
        #[allow(clippy::cast_precision_loss)] // `!!float 3` is 3.0, precision loss is YAML's rule
        Value::Int(i) => Some(Value::Float(*i as f64)),
        _ => None,
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Some(true),
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

fn int_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$",
        )
        .expect("the int pattern is a valid regex")
    })
}

fn float_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        )
        .expect("the float pattern is a valid regex")
    })
}

/// PyYAML's YAML 1.1 integer rules: `_` separators, `0b`, `0x`, leading-zero octal, `1:30` base 60.
fn parse_int(text: &str) -> Option<Value> {
    if !int_pattern().is_match(text) {
        return None;
    }
    let cleaned: String = text.chars().filter(|&c| c != '_').collect();
    let (negative, digits) = match cleaned.as_bytes().first() {
        Some(b'-') => (true, &cleaned[1..]),
        Some(b'+') => (false, &cleaned[1..]),
        _ => (false, cleaned.as_str()),
    };
    let magnitude: Option<i128> = if digits == "0" {
        Some(0)
    } else if let Some(bin) = digits.strip_prefix("0b") {
        i128::from_str_radix(bin, 2).ok()
    } else if let Some(hex) = digits.strip_prefix("0x") {
        i128::from_str_radix(hex, 16).ok()
    } else if digits.starts_with('0') {
        i128::from_str_radix(digits, 8).ok()
    } else if digits.contains(':') {
        digits.split(':').try_fold(0i128, |acc, part| {
            acc.checked_mul(60)?.checked_add(part.parse::<i128>().ok()?)
        })
    } else {
        digits.parse::<i128>().ok()
    };
    let value = match magnitude {
        Some(m) => {
            if negative {
                -m
            } else {
                m
            }
        }
        // Too large even for i128: keep the decimal digits for Python's arbitrary-size int.
        None if digits.bytes().all(|b| b.is_ascii_digit()) => {
            return Some(Value::BigInt(format!(
                "{}{digits}",
                if negative { "-" } else { "" }
            )));
        }
        None => return None,
    };
    Some(match i64::try_from(value) {
        Ok(v) => Value::Int(v),
        Err(_) => Value::BigInt(value.to_string()),
    })
}

/// PyYAML's YAML 1.1 float rules: a `.` is required (`1e3` is a string), `.inf`, `.nan`, base 60.
fn parse_float(text: &str) -> Option<Value> {
    if !float_pattern().is_match(text) {
        return None;
    }
    let cleaned: String = text.chars().filter(|&c| c != '_').collect::<String>();
    let lower = cleaned.to_ascii_lowercase();
    let (sign, body) = match lower.as_bytes().first() {
        Some(b'-') => (-1.0, &lower[1..]),
        Some(b'+') => (1.0, &lower[1..]),
        _ => (1.0, lower.as_str()),
    };
    let magnitude = if body == ".inf" {
        f64::INFINITY
    } else if body == ".nan" {
        f64::NAN
    } else if body.contains(':') {
        body.split(':').try_fold(0.0f64, |acc, part| {
            Some(acc * 60.0 + part.parse::<f64>().ok()?)
        })?
    } else {
        body.parse::<f64>().ok()?
    };
    Some(Value::Float(sign * magnitude))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(src: &str) -> Value {
        parse(src, "t.yaml").expect("valid yaml").value
    }

    fn scalar(src: &str) -> Value {
        match value(&format!("k: {src}\n")) {
            Value::Map(mut entries) => entries.remove(0).1.value,
            other => panic!("not a map: {other:?}"),
        }
    }

    #[test]
    fn resolves_scalars_like_pyyaml() {
        assert_eq!(scalar("yes"), Value::Bool(true));
        assert_eq!(scalar("Off"), Value::Bool(false));
        assert_eq!(scalar("~"), Value::Null);
        assert_eq!(scalar(""), Value::Null);
        assert_eq!(scalar("42"), Value::Int(42));
        assert_eq!(scalar("-1_000"), Value::Int(-1000));
        assert_eq!(scalar("0755"), Value::Int(0o755));
        assert_eq!(scalar("0x1F"), Value::Int(31));
        assert_eq!(scalar("0b101"), Value::Int(5));
        assert_eq!(scalar("1:30"), Value::Int(90));
        assert_eq!(scalar("1.5"), Value::Float(1.5));
        assert_eq!(scalar("1.0e+3"), Value::Float(1000.0));
        assert_eq!(scalar("1e3"), Value::Str("1e3".into()));
        assert_eq!(scalar("-.inf"), Value::Float(f64::NEG_INFINITY));
        assert!(matches!(scalar(".nan"), Value::Float(f) if f.is_nan()));
        assert_eq!(scalar("'yes'"), Value::Str("yes".into()));
        assert_eq!(scalar("!!str 12"), Value::Str("12".into()));
        assert_eq!(scalar("2024-01-02"), Value::Str("2024-01-02".into()));
        assert_eq!(
            scalar("123456789012345678901234567890"),
            Value::BigInt("123456789012345678901234567890".into())
        );
    }

    #[test]
    fn keeps_positions_of_every_node() {
        let doc = parse("a:\n  - x\n  - y: 1\nb: 2\n", "t.yaml").expect("valid");
        let a = doc.get("a").expect("a");
        assert_eq!((a.line, a.column), (2, 3));
        let Value::Seq(items) = &a.value else {
            panic!("seq")
        };
        assert_eq!((items[1].line, items[1].column), (3, 5));
        let y = items[1].get("y").expect("y");
        assert_eq!((y.line, y.column), (3, 8));
        let b = doc.get("b").expect("b");
        assert_eq!((b.line, b.column), (4, 4));
    }

    #[test]
    fn reports_syntax_errors_with_a_location() {
        let err = parse("a: 1\nb: [1, 2\n", "bad.yaml").expect_err("invalid");
        let Error::Yaml { location, message } = err else {
            panic!("wrong variant")
        };
        assert_eq!(location.file, "bad.yaml");
        assert!(location.line >= 2, "{location}");
        assert!(!message.is_empty());
    }

    #[test]
    fn refuses_duplicate_keys_naming_both_lines() {
        let err = parse("a: 1\nb: 2\na: 3\n", "dup.yaml").expect_err("duplicate");
        assert_eq!(
            err.to_string(),
            "dup.yaml:3:1: duplicate key 'a' (first defined at line 1)"
        );
    }

    #[test]
    fn refuses_several_documents() {
        let err = parse("a: 1\n---\nb: 2\n", "multi.yaml").expect_err("two docs");
        assert!(err.to_string().contains("second YAML document"), "{err}");
    }

    #[test]
    fn expands_anchors_aliases_and_merge_keys() {
        let doc = parse(
            "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\nref: *b\n",
            "t.yaml",
        )
        .expect("valid");
        let used = doc.get("use").expect("use");
        assert_eq!(used.get("x").map(|n| &n.value), Some(&Value::Int(1)));
        assert_eq!(used.get("y").map(|n| &n.value), Some(&Value::Int(3)));
        assert_eq!(
            doc.get("ref").map(|n| &n.value),
            doc.get("base").map(|n| &n.value)
        );
    }

    #[test]
    fn a_mapping_that_merges_itself_reads_as_pyyaml_reads_it() {
        // Expected values: PyYAML 6.0's `yaml.safe_load` of each text.
        let bare_of = |text: &str| bare(&parse(text, "t.yaml").expect("PyYAML reads it").value);
        let b = |entries: &[(&str, Value)]| map(&[("b", map(entries))]);
        assert_eq!(
            bare_of("b: &b\n  <<: {c: 3}\n  a: 1\n  <<: *b\n"),
            b(&[("c", Value::Int(3)), ("a", Value::Int(1))])
        );
        assert_eq!(
            bare_of("b: &b\n  a: 1\n  <<: *b\n  <<: {c: 3, a: 2}\n"),
            b(&[("c", Value::Int(3)), ("a", Value::Int(1))])
        );
        assert_eq!(
            bare_of("b: &b\n  <<: [*b]\n  a: 1\n"),
            b(&[("a", Value::Int(1))])
        );
        assert_eq!(bare_of("b: &b\n  <<: *b\n"), b(&[]));
        assert_eq!(
            bare_of("b: &b\n  x: 1\n  <<: *b\nm:\n  <<: *b\n  y: 2\n"),
            map(&[
                ("b", map(&[("x", Value::Int(1))])),
                ("m", map(&[("x", Value::Int(1)), ("y", Value::Int(2))])),
            ])
        );
        // Any other use of a mapping inside itself would be a cycle: still refused.
        assert!(parse("b: &b\n  c: *b\n", "t.yaml").is_err());
        assert!(parse("b: &b\n  c:\n    <<: *b\n", "t.yaml").is_err());
    }

    #[test]
    fn empty_input_is_null() {
        assert_eq!(value(""), Value::Null);
        assert_eq!(value("# only a comment\n"), Value::Null);
    }

    #[test]
    fn refuses_unknown_tags() {
        let err = parse("a: !!python/object:os.system x\n", "t.yaml").expect_err("tag");
        assert!(err.to_string().contains("unsupported tag"), "{err}");
    }

    /// A flow collection or quoted scalar with a comment right after it (no blank between).
    const COMMENT_AFTER_TOKEN: &str = "version: 2\ntask_description: t\ncreated_by: me\nseed_examples:\n  - {question: q1, answer: a1}#first\n  - question: \"q2\"#second\n    answer: [x, y]#third\n";

    /// Continuation lines of quoted scalars left of their key (one after an escaped break,
    /// one after a blank line, one in a flow sequence with more on the line).
    const SHALLOW_CONTINUATION: &str = "version: 2\ncreated_by: me\nseed_examples:\n  - question: \"What is\n  the answer?\"\n    answer: 'It\nis 42'\n  - question: \"a\\\n  b\"\n    answer: \"x\n\ny\" # end\n  - [ \"p\nq\",  r  ]\n";

    fn s(text: &str) -> Value {
        Value::Str(text.to_owned())
    }

    fn map(entries: &[(&str, Value)]) -> Value {
        Value::Map(
            entries
                .iter()
                .map(|(k, v)| {
                    let node = |value| Node {
                        value,
                        line: 0,
                        column: 0,
                    };
                    (node(s(k)), node(v.clone()))
                })
                .collect(),
        )
    }

    /// The value without positions, to compare with one written out.
    fn bare(value: &Value) -> Value {
        let node = |value| Node {
            value,
            line: 0,
            column: 0,
        };
        match value {
            Value::Seq(items) => Value::Seq(items.iter().map(|n| node(bare(&n.value))).collect()),
            Value::Map(entries) => Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| (node(bare(&k.value)), node(bare(&v.value))))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn seq(items: &[Value]) -> Value {
        Value::Seq(
            items
                .iter()
                .map(|v| Node {
                    value: v.clone(),
                    line: 0,
                    column: 0,
                })
                .collect(),
        )
    }

    #[test]
    fn reads_a_comment_right_after_a_flow_collection_or_quote_as_pyyaml_does() {
        // The expected value is what PyYAML 6.0 (`yaml.safe_load`) gives for this text.
        let doc = parse(COMMENT_AFTER_TOKEN, "t.yaml").expect("PyYAML reads it");
        let expected = map(&[
            ("version", Value::Int(2)),
            ("task_description", s("t")),
            ("created_by", s("me")),
            (
                "seed_examples",
                seq(&[
                    map(&[("question", s("q1")), ("answer", s("a1"))]),
                    map(&[("question", s("q2")), ("answer", seq(&[s("x"), s("y")]))]),
                ]),
            ),
        ]);
        assert_eq!(bare(&doc.value), expected);
        let Some(Value::Seq(items)) = doc.get("seed_examples").map(|n| &n.value) else {
            panic!("seed_examples")
        };
        let answer = items[1].get("answer").expect("answer");
        assert_eq!((answer.line, answer.column), (7, 13));
    }

    #[test]
    fn reads_quoted_continuation_lines_left_of_their_key_as_pyyaml_does() {
        // The expected value is what PyYAML 6.0 (`yaml.safe_load`) gives for this text.
        let doc = parse(SHALLOW_CONTINUATION, "t.yaml").expect("PyYAML reads it");
        let expected = map(&[
            ("version", Value::Int(2)),
            ("created_by", s("me")),
            (
                "seed_examples",
                seq(&[
                    map(&[
                        ("question", s("What is the answer?")),
                        ("answer", s("It is 42")),
                    ]),
                    map(&[("question", s("ab")), ("answer", s("x\ny"))]),
                    seq(&[s("p q"), s("r")]),
                ]),
            ),
        ]);
        assert_eq!(bare(&doc.value), expected);
        // Positions are the original text's, also after the inserted blanks (PyYAML's marks).
        let Some(Value::Seq(items)) = doc.get("seed_examples").map(|n| &n.value) else {
            panic!("seed_examples")
        };
        let Value::Seq(flow) = &items[2].value else {
            panic!("flow sequence")
        };
        assert_eq!((flow[0].line, flow[0].column), (13, 7));
        assert_eq!((flow[1].line, flow[1].column), (14, 6));
        let answer = items[0].get("answer").expect("answer");
        assert_eq!((answer.line, answer.column), (6, 13));
    }

    #[test]
    fn still_refuses_what_pyyaml_refuses_with_the_original_position() {
        // A comment after a flow mapping, then an unclosed flow sequence (PyYAML: 3:1).
        let err = parse("a: {x: 1}#c\nb: [1, 2\n", "bad.yaml").expect_err("invalid");
        assert_eq!(
            err.to_string(),
            "bad.yaml:3:1: while parsing a flow sequence, expected ',' or ']'"
        );
        // An error after a padded continuation line is placed in the original text (as PyYAML).
        let err = parse("q: \"a\nb\" c: d\n", "bad.yaml").expect_err("invalid");
        let Error::Yaml { location, .. } = err else {
            panic!("wrong variant")
        };
        assert_eq!((location.line, location.column), (2, 4));
        // PyYAML refuses these too: a document marker inside a quoted scalar, a quoted scalar
        // never closed.
        for bad in ["q: \"x\n---\ny\"\n", "q: \"x\ny\n"] {
            assert!(parse(bad, "bad.yaml").is_err(), "{bad:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_arbitrary_text(src in "\\PC{0,200}") {
            let _ = parse(&src, "fuzz.yaml");
        }

        /// A quoted scalar's continuation lines fold to single spaces however little they are
        /// indented (PyYAML's reading), and a comment may follow its closing quote unspaced.
        #[test]
        fn quoted_continuations_fold_at_any_indentation(
            words in proptest::collection::vec("[a-z]{1,5}", 2..6),
            indents in proptest::collection::vec(0usize..8, 5),
            double in proptest::bool::ANY,
            comment in proptest::bool::ANY,
        ) {
            let quote = if double { '"' } else { '\'' };
            let mut text = format!("outer:\n    key: {quote}{}", words[0]);
            for (i, w) in words[1..].iter().enumerate() {
                text.push('\n');
                text.push_str(&" ".repeat(indents[i]));
                text.push_str(w);
            }
            text.push(quote);
            if comment {
                text.push_str("#note");
            }
            text.push_str("\n    next: [1]#c\n");
            let doc = parse(&text, "p.yaml").expect("PyYAML reads it");
            let outer = doc.get("outer").expect("outer");
            proptest::prop_assert_eq!(
                outer.get("key").map(|n| n.value.clone()),
                Some(Value::Str(words.join(" ")))
            );
            let next = outer.get("next").expect("next");
            proptest::prop_assert_eq!((next.line, next.column), (words.len() + 2, 11));
        }

        #[test]
        fn never_panics_on_yaml_like_text(src in "[a-z:\\-\\[\\]{}&*!|>'\" \n#,?0-9.]{0,200}") {
            let _ = parse(&src, "fuzz.yaml");
        }
    }
}
