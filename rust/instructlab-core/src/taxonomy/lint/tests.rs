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

fn all(text: &str, config: &LintConfig) -> Vec<(usize, usize, &'static str)> {
    let mut out: Vec<(usize, usize, &'static str)> = lint(text, config)
        .into_iter()
        .map(|f| {
            let rule: &'static str = match f.rule.as_str() {
                "trailing-spaces" => "trailing-spaces",
                "colons" => "colons",
                "key-duplicates" => "key-duplicates",
                "indentation" => "indentation",
                "braces" => "braces",
                "brackets" => "brackets",
                other => panic!("unexpected rule {other}"),
            };
            (f.line, f.column, rule)
        })
        .collect();
    out.sort_unstable();
    out
}

// Expected findings below are yamllint 1.38's on the same text and configuration.
#[test]
fn disable_line_directives_apply_to_their_line_or_the_next() {
    let c = relaxed();
    let ts = "trailing-spaces";
    assert_eq!(
        all("a: 1   # yamllint disable-line\nb: 2   \n", &c),
        [(2, 5, ts)]
    );
    assert_eq!(
        all("# yamllint disable-line\na: 1   \nb: 2   \n", &c),
        [(3, 5, ts)]
    );
    // A blank line after the comment takes the directive: the line after it is checked.
    assert_eq!(
        all("a: 1\n# yamllint disable-line\n\nb: 2   \n", &c),
        [(4, 5, ts)]
    );
    assert_eq!(
        all("a: 1   # yamllint disable-line rule:colons\nb:  2   \n", &c),
        [(2, 4, "colons"), (2, 6, ts)]
    );
    assert_eq!(
        all(
            "a:   1   # yamllint disable-line rule:colons rule:trailing-spaces\nb:  2   \n",
            &c
        ),
        [(2, 4, "colons"), (2, 6, ts)]
    );
    assert_eq!(
        all(
            "a: 1\na: 2 # yamllint disable-line rule:key-duplicates\na: 3\n",
            &c
        ),
        [(3, 1, "key-duplicates")]
    );
}

#[test]
fn disable_and_enable_directives_hold_until_changed() {
    let c = relaxed();
    let ts = "trailing-spaces";
    assert_eq!(
        all(
            "a: 1   \n# yamllint disable\nb:  2   \nc: 3   \n# yamllint enable\nd: 4   \n",
            &c
        ),
        [(1, 5, ts), (6, 5, ts)]
    );
    assert_eq!(
        all(
            "a: 1   \n# yamllint disable rule:trailing-spaces\nb:  2   \n\
             # yamllint enable rule:trailing-spaces\nd: 4   \n",
            &c
        ),
        [(1, 5, ts), (3, 4, "colons"), (5, 5, ts)]
    );
    // On a line with content, `disable` covers that line already.
    assert!(all("a: 1   # yamllint disable\nb:  2   \n", &c).is_empty());
    // Naming a rule that is off does nothing; `enable rule:X` re-enables just X.
    assert_eq!(
        all("# yamllint disable rule:truthy\na: 1   \n", &c),
        [(2, 5, ts)]
    );
    assert_eq!(
        all(
            "# yamllint disable\na: 1   \n# yamllint enable rule:trailing-spaces\nb:  2   \n",
            &c
        ),
        [(4, 6, ts)]
    );
    // Not directives: the wording must be exact.
    assert_eq!(
        all(
            "#yamllint disable\na: 1   \n# yamllint disable  rule:colons\nb:  2\n",
            &c
        ),
        [(2, 5, ts), (4, 4, "colons")]
    );
    // Inside a block scalar, `# yamllint disable` is text.
    assert_eq!(
        all("a: |\n  # yamllint disable\nb: 1   \n", &c),
        [(3, 5, ts)]
    );
}

#[test]
fn disable_file_on_the_first_line_silences_the_file() {
    let c = relaxed();
    assert!(all("# yamllint disable-file\na: 1   \nb:  2   \na: 3\n", &c).is_empty());
    assert_eq!(
        all("a: 1\n# yamllint disable-file\nb: 2   \n", &c),
        [(3, 5, "trailing-spaces")]
    );
}

fn rules(extra: &str) -> LintConfig {
    LintConfig::from_yamllint(
        &format!("extends: default\nrules:\n  document-start: disable\n{extra}"),
        "rules.yaml",
    )
    .expect("valid config")
}

