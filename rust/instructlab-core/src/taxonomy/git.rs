//! Which files changed since a base, in-process (libgit2), as InstructLab defines "changed":
//! committed on the branch since its fork point with the base, staged, unstaged, or untracked;
//! deleted files are not changes to validate.

use std::path::Path;

use std::collections::{HashMap, HashSet};

use git2::{Commit, Delta, DiffOptions, IndexEntry, Oid, Repository};
use rayon::prelude::*;

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
/// empty): git neither lists nor stats what lies outside them. This is libgit2's full status
/// scan of the work tree; [`changed_among`] is the fast form for the files that matter.
pub fn changed_files_in(repo_path: &Path, base: &str, folders: &[&str]) -> Result<Vec<String>> {
    let repo = open(repo_path)?;
    let fork = fork_point(&repo, repo_path, base)?;
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
    limit_to(&mut options, folders);
    let diff = repo
        .diff_tree_to_workdir_with_index(Some(&tree), Some(&mut options))
        .map_err(|e| fail(repo_path, e.message().to_owned()))?;
    let mut changed: Vec<String> = diff
        .deltas()
        .filter(|d| d.status() != Delta::Deleted)
        .filter_map(|d| d.new_file().path().map(slash_path))
        .collect();
    changed.sort();
    changed.dedup();
    Ok(changed)
}

const EMPTY_HINT: &str = "or use --taxonomy-base=empty to check every leaf without git";

fn open(repo_path: &Path) -> Result<Repository> {
    Repository::open(repo_path).map_err(|_| {
        fail(
            repo_path,
            format!("this is not the root of a git repository; run `git init` there, {EMPTY_HINT}"),
        )
    })
}

/// The commit the branch forked from `base` at (`base` itself on an unborn branch).
fn fork_point<'r>(repo: &'r Repository, repo_path: &Path, base: &str) -> Result<Commit<'r>> {
    let base_commit = repo
        .revparse_single(base)
        .and_then(|o| o.peel_to_commit())
        .map_err(|_| {
            fail(
                repo_path,
                format!(
                    "no branch, tag or commit named '{base}' (fetch it, name another with \
                     --taxonomy-base, {EMPTY_HINT})"
                ),
            )
        })?;
    match repo.head().ok().and_then(|h| h.peel_to_commit().ok()) {
        Some(head) => {
            let id = repo.merge_base(head.id(), base_commit.id()).map_err(|_| {
                fail(
                    repo_path,
                    format!(
                        "HEAD shares no history with '{base}'; name another base, {EMPTY_HINT}"
                    ),
                )
            })?;
            repo.find_commit(id)
                .map_err(|e| fail(repo_path, e.message().to_owned()))
        }
        None => Ok(base_commit),
    }
}

/// Limits a diff to literal top-level folders (not patterns): libgit2 then skips every other
/// folder outright.
fn limit_to(options: &mut DiffOptions, folders: &[&str]) {
    if !folders.is_empty() {
        options.disable_pathspec_match(true);
        for folder in folders {
            options.pathspec(*folder);
        }
    }
}

fn slash_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The files that matter (`matters`) changed since the fork point of `HEAD` with `base`,
/// sorted: exactly `git diff --name-only --diff-filter=d <fork-point>` plus
/// `git ls-files --others --exclude-standard`, limited to `folders` and to `matters`.
///
/// `present` lists the files that matter in the work tree (the taxonomy walk finds them); only
/// those not in the index are checked against the ignore rules. Tracked files are compared by
/// the index's stat data, as git does: a file whose size, times, inode or mode differ from its
/// index entry, or whose entry is racy (modified no earlier than the index was written), is
/// compared by content. Nothing else of the work tree is read or statted.
pub fn changed_among(
    repo_path: &Path,
    base: &str,
    folders: &[&str],
    matters: &dyn Fn(&str) -> bool,
    present: &[String],
) -> Result<Vec<String>> {
    let tracked = tracked_changes(repo_path, base, folders, matters)?;
    untracked_added(repo_path, tracked, folders, matters, present)
}

