//! yamllint's rules, natively: the lint InstructLab applies to `qna.yaml` files of version 2 and
//! up (its `relaxed` preset, line length off, every warning an error).

mod comments;
pub mod config;
mod indentation;
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
}

impl Found {
    fn new(line: usize, column: usize, rule: &str, message: impl Into<String>) -> Self {
        Self {
            line,
            column: column.max(1),
            rule: rule.to_owned(),
            message: message.into(),
        }
    }
}

/// Lints one file's text. Duplicate keys are found by the YAML parser (see
/// [`crate::yaml::parse_lenient`]) and reported by the caller when `key_duplicates` is on.
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
            indentation::check(&src, &toks, spaces, sequences, &mut out);
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests;
