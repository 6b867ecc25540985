//! Many records at once: parse, render, tokenise and mask in parallel, into flat buffers.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use super::labels::{build_sample, parse_record, DropReason, SampleOptions};
use super::template::ChatTemplate;
use super::tokenize::TextTokenizer;

/// A template, a tokenizer and the sample settings, shared by every record of a run.
#[derive(Debug)]
pub struct Engine {
    /// The chat template.
    pub template: ChatTemplate,
    /// The tokenizer.
    pub tokenizer: TextTokenizer,
    /// Lengths, end-of-turn and EOS settings.
    pub options: SampleOptions,
    /// Where the time goes, summed over threads.
    pub times: EngineTimes,
}

/// Nanoseconds spent, summed over all threads and batches (for benchmarks and progress).
#[derive(Debug, Default)]
pub struct EngineTimes {
    /// In the tokenizer.
    pub tokenize_ns: AtomicU64,
    /// On whole records (parse, render, tokenise, mask).
    pub total_ns: AtomicU64,
}

impl Engine {
    /// An engine with fresh timers.
    pub fn new(template: ChatTemplate, tokenizer: TextTokenizer, options: SampleOptions) -> Self {
        Self {
            template,
            tokenizer,
            options,
            times: EngineTimes::default(),
        }
    }
}

/// The samples built from a batch of records, concatenated: sample `k` is
/// `input_ids[offsets[k]..offsets[k + 1]]` (and the same range of `labels`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Batch {
    /// All kept samples' token ids, one after another.
    pub input_ids: Vec<u32>,
    /// Their labels (`-100` where not learned).
    pub labels: Vec<i32>,
    /// `len + 1` boundaries into `input_ids`, starting at 0.
    pub offsets: Vec<u64>,
    /// For each kept sample, the index of its record in the batch.
    pub record_index: Vec<u32>,
    /// For each kept sample, the record's `id` (empty when it has none).
    pub record_id: Vec<String>,
    /// For each kept sample, how many of its tokens are learned.
    pub learned: Vec<u32>,
    /// Dropped records: `(record index, reason)`.
    pub dropped: Vec<(u32, DropReason)>,
}

impl Engine {
    /// Processes one batch of JSONL lines (in parallel; the output keeps input order).
    pub fn process(&self, lines: &[String]) -> Batch {
        let results: Vec<_> = lines
            .par_iter()
            .map(|line| {
                let started = Instant::now();
                let result = self.one(line);
                let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
                self.times.total_ns.fetch_add(nanos, Ordering::Relaxed);
                result
            })
            .collect();
        let total: usize = results
            .iter()
            .map(|r| r.as_ref().map_or(0, |(_, s)| s.input_ids.len()))
            .sum();
        let mut batch = Batch {
            input_ids: Vec::with_capacity(total),
            labels: Vec::with_capacity(total),
            offsets: vec![0],
            ..Batch::default()
        };
        for (i, result) in results.into_iter().enumerate() {
            let index = u32::try_from(i).unwrap_or(u32::MAX);
            match result {
                Ok((id, sample)) => {
                    batch
                        .learned
                        .push(u32::try_from(sample.learned()).unwrap_or(u32::MAX));
                    batch.input_ids.extend_from_slice(&sample.input_ids);
                    batch.labels.extend_from_slice(&sample.labels);
                    batch.offsets.push(batch.input_ids.len() as u64);
                    batch.record_index.push(index);
                    batch.record_id.push(id);
                }
                Err(reason) => batch.dropped.push((index, reason)),
            }
        }
        batch
    }

    fn one(&self, line: &str) -> Result<(String, super::labels::Sample), DropReason> {
        let record = parse_record(line).map_err(DropReason::InvalidRecord)?;
        let sample = build_sample(
            &record,
            &self.template,
            &self.tokenizer,
            &self.options,
            &self.times.tokenize_ns,
        )?;
        Ok((record.id.unwrap_or_default(), sample))
    }
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)] // small test data
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::pack::tokenize::tests::tiny;

    #[test]
    fn keeps_order_and_counts_drops() {
        let engine = Engine::new(
            ChatTemplate::new(
                "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}",
                &BTreeMap::new(),
            )
            .unwrap_or_else(|e| panic!("{e}")),
            tiny(),
            SampleOptions {
                max_seq_len: 100,
                min_seq_len: 1,
                end_of_turn: None,
                eos_token: None,
            },
        );
        let ok = r#"{"id": "a", "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "Hey"}]}"#;
        let lines = vec![
            ok.to_owned(),
            "not json".to_owned(),
            ok.replace("\"a\"", "\"b\""),
        ];
        let batch = engine.process(&lines);
        assert_eq!(batch.record_index, vec![0, 2]);
        assert_eq!(batch.record_id, vec!["a", "b"]);
        assert_eq!(batch.offsets.len(), 3);
        assert_eq!(batch.offsets[2] as usize, batch.input_ids.len());
        assert_eq!(batch.dropped.len(), 1);
        assert_eq!(batch.dropped[0].1.name(), "invalid_record");
        assert!(batch.learned.iter().all(|&l| l == 3)); // "He", "y", "<|im_end|>"
        let times = &engine.times;
        assert!(
            times.total_ns.load(Ordering::Relaxed) >= times.tokenize_ns.load(Ordering::Relaxed)
        );
    }
}