/// The tracked part of [`changed_among`]: the files that matter in the index, and those of
/// them changed since the fork point (not yet sorted).
#[derive(Debug, Default)]
pub struct Tracked {
    /// The tracked files that matter.
    pub files: HashSet<String>,
    /// Those changed since the fork point (and still in the work tree).
    pub changed: Vec<String>,
}

/// The tracked files that matter, and which of them changed since the fork point of `HEAD`
/// with `base` (see [`changed_among`]).
pub fn tracked_changes(
    repo_path: &Path,
    base: &str,
    folders: &[&str],
    matters: &dyn Fn(&str) -> bool,
) -> Result<Tracked> {
    tracked_changes_by(repo_path, base, folders, matters, true)
}

/// [`tracked_changes`], using the index's cached trees or not (to test both ways).
fn tracked_changes_by(
    repo_path: &Path,
    base: &str,
    folders: &[&str],
    matters: &dyn Fn(&str) -> bool,
    cached_trees: bool,
) -> Result<Tracked> {
    let repo = open(repo_path)?;
    let err = |e: git2::Error| fail(repo_path, e.message().to_owned());
    let fork = fork_point(&repo, repo_path, base)?;
    let fork_tree = fork.tree().map_err(err)?;
    let mut index = repo.index().map_err(err)?;
    let workdir = repo
        .workdir()
        .ok_or_else(|| fail(repo_path, "a bare repository has no files to check"))?
        .to_path_buf();
    // Paths whose staged content may differ from the fork point's (committed or staged since):
    // the trees are compared folder by folder, skipping every folder that is the same object on
    // both sides; without the index's cached trees, libgit2 compares the whole index.
    let mut suspects: HashSet<String> = HashSet::new();
    let staged = if cached_trees {
        staged_tree(&repo, &mut index)
    } else {
        None
    };
    if let Some(tree) = staged {
        let mut paths = Vec::new();
        tree_changes(&repo, &fork_tree, &tree, "", folders, &mut paths).map_err(err)?;
        suspects.extend(paths.into_iter().filter(|p| matters(p)));
    } else {
        let mut options = DiffOptions::new();
        options.include_typechange(true).ignore_submodules(true);
        limit_to(&mut options, folders);
        let diff = repo
            .diff_tree_to_index(Some(&fork_tree), Some(&index), Some(&mut options))
            .map_err(err)?;
        for delta in diff.deltas() {
            for file in [delta.old_file(), delta.new_file()] {
                if let Some(path) = file.path().map(slash_path) {
                    if matters(&path) {
                        suspects.insert(path);
                    }
                }
            }
        }
    }
    // Tracked files that matter, and those whose stat data say they may have been edited.
    let stamp = std::fs::metadata(repo.path().join("index"))
        .ok()
        .and_then(|m| stamp_of(&m));
    let filemode = repo
        .config()
        .and_then(|c| c.get_bool("core.filemode"))
        .unwrap_or(true);
    let entries: Vec<(String, IndexEntry)> = index
        .iter()
        .filter_map(|entry| {
            let path = std::str::from_utf8(&entry.path).ok()?.to_owned();
            (within(&path, folders) && matters(&path)).then_some((path, entry))
        })
        .collect();
    let dirty: Vec<&String> = entries
        .par_iter()
        .filter(|(path, entry)| {
            let stage = (entry.flags >> 12) & 0x3;
            // `--assume-unchanged` and `--skip-worktree` entries: git takes the index's word.
            let trusted = entry.flags & 0x8000 != 0 || entry.flags_extended & 0x4000 != 0;
            stage != 0 || (!trusted && !stat_clean(entry, &workdir.join(path), stamp, filemode))
        })
        .map(|(path, _)| path)
        .collect();
    suspects.extend(dirty.into_iter().cloned());
    let tracked: HashSet<String> = entries.into_iter().map(|(p, _)| p).collect();
    let mut changed = Vec::new();
    // Suspects still in the index and in the work tree: compared with the fork point by content.
    let mut compare = Vec::new();
    for path in suspects {
        if !tracked.contains(&path) || !is_file(&workdir.join(&path)) {
            continue; // deleted, or untracked now (found below)
        }
        if fork_tree.get_path(Path::new(&path)).is_ok() {
            compare.push(path);
        } else {
            changed.push(path); // added since the fork point
        }
    }
    if !compare.is_empty() {
        let mut options = DiffOptions::new();
        options
            .include_typechange(true)
            .ignore_submodules(true)
            .disable_pathspec_match(true);
        for path in &compare {
            options.pathspec(path.as_str());
        }
        let diff = repo
            .diff_tree_to_workdir(Some(&fork_tree), Some(&mut options))
            .map_err(err)?;
        changed.extend(
            diff.deltas()
                .filter(|d| d.status() != Delta::Deleted)
                .filter_map(|d| d.new_file().path().map(slash_path)),
        );
    }
    Ok(Tracked {
        files: tracked,
        changed,
    })
}

