//! Two things PyYAML reads that our YAML scanner refuses, read the same way.
//!
//! 1. A comment right after a flow indicator (`{`, `}`, `[`, `]`, `,`) or a quoted scalar, with
//!    no blank between: `key: {a: 1}#note`. PyYAML skips a `#` wherever it looks for the next
//!    token; our scanner wants a blank first.
//! 2. A continuation line of a multi-line quoted scalar indented no deeper than its key. PyYAML
//!    ignores indentation inside quoted scalars; our scanner refuses such a line.
//!
//! Both are handled by retrying, after such an error only, on a copy of the text with blanks
//! inserted: one before the `#` (only the comment moves), or enough at the start of each such
//! continuation line to put it under the scalar's first character (a quoted scalar's line folding
//! drops leading blanks, so its value is unchanged). Only blanks are inserted, never line
//! breaks, so lines keep their numbers and every position maps back to the original column.

use yaml_rust2::scanner::{Scanner, TScalarStyle, TokenType};

/// yaml-rust2's message for a `#` with no blank before it.
const COMMENT_NEEDS_BLANK: &str = "comments must be separated from other tokens by whitespace";
/// yaml-rust2's message for a quoted scalar line left of the block's indentation.
const QUOTED_INDENT: &str = "invalid indentation in quoted scalar";

/// Blanks inserted into a line: 1-based line, 0-based column of the original text, how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Insert {
    line: usize,
    col: usize,
    count: usize,
}

/// The text as read after the accommodations so far, and where blanks were inserted.
#[derive(Debug, Clone)]
pub(crate) struct Patched {
    /// The text with the blanks inserted.
    pub(crate) text: String,
    inserts: Vec<Insert>,
}

impl Patched {
    /// Starts from `original`, with nothing inserted.
    pub(crate) fn new(original: &str) -> Self {
        Self {
            text: original.to_owned(),
            inserts: Vec::new(),
        }
    }

    /// Whether anything was inserted.
    #[cfg(test)]
    pub(crate) fn is_patched(&self) -> bool {
        !self.inserts.is_empty()
    }

    /// Given a scanner error (`message` at 1-based `line`, 0-based char column `col` of the
    /// current text), inserts the blanks that make the scanner read what PyYAML reads there.
    /// Returns `false` (and changes nothing) when the error is not one of the two kinds.
    pub(crate) fn accommodate(&mut self, message: &str, line: usize, col: usize) -> bool {
        let added = match message {
            COMMENT_NEEDS_BLANK => self.comment_after_token(line, col),
            QUOTED_INDENT => self.quoted_continuations(line, col),
            _ => Vec::new(),
        };
        if added.is_empty() {
            return false;
        }
        for (l, c, count) in added {
            let (l, c) = self.to_original(l, c);
            match self.inserts.iter_mut().find(|i| i.line == l && i.col == c) {
                Some(existing) => existing.count += count,
                None => self.inserts.push(Insert {
                    line: l,
                    col: c,
                    count,
                }),
            }
        }
        true
    }

    /// Rebuilds the text from the original with every insertion.
    pub(crate) fn rebuild(&mut self, original: &str) {
        self.inserts.sort_by_key(|i| (i.line, i.col));
        let mut out = String::with_capacity(original.len() + self.inserts.len() * 8);
        let mut pending = self.inserts.iter().peekable();
        for (n, line) in original.split_inclusive('\n').enumerate() {
            let number = n + 1;
            for (col, ch) in line.chars().enumerate() {
                while let Some(i) = pending.next_if(|i| i.line == number && i.col == col) {
                    out.extend(std::iter::repeat(' ').take(i.count));
                }
                out.push(ch);
            }
            // An insertion at the very end of the text's last line (no line break after it).
            while let Some(i) = pending.next_if(|i| i.line == number) {
                out.extend(std::iter::repeat(' ').take(i.count));
            }
        }
        self.text = out;
    }

