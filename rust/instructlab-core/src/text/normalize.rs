//! Text normalisation: Unicode NFKC, case folding, whitespace and punctuation options.

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

/// Which normalisations to apply before comparing texts. Each one is independent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(clippy::struct_excessive_bools)] // four independent switches, as users see them
pub struct Normalize {
    /// Unicode compatibility composition (NFKC): full-width letters, ligatures and composed
    /// accents compare equal to their plain forms.
    pub nfkc: bool,
    /// Lower-case (Unicode-aware).
    pub lowercase: bool,
    /// Trim, and turn every run of whitespace into one space.
    pub collapse_whitespace: bool,
    /// Treat punctuation and symbols (every character that is neither alphanumeric nor
    /// whitespace) as spaces, so that "2+2" and "2 + 2" become the same words.
    pub strip_punctuation: bool,
}

impl Default for Normalize {
    /// NFKC, lower case and collapsed whitespace; punctuation kept.
    fn default() -> Self {
        Self {
            nfkc: true,
            lowercase: true,
            collapse_whitespace: true,
            strip_punctuation: false,
        }
    }
}

impl Normalize {
    /// No normalisation at all: texts are compared byte for byte.
    pub const RAW: Self = Self {
        nfkc: false,
        lowercase: false,
        collapse_whitespace: false,
        strip_punctuation: false,
    };

    /// Every normalisation on, punctuation included.
    pub const AGGRESSIVE: Self = Self {
        nfkc: true,
        lowercase: true,
        collapse_whitespace: true,
        strip_punctuation: true,
    };

    /// Whether this leaves every text unchanged.
    pub fn is_raw(&self) -> bool {
        *self == Self::RAW
    }

    /// Applies the normalisation; borrows when nothing needs to change.
    pub fn apply<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if self.is_raw() {
            return Cow::Borrowed(text);
        }
        if text.is_ascii() && !self.strip_punctuation {
            return self.apply_ascii(text);
        }
        self.apply_general(text)
    }

    /// Every option, for any text.
    fn apply_general<'a>(self, text: &'a str) -> Cow<'a, str> {
        // ASCII text is its own NFKC form: skip the Unicode tables on the common path.
        let composed: Cow<'a, str> = if self.nfkc && !text.is_ascii() {
            Cow::Owned(text.nfkc().collect())
        } else {
            Cow::Borrowed(text)
        };
        if !self.lowercase && !self.collapse_whitespace && !self.strip_punctuation {
            return composed;
        }
        let mut out = String::with_capacity(composed.len());
        let mut pending_space = false;
        for c in composed.chars() {
            let c = if self.strip_punctuation && !c.is_alphanumeric() && !c.is_whitespace() {
                ' '
            } else {
                c
            };
            if self.collapse_whitespace && c.is_whitespace() {
                pending_space = !out.is_empty();
                continue;
            }
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            if self.lowercase {
                out.extend(c.to_lowercase());
            } else {
                out.push(c);
            }
        }
        Cow::Owned(out)
    }
}

impl Normalize {
    /// The common case (ASCII, punctuation kept) byte by byte, borrowing when the text is
    /// already normal.
    fn apply_ascii(self, text: &str) -> Cow<'_, str> {
        let bytes = text.as_bytes();
        // `char::is_whitespace` on ASCII is exactly \t..=\r and the space.
        let ws = |c: &u8| *c == b' ' || (b'\t'..=b'\r').contains(c);
        // One pass: is the text already normal (no capitals; single spaces, none at the ends)?
        let mut already = true;
        let mut previous_ws = true;
        for c in bytes {
            let w = ws(c);
            if (self.lowercase && c.is_ascii_uppercase())
                || (self.collapse_whitespace && w && (previous_ws || *c != b' '))
            {
                already = false;
                break;
            }
            previous_ws = w;
        }
        if self.collapse_whitespace && !bytes.is_empty() && previous_ws {
            already = false;
        }
        if already {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut pending_space = false;
        for &c in bytes {
            // `char::is_whitespace` (not `is_ascii_whitespace`, which lacks \x0b) keeps this
            // identical to the general path.
            if self.collapse_whitespace && ws(&c) {
                pending_space = !out.is_empty();
                continue;
            }
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(char::from(if self.lowercase {
                c.to_ascii_lowercase()
            } else {
                c
            }));
        }
        Cow::Owned(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn default_folds_case_width_and_spacing() {
        let n = Normalize::default();
        assert_eq!(n.apply("  Hello\t\n  WORLD  "), "hello world");
        // Full-width letters and the "fi" ligature are compatibility characters.
        assert_eq!(n.apply("ＡＢＣ ﬁne"), "abc fine");
        // Composed and decomposed é compare equal.
        assert_eq!(n.apply("caf\u{e9}"), n.apply("cafe\u{301}"));
        assert_eq!(n.apply("Hello, world!"), "hello, world!");
    }

    #[test]
    fn raw_borrows_and_changes_nothing() {
        let text = "  Mixed CASE, punct!  ";
        assert!(matches!(Normalize::RAW.apply(text), Cow::Borrowed(t) if t == text));
    }

    #[test]
    fn punctuation_and_empty_edge_cases() {
        let n = Normalize::AGGRESSIVE;
        assert_eq!(n.apply("Don't -- stop!!"), "don t stop");
        assert_eq!(n.apply("2+2"), n.apply("2 + 2"));
        assert_eq!(n.apply(""), "");
        assert_eq!(n.apply(" \t\n "), "");
        assert_eq!(n.apply("¡¿!?"), "");
        assert_eq!(n.apply("Straße İstanbul"), "straße i\u{307}stanbul");
    }

    proptest! {
        #[test]
        fn the_ascii_path_matches_the_general_one(text in "[ -~\t\n\x0b\x0c\r]{0,40}") {
            for n in [Normalize::default(), Normalize { lowercase: false, ..Normalize::default() }] {
                prop_assert_eq!(n.apply_ascii(&text), n.apply_general(&text));
            }
        }

        #[test]
        fn normalisation_is_idempotent(text in "\\PC{0,40}") {
            for n in [Normalize::default(), Normalize::AGGRESSIVE] {
                let once = n.apply(&text).into_owned();
                prop_assert_eq!(n.apply(&once).into_owned(), once);
            }
        }
    }
}
