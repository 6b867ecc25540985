//! The training-data engine: chat templates, tokenisation, label masking, length filtering,
//! and the packing plan.
//!
//! [`engine::Engine`] turns JSONL message records into masked token samples in one parallel pass;
//! [`plan`] packs sample lengths into micro-batches for a given number of ranks; [`gguf`] reads the
//! tokenizer and chat template out of a GGUF file.

pub mod engine;
pub mod gguf;
pub mod labels;
pub mod plan;
pub mod pystr;
pub mod template;
pub mod tokenize;
