//! Binding of `instructlab_core::taxonomy`.

use std::path::PathBuf;

use instructlab_core::taxonomy::{self, Checked, LintConfig, Options, Problem};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::NativeError;
use crate::interrupt::detach_interruptible;
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

fn checked_dict<'py>(py: Python<'py>, c: &Checked) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("path", &c.path)?;
    d.set_item("kind", c.kind.map(taxonomy::LeafKind::as_str))?;
    d.set_item("version", c.version)?;
    d.set_item("valid", c.is_valid())?;
    let content = match &c.content {
        Some(node) => to_python(py, node, None)?,
        None => py.None(),
    };
    d.set_item("content", content)?;
    Ok(d)
}

/// Finds the leaves to check (all with `base="empty"`, else those changed since `base`), checks
/// them in parallel, and returns `(files, problems)`: one dict per checked file (path, kind,
/// version, valid, content) in path order, and every problem as a tuple, sorted.
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
    let base = base.to_owned();
    let rules_file = yaml_rules_file.to_owned();
    let (checked, problems) = detach_interruptible(py, move |stop| {
        let lint = match yaml_rules {
            Some(text) => LintConfig::from_yamllint(&text, &rules_file)?,
            None => LintConfig::instructlab(),
        };
        let options = Options {
            lint,
            word_counts,
            attribution,
            include_foundational,
        };
        let (leaves, mut problems) = match paths {
            Some(given) => (given, Vec::new()),
            None => taxonomy::select(&root, &base, include_foundational, stop)?,
        };
        let checked = taxonomy::check_all(&root, &leaves, &options, stop)?;
        for c in &checked {
            problems.extend(c.problems.iter().cloned());
        }
        problems.sort();
        Ok((checked, problems))
    })?;
    let files = checked
        .iter()
        .map(|c| checked_dict(py, c))
        .collect::<PyResult<Vec<_>>>()?;
    Ok((files, problems.into_iter().map(problem_tuple).collect()))
}

/// The files changed since the fork point of HEAD with `base` (committed, staged, unstaged,
/// untracked; not deleted), relative to the repository root, sorted.
#[pyfunction]
pub fn changed_files(py: Python<'_>, root: PathBuf, base: &str) -> PyResult<Vec<String>> {
    let base = base.to_owned();
    Ok(py.detach(move || taxonomy::git::changed_files(&root, &base).map_err(NativeError))?)
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
    let text = text.to_owned();
    Ok(py.detach(move || -> Result<_, NativeError> {
        let config = match yaml_rules {
            Some(rules) => LintConfig::from_yamllint(&rules, "<yaml-rules>")?,
            None => LintConfig::instructlab(),
        };
        Ok(taxonomy::lint::lint(&text, &config)
            .into_iter()
            .map(|f| (f.line, f.column, f.rule, f.message))
            .collect())
    })?)
}
