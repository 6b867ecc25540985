//! The `indentation` rule: every line's first token sits where its parent says it should.
//!
//! A stack of open contexts (block/flow mappings and sequences, list entries, keys, values) is
//! kept while walking the tokens; each context knows the column its content must start at.
//! With `spaces: consistent` the indent step is learned from the first indented line.

use super::comments;
use super::config::IndentSequences;
use super::rules::is_explicit_key;
use super::tokens::{Kind, Source, Tok};
use super::Found;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Root,
    BlockMap,
    FlowMap,
    BlockSeq,
    FlowSeq,
    Entry,
    Key,
    Val,
}

#[derive(Debug, Clone, Copy)]
struct Frame {
    ctx: Ctx,
    indent: i64,
    line_indent: i64,
    explicit_key: bool,
    implicit_seq: bool,
}

impl Frame {
    fn new(ctx: Ctx, indent: i64) -> Self {
        Self {
            ctx,
            indent,
            line_indent: 0,
            explicit_key: false,
            implicit_seq: false,
        }
    }
}

struct State {
    stack: Vec<Frame>,
    spaces: Option<i64>,
    sequences: IndentSequences,
    line_indent: i64,
    last_visible_line: usize,
    /// `check-multi-line-strings`.
    multi_line: bool,
}

impl State {
    fn top(&self) -> Frame {
        self.stack
            .last()
            .copied()
            .unwrap_or(Frame::new(Ctx::Root, 0))
    }

    fn under_top(&self) -> Option<Frame> {
        self.stack.len().checked_sub(2).map(|i| self.stack[i])
    }

    /// The indent of content under `base`, learning the step on first use.
    fn step_from(&mut self, base: i64, next: &Tok) -> i64 {
        let spaces = *self.spaces.get_or_insert(col(next) - base);
        base + spaces
    }
}

fn col(t: &Tok) -> i64 {
    i64::try_from(t.col).unwrap_or(i64::MAX)
}

/// Runs the rule over the tokens with its options: `spaces` (`None`: consistent), how
/// sequences are indented, and whether the lines of multi-line scalars are checked.
pub fn check(
    src: &Source,
    toks: &[Tok],
    (spaces, sequences, multi_line): (Option<i64>, IndentSequences, bool),
    out: &mut Vec<Found>,
) {
    let mut st = State {
        stack: vec![Frame::new(Ctx::Root, 0)],
        spaces,
        sequences,
        line_indent: 0,
        last_visible_line: 0,
        multi_line,
    };
    for (i, t) in toks.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|p| toks.get(p));
        let next = toks.get(i + 1);
        let after_next = toks.get(i + 2);
        if step(&mut st, src, t, prev, next, after_next, out).is_err() {
            out.push(Found::new(
                t.line,
                t.col + 1,
                "indentation",
                "cannot infer indentation: unexpected token",
            ));
            return;
        }
    }
}

/// A token sequence the rule cannot follow.
struct Confused;

