"""The SDK's `RAG`: document conversion, the document store and retrieval."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from instructlab.config import Config as ConfigModel
from instructlab.core._base import ConfiguredBase
from instructlab.core._checked import Positive, checked
from instructlab.errors import FileError, InstructLabError, UsageError

if TYPE_CHECKING:
    from instructlab.rag import ConvertResult, IngestResult, Passage, Retriever


def _all_failed(reasons: list[str], what: str) -> InstructLabError:
    """The error when no document went through: the one reason, or all of them."""
    if len(reasons) == 1:
        return InstructLabError(reasons[0])
    listed = "\n  ".join(reasons)
    return InstructLabError(f"none of {len(reasons)} documents could be {what}:\n  {listed}")


class RAG(ConfiguredBase):
    """Retrieval-augmented generation (v1alpha1). Defaults come from the ``rag`` section:
    ``document_store.uri`` and ``collection_name``, ``embedding_model.embedding_model_name``
    (empty: the packaged all-MiniLM-L6-v2 when installed, else BM25 only),
    ``retriever.top_k`` and ``convert.output_dir``."""

    @checked
    def __init__(
        self,
        document_store_uri: str | Path | None = None,
        collection_name: str | None = None,
        embedding_model: str | Path | None = None,
        configuration: ConfigModel | str | Path | None = None,
    ) -> None:
        super().__init__(configuration)
        self.document_store_uri = document_store_uri
        self.collection_name = collection_name
        self.embedding_model = embedding_model

    # -- defaults --------------------------------------------------------------------

    @property
    def store_uri(self) -> str:
        """The store in use: the argument, else ``rag.document_store.uri``."""
        uri = self.document_store_uri or self.configuration.rag.document_store.uri
        text = str(uri)
        return text if "://" in text or text.startswith("unix:") else str(Path(text).expanduser())

    @property
    def collection(self) -> str:
        """The collection in use."""
        return self.collection_name or self.configuration.rag.document_store.collection_name

    def _embedder(self, backend: str = "auto") -> Any:
        from instructlab.rag import Embedder, find_model

        spec = self.embedding_model
        if spec is None:
            spec = self.configuration.rag.embedding_model.embedding_model_name
        folder = find_model(spec)
        return None if folder is None else Embedder.load(folder, backend)

    # -- the API ---------------------------------------------------------------------

    @checked
    def convert(
        self,
        input_dir: str | Path | None = None,
        output_dir: str | Path | None = None,
        *,
        taxonomy_path: str | Path | None = None,
        taxonomy_base: str | None = None,
        console: Any = None,
    ) -> ConvertResult:
        """Converts documents (Markdown, text, PDF, HTML, DOCX, PPTX) to Docling JSON and
        Markdown in ``output_dir`` (default ``rag.convert.output_dir``).

        The inputs are the files under ``input_dir`` (recursively), or, without it, the
        knowledge documents of the taxonomy leaves changed since ``taxonomy_base``. Unchanged
        sources keep their earlier outputs. ``console`` (a rich Console) shows progress.
        """
        from instructlab.rag import RichProgress, collect_inputs, convert_files
        from instructlab.rag.progress import NO_PROGRESS

        target = Path(output_dir or self.configuration.rag.convert.output_dir).expanduser()
        root: Path | None
        if input_dir is not None:
            root = Path(input_dir).expanduser()
            files, unsupported = collect_inputs(root)
        else:
            root = None
            files, unsupported = self._taxonomy_documents(taxonomy_path, taxonomy_base), []
        if not files:
            where = root if root is not None else "the changed taxonomy leaves"
            raise FileError(
                str(where),
                "no documents to convert (supported: .md, .txt, .pdf, .html, .docx, .pptx)"
                + (f"; {len(unsupported)} unsupported files skipped" if unsupported else ""),
            )
        progress = RichProgress(console) if console is not None else NO_PROGRESS
        try:
            result = convert_files(files, target, root, progress)
        finally:
            progress.close()
        result.unsupported = unsupported
        if result.failed and not result.outputs:
            raise _all_failed([why for _, why in result.failed], "converted")
        return result

    def _taxonomy_documents(
        self, taxonomy_path: str | Path | None, taxonomy_base: str | None
    ) -> list[Path]:
        from instructlab.core.taxonomy import Taxonomy

        leaves = Taxonomy(taxonomy_path, taxonomy_base, self._given).diff()
        seen: dict[Path, None] = {}
        for leaf in leaves:
            for doc in leaf.documents:
                seen.setdefault(doc.path, None)
        return list(seen)

    @checked
    def ingest(
        self,
        input_dir: str | Path | None = None,
        *,
        chunk_tokens: Positive | None = None,
        console: Any = None,
    ) -> IngestResult:
        """Chunks, embeds and stores documents: the files under ``input_dir`` (default:
        ``rag.convert.output_dir``, what :meth:`convert` wrote), incrementally.

        With no embedding model installed or configured, the store holds text for BM25 only.
        A document that fails is named in :attr:`IngestResult.failed`; the others are stored.
        """
        from instructlab.rag import RichProgress, gather_documents, ingest_into, open_store
        from instructlab.rag.progress import NO_PROGRESS

        source = Path(input_dir or self.configuration.rag.convert.output_dir).expanduser()
        if not source.exists():
            hint = "" if input_dir else ": run `ilab rag convert` first, or pass --input-dir"
            raise FileError(str(source), f"no such folder{hint}")
        progress = RichProgress(console) if console is not None else NO_PROGRESS
        try:
            import time

            started = time.perf_counter()
            docs, unsupported, failed = gather_documents([source], progress)
            read_seconds = time.perf_counter() - started
            if not docs:
                reasons = "; ".join(f"{p}: {why}" for p, why in failed)
                raise FileError(
                    str(source),
                    "no document could be ingested"
                    + (f" ({reasons})" if reasons else " (no supported documents)"),
                )
            store = open_store(self.store_uri, self.collection, create=True)
            embedder = self._embedder()
            try:
                result = ingest_into(store, docs, embedder, chunk_tokens, progress)
            finally:
                store.close()
        finally:
            progress.close()
        result.seconds = {"reading": read_seconds, **result.seconds}
        result.unsupported = unsupported
        result.failed = failed
        return result

    @checked
    def retriever(self, mode: Literal["bm25", "vector", "hybrid"] | None = None) -> Retriever:
        """A retriever over the store, for many queries (the store is read once).

        Raises:
            FileError: there is no store, or it holds vectors of a model that is missing or
                differs from the configured one.
        """
        from instructlab.rag import Retriever, open_store

        store = open_store(self.store_uri, self.collection)
        return Retriever(store, self._embedder(), mode)

    @checked
    def retrieve(
        self,
        query: str,
        top_k: Positive | None = None,
        mode: Literal["bm25", "vector", "hybrid"] | None = None,
    ) -> list[Passage]:
        """The ``top_k`` (default ``rag.retriever.top_k``) best passages for ``query``, best
        first: hybrid when the store holds vectors, BM25 when it holds text only."""
        if not query.strip():
            raise UsageError("query: is empty", "query")
        k = top_k or self.configuration.rag.retriever.top_k
        return self.retriever(mode).retrieve(query, k)
