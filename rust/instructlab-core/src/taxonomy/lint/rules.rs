//! The lint rules that look at lines and at the spacing around tokens.

use std::collections::HashMap;

use super::config::{Inside, LintConfig};
use super::tokens::{Kind, Source, Tok};
use super::Found;

/// `trailing-spaces`, `new-line-at-end-of-file`, `new-lines`, `empty-lines`, `line-length`.
pub fn line_rules(text: &str, c: &LintConfig, out: &mut Vec<Found>) {
    let lines: Vec<&str> = text.split('\n').collect();
    let count = lines.len();
    if let Some(expected) = c.new_lines {
        if let Some(first) = lines.first() {
            if count > 1 {
                let dos = first.ends_with('\r');
                let wrong = if expected == "\n" { dos } else { !dos };
                if wrong {
                    let column = first.trim_end_matches('\r').chars().count() + 1;
                    let want = if expected == "\n" { "\\n" } else { "\\r\\n" };
                    out.push(Found::new(
                        1,
                        column,
                        "new-lines",
                        format!("wrong new line character: expected {want}"),
                    ));
                }
            }
        }
    }
    let mut blank_run = 0usize;
    for (i, raw) in lines.iter().enumerate() {
        let line_no = i + 1;
        let last = i + 1 == count;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if c.trailing_spaces {
            let trimmed = line.trim_end_matches([' ', '\t', '\x0b', '\x0c', '\r']);
            if trimmed.len() != line.len() && line[trimmed.len()..].starts_with([' ', '\t']) {
                out.push(Found::new(
                    line_no,
                    trimmed.chars().count() + 1,
                    "trailing-spaces",
                    "trailing spaces",
                ));
            }
        }
        if last && c.new_line_at_end_of_file && !raw.is_empty() {
            out.push(Found::new(
                line_no,
                raw.chars().count() + 1,
                "new-line-at-end-of-file",
                "no new line character at the end of file",
            ));
        }
        if let Some((max, allow_words, allow_inline)) = c.line_length {
            let length = line.chars().count();
            if i64::try_from(length).unwrap_or(i64::MAX) > max
                && !long_line_allowed(line, allow_words || allow_inline, allow_inline)
            {
                out.push(Found::new(
                    line_no,
                    usize::try_from(max).unwrap_or(0) + 1,
                    "line-length",
                    format!("line too long ({length} > {max} characters)"),
                ));
            }
        }
        if let Some((max, max_start, max_end)) = c.empty_lines {
            // The file's final "line" after the last newline is not a line.
            if last {
                continue;
            }
            if line.is_empty() {
                blank_run += 1;
            } else {
                blank_run = 0;
                continue;
            }
            let next_blank =
                lines.get(i + 1).is_some_and(|l| l.is_empty() || *l == "\r") && i + 2 < count;
            if next_blank {
                continue; // report on the last blank line of a run
            }
            let at_start = blank_run == line_no;
            // The end of the file only when nothing follows this line's newline.
            let at_end = i + 2 == count && lines.last().is_some_and(|l| l.is_empty());
            if at_end && line_no == 1 {
                continue; // a file holding only a newline
            }
            let limit = if at_end {
                max_end
            } else if at_start {
                max_start
            } else {
                max
            };
            let run = i64::try_from(blank_run).unwrap_or(i64::MAX);
            if run > limit {
                out.push(Found::new(
                    line_no,
                    1,
                    "empty-lines",
                    format!("too many blank lines ({run} > {limit})"),
                ));
            }
        }
    }
}

/// A long line is let through when it cannot be broken: one long word (a URL), possibly after
/// a list dash or comment marks, or (`inline`) a `key: value` whose value has no spaces.
fn long_line_allowed(line: &str, words: bool, inline: bool) -> bool {
    if !words {
        return false;
    }
    let rest = line.trim_start_matches(' ');
    if rest.is_empty() {
        return false;
    }
    let rest = if rest.starts_with('#') {
        let r = rest.trim_start_matches('#');
        r.get(1..).unwrap_or("")
    } else if rest.starts_with('-') {
        rest.get(2..).unwrap_or("")
    } else {
        rest
    };
    if !rest.contains(' ') {
        return true;
    }
    if inline {
        if let Some(pos) = line.find(": ") {
            let value = line[pos + 2..].trim_start();
            return !value.is_empty() && !value.contains(' ');
        }
    }
    false
}

