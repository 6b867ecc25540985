//! One case per schema and file rule: a leaf that breaks exactly that rule, and the exact
//! problem expected.

use std::fmt::Write as _;
use std::path::Path;

use super::{check_text, Options, Severity};

const SKILL: &str = "compositional_skills/writing/poems/qna.yaml";
const KNOWLEDGE: &str = "knowledge/science/bees/qna.yaml";

fn skill(version: u8, examples: usize) -> String {
    let mut s = format!(
        "version: {version}\ncreated_by: someone\ntask_description: Write poems.\nseed_examples:\n"
    );
    for i in 0..examples {
        let _ = write!(s, "  - question: Write poem {i}.\n    answer: Poem {i}.\n");
    }
    s
}

fn knowledge(contexts: usize, qas: usize) -> String {
    let mut s = String::from(
        "version: 3\ncreated_by: someone\ndomain: bees\ndocument_outline: About bees.\ndocument:\n  repo: https://example.invalid/docs.git\n  commit: abc123\n  patterns:\n    - bees.md\nseed_examples:\n",
    );
    for i in 0..contexts {
        let _ = write!(s, "  - context: Context {i}.\n    questions_and_answers:\n");
        for j in 0..qas {
            let _ = write!(
                s,
                "      - question: Q{i}.{j}?\n        answer: A{i}.{j}.\n"
            );
        }
    }
    s
}