    /// Maps a 1-based line and 0-based char column of the patched text to the original's. A
    /// position inside inserted blanks maps to the character they were inserted before.
    pub(crate) fn to_original(&self, line: usize, col: usize) -> (usize, usize) {
        let mut shift = 0;
        let mut on_line: Vec<&Insert> = self.inserts.iter().filter(|i| i.line == line).collect();
        on_line.sort_by_key(|i| i.col);
        for i in on_line {
            let start = i.col + shift;
            if col >= start + i.count {
                shift += i.count;
            } else if col >= start {
                return (line, i.col);
            } else {
                break;
            }
        }
        (line, col - shift)
    }

    /// The chars of 1-based `line` of the current text (without its line break).
    fn line_chars(&self, line: usize) -> Option<Vec<char>> {
        self.text
            .split('\n')
            .nth(line.checked_sub(1)?)
            .map(|l| l.trim_end_matches('\r').chars().collect())
    }

    /// Case 1: a `#` at (`line`, `col`) right after a token PyYAML lets a comment follow.
    fn comment_after_token(&self, line: usize, col: usize) -> Vec<(usize, usize, usize)> {
        let Some(chars) = self.line_chars(line) else {
            return Vec::new();
        };
        let before = col.checked_sub(1).and_then(|c| chars.get(c));
        if chars.get(col) != Some(&'#')
            || !matches!(before, Some('{' | '}' | '[' | ']' | ',' | '\'' | '"'))
        {
            return Vec::new();
        }
        // Check, on the text with the blank, which token ends right before the `#`: a flow
        // indicator or a quoted scalar (not, say, a tag or alias ending in that character).
        let candidate = insert_blanks(&self.text, line, col, 1);
        if token_before(&candidate, line, col).is_some_and(|t| match t {
            TokenType::FlowSequenceStart
            | TokenType::FlowSequenceEnd
            | TokenType::FlowMappingStart
            | TokenType::FlowMappingEnd
            | TokenType::FlowEntry => true,
            TokenType::Scalar(style, _) => {
                matches!(
                    style,
                    TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted
                )
            }
            _ => false,
        }) {
            vec![(line, col, 1)]
        } else {
            Vec::new()
        }
    }

    /// Case 2: the quoted scalar starting at (`line`, `col`) has continuation lines the scanner
    /// finds too far left. Each of its lines whose text starts left of the scalar's column gets
    /// blanks to start there (all its leading blanks, tabs included, then lie right of it).
    fn quoted_continuations(&self, line: usize, col: usize) -> Vec<(usize, usize, usize)> {
        let lines: Vec<&str> = self.text.split('\n').collect();
        let Some(first) = line.checked_sub(1).and_then(|l| lines.get(l)) else {
            return Vec::new();
        };
        let first: Vec<char> = first.chars().collect();
        let Some(&quote @ ('\'' | '"')) = first.get(col) else {
            return Vec::new();
        };
        if closes(first.get(col + 1..).unwrap_or(&[]), quote) {
            return Vec::new();
        }
        let mut added = Vec::new();
        for (n, next) in lines.iter().enumerate().skip(line) {
            let chars: Vec<char> = next.trim_end_matches('\r').chars().collect();
            let indent = chars.iter().take_while(|c| matches!(c, ' ' | '\t')).count();
            if indent == 0 && is_document_marker(&chars) {
                // PyYAML refuses this too ("unexpected document separator").
                return Vec::new();
            }
            if indent < chars.len() && indent < col {
                let has_tab = chars[..indent].contains(&'\t');
                added.push((n + 1, 0, if has_tab { col } else { col - indent }));
            }
            if closes(&chars, quote) {
                return added;
            }
        }
        // No closing quote: not this case (the scanner's own error stands).
        Vec::new()
    }
}

