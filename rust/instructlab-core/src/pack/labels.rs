//! One conversation to one training sample: render, tokenise, mask, and keep or drop.
//!
//! The masking contract (InstructLab's):
//! - by default only assistant turns are learned, each with the end-of-turn token that closes it;
//! - a record with `unmask: true` learns every turn except the system prompt;
//! - a record with a legacy `pretraining` message is raw text: its contents, then EOS, all learned.
//!
//! Where a turn sits in the rendered text is found from the template itself: the text rendered
//! for the turns before it (with the generation prompt, for an assistant turn) is a prefix of the
//! whole conversation, so the turn starts after it; its content is located inside that window and
//! the special token right after the content (`<|im_end|>`, `<|eot_id|>`, `</s>`, ...) is its
//! end of turn. Tokens overlapping a learned byte range keep their id as label, others get -100.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use serde_json::Value as Json;

use super::template::ChatTemplate;
use super::tokenize::TextTokenizer;

/// The label of a token the model must not learn (PyTorch's `ignore_index`).
pub const IGNORE: i32 = -100;

/// Settings for turning records into samples.
#[derive(Debug, Clone)]
pub struct SampleOptions {
    /// Samples longer than this (in tokens) are dropped.
    pub max_seq_len: usize,
    /// Samples shorter than this (in tokens) are dropped.
    pub min_seq_len: usize,
    /// The end-of-turn token to learn after each learned turn; `None` finds it from the
    /// tokenizer's special tokens.
    pub end_of_turn: Option<String>,
    /// The EOS token text, appended to `pretraining` records.
    pub eos_token: Option<String>,
}

/// Why a record did not become a sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DropReason {
    /// The record is not a valid messages record (the message says why).
    InvalidRecord(String),
    /// The chat template refused to render it.
    TemplateError(String),
    /// Fewer tokens than `min_seq_len`.
    TooShort,
    /// More tokens than `max_seq_len`.
    TooLong,
    /// No token would be learned.
    NothingToLearn,
}

impl DropReason {
    /// All reason names, in report order.
    pub const NAMES: [&'static str; 5] = [
        "invalid_record",
        "template_error",
        "too_short",
        "too_long",
        "nothing_to_learn",
    ];

    /// The reason's stable name, as counted in the summary.
    pub fn name(&self) -> &'static str {
        match self {
            Self::InvalidRecord(_) => Self::NAMES[0],
            Self::TemplateError(_) => Self::NAMES[1],
            Self::TooShort => Self::NAMES[2],
            Self::TooLong => Self::NAMES[3],
            Self::NothingToLearn => Self::NAMES[4],
        }
    }

    /// The index of [`Self::name`] in [`Self::NAMES`].
    pub fn index(&self) -> usize {
        Self::NAMES
            .iter()
            .position(|n| *n == self.name())
            .unwrap_or(0)
    }

    /// A sentence for people.
    pub fn detail(&self) -> String {
        match self {
            Self::InvalidRecord(m) | Self::TemplateError(m) => m.clone(),
            Self::TooShort => "shorter than the minimum length".to_owned(),
            Self::TooLong => "longer than max_seq_len".to_owned(),
            Self::NothingToLearn => "no token is learned".to_owned(),
        }
    }
}

/// A tokenised, masked conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// Token ids of the rendered conversation.
    pub input_ids: Vec<u32>,
    /// One label per id: the id itself where learned, [`IGNORE`] elsewhere.
    pub labels: Vec<i32>,
}

impl Sample {
    /// How many tokens are learned.
    pub fn learned(&self) -> usize {
        self.labels.iter().filter(|&&l| l != IGNORE).count()
    }
}

/// A parsed input record.
#[derive(Debug, Clone)]
pub struct Record {
    /// The messages, exactly as given (extra fields reach the template).
    pub messages: Json,
    /// Learn every turn but the system prompt.
    pub unmask: bool,
    /// The record's `id`, when it has one.
    pub id: Option<String>,
}