/// Spacing rules: `colons`, `commas`, `hyphens`, `braces`, `brackets`.
#[allow(clippy::too_many_lines)] // one arm per token kind
pub fn spacing_rules(src: &Source, toks: &[Tok], c: &LintConfig, out: &mut Vec<Found>) {
    for (i, t) in toks.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|p| toks.get(p));
        let next = toks.get(i + 1);
        let next_col = next.map_or(0, |n| n.col);
        match t.kind {
            Kind::Value => {
                let Some((before, after)) = c.colons else {
                    continue;
                };
                if src.chars.get(t.index) != Some(&':') {
                    continue;
                }
                let alias_gap = prev.is_some_and(|p| p.kind == Kind::Alias)
                    && src.blanks_before(t.index) == Some(1);
                if !alias_gap {
                    if let Some(n) = src.blanks_before(t.index) {
                        if before >= 0 && n > to_usize(before) {
                            out.push(Found::new(
                                t.line,
                                t.col,
                                "colons",
                                "too many spaces before colon",
                            ));
                        }
                    }
                    if let Some(n) = src.blanks_after(t.index + 1) {
                        if after >= 0 && n > to_usize(after) {
                            out.push(Found::new(
                                t.line,
                                next_col,
                                "colons",
                                "too many spaces after colon",
                            ));
                        }
                    }
                }
            }
            Kind::Key if is_explicit_key(src, t) => {
                let Some((_, after)) = c.colons else { continue };
                if let Some(n) = src.blanks_after(t.index + 1) {
                    if after >= 0 && n > to_usize(after) {
                        out.push(Found::new(
                            t.line,
                            next_col,
                            "colons",
                            "too many spaces after question mark",
                        ));
                    }
                }
            }
            Kind::FlowEntry => {
                let Some((before, min_after, max_after)) = c.commas else {
                    continue;
                };
                if before >= 0 {
                    match src.blanks_before(t.index) {
                        None if prev.is_some_and(|p| p.line < t.line) => {
                            out.push(Found::new(
                                t.line,
                                t.col.max(1),
                                "commas",
                                "too many spaces before comma",
                            ));
                        }
                        Some(n) if n > to_usize(before) => {
                            out.push(Found::new(
                                t.line,
                                t.col,
                                "commas",
                                "too many spaces before comma",
                            ));
                        }
                        _ => {}
                    }
                }
                if let Some(n) = src.blanks_after(t.index + 1) {
                    if max_after >= 0 && n > to_usize(max_after) {
                        out.push(Found::new(
                            t.line,
                            next_col,
                            "commas",
                            "too many spaces after comma",
                        ));
                    } else if min_after >= 0 && n < to_usize(min_after) {
                        out.push(Found::new(
                            t.line,
                            next_col + 1,
                            "commas",
                            "too few spaces after comma",
                        ));
                    }
                }
            }
            Kind::BlockEntry => {
                let Some(max) = c.hyphens else { continue };
                if let Some(n) = src.blanks_after(t.index + 1) {
                    if max >= 0 && n > to_usize(max) {
                        out.push(Found::new(
                            t.line,
                            next_col,
                            "hyphens",
                            "too many spaces after hyphen",
                        ));
                    }
                }
            }
            Kind::FlowMapStart | Kind::FlowMapEnd => {
                if let Some(b) = c.braces {
                    inside(
                        src,
                        t,
                        prev,
                        next,
                        b,
                        "braces",
                        Kind::FlowMapStart,
                        Kind::FlowMapEnd,
                        out,
                    );
                }
            }
            Kind::FlowSeqStart | Kind::FlowSeqEnd => {
                if let Some(b) = c.brackets {
                    inside(
                        src,
                        t,
                        prev,
                        next,
                        b,
                        "brackets",
                        Kind::FlowSeqStart,
                        Kind::FlowSeqEnd,
                        out,
                    );
                }
            }
            _ => {}
        }
    }
}