/// [`changed_among`] from its tracked part: adds the untracked files of `present` (in the
/// work tree, not in the index, not ignored, not in a nested repository), sorted.
pub fn untracked_added(
    repo_path: &Path,
    tracked: Tracked,
    folders: &[&str],
    matters: &dyn Fn(&str) -> bool,
    present: &[String],
) -> Result<Vec<String>> {
    let Tracked { files, mut changed } = tracked;
    let mut repo = None;
    for path in present {
        if files.contains(path.as_str()) || !within(path, folders) || !matters(path) {
            continue;
        }
        if in_nested_repository(repo_path, path) {
            continue;
        }
        if repo.is_none() {
            repo = Some(open(repo_path)?);
        }
        if let Some(repo) = &repo {
            if repo
                .is_path_ignored(path)
                .map_err(|e| fail(repo_path, e.message().to_owned()))?
            {
                continue;
            }
        }
        changed.push(path.clone());
    }
    changed.sort();
    changed.dedup();
    Ok(changed)
}

/// The tree the index would commit, built in memory (never written to the repository), when
/// that is cheap: git keeps the trees of unchanged folders in the index (its cache-tree
/// extension), so only the folders touched since are built. `None` when the index keeps no
/// such trees or many are out of date (a full diff of the index is then cheaper), or when it
/// has conflicts.
fn staged_tree<'r>(repo: &'r Repository, index: &mut git2::Index) -> Option<git2::Tree<'r>> {
    let bytes = std::fs::read(repo.path().join("index")).ok()?;
    let stale = stale_cached_trees(&bytes)?;
    if stale > MAX_STALE_TREES {
        return None;
    }
    // Objects written from now on go to memory, ahead of the repository's own stores.
    let odb = repo.odb().ok()?;
    odb.add_new_mempack_backend(1000).ok()?;
    let id = index.write_tree().ok()?;
    repo.find_tree(id).ok()
}

