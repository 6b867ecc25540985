//! The YAML token stream the lint rules look at, with positions, and the text around tokens.

use yaml_rust2::scanner::{ScanError, Scanner, TScalarStyle, TokenType};

use crate::yaml::pyyaml_quirks::Patched;

/// The kinds of token the rules distinguish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    StreamStart,
    StreamEnd,
    Directive,
    DocStart,
    DocEnd,
    BlockSeqStart,
    BlockMapStart,
    BlockEnd,
    FlowSeqStart,
    FlowSeqEnd,
    FlowMapStart,
    FlowMapEnd,
    BlockEntry,
    FlowEntry,
    Key,
    Value,
    Alias,
    Anchor,
    Tag,
    Scalar,
}

/// One token: kind, position (1-based line, 0-based column, char index), and for anchors,
/// aliases and scalars their text.
#[derive(Debug, Clone)]
pub struct Tok {
    pub kind: Kind,
    pub line: usize,
    pub col: usize,
    pub index: usize,
    pub text: String,
    pub plain: bool,
    /// A literal (`|`) or folded (`>`) block scalar.
    pub block: bool,
}

impl Tok {
    /// Whether a person can see it (`yamllint`'s notion: not stream marks or block ends).
    pub fn visible(&self) -> bool {
        match self.kind {
            Kind::StreamStart | Kind::StreamEnd | Kind::BlockEnd => false,
            Kind::Scalar => !(self.text.is_empty() && self.plain),
            _ => true,
        }
    }
}

/// The tokens up to the end, or up to the first syntax error (the parser reports that one).
///
/// Positions are those of the indicator a person sees: the scanner marks a block mapping's
/// start at its first colon and a block entry after its dash, so both are moved back here.
pub fn scan(src: &Source) -> Vec<Tok> {
    let mut out = raw_scan(src);
    for i in 0..out.len() {
        match out[i].kind {
            Kind::BlockMapStart => {
                if let Some((line, col, index)) = out.get(i + 1).map(|n| (n.line, n.col, n.index)) {
                    out[i].line = line;
                    out[i].col = col;
                    out[i].index = index;
                }
            }
            Kind::BlockEntry => {
                let mut j = out[i].index.min(src.chars.len());
                let mut back = 0;
                while j > 0 && matches!(src.chars[j - 1], ' ' | '\t') {
                    j -= 1;
                    back += 1;
                }
                if j > 0 && src.chars[j - 1] == '-' {
                    out[i].index = j - 1;
                    out[i].col = out[i].col.saturating_sub(back + 1);
                }
            }
            // The scanner marks a block scalar where its content starts; people (and yamllint)
            // place it at its `|` or `>` indicator.
            Kind::Scalar if out[i].block => {
                let mut j = out[i].index.min(src.chars.len());
                while j > 0 && !matches!(src.chars[j - 1], '|' | '>') {
                    j -= 1;
                }
                if j > 0 {
                    let index = j - 1;
                    let line = src.line_starts.partition_point(|&s| s <= index);
                    out[i].index = index;
                    out[i].line = line;
                    out[i].col = index - src.line_starts[line - 1];
                }
            }
            _ => {}
        }
    }
    out
}

fn raw_scan(src: &Source) -> Vec<Tok> {
    let (out, error) = scan_chars(src.chars.iter().copied(), src, None);
    let Some(mut error) = error else {
        return out;
    };
    // What PyYAML reads and our scanner refuses (see `yaml::pyyaml_quirks`): rescan a text with
    // blanks inserted, placing every token back in the original text.
    let original: String = src.chars.iter().collect();
    let mut patched = Patched::new(&original);
    let mut out = out;
    for _ in 0..=src.chars.len() {
        if !patched.accommodate(
            error.info(),
            error.marker().line().max(1),
            error.marker().col(),
        ) {
            break;
        }
        patched.rebuild(&original);
        let (again, next) = scan_chars(patched.text.chars(), src, Some(&patched));
        out = again;
        match next {
            Some(e) => error = e,
            None => break,
        }
    }
    out
}

