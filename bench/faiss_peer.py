#!/usr/bin/python3
"""FAISS on the very vectors and queries `Rvs.Bench search --peer-dir DIR` wrote, as a peer for rvs's own figures.

Run with Debian's python3-faiss (FAISS 1.7.3) and the same thread count as the rvs run, right after it:
    /usr/bin/python3 bench/faiss_peer.py DIR/face-like-1000000 --threads 2 --hnsw 16:64 --ef 64,128,256 --nprobe 8,16,32

Recall uses rvs's definitions: recall@k is the share of the exact top k (written by rvs) that comes back; match
recall counts only exact hits at cosine >= the same-person threshold in meta.json.
"""
import argparse
import json
import os
import time

import faiss
import numpy as np


def rss_bytes():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def load(directory):
    with open(os.path.join(directory, "meta.json")) as f:
        meta = json.load(f)
    d, k = meta["dimensions"], meta["k"]
    base = np.fromfile(os.path.join(directory, "base.f32"), dtype="<f4").reshape(-1, d)
    queries = np.fromfile(os.path.join(directory, "queries.f32"), dtype="<f4").reshape(-1, d)
    truth_ids = np.fromfile(os.path.join(directory, "truth_ids.i64"), dtype="<i8").reshape(-1, k)
    truth_similarity = np.fromfile(os.path.join(directory, "truth_similarity.f32"), dtype="<f4").reshape(-1, k)
    return meta, base, queries, truth_ids, truth_similarity


def recall(found, truth_ids, truth_similarity, threshold):
    hits = matches = matches_found = 0
    for q in range(truth_ids.shape[0]):
        returned = set(found[q].tolist())
        for id_, similarity in zip(truth_ids[q], truth_similarity[q]):
            hit = int(id_) in returned
            hits += hit
            if similarity >= threshold:
                matches += 1
                matches_found += hit
    return hits / truth_ids.size, (matches_found / matches if matches else 1.0)


def timed_search(index, queries, k, threads):
    """q/s of one batch over `threads` threads, and of one query at a time on one thread (rvs's 1-thread column)."""
    faiss.omp_set_num_threads(threads)
    index.search(queries[:20], k)  # warm-up
    start = time.perf_counter()
    _, found = index.search(queries, k)
    batch = len(queries) / (time.perf_counter() - start)
    faiss.omp_set_num_threads(1)
    start = time.perf_counter()
    for q in range(len(queries)):
        index.search(queries[q:q + 1], k)
    single = len(queries) / (time.perf_counter() - start)
    faiss.omp_set_num_threads(threads)
    return batch, single, found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--hnsw", default="16:64", help="M:efConstruction pairs, comma-separated; empty skips HNSW")
    parser.add_argument("--ef", default="64,128,256")
    parser.add_argument("--nlist", type=int, default=0, help="IVF lists; 0 means 4·sqrt(n)")
    parser.add_argument("--nprobe", default="8,16,32,64", help="empty skips IVF-Flat")
    args = parser.parse_args()

    meta, base, queries, truth_ids, truth_similarity = load(args.directory)
    n, d, k = base.shape[0], base.shape[1], meta["k"]
    threshold = meta["match_similarity"]
    faiss.omp_set_num_threads(args.threads)
    print(f"FAISS {faiss.__version__} on {meta['data']} {n:,} x {d}, {len(queries)} queries "
          f"({truth_ids.shape[0]} with exact truth), k={k}, {args.threads} threads")
    print()
    print("| data | n | index | build s | inserts/s | memory MB (RSS Δ) | B/face | QPS 1 thread | QPS all threads (batch) | p50 ms | recall@20 | match recall |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")

    def row(name, build, memory, single, batch, found):
        r, m = recall(found[:truth_ids.shape[0]], truth_ids, truth_similarity, threshold)
        print(f"| {meta['data']} | {n:,} | {name} | {build:.1f} | {n / build:.0f} | {memory / 2**20:.0f} | "
              f"{memory / n:.0f} | {single:.0f} | {batch:.0f} | {1000 / single:.3f} | {r:.3f} | {m:.3f} |", flush=True)

    for pair in filter(None, args.hnsw.split(",")):
        m, ef_add = (int(x) for x in pair.split(":"))
        before = rss_bytes()
        start = time.perf_counter()
        index = faiss.IndexHNSWFlat(d, m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = ef_add
        index.add(base)
        build = time.perf_counter() - start
        memory = rss_bytes() - before
        for ef in (int(x) for x in args.ef.split(",")):
            index.hnsw.efSearch = ef
            batch, single, found = timed_search(index, queries, k, args.threads)
            row(f"faiss HNSWFlat M={m} ef_add={ef_add} ef={ef}", build, memory, single, batch, found)
        del index

    if args.nprobe:
        nlist = args.nlist or int(4 * np.sqrt(n))
        before = rss_bytes()
        start = time.perf_counter()
        quantizer = faiss.IndexFlatIP(d)
        index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
        index.train(base[np.random.default_rng(0).choice(n, size=min(n, 64 * nlist), replace=False)])
        index.add(base)
        build = time.perf_counter() - start
        memory = rss_bytes() - before
        for nprobe in (int(x) for x in args.nprobe.split(",")):
            index.nprobe = nprobe
            batch, single, found = timed_search(index, queries, k, args.threads)
            row(f"faiss IVF-Flat nlist={nlist} nprobe={nprobe}", build, memory, single, batch, found)


if __name__ == "__main__":
    main()
