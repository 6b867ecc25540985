//! Lint configuration in yamllint's format, limited to the rules of its `relaxed` and `default`
//! presets (every other rule is refused by name).
//!
//! InstructLab lints with `{extends: relaxed, rules: {line-length: disable}}` and treats every
//! lint warning as an error; [`LintConfig::instructlab`] is that configuration.

use crate::yaml::{self, Node, Value};
use crate::{Error, Location, Result};

/// How `indentation` treats block sequences nested in a mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndentSequences {
    /// Must be indented.
    Yes,
    /// Must not be indented.
    No,
    /// Either, freely.
    Whatever,
    /// Either, but the same way throughout the file.
    Consistent,
}

/// The rules and their options. `None` = the rule is off.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)]
pub struct LintConfig {
    /// `anchors`: (forbid undeclared aliases, forbid duplicated anchors, forbid unused anchors).
    pub anchors: Option<(bool, bool, bool)>,
    /// `braces`: spacing inside `{}`.
    pub braces: Option<Inside>,
    /// `brackets`: spacing inside `[]`.
    pub brackets: Option<Inside>,
    /// `colons`: (max spaces before, max spaces after).
    pub colons: Option<(i64, i64)>,
    /// `commas`: (max spaces before, min spaces after, max spaces after).
    pub commas: Option<(i64, i64, i64)>,
    /// `comments`: (require starting space, ignore shebangs, min spaces from content).
    pub comments: Option<(bool, bool, i64)>,
    /// `comments-indentation`.
    pub comments_indentation: bool,
    /// `document-start`: whether `---` must be present (true) or absent (false).
    pub document_start: Option<bool>,
    /// `empty-lines`: (max, max at start, max at end).
    pub empty_lines: Option<(i64, i64, i64)>,
    /// `hyphens`: max spaces after.
    pub hyphens: Option<i64>,
    /// `indentation`: (spaces, `None` = consistent; sequences).
    pub indentation: Option<(Option<i64>, IndentSequences)>,
    /// `key-duplicates`.
    pub key_duplicates: bool,
    /// `key-duplicates`' `forbid-duplicated-merge-keys`: a repeated `<<` is a duplicate too.
    pub forbid_duplicated_merge_keys: bool,
    /// `indentation`'s `check-multi-line-strings`: the lines of multi-line scalars too.
    pub check_multi_line_strings: bool,
    /// `line-length`: (max, allow non-breakable words, allow non-breakable inline mappings).
    pub line_length: Option<(i64, bool, bool)>,
    /// `new-line-at-end-of-file`.
    pub new_line_at_end_of_file: bool,
    /// `new-lines`: the expected line ending, `"\n"` or `"\r\n"`.
    pub new_lines: Option<&'static str>,
    /// `trailing-spaces`.
    pub trailing_spaces: bool,
    /// `truthy`: (allowed values, check keys).
    pub truthy: Option<(Vec<String>, bool)>,
}

/// Spacing rules inside braces or brackets (-1 = unchecked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inside {
    /// Refuse flow collections altogether.
    pub forbid: bool,
    /// Refuse flow collections that are not empty (`forbid: non-empty`).
    pub forbid_non_empty: bool,
    /// Fewest spaces inside.
    pub min: i64,
    /// Most spaces inside.
    pub max: i64,
    /// Fewest spaces inside an empty one (-1: use `min`).
    pub min_empty: i64,
    /// Most spaces inside an empty one (-1: use `max`).
    pub max_empty: i64,
}

const RULES: &[&str] = &[
    "anchors",
    "braces",
    "brackets",
    "colons",
    "commas",
    "comments",
    "comments-indentation",
    "document-start",
    "empty-lines",
    "hyphens",
    "indentation",
    "key-duplicates",
    "line-length",
    "new-line-at-end-of-file",
    "new-lines",
    "trailing-spaces",
    "truthy",
];

/// Rules yamllint has that this linter does not implement (off in both presets).
const UNSUPPORTED: &[&str] = &[
    "document-end",
    "empty-values",
    "float-values",
    "key-ordering",
    "octal-values",
    "quoted-strings",
];