/// Scans tokens until the end or an error. With `patched`, `chars` are its text and positions
/// are mapped back to `src`.
fn scan_chars(
    chars: impl Iterator<Item = char>,
    src: &Source,
    patched: Option<&Patched>,
) -> (Vec<Tok>, Option<ScanError>) {
    let mut scanner = Scanner::new(chars);
    let mut out = Vec::new();
    let mut error = None;
    loop {
        let token = match scanner.next_token() {
            Ok(Some(token)) => token,
            Ok(None) => break,
            Err(e) => {
                error = Some(e);
                break;
            }
        };
        let (line, col) = match patched {
            Some(p) => p.to_original(token.0.line().max(1), token.0.col()),
            None => (token.0.line().max(1), token.0.col()),
        };
        let mut text = String::new();
        let mut plain = false;
        let mut block = false;
        let kind = match token.1 {
            TokenType::StreamStart(_) => Kind::StreamStart,
            TokenType::StreamEnd => Kind::StreamEnd,
            TokenType::VersionDirective(..) | TokenType::TagDirective(..) => Kind::Directive,
            TokenType::DocumentStart => Kind::DocStart,
            TokenType::DocumentEnd => Kind::DocEnd,
            TokenType::BlockSequenceStart => Kind::BlockSeqStart,
            TokenType::BlockMappingStart => Kind::BlockMapStart,
            TokenType::BlockEnd => Kind::BlockEnd,
            TokenType::FlowSequenceStart => Kind::FlowSeqStart,
            TokenType::FlowSequenceEnd => Kind::FlowSeqEnd,
            TokenType::FlowMappingStart => Kind::FlowMapStart,
            TokenType::FlowMappingEnd => Kind::FlowMapEnd,
            TokenType::BlockEntry => Kind::BlockEntry,
            TokenType::FlowEntry => Kind::FlowEntry,
            TokenType::Key => Kind::Key,
            TokenType::Value => Kind::Value,
            TokenType::Alias(name) => {
                text = name;
                Kind::Alias
            }
            TokenType::Anchor(name) => {
                text = name;
                Kind::Anchor
            }
            TokenType::Tag(..) => Kind::Tag,
            TokenType::Scalar(style, value) => {
                plain = style == TScalarStyle::Plain;
                block = matches!(style, TScalarStyle::Literal | TScalarStyle::Folded);
                text = value;
                Kind::Scalar
            }
        };
        let end = kind == Kind::StreamEnd;
        out.push(Tok {
            kind,
            line,
            col,
            // The scanner's own index drifts on some non-ASCII text; line and column do not.
            index: src
                .line_starts
                .get(line - 1)
                .map_or(src.chars.len(), |start| (start + col).min(src.chars.len())),
            text,
            plain,
            block,
        });
        if end {
            break;
        }
    }
    (out, error)
}

/// The text as characters (token positions count characters), with each line's start.
pub struct Source {
    pub chars: Vec<char>,
    pub line_starts: Vec<usize>,
}

impl Source {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        // Sized up front: collecting `chars()` would grow the vector from a quarter of it.
        let mut chars: Vec<char> = Vec::with_capacity(text.len());
        chars.extend(text.chars());
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        for (i, c) in chars.iter().enumerate() {
            if *c == '\n' {
                line_starts.push(i + 1);
            }
        }
        Self { chars, line_starts }
    }

    /// Whether only blanks precede column `col` on 1-based `line`.
    pub fn only_blanks_before(&self, line: usize, col: usize) -> bool {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return true;
        };
        self.chars
            .get(start..(start + col).min(self.chars.len()))
            .is_some_and(|p| p.iter().all(|c| *c == ' ' || *c == '\t'))
    }

    /// Blanks right before char `index` on its line; `None` when nothing else precedes them on
    /// that line (no previous token on the same line).
    pub fn blanks_before(&self, index: usize) -> Option<usize> {
        let mut i = index.min(self.chars.len());
        let mut n = 0;
        while i > 0 && matches!(self.chars[i - 1], ' ' | '\t') {
            i -= 1;
            n += 1;
        }
        if i == 0 || self.chars[i - 1] == '\n' || self.chars[i - 1] == '\r' {
            None
        } else {
            Some(n)
        }
    }

    /// Blanks right after char `index` (exclusive end of a one-char token); `None` when the line
    /// ends, or a comment starts, after them (no next token on the same line).
    pub fn blanks_after(&self, index: usize) -> Option<usize> {
        let mut i = index;
        let mut n = 0;
        while i < self.chars.len() && matches!(self.chars[i], ' ' | '\t') {
            i += 1;
            n += 1;
        }
        match self.chars.get(i) {
            None | Some('\n' | '\r') => None,
            Some('#') if n > 0 => None,
            Some(_) => Some(n),
        }
    }
}
