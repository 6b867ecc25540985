//! Why a row was dropped: one code per heuristic, stable across releases (codes are written
//! into reports and returned as arrays).

macro_rules! reasons {
    ($($(#[doc = $doc:literal])* $variant:ident = $code:literal => $name:literal,)*) => {
        /// The reason a quality filter dropped a row. Code 0 is reserved for "kept".
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Reason {
            $($(#[doc = $doc])* $variant = $code,)*
        }

        impl Reason {
            /// Every reason, in code order.
            pub const ALL: &'static [Reason] = &[$(Reason::$variant,)*];

            /// The reason's name in reports (snake case).
            pub fn name(self) -> &'static str {
                match self {
                    $(Reason::$variant => $name,)*
                }
            }
        }
    };
}

reasons! {
    /// The text is empty or only whitespace.
    Empty = 1 => "empty",
    /// Fewer characters than `min_chars`.
    TooFewChars = 2 => "too_few_chars",
    /// More characters than `max_chars`.
    TooManyChars = 3 => "too_many_chars",
    /// Fewer words than `min_words`.
    TooFewWords = 4 => "too_few_words",
    /// More words than `max_words`.
    TooManyWords = 5 => "too_many_words",
    /// Fewer tokens than `min_tokens`.
    TooFewTokens = 6 => "too_few_tokens",
    /// More tokens than `max_tokens`.
    TooManyTokens = 7 => "too_many_tokens",
    /// Mean word length under `min_avg_word_length`.
    ShortWords = 8 => "short_words",
    /// Mean word length over `max_avg_word_length`.
    LongWords = 9 => "long_words",
    /// Too many `#` or ellipses per word.
    SymbolRatio = 10 => "symbol_ratio",
    /// Too many lines start with a bullet.
    BulletLines = 11 => "bullet_lines",
    /// Too many lines end with an ellipsis.
    EllipsisLines = 12 => "ellipsis_lines",
    /// Too few words contain a letter.
    NonAlphaWords = 13 => "non_alpha_words",
    /// Too few distinct English stop words (not running prose).
    FewStopWords = 14 => "few_stop_words",
    /// Too many characters that are neither letters, digits nor whitespace.
    NonAlnumChars = 15 => "non_alnum_chars",
    /// Too many lines repeat an earlier line.
    DuplicateLines = 16 => "duplicate_lines",
    /// Too many paragraphs repeat an earlier paragraph.
    DuplicateParagraphs = 17 => "duplicate_paragraphs",
    /// Too many characters sit in repeated lines.
    DuplicateLineChars = 18 => "duplicate_line_chars",
    /// Too many characters sit in repeated paragraphs.
    DuplicateParagraphChars = 19 => "duplicate_paragraph_chars",
    /// The most frequent short n-gram covers too much of the text.
    TopNgram = 20 => "top_ngram",
    /// Too much of the text is covered by repeated longer n-grams.
    DuplicateNgrams = 21 => "duplicate_ngrams",
    /// The text stops mid-sentence (a generation cut off by its token limit).
    Truncated = 22 => "truncated",
    /// The answer repeats the question.
    EchoesQuestion = 23 => "echoes_question",
}

impl Reason {
    /// The code written in keep/reason arrays.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The reason with this code, if any.
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.iter().copied().find(|r| r.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_round_trip() {
        let mut names = std::collections::HashSet::new();
        for (i, r) in Reason::ALL.iter().enumerate() {
            assert_eq!(usize::from(r.code()), i + 1);
            assert_eq!(Reason::from_code(r.code()), Some(*r));
            assert!(names.insert(r.name()));
        }
        assert_eq!(Reason::from_code(0), None);
    }
}
