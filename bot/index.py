"""The thread index: one embedding per published thread in a FAISS inner-product index, saved with
the corpus hash and model id it was built from so a stale index is refused rather than served.

The index type follows the corpus size (README, "Large corpora"): exact `flat` search up to
FLAT_MAX_THREADS, approximate `hnsw` above it (a graph over vectors stored as 16-bit floats, half the
memory of float32); `ivf` (inverted lists, fp16) is available as an override. All score by inner product
on unit vectors, i.e. cosine similarity.

On disk (`index_dir`): `meta.json` names the version folder `versions/<version>/threads.faiss` it
belongs to. A build writes a new version folder first and then replaces `meta.json` in one rename, so a
reader sees the old index or the new one, never half of one.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from bot.config import CorpusSettings
from bot.corpus import Corpus, Thread
from bot.embedding import Embedder
from bot.embedding_cache import EmbedStats, encode_cached
from bot.errors import LoadError

INDEX_FILE = "threads.faiss"
META_FILE = "meta.json"
VERSIONS_DIR = "versions"
CACHE_DIR = "embeddings"
FORMAT_VERSION = 2
TEXT_MODES = ("question", "question+answers")
INDEX_TYPES = ("auto", "flat", "hnsw", "ivf")

# Measured with bench/large.py (README, "Large corpora"): flat search of 20k vectors takes ~1 ms a
# query on a busy 2-core machine (3 ms at 50k, 7-16 ms at 100k); HNSW answers in well under 1 ms at
# recall@10 >= 0.99. IVF builds faster and is smaller, but its recall fell to 0.87 at 1M vectors whose
# tight topics outnumber its lists, so it is an override, not the default.
FLAT_MAX_THREADS = 20_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80  # 40 measured recall@10 0.965 at 300k vectors, 80 gave 0.998
HNSW_EF_SEARCH = 128
IVF_NPROBE = 32
IVF_TRAIN_PER_LIST = 40  # k-means points per list (FAISS warns below 39)
# Versions kept besides the current one, so a reader that read the previous meta.json can still open it.
KEEP_VERSIONS = 2


class StaleIndexError(LoadError):
    """The saved index is missing or was built from another corpus, model or setting."""


@dataclass(frozen=True)
class IndexMeta:
    """What an index was built from."""

    corpus_hash: str
    model_id: str
    index_text: str
    thread_ids: tuple[str, ...]
    dimension: int
    built_at: float
    format_version: int = FORMAT_VERSION
    index_type: str = "flat"
    version: str = ""  # folder under versions/ holding the FAISS file; "" for the format-1 layout

    def to_json(self) -> str:
        return json.dumps({**self.__dict__, "thread_ids": list(self.thread_ids)}, indent=2)

    @classmethod
    def from_json(cls, text: str) -> "IndexMeta":
        data = json.loads(text)
        known = {f.name for f in dataclasses.fields(cls)}
        data = {k: v for k, v in data.items() if k in known}
        data["thread_ids"] = tuple(data["thread_ids"])
        return cls(**data)


@dataclass
class ThreadIndex:
    """A FAISS index whose row i is the thread `meta.thread_ids[i]`."""

    faiss_index: faiss.Index
    meta: IndexMeta
    stats: EmbedStats | None = None  # set by build_index

    def search(self, query: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The k nearest threads to one unit query vector, as (thread id, cosine score), best first."""
        k = min(k, self.faiss_index.ntotal)
        if k <= 0:
            return []
        scores, rows = self.faiss_index.search(query.reshape(1, -1), k)
        return [(self.meta.thread_ids[r], float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]


def thread_text(thread: Thread, mode: str) -> str:
    """The text embedded for a thread under an `index_text` mode."""
    if mode not in TEXT_MODES:
        raise ValueError(f"index_text must be one of {TEXT_MODES}, not {mode!r}")
    parts = [thread.question, *thread.phrasings]
    if mode == "question+answers":
        parts += [thread.body or ""] + [a.body for a in thread.answers]
    return "\n".join(p for p in parts if p)


def choose_index_type(count: int, setting: str = "auto") -> str:
    """The FAISS index type for `count` vectors: the setting, or by size when it is `auto`."""
    if setting not in INDEX_TYPES:
        raise ValueError(f"index_type must be one of {', '.join(INDEX_TYPES)}, not {setting!r}")
    if setting != "auto":
        return setting
    return "flat" if count <= FLAT_MAX_THREADS else "hnsw"


def ivf_lists(count: int) -> int:
    """Inverted lists for an IVF index of `count` vectors: ~2·sqrt(n), with enough points to train each."""
    return max(1, min(int(2 * math.sqrt(count)), count // IVF_TRAIN_PER_LIST))


def empty_faiss_index(index_type: str, dimension: int, count: int) -> faiss.Index:
    """An empty inner-product index of a concrete type, sized for about `count` vectors (train if needed)."""
    if index_type == "flat":
        return faiss.IndexFlatIP(dimension)
    if index_type == "hnsw":
        # fp16 vectors: 1M x 384 in 0.77 GB instead of 1.5 GB, scores within ~1e-3 of float32.
        # faiss's generated stubs type the quantizer argument as a ScalarQuantizer; SWIG takes its QT_* int.
        index = faiss.IndexHNSWSQ(
            dimension,
            faiss.ScalarQuantizer.QT_fp16,  # type: ignore[arg-type]
            HNSW_M,
            faiss.METRIC_INNER_PRODUCT,
        )
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        configure_search(index, index_type)
        return index
    if index_type == "ivf":
        quantizer = faiss.IndexFlatIP(dimension)
        ivf = faiss.IndexIVFScalarQuantizer(
            # 16-bit floats: 8-bit codes measured recall@10 0.978-0.982 on the benchmark, fp16 0.996.
            quantizer,
            dimension,
            ivf_lists(count),
            faiss.ScalarQuantizer.QT_fp16,
            faiss.METRIC_INNER_PRODUCT,
        )
        ivf.cp.niter = 10  # enough for coarse lists; recall comes from nprobe
        configure_search(ivf, index_type)
        return ivf
    raise ValueError(f"unknown index type {index_type!r}; use one of {', '.join(INDEX_TYPES[1:])}")


def training_sample(vectors: np.ndarray, index: faiss.Index, seed: int = 0) -> np.ndarray:
    """The vectors an untrained index is trained on: all of them, or a random subset for large IVF."""
    if isinstance(index, faiss.IndexIVF):
        limit = max(index.nlist * IVF_TRAIN_PER_LIST, 10_000)
        if len(vectors) > limit:
            rows = np.random.default_rng(seed).choice(len(vectors), limit, replace=False)
            return np.ascontiguousarray(vectors[np.sort(rows)])
    return vectors


def make_faiss_index(vectors: np.ndarray, index_type: str) -> faiss.Index:
    """A FAISS index of a concrete type holding `vectors` (unit float32 rows), trained when it needs it."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    index = empty_faiss_index(index_type, vectors.shape[1], len(vectors))
    if not index.is_trained and len(vectors):
        index.train(training_sample(vectors, index))
    index.add(vectors)
    if isinstance(index, faiss.IndexIVF):
        index.make_direct_map()  # rows can be read back (reconstruct_n), as with flat; 8 bytes a vector
    return index


def search_one_query_per_thread() -> None:
    """Make FAISS search each query on the calling thread. The assistant searches one query per call,
    where OpenMP only adds wake-up latency: on a busy 2-core machine flat search of 10k vectors took
    16 ms p50 with 2 OpenMP threads and 0.25 ms with 1. Concurrent messages still use both cores."""
    faiss.omp_set_num_threads(1)


def configure_search(index: faiss.Index, index_type: str) -> None:
    """Set the search-time knobs (HNSW efSearch, IVF nprobe), which recall@10 >= 0.98 was measured with."""
    if index_type == "hnsw":
        faiss.downcast_index(index).hnsw.efSearch = HNSW_EF_SEARCH  # type: ignore[attr-defined]  # an IndexHNSW*
    elif index_type == "ivf":
        ivf = faiss.extract_index_ivf(index)
        ivf.nprobe = min(IVF_NPROBE, ivf.nlist)


def build_index(
    corpus: Corpus,
    embedder: Embedder,
    index_text: str,
    progress: bool = False,
    *,
    index_type: str = "auto",
    cache_dir: Path | None = None,
) -> ThreadIndex:
    """Embed every published thread (reusing cached vectors from `cache_dir`) and index the vectors."""
    threads = corpus.published
    texts = [thread_text(t, index_text) for t in threads]
    if cache_dir is None:
        vectors = embedder.encode(texts, progress=progress) if texts else np.zeros((0, embedder.dimension), np.float32)
        stats = EmbedStats(embedded=len(texts), reused=0, removed=0)
    else:
        vectors, stats = encode_cached(texts, embedder, Path(cache_dir), progress=progress)
    dimension = vectors.shape[1] if len(vectors) else embedder.dimension
    kind = choose_index_type(len(threads), index_type)
    meta = IndexMeta(
        corpus_hash=corpus.content_hash,
        model_id=embedder.model_id,
        index_text=index_text,
        thread_ids=tuple(t.id for t in threads),
        dimension=dimension,
        built_at=time.time(),
        index_type=kind,
    )
    return ThreadIndex(make_faiss_index(vectors.reshape(-1, dimension), kind), meta, stats)


def save_index(index: ThreadIndex, folder: Path) -> None:
    """Write the index to a new version folder, then switch meta.json to it in one atomic rename."""
    folder = Path(folder)
    version = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    target = folder / VERSIONS_DIR / version
    target.mkdir(parents=True)
    faiss.write_index(index.faiss_index, str(target / INDEX_FILE))
    meta = dataclasses.replace(index.meta, version=version)
    (target / META_FILE).write_text(meta.to_json(), encoding="utf-8")  # a record; meta.json is what counts
    _fsync_dir(target)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{META_FILE}.")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(meta.to_json())
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, folder / META_FILE)
    _fsync_dir(folder)
    index.meta = meta
    _prune_versions(folder, version)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _prune_versions(folder: Path, current: str) -> None:
    # Keep the newest few: a server may have read the previous meta.json and be opening its file now.
    versions = sorted(
        (p for p in (folder / VERSIONS_DIR).iterdir() if p.is_dir() and p.name != current),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in versions[KEEP_VERSIONS:]:
        shutil.rmtree(old, ignore_errors=True)
    legacy = folder / INDEX_FILE  # the format-1 layout kept the FAISS file beside meta.json
    if legacy.exists():
        legacy.unlink(missing_ok=True)


def index_file(folder: Path, meta: IndexMeta) -> Path:
    """The FAISS file that `meta` describes."""
    folder = Path(folder)
    return folder / VERSIONS_DIR / meta.version / INDEX_FILE if meta.version else folder / INDEX_FILE


def read_meta(folder: Path) -> IndexMeta | None:
    """The metadata of the index in `folder`, or None if there is none."""
    path = Path(folder) / META_FILE
    try:
        meta = IndexMeta.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    return meta if index_file(folder, meta).exists() else None


def staleness(meta: IndexMeta | None, corpus: Corpus, model_id: str, index_text: str) -> str | None:
    """Why an index with `meta` cannot serve this corpus and settings, or None if it can."""
    if meta is None:
        return "no index has been built"
    if meta.format_version != FORMAT_VERSION:
        return "the index was written by another version of the assistant"
    if meta.corpus_hash != corpus.content_hash:
        return "the answer corpus has changed since the index was built"
    if meta.model_id != model_id:
        return f"the index was built with model {meta.model_id!r}, not {model_id!r}"
    if meta.index_text != index_text:
        return f"the index embeds {meta.index_text!r}, but the setting is {index_text!r}"
    return None


def load_index(folder: Path, corpus: Corpus, model_id: str, index_text: str) -> ThreadIndex:
    """Load the saved index, refusing one that does not match the corpus and settings or cannot be read."""
    meta = read_meta(folder)
    reason = staleness(meta, corpus, model_id, index_text)
    if reason is None:
        assert meta is not None  # staleness() gives a reason when no index has been built
        try:
            faiss_index = faiss.read_index(str(index_file(folder, meta)))
        except (RuntimeError, OSError) as exc:
            reason = f"the index file cannot be read ({str(exc).strip().splitlines()[0][:200]})"
        else:
            if faiss_index.ntotal != len(meta.thread_ids) or faiss_index.d != meta.dimension:
                reason = "the index file does not match its metadata"
    if reason:
        raise StaleIndexError(
            f"Cannot use the index in {folder}: {reason}. Rebuild it with `bot index` (or `make index`)."
        )
    assert meta is not None  # as above: no reason, so an index was read
    configure_search(faiss_index, meta.index_type)
    search_one_query_per_thread()
    return ThreadIndex(faiss_index, meta)


def rebuild(corpus: Corpus, embedder: Embedder, settings: CorpusSettings, progress: bool = False) -> ThreadIndex:
    """Build and save the index of `corpus` as the corpus settings say (`bot index`, a console publish):
    vectors of unchanged threads come from the embedding cache, so only new or edited threads are embedded."""
    index = build_index(
        corpus,
        embedder,
        settings.index_text,
        progress=progress,
        index_type=settings.index_type,
        cache_dir=Path(settings.index_dir) / CACHE_DIR,
    )
    save_index(index, Path(settings.index_dir))
    return index