/// The files that differ between two trees (added, removed or changed), under `prefix` and
/// within `folders` at the top level: folders whose trees are the same object are skipped
/// unread, so only the paths that changed are visited.
fn tree_changes(
    repo: &Repository,
    old: &git2::Tree<'_>,
    new: &git2::Tree<'_>,
    prefix: &str,
    folders: &[&str],
    out: &mut Vec<String>,
) -> std::result::Result<(), git2::Error> {
    if old.id() == new.id() {
        return Ok(());
    }
    let by_name = |tree: &git2::Tree<'_>| -> HashMap<Vec<u8>, (Oid, i32)> {
        tree.iter()
            .map(|e| (e.name_bytes().to_vec(), (e.id(), e.filemode())))
            .collect()
    };
    let (a, b) = (by_name(old), by_name(new));
    let mut names: Vec<&Vec<u8>> = a.keys().chain(b.keys()).collect();
    names.sort();
    names.dedup();
    for name in names {
        let Ok(name_text) = std::str::from_utf8(name) else {
            continue;
        };
        if prefix.is_empty() && !folders.is_empty() && !folders.contains(&name_text) {
            continue;
        }
        let path = if prefix.is_empty() {
            name_text.to_owned()
        } else {
            format!("{prefix}/{name_text}")
        };
        let (x, y) = (a.get(name), b.get(name));
        if x == y {
            continue;
        }
        let is_tree = |e: Option<&(Oid, i32)>| e.is_some_and(|(_, mode)| *mode == 0o040_000);
        match (x, y) {
            (Some((xo, _)), Some((yo, _))) if is_tree(x) && is_tree(y) => {
                let (xt, yt) = (repo.find_tree(*xo)?, repo.find_tree(*yo)?);
                tree_changes(repo, &xt, &yt, &path, folders, out)?;
            }
            _ => {
                // Added, removed, or a file on one side and a folder on the other.
                for entry in [x, y] {
                    match entry {
                        Some((id, _)) if is_tree(entry) => {
                            all_files(repo, &repo.find_tree(*id)?, &path, out)?;
                        }
                        Some(_) => out.push(path.clone()),
                        None => {}
                    }
                }
            }
        }
    }
    Ok(())
}