#[test]
fn forbid_non_empty_refuses_only_flow_collections_with_content() {
    let c = rules("  braces: {forbid: non-empty}\n  brackets: {forbid: non-empty}\n");
    assert_eq!(
        found("a: {b: 1}\nc: [1]\nd: {}\ne: []\nf: { }\n", &c),
        [
            (
                1,
                5,
                "braces".to_owned(),
                "forbidden flow mapping".to_owned()
            ),
            (
                2,
                5,
                "brackets".to_owned(),
                "forbidden flow sequence".to_owned()
            ),
            (
                5,
                5,
                "braces".to_owned(),
                "too many spaces inside empty braces".to_owned()
            ),
        ]
    );
    let c = rules("  braces: {forbid: true}\n  brackets: {forbid: true}\n");
    one("a: {}\n", &c, 1, 5, "braces", "forbidden flow mapping");
    one("a: []\n", &c, 1, 5, "brackets", "forbidden flow sequence");
    let err = LintConfig::from_yamllint("rules:\n  braces: {forbid: some}\n", "r.yaml")
        .expect_err("bad value");
    assert!(
        err.to_string()
            .contains("option 'forbid' must be true, false or 'non-empty'"),
        "{err}"
    );
}

#[test]
fn merge_keys_may_repeat_unless_forbidden() {
    let text = "x: &x {a: 1}\ny: &y {b: 1}\nz:\n  <<: *x\n  <<: *y\n  c: 1\n";
    assert!(found(text, &rules("")).is_empty());
    one(
        text,
        &rules("  key-duplicates: {forbid-duplicated-merge-keys: true}\n"),
        5,
        3,
        "key-duplicates",
        "duplication of key \"<<\" in mapping",
    );
    // Keys compare by their text, as yamllint compares them: 1 and '1' are the same key.
    one(
        "a:\n  1: a\n  '1': b\n",
        &rules(""),
        3,
        3,
        "key-duplicates",
        "duplication of key \"1\" in mapping",
    );
}

#[test]
fn multi_line_strings_are_checked_on_request() {
    let text = "a: |\n  one\n   two\n  three\nb: >\n    x\n    y\nc: plain\n   more\n  less\n\
                d: 'q\n  r'\ne: \"q\n   r\"\nf:\n  - |\n    ok\n     no\n";
    assert!(found(text, &rules("")).is_empty());
    let c = rules("  indentation: {check-multi-line-strings: true}\n");
    let wrong = |line, col, want, got| {
        (
            line,
            col,
            "indentation".to_owned(),
            format!("wrong indentation: expected {want} but found {got}"),
        )
    };
    assert_eq!(
        found(text, &c),
        [
            wrong(3, 4, 2, 3),
            wrong(6, 5, 2, 4),
            wrong(7, 5, 2, 4),
            wrong(10, 3, 3, 2),
            wrong(12, 3, 4, 2),
            wrong(14, 4, 4, 3),
            wrong(17, 5, 6, 4),
            wrong(18, 6, 6, 5),
        ]
    );
    // With `spaces: consistent`, a block scalar's first line can set the step.
    let c = LintConfig::from_yamllint(
        "extends: relaxed\nrules:\n  indentation: {spaces: consistent, check-multi-line-strings: true}\n",
        "r.yaml",
    )
    .expect("valid");
    assert_eq!(
        found("a:\n   |\n     x\n      y\nb:\n    - c\n", &c),
        [wrong(3, 6, 6, 5), wrong(6, 5, 3, 4)]
    );
}

#[test]
fn directives_apply_by_the_line_yamllint_finds_a_problem_on() {
    // The scalar's second line is checked while its first is read: a `disable-line` on the
    // second line does not reach it (yamllint 1.38 reports it too).
    let c = rules("  indentation: {check-multi-line-strings: true}\n");
    one(
        "a: plain\n    more  # yamllint disable-line rule:indentation\n",
        &c,
        2,
        5,
        "indentation",
        "wrong indentation: expected 3 but found 4",
    );
    assert!(found(
        "# yamllint disable-line rule:indentation\na: plain\n    more\n",
        &c
    )
    .is_empty());
}

#[test]
fn a_blank_line_before_a_last_line_without_newline_is_not_at_the_end() {
    // yamllint 1.38: only the new-line-at-end-of-file problem.
    one(
        "a: 1\n\nb: 2",
        &relaxed(),
        3,
        5,
        "new-line-at-end-of-file",
        "no new line character at the end of file",
    );
}

