//! The `key-duplicates` rule, read from the tokens as yamllint reads it: a key repeated in the
//! same mapping, compared by the key's scalar text (so `1` and `"1"` are the same key), with
//! the merge key `<<` allowed to repeat unless `forbid-duplicated-merge-keys` is on.

use std::collections::HashSet;

use super::tokens::{Kind, Tok};
use super::Found;

/// An open collection: a mapping with the keys seen so far, or a sequence.
enum Open {
    Map(HashSet<String>),
    Seq,
}

/// Runs the rule over the tokens.
pub fn key_duplicates(toks: &[Tok], forbid_merge_keys: bool, out: &mut Vec<Found>) {
    let mut stack: Vec<Open> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            Kind::BlockMapStart | Kind::FlowMapStart => stack.push(Open::Map(HashSet::new())),
            Kind::BlockSeqStart | Kind::FlowSeqStart => stack.push(Open::Seq),
            Kind::BlockEnd | Kind::FlowMapEnd | Kind::FlowSeqEnd => {
                stack.pop();
            }
            Kind::Key => {
                // A key token can sit in a flow sequence (`[a: 1]`): only mappings count.
                let (Some(Open::Map(keys)), Some(next)) = (stack.last_mut(), toks.get(i + 1))
                else {
                    continue;
                };
                if next.kind != Kind::Scalar {
                    continue;
                }
                if keys.contains(&next.text) && (next.text != "<<" || forbid_merge_keys) {
                    out.push(
                        Found::new(
                            next.line,
                            next.col + 1,
                            "key-duplicates",
                            format!("duplication of key \"{}\" in mapping", next.text),
                        )
                        .found_on(t.line),
                    );
                } else {
                    keys.insert(next.text.clone());
                }
            }
            _ => {}
        }
    }
}