/// Whether a quoted scalar's closing `quote` is on this line (a line of the scalar after its
/// opening quote). An escape never reaches past the line's end: a `\` there escapes the break.
fn closes(chars: &[char], quote: char) -> bool {
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' if quote == '"' => i += 1,
            c if c == quote => {
                if quote == '\'' && chars.get(i + 1) == Some(&'\'') {
                    i += 1;
                } else {
                    return true;
                }
            }
            _ => {}
        }
        i += 1;
    }
    false
}

/// `---` or `...` followed by a blank or the end of the line.
fn is_document_marker(chars: &[char]) -> bool {
    let marker = chars.get(..3);
    (marker == Some(&['-', '-', '-'][..]) || marker == Some(&['.', '.', '.'][..]))
        && chars.get(3).map_or(true, |c| matches!(c, ' ' | '\t'))
}

/// `text` with `count` blanks inserted at 1-based `line`, 0-based char column `col`.
fn insert_blanks(text: &str, line: usize, col: usize, count: usize) -> String {
    let mut out = String::with_capacity(text.len() + count);
    for (n, l) in text.split_inclusive('\n').enumerate() {
        if n + 1 == line {
            let at = l.char_indices().nth(col).map_or(l.len(), |(b, _)| b);
            out.push_str(&l[..at]);
            out.extend(std::iter::repeat(' ').take(count));
            out.push_str(&l[at..]);
        } else {
            out.push_str(l);
        }
    }
    out
}

/// The token that starts last before (`line`, `col`) in `text` (the one emitted last among
/// those starting at the same place), scanning no further than needed.
fn token_before(text: &str, line: usize, col: usize) -> Option<TokenType> {
    let mut scanner = Scanner::new(text.chars());
    let mut best: Option<((usize, usize), TokenType)> = None;
    while let Ok(Some(token)) = scanner.next_token() {
        let at = (token.0.line(), token.0.col());
        if matches!(token.1, TokenType::StreamEnd) {
            break;
        }
        // Tokens queued for a possible key come out in file order, and a block end is placed
        // where the next token starts, so the first one at or past the `#` ends the search.
        if at >= (line, col) {
            break;
        }
        if matches!(token.1, TokenType::BlockEnd) {
            continue;
        }
        if best.as_ref().map_or(true, |(b, _)| at >= *b) {
            best = Some((at, token.1));
        }
    }
    best.map(|(_, t)| t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_positions_back_across_insertions() {
        let original = "a: {x: 1}#c\nq: \"x\ny\"\n";
        let mut p = Patched::new(original);
        assert!(p.accommodate(COMMENT_NEEDS_BLANK, 1, 9));
        p.rebuild(original);
        assert_eq!(p.text, "a: {x: 1} #c\nq: \"x\ny\"\n");
        assert_eq!(p.to_original(1, 10), (1, 9));
        assert_eq!(p.to_original(1, 9), (1, 9));
        assert_eq!(p.to_original(1, 8), (1, 8));
        assert!(p.accommodate(QUOTED_INDENT, 2, 3));
        p.rebuild(original);
        assert_eq!(p.text, "a: {x: 1} #c\nq: \"x\n   y\"\n");
        assert_eq!(p.to_original(3, 4), (3, 1));
        assert_eq!(p.to_original(3, 0), (3, 0));
    }

    #[test]
    fn leaves_other_errors_and_anchors_alone() {
        let mut p = Patched::new("a: &x'#c\n");
        assert!(!p.accommodate(COMMENT_NEEDS_BLANK, 1, 6));
        let mut p = Patched::new("a: [1]\n");
        assert!(!p.accommodate("did not find expected node content", 1, 4));
        assert!(!p.is_patched());
    }

    #[test]
    fn refuses_a_document_marker_inside_a_quoted_scalar() {
        let mut p = Patched::new("q: \"x\n---\ny\"\n");
        assert!(!p.accommodate(QUOTED_INDENT, 1, 3));
    }
}
