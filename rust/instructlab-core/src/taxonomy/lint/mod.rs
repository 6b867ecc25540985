//! yamllint's rules, natively: the lint InstructLab applies to `qna.yaml` files of version 2 and
//! up (its `relaxed` preset, line length off, every warning an error).

mod comments;
pub mod config;
pub mod directives;
mod indentation;
mod keys;
mod rules;
mod tokens;

pub use config::{IndentSequences, Inside, LintConfig};

/// One lint finding: 1-based line and column, the rule's yamllint name, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Found {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The rule (`trailing-spaces`, `indentation`, ...).
    pub rule: String,
    /// What is wrong.
    pub message: String,
    /// The line of the token, comment or line yamllint finds it on (usually `line`; for the
    /// lines of a multi-line scalar, the scalar's first): directive comments apply by it.
    pub found_on: usize,
}

impl Found {
    fn new(line: usize, column: usize, rule: &str, message: impl Into<String>) -> Self {
        Self {
            line,
            column: column.max(1),
            rule: rule.to_owned(),
            message: message.into(),
            found_on: line,
        }
    }

    /// The same finding, found while yamllint reads the given line.
    fn found_on(mut self, line: usize) -> Self {
        self.found_on = line;
        self
    }
}

/// Lints one file's text, honouring yamllint's directive comments.
pub fn lint(text: &str, config: &LintConfig) -> Vec<Found> {
    let mut out = Vec::new();
    rules::line_rules(text, config, &mut out);
    let needs_tokens = config.anchors.is_some()
        || config.braces.is_some()
        || config.brackets.is_some()
        || config.colons.is_some()
        || config.commas.is_some()
        || config.hyphens.is_some()
        || config.indentation.is_some()
        || config.key_duplicates
        || config.truthy.is_some()
        || config.document_start.is_some()
        || config.comments.is_some()
        || config.comments_indentation;
    if needs_tokens {
        let src = tokens::Source::new(text);
        let toks = tokens::scan(&src);
        rules::spacing_rules(&src, &toks, config, &mut out);
        rules::token_rules(&toks, config, &mut out);
        if let Some(options) = config.comments {
            comments::comments(&src, &toks, options, &mut out);
        }
        if config.comments_indentation {
            comments::comments_indentation(&src, &toks, &mut out);
        }
        if let Some((spaces, sequences)) = config.indentation {
            let multi_line = config.check_multi_line_strings;
            indentation::check(&src, &toks, (spaces, sequences, multi_line), &mut out);
        }
        if config.key_duplicates {
            keys::key_duplicates(&toks, config.forbid_duplicated_merge_keys, &mut out);
        }
    }
    out.sort();
    out.dedup();
    apply_directives(text, config, out)
}

/// Drops the findings that the file's `# yamllint ...` comments turn off (see [`directives`]).
pub fn apply_directives(text: &str, config: &LintConfig, found: Vec<Found>) -> Vec<Found> {
    match directives::find(text) {
        None => found,
        Some(d) => directives::filter(&d, &config.enabled_rules(), found, |f| {
            (f.found_on, f.rule.as_str())
        }),
    }
}

#[cfg(test)]
mod tests;
