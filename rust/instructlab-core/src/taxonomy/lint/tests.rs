//! One case per rule: a text that breaks exactly that rule, and the exact finding expected
//! (positions and wording as yamllint reports them).

use super::{lint, LintConfig};

fn found(text: &str, config: &LintConfig) -> Vec<(usize, usize, String, String)> {
    lint(text, config)
        .into_iter()
        .map(|f| (f.line, f.column, f.rule, f.message))
        .collect()
}

fn one(text: &str, config: &LintConfig, line: usize, col: usize, rule: &str, message: &str) {
    assert_eq!(
        found(text, config),
        vec![(line, col, rule.to_owned(), message.to_owned())],
        "{text:?}"
    );
}

fn relaxed() -> LintConfig {
    LintConfig::instructlab()
}

fn default_preset() -> LintConfig {
    LintConfig::from_yamllint(
        "extends: default\nrules:\n  comments: disable\n  comments-indentation: disable\n",
        "rules.yaml",
    )
    .expect("valid config")
}

#[test]
fn line_rules() {
    let c = relaxed();
    one("a: 1   \n", &c, 1, 5, "trailing-spaces", "trailing spaces");
    one(
        "a: 1",
        &c,
        1,
        5,
        "new-line-at-end-of-file",
        "no new line character at the end of file",
    );
    one(
        "a: 1\r\nb: 2\r\n",
        &c,
        1,
        5,
        "new-lines",
        "wrong new line character: expected \\n",
    );
    one(
        "a: 1\n\n\n\nb: 2\n",
        &c,
        4,
        1,
        "empty-lines",
        "too many blank lines (3 > 2)",
    );
    one(
        "\na: 1\n",
        &c,
        1,
        1,
        "empty-lines",
        "too many blank lines (1 > 0)",
    );
    one(
        "a: 1\n\n",
        &c,
        2,
        1,
        "empty-lines",
        "too many blank lines (1 > 0)",
    );
}

#[test]
fn spacing_rules() {
    let c = relaxed();
    one(
        "a  : 1\n",
        &c,
        1,
        3,
        "colons",
        "too many spaces before colon",
    );
    one(
        "a:   1\n",
        &c,
        1,
        5,
        "colons",
        "too many spaces after colon",
    );
    one(
        "a:\n  -   x\n",
        &c,
        2,
        6,
        "hyphens",
        "too many spaces after hyphen",
    );
    one(
        "a: [1,   2]\n",
        &c,
        1,
        9,
        "commas",
        "too many spaces after comma",
    );
    assert_eq!(
        found("a: [1 , 2,3]\n", &c),
        vec![
            (
                1,
                6,
                "commas".to_owned(),
                "too many spaces before comma".to_owned()
            ),
            (
                1,
                11,
                "commas".to_owned(),
                "too few spaces after comma".to_owned()
            ),
        ]
    );
    assert_eq!(
        found("a: {  b: 1  }\n", &c),
        vec![
            (
                1,
                6,
                "braces".to_owned(),
                "too many spaces inside braces".to_owned()
            ),
            (
                1,
                12,
                "braces".to_owned(),
                "too many spaces inside braces".to_owned()
            ),
        ]
    );
    assert_eq!(
        found("a: [  1  ]\n", &c),
        vec![
            (
                1,
                6,
                "brackets".to_owned(),
                "too many spaces inside brackets".to_owned()
            ),
            (
                1,
                9,
                "brackets".to_owned(),
                "too many spaces inside brackets".to_owned()
            ),
        ]
    );
    // The relaxed preset allows one space inside; the default preset none.
    assert!(found("a: { b: 1 }\n", &c).is_empty());
    one(
        "---\na: {b: 1 }\n",
        &default_preset(),
        2,
        9,
        "braces",
        "too many spaces inside braces",
    );
}

#[test]
fn anchors() {
    one(
        "a: *x\n",
        &relaxed(),
        1,
        4,
        "anchors",
        "found undeclared alias \"x\"",
    );
    assert!(found("a: &x 1\nb: *x\n", &relaxed()).is_empty());
}

