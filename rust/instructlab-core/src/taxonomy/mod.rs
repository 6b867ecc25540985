//! The taxonomy engine: find the `qna.yaml` leaves of a tree (all, or those changed since a git
//! base), parse each with positions, check it against the schema and the lint rules, and report
//! every problem of every file, located and in a stable order.

pub mod git;
pub mod lint;
pub mod problem;
pub mod revision;
pub mod schema;
pub mod walk;

use std::path::Path;

use rayon::prelude::*;

use crate::yaml::{self, Node, Value};
use crate::{Error, Interrupt, Result};

pub use lint::LintConfig;
pub use problem::{Problem, Severity};
pub use schema::Schema;

/// What a leaf teaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeafKind {
    /// `knowledge/`: facts from documents.
    Knowledge,
    /// `compositional_skills/` without a `context` in its seed examples.
    FreeformSkill,
    /// `compositional_skills/` whose seed examples carry a `context`.
    GroundedSkill,
    /// `foundational_skills/`.
    FoundationalSkill,
}

impl LeafKind {
    /// The name used in Python and JSON output (`knowledge`, `freeform_skill`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Knowledge => "knowledge",
            Self::FreeformSkill => "freeform_skill",
            Self::GroundedSkill => "grounded_skill",
            Self::FoundationalSkill => "foundational_skill",
        }
    }
}

/// What to check beyond the schema.
#[derive(Debug, Clone)]
pub struct Options {
    /// The lint rules for files of version 2 and up.
    pub lint: LintConfig,
    /// The taxonomy guidelines' word counts (off by default).
    pub word_counts: bool,
    /// The community rule that an `attribution.txt` stands beside each v2+ leaf (off by default).
    pub attribution: bool,
    /// Whether `foundational_skills/` is part of the taxonomy checked.
    pub include_foundational: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            lint: LintConfig::instructlab(),
            word_counts: false,
            attribution: false,
            include_foundational: false,
        }
    }
}

/// One checked file.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The path relative to the taxonomy root, `/`-separated.
    pub path: String,
    /// The leaf's kind (`None` for files that are not leaves: empty, unreadable, misnamed).
    pub kind: Option<LeafKind>,
    /// The schema version it was checked against (0 when unknown).
    pub version: i64,
    /// The parsed document, when it parsed.
    pub content: Option<Node>,
    /// Its problems, sorted.
    pub problems: Vec<Problem>,
}

impl Checked {
    /// Whether it has no errors (warnings allowed).
    pub fn is_valid(&self) -> bool {
        self.problems.iter().all(|p| p.severity != Severity::Error)
    }
}

/// The leaves to check: every leaf (`base` = `empty`), or those changed since `base`.
/// Also returns problems of files that look like leaves but are not. The walk of the tree
/// stops with [`Error::Interrupted`] once `interrupt` is triggered.
pub fn select(
    root: &Path,
    base: &str,
    include_foundational: bool,
    interrupt: &Interrupt,
) -> Result<(Vec<String>, Vec<Problem>)> {
    if base == "empty" {
        return walk::walk(root, include_foundational, interrupt);
    }
    let mut folders = walk::LEAF_FOLDERS.to_vec();
    if include_foundational {
        folders.push(walk::FOUNDATIONAL);
    }
    // The walk finds the files that matter in the work tree (git needs them only to tell the
    // untracked ones) while git compares the tracked ones with the fork point.
    let matters = |path: &str| walk::classify(path, include_foundational) != walk::Role::Other;
    let (walked, tracked) = rayon::join(
        || walk::walk(root, include_foundational, interrupt),
        || git::tracked_changes(root, base, &folders, &matters),
    );
    let (found, refused) = walked?;
    let mut files = found;
    files.extend(refused.iter().map(|p| p.file.clone()));
    let changed = git::untracked_added(root, tracked?, &folders, &matters, &files)?;
    let mut leaves = Vec::new();
    let mut problems = Vec::new();
    for path in changed {
        match walk::classify(&path, include_foundational) {
            walk::Role::Leaf => leaves.push(path),
            walk::Role::Refused(p) => problems.push(p),
            walk::Role::Other => {}
        }
    }
    Ok((leaves, problems))
}

/// Checks the given leaves in parallel; the result is in the order given. `interrupt` is
/// polled before each file: once triggered, the check stops with [`Error::Interrupted`].
pub fn check_all(
    root: &Path,
    paths: &[String],
    options: &Options,
    interrupt: &Interrupt,
) -> Result<Vec<Checked>> {
    paths
        .par_iter()
        .map(|p| {
            interrupt.check()?;
            Ok(check_file(root, p, options))
        })
        .collect()
}

/// Checks the given leaves in parallel and hands each result to `each` with its position in
/// `paths`, as soon as it is ready (from any thread, in no particular order). `interrupt` is
/// polled before each file: once triggered, the check stops with [`Error::Interrupted`].
pub fn check_each<F>(
    root: &Path,
    paths: &[String],
    options: &Options,
    interrupt: &Interrupt,
    each: F,
) -> Result<()>
where
    F: Fn(usize, Checked) + Sync,
{
    paths.par_iter().enumerate().try_for_each(|(i, p)| {
        interrupt.check()?;
        each(i, check_file(root, p, options));
        Ok(())
    })
}

