//! The taxonomy guidelines' size limits (optional): a knowledge context of at most 500 words,
//! a Q&A pair of at most 250, a skill's seed examples of at most about 2,300 words together.

use crate::yaml::{Node, Value};

use super::problem::Problem;
use super::schema::Schema;

const CONTEXT_WORDS: usize = 500;
const QA_WORDS: usize = 250;
const SKILL_WORDS: usize = 2300;

fn words(node: Option<&Node>) -> usize {
    match node.map(|n| &n.value) {
        Some(Value::Str(s)) => s.split_whitespace().count(),
        _ => 0,
    }
}

fn items(node: Option<&Node>) -> &[Node] {
    match node.map(|n| &n.value) {
        Some(Value::Seq(v)) => v,
        _ => &[],
    }
}

/// Appends a problem for each limit exceeded.
pub fn word_counts(root: &Node, schema: Schema, file: &str, out: &mut Vec<Problem>) {
    let examples = items(root.get("seed_examples"));
    let mut report = |node: &Node, path: String, message: String| {
        out.push(Problem::error(
            file,
            (node.line, node.column),
            &path,
            "guideline",
            message,
        ));
    };
    match schema {
        Schema::Knowledge => {
            for (i, e) in examples.iter().enumerate() {
                let n = words(e.get("context"));
                if n > CONTEXT_WORDS {
                    if let Some(c) = e.get("context") {
                        report(c, format!(".seed_examples[{i}].context"), format!("the context has {n} words; the guidelines allow at most {CONTEXT_WORDS}"));
                    }
                }
                for (j, qa) in items(e.get("questions_and_answers")).iter().enumerate() {
                    let n = words(qa.get("question")) + words(qa.get("answer"));
                    if n > QA_WORDS {
                        report(qa, format!(".seed_examples[{i}].questions_and_answers[{j}]"), format!("this Q&A pair has {n} words; the guidelines allow at most {QA_WORDS}"));
                    }
                }
            }
        }
        Schema::Skill => {
            let total: usize = examples
                .iter()
                .map(|e| {
                    words(e.get("context")) + words(e.get("question")) + words(e.get("answer"))
                })
                .sum();
            if total > SKILL_WORDS {
                if let Some(n) = root.get("seed_examples") {
                    report(n, ".seed_examples".to_owned(), format!("the seed examples have {total} words together; the guidelines allow about {SKILL_WORDS}"));
                }
            }
        }
    }
}