#[test]
fn indentation() {
    let c = relaxed();
    one(
        "a:\n   b: 1\n   c:\n     - x\n",
        &c,
        4,
        6,
        "indentation",
        "wrong indentation: expected 6 but found 5",
    );
    // `consistent`: whichever way the first nested sequence goes, the others must follow.
    one(
        "a:\n  - x\nb:\n- y\n",
        &c,
        4,
        1,
        "indentation",
        "wrong indentation: expected 2 but found 0",
    );
    one(
        "a:\n- x\nb:\n  - y\n",
        &c,
        4,
        3,
        "indentation",
        "wrong indentation: expected 0 but found 2",
    );
    one(
        "---\na:\n- x\n",
        &default_preset(),
        3,
        1,
        "indentation",
        "wrong indentation: expected at least 1",
    );
    // Block scalar content is not checked, and its indicator is where the value starts.
    assert!(found("a: |\n     x\n       y\nb: 1\n", &c).is_empty());
    one(
        "a:  |\n  x\n",
        &c,
        1,
        4,
        "colons",
        "too many spaces after colon",
    );
}

#[test]
fn default_preset_rules() {
    let c = default_preset();
    assert_eq!(
        found("a: yes\n", &c),
        vec![
            (
                1,
                1,
                "document-start".to_owned(),
                "missing document start \"---\"".to_owned()
            ),
            (
                1,
                4,
                "truthy".to_owned(),
                "truthy value should be one of [false, true]".to_owned()
            ),
        ]
    );
    one(
        &format!("---\na: {}\n", "word ".repeat(20).trim_end()),
        &c,
        2,
        81,
        "line-length",
        "line too long (102 > 80 characters)",
    );
}

#[test]
fn config_refuses_unknown_rules_and_options_by_name() {
    let err = LintConfig::from_yamllint("rules:\n  quoted-strings: enable\n", "r.yaml")
        .expect_err("unsupported");
    assert_eq!(
        err.to_string(),
        "r.yaml:2:3: the yamllint rule 'quoted-strings' is not supported (supported: anchors, \
         braces, brackets, colons, commas, comments, comments-indentation, document-start, \
         empty-lines, hyphens, indentation, key-duplicates, line-length, \
         new-line-at-end-of-file, new-lines, trailing-spaces, truthy)"
    );
    let err = LintConfig::from_yamllint("rules:\n  colons:\n    max-spaces: 2\n", "r.yaml")
        .expect_err("bad option");
    assert_eq!(
        err.to_string(),
        "r.yaml:3:5: rule 'colons': unknown option 'max-spaces'"
    );
    let err = LintConfig::from_yamllint("extends: strict\n", "r.yaml").expect_err("preset");
    assert!(err.to_string().contains("'relaxed' or 'default'"), "{err}");
    let c = LintConfig::from_yamllint(
        "extends: relaxed\nrules:\n  trailing-spaces: disable\n  colons:\n    max-spaces-after: 3\n",
        "r.yaml",
    )
    .expect("valid");
    assert!(found("a:   1   \n", &c).is_empty());
}

#[test]
fn the_instructlab_preset_is_relaxed_without_line_length() {
    let long = format!("a: {}\n", "word ".repeat(40).trim_end());
    assert!(found(&long, &relaxed()).is_empty());
    let relaxed_preset = LintConfig::relaxed_preset();
    assert_eq!(found(&long, &relaxed_preset).len(), 1);
}

#[test]
fn comment_rules() {
    let c = default_preset_with_comments();
    one(
        "---\na: 1 # note\n",
        &c,
        2,
        6,
        "comments",
        "too few spaces before comment: expected 2",
    );
    one(
        "---\na: 1  #note\n",
        &c,
        2,
        8,
        "comments",
        "missing starting space in comment",
    );
    one(
        "---\na:\n  b: 1\n # off\n  c: 2\n",
        &c,
        4,
        2,
        "comments-indentation",
        "comment not indented like content",
    );
    // Shebangs, `#` inside quoted and block scalars, and a comment ending the file are fine.
    assert!(found("#!/usr/bin/env x\n---\na: '#x'\nb: |\n  #y\n# end\n", &c).is_empty());
    assert!(found("---\na:\n  - q: x\n    b: |\n      y\n # c", &c).len() == 1);
}

fn default_preset_with_comments() -> LintConfig {
    LintConfig::from_yamllint("extends: default\n", "rules.yaml").expect("valid config")
}