/// Texts PyYAML reads and our scanner needs blanks inserted into (see `yaml::pyyaml_quirks`):
/// the findings are yamllint 1.38's, at the original text's positions.
#[test]
fn lints_what_pyyaml_reads_despite_our_scanner() {
    let comment_after_token = "version: 2\ntask_description: t\ncreated_by: me\nseed_examples:\n  - {question: q1, answer: a1}#first\n  - question: \"q2\"#second\n    answer: [x, y]#third\n";
    assert!(found(comment_after_token, &relaxed()).is_empty());
    let comments = |line, col| [(line, col, "comments"), (line, col + 1, "comments")];
    let mut expected = vec![(1, 1, "document-start")];
    for (line, col) in [(5, 31), (6, 19), (7, 19)] {
        expected.extend(comments(line, col));
    }
    assert_eq!(
        at(comment_after_token, &default_preset_with_comments()),
        expected
    );
    assert_eq!(
        found(comment_after_token, &default_preset_with_comments())[1].3,
        "too few spaces before comment: expected 2"
    );

    let shallow = "version: 2\ncreated_by: me\nseed_examples:\n  - question: \"What is\n  the answer?\"\n    answer: 'It\nis 42'\n  - question: \"a\\\n  b\"\n    answer: \"x\n\ny\" # end\n  - [ \"p\nq\",  r  ]\n";
    assert_eq!(
        found(shallow, &relaxed()),
        vec![
            (
                14,
                5,
                "commas".to_owned(),
                "too many spaces after comma".to_owned()
            ),
            (
                14,
                8,
                "brackets".to_owned(),
                "too many spaces inside brackets".to_owned()
            ),
        ]
    );
    let multi_line = LintConfig::from_yamllint(
        "extends: default\nrules:\n  document-start: disable\n  indentation: {spaces: 2, indent-sequences: true, check-multi-line-strings: true}\n",
        "rules.yaml",
    )
    .expect("valid config");
    assert_eq!(
        at(shallow, &multi_line),
        vec![
            (5, 3, "indentation"),
            (7, 1, "indentation"),
            (9, 3, "indentation"),
            (12, 1, "indentation"),
            (12, 4, "comments"),
            (13, 6, "brackets"),
            (14, 1, "indentation"),
            (14, 5, "commas"),
            (14, 8, "brackets"),
        ]
    );
    assert_eq!(
        found(shallow, &multi_line)[0].3,
        "wrong indentation: expected 15 but found 2"
    );
}

fn at(text: &str, config: &LintConfig) -> Vec<(usize, usize, &'static str)> {
    found(text, config)
        .into_iter()
        .map(|(line, col, rule, _)| {
            let rule: &'static str = match rule.as_str() {
                "document-start" => "document-start",
                "comments" => "comments",
                "indentation" => "indentation",
                "commas" => "commas",
                "brackets" => "brackets",
                other => panic!("unexpected rule {other}"),
            };
            (line, col, rule)
        })
        .collect()
}

/// At the end of a text without a final line break PyYAML puts the closing block ends on the
/// last line: yamllint then never sees an inline comment there, and indents a comment line
/// against that end (yamllint 1.38's findings).
#[test]
fn comments_on_the_last_line_without_a_line_break_are_read_as_yamllint_does() {
    let c = default_preset_with_comments();
    let eof = (1, 10, "new-line-at-end-of-file".to_owned());
    let rules = |text: &str| -> Vec<(usize, usize, String)> {
        found(text, &c)
            .into_iter()
            .filter(|f| f.2 != "document-start")
            .map(|(l, col, rule, _)| (l, col, rule))
            .collect()
    };
    assert_eq!(rules("a: [1] #x"), vec![eof.clone()]);
    assert_eq!(rules("a: '1' #x"), vec![eof]);
    // A flow collection at the top has no block end: the comment is seen.
    assert_eq!(
        rules("[1]  #x"),
        vec![
            (1, 7, "comments".to_owned()),
            (1, 8, "new-line-at-end-of-file".to_owned())
        ]
    );
    assert_eq!(
        rules("a: 1\n#x"),
        vec![
            (2, 1, "comments-indentation".to_owned()),
            (2, 2, "comments".to_owned()),
            (2, 3, "new-line-at-end-of-file".to_owned())
        ]
    );
}
