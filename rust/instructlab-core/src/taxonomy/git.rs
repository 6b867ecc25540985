//! Which files changed since a base, in-process (libgit2), as InstructLab defines "changed":
//! committed on the branch since its fork point with the base, staged, unstaged, or untracked;
//! deleted files are not changes to validate.

use std::path::Path;

use git2::{Delta, DiffOptions, Repository};

use crate::{Error, Result};

fn fail(path: &Path, message: impl Into<String>) -> Error {
    Error::Git {
        path: path.display().to_string(),
        message: message.into(),
    }
}

/// The `/`-separated paths (relative to the repository root) that changed since the fork point
/// of `HEAD` with `base` (a branch, remote branch, tag or commit), sorted.
pub fn changed_files(repo_path: &Path, base: &str) -> Result<Vec<String>> {
    changed_files_in(repo_path, base, &[])
}

/// [`changed_files`] limited to the given top-level folders (every file when `folders` is
/// empty): git neither lists nor stats what lies outside them.
pub fn changed_files_in(repo_path: &Path, base: &str, folders: &[&str]) -> Result<Vec<String>> {
    let empty_hint = "or use --taxonomy-base=empty to check every leaf without git";
    let repo = Repository::open(repo_path).map_err(|_| {
        fail(
            repo_path,
            format!("this is not the root of a git repository; run `git init` there, {empty_hint}"),
        )
    })?;
    let base_commit = repo
        .revparse_single(base)
        .and_then(|o| o.peel_to_commit())
        .map_err(|_| {
            fail(
                repo_path,
                format!(
                    "no branch, tag or commit named '{base}' (fetch it, name another with \
                     --taxonomy-base, {empty_hint})"
                ),
            )
        })?;
    let fork = match repo.head().ok().and_then(|h| h.peel_to_commit().ok()) {
        Some(head) => {
            let id = repo.merge_base(head.id(), base_commit.id()).map_err(|_| {
                fail(
                    repo_path,
                    format!(
                        "HEAD shares no history with '{base}'; name another base, {empty_hint}"
                    ),
                )
            })?;
            repo.find_commit(id)
                .map_err(|e| fail(repo_path, e.message().to_owned()))?
        }
        None => base_commit,
    };
    let tree = fork
        .tree()
        .map_err(|e| fail(repo_path, e.message().to_owned()))?;
    let mut options = DiffOptions::new();
    options
        .include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_typechange(true)
        .ignore_submodules(true)
        .skip_binary_check(true);
    if !folders.is_empty() {
        // Literal folder names (not patterns): libgit2 then skips every other folder outright.
        options.disable_pathspec_match(true);
        for folder in folders {
            options.pathspec(*folder);
        }
    }
    let diff = repo
        .diff_tree_to_workdir_with_index(Some(&tree), Some(&mut options))
        .map_err(|e| fail(repo_path, e.message().to_owned()))?;
    let mut changed: Vec<String> = diff
        .deltas()
        .filter(|d| d.status() != Delta::Deleted)
        .filter_map(|d| {
            d.new_file()
                .path()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
        })
        .collect();
    changed.sort();
    changed.dedup();
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::Signature;
    use std::fs;

    fn commit_all(repo: &Repository, message: &str) {
        let mut index = repo.index().expect("index");
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .expect("add");
        index.write().expect("write index");
        let tree_id = index.write_tree().expect("tree");
        let tree = repo.find_tree(tree_id).expect("find tree");
        let sig = Signature::now("t", "t@example.invalid").expect("sig");
        let parents: Vec<git2::Commit> = repo
            .head()
            .ok()
            .and_then(|h| h.peel_to_commit().ok())
            .into_iter()
            .collect();
        let refs: Vec<&git2::Commit> = parents.iter().collect();
        repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &refs)
            .expect("commit");
    }

    #[test]
    fn committed_staged_unstaged_and_untracked_changes_count_deletions_do_not() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path();
        let repo = Repository::init(root).expect("init");
        for name in ["a", "b", "c", "d"] {
            fs::create_dir_all(root.join(name)).expect("mkdir");
            fs::write(root.join(name).join("qna.yaml"), "x: 1\n").expect("write");
        }
        commit_all(&repo, "base");
        let head = repo.head().expect("head").peel_to_commit().expect("commit");
        repo.branch("main", &head, true).expect("branch");
        fs::write(root.join("a/qna.yaml"), "x: 2\n").expect("write");
        commit_all(&repo, "committed change");
        fs::write(root.join("b/qna.yaml"), "x: 3\n").expect("write");
        let mut index = repo.index().expect("index");
        index.add_path(Path::new("b/qna.yaml")).expect("stage");
        index.write().expect("write");
        fs::write(root.join("c/qna.yaml"), "x: 4\n").expect("unstaged");
        fs::create_dir_all(root.join("e/f")).expect("mkdir");
        fs::write(root.join("e/f/qna.yaml"), "x: 5\n").expect("untracked");
        fs::remove_file(root.join("d/qna.yaml")).expect("delete");
        let changed = changed_files(root, "main").expect("diff");
        assert_eq!(
            changed,
            ["a/qna.yaml", "b/qna.yaml", "c/qna.yaml", "e/f/qna.yaml"]
        );
    }

    #[test]
    fn folders_limit_the_changes_to_those_folders() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path();
        let repo = Repository::init(root).expect("init");
        fs::write(root.join("README.md"), "x").expect("write");
        commit_all(&repo, "base");
        for name in ["knowledge/a", "knowledge_extra/b", "docs"] {
            fs::create_dir_all(root.join(name)).expect("mkdir");
            fs::write(root.join(name).join("qna.yaml"), "x: 1\n").expect("write");
        }
        fs::write(root.join("README.md"), "y").expect("write");
        let head = repo.head().expect("head").peel_to_commit().expect("commit");
        repo.branch("main", &head, true).expect("branch");
        assert_eq!(
            changed_files_in(root, "main", &["knowledge"]).expect("diff"),
            ["knowledge/a/qna.yaml"]
        );
        assert_eq!(
            changed_files(root, "main").expect("diff"),
            [
                "README.md",
                "docs/qna.yaml",
                "knowledge/a/qna.yaml",
                "knowledge_extra/b/qna.yaml"
            ]
        );
    }

    #[test]
    fn unknown_base_and_non_repositories_say_what_to_do() {
        let dir = tempfile::tempdir().expect("tmp");
        let err = changed_files(dir.path(), "origin/main").expect_err("not a repo");
        assert!(
            err.to_string().contains("not the root of a git repository"),
            "{err}"
        );
        assert!(err.to_string().contains("--taxonomy-base=empty"), "{err}");
        let repo = Repository::init(dir.path()).expect("init");
        fs::write(dir.path().join("f"), "x").expect("write");
        commit_all(&repo, "one");
        let err = changed_files(dir.path(), "origin/main").expect_err("no base");
        assert!(
            err.to_string()
                .contains("no branch, tag or commit named 'origin/main'"),
            "{err}"
        );
    }
}
