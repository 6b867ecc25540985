//! yamllint's comment directives, exactly as yamllint 1.38 reads them:
//!
//! - `# yamllint disable-file` as the first line: no lint problem at all for the file;
//! - `# yamllint disable` / `# yamllint disable rule:X rule:Y`: off from this line on;
//! - `# yamllint enable` / `# yamllint enable rule:X`: back on from this line on;
//! - `# yamllint disable-line` / `# yamllint disable-line rule:X`: off for this line when the
//!   comment follows content on its line, else for the next line.
//!
//! yamllint applies a `disable` or `enable` comment to the whole of its own line (it filters a
//! line's problems once the line is read), names only rules that are on (others are ignored),
//! and matches the comments' text exactly: one space after `#`, one before each `rule:`.

use super::tokens::{self, Source};

/// What the directives of one file turn off, line by line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Directives {
    /// `# yamllint disable-file`: every problem is off.
    File,
    /// The changes of state, in line order.
    Lines(Vec<Directive>),
}

/// One directive comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Its 1-based line.
    pub line: usize,
    /// Whether content precedes it on its line (a `disable-line` then applies to this line).
    pub inline: bool,
    /// What it does.
    pub action: Action,
    /// The rules it names (empty: every rule that is on).
    pub rules: Vec<String>,
}

/// What a directive does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `disable`.
    Disable,
    /// `enable`.
    Enable,
    /// `disable-line`.
    DisableLine,
}

/// Whether the first line is yamllint's `disable-file` directive (`^#\s*yamllint
/// disable-file\s*$`).
fn disables_file(text: &str) -> bool {
    let first = text.split('\n').next().unwrap_or("");
    let first = first.strip_suffix('\r').unwrap_or(first);
    first
        .strip_prefix('#')
        .and_then(|rest| rest.trim_start().strip_prefix("yamllint disable-file"))
        .is_some_and(|tail| tail.chars().all(char::is_whitespace))
}

/// Parses the text of one comment (from `#` to the end of its line) as yamllint does:
/// `^# yamllint (disable|enable|disable-line)( rule:\S+)*\s*$`.
fn parse(comment: &str) -> Option<(Action, Vec<String>)> {
    let rest = comment.strip_prefix("# yamllint ")?;
    let (action, tail) = if let Some(tail) = rest.strip_prefix("disable-line") {
        (Action::DisableLine, tail)
    } else if let Some(tail) = rest.strip_prefix("disable") {
        (Action::Disable, tail)
    } else if let Some(tail) = rest.strip_prefix("enable") {
        (Action::Enable, tail)
    } else {
        return None;
    };
    // `( rule:\S+)*` then `\s*$`: each item is one space, `rule:` and a non-blank name.
    let mut rules = Vec::new();
    let mut tail = tail;
    loop {
        if let Some(item) = tail.strip_prefix(" rule:") {
            let end = item.find(char::is_whitespace).unwrap_or(item.len());
            if end > 0 {
                rules.push(item[..end].to_owned());
                tail = &item[end..];
                continue;
            }
        }
        break;
    }
    tail.chars()
        .all(char::is_whitespace)
        .then_some((action, rules))
}

/// The directives of a file (`None` when it has none: the common case, found without a scan).
pub fn find(text: &str) -> Option<Directives> {
    if !text.contains("yamllint") {
        return None;
    }
    if disables_file(text) {
        return Some(Directives::File);
    }
    let src = Source::new(text);
    let toks = tokens::scan(&src);
    let found: Vec<Directive> = super::comments::find_comments(&src, &toks)
        .into_iter()
        .filter_map(|c| {
            let end = src.chars[c.index..]
                .iter()
                .position(|&ch| ch == '\n')
                .map_or(src.chars.len(), |n| c.index + n);
            let body: String = src.chars[c.index..end].iter().collect();
            // yamllint's `str(comment)` keeps a `\r` before the `\n`; `\s*$` accepts it.
            let (action, rules) = parse(&body)?;
            Some(Directive {
                line: c.line,
                inline: c.inline,
                action,
                rules,
            })
        })
        .collect();
    (!found.is_empty()).then_some(Directives::Lines(found))
}

/// Drops the problems the directives turn off. `problems` holds (line, rule) pairs through
/// `key`; `enabled` are the rules that are on (the only ones a directive may name).
pub fn filter<T>(
    directives: &Directives,
    enabled: &[&str],
    problems: Vec<T>,
    key: impl Fn(&T) -> (usize, &str),
) -> Vec<T> {
    let Directives::Lines(list) = directives else {
        return Vec::new();
    };
    problems
        .into_iter()
        .filter(|p| {
            let (line, rule) = key(p);
            !disabled_at(list, enabled, line, rule)
        })
        .collect()
}

/// Whether `rule` is off on `line`: by the `disable`/`enable` comments up to and including
/// that line, or by a `disable-line` inline on it or alone on the line before.
fn disabled_at(list: &[Directive], enabled: &[&str], line: usize, rule: &str) -> bool {
    let is_on = |name: &str| enabled.contains(&name);
    let names = |d: &Directive| d.rules.is_empty() || d.rules.iter().any(|r| r == rule);
    let mut off = false;
    for d in list.iter().take_while(|d| d.line <= line) {
        match d.action {
            Action::Disable if names(d) && is_on(rule) => off = true,
            // `enable rule:X` discards X whether or not it is on; bare `enable` clears all.
            Action::Enable if names(d) => off = false,
            Action::DisableLine
                if ((d.inline && d.line == line) || (!d.inline && d.line + 1 == line))
                    && names(d)
                    && is_on(rule) =>
            {
                return true;
            }
            _ => {}
        }
    }
    off
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_matched_as_yamllint_matches_them() {
        assert_eq!(parse("# yamllint disable"), Some((Action::Disable, vec![])));
        assert_eq!(
            parse("# yamllint disable rule:colons rule:hyphens  "),
            Some((
                Action::Disable,
                vec!["colons".to_owned(), "hyphens".to_owned()]
            ))
        );
        assert_eq!(
            parse("# yamllint disable-line rule:x"),
            Some((Action::DisableLine, vec!["x".to_owned()]))
        );
        assert_eq!(parse("# yamllint enable\r"), Some((Action::Enable, vec![])));
        // `rule:\S+` takes a trailing comma into the name (which then names no rule).
        assert_eq!(
            parse("# yamllint disable rule:colons, rule:hyphens"),
            Some((
                Action::Disable,
                vec!["colons,".to_owned(), "hyphens".to_owned()]
            ))
        );
        for not_one in [
            "#yamllint disable",
            "#  yamllint disable",
            "# yamllint disabled",
            "# yamllint disable  rule:colons",
            "# yamllint disable rule:",
            "# yamllint disable rules:colons",
            "# yamllint disable-file",
            "# yamllint enable-line",
        ] {
            assert_eq!(parse(not_one), None, "{not_one}");
        }
    }

    #[test]
    fn disable_file_is_only_the_first_line() {
        assert!(disables_file("# yamllint disable-file\nkey: 1\n"));
        assert!(disables_file("#yamllint disable-file  \r\n"));
        assert!(disables_file("#   yamllint disable-file"));
        assert!(!disables_file("key: 1\n# yamllint disable-file\n"));
        assert!(!disables_file(" # yamllint disable-file\n"));
        assert!(!disables_file("# yamllint disable-file x\n"));
    }
}
