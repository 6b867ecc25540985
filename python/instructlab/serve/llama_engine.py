"""A llama.cpp engine that decodes many sequences at once (continuous batching).

llama-cpp-python's own server decodes one request at a time and ignores ``n``. Here one scheduler
thread owns the llama.cpp context and, at every step, puts the next token of every active sequence
and a chunk of every waiting prompt into a single ``llama_decode`` call. Each sequence has its own
KV stream (``n_seq_max`` slots); the ``n`` samples of one request share the prompt: it is decoded
once, then its KV cache is copied to the other slots. Sampling runs in llama.cpp's sampler chains.
HTTP threads only hand in requests and read events, so throughput grows with concurrency.
"""

from __future__ import annotations

import codecs
import ctypes
import logging
import os
import random
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from instructlab.models.chat_template import ChatTemplate, load_template
from instructlab.serve.generation import (
    Delta,
    EngineError,
    Finish,
    Generation,
    SamplingParams,
    Scored,
    StopMatcher,
    TokenLogprob,
)

log = logging.getLogger(__name__)

_LOG_LEVEL_ERROR = 4  # GGML_LOG_LEVEL_ERROR


def _quiet_logger() -> Any:
    import llama_cpp

    def callback(level: int, text: bytes, _user: ctypes.c_void_p) -> None:
        if level == _LOG_LEVEL_ERROR and text.strip():
            log.error("llama.cpp: %s", text.decode("utf-8", "replace").rstrip())

    return llama_cpp.llama_log_callback(callback)


def default_threads() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS
        return os.cpu_count() or 1


@dataclass
class _Seq:
    slot: int
    index: int
    sampler: Any
    decoder: codecs.IncrementalDecoder
    stops: StopMatcher
    pos: int = 0
    last: int = 0
    generated: int = 0
    batch_index: int = -1
    done: bool = False


@dataclass
class _Request:
    generation: Generation
    tokens: list[int]
    params: SamplingParams
    max_new: int
    #: The GBNF grammar that constrains every sequence of the request (None: free text).
    grammar: bytes | None = None
    seqs: list[_Seq] = field(default_factory=list)
    prefilled: int = 0
    prompt_logits_index: int = -1
    #: A scoring request (``score``): the top alternatives wanted per token, else None.
    score_top: int | None = None
    #: (prompt position, batch index) of this step's tokens whose logits are read.
    score_rows: list[tuple[int, int]] = field(default_factory=list)
    #: prompt position -> (log-probability of the next token, top alternatives)
    scores: dict[int, tuple[float, dict[int, float]]] = field(default_factory=dict)
    #: Tokens the tokenizer added (a BOS the text did not hold): scored, never listed.
    added: int = 0