/// Every problem of a text, as it prints.
fn problems(path: &str, text: &str) -> Vec<String> {
    check_text(Path::new("."), path, text, &Options::default())
        .problems
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn only(path: &str, text: &str, expected: &str) {
    assert_eq!(problems(path, text), vec![expected.to_owned()], "{text}");
}

#[test]
fn valid_leaves_have_no_problems() {
    for v in 1..=3 {
        assert!(problems(SKILL, &skill(v, 5)).is_empty());
    }
    assert!(problems(KNOWLEDGE, &knowledge(5, 3)).is_empty());
    let checked = check_text(
        Path::new("."),
        KNOWLEDGE,
        &knowledge(5, 3),
        &Options::default(),
    );
    assert_eq!(checked.kind.map(super::LeafKind::as_str), Some("knowledge"));
}

#[test]
fn skill_rules() {
    only(
        SKILL,
        &skill(3, 4),
        &format!("{SKILL}:5:3 [.seed_examples] needs at least 5 seed examples, found 4"),
    );
    // Version 1 needs only one example, and its task description may be empty.
    assert!(problems(SKILL, &skill(1, 1).replace("Write poems.", "''")).is_empty());
    only(
        SKILL,
        &skill(2, 5).replace("Write poems.", "''"),
        &format!("{SKILL}:3:19 [.task_description] must not be empty"),
    );
    only(
        SKILL,
        &skill(3, 5).replace("created_by: someone\n", ""),
        &format!("{SKILL}:1:1 [.] missing required key 'created_by'"),
    );
    only(
        SKILL,
        &skill(3, 5).replace(
            "created_by: someone\n",
            "created_by: someone\ndomain: poetry\n",
        ),
        &format!(
            "{SKILL}:3:1 [.domain] unknown key 'domain' (allowed here: version, created_by, \
             task_description, seed_examples)"
        ),
    );
    only(
        SKILL,
        &skill(3, 5).replace("answer: Poem 2.", "answer: 42"),
        &format!(
            "{SKILL}:10:13 [.seed_examples[2].answer] expected text, found the number 42 \
             (quote it to make it text)"
        ),
    );
    only(
        SKILL,
        &skill(3, 5)
            .replace("Write poem 3.", "Write poem 1.")
            .replace("Poem 3.", "Poem 1."),
        &format!(
            "{SKILL}:11:5 [.seed_examples[3]] duplicate of seed example 1 \
             (.seed_examples[1]); each seed example must be unique"
        ),
    );
    only(
        SKILL,
        &skill(3, 5).replace("answer: Poem 0.", "answer: Poem 0.\n    extra: x"),
        &format!(
            "{SKILL}:7:5 [.seed_examples[0].extra] unknown key 'extra' (allowed here: context, \
             question, answer)"
        ),
    );
}

#[test]
fn version_rules() {
    only(
        SKILL,
        &skill(3, 5).replace("version: 3", "version: 4"),
        &format!("{SKILL}:1:10 [.version] unsupported schema version 4 (supported: 1, 2, 3)"),
    );
    only(
        SKILL,
        &skill(3, 5).replace("version: 3", "version: '3'"),
        &format!("{SKILL}:1:10 [.version] 'version' must be the integer 3, found the text '3'"),
    );
    only(
        SKILL,
        &skill(3, 5).replace("version: 3", "version: 0"),
        &format!("{SKILL}:1:10 [.version] unsupported schema version 0 (supported: 1, 2, 3)"),
    );
    // 3.0 is the integer 3 for the schema, as for InstructLab.
    assert!(problems(SKILL, &skill(3, 5).replace("version: 3", "version: 3.0")).is_empty());
    only(
        KNOWLEDGE,
        &knowledge(5, 3).replace("version: 3", "version: 2"),
        &format!(
            "{KNOWLEDGE}:1:10 [.version] knowledge needs schema version 3; version 2 is no \
             longer supported (set 'version: 3', add 'document_outline', and group the Q&A \
             pairs under 'context' entries)"
        ),
    );
}

#[test]
fn knowledge_rules() {
    only(
        KNOWLEDGE,
        &knowledge(4, 3),
        &format!("{KNOWLEDGE}:11:3 [.seed_examples] needs at least 5 seed examples, found 4"),
    );
    let text = knowledge(5, 2);
    let found = problems(KNOWLEDGE, &text);
    assert_eq!(found.len(), 5, "{found:?}");
    assert_eq!(
        found[0],
        format!(
            "{KNOWLEDGE}:13:7 [.seed_examples[0].questions_and_answers] needs at least 3 Q&A \
             pairs, found 2"
        )
    );
    only(
        KNOWLEDGE,
        &knowledge(5, 3).replace("document_outline: About bees.\n", ""),
        &format!("{KNOWLEDGE}:1:1 [.] missing required key 'document_outline'"),
    );
    only(
        KNOWLEDGE,
        &knowledge(5, 3).replace("    - bees.md\n", "    - bees.md\n    - bees.md\n"),
        &format!(
            "{KNOWLEDGE}:10:7 [.document.patterns[1]] duplicate of pattern 0 \
             (.document.patterns[0]); each pattern must be unique"
        ),
    );
    only(
        KNOWLEDGE,
        &knowledge(5, 3).replace("  commit: abc123\n", ""),
        &format!("{KNOWLEDGE}:6:3 [.document] missing required key 'commit'"),
    );
    // Q&A items may carry extra keys, as the published schema allows.
    assert!(problems(
        KNOWLEDGE,
        &knowledge(5, 3).replace("answer: A0.0.", "answer: A0.0.\n        note: x")
    )
    .is_empty());
}

#[test]
fn file_rules() {
    let empty = check_text(Path::new("."), SKILL, "# nothing\n", &Options::default());
    assert_eq!(empty.problems[0].severity, Severity::Warning);
    assert_eq!(
        empty.problems[0].to_string(),
        format!("{SKILL}:1:1 warning: the file is empty; it is skipped")
    );
    assert!(empty.is_valid());
    only(
        SKILL,
        "- a\n- b\n",
        &format!(
            "{SKILL}:1:1 [.] the file must be a mapping of keys to values (version, \
             created_by, ...), found a list of 2 items"
        ),
    );
    let syntax = problems(SKILL, "version: 3\ncreated_by: [x\n");
    assert_eq!(syntax.len(), 1);
    assert!(
        syntax[0].starts_with(&format!("{SKILL}:3:1 not valid YAML: ")),
        "{syntax:?}"
    );
}

#[test]
fn lint_applies_from_version_2_and_duplicates_follow_pyyaml_for_version_1() {
    let v1 = skill(1, 1).replace("created_by: someone", "created_by:   someone");
    assert!(problems(SKILL, &v1).is_empty());
    let v1_dup = format!("{}created_by: other\n", skill(1, 1));
    assert!(problems(SKILL, &v1_dup).is_empty());
    only(
        SKILL,
        &skill(3, 5).replace("created_by: someone", "created_by:   someone"),
        &format!("{SKILL}:2:14 too many spaces after colon (colons)"),
    );
    only(
        SKILL,
        &format!("{}created_by: other\n", skill(3, 5)),
        &format!("{SKILL}:15:1 duplication of key \"created_by\" in mapping (key-duplicates)"),
    );
}

#[test]
fn every_problem_of_a_file_is_reported_in_order() {
    let text = skill(3, 3).replace("answer: Poem 0.", "answer: Poem 0.   ") + "\n\n\n\n";
    let found = problems(SKILL, &text);
    assert_eq!(
        found,
        vec![
            format!("{SKILL}:5:3 [.seed_examples] needs at least 5 seed examples, found 3"),
            format!("{SKILL}:6:20 trailing spaces (trailing-spaces)"),
            format!("{SKILL}:14:1 too many blank lines (4 > 0) (empty-lines)"),
        ]
    );
}

#[test]
fn optional_guideline_checks() {
    let long = "word ".repeat(501);
    let text = knowledge(5, 3).replace("Context 0.", long.trim_end());
    assert!(problems(KNOWLEDGE, &text).is_empty());
    let options = Options {
        word_counts: true,
        ..Options::default()
    };
    let checked = check_text(Path::new("."), KNOWLEDGE, &text, &options);
    assert_eq!(
        checked.problems[0].to_string(),
        format!(
            "{KNOWLEDGE}:11:14 [.seed_examples[0].context] the context has 501 words; the \
             guidelines allow at most 500"
        )
    );
}

proptest::proptest! {
    #[test]
    fn checking_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = check_text(Path::new("."), SKILL, &text, &Options::default());
    }

    #[test]
    fn checking_never_panics_on_yaml_like_text(src in "[a-z:\\-\\[\\]{}&*!|>'\" \n#,?0-9.\t]{0,300}") {
        let _ = check_text(Path::new("."), KNOWLEDGE, &format!("version: 3\n{src}"), &Options::default());
    }
}

