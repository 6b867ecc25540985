//! The `comments` and `comments-indentation` rules.
//!
//! Comments are not tokens, so they are found in the text: a `#` at a line start, after a blank,
//! or right after a flow indicator or a closing quote (PyYAML reads a comment there too), outside
//! quoted and block scalars (a plain scalar cannot hold ` #`).

use super::tokens::{Kind, Source, Tok};
use super::Found;

/// One comment: its char index, 1-based line and column, and the tokens around it.
pub(super) struct Comment {
    pub(super) index: usize,
    pub(super) line: usize,
    col: usize,
    /// Stream index of the last token before the comment.
    before: usize,
    /// Whether something other than blanks precedes it on its line.
    pub(super) inline: bool,
}

/// Char ranges covered by quoted and block scalars.
fn scalar_spans(src: &Source, toks: &[Tok]) -> Vec<(usize, usize)> {
    let chars = &src.chars;
    let mut spans = Vec::new();
    for t in toks.iter().filter(|t| t.kind == Kind::Scalar && !t.plain) {
        let start = t.index;
        match chars.get(start) {
            Some('\'' | '"') => spans.push((start, quoted_end(src, start))),
            Some('|' | '>') if t.block => {
                if let Some(end) = block_end(src, t) {
                    spans.push((start, end));
                }
            }
            _ => {}
        }
    }
    spans
}

/// The char index of the closing quote of the quoted scalar opening at `start`.
pub(super) fn quoted_end(src: &Source, start: usize) -> usize {
    let chars = &src.chars;
    let mut i = start + 1;
    if chars.get(start) == Some(&'\'') {
        while i < chars.len() {
            if chars[i] == '\'' {
                if chars.get(i + 1) == Some(&'\'') {
                    i += 2;
                    continue;
                }
                break;
            }
            i += 1;
        }
    } else {
        while i < chars.len() && chars[i] != '"' {
            i += if chars[i] == '\\' { 2 } else { 1 };
        }
    }
    i
}

/// The last char index of a block scalar's content (`None` when it has none).
pub(super) fn block_end(src: &Source, t: &Tok) -> Option<usize> {
    let line_text = |l: usize| -> &[char] {
        let start = src.line_starts[l - 1];
        let end = src
            .line_starts
            .get(l)
            .map_or(src.chars.len(), |e| e.saturating_sub(1));
        &src.chars[start..end.max(start)]
    };
    let indent_of = |text: &[char]| text.iter().take_while(|c| **c == ' ').count();
    // The column the scalar's owner starts at: the key, or the dash of `- |`.
    let head = line_text(t.line);
    let mut owner = indent_of(head);
    while head.get(owner) == Some(&'-') && head.get(owner + 1) == Some(&' ') {
        let next = owner + 2 + head[owner + 2..].iter().take_while(|c| **c == ' ').count();
        if matches!(head.get(next), Some('|' | '>')) {
            break;
        }
        owner = next;
    }
    let lines = src.line_starts.len();
    let mut content_indent = None;
    let mut last = None;
    for l in t.line + 1..=lines {
        let text = line_text(l);
        let blank = text.iter().all(|c| *c == ' ' || *c == '\r');
        if blank {
            continue;
        }
        let indent = indent_of(text);
        let needed = *content_indent.get_or_insert(indent);
        if needed <= owner || indent < needed {
            break;
        }
        last = Some(src.line_starts[l - 1] + text.len().saturating_sub(1));
    }
    last
}

pub(super) fn find_comments(src: &Source, toks: &[Tok]) -> Vec<Comment> {
    let spans = scalar_spans(src, toks);
    let chars = &src.chars;
    let mut out = Vec::new();
    let mut line = 1;
    let mut line_start = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            line_start = i + 1;
        } else if c == '#'
            && (i == line_start
                || matches!(chars[i - 1], ' ' | '\t')
                || ends_token_before(chars, toks, &spans, i))
        {
            if let Some(&(_, end)) = spans.iter().find(|(s, e)| *s <= i && i <= *e) {
                i = end + 1;
                // Keep the line count right across the skipped span.
                line = src
                    .line_starts
                    .partition_point(|&s| s <= end.min(chars.len() - 1));
                line_start = src.line_starts[line - 1];
                continue;
            }
            let after = toks
                .iter()
                .position(|t| t.index > i && t.kind != Kind::StreamStart);
            let before = after.map_or(toks.len().saturating_sub(1), |a| a.saturating_sub(1));
            let inline = chars[line_start..i]
                .iter()
                .any(|c| !matches!(c, ' ' | '\t'));
            // yamllint looks for comments only between tokens on different lines; at the end of
            // a text without a final line break, PyYAML puts the closing block ends on the last
            // line, so an inline comment there is never seen.
            if inline
                && after
                    .and_then(|a| toks.get(a))
                    .is_some_and(|t| ends_past_text(src, t))
            {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            out.push(Comment {
                index: i,
                line,
                col: i - line_start + 1,
                before,
                inline,
            });
            // The rest of the line is the comment.
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        i += 1;
    }
    out
}

