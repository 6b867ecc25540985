"""Tiny sentence-transformers models built in code (random weights, a 60-word WordPiece
vocabulary), so tests embed in milliseconds and download nothing."""

from __future__ import annotations

import json
from pathlib import Path

WORDS = [
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "is",
    "are",
    "bees",
    "bee",
    "bats",
    "bat",
    "flowers",
    "flower",
    "pollen",
    "pollinate",
    "agave",
    "night",
    "honey",
    "hive",
    "moth",
    "moths",
    "beetle",
    "red",
    "tube",
    "sky",
    "blue",
    "market",
    "stock",
    "fell",
    "today",
    "colour",
    "grass",
    "green",
    "rain",
    "cloud",
    "water",
    "river",
    "fish",
    "boat",
    "sea",
    "sun",
    "hot",
    "cold",
    "winter",
    "summer",
    "tree",
    "leaf",
    "root",
    "seed",
    "fruit",
    "crop",
    "farm",
    "field",
    "animal",
    "bird",
    "wing",
    "fly",
    "##s",
    "##ing",
    "##ed",
]


def _tokenizer_json() -> str:
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

    vocab = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS])}
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", 2), ("[SEP]", 3)],
    )
    return str(tok.to_str())


def write_sentence_model(
    folder: Path,
    *,
    model_type: str = "bert",
    pooling: str = "mean",
    seed: int = 0,
    max_seq_length: int = 32,
) -> Path:
    """A sentence-transformers folder: config, safetensors weights, tokenizer, pooling."""
    import torch
    from safetensors.torch import save_file
    from transformers import BertConfig, BertModel, RobertaConfig, RobertaModel

    folder.mkdir(parents=True, exist_ok=True)
    common = {
        "vocab_size": len(WORDS) + 5,
        "hidden_size": 32,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "intermediate_size": 64,
        "max_position_embeddings": 66,
        "hidden_act": "gelu",
    }
    torch.manual_seed(seed)
    if model_type == "roberta":
        config = RobertaConfig(**common, pad_token_id=0, type_vocab_size=1)
        model = RobertaModel(config, add_pooling_layer=False)
    else:
        config = BertConfig(**common, pad_token_id=0)
        model = BertModel(config, add_pooling_layer=False)
    with torch.no_grad():  # random, but with a spread that makes vectors differ
        for param in model.parameters():
            param.normal_(0.0, 0.2)
    config.save_pretrained(folder)
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(folder / "model.safetensors"))
    (folder / "tokenizer.json").write_text(_tokenizer_json(), encoding="utf-8")
    (folder / "tokenizer_config.json").write_text(
        json.dumps({"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": 64,
                    "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]",
                    "unk_token": "[UNK]", "mask_token": "[MASK]"}),
        encoding="utf-8",
    )  # fmt: skip
    (folder / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": max_seq_length, "do_lower_case": False}), encoding="utf-8"
    )
    modules = [("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize")]
    (folder / "modules.json").write_text(
        json.dumps(
            [
                {
                    "idx": i,
                    "name": str(i),
                    "path": path,
                    "type": f"sentence_transformers.models.{kind}",
                }
                for i, (path, kind) in enumerate(modules)
            ]
        ),
        encoding="utf-8",
    )
    (folder / "1_Pooling").mkdir(exist_ok=True)
    (folder / "1_Pooling" / "config.json").write_text(
        json.dumps({
            "word_embedding_dimension": 32,
            "pooling_mode_cls_token": pooling == "cls",
            "pooling_mode_mean_tokens": pooling == "mean",
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
        }),
        encoding="utf-8",
    )  # fmt: skip
    (folder / "2_Normalize").mkdir(exist_ok=True)
    return folder
