//! The one error type of the core crate.
//!
//! The binding crate maps each variant to one exception class of `instructlab.errors`, in one
//! place, so a new variant here needs exactly one new arm there.

use std::fmt;

/// A position in a named input: 1-based line and column, as editors count them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// The file (or a description of the input when it has no file).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Everything that can go wrong in the core.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The input is not well-formed YAML, or uses YAML we refuse (several documents, complex keys).
    #[error("{location}: {message}")]
    Yaml {
        /// Where the problem is.
        location: Location,
        /// What is wrong, for a person.
        message: String,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {message}")]
    Io {
        /// The file involved.
        path: String,
        /// The operating system's reason.
        message: String,
    },
    /// The work was interrupted (Ctrl-C) before it finished.
    #[error("interrupted")]
    Interrupted,
    /// A git repository could not be read, or a ref could not be found.
    #[error("{path}: {message}")]
    Git {
        /// The repository.
        path: String,
        /// What went wrong and what to do.
        message: String,
    },
    /// A caller passed a value the kernel cannot work with (a threshold out of range, columns of
    /// different lengths).
    #[error("{name}: {message}")]
    InvalidArgument {
        /// The parameter or input at fault.
        name: String,
        /// What is wrong and what is expected.
        message: String,
    },
}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