class LlamaEngine:
    """A GGUF model served to many concurrent requests by one batching scheduler thread."""

    def __init__(
        self,
        model_path: Path,
        *,
        model_id: str,
        ctx_size: int | None = 4096,
        parallel: int = 16,
        threads: int | None = None,
        gpu_layers: int = -1,
        batch_size: int = 512,
        chat_template: str | None = None,
    ) -> None:
        import llama_cpp as lc

        self._lc = lc
        self.model_id = model_id
        self._log_callback = _quiet_logger()
        lc.llama_log_set(self._log_callback, ctypes.c_void_p(0))
        lc.llama_backend_init()

        mparams = lc.llama_model_default_params()
        mparams.n_gpu_layers = 999 if gpu_layers < 0 else gpu_layers
        self._model = lc.llama_model_load_from_file(str(model_path).encode(), mparams)
        if not self._model:
            raise EngineError(f"{model_path}: llama.cpp could not load this GGUF file", 500)
        self._vocab = lc.llama_model_get_vocab(self._model)
        self.n_vocab = lc.llama_vocab_n_tokens(self._vocab)

        train_ctx = lc.llama_model_n_ctx_train(self._model)
        per_seq = min(ctx_size or 4096, train_ctx) if train_ctx > 0 else (ctx_size or 4096)
        self.parallel = max(1, parallel)
        threads = threads or default_threads()
        cparams = lc.llama_context_default_params()
        cparams.n_ctx = per_seq * self.parallel
        cparams.n_batch = batch_size
        cparams.n_ubatch = batch_size
        cparams.n_seq_max = self.parallel
        cparams.n_threads = threads
        cparams.n_threads_batch = threads
        # One KV buffer shared by every slot; llama.cpp's attention mask still keeps each
        # sequence to its own cells. Per-slot streams (kv_unified=False) cost ~4x per decode step
        # on 2 CPU threads (measured: 64 tokens for one request in 2.4 s vs 0.6 s), which made a
        # lone request several times slower than llama-cpp-python's own server.
        cparams.kv_unified = True
        cparams.no_perf = True
        self._ctx = lc.llama_init_from_model(self._model, cparams)
        if not self._ctx:
            lc.llama_model_free(self._model)
            raise EngineError(f"{model_path}: llama.cpp could not create a context", 500)
        self._memory = lc.llama_get_memory(self._ctx)
        self._n_ctx_seq = lc.llama_n_ctx_seq(self._ctx)
        self.batch_size = batch_size
        self._batch = lc.llama_batch_init(batch_size, 0, 1)

        self._add_bos = bool(lc.llama_vocab_get_add_bos(self._vocab))
        bos = lc.llama_vocab_bos(self._vocab)
        eos = lc.llama_vocab_eos(self._vocab)
        self.bos_text = self._piece(bos, special=True) if bos >= 0 else ""
        self.eos_text = self._piece(eos, special=True) if eos >= 0 else ""
        raw = lc.llama_model_chat_template(self._model, None)
        self._template = ChatTemplate(
            load_template(chat_template, raw.decode("utf-8") if raw else None),
            self.bos_text,
            self.eos_text,
        )

        self._cond = threading.Condition()
        self._waiting: deque[_Request] = deque()
        self._active: list[_Request] = []
        self._free_slots = list(range(self.parallel))
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="llama-scheduler", daemon=True)
        self._thread.start()

    # ---- what the HTTP layer uses -------------------------------------------------------------

    @property
    def context_size(self) -> int:
        """Tokens one sequence may hold."""
        return int(self._n_ctx_seq)

    def render_chat(self, messages: list[dict[str, Any]]) -> str:
        """The prompt for a conversation, through the model's chat template."""
        return self._template.render(messages)

    def tokenize(self, text: str) -> list[int]:
        """Token ids of ``text``; special-token text (``<|im_start|>``) becomes special tokens."""
        lc = self._lc
        data = text.encode("utf-8")
        add_bos = self._add_bos and not (self.bos_text and text.startswith(self.bos_text))
        size = len(data) + 8
        buf = (lc.llama_token * size)()
        n = lc.llama_tokenize(self._vocab, data, len(data), buf, size, add_bos, True)
        if n < 0:
            size = -n
            buf = (lc.llama_token * size)()
            n = lc.llama_tokenize(self._vocab, data, len(data), buf, size, add_bos, True)
        return list(buf[:n])

    def score(self, text: str, top: int = 0) -> list[TokenLogprob]:
        """Every token of ``text`` with its log-probability given the ones before it (the
        first has none) and its ``top`` likeliest alternatives: a prompt prefilled with the
        logits of every position kept, nothing generated."""
        tokens = self.tokenize(text)
        if not tokens:
            raise EngineError("the prompt is empty")
        if len(tokens) > self.context_size:
            raise EngineError(
                f"the prompt has {len(tokens)} tokens; this server's context holds "
                f"{self.context_size}"
            )
        added = int(self._add_bos and tokens[0] == self._lc.llama_vocab_bos(self._vocab))
        added = added if not (self.bos_text and text.startswith(self.bos_text)) else 0
        request = _Request(Generation(len(tokens), 1), tokens, SamplingParams(), 0)
        request.score_top = max(0, top)
        request.added = added
        with self._cond:
            if self._stopping:
                raise EngineError("the server is shutting down", 503)
            self._waiting.append(request)
            self._cond.notify()
        for event in request.generation.events():
            if isinstance(event, Scored):
                return list(event.tokens)
        raise EngineError("the scoring request ended without a result", 500)

    def generate(self, prompt: str, params: SamplingParams) -> Generation:
        """Queues a request; its events arrive on the returned :class:`Generation`."""
        if params.n > self.parallel:
            raise EngineError(f"'n' is at most {self.parallel} on this server (--parallel)")
        tokens = self.tokenize(prompt)
        if not tokens:
            raise EngineError("the prompt is empty")
        room = self.context_size - len(tokens)
        if room < 1:
            raise EngineError(
                f"the prompt has {len(tokens)} tokens; this server's context holds "
                f"{self.context_size}"
            )
        max_new = room if params.max_tokens is None else min(params.max_tokens, room)
        grammar = self._grammar(params)
        request = _Request(Generation(len(tokens), params.n), tokens, params, max_new, grammar)
        with self._cond:
            if self._stopping:
                raise EngineError("the server is shutting down", 503)
            self._waiting.append(request)
            self._cond.notify()
        return request.generation

    def close(self) -> None:
        """Stops the scheduler, ends requests in flight and frees llama.cpp's memory."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
        self._thread.join()
        lc = self._lc
        for request in list(self._active) + list(self._waiting):
            self._drop(request, EngineError("the server is shutting down", 503))
        lc.llama_batch_free(self._batch)
        lc.llama_free(self._ctx)
        lc.llama_model_free(self._model)

    # ---- the scheduler ------------------------------------------------------------------------

    def _piece(self, token: int, special: bool = False) -> str:
        return self._piece_bytes(token, special).decode("utf-8", "replace")

    def _piece_bytes(self, token: int, special: bool = False) -> bytes:
        buf = ctypes.create_string_buffer(64)
        n = self._lc.llama_token_to_piece(self._vocab, token, buf, 64, 0, special)
        if n < 0:
            buf = ctypes.create_string_buffer(-n)
            n = self._lc.llama_token_to_piece(self._vocab, token, buf, -n, 0, special)
        return buf.raw[:n]

    def _grammar(self, params: SamplingParams) -> bytes | None:
        """The request's constraint as GBNF text llama.cpp accepts (checked here, in the HTTP
        thread, so a bad grammar is the client's HTTP 400, not the scheduler's failure)."""
        constraint = params.constraint
        if constraint is None:
            return None
        text = constraint.text
        if constraint.kind == "json_schema":
            from llama_cpp.llama_grammar import LlamaGrammar

            try:
                text = LlamaGrammar.from_json_schema(constraint.text, verbose=False)._grammar
            except Exception as exc:  # the converter raises anything on a schema it cannot do
                raise EngineError(
                    f"'response_format': cannot constrain to this schema: {exc}"
                ) from None
        grammar = text.encode("utf-8")
        probe = self._lc.llama_sampler_init_grammar(self._vocab, grammar, b"root")
        if not probe:
            raise EngineError("'grammar': llama.cpp cannot parse it (GBNF with a 'root' rule)")
        self._lc.llama_sampler_free(probe)
        return grammar

    def _sampler(self, params: SamplingParams, index: int, grammar: bytes | None = None) -> Any:
        lc = self._lc
        chain = lc.llama_sampler_chain_init(lc.llama_sampler_chain_default_params())
        if grammar is not None:
            # First in the chain: every later sampler only sees tokens the grammar allows.
            lc.llama_sampler_chain_add(
                chain, lc.llama_sampler_init_grammar(self._vocab, grammar, b"root")
            )
        if (
            params.repeat_penalty != 1.0
            or params.frequency_penalty != 0.0
            or params.presence_penalty != 0.0
        ):
            lc.llama_sampler_chain_add(
                chain,
                lc.llama_sampler_init_penalties(
                    self.n_vocab,
                    64,
                    params.repeat_penalty,
                    params.frequency_penalty,
                    params.presence_penalty,
                ),
            )
        if params.temperature <= 0.0:
            lc.llama_sampler_chain_add(chain, lc.llama_sampler_init_greedy())
            return chain
        if params.top_k > 0:
            lc.llama_sampler_chain_add(chain, lc.llama_sampler_init_top_k(params.top_k))
        if params.top_p < 1.0:
            lc.llama_sampler_chain_add(chain, lc.llama_sampler_init_top_p(params.top_p, 1))
        if params.min_p > 0.0:
            lc.llama_sampler_chain_add(chain, lc.llama_sampler_init_min_p(params.min_p, 1))
        lc.llama_sampler_chain_add(chain, lc.llama_sampler_init_temp(params.temperature))
        seed = (
            (params.seed + index) & 0xFFFFFFFF
            if params.seed is not None
            else random.getrandbits(32)
        )
        lc.llama_sampler_chain_add(chain, lc.llama_sampler_init_dist(seed))
        return chain

    def _admit(self) -> None:
        while self._waiting and len(self._free_slots) >= self._waiting[0].params.n:
            request = self._waiting.popleft()
            if request.generation.cancelled:
                request.generation.close()
                continue
            for index in range(request.params.n):
                request.seqs.append(
                    _Seq(
                        slot=self._free_slots.pop(0),
                        index=index,
                        sampler=self._sampler(request.params, index, request.grammar),
                        decoder=codecs.getincrementaldecoder("utf-8")("replace"),
                        stops=StopMatcher(request.params.stop),
                    )
                )
            self._active.append(request)

    def _release(self, seq: _Seq) -> None:
        if seq.done:
            return
        seq.done = True
        self._lc.llama_memory_seq_rm(self._memory, seq.slot, -1, -1)
        self._lc.llama_sampler_free(seq.sampler)
        self._free_slots.append(seq.slot)

    def _drop(self, request: _Request, error: EngineError | None = None) -> None:
        for seq in request.seqs:
            self._release(seq)
        if request in self._active:
            self._active.remove(request)
        if error is not None:
            request.generation.fail(error)
        else:
            request.generation.close()

    def _run(self) -> None:
        try:
            while True:
                with self._cond:
                    while not self._stopping and not self._active and not self._waiting:
                        self._cond.wait()
                    if self._stopping:
                        return
                    self._admit()
                for request in [r for r in self._active if r.generation.cancelled]:
                    self._drop(request)
                if self._active:
                    self._step()
        except Exception as exc:  # a bug or a llama.cpp failure: fail everyone, loudly
            log.exception("the llama.cpp scheduler stopped")
            with self._cond:
                self._stopping = True
                for request in list(self._active) + list(self._waiting):
                    self._drop(request, EngineError(f"the engine failed: {exc}", 500))

    def _add(self, n: int, token: int, pos: int, slot: int, logits: bool) -> None:
        batch = self._batch
        batch.token[n] = token
        batch.pos[n] = pos
        batch.n_seq_id[n] = 1
        batch.seq_id[n][0] = slot
        batch.logits[n] = logits

    def _step(self) -> None:
        lc = self._lc
        n = 0
        decoding: list[tuple[_Request, _Seq]] = []
        finishing_prompt: list[_Request] = []
        for request in self._active:
            if request.prefilled < len(request.tokens):
                continue
            for seq in request.seqs:
                if not seq.done and n < self.batch_size:
                    self._add(n, seq.last, seq.pos, seq.slot, True)
                    seq.batch_index = n
                    n += 1
                    decoding.append((request, seq))
        for request in self._active:
            start = request.prefilled
            if start >= len(request.tokens) or n >= self.batch_size:
                continue
            take = min(self.batch_size - n, len(request.tokens) - start)
            slot = request.seqs[0].slot
            scoring = request.score_top is not None
            request.score_rows.clear()
            for i in range(take):
                pos = start + i
                last = pos == len(request.tokens) - 1
                self._add(n, request.tokens[pos], pos, slot, last or scoring)
                if last:
                    request.prompt_logits_index = n
                if scoring and not last:
                    request.score_rows.append((pos, n))
                n += 1
            request.prefilled += take
            if request.prefilled == len(request.tokens):
                finishing_prompt.append(request)
        if n == 0:
            return
        self._batch.n_tokens = n
        rc = lc.llama_decode(self._ctx, self._batch)
        if rc != 0:
            # Nothing of this step is usable; fail the requests in it rather than loop forever.
            involved = {id(r): r for r, _ in decoding} | {id(r): r for r in finishing_prompt}
            for request in self._active:
                if 0 < request.prefilled < len(request.tokens):
                    involved[id(request)] = request
            for request in involved.values():
                self._drop(request, EngineError(f"llama_decode failed (code {rc})", 500))
            return
        for request in self._active:
            if request.score_rows:
                self._read_scores(request)
        for request in finishing_prompt:
            if request.score_top is not None:
                request.generation.put(Scored(self._scored(request)))
                self._drop(request)
                continue
            first = request.seqs[0]
            for seq in request.seqs[1:]:
                lc.llama_memory_seq_cp(self._memory, first.slot, seq.slot, -1, -1)
            for seq in request.seqs:
                seq.pos = len(request.tokens)
                token = lc.llama_sampler_sample(seq.sampler, self._ctx, request.prompt_logits_index)
                self._emit(request, seq, token)
        for request, seq in decoding:
            if seq.done:
                continue
            seq.pos += 1
            token = lc.llama_sampler_sample(seq.sampler, self._ctx, seq.batch_index)
            self._emit(request, seq, token)
        for request in [r for r in self._active if all(s.done for s in r.seqs)]:
            self._active.remove(request)
            request.generation.close()

    def _read_scores(self, request: _Request) -> None:
        """The log-probability of each next prompt token at this step's scored positions."""
        import numpy as np

        lc = self._lc
        rows = np.stack(
            [
                np.ctypeslib.as_array(lc.llama_get_logits_ith(self._ctx, index), (self.n_vocab,))
                for _, index in request.score_rows
            ]
        ).astype(np.float64)
        peak = rows.max(axis=1, keepdims=True)
        logz = peak[:, 0] + np.log(np.exp(rows - peak).sum(axis=1))
        nexts = [request.tokens[pos + 1] for pos, _ in request.score_rows]
        chosen = rows[np.arange(len(nexts)), nexts] - logz
        top = request.score_top or 0
        for k, (pos, _) in enumerate(request.score_rows):
            best: dict[int, float] = {}
            if top:
                ids = np.argpartition(-rows[k], top)[:top]
                best = {int(t): float(rows[k, t] - logz[k]) for t in ids}
            request.scores[pos] = (float(chosen[k]), best)
        request.score_rows.clear()

    def _scored(self, request: _Request) -> tuple[TokenLogprob, ...]:
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        out: list[TokenLogprob] = []
        offset = 0
        for pos, token in enumerate(request.tokens):
            piece = self._piece_bytes(token, special=True) if pos >= request.added else b""
            text = decoder.decode(piece)
            if pos >= request.added:
                logprob = None
                top = None
                if pos > 0:
                    logprob, alternatives = request.scores[pos - 1]
                    if request.score_top:
                        top = {self._piece(t, special=True): v for t, v in alternatives.items()}
                token_text = piece.decode("utf-8", "replace")
                out.append(TokenLogprob(token_text, offset, logprob, top))
            offset += len(text)
        return tuple(out)

    def _emit(self, request: _Request, seq: _Seq, token: int) -> None:
        generation = request.generation
        seq.generated += 1
        if self._lc.llama_vocab_is_eog(self._vocab, token):
            self._finish(request, seq, "stop", seq.generated - 1)
            return
        piece = seq.decoder.decode(self._piece_bytes(token))
        text, hit = seq.stops.feed(piece)
        if text:
            generation.put(Delta(seq.index, text))
        if hit:
            self._finish(request, seq, "stop", seq.generated)
        elif seq.generated >= request.max_new or seq.pos >= self.context_size:
            self._finish(request, seq, "length", seq.generated)
        else:
            seq.last = token

    def _finish(self, request: _Request, seq: _Seq, reason: str, tokens: int) -> None:
        tail = seq.decoder.decode(b"", final=True)
        if tail and reason != "stop":
            seq.stops.feed(tail)
        rest = seq.stops.flush()
        if rest:
            request.generation.put(Delta(seq.index, rest))
        request.generation.put(Finish(seq.index, reason, tokens))
        self._release(seq)
