//! The `qna.yaml` schema rules, versions 1 to 3, as instructlab-schema 0.4.2 defines them.
//!
//! The accept/reject decisions follow that schema exactly (including its leniencies: a v1
//! `task_description` may be empty, knowledge Q&A items may carry extra keys); the messages are
//! ours and point at the offending node rather than at the top of the file.

use crate::yaml::{Node, Value};

use super::problem::Problem;

/// The oldest and newest schema versions understood.
pub const VERSIONS: std::ops::RangeInclusive<i64> = 1..=3;

/// Which schema a file is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// `knowledge/` (or a file elsewhere with a `document` key).
    Knowledge,
    /// `compositional_skills/`, `foundational_skills/` and anything else.
    Skill,
}

/// The schema version a document asks for, read as InstructLab reads it: a missing or unreadable
/// `version` means 1, a float or numeric string is truncated to an integer, a boolean is refused.
pub fn declared_version(root: &Node) -> Result<i64, String> {
    let Some(node) = root.get("version") else {
        return Ok(1);
    };
    match &node.value {
        Value::Int(i) => Ok(*i),
        #[allow(clippy::cast_possible_truncation)] // truncation toward zero is the rule
        Value::Float(f) if f.is_finite() => Ok(f.trunc() as i64),
        Value::Str(s) => Ok(s.trim().parse::<i64>().unwrap_or(1)),
        Value::Bool(b) => Err(format!(
            "'version' must be a number (1, 2 or 3), not the boolean {b}"
        )),
        Value::BigInt(s) => Err(format!(
            "unsupported schema version {s} (supported: 1, 2, 3)"
        )),
        _ => Ok(1),
    }
}

/// Checks a parsed document (a mapping) against the schema and version; appends problems.
pub fn check(root: &Node, schema: Schema, version: i64, file: &str, out: &mut Vec<Problem>) {
    let mut c = Checker { file, out };
    if !VERSIONS.contains(&version) {
        let at = root.get("version").unwrap_or(root);
        c.report(
            at,
            ".version",
            format!("unsupported schema version {version} (supported: 1, 2, 3)"),
        );
        return;
    }
    match schema {
        Schema::Knowledge if version < 3 => {
            let at = root.get("version").unwrap_or(root);
            c.report(
                at,
                ".version",
                format!(
                    "knowledge needs schema version 3; version {version} is no longer supported \
                     (set 'version: 3', add 'document_outline', and group the Q&A pairs under \
                     'context' entries)"
                ),
            );
        }
        Schema::Knowledge => c.knowledge(root),
        Schema::Skill => c.skill(root, version),
    }
}

struct Checker<'a> {
    file: &'a str,
    out: &'a mut Vec<Problem>,
}

