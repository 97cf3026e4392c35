"""`make bench-large`: the thread index at platform scale. Prints figures; asserts nothing.

For each size (`--sizes`, default 10k, 100k, 1M) and index type it builds a synthetic corpus of unit
vectors (dimension 384, the default model's) and reports build time, index size on disk, peak resident
memory of the build and of a process that only loads the index and searches, query p50/p95 of the search
step (one query per call, as the assistant searches) and recall@10 against exact search.

Vectors are random unit vectors around random topic centres (one centre per 100 vectors, noise about
as large as the centre), and queries are new draws around the same centres: a new way of asking a stored
question. Uniform random unit vectors would make recall@10 meaningless: in 384 dimensions all their
similarities are nearly equal, so "the 10 nearest" is noise, unlike embeddings of real text.

Every build and every search runs in its own subprocess so memory figures do not accumulate.
Separately: embedding throughput of the real model (texts/s), and the incremental index (edit 1 thread
of 10,000, count re-embedded texts, with a fast fake embedder: the count is what is measured).

    .venv/bin/python bench/large.py [--sizes 10000,100000,1000000] [--types flat,hnsw,ivf] [--skip-embed]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DIM = 384
QUERIES = 500
CHUNK = 50_000
PER_TOPIC = 100
SEED = 7
# Types whose memory cannot fit the 1.5 GB budget at 1M (float32 vectors alone are 1.5 GB) are skipped there.
MAX_SIZE = {"flat": 200_000, "hnsw": 10**9, "ivf": 10**9}


def rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def unit(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x / np.linalg.norm(x, axis=1, keepdims=True), dtype=np.float32)


def centres(size: int) -> np.ndarray:
    return unit(np.random.default_rng(SEED).standard_normal((max(1, size // PER_TOPIC), DIM), dtype=np.float32))


def draw(c: np.ndarray, rows: int, rng: np.random.Generator) -> np.ndarray:
    noise = rng.standard_normal((rows, DIM), dtype=np.float32) / np.sqrt(DIM)
    return unit(c[rng.integers(0, len(c), rows)] + noise)


def chunks(size: int):
    """The corpus in chunks of CHUNK vectors, the same every run (each chunk has its own seed)."""
    c = centres(size)
    for start in range(0, size, CHUNK):
        yield draw(c, min(CHUNK, size - start), np.random.default_rng((SEED, start)))


def queries(size: int) -> np.ndarray:
    return draw(centres(size), QUERIES, np.random.default_rng((SEED, 1, 1)))


def exact_top10(size: int, q: np.ndarray) -> np.ndarray:
    """Exact top-10 rows per query, merged chunk by chunk (never the whole corpus in memory)."""
    best_s = np.full((len(q), 10), -np.inf, np.float32)
    best_i = np.zeros((len(q), 10), np.int64)
    offset = 0
    for chunk in chunks(size):
        scores = q @ chunk.T
        top = np.argpartition(-scores, 10, axis=1)[:, :10]
        s = np.concatenate([best_s, np.take_along_axis(scores, top, 1)], 1)
        i = np.concatenate([best_i, top + offset], 1)
        order = np.argsort(-s, axis=1)[:, :10]
        best_s, best_i = np.take_along_axis(s, order, 1), np.take_along_axis(i, order, 1)
        offset += len(chunk)
    return best_i


def worker_build(size: int, kind: str, folder: Path) -> dict:
    """Build one index from the synthetic corpus and write it; runs in its own process."""
    import faiss

    from bot.index import IVF_TRAIN_PER_LIST, empty_faiss_index, training_sample

    started = time.perf_counter()
    index = empty_faiss_index(kind, DIM, size)
    need = faiss.extract_index_ivf(index).nlist * IVF_TRAIN_PER_LIST if kind == "ivf" else 0
    pending: list[np.ndarray] = []
    for chunk in chunks(size):
        if index.is_trained:
            index.add(chunk)
            continue
        pending.append(chunk)  # chunks are drawn alike: the first ones train as well as a sample of all
        if sum(map(len, pending)) >= need or sum(map(len, pending)) == size:
            first = np.concatenate(pending)
            index.train(training_sample(first, index))
            index.add(first)
            pending = []
    build_s = time.perf_counter() - started
    path = folder / f"{size}-{kind}.faiss"
    faiss.write_index(index, str(path))
    return {"build_s": build_s, "disk_mb": path.stat().st_size / 2**20, "build_rss_mb": rss_mb()}


def worker_search(size: int, kind: str, folder: Path) -> dict:
    """Load the written index and time single-query searches against exact results."""
    import faiss

    from bot.index import configure_search, search_one_query_per_thread

    q, truth = np.load(folder / f"{size}-queries.npy"), np.load(folder / f"{size}-truth.npy")
    before = current_rss_mb()
    index = faiss.read_index(str(folder / f"{size}-{kind}.faiss"))
    configure_search(index, kind)
    search_one_query_per_thread()  # as load_index does for the assistant
    loaded = current_rss_mb()
    for row in q[:20]:
        index.search(row[None], 10)  # warm-up
    times, hits = [], 0
    for row, want in zip(q, truth):
        started = time.perf_counter()
        _, got = index.search(row[None], 10)
        times.append((time.perf_counter() - started) * 1000)
        hits += len(set(got[0].tolist()) & set(want.tolist()))
    return {
        "p50_ms": float(np.percentile(times, 50)),
        "p95_ms": float(np.percentile(times, 95)),
        "recall10": hits / (10 * len(q)),
        "index_rss_mb": loaded - before,
        "search_rss_mb": rss_mb(),
    }


def worker_truth(size: int, folder: Path) -> dict:
    started = time.perf_counter()
    q = queries(size)
    np.save(folder / f"{size}-queries.npy", q)
    np.save(folder / f"{size}-truth.npy", exact_top10(size, q))
    return {"truth_s": time.perf_counter() - started}


def run_worker(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", *args], capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"worker {args} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_search(sizes: list[int], kinds: list[str], folder: Path) -> list[dict]:
    rows = []
    print(
        f"{'size':>9} {'type':<5} {'build s':>8} {'disk MB':>8} {'build RSS':>10} {'search RSS':>10} "
        f"{'index MB':>8} {'p50 ms':>7} {'p95 ms':>7} {'recall@10':>9}",
        flush=True,
    )
    for size in sizes:
        run_worker("truth", str(size), str(folder))
        for kind in kinds:
            if size > MAX_SIZE[kind]:
                print(f"{size:>9} {kind:<5} skipped: float32 vectors alone exceed the memory budget", flush=True)
                continue
            row = {"size": size, "type": kind, **run_worker("build", str(size), kind, str(folder))}
            row.update(run_worker("search", str(size), kind, str(folder)))
            rows.append(row)
            print(
                f"{size:>9} {kind:<5} {row['build_s']:8.1f} {row['disk_mb']:8.0f} {row['build_rss_mb']:8.0f}MB "
                f"{row['search_rss_mb']:8.0f}MB {row['index_rss_mb']:8.0f} {row['p50_ms']:7.3f} {row['p95_ms']:7.3f} "
                f"{row['recall10']:9.4f}",
                flush=True,
            )
            (folder / f"{size}-{kind}.faiss").unlink()
    return rows


def bench_embedding() -> dict:
    """Texts per second of the real model over the demo corpus's thread texts, and one-query latency."""
    from bot.config import Settings
    from bot.corpus import load_corpus
    from bot.embedding import Embedder
    from bot.index import thread_text

    settings = Settings.from_env()
    texts = [thread_text(t, settings.corpus.index_text) for t in load_corpus(settings.corpus.corpus_dir).published]
    texts = (texts * (512 // len(texts) + 1))[:512]
    embedder = Embedder.load(settings.corpus.model)
    embedder.encode(texts[:32])
    started = time.perf_counter()
    embedder.encode(texts)
    rate = len(texts) / (time.perf_counter() - started)
    single = []
    for text in ["can I go to the gym after botox?"] * 50:
        t0 = time.perf_counter()
        embedder.encode([text])
        single.append((time.perf_counter() - t0) * 1000)
    return {"texts_per_s": rate, "texts": len(texts), "query_p50_ms": float(np.percentile(single, 50))}


class CountingFakeEmbedder:
    """Deterministic pseudo-vectors from a text hash: fast, so the bench measures the count, not the model."""

    model_id = "fake-hash-embedder"
    dimension = DIM

    def __init__(self) -> None:
        self.texts = 0

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        import hashlib

        self.texts += len(texts)
        seeds = [int.from_bytes(hashlib.sha256(t.encode()).digest()[:8], "little") for t in texts]
        return unit(np.stack([np.random.default_rng(s).standard_normal(DIM, dtype=np.float32) for s in seeds]))


def bench_incremental(count: int = 10_000) -> dict:
    """Write `count` thread files, index them, edit one, index again: how many texts were embedded."""
    import yaml

    from bot.corpus import load_corpus
    from bot.index import build_index, save_index

    work = Path(tempfile.mkdtemp(prefix="bench-incremental-"))
    corpus_dir, index_dir = work / "answers", work / "index"
    corpus_dir.mkdir()
    for i in range(count):
        thread = {
            "id": f"thread-{i}",
            "question": f"Synthetic question number {i} about aftercare?",
            "treatments": ["general"],
            "status": "published",
            "answers": [{"author": {"name": f"Dr. Example {i % 97}"}, "body": f"Synthetic answer {i}."}],
        }
        (corpus_dir / f"thread-{i}.yml").write_text(yaml.safe_dump(thread), encoding="utf-8")
    result = {}
    for step in ("first build", "edit 1 thread"):
        if step == "edit 1 thread":
            path = corpus_dir / "thread-1234.yml"
            path.write_text(path.read_text().replace("Synthetic answer 1234.", "Edited answer 1234."))
        embedder = CountingFakeEmbedder()
        started = time.perf_counter()
        corpus = load_corpus(corpus_dir)
        index = build_index(corpus, embedder, "question+answers", cache_dir=index_dir / "embeddings")
        save_index(index, index_dir)
        result[step] = {
            "embedded": embedder.texts,
            "reused": index.stats.reused,
            "removed": index.stats.removed,
            "seconds": time.perf_counter() - started,
            "type": index.meta.index_type,
        }
        print(
            f"  {step:<14} {count} threads: {embedder.texts} embedded, {index.stats.reused} reused, "
            f"{index.stats.removed} removed, {result[step]['seconds']:.1f}s (load + embed + index + save)",
            flush=True,
        )
    shutil.rmtree(work)
    return result


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        what, size, *rest = sys.argv[2:]
        if what == "truth":
            out = worker_truth(int(size), Path(rest[0]))
        else:
            fn = worker_build if what == "build" else worker_search
            out = fn(int(size), rest[0], Path(rest[1]))
        print(json.dumps(out))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated corpus sizes ('none': skip)")
    parser.add_argument("--types", default="flat,hnsw,ivf", help="comma-separated index types")
    parser.add_argument("--skip-embed", action="store_true", help="skip embedding throughput and the incremental run")
    parser.add_argument("--out", default=str(ROOT / "var" / "bench" / "large.json"), help="JSON results file")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip() not in ("", "none")]
    kinds = [k for k in args.types.split(",") if k]
    folder = Path(tempfile.mkdtemp(prefix="bench-large-"))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"Search step, dimension {DIM}, {QUERIES} queries, one per call; machine: {os.cpu_count()} cores, "
        f"load average {load} (shared machine: figures vary with it)\n",
        flush=True,
    )
    results: dict = {"load_average_at_start": os.getloadavg(), "search": bench_search(sizes, kinds, folder)}
    shutil.rmtree(folder, ignore_errors=True)
    if not args.skip_embed:
        print("\nIncremental index (fake fast embedder; the count is the measurement):", flush=True)
        results["incremental"] = bench_incremental()
        emb = {**bench_embedding(), "load_average": os.getloadavg()}
        results["embedding"] = emb
        print(
            f"\nEmbedding throughput (real model, {emb['texts']} thread texts, batch 32): {emb['texts_per_s']:.0f} "
            f"texts/s; one query: p50 {emb['query_p50_ms']:.1f} ms (load average {emb['load_average'][0]:.1f})",
            flush=True,
        )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"\nResults: {out}")


if __name__ == "__main__":
    main()