#[test]
fn a_triggered_interrupt_stops_the_walk_and_the_check() {
    use super::{check_all, check_each, select};
    use crate::{Error, Interrupt};

    let dir = tempfile::tempdir().expect("tmp");
    let leaf = dir.path().join(SKILL);
    std::fs::create_dir_all(leaf.parent().expect("folder")).expect("mkdir");
    std::fs::write(&leaf, skill(3, 5)).expect("write");
    let calm = Interrupt::new();
    let (leaves, _) = select(dir.path(), "empty", false, &calm).expect("walk");
    assert_eq!(leaves, [SKILL]);
    let checked = check_all(dir.path(), &leaves, &Options::default(), &calm).expect("check");
    assert_eq!(checked.len(), 1);
    let seen = std::sync::Mutex::new(Vec::new());
    check_each(dir.path(), &leaves, &Options::default(), &calm, |i, c| {
        seen.lock().expect("lock").push((i, c.path));
    })
    .expect("check each");
    assert_eq!(seen.into_inner().expect("lock"), [(0, SKILL.to_owned())]);
    let stopped = Interrupt::new();
    stopped.trigger();
    assert_eq!(
        select(dir.path(), "empty", false, &stopped).map(|_| ()),
        Err(Error::Interrupted)
    );
    assert_eq!(
        check_all(dir.path(), &leaves, &Options::default(), &stopped).map(|_| ()),
        Err(Error::Interrupted)
    );
    let called = std::sync::atomic::AtomicBool::new(false);
    assert_eq!(
        check_each(
            dir.path(),
            &leaves,
            &Options::default(),
            &stopped,
            |_, _| {
                called.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        ),
        Err(Error::Interrupted)
    );
    assert!(!called.into_inner());
}

/// What PyYAML reads, InstructLab accepts: a comment right after a flow collection, and a quoted
/// question's continuation line left of its key. The values are PyYAML's.
#[test]
fn accepts_what_pyyaml_reads_and_still_refuses_what_it_does_not() {
    let mut text = String::from(
        "version: 3\ncreated_by: someone\ntask_description: Write poems.\nseed_examples:\n  - question: \"Write a poem\n  about rain.\"\n    answer: Poem 0.\n  - {question: Write poem 1., answer: Poem 1.}#flow\n",
    );
    for i in 2..5 {
        let _ = write!(
            text,
            "  - question: Write poem {i}.\n    answer: Poem {i}.\n"
        );
    }
    let checked = check_text(Path::new("."), SKILL, &text, &Options::default());
    assert!(checked.problems.is_empty(), "{:?}", checked.problems);
    let content = checked.content.expect("content");
    let Some(crate::yaml::Value::Seq(examples)) = content.get("seed_examples").map(|n| &n.value)
    else {
        panic!("seed_examples")
    };
    let question = |i: usize| examples[i].get("question").map(|n| n.value.clone());
    let str_value = |s: &str| Some(crate::yaml::Value::Str(s.to_owned()));
    assert_eq!(question(0), str_value("Write a poem about rain."));
    assert_eq!(question(1), str_value("Write poem 1."));

    // Still invalid for PyYAML too (an unclosed list; it says 15:1 as well).
    let broken = text.replace("    answer: Poem 4.\n", "    answer: [Poem 4.\n");
    assert_eq!(
        problems(SKILL, &broken),
        vec![format!(
            "{SKILL}:15:1 not valid YAML: while parsing a flow sequence, expected ',' or ']'"
        )]
    );
}