/// A key of an object schema: its name, whether it is required.
type Keys<'k> = &'k [(&'k str, bool)];

impl Checker<'_> {
    fn report(&mut self, node: &Node, path: &str, message: impl Into<String>) {
        self.out.push(Problem::error(
            self.file,
            (node.line, node.column),
            path,
            "schema",
            message,
        ));
    }

    fn skill(&mut self, root: &Node, version: i64) {
        let Some(entries) = self.object(root, ".", SKILL_KEYS, false) else {
            return;
        };
        self.version(root, version);
        if let Some(n) = field(entries, "created_by") {
            self.string(n, ".created_by", 1);
        }
        if let Some(n) = field(entries, "task_description") {
            self.string(n, ".task_description", usize::from(version >= 2));
        }
        if let Some(n) = field(entries, "seed_examples") {
            let min = if version >= 2 { 5 } else { 1 };
            if let Some(items) = self.array(n, ".seed_examples", min, version >= 2, "seed example")
            {
                for (i, item) in items.iter().enumerate() {
                    let path = format!(".seed_examples[{i}]");
                    let Some(e) = self.object(item, &path, SKILL_EXAMPLE_KEYS, false) else {
                        continue;
                    };
                    for key in ["context", "question", "answer"] {
                        if let Some(n) = field(e, key) {
                            self.string(n, &format!("{path}.{key}"), 1);
                        }
                    }
                }
            }
        }
    }

    fn knowledge(&mut self, root: &Node) {
        let Some(entries) = self.object(root, ".", KNOWLEDGE_KEYS, false) else {
            return;
        };
        self.version(root, 3);
        for key in ["created_by", "domain", "document_outline"] {
            if let Some(n) = field(entries, key) {
                self.string(n, &format!(".{key}"), 1);
            }
        }
        if let Some(n) = field(entries, "seed_examples") {
            if let Some(items) = self.array(n, ".seed_examples", 5, true, "seed example") {
                for (i, item) in items.iter().enumerate() {
                    let path = format!(".seed_examples[{i}]");
                    let Some(e) = self.object(item, &path, KNOWLEDGE_EXAMPLE_KEYS, false) else {
                        continue;
                    };
                    if let Some(n) = field(e, "context") {
                        self.string(n, &format!("{path}.context"), 1);
                    }
                    if let Some(n) = field(e, "questions_and_answers") {
                        let qpath = format!("{path}.questions_and_answers");
                        if let Some(qas) = self.array(n, &qpath, 3, true, "Q&A pair") {
                            for (j, qa) in qas.iter().enumerate() {
                                let p = format!("{qpath}[{j}]");
                                // Extra keys are allowed in Q&A items, as in the published schema.
                                let Some(q) = self.object(qa, &p, QA_KEYS, true) else {
                                    continue;
                                };
                                for key in ["question", "answer"] {
                                    if let Some(n) = field(q, key) {
                                        self.string(n, &format!("{p}.{key}"), 1);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if let Some(n) = field(entries, "document") {
            if let Some(d) = self.object(n, ".document", DOCUMENT_KEYS, false) {
                for key in ["repo", "commit"] {
                    if let Some(n) = field(d, key) {
                        self.string(n, &format!(".document.{key}"), 1);
                    }
                }
                if let Some(n) = field(d, "patterns") {
                    if let Some(items) = self.array(n, ".document.patterns", 1, true, "pattern") {
                        for (i, item) in items.iter().enumerate() {
                            self.string(item, &format!(".document.patterns[{i}]"), 1);
                        }
                    }
                }
            }
        }
    }

    /// `version` must equal the schema version it selected (v1: optional).
    fn version(&mut self, root: &Node, version: i64) {
        let Some(node) = root.get("version") else {
            return; // a missing required `version` is reported with the other required keys
        };
        let ok = match &node.value {
            Value::Int(i) => *i == version,
            #[allow(clippy::cast_precision_loss, clippy::float_cmp)] // exact: 3.0 is 3
            Value::Float(f) => *f == version as f64,
            _ => false,
        };
        if !ok {
            self.report(
                node,
                ".version",
                format!(
                    "'version' must be the integer {version}, found {}",
                    describe(&node.value)
                ),
            );
        }
    }

    /// Checks a mapping's type, required keys and unknown keys; returns its entries.
    fn object<'n>(
        &mut self,
        node: &'n Node,
        path: &str,
        keys: Keys<'_>,
        allow_unknown: bool,
    ) -> Option<&'n [(Node, Node)]> {
        let Value::Map(entries) = &node.value else {
            self.report(
                node,
                path,
                format!(
                    "expected a mapping of keys to values, found {}",
                    describe(&node.value)
                ),
            );
            return None;
        };
        for (name, required) in keys {
            if *required && field(entries, name).is_none() {
                self.report(node, path, format!("missing required key '{name}'"));
            }
        }
        if !allow_unknown {
            for (key, _) in entries {
                let known = matches!(&key.value, Value::Str(s) if keys.iter().any(|(k, _)| k == s));
                if !known {
                    let name = key_text(&key.value);
                    let allowed: Vec<&str> = keys.iter().map(|(k, _)| *k).collect();
                    self.report(
                        key,
                        &join(path, &name),
                        format!(
                            "unknown key '{name}' (allowed here: {})",
                            allowed.join(", ")
                        ),
                    );
                }
            }
        }
        Some(entries)
    }

    fn string(&mut self, node: &Node, path: &str, min_len: usize) {
        match &node.value {
            Value::Str(s) if s.chars().count() < min_len => {
                self.report(node, path, "must not be empty");
            }
            Value::Str(_) => {}
            other => {
                let hint = match other {
                    Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::BigInt(_) => {
                        " (quote it to make it text)"
                    }
                    _ => "",
                };
                self.report(
                    node,
                    path,
                    format!("expected text, found {}{hint}", describe(other)),
                );
            }
        }
    }

    fn array<'n>(
        &mut self,
        node: &'n Node,
        path: &str,
        min_items: usize,
        unique: bool,
        noun: &str,
    ) -> Option<&'n [Node]> {
        let Value::Seq(items) = &node.value else {
            self.report(
                node,
                path,
                format!(
                    "expected a list of {noun}s, found {}",
                    describe(&node.value)
                ),
            );
            return None;
        };
        if items.len() < min_items {
            let plural = if min_items == 1 { "" } else { "s" };
            self.report(
                node,
                path,
                format!(
                    "needs at least {min_items} {noun}{plural}, found {}",
                    items.len()
                ),
            );
        }
        if unique {
            for (i, item) in items.iter().enumerate() {
                if let Some(first) = items[..i].iter().position(|e| same(&e.value, &item.value)) {
                    self.report(
                        item,
                        &format!("{path}[{i}]"),
                        format!("duplicate of {noun} {first} ({path}[{first}]); each {noun} must be unique"),
                    );
                }
            }
        }
        Some(items)
    }
}

// `version` is never missing when it selected version 2 or 3, so "optional" here is exact.
const SKILL_KEYS: Keys<'static> = &[
    ("version", false),
    ("created_by", true),
    ("task_description", true),
    ("seed_examples", true),
];
const SKILL_EXAMPLE_KEYS: Keys<'static> =
    &[("context", false), ("question", true), ("answer", true)];
const KNOWLEDGE_KEYS: Keys<'static> = &[
    ("version", true),
    ("created_by", true),
    ("domain", true),
    ("seed_examples", true),
    ("document_outline", true),
    ("document", true),
];
const KNOWLEDGE_EXAMPLE_KEYS: Keys<'static> = &[("context", true), ("questions_and_answers", true)];
const QA_KEYS: Keys<'static> = &[("question", true), ("answer", true)];
const DOCUMENT_KEYS: Keys<'static> = &[("repo", true), ("commit", true), ("patterns", true)];

fn field<'n>(entries: &'n [(Node, Node)], name: &str) -> Option<&'n Node> {
    entries
        .iter()
        .find(|(k, _)| matches!(&k.value, Value::Str(s) if s == name))
        .map(|(_, v)| v)
}

fn join(path: &str, key: &str) -> String {
    if path == "." {
        format!(".{key}")
    } else {
        format!("{path}.{key}")
    }
}

fn key_text(value: &Value) -> String {
    match value {
        Value::Str(s) | Value::BigInt(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_owned(),
        Value::Seq(_) | Value::Map(_) => "(collection)".to_owned(),
    }
}

/// A value's kind in words, with a short excerpt, for "expected X, found Y" messages.
pub fn describe(value: &Value) -> String {
    match value {
        Value::Null => "nothing (the value is empty)".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Int(i) => format!("the number {i}"),
        Value::BigInt(s) => format!("the number {s}"),
        Value::Float(f) => format!("the number {f}"),
        Value::Str(s) => {
            let short: String = s.chars().take(40).collect();
            let more = if short.len() < s.len() { "..." } else { "" };
            format!("the text '{short}{more}'")
        }
        Value::Seq(items) => format!("a list of {} items", items.len()),
        Value::Map(_) => "a mapping".to_owned(),
    }
}

/// JSON equality as the schema's `uniqueItems` sees it: `1 == 1.0`, `true != 1`, mapping order
/// does not matter.
pub fn same(a: &Value, b: &Value) -> bool {
    #[allow(clippy::cast_precision_loss, clippy::float_cmp)] // JSON numbers compare exactly
    match (a, b) {
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => *x as f64 == *y,
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(&p.value, &q.value))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.iter()
                        .any(|(k2, v2)| same(&k.value, &k2.value) && same(&v.value, &v2.value))
                })
        }
        _ => a == b,
    }
}