/// Reads and checks one leaf.
pub fn check_file(root: &Path, path: &str, options: &Options) -> Checked {
    match std::fs::read(root.join(path)) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => check_text(root, path, &text, options),
            Err(e) => {
                let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                let line = valid.split(|&b| b == b'\n').count();
                failed(
                    path,
                    Problem::error(
                        path,
                        (line, 1),
                        "",
                        "file",
                        "the file is not valid UTF-8 text",
                    ),
                )
            }
        },
        Err(e) => failed(
            path,
            Problem::error(path, (1, 1), "", "file", format!("cannot be read: {e}")),
        ),
    }
}

fn failed(path: &str, problem: Problem) -> Checked {
    Checked {
        path: path.to_owned(),
        kind: None,
        version: 0,
        content: None,
        problems: vec![problem],
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Int(i) => *i == 0,
        Value::Float(f) => *f == 0.0,
        Value::Str(s) => s.is_empty(),
        Value::Seq(v) => v.is_empty(),
        Value::Map(m) => m.is_empty(),
        Value::BigInt(_) => false,
    }
}

/// Checks one leaf's text (`root` is only used for the optional attribution check).
#[allow(clippy::too_many_lines)] // the checks in the order InstructLab runs them
pub fn check_text(root: &Path, path: &str, text: &str, options: &Options) -> Checked {
    let mut problems = Vec::new();
    // Repeated keys are the lint's `key-duplicates` (read from the tokens, as yamllint does).
    let (node, _duplicates) = match yaml::parse_lenient(text, path) {
        Ok(parsed) => parsed,
        Err(Error::Yaml { location, message }) => {
            return failed(
                path,
                Problem::error(
                    path,
                    (location.line, location.column),
                    "",
                    "syntax",
                    format!("not valid YAML: {message}"),
                ),
            );
        }
        Err(other) => {
            return failed(
                path,
                Problem::error(path, (1, 1), "", "file", other.to_string()),
            );
        }
    };
    if is_empty(&node.value) {
        return failed(
            path,
            Problem::error(path, (1, 1), "", "file", "the file is empty; it is skipped").warning(),
        );
    }
    if !matches!(node.value, Value::Map(_)) {
        return failed(
            path,
            Problem::error(
                path,
                (node.line, node.column),
                ".",
                "schema",
                format!(
                    "the file must be a mapping of keys to values (version, created_by, ...), \
                     found {}",
                    schema::describe(&node.value)
                ),
            ),
        );
    }
    let top = path.split('/').next().unwrap_or("");
    let which = match top {
        "knowledge" => Schema::Knowledge,
        "compositional_skills" => Schema::Skill,
        _ if node.get("document").is_some() => Schema::Knowledge,
        _ => Schema::Skill,
    };
    // `None`: the version is unusable (reported), so no schema can be chosen.
    let version = match schema::declared_version(&node) {
        Ok(v) => Some(v),
        Err(message) => {
            let at = node.get("version").unwrap_or(&node);
            problems.push(Problem::error(
                path,
                (at.line, at.column),
                ".version",
                "schema",
                message,
            ));
            None
        }
    };
    if version.is_some_and(|v| v > 1) {
        let found = lint::lint(text, &options.lint);
        for f in found {
            problems.push(Problem::error(
                path,
                (f.line, f.column),
                "",
                &f.rule,
                format!("{} ({})", f.message, f.rule),
            ));
        }
    }
    if let Some(v) = version {
        schema::check(&node, which, v, path, &mut problems);
    }
    if options.word_counts {
        guidelines::word_counts(&node, which, path, &mut problems);
    }
    if options.attribution && version.is_some_and(|v| v >= 2) {
        let folder = path.rsplit_once('/').map_or("", |(d, _)| d);
        if !root.join(folder).join("attribution.txt").is_file() {
            problems.push(Problem::error(
                path,
                (1, 1),
                "",
                "attribution",
                "no attribution.txt beside this qna.yaml (the community taxonomy requires one \
                 naming the sources and their licenses)",
            ));
        }
    }
    problems.sort();
    let kind = match top {
        "knowledge" => LeafKind::Knowledge,
        walk::FOUNDATIONAL => LeafKind::FoundationalSkill,
        _ if has_context(&node) => LeafKind::GroundedSkill,
        _ => LeafKind::FreeformSkill,
    };
    Checked {
        path: path.to_owned(),
        kind: Some(kind),
        version: version.unwrap_or(0),
        content: Some(node),
        problems,
    }
}

fn has_context(node: &Node) -> bool {
    match node.get("seed_examples").map(|n| &n.value) {
        Some(Value::Seq(items)) => items.iter().any(|i| i.get("context").is_some()),
        _ => false,
    }
}

mod guidelines;

#[cfg(test)]
mod tests;