fn to_usize(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

#[allow(clippy::too_many_arguments)] // one helper for braces and brackets
fn inside(
    src: &Source,
    t: &Tok,
    prev: Option<&Tok>,
    next: Option<&Tok>,
    b: Inside,
    rule: &str,
    open: Kind,
    close: Kind,
    out: &mut Vec<Found>,
) {
    let name = rule;
    let non_empty = next.is_some_and(|n| n.kind != close);
    if t.kind == open && (b.forbid || (b.forbid_non_empty && non_empty)) {
        // yamllint points just past the opening indicator.
        let what = if open == Kind::FlowMapStart {
            "forbidden flow mapping"
        } else {
            "forbidden flow sequence"
        };
        out.push(Found::new(t.line, t.col + 2, rule, what));
        return;
    }
    let check = |n: usize,
                 min: i64,
                 max: i64,
                 col_max: usize,
                 col_min: usize,
                 empty: bool,
                 out: &mut Vec<Found>| {
        let what = if empty {
            format!("inside empty {name}")
        } else {
            format!("inside {name}")
        };
        if max >= 0 && n > to_usize(max) {
            out.push(Found::new(
                t.line,
                col_max,
                rule,
                format!("too many spaces {what}"),
            ));
        } else if min >= 0 && n < to_usize(min) {
            out.push(Found::new(
                t.line,
                col_min,
                rule,
                format!("too few spaces {what}"),
            ));
        }
    };
    if t.kind == open {
        let empty = next.is_some_and(|n| n.kind == close);
        let (min, max) = if empty {
            (
                if b.min_empty >= 0 { b.min_empty } else { b.min },
                if b.max_empty >= 0 { b.max_empty } else { b.max },
            )
        } else {
            (b.min, b.max)
        };
        if let Some(n) = src.blanks_after(t.index + 1) {
            let col = next.map_or(0, |x| x.col);
            check(n, min, max, col, col + 1, empty, out);
        }
    } else if prev.map_or(true, |p| p.kind != open) {
        if let Some(n) = src.blanks_before(t.index) {
            check(n, b.min, b.max, t.col, t.col + 1, false, out);
        }
    }
}

/// `? key` rather than an implicit key.
pub fn is_explicit_key(src: &Source, t: &Tok) -> bool {
    src.chars.get(t.index) == Some(&'?')
        && src
            .chars
            .get(t.index + 1)
            .map_or(true, |c| c.is_whitespace())
}

/// `anchors`, `truthy`, `document-start`.
#[allow(clippy::too_many_lines)] // three small rules sharing one pass
pub fn token_rules(toks: &[Tok], c: &LintConfig, out: &mut Vec<Found>) {
    let mut anchors: HashMap<&str, (usize, usize, bool)> = HashMap::new();
    let flush_unused = |anchors: &mut HashMap<&str, (usize, usize, bool)>, out: &mut Vec<Found>| {
        let mut unused: Vec<_> = anchors
            .iter()
            .filter(|(_, v)| !v.2)
            .map(|(k, v)| (v.0, v.1, *k))
            .collect();
        unused.sort_unstable();
        for (line, col, name) in unused {
            out.push(Found::new(
                line,
                col + 1,
                "anchors",
                format!("found unused anchor \"{name}\""),
            ));
        }
        anchors.clear();
    };
    for (i, t) in toks.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|p| toks.get(p));
        if let Some((undeclared, duplicated, unused)) = c.anchors {
            if matches!(
                t.kind,
                Kind::StreamStart | Kind::StreamEnd | Kind::DocStart | Kind::DocEnd
            ) {
                if unused {
                    flush_unused(&mut anchors, out);
                }
                anchors.clear();
            }
            match t.kind {
                Kind::Alias => {
                    if let Some(a) = anchors.get_mut(t.text.as_str()) {
                        a.2 = true;
                    } else if undeclared {
                        out.push(Found::new(
                            t.line,
                            t.col + 1,
                            "anchors",
                            format!("found undeclared alias \"{}\"", t.text),
                        ));
                    }
                }
                Kind::Anchor => {
                    if duplicated && anchors.contains_key(t.text.as_str()) {
                        out.push(Found::new(
                            t.line,
                            t.col + 1,
                            "anchors",
                            format!("found duplicated anchor \"{}\"", t.text),
                        ));
                    }
                    anchors.insert(t.text.as_str(), (t.line, t.col, false));
                }
                _ => {}
            }
        }
        if let Some((allowed, check_keys)) = &c.truthy {
            let after_tag = prev.is_some_and(|p| p.kind == Kind::Tag);
            let is_key = prev.is_some_and(|p| p.kind == Kind::Key);
            if t.kind == Kind::Scalar && t.plain && !after_tag && (*check_keys || !is_key) {
                const TRUTHY: [&str; 18] = [
                    "YES", "Yes", "yes", "NO", "No", "no", "TRUE", "True", "true", "FALSE",
                    "False", "false", "ON", "On", "on", "OFF", "Off", "off",
                ];
                if TRUTHY.contains(&t.text.as_str()) && !allowed.contains(&t.text) {
                    let mut sorted = allowed.clone();
                    sorted.sort();
                    out.push(Found::new(
                        t.line,
                        t.col + 1,
                        "truthy",
                        format!("truthy value should be one of [{}]", sorted.join(", ")),
                    ));
                }
            }
        }
        if let Some(present) = c.document_start {
            if present {
                let after_boundary = prev.is_some_and(|p| {
                    matches!(p.kind, Kind::StreamStart | Kind::DocEnd | Kind::Directive)
                });
                if after_boundary
                    && !matches!(t.kind, Kind::DocStart | Kind::Directive | Kind::StreamEnd)
                {
                    out.push(Found::new(
                        t.line,
                        1,
                        "document-start",
                        "missing document start \"---\"",
                    ));
                }
            } else if t.kind == Kind::DocStart {
                out.push(Found::new(
                    t.line,
                    t.col + 1,
                    "document-start",
                    "found forbidden document start \"---\"",
                ));
            }
        }
    }
}
