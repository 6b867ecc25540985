//! One problem found in a taxonomy file, located as editors and CI annotations want it.

use std::fmt;

/// How bad a problem is. Errors make a taxonomy invalid; warnings are shown and let it pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The file is rejected.
    Error,
    /// The file is accepted, or skipped, with a note.
    Warning,
}

impl Severity {
    /// `"error"` or `"warning"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
        }
    }
}

/// One problem: where it is, which rule found it, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Problem {
    /// The file, relative to the taxonomy root, `/`-separated.
    pub file: String,
    /// 1-based line of the offending node.
    pub line: usize,
    /// 1-based column of the offending node.
    pub column: usize,
    /// Where in the document, as `.seed_examples[2].answer`; `.` is the whole document; empty
    /// when the problem is about the text rather than a value (lint, syntax).
    pub yaml_path: String,
    /// What is wrong, for a person.
    pub message: String,
    /// Error or warning.
    pub severity: Severity,
    /// The rule that found it: `syntax`, `schema`, `file`, `document`, `guideline`, or the lint
    /// rule's yamllint name (`trailing-spaces`, `indentation`, ...).
    pub rule: String,
}

impl Problem {
    /// An error at a place, found by `rule`.
    pub fn error(
        file: &str,
        (line, column): (usize, usize),
        yaml_path: &str,
        rule: &str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: file.to_owned(),
            line,
            column,
            yaml_path: yaml_path.to_owned(),
            message: message.into(),
            severity: Severity::Error,
            rule: rule.to_owned(),
        }
    }

    /// The same problem as a warning.
    #[must_use]
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{} ", self.file, self.line, self.column)?;
        if !self.yaml_path.is_empty() {
            write!(f, "[{}] ", self.yaml_path)?;
        }
        if self.severity == Severity::Warning {
            write!(f, "warning: ")?;
        }
        write!(f, "{}", self.message)
    }
}
