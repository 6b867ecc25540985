//! Which files of a taxonomy tree are leaves, and finding them all.

use std::path::Path;

use rayon::prelude::*;

use crate::{Error, Interrupt, Result};

use super::problem::Problem;

/// The folders whose `qna.yaml` files feed generation.
pub const LEAF_FOLDERS: [&str; 2] = ["compositional_skills", "knowledge"];
/// The folder validated and generated from only on request.
pub const FOUNDATIONAL: &str = "foundational_skills";

/// What a file of the tree is, for the taxonomy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// A `qna.yaml` leaf to validate.
    Leaf,
    /// Not part of the taxonomy (README, attribution, other folders).
    Other,
    /// Looks like a leaf but is not one; the problem says why.
    Refused(Problem),
}

/// Classifies a `/`-separated path relative to the taxonomy root.
pub fn classify(path: &str, include_foundational: bool) -> Role {
    let mut parts = path.split('/');
    let top = parts.next().unwrap_or("");
    let in_scope = LEAF_FOLDERS.contains(&top) || (include_foundational && top == FOUNDATIONAL);
    if !in_scope || !path.contains('/') {
        return Role::Other;
    }
    if path.split('/').any(|p| p.starts_with('.')) {
        return Role::Other;
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    if name == "qna.yaml" {
        return Role::Leaf;
    }
    let lower = name.to_ascii_lowercase();
    if lower == "qna.yaml" || lower == "qna.yml" {
        return Role::Refused(
            Problem::error(
                path,
                (1, 1),
                "",
                "file",
                format!("skipped: a leaf must be named exactly 'qna.yaml', not '{name}'"),
            )
            .warning(),
        );
    }
    // InstructLab reads every `.yaml` file under the leaf folders and refuses misnamed ones.
    if std::path::Path::new(name)
        .extension()
        .is_some_and(|e| e == "yaml")
    {
        return Role::Refused(Problem::error(
            path,
            (1, 1),
            "",
            "file",
            format!(
                "'{name}' is not a taxonomy leaf: YAML files under {top}/ must be named 'qna.yaml' \
                 (rename it, or move it out of the taxonomy)"
            ),
        ));
    }
    Role::Other
}

/// Every leaf of the tree (sorted), and the problems of files that look like leaves but are not.
/// Folders are read in parallel; `interrupt` is polled before each one.
pub fn walk(
    root: &Path,
    include_foundational: bool,
    interrupt: &Interrupt,
) -> Result<(Vec<String>, Vec<Problem>)> {
    let mut folders: Vec<String> = LEAF_FOLDERS.iter().map(|s| (*s).to_owned()).collect();
    if include_foundational {
        folders.push(FOUNDATIONAL.to_owned());
    }
    if !root.is_dir() {
        return Err(Error::Io {
            path: root.display().to_string(),
            message: "the taxonomy directory does not exist".to_owned(),
        });
    }
    let mut found = Found::default();
    for part in folders
        .into_par_iter()
        .map(|rel| walk_folder(root, &rel, include_foundational, interrupt))
        .collect::<Result<Vec<_>>>()?
    {
        found.merge(part);
    }
    found.leaves.sort();
    found.problems.sort();
    Ok((found.leaves, found.problems))
}

/// What part of a walk found.
#[derive(Default)]
struct Found {
    leaves: Vec<String>,
    problems: Vec<Problem>,
}

impl Found {
    fn merge(&mut self, other: Found) {
        self.leaves.extend(other.leaves);
        self.problems.extend(other.problems);
    }
}

/// One folder and, in parallel, its subfolders. A folder that cannot be listed (a missing top
/// folder) is simply empty.
fn walk_folder(
    root: &Path,
    rel: &str,
    include_foundational: bool,
    interrupt: &Interrupt,
) -> Result<Found> {
    interrupt.check()?;
    let dir = root.join(rel);
    let mut found = Found::default();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(found);
    };
    let mut folders = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::Io {
            path: dir.display().to_string(),
            message: e.to_string(),
        })?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = format!("{rel}/{name}");
        let file_type = entry.file_type().map_err(|e| Error::Io {
            path: path.clone(),
            message: e.to_string(),
        })?;
        if file_type.is_dir() {
            folders.push(path);
        } else {
            match classify(&path, include_foundational) {
                Role::Leaf => found.leaves.push(path),
                Role::Refused(p) => found.problems.push(p),
                Role::Other => {}
            }
        }
    }
    for part in folders
        .into_par_iter()
        .map(|sub| walk_folder(root, &sub, include_foundational, interrupt))
        .collect::<Result<Vec<_>>>()?
    {
        found.merge(part);
    }
    Ok(found)
}
