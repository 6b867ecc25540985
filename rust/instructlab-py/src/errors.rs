//! The one place where core errors become Python exceptions.
//!
//! Exception classes live in Python (`instructlab.errors`) so that users can subclass, pickle and
//! document them like any other; this file only picks the class and its arguments.

use instructlab_core::Error;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A core error on its way to Python. (A local type, so `From<…> for PyErr` is allowed here.)
#[derive(Debug)]
pub struct NativeError(pub Error);

impl From<Error> for NativeError {
    fn from(err: Error) -> Self {
        Self(err)
    }
}

/// A bad argument: `name` is the argument (or input) at fault, `message` says what is wrong and
/// what is expected. Python sees `UsageError("name: message", param=name)`.
pub fn invalid(name: &str, message: impl Into<String>) -> NativeError {
    NativeError(Error::InvalidArgument {
        name: name.to_owned(),
        message: message.into(),
    })
}

impl From<NativeError> for PyErr {
    fn from(NativeError(err): NativeError) -> PyErr {
        Python::attach(|py| match instantiate(py, &err) {
            Ok(exc) => exc,
            // The Python package is broken if its error module cannot be imported; say so
            // rather than hiding the original message.
            Err(import_failure) => PyRuntimeError::new_err(format!(
                "{err} (and instructlab.errors could not be loaded: {import_failure})"
            )),
        })
    }
}

fn instantiate(py: Python<'_>, err: &Error) -> PyResult<PyErr> {
    let module = py.import("instructlab.errors")?;
    let kwargs = PyDict::new(py);
    let class = match err {
        Error::Yaml { location, message } => {
            kwargs.set_item("file", &location.file)?;
            kwargs.set_item("line", location.line)?;
            kwargs.set_item("column", location.column)?;
            kwargs.set_item("message", message)?;
            "YamlSyntaxError"
        }
        Error::Io { path, message } => {
            kwargs.set_item("file", path)?;
            kwargs.set_item("message", message)?;
            "FileError"
        }
        Error::Interrupted => return Ok(pyo3::exceptions::PyKeyboardInterrupt::new_err(())),
        Error::Git { path, message } => {
            kwargs.set_item("repository", path)?;
            kwargs.set_item("message", message)?;
            "GitError"
        }
        Error::InvalidArgument { name, message } => {
            kwargs.set_item("message", format!("{name}: {message}"))?;
            kwargs.set_item("param", name)?;
            "UsageError"
        }
        Error::ChatTemplate { message } => {
            kwargs.set_item("message", message)?;
            "ChatTemplateError"
        }
        Error::Tokenizer {
            source_name,
            message,
        } => {
            kwargs.set_item("file", source_name)?;
            kwargs.set_item("message", message)?;
            "TokenizerError"
        }
        Error::Packing { message } => {
            kwargs.set_item("message", message)?;
            "PackingError"
        }
    };
    let instance = module.getattr(class)?.call((), Some(&kwargs))?;
    Ok(PyErr::from_value(instance))
}
