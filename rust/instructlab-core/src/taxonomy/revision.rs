//! A taxonomy as it was at a revision: its `qna.yaml` files read from git's object database
//! (libgit2, in-process), so a branch can be read without checking it out and without touching
//! the user's work tree. Branch benchmarks (MT-Bench-branch) compare two such snapshots.

use std::path::Path;

use git2::{ObjectType, Repository, TreeWalkMode, TreeWalkResult};

use crate::{Error, Result};

fn fail(path: &Path, message: impl Into<String>) -> Error {
    Error::Git {
        path: path.display().to_string(),
        message: message.into(),
    }
}

/// Every file named `name` in the tree of `rev` (a branch, remote branch, tag or commit), as
/// `(path, text)` pairs sorted by path (`/`-separated, relative to the repository root). Bytes
/// that are not UTF-8 are replaced, so a damaged file reaches the parser, which names it.
pub fn files_named_at(repo_path: &Path, rev: &str, name: &str) -> Result<Vec<(String, String)>> {
    let repo = Repository::open(repo_path).map_err(|_| {
        fail(
            repo_path,
            "this is not the root of a git repository (branches are read from git)",
        )
    })?;
    let commit = repo
        .revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map_err(|_| {
            fail(
                repo_path,
                format!("no branch, tag or commit named '{rev}' (`git branch -a` lists them)"),
            )
        })?;
    let tree = commit
        .tree()
        .map_err(|e| fail(repo_path, e.message().to_owned()))?;
    let mut found = Vec::new();
    let mut failure: Option<git2::Error> = None;
    tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() != Some(ObjectType::Blob) || entry.name() != Some(name) {
            return TreeWalkResult::Ok;
        }
        match repo.find_blob(entry.id()) {
            Ok(blob) => {
                let text = String::from_utf8_lossy(blob.content()).into_owned();
                found.push((format!("{dir}{name}"), text));
                TreeWalkResult::Ok
            }
            Err(e) => {
                failure = Some(e);
                TreeWalkResult::Abort
            }
        }
    })
    .map_err(|e| fail(repo_path, e.message().to_owned()))?;
    if let Some(e) = failure {
        return Err(fail(repo_path, e.message().to_owned()));
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::git::test_repo::commit_all;
    use std::fs;

    #[test]
    fn reads_each_revision_without_the_work_tree() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path();
        let repo = Repository::init(root).expect("init");
        fs::create_dir_all(root.join("skills/a")).expect("mkdir");
        fs::write(root.join("skills/a/qna.yaml"), "v: 1\n").expect("write");
        fs::write(root.join("README.md"), "x").expect("write");
        commit_all(&repo, "base");
        let head = repo.head().expect("head").peel_to_commit().expect("commit");
        repo.branch("base", &head, true).expect("branch");
        fs::create_dir_all(root.join("skills/b/c")).expect("mkdir");
        fs::write(root.join("skills/a/qna.yaml"), "v: 2\n").expect("write");
        fs::write(root.join("skills/b/c/qna.yaml"), "v: 3\n").expect("write");
        commit_all(&repo, "new");
        fs::write(root.join("skills/a/qna.yaml"), "uncommitted\n").expect("write");

        let old = files_named_at(root, "base", "qna.yaml").expect("base");
        assert_eq!(old, [("skills/a/qna.yaml".to_owned(), "v: 1\n".to_owned())]);
        let new = files_named_at(root, "HEAD", "qna.yaml").expect("head");
        assert_eq!(
            new,
            [
                ("skills/a/qna.yaml".to_owned(), "v: 2\n".to_owned()),
                ("skills/b/c/qna.yaml".to_owned(), "v: 3\n".to_owned()),
            ]
        );
        let missing = files_named_at(root, "no-such-branch", "qna.yaml").expect_err("missing");
        assert!(missing.to_string().contains("no-such-branch"), "{missing}");
        let not_a_repo = files_named_at(&root.join("skills"), "HEAD", "qna.yaml");
        assert!(not_a_repo.is_err());
    }
}
