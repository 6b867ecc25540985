//! Binding of `instructlab_core::taxonomy`.

use std::path::PathBuf;

use instructlab_core::taxonomy::{self, Checked, LintConfig, Options, Problem};
use instructlab_core::yaml::Node;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::NativeError;
use crate::interrupt::{detach_interruptible, detach_streaming};
use crate::yaml::to_python;

/// A problem as a tuple: (file, line, column, yaml_path, message, severity, rule).
type ProblemTuple = (String, usize, usize, String, String, &'static str, String);

fn problem_tuple(p: Problem) -> ProblemTuple {
    (
        p.file,
        p.line,
        p.column,
        p.yaml_path,
        p.message,
        p.severity.as_str(),
        p.rule,
    )
}

/// The dict of one checked file; its problems are reported apart (`valid` says whether any of
/// them is an error).
fn checked_dict(py: Python<'_>, c: Checked, valid: bool) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("valid", valid)?;
    d.set_item("path", c.path)?;
    d.set_item("kind", c.kind.map(taxonomy::LeafKind::as_str))?;
    d.set_item("version", c.version)?;
    match c.content {
        Some(node) => d.set_item("content", LeafContent { node })?,
        None => d.set_item("content", py.None())?,
    }
    Ok(d)
}

/// A checked leaf's parsed content, turned into Python objects only when asked for: checking
/// a taxonomy rarely needs more than a knowledge leaf's `document`.
#[pyclass(module = "instructlab._native", frozen)]
pub struct LeafContent {
    node: Node,
}

#[pymethods]
impl LeafContent {
    /// The whole content as dicts, lists and scalars (a fresh copy on every call).
    fn value(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_python(py, &self.node, None)
    }

    /// The value of one top-level key, `None` when absent.
    fn get(&self, py: Python<'_>, key: &str) -> PyResult<Py<PyAny>> {
        match self.node.get(key) {
            Some(node) => to_python(py, node, None),
            None => Ok(py.None()),
        }
    }
}

/// What the checking thread hands to the converting (calling) thread.
enum Message {
    /// How many files will follow, and the problems found while selecting them.
    Selected(usize, Vec<Problem>),
    /// The file at this position of the selection, checked.
    Checked(usize, Box<Checked>),
}

/// Finds the leaves to check (all with `base="empty"`, else those changed since `base`), checks
/// them in parallel, and returns `(files, problems)`: one dict per checked file (path, kind,
/// version, valid, content) in path order, and every problem as a tuple, sorted.
///
/// The calling thread turns each checked file into Python objects as soon as it is ready, while
/// the other files are still being checked; Ctrl-C stops the check (`KeyboardInterrupt`).
#[pyfunction]
#[pyo3(signature = (
    root, base = "empty", *, include_foundational = false, yaml_rules = None,
    yaml_rules_file = "<yaml-rules>", word_counts = false, attribution = false, paths = None
))]
#[allow(clippy::too_many_arguments, clippy::needless_pass_by_value)] // keyword-only options
pub fn check_taxonomy<'py>(
    py: Python<'py>,
    root: PathBuf,
    base: &str,
    include_foundational: bool,
    yaml_rules: Option<String>,
    yaml_rules_file: &str,
    word_counts: bool,
    attribution: bool,
    paths: Option<Vec<String>>,
) -> PyResult<(Vec<Bound<'py, PyDict>>, Vec<ProblemTuple>)> {
    let lint = match yaml_rules {
        Some(text) => LintConfig::from_yamllint(&text, yaml_rules_file).map_err(NativeError)?,
        None => LintConfig::instructlab(),
    };
    let options = Options {
        lint,
        word_counts,
        attribution,
        include_foundational,
    };
    let mut slots: Vec<Option<Bound<'py, PyDict>>> = Vec::new();
    let mut problems = Vec::new();
    detach_streaming(
        py,
        |interrupt, outbox| {
            let (leaves, found) = match paths {
                Some(given) => (given, Vec::new()),
                None => taxonomy::select(&root, base, include_foundational, interrupt)?,
            };
            outbox.send(Message::Selected(leaves.len(), found));
            taxonomy::check_each(&root, &leaves, &options, interrupt, |i, checked| {
                outbox.send(Message::Checked(i, Box::new(checked)));
            })
        },
        // Each checked file becomes Python objects as soon as it arrives, in selection order.
        |message| {
            match message {
                Message::Selected(n, found) => {
                    slots.resize_with(n, || None);
                    problems.extend(found);
                }
                Message::Checked(i, checked) => {
                    let mut checked = *checked;
                    let valid = checked.is_valid();
                    problems.append(&mut checked.problems);
                    if let Some(slot) = slots.get_mut(i) {
                        *slot = Some(checked_dict(py, checked, valid)?);
                    }
                }
            }
            Ok(())
        },
    )?;
    problems.sort();
    Ok((
        slots.into_iter().flatten().collect(),
        problems.into_iter().map(problem_tuple).collect(),
    ))
}

/// The files changed since the fork point of HEAD with `base` (committed, staged, unstaged,
/// untracked; not deleted), relative to the repository root, sorted.
#[pyfunction]
#[allow(clippy::needless_pass_by_value)] // pyo3 hands arguments over owned
pub fn changed_files(py: Python<'_>, root: PathBuf, base: &str) -> PyResult<Vec<String>> {
    detach_interruptible(py, |_| taxonomy::git::changed_files(&root, base))
}

/// Every `qna.yaml` in the tree of `rev` (a branch, tag or commit) as `(path, text)` pairs,
/// sorted: the taxonomy as it was at that revision, read from git without a checkout.
#[pyfunction]
#[allow(clippy::needless_pass_by_value)] // pyo3 hands arguments over owned
pub fn qna_files_at(py: Python<'_>, root: PathBuf, rev: &str) -> PyResult<Vec<(String, String)>> {
    detach_interruptible(py, |_| {
        taxonomy::revision::files_named_at(&root, rev, "qna.yaml")
    })
}

/// Lints YAML text with yamllint's rules (`yaml_rules`: a yamllint config; default:
/// InstructLab's). Returns `(line, column, rule, message)` tuples, sorted.
#[pyfunction]
#[pyo3(signature = (text, yaml_rules = None))]
pub fn lint_yaml(
    py: Python<'_>,
    text: &str,
    yaml_rules: Option<String>,
) -> PyResult<Vec<(usize, usize, String, String)>> {
    detach_interruptible(py, |_| {
        let config = match yaml_rules {
            Some(rules) => LintConfig::from_yamllint(&rules, "<yaml-rules>")?,
            None => LintConfig::instructlab(),
        };
        Ok(taxonomy::lint::lint(text, &config)
            .into_iter()
            .map(|f| (f.line, f.column, f.rule, f.message))
            .collect())
    })
}
