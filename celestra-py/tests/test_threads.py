"""The GIL is released while the engine works: other Python threads keep running, engine calls
from two threads use two cores at once, and threaded calls give the same results as sequential
ones. (CPU time against wall time shows parallelism; no speed goal is asserted here.)"""

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import celestra_engine as ce
from conftest import WORKFLOWS


def test_other_threads_run_during_an_engine_call(big_workflow):
    done = threading.Event()
    ticks = 0

    def counter():
        nonlocal ticks
        while not done.is_set():
            ticks += 1

    t = threading.Thread(target=counter)
    t.start()
    try:
        # warm-up so the counter thread is running
        while ticks == 0:
            time.sleep(0.001)
        before = ticks
        ce.generate(big_workflow, "helm")  # tens of milliseconds of engine work
        during = ticks - before
    finally:
        done.set()
        t.join()
    # Holding the GIL for the whole call would leave the counter at (almost) zero: it could only
    # run at the switch points before and after the call.
    assert during > 10_000, during


def test_calls_from_two_threads_run_in_parallel_and_agree(big_workflow):
    expected = ce.generate(big_workflow, "kubernetes")
    assert (os.cpu_count() or 1) >= 2, "this check needs two cores (the project's machines have two)"

    def work(_):
        return [ce.generate(big_workflow, "kubernetes") for _ in range(6)]

    # Best of three: other processes on the machine (the test cluster's kubelet and controllers
    # tearing down the deploy suites' namespaces) can take the second core for a moment, which
    # once gave 1.19; with the GIL held for each call no attempt could ever exceed 1.0.
    ratios = []
    for _ in range(3):
        cpu0, wall0 = time.process_time(), time.perf_counter()
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = [g for batch in pool.map(work, range(2)) for g in batch]
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        assert all(r == expected for r in results)
        ratios.append(cpu / wall)
        if ratios[-1] > 1.25:
            break
    # Two threads inside the engine at once use more CPU time than wall time; with the GIL held
    # for each call the process could never use more than one core's worth.
    assert max(ratios) > 1.25, ratios


def test_mixed_calls_in_threads_match_sequential():
    docs = [p.read_bytes() for p in WORKFLOWS]
    sequential = [(ce.validate(d), ce.plan(d), ce.generate(d, "compose")) for d in docs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(lambda d: (ce.validate(d), ce.plan(d), ce.generate(d, "compose")), docs * 3))
    assert threaded == sequential * 3