/// Whether `t` is a block end that our scanner places on a line past a text without a final line
/// break (PyYAML places it at the end of the last line).
fn ends_past_text(src: &Source, t: &Tok) -> bool {
    t.kind == Kind::BlockEnd
        && t.line > src.line_starts.len()
        && src.chars.last().is_some_and(|c| *c != '\n')
}

/// Whether a token ends right before char `i`, so that a `#` there starts a comment as PyYAML
/// reads it: a flow indicator (`{`, `}`, `[`, `]`, `,`) or a quoted scalar's closing quote.
fn ends_token_before(chars: &[char], toks: &[Tok], spans: &[(usize, usize)], i: usize) -> bool {
    let Some(prev) = i.checked_sub(1) else {
        return false;
    };
    spans
        .iter()
        .any(|&(s, e)| e == prev && s < e && matches!(chars.get(s), Some('\'' | '"')))
        || toks.iter().any(|t| {
            t.index == prev
                && matches!(
                    t.kind,
                    Kind::FlowSeqStart
                        | Kind::FlowSeqEnd
                        | Kind::FlowMapStart
                        | Kind::FlowMapEnd
                        | Kind::FlowEntry
                )
        })
}

/// `comments`: a space after `#` (shebangs allowed on line 1), and enough blanks before an
/// inline comment.
pub fn comments(
    src: &Source,
    toks: &[Tok],
    (starting_space, shebangs, min_from_content): (bool, bool, i64),
    out: &mut Vec<Found>,
) {
    for c in find_comments(src, toks) {
        if c.inline && min_from_content >= 0 {
            let blanks = src.blanks_before(c.index).unwrap_or(0);
            if i64::try_from(blanks).unwrap_or(i64::MAX) < min_from_content {
                out.push(Found::new(
                    c.line,
                    c.col,
                    "comments",
                    format!("too few spaces before comment: expected {min_from_content}"),
                ));
            }
        }
        if starting_space {
            let mut j = c.index + 1;
            while src.chars.get(j) == Some(&'#') {
                j += 1;
            }
            let Some(&next) = src.chars.get(j) else {
                continue;
            };
            let shebang = shebangs
                && c.line == 1
                && c.col == 1
                && next == '!'
                && src.chars.get(j + 1).is_some_and(|ch| !ch.is_whitespace());
            if !shebang && !matches!(next, ' ' | '\n' | '\r' | '\0') {
                out.push(Found::new(
                    c.line,
                    c.col + j - c.index,
                    "comments",
                    "missing starting space in comment",
                ));
            }
        }
    }
}

/// `comments-indentation`: a comment on its own line is indented like the content before or
/// after it.
pub fn comments_indentation(src: &Source, toks: &[Tok], out: &mut Vec<Found>) {
    let found = find_comments(src, toks);
    let mut previous: Option<(usize, usize, bool)> = None; // (token before, column, inline)
    for c in &found {
        let before = &toks[c.before];
        let after = toks.get(c.before + 1);
        let same_gap = previous.filter(|p| p.0 == c.before);
        previous = Some((c.before, c.col, c.inline));
        if c.inline || (before.block && ends_on_line(src, before, c.line)) {
            continue;
        }
        let next_indent = match after {
            // PyYAML places it at the end of the last line, not on a line past it.
            Some(t) if ends_past_text(src, t) => {
                let last = src.line_starts.last().copied().unwrap_or(0);
                src.chars.len() - last
            }
            Some(t) if t.kind != Kind::StreamEnd => t.col,
            _ => 0,
        };
        let mut prev_indent = if before.kind == Kind::StreamStart {
            0
        } else {
            line_indent(src, before.line)
        };
        if prev_indent <= next_indent {
            prev_indent = next_indent;
        }
        if let Some((_, col, false)) = same_gap {
            prev_indent = col - 1;
        }
        if c.col - 1 != prev_indent && c.col - 1 != next_indent {
            out.push(Found::new(
                c.line,
                c.col,
                "comments-indentation",
                "comment not indented like content",
            ));
        }
    }
}

/// Whether a block scalar's token ends on `line` (its content runs up to the line before).
fn ends_on_line(src: &Source, t: &Tok, line: usize) -> bool {
    let Some(end) = block_end(src, t) else {
        return line == t.line + 1;
    };
    let end_line = src.line_starts.partition_point(|&s| s <= end);
    // Trailing blank lines belong to the scalar; the first non-blank line after is where it ends.
    ((end_line + 1)..line).all(|l| {
        let start = src.line_starts[l - 1];
        let stop = src.line_starts.get(l).copied().unwrap_or(src.chars.len());
        src.chars[start..stop].iter().all(|c| c.is_whitespace())
    })
}

fn line_indent(src: &Source, line: usize) -> usize {
    let start = src
        .line_starts
        .get(line.saturating_sub(1))
        .copied()
        .unwrap_or(src.chars.len());
    src.chars[start..].iter().take_while(|c| **c == ' ').count()
}