impl LintConfig {
    /// yamllint's `default` preset.
    pub fn default_preset() -> Self {
        let inside = Inside {
            forbid: false,
            forbid_non_empty: false,
            min: 0,
            max: 0,
            min_empty: -1,
            max_empty: -1,
        };
        Self {
            anchors: Some((true, false, false)),
            braces: Some(inside),
            brackets: Some(inside),
            colons: Some((0, 1)),
            commas: Some((0, 1, 1)),
            comments: Some((true, true, 2)),
            comments_indentation: true,
            document_start: Some(true),
            empty_lines: Some((2, 0, 0)),
            hyphens: Some(1),
            indentation: Some((None, IndentSequences::Yes)),
            key_duplicates: true,
            forbid_duplicated_merge_keys: false,
            check_multi_line_strings: false,
            line_length: Some((80, true, false)),
            new_line_at_end_of_file: true,
            new_lines: Some("\n"),
            trailing_spaces: true,
            truthy: Some((vec!["false".to_owned(), "true".to_owned()], true)),
        }
    }

    /// The names of the rules that are on (the rules a directive comment may turn off).
    pub fn enabled_rules(&self) -> Vec<&'static str> {
        let on = [
            self.anchors.is_some(),
            self.braces.is_some(),
            self.brackets.is_some(),
            self.colons.is_some(),
            self.commas.is_some(),
            self.comments.is_some(),
            self.comments_indentation,
            self.document_start.is_some(),
            self.empty_lines.is_some(),
            self.hyphens.is_some(),
            self.indentation.is_some(),
            self.key_duplicates,
            self.line_length.is_some(),
            self.new_line_at_end_of_file,
            self.new_lines.is_some(),
            self.trailing_spaces,
            self.truthy.is_some(),
        ];
        RULES
            .iter()
            .zip(on)
            .filter_map(|(name, on)| on.then_some(*name))
            .collect()
    }

    /// yamllint's `relaxed` preset.
    pub fn relaxed_preset() -> Self {
        let mut c = Self::default_preset();
        if let Some(b) = c.braces.as_mut() {
            b.max = 1;
        }
        if let Some(b) = c.brackets.as_mut() {
            b.max = 1;
        }
        c.comments = None;
        c.comments_indentation = false;
        c.document_start = None;
        c.indentation = Some((None, IndentSequences::Consistent));
        c.line_length = Some((80, true, true));
        c.truthy = None;
        c
    }

    /// What InstructLab lints with: `relaxed`, line length off.
    pub fn instructlab() -> Self {
        let mut c = Self::relaxed_preset();
        c.line_length = None;
        c
    }

    /// Reads a yamllint configuration (`extends:` a preset, `rules:` on/off/options).
    /// Without `extends`, rules not named are off, as in yamllint.
    pub fn from_yamllint(source: &str, file: &str) -> Result<Self> {
        let root = yaml::parse(source, file)?;
        let bad = |node: &Node, message: String| Error::Yaml {
            location: Location {
                file: file.to_owned(),
                line: node.line,
                column: node.column,
            },
            message,
        };
        let Value::Map(entries) = &root.value else {
            return Err(bad(
                &root,
                "a yamllint configuration must be a mapping".to_owned(),
            ));
        };
        let mut config = Self::none();
        let mut rules: Option<&Node> = None;
        for (key, value) in entries {
            match &key.value {
                Value::Str(k) if k == "extends" => {
                    config =
                        match &value.value {
                            Value::Str(s) if s == "relaxed" => Self::relaxed_preset(),
                            Value::Str(s) if s == "default" => Self::default_preset(),
                            _ => return Err(bad(
                                value,
                                "'extends' must be 'relaxed' or 'default' (the presets supported)"
                                    .to_owned(),
                            )),
                        };
                }
                Value::Str(k) if k == "rules" => rules = Some(value),
                // Which files to lint is decided by the taxonomy walk; these do not apply.
                Value::Str(k) if k == "yaml-files" || k == "ignore" || k == "locale" => {}
                _ => {
                    return Err(bad(
                        key,
                        "unknown yamllint setting (expected extends, rules)".to_owned(),
                    ))
                }
            }
        }
        let Some(rules) = rules else {
            return Ok(config);
        };
        let Value::Map(rule_entries) = &rules.value else {
            return Err(bad(rules, "'rules' must be a mapping".to_owned()));
        };
        for (key, value) in rule_entries {
            let name = match &key.value {
                Value::Str(s) => s.as_str(),
                _ => return Err(bad(key, "a rule name must be text".to_owned())),
            };
            if UNSUPPORTED.contains(&name) {
                return Err(bad(
                    key,
                    format!(
                        "the yamllint rule '{name}' is not supported (supported: {})",
                        RULES.join(", ")
                    ),
                ));
            }
            if !RULES.contains(&name) {
                return Err(bad(
                    key,
                    format!(
                        "unknown yamllint rule '{name}' (supported: {})",
                        RULES.join(", ")
                    ),
                ));
            }
            match &value.value {
                Value::Str(s) if s == "disable" => config.set(name, false),
                Value::Str(s) if s == "enable" => config.set(name, true),
                Value::Map(options) => {
                    config.set(name, true);
                    for (opt, v) in options {
                        let Value::Str(opt_name) = &opt.value else {
                            return Err(bad(opt, "an option name must be text".to_owned()));
                        };
                        if opt_name == "level" {
                            // Every lint problem is an error, as InstructLab lints strictly.
                            continue;
                        }
                        config
                            .option(name, opt_name, &v.value)
                            .map_err(|m| bad(opt, format!("rule '{name}': {m}")))?;
                    }
                }
                _ => {
                    return Err(bad(
                        value,
                        format!(
                            "rule '{name}' must be 'enable', 'disable' or a mapping of options"
                        ),
                    ))
                }
            }
        }
        Ok(config)
    }

    fn none() -> Self {
        Self {
            anchors: None,
            braces: None,
            brackets: None,
            colons: None,
            commas: None,
            comments: None,
            comments_indentation: false,
            document_start: None,
            empty_lines: None,
            hyphens: None,
            indentation: None,
            key_duplicates: false,
            forbid_duplicated_merge_keys: false,
            check_multi_line_strings: false,
            line_length: None,
            new_line_at_end_of_file: false,
            new_lines: None,
            trailing_spaces: false,
            truthy: None,
        }
    }

    /// Turns a rule on (keeping its options if it was on, else the `default` preset's) or off.
    fn set(&mut self, name: &str, on: bool) {
        let d = Self::default_preset();
        macro_rules! toggle {
            ($field:ident) => {
                self.$field = if on {
                    self.$field.clone().or(d.$field)
                } else {
                    None
                }
            };
        }
        match name {
            "anchors" => toggle!(anchors),
            "braces" => toggle!(braces),
            "brackets" => toggle!(brackets),
            "colons" => toggle!(colons),
            "commas" => toggle!(commas),
            "comments" => toggle!(comments),
            "comments-indentation" => self.comments_indentation = on,
            "document-start" => toggle!(document_start),
            "empty-lines" => toggle!(empty_lines),
            "hyphens" => toggle!(hyphens),
            "indentation" => toggle!(indentation),
            "key-duplicates" => self.key_duplicates = on,
            "line-length" => toggle!(line_length),
            "new-line-at-end-of-file" => self.new_line_at_end_of_file = on,
            "new-lines" => toggle!(new_lines),
            "trailing-spaces" => self.trailing_spaces = on,
            _ => toggle!(truthy),
        }
    }

    #[allow(clippy::too_many_lines)] // one arm per option, flat is clearest
    fn option(&mut self, rule: &str, opt: &str, v: &Value) -> std::result::Result<(), String> {
        let int = || match v {
            Value::Int(i) => Ok(*i),
            _ => Err(format!("option '{opt}' must be an integer")),
        };
        let boolean = || match v {
            Value::Bool(b) => Ok(*b),
            _ => Err(format!("option '{opt}' must be true or false")),
        };
        let unknown = || Err(format!("unknown option '{opt}'"));
        match rule {
            "anchors" => {
                let a = self.anchors.get_or_insert((true, false, false));
                match opt {
                    "forbid-undeclared-aliases" => a.0 = boolean()?,
                    "forbid-duplicated-anchors" => a.1 = boolean()?,
                    "forbid-unused-anchors" => a.2 = boolean()?,
                    _ => return unknown(),
                }
            }
            "braces" | "brackets" => {
                let slot = if rule == "braces" {
                    &mut self.braces
                } else {
                    &mut self.brackets
                };
                let Some(b) = slot.as_mut() else {
                    return Ok(());
                };
                match opt {
                    "forbid" => {
                        (b.forbid, b.forbid_non_empty) = match v {
                            Value::Bool(x) => (*x, false),
                            Value::Str(s) if s == "non-empty" => (false, true),
                            _ => {
                                return Err(
                                    "option 'forbid' must be true, false or 'non-empty'".to_owned()
                                )
                            }
                        }
                    }
                    "min-spaces-inside" => b.min = int()?,
                    "max-spaces-inside" => b.max = int()?,
                    "min-spaces-inside-empty" => b.min_empty = int()?,
                    "max-spaces-inside-empty" => b.max_empty = int()?,
                    _ => return unknown(),
                }
            }
            "colons" => {
                let c = self.colons.get_or_insert((0, 1));
                match opt {
                    "max-spaces-before" => c.0 = int()?,
                    "max-spaces-after" => c.1 = int()?,
                    _ => return unknown(),
                }
            }
            "commas" => {
                let c = self.commas.get_or_insert((0, 1, 1));
                match opt {
                    "max-spaces-before" => c.0 = int()?,
                    "min-spaces-after" => c.1 = int()?,
                    "max-spaces-after" => c.2 = int()?,
                    _ => return unknown(),
                }
            }
            "comments" => {
                let c = self.comments.get_or_insert((true, true, 2));
                match opt {
                    "require-starting-space" => c.0 = boolean()?,
                    "ignore-shebangs" => c.1 = boolean()?,
                    "min-spaces-from-content" => c.2 = int()?,
                    _ => return unknown(),
                }
            }
            "document-start" => match opt {
                "present" => self.document_start = Some(boolean()?),
                _ => return unknown(),
            },
            "empty-lines" => {
                let c = self.empty_lines.get_or_insert((2, 0, 0));
                match opt {
                    "max" => c.0 = int()?,
                    "max-start" => c.1 = int()?,
                    "max-end" => c.2 = int()?,
                    _ => return unknown(),
                }
            }
            "hyphens" => match opt {
                "max-spaces-after" => self.hyphens = Some(int()?),
                _ => return unknown(),
            },
            "indentation" => {
                let c = self.indentation.get_or_insert((None, IndentSequences::Yes));
                match opt {
                    "spaces" => {
                        c.0 = match v {
                            Value::Int(i) if *i > 0 => Some(*i),
                            Value::Str(s) if s == "consistent" => None,
                            _ => return Err("option 'spaces' must be a positive integer or 'consistent'".to_owned()),
                        }
                    }
                    "indent-sequences" => {
                        c.1 = match v {
                            Value::Bool(true) => IndentSequences::Yes,
                            Value::Bool(false) => IndentSequences::No,
                            Value::Str(s) if s == "whatever" => IndentSequences::Whatever,
                            Value::Str(s) if s == "consistent" => IndentSequences::Consistent,
                            _ => return Err("option 'indent-sequences' must be true, false, 'whatever' or 'consistent'".to_owned()),
                        }
                    }
                    "check-multi-line-strings" => self.check_multi_line_strings = boolean()?,
                    _ => return unknown(),
                }
            }
            "key-duplicates" => match opt {
                "forbid-duplicated-merge-keys" => self.forbid_duplicated_merge_keys = boolean()?,
                _ => return unknown(),
            },
            "line-length" => {
                let c = self.line_length.get_or_insert((80, true, false));
                match opt {
                    "max" => c.0 = int()?,
                    "allow-non-breakable-words" => c.1 = boolean()?,
                    "allow-non-breakable-inline-mappings" => c.2 = boolean()?,
                    _ => return unknown(),
                }
            }
            "new-lines" => match (opt, v) {
                ("type", Value::Str(s)) if s == "unix" => self.new_lines = Some("\n"),
                ("type", Value::Str(s)) if s == "dos" => self.new_lines = Some("\r\n"),
                ("type", Value::Str(s)) if s == "platform" => {
                    self.new_lines = Some(if cfg!(windows) { "\r\n" } else { "\n" });
                }
                ("type", _) => return Err("option 'type' must be unix, dos or platform".to_owned()),
                _ => return unknown(),
            },
            "truthy" => {
                let c = self
                    .truthy
                    .get_or_insert((vec!["false".to_owned(), "true".to_owned()], true));
                match opt {
                    "allowed-values" => {
                        let Value::Seq(items) = v else {
                            return Err("option 'allowed-values' must be a list".to_owned());
                        };
                        c.0 = items
                            .iter()
                            .map(|n| match &n.value {
                                Value::Str(s) => Ok(s.clone()),
                                Value::Bool(b) => Ok(b.to_string()),
                                _ => Err("option 'allowed-values' must list words".to_owned()),
                            })
                            .collect::<std::result::Result<_, _>>()?;
                    }
                    "check-keys" => c.1 = boolean()?,
                    _ => return unknown(),
                }
            }
            // new-line-at-end-of-file, trailing-spaces, comments-indentation take no options.
            _ => return unknown(),
        }
        Ok(())
    }
}