/// Parses one JSONL line (`{"messages": [{"role", "content"}, ...], "unmask"?, "id"?}`).
pub fn parse_record(line: &str) -> Result<Record, String> {
    let value: Json = serde_json::from_str(line).map_err(|e| format!("not valid JSON: {e}"))?;
    let Json::Object(mut obj) = value else {
        return Err("a record must be a JSON object".to_owned());
    };
    let messages = obj
        .remove("messages")
        .ok_or_else(|| "the record has no \"messages\" field".to_owned())?;
    let Json::Array(list) = &messages else {
        return Err("\"messages\" must be a list".to_owned());
    };
    if list.is_empty() {
        return Err("\"messages\" is empty".to_owned());
    }
    for (i, m) in list.iter().enumerate() {
        match m.get("role") {
            Some(Json::String(_)) => {}
            _ => return Err(format!("messages[{i}] has no string \"role\"")),
        }
        match m.get("content") {
            Some(Json::String(_) | Json::Null) | None => {}
            Some(_) => return Err(format!("messages[{i}].content must be a string")),
        }
    }
    let unmask = match obj.get("unmask") {
        None | Some(Json::Null) => false,
        Some(Json::Bool(b)) => *b,
        Some(_) => return Err("\"unmask\" must be true or false".to_owned()),
    };
    let id = match obj.get("id") {
        Some(Json::String(s)) => Some(s.clone()),
        Some(Json::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    Ok(Record {
        messages,
        unmask,
        id,
    })
}

fn role(m: &Json) -> &str {
    m.get("role").and_then(Json::as_str).unwrap_or_default()
}

fn content(m: &Json) -> &str {
    m.get("content").and_then(Json::as_str).unwrap_or_default()
}

/// Builds the sample for one record, or says why it is dropped.
pub fn build_sample(
    record: &Record,
    template: &ChatTemplate,
    tokenizer: &TextTokenizer,
    options: &SampleOptions,
    tokenize_ns: &AtomicU64,
) -> Result<Sample, DropReason> {
    let messages = record.messages.as_array().map_or(&[][..], Vec::as_slice);
    let (text, spans) = if messages.iter().any(|m| role(m) == "pretraining") {
        let mut text: String = messages.iter().map(content).collect::<Vec<_>>().join("\n");
        if let Some(eos) = &options.eos_token {
            text.push_str(eos);
        }
        let len = text.len();
        (text, vec![(0, len)])
    } else {
        learned_spans(messages, record.unmask, template, tokenizer, options)?
    };
    let started = Instant::now();
    let encoded = tokenizer.encode(&text);
    let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
    tokenize_ns.fetch_add(nanos, Ordering::Relaxed);
    let encoded = encoded.map_err(|e| DropReason::InvalidRecord(e.to_string()))?;
    let labels = label_tokens(&encoded.ids, &encoded.offsets, &spans);
    let sample = Sample {
        input_ids: encoded.ids,
        labels,
    };
    if sample.input_ids.len() > options.max_seq_len {
        Err(DropReason::TooLong)
    } else if sample.input_ids.len() < options.min_seq_len {
        Err(DropReason::TooShort)
    } else if sample.learned() == 0 {
        Err(DropReason::NothingToLearn)
    } else {
        Ok(sample)
    }
}

/// Labels each token whose byte range overlaps a learned span. `spans` are sorted, disjoint.
pub fn label_tokens(ids: &[u32], offsets: &[(usize, usize)], spans: &[(usize, usize)]) -> Vec<i32> {
    let mut labels = Vec::with_capacity(ids.len());
    let mut s = 0;
    for (&id, &(start, end)) in ids.iter().zip(offsets) {
        while s < spans.len() && spans[s].1 <= start {
            s += 1;
        }
        let learned = s < spans.len() && spans[s].0 < end.max(start + 1) && start < spans[s].1;
        labels.push(if learned {
            i32::try_from(id).unwrap_or(IGNORE)
        } else {
            IGNORE
        });
    }
    labels
}

type Rendered = (String, Vec<(usize, usize)>);

fn learned_spans(
    messages: &[Json],
    unmask: bool,
    template: &ChatTemplate,
    tokenizer: &TextTokenizer,
    options: &SampleOptions,
) -> Result<Rendered, DropReason> {
    let render = |upto: usize, gen: bool| -> Result<String, DropReason> {
        let slice = Json::Array(messages[..upto].to_vec());
        template
            .render(&slice, gen, None)
            .map_err(|e| DropReason::TemplateError(e.to_string()))
    };
    let full = render(messages.len(), false)?;
    let mut spans = Vec::new();
    let mut cursor = 0;
    for (i, m) in messages.iter().enumerate() {
        let r = role(m);
        let learn = if unmask {
            r != "system"
        } else {
            r == "assistant"
        };
        if !learn {
            continue;
        }
        // The window of this turn: after the turns before it, before the turns after it.
        let mut lo = cursor;
        for gen in [r == "assistant", false] {
            // Templates may refuse a partial conversation (e.g. one ending on a user turn
            // without a generation prompt); the content search below still finds the turn.
            if let Ok(prefix) = render(i, gen) {
                if full.starts_with(&prefix) && prefix.len() >= cursor {
                    lo = prefix.len();
                    break;
                }
            }
        }
        let hi = if i + 1 == messages.len() {
            full.len()
        } else {
            match render(i + 1, false) {
                Ok(next) if full.starts_with(&next) && next.len() >= lo => next.len(),
                _ => full.len(),
            }
        };
        let window = &full[lo..hi];
        let body = content(m).trim();
        let (start, content_end) = match (body.is_empty(), window.find(body)) {
            (false, Some(pos)) => (lo + pos, lo + pos + body.len()),
            // The template rewrote the content: learn the whole window.
            _ => (lo, hi),
        };
        let end = end_of_turn(&full, content_end, hi, tokenizer, options).unwrap_or(content_end);
        if end > start {
            spans.push((start, end));
        }
        cursor = end.max(lo);
    }
    Ok((full, spans))
}

/// The end of the end-of-turn token that follows `from` (after optional whitespace), if one does.
fn end_of_turn(
    text: &str,
    from: usize,
    hi: usize,
    tokenizer: &TextTokenizer,
    options: &SampleOptions,
) -> Option<usize> {
    let rest = &text[from..hi];
    let skipped = rest.len() - rest.trim_start().len();
    let at = &rest[skipped..];
    let candidates: Vec<&str> = match &options.end_of_turn {
        Some(eot) => vec![eot.as_str()],
        None => tokenizer
            .special_tokens()
            .iter()
            .map(String::as_str)
            .collect(),
    };
    candidates
        .into_iter()
        .filter(|tok| !tok.is_empty() && at.starts_with(tok))
        .map(|tok| from + skipped + tok.len())
        .max()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::pack::tokenize::tests::tiny;

    const CHATML: &str = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    fn template() -> ChatTemplate {
        ChatTemplate::new(CHATML, &BTreeMap::new()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn options() -> SampleOptions {
        SampleOptions {
            max_seq_len: 4096,
            min_seq_len: 1,
            end_of_turn: None,
            eos_token: Some("<|im_end|>".to_owned()),
        }
    }

    fn learned_text(sample: &Sample) -> String {
        // The tiny tokenizer is byte-level with one merge; map ids back to text by hand.
        sample
            .labels
            .iter()
            .filter(|&&l| l != IGNORE)
            .map(|&l| match l {
                256 => "He".to_owned(),
                257 => "<|im_start|>".to_owned(),
                258 => "<|im_end|>".to_owned(),
                b => byte_level_char(b),
            })
            .collect()
    }

    fn byte_level_char(id: i32) -> String {
        // Only printable ASCII and the space/newline symbols occur in these tests.
        match id {
            32..=126 => char::from_u32(id.unsigned_abs())
                .map(String::from)
                .unwrap_or_default(),
            _ => "·".to_owned(),
        }
    }

    fn record(line: &str) -> Record {
        parse_record(line).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn assistant_turns_and_their_end_token_are_learned() {
        let r = record(
            r#"{"messages": [{"role": "system", "content": "Sys"}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}, {"role": "user", "content": "x"}, {"role": "assistant", "content": "yes"}]}"#,
        );
        let s = build_sample(&r, &template(), &tiny(), &options(), &AtomicU64::new(0))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(learned_text(&s), "Hello<|im_end|>yes<|im_end|>");
        assert_eq!(s.input_ids.len(), s.labels.len());
    }

    #[test]
    fn unmask_learns_all_but_system() {
        let r = record(
            r#"{"unmask": true, "messages": [{"role": "system", "content": "Sys"}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}"#,
        );
        let s = build_sample(&r, &template(), &tiny(), &options(), &AtomicU64::new(0))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(learned_text(&s), "Hi<|im_end|>Hello<|im_end|>");
    }

    #[test]
    fn content_equal_to_a_role_name_is_found_in_its_turn() {
        let r = record(
            r#"{"messages": [{"role": "user", "content": "assistant"}, {"role": "assistant", "content": "user"}]}"#,
        );
        let s = build_sample(&r, &template(), &tiny(), &options(), &AtomicU64::new(0))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(learned_text(&s), "user<|im_end|>");
    }

    #[test]
    fn pretraining_role_is_raw_text_all_learned() {
        let r = record(r#"{"messages": [{"role": "pretraining", "content": "Hey"}]}"#);
        let s = build_sample(&r, &template(), &tiny(), &options(), &AtomicU64::new(0))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(learned_text(&s), "Hey<|im_end|>");
        assert_eq!(s.learned(), s.input_ids.len());
    }

    #[test]
    fn drops_by_reason() {
        let t = template();
        let tok = tiny();
        let long = record(
            r#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello there"}]}"#,
        );
        let mut o = options();
        o.max_seq_len = 5;
        assert_eq!(
            build_sample(&long, &t, &tok, &o, &AtomicU64::new(0)),
            Err(DropReason::TooLong)
        );
        let mut o = options();
        o.min_seq_len = 1000;
        assert_eq!(
            build_sample(&long, &t, &tok, &o, &AtomicU64::new(0)),
            Err(DropReason::TooShort)
        );
        let user_only = record(r#"{"messages": [{"role": "user", "content": "Hi"}]}"#);
        assert_eq!(
            build_sample(&user_only, &t, &tok, &options(), &AtomicU64::new(0)),
            Err(DropReason::NothingToLearn)
        );
        let bad = ChatTemplate::new("{{ raise_exception('no') }}", &BTreeMap::new())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            build_sample(&long, &bad, &tok, &options(), &AtomicU64::new(0)),
            Err(DropReason::TemplateError(_))
        ));
    }

    #[test]
    fn invalid_records_say_why() {
        assert!(parse_record("{").is_err());
        assert!(parse_record("[]").is_err());
        assert!(matches!(parse_record(r#"{"messages": []}"#), Err(m) if m.contains("empty")));
        assert!(
            matches!(parse_record(r#"{"messages": [{"content": "x"}]}"#), Err(m) if m.contains("role"))
        );
        assert!(parse_record(
            r#"{"messages": [{"role": "user", "content": "x"}], "unmask": "yes"}"#
        )
        .is_err());
    }

    #[test]
    fn label_tokens_uses_overlap() {
        let ids = [1, 2, 3, 4];
        let offsets = [(0, 2), (2, 5), (5, 6), (6, 9)];
        assert_eq!(
            label_tokens(&ids, &offsets, &[(3, 6)]),
            vec![IGNORE, 2, 3, IGNORE]
        );
        assert_eq!(label_tokens(&ids, &offsets, &[]), vec![IGNORE; 4]);
    }
}