#[allow(clippy::too_many_lines)] // one state machine, read top to bottom
fn step(
    st: &mut State,
    src: &Source,
    t: &Tok,
    prev: Option<&Tok>,
    next: Option<&Tok>,
    after_next: Option<&Tok>,
    out: &mut Vec<Found>,
) -> Result<(), Confused> {
    let visible = t.visible();
    let first_in_line =
        visible && t.line > st.last_visible_line && src.only_blanks_before(t.line, t.col);
    if first_in_line {
        let found = col(t);
        let top = st.top();
        let expected = if matches!(t.kind, Kind::FlowMapEnd | Kind::FlowSeqEnd) {
            top.line_indent
        } else if top.ctx == Ctx::Key && top.explicit_key && t.kind != Kind::Value {
            st.step_from(top.indent, t)
        } else {
            top.indent
        };
        if found != expected {
            let message = if expected < 0 {
                format!("wrong indentation: expected at least {}", found + 1)
            } else {
                format!("wrong indentation: expected {expected} but found {found}")
            };
            out.push(Found::new(t.line, t.col + 1, "indentation", message));
        }
        st.line_indent = found;
    }
    if st.multi_line && t.kind == Kind::Scalar {
        scalar_lines(st, src, t, next, out);
    }
    if visible {
        st.last_visible_line = t.line;
    }

    match t.kind {
        Kind::BlockMapStart => {
            if next.map_or(true, |n| n.kind != Kind::Key || n.line != t.line) {
                return Err(Confused);
            }
            st.stack.push(Frame::new(Ctx::BlockMap, col(t)));
        }
        Kind::FlowMapStart | Kind::FlowSeqStart => {
            let n = next.ok_or(Confused)?;
            let indent = if n.line == t.line {
                col(n)
            } else {
                st.step_from(st.line_indent, n)
            };
            let ctx = if t.kind == Kind::FlowMapStart {
                Ctx::FlowMap
            } else {
                Ctx::FlowSeq
            };
            let mut frame = Frame::new(ctx, indent);
            frame.line_indent = st.line_indent;
            st.stack.push(frame);
        }
        Kind::BlockSeqStart => {
            if next.map_or(true, |n| n.kind != Kind::BlockEntry || n.line != t.line) {
                return Err(Confused);
            }
            st.stack.push(Frame::new(Ctx::BlockSeq, col(t)));
        }
        Kind::BlockEntry
            if next.is_some_and(|n| !matches!(n.kind, Kind::BlockEntry | Kind::BlockEnd)) =>
        {
            let Some(n) = next else { return Err(Confused) };
            // A sequence at its parent's column ("key:\n- a") gets no start token; open one.
            if st.top().ctx != Ctx::BlockSeq {
                let mut frame = Frame::new(Ctx::BlockSeq, col(t));
                frame.implicit_seq = true;
                st.stack.push(frame);
            }
            let indent = if n.line == t.line || n.col == t.col {
                col(n)
            } else {
                st.step_from(col(t), n)
            };
            st.stack.push(Frame::new(Ctx::Entry, indent));
        }
        Kind::Key => {
            let mut frame = Frame::new(Ctx::Key, st.top().indent);
            frame.explicit_key = is_explicit_key(src, t);
            st.stack.push(frame);
        }
        Kind::Value => {
            if st.top().ctx != Ctx::Key {
                return Err(Confused);
            }
            let p = prev.ok_or(Confused)?;
            let mut n = next.ok_or(Confused)?;
            // "key: &anchor\n  value" and "key: !!tag\n  value": the value is what counts.
            if matches!(n.kind, Kind::Anchor | Kind::Tag) {
                if let Some(nn) = after_next {
                    if n.line == p.line && n.line < nn.line {
                        n = nn;
                    }
                }
            }
            if !matches!(
                n.kind,
                Kind::BlockEnd | Kind::FlowMapEnd | Kind::FlowSeqEnd | Kind::Key
            ) {
                let top = st.top();
                let indent = if top.explicit_key {
                    st.step_from(top.indent, n)
                } else if n.line == p.line {
                    col(n)
                } else if matches!(n.kind, Kind::BlockSeqStart | Kind::BlockEntry) {
                    match st.sequences {
                        IndentSequences::No => top.indent,
                        IndentSequences::Yes => {
                            if st.spaces.is_none() && col(n) == top.indent {
                                -1 // not indented, and the step is not known yet
                            } else {
                                st.step_from(top.indent, n)
                            }
                        }
                        IndentSequences::Whatever | IndentSequences::Consistent => {
                            if col(n) == top.indent {
                                if st.sequences == IndentSequences::Consistent {
                                    st.sequences = IndentSequences::No;
                                }
                                top.indent
                            } else {
                                if st.sequences == IndentSequences::Consistent {
                                    st.sequences = IndentSequences::Yes;
                                }
                                st.step_from(top.indent, n)
                            }
                        }
                    }
                } else {
                    st.step_from(top.indent, n)
                };
                st.stack.push(Frame::new(Ctx::Val, indent));
            }
        }
        _ => {}
    }

    // Close every context this token ends.
    let mut consumed = false;
    loop {
        let top = st.top();
        let ends_flow = |ctx: Ctx, kind: Kind| {
            (ctx == Ctx::FlowSeq && kind == Kind::FlowSeqEnd)
                || (ctx == Ctx::FlowMap && kind == Kind::FlowMapEnd)
        };
        let next_kind = next.map(|n| n.kind);
        let ends_block = matches!(top.ctx, Ctx::BlockMap | Ctx::BlockSeq)
            && t.kind == Kind::BlockEnd
            && !top.implicit_seq;
        if !consumed && (ends_flow(top.ctx, t.kind) || ends_block) {
            st.stack.pop();
            consumed = true;
        } else if top.ctx == Ctx::Entry
            && t.kind != Kind::BlockEntry
            && st.under_top().is_some_and(|f| f.implicit_seq)
            && !matches!(t.kind, Kind::Anchor | Kind::Tag)
            && next_kind != Some(Kind::BlockEntry)
        {
            st.stack.pop();
            st.stack.pop();
        } else if top.ctx == Ctx::Entry
            && matches!(next_kind, Some(Kind::BlockEntry | Kind::BlockEnd))
        {
            st.stack.pop();
        } else if top.ctx == Ctx::Val && !matches!(t.kind, Kind::Value | Kind::Anchor | Kind::Tag) {
            if st.under_top().map_or(true, |f| f.ctx != Ctx::Key) {
                return Err(Confused);
            }
            st.stack.pop();
            st.stack.pop();
        } else if top.ctx == Ctx::Key
            && matches!(
                next_kind,
                Some(Kind::BlockEnd | Kind::FlowMapEnd | Kind::FlowSeqEnd | Kind::Key)
            )
        {
            st.stack.pop();
        } else {
            break;
        }
        if st.stack.is_empty() {
            return Err(Confused);
        }
    }
    Ok(())
}