/// Every file in a tree, as paths under `prefix`.
fn all_files(
    repo: &Repository,
    tree: &git2::Tree<'_>,
    prefix: &str,
    out: &mut Vec<String>,
) -> std::result::Result<(), git2::Error> {
    for e in tree {
        let Some(name) = e.name() else { continue };
        let path = format!("{prefix}/{name}");
        if e.filemode() == 0o040_000 {
            all_files(repo, &repo.find_tree(e.id())?, &path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// How many out-of-date folders the index's cached trees may have before a full diff of the
/// index is cheaper than building their trees.
const MAX_STALE_TREES: usize = 256;

/// The number of out-of-date folders in the cache-tree (`TREE`) extension of an index file,
/// `None` when it has none (or the file is not an index this reader knows: versions 2 to 4).
fn stale_cached_trees(bytes: &[u8]) -> Option<usize> {
    let word = |at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
    };
    if bytes.get(..4)? != b"DIRC" {
        return None;
    }
    let version = word(4)?;
    let count = word(8)?;
    let mut at = 12;
    for _ in 0..count {
        // ctime, mtime, dev, ino, mode, uid, gid, size (40 bytes), object id (20), flags (2).
        let flags = u16::from_be_bytes(bytes.get(at + 60..at + 62)?.try_into().ok()?);
        let start = at + 62 + if flags & 0x4000 != 0 { 2 } else { 0 };
        if version == 4 {
            // A varint of bytes to drop from the previous path, then the rest, NUL-ended.
            let mut i = start;
            while bytes.get(i)? & 0x80 != 0 {
                i += 1;
            }
            let nul = bytes.get(i + 1..)?.iter().position(|&b| b == 0)?;
            at = i + 1 + nul + 1;
        } else if (2..=3).contains(&version) {
            let nul = bytes.get(start..)?.iter().position(|&b| b == 0)?;
            // Entries are padded with NULs to a multiple of 8 bytes (at least one NUL).
            let len = start - at + nul;
            at += (len + 8) & !7;
        } else {
            return None;
        }
    }
    // Extensions: a 4-byte signature, a 4-byte size, the data; the file ends with a hash.
    while at + 8 <= bytes.len() {
        let size = usize::try_from(word(at + 4)?).ok()?;
        let data = bytes.get(at + 8..at + 8 + size)?;
        if &bytes[at..at + 4] == b"TREE" {
            return Some(count_stale(data));
        }
        at += 8 + size;
    }
    None
}

/// Counts the folders marked out of date (an entry count of -1) in cache-tree data: each
/// folder is `path NUL entries SP subtrees LF`, then an object id when it is up to date.
fn count_stale(data: &[u8]) -> usize {
    let mut stale = 0;
    let mut at = 0;
    while at < data.len() {
        let Some(nul) = data[at..].iter().position(|&b| b == 0) else {
            break;
        };
        let rest = &data[at + nul + 1..];
        let Some(lf) = rest.iter().position(|&b| b == b'\n') else {
            break;
        };
        let valid = !rest.starts_with(b"-");
        if !valid {
            stale += 1;
        }
        at += nul + 1 + lf + 1 + if valid { 20 } else { 0 };
    }
    stale
}

/// Whether `path` lies in one of `folders` (every path when there are none).
fn within(path: &str, folders: &[&str]) -> bool {
    folders.is_empty()
        || folders.iter().any(|f| {
            path.strip_prefix(f)
                .is_some_and(|rest| rest.starts_with('/'))
        })
}

fn is_file(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_dir())
}

/// Whether a folder between the work tree's root and `path` holds its own repository (git
/// lists such a folder as one untracked entry, never the files inside).
fn in_nested_repository(workdir: &Path, path: &str) -> bool {
    let mut folder = workdir.to_path_buf();
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    parts.into_iter().any(|part| {
        folder.push(part);
        folder.join(".git").exists()
    })
}

/// A modification time as (seconds, nanoseconds).
type Stamp = (i64, i64);

#[cfg(unix)]
#[allow(clippy::unnecessary_wraps)] // `None` elsewhere
fn stamp_of(m: &std::fs::Metadata) -> Option<Stamp> {
    use std::os::unix::fs::MetadataExt;
    Some((m.mtime(), m.mtime_nsec()))
}

#[cfg(not(unix))]
fn stamp_of(_: &std::fs::Metadata) -> Option<Stamp> {
    None
}

/// Whether the file's stat data still match its index entry, so that its content is the
/// entry's: git's test (size, modification and change times, inode, owner, type and, with
/// `core.filemode`, the executable bit), and its racy-timestamp rule: an entry modified no
/// earlier than the index file was written (`stamp`) is never trusted.
#[cfg(unix)]
fn stat_clean(entry: &IndexEntry, path: &Path, stamp: Option<Stamp>, filemode: bool) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(m) = std::fs::symlink_metadata(path) else {
        return false;
    };
    let Some(stamp) = stamp else {
        return false;
    };
    // Index times are 32-bit seconds; a nanosecond part of 0 means the writer kept none.
    let same_time = |seconds: i32, nanos: u32, s: i64, ns: i64| {
        i64::from(seconds) == s && (nanos == 0 || i64::from(nanos) == ns)
    };
    let entry_mtime = (
        i64::from(entry.mtime.seconds()),
        i64::from(entry.mtime.nanoseconds()),
    );
    let kind = entry.mode & 0o170_000;
    let same_kind = match kind {
        0o100_000 => {
            m.file_type().is_file()
                && (!filemode || (entry.mode & 0o100 != 0) == (m.mode() & 0o100 != 0))
        }
        0o120_000 => m.file_type().is_symlink(),
        _ => false,
    };
    // Racy: modified in (or after) the index's own timestamp; without nanoseconds, the second.
    let before_index = entry_mtime.0 < stamp.0
        || (entry_mtime.0 == stamp.0 && entry_mtime.1 != 0 && entry_mtime.1 < stamp.1);
    same_kind
        && before_index
        && same_time(entry.mtime.seconds(), entry.mtime.nanoseconds(), m.mtime(), m.mtime_nsec())
        && same_time(entry.ctime.seconds(), entry.ctime.nanoseconds(), m.ctime(), m.ctime_nsec())
        // The index keeps the low 32 bits of sizes and inode numbers.
        && u64::from(entry.file_size) == m.size() & 0xffff_ffff
        && u64::from(entry.ino) == m.ino() & 0xffff_ffff
        && entry.uid == m.uid()
        && entry.gid == m.gid()
}

#[cfg(not(unix))]
fn stat_clean(_: &IndexEntry, _: &Path, _: Option<Stamp>, _: bool) -> bool {
    false // no comparable stat data: every file is compared by content
}

/// What the taxonomy's tests share: committing a fixture work tree.
#[cfg(test)]
pub(crate) mod test_repo {
    use git2::{Repository, Signature};

    /// Stages everything in the work tree and commits it on `HEAD`.
    pub(crate) fn commit_all(repo: &Repository, message: &str) {
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
}

#[cfg(test)]
mod tests {
    use super::test_repo::commit_all;
    use super::*;
    use std::fs;

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

    /// Runs the git command line in `dir` (isolated from the user's configuration).
    fn git(dir: &Path, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .args(["-c", "commit.gpgsign=false", "-c", "user.name=t"])
            .args([
                "-c",
                "user.email=t@example.invalid",
                "-c",
                "core.autocrlf=false",
            ])
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// What git itself calls changed: `git diff --name-only --diff-filter=d <fork>` plus the
    /// untracked files, limited to the leaf folders' YAML files.
    fn git_says(root: &Path, base: &str) -> Vec<String> {
        let fork = git(root, &["merge-base", "HEAD", base]);
        let mut out: Vec<String> = git(
            root,
            &[
                "diff",
                "--name-only",
                "--no-renames",
                "--diff-filter=d",
                fork.trim(),
            ],
        )
        .lines()
        .chain(git(root, &["ls-files", "--others", "--exclude-standard"]).lines())
        .map(str::to_owned)
        .filter(|p| matters(p))
        .collect();
        out.sort();
        out.dedup();
        out
    }

    fn matters(path: &str) -> bool {
        crate::taxonomy::walk::classify(path, false) != crate::taxonomy::walk::Role::Other
    }

    /// Ours, both with and without the index's cached trees (which must agree).
    fn ours(root: &Path, base: &str) -> Vec<String> {
        let (leaves, refused) =
            crate::taxonomy::walk::walk(root, false, &crate::Interrupt::new()).expect("walk");
        let mut present = leaves;
        present.extend(refused.into_iter().map(|p| p.file));
        let folders = crate::taxonomy::walk::LEAF_FOLDERS;
        let without = tracked_changes_by(root, base, &folders, &matters, false).expect("git");
        let without = untracked_added(root, without, &folders, &matters, &present).expect("git");
        let with = changed_among(root, base, &folders, &matters, &present).expect("changed");
        assert_eq!(with, without, "with and without the cached trees");
        with
    }

    fn write(root: &Path, path: &str, text: &str) {
        let file = root.join(path);
        fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        fs::write(file, text).expect("write");
    }

    fn leaf(n: usize) -> String {
        let area = if n % 2 == 0 {
            "knowledge"
        } else {
            "compositional_skills"
        };
        format!("{area}/topic_{n}/qna.yaml")
    }

    #[test]
    fn every_kind_of_change_is_exactly_what_git_reports() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path();
        git(root, &["init", "-q", "-b", "main"]);
        for n in 0..16 {
            write(root, &leaf(n), &format!("version: {n}\n"));
        }
        write(root, "README.md", "readme\n");
        write(root, ".gitignore", "ignored_dir/\n*.tmp.yaml\n");
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", "base"]);
        git(root, &["checkout", "-q", "-b", "work"]);
        // Committed on the branch: an edit, a rename, a deletion, a new leaf.
        write(root, &leaf(0), "version: 100\n");
        fs::create_dir(root.join("compositional_skills/renamed")).expect("mkdir");
        git(
            root,
            &["mv", &leaf(1), "compositional_skills/renamed/qna.yaml"],
        );
        git(root, &["rm", "-q", &leaf(2)]);
        write(root, "knowledge/new_committed/qna.yaml", "version: 3\n");
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", "branch work"]);
        // Committed, then reverted in the work tree to the fork point's content: unchanged.
        write(root, &leaf(3), "version: 300\n");
        git(root, &["commit", "-q", "-am", "edit 3"]);
        write(root, &leaf(3), "version: 3\n");
        // Staged; staged then deleted; staged new; unstaged; deleted unstaged.
        write(root, &leaf(4), "version: 400\n");
        git(root, &["add", &leaf(4)]);
        write(root, &leaf(5), "version: 500\n");
        git(root, &["add", &leaf(5)]);
        fs::remove_file(root.join(leaf(5))).expect("rm");
        write(root, "knowledge/staged_new/qna.yaml", "version: 1\n");
        git(root, &["add", "knowledge/staged_new/qna.yaml"]);
        write(root, &leaf(6), "version: 600\n");
        fs::remove_file(root.join(leaf(7))).expect("rm");
        // Untracked: a leaf, a misnamed file, ignored ones (folder and pattern), one in a
        // nested repository, a file outside the leaf folders.
        write(
            root,
            "compositional_skills/untracked/deep/qna.yaml",
            "version: 2\n",
        );
        write(root, "knowledge/misnamed/qna.yml", "version: 2\n");
        write(root, "knowledge/ignored_dir/qna.yaml", "version: 2\n");
        write(root, "knowledge/x/notes.tmp.yaml", "version: 2\n");
        write(root, "knowledge/nested/inner/qna.yaml", "version: 2\n");
        git(&root.join("knowledge/nested"), &["init", "-q"]);
        write(root, "other/qna.yaml", "version: 2\n");
        // Touched but unchanged; rewritten with the same content; same size, new content.
        let touched = root.join(leaf(8));
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
        fs::File::options()
            .write(true)
            .open(&touched)
            .expect("open")
            .set_modified(later)
            .expect("touch");
        write(root, &leaf(9), "version: 9\n");
        write(root, &leaf(10), "version: 99\n"); // "version: 10\n": same size
                                                 // A file replaced by a folder.
        fs::remove_file(root.join(leaf(11))).expect("rm");
        fs::create_dir(root.join(leaf(11))).expect("mkdir");
        let expected = git_says(root, "main");
        let objects = git(root, &["count-objects", "-v"]);
        assert_eq!(ours(root, "main"), expected);
        // The staged tree is built in memory: nothing is written into the repository.
        assert_eq!(git(root, &["count-objects", "-v"]), objects);
        assert_eq!(
            expected,
            [
                "compositional_skills/renamed/qna.yaml",
                "compositional_skills/untracked/deep/qna.yaml",
                "knowledge/misnamed/qna.yml",
                "knowledge/new_committed/qna.yaml",
                "knowledge/staged_new/qna.yaml",
                leaf(0).as_str(),
                leaf(10).as_str(),
                leaf(4).as_str(),
                leaf(6).as_str(),
            ]
        );
    }

    /// Makes the index claim `content` for `path` while the file keeps its own (different)
    /// content, with the file's exact stat data: only the racy-timestamp rule can tell.
    fn lie_in_index(root: &Path, path: &str, content: &[u8], modified: std::time::SystemTime) {
        let file = fs::File::options()
            .write(true)
            .open(root.join(path))
            .expect("open");
        file.set_modified(modified).expect("set mtime");
        drop(file);
        let repo = Repository::open(root).expect("open");
        let mut index = repo.index().expect("index");
        index.add_path(Path::new(path)).expect("stat");
        let mut entry = index.get_path(Path::new(path), 0).expect("entry");
        entry.id = repo.blob(content).expect("blob");
        index.add(&entry).expect("replace");
        index.write().expect("write");
    }

    #[test]
    fn the_racy_timestamp_rule_is_gits() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path();
        git(root, &["init", "-q", "-b", "main"]);
        write(root, "knowledge/a/qna.yaml", "version: 1\n");
        write(root, "knowledge/b/qna.yaml", "version: 1\n");
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", "base"]);
        // Same size, new content, stat data the index agrees with.
        write(root, "knowledge/a/qna.yaml", "version: 2\n");
        write(root, "knowledge/b/qna.yaml", "version: 2\n");
        let now = std::time::SystemTime::now();
        // Modified long before the index was written: git trusts the stat data (unchanged).
        lie_in_index(
            root,
            "knowledge/a/qna.yaml",
            b"version: 1\n",
            now - std::time::Duration::from_secs(3600),
        );
        // Modified after the index was written: racy, so git compares the content (changed).
        lie_in_index(
            root,
            "knowledge/b/qna.yaml",
            b"version: 1\n",
            now + std::time::Duration::from_secs(3600),
        );
        let expected = git_says(root, "main");
        assert_eq!(expected, ["knowledge/b/qna.yaml"]);
        assert_eq!(ours(root, "main"), expected);
    }

    #[test]
    fn a_fresh_clone_and_an_unborn_branch_agree_with_git() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path().join("origin");
        fs::create_dir(&root).expect("mkdir");
        git(&root, &["init", "-q", "-b", "main"]);
        for n in 0..6 {
            write(&root, &leaf(n), "version: 2\n");
        }
        git(&root, &["add", "-A"]);
        git(&root, &["commit", "-q", "-m", "base"]);
        let clone = dir.path().join("clone");
        git(
            dir.path(),
            &["clone", "-q", root.to_str().expect("utf-8"), "clone"],
        );
        assert!(ours(&clone, "origin/main").is_empty());
        write(&clone, &leaf(2), "version: 3\n");
        assert_eq!(ours(&clone, "origin/main"), git_says(&clone, "origin/main"));
        let unborn = dir.path().join("unborn");
        fs::create_dir(&unborn).expect("mkdir");
        git(&unborn, &["init", "-q", "-b", "work"]);
        git(
            &unborn,
            &["fetch", "-q", root.to_str().expect("utf-8"), "main:main"],
        );
        write(&unborn, &leaf(1), "version: 2\n");
        write(&unborn, &leaf(7), "version: 2\n");
        // Nothing is in the index yet: both files are untracked, as `git ls-files -o` says.
        let untracked = git(&unborn, &["ls-files", "--others", "--exclude-standard"]);
        assert_eq!(untracked.lines().collect::<Vec<_>>(), [leaf(1), leaf(7)]);
        assert_eq!(ours(&unborn, "main"), [leaf(1), leaf(7)]);
    }

    #[test]
    fn the_index_says_how_many_cached_trees_are_out_of_date() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path();
        git(root, &["init", "-q", "-b", "main"]);
        for n in 0..4 {
            write(root, &leaf(n), "version: 2\n");
        }
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", "base"]);
        let index = || fs::read(root.join(".git/index")).expect("index");
        assert_eq!(stale_cached_trees(&index()), Some(0));
        write(root, "knowledge/topic_0/more/qna.yaml", "version: 2\n");
        git(root, &["add", "knowledge/topic_0/more/qna.yaml"]);
        // The root, knowledge/ and knowledge/topic_0/ are out of date.
        assert_eq!(stale_cached_trees(&index()), Some(3));
        assert_eq!(ours(root, "main"), ["knowledge/topic_0/more/qna.yaml"]);
        // Version 4 (paths compressed against the previous one) reads the same.
        git(root, &["update-index", "--index-version", "4"]);
        assert_eq!(stale_cached_trees(&index()), Some(3));
        assert_eq!(stale_cached_trees(b"DIRC"), None);
        assert_eq!(stale_cached_trees(b"not an index"), None);
    }

    #[test]
    fn assume_unchanged_and_skip_worktree_files_are_taken_as_the_index_says() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path();
        git(root, &["init", "-q", "-b", "main"]);
        for n in 0..3 {
            write(root, &leaf(n), "version: 2\n");
        }
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", "base"]);
        git(root, &["update-index", "--assume-unchanged", &leaf(0)]);
        git(root, &["update-index", "--skip-worktree", &leaf(1)]);
        for n in 0..3 {
            write(root, &leaf(n), "version: 3, edited\n");
        }
        let expected = git_says(root, "main");
        assert_eq!(expected, [leaf(2)]);
        assert_eq!(ours(root, "main"), expected);
    }
}