/// The char index of a scalar's last char (for a block scalar, of its last content line).
fn scalar_end(src: &Source, t: &Tok, next: Option<&Tok>) -> Option<usize> {
    if t.block {
        return comments::block_end(src, t);
    }
    if !t.plain {
        return Some(comments::quoted_end(src, t.index));
    }
    // A plain scalar ends at the last char before the next token that is neither blank nor in
    // a comment (a plain scalar cannot hold ` #`).
    let chars = &src.chars;
    let mut i = next.map_or(chars.len(), |n| n.index.min(chars.len()));
    while i > t.index {
        let c = chars[i - 1];
        if c.is_whitespace() {
            i -= 1;
            continue;
        }
        let line = src.line_starts.partition_point(|&s| s < i);
        let start = src.line_starts[line - 1].max(t.index);
        let comment = (start..i).find(|&j| {
            chars[j] == '#'
                && (j == src.line_starts[line - 1] || matches!(chars[j - 1], ' ' | '\t'))
        });
        match comment {
            Some(j) if j > t.index => i = j,
            _ => return Some(i - 1),
        }
    }
    Some(t.index)
}

/// `check-multi-line-strings`: each line of a multi-line scalar after its first sits at the
/// column yamllint expects: a plain scalar's start, one past a quote, or for a block scalar
/// one indentation step past its owner (the step learned here when not yet known).
fn scalar_lines(st: &mut State, src: &Source, t: &Tok, next: Option<&Tok>, out: &mut Vec<Found>) {
    let Some(end) = scalar_end(src, t, next) else {
        return;
    };
    let end_line = src.line_starts.partition_point(|&s| s <= end);
    if end_line <= t.line {
        return;
    }
    let mut expected: Option<i64> = None;
    for line in t.line + 1..=end_line {
        let start = src.line_starts[line - 1];
        let indent = src.chars[start..].iter().take_while(|c| **c == ' ').count();
        if matches!(src.chars.get(start + indent), Some('\n') | None) {
            continue;
        }
        let found = i64::try_from(indent).unwrap_or(i64::MAX);
        let want = *expected.get_or_insert_with(|| expected_scalar_indent(st, t, found));
        if found != want {
            out.push(
                Found::new(
                    line,
                    indent + 1,
                    "indentation",
                    format!("wrong indentation: expected {want} but found {found}"),
                )
                .found_on(t.line),
            );
        }
    }
}

/// Where yamllint expects the lines of a multi-line scalar, from the first one's indent.
fn expected_scalar_indent(st: &mut State, t: &Tok, found: i64) -> i64 {
    if t.plain {
        return col(t);
    }
    if !t.block {
        return col(t) + 1;
    }
    let top = st.top();
    let base = match top.ctx {
        Ctx::Entry | Ctx::Key => col(t),
        Ctx::Val if t.line > st.last_visible_line => top.indent,
        Ctx::Val => match st.under_top() {
            Some(key) if key.explicit_key => col(t),
            Some(key) => key.indent,
            None => top.indent,
        },
        _ => top.indent,
    };
    base + *st.spaces.get_or_insert(found - base)
}
