"""``midstream analyze --dask``: run the partitions of :mod:`midstream.partition` on Dask.

The client reads and validates the input (the same readers, errors and ``--skip-bad``
as a single-process run), keeps each stream's events as MessagePack, groups streams
into partitions of similar size and submits one task per partition, its events
inside the task: :func:`midstream.partition.run_partition` analyses them on a worker
with the same pipeline and configuration. Only records and counters come back; the
client merges them in the deterministic order. Workers need the same ``midstream``
installed; they never read the input files.

The events go inside the task (client -> scheduler -> worker) rather than with
``Client.scatter`` (client -> worker) because scattered data lives only on the
worker that holds it: when that worker dies the partition could not be rerun.
Inside the task, the scheduler keeps them and reruns the partition elsewhere.

Dask is imported only here, and only when a command asks for it (the
``midstream[dask]`` extra).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import os
import re
import uuid
import warnings
from collections.abc import Iterator
from typing import Any

from .config import Config
from .errors import MidstreamError
from .partition import EventBuffer, PartitionResult, partition_streams, run_partition

__all__ = ["analyse_on_cluster", "connect", "parse_address"]

_ADDRESS = re.compile(r"[a-z][a-z0-9+.-]*://\S+")
_LOCAL = re.compile(r"local(?::(\d+))?")


def parse_address(text: str) -> str | int:
    """``--dask`` as a scheduler address (``str``) or a local worker count (``int``).

    ``local`` starts one worker process per CPU for the run, ``local:N`` starts N;
    anything else must be a scheduler address with a scheme (``tcp://host:8786``).

    >>> parse_address("local:2"), parse_address("tcp://10.0.0.5:8786")
    (2, 'tcp://10.0.0.5:8786')
    """
    local = _LOCAL.fullmatch(text)
    if local is not None:
        n = int(local.group(1)) if local.group(1) else (os.cpu_count() or 1)
        if n < 1:
            raise MidstreamError(f"--dask: need at least one local worker, got {text!r}")
        return n
    if _ADDRESS.fullmatch(text) is None:
        raise MidstreamError(
            "--dask: expected 'local', 'local:N' or a scheduler address such as "
            f"tcp://host:8786, got {text!r}"
        )
    return text


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise MidstreamError(
            "--dask needs Dask: pip install 'midstream[dask]' (dask and distributed)"
        ) from None
    return distributed


@contextlib.contextmanager
def connect(address: str, *, timeout: float) -> Iterator[Any]:
    """A ``distributed.Client`` for ``--dask address`` with at least one worker.

    Raises :class:`MidstreamError` when the scheduler cannot be reached, or has no
    worker, within ``timeout`` seconds.
    """
    target = parse_address(address)
    distributed = _distributed()
    with contextlib.ExitStack() as stack:
        if isinstance(target, int):
            try:
                cluster = stack.enter_context(
                    distributed.LocalCluster(
                        n_workers=target,
                        threads_per_worker=1,
                        processes=True,
                        protocol="tcp",
                        host="127.0.0.1",
                        dashboard_address=None,
                        # no dashboard; its HTTP routes on a free port, not 8787 (no clash)
                        scheduler_kwargs={"dashboard_address": ":0"},
                        silence_logs=logging.ERROR,
                    )
                )
            except (OSError, RuntimeError, TimeoutError) as exc:
                raise MidstreamError(
                    f"--dask {address}: could not start the local cluster ({exc})"
                ) from None
            client = stack.enter_context(distributed.Client(cluster, set_as_default=False))
        else:
            try:
                client = distributed.Client(target, timeout=timeout, set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise MidstreamError(
                    f"--dask: cannot reach the scheduler at {target} within {timeout:g} s ({exc})"
                ) from None
            stack.enter_context(client)
            try:
                client.wait_for_workers(1, timeout=timeout)
            except (OSError, TimeoutError):
                raise MidstreamError(
                    f"--dask: the scheduler at {target} has no worker (waited {timeout:g} s)"
                ) from None
        # fresh workers import the libraries while the client reads the input
        client.run(_imported, wait=False)
        yield client


async def _imported() -> None:
    """Nothing: unpickling it on a worker imports midstream and the libraries it runs."""


def _threads(client: Any) -> int:
    info = client.scheduler_info()
    return sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()) or 1


def analyse_on_cluster(
    client: Any, config: Config, events: EventBuffer, partitions: int | None = None
) -> list[PartitionResult]:
    """Analyse every stream of ``events`` on the cluster; one result per partition.

    ``partitions`` defaults to four per worker thread (small partitions balance
    the load and make a retried task cheap), at most one per stream.
    """
    distributed = _distributed()
    if not events.counts:
        return []
    n = partitions if partitions is not None else 4 * _threads(client)
    groups = partition_streams(events.counts, n)
    run = uuid.uuid4().hex[:12]
    try:
        with warnings.catch_warnings():
            # the events travel inside the task on purpose (see the module docstring)
            warnings.filterwarnings("ignore", message="Sending large graph")
            futures = [
                client.submit(
                    run_partition, config, events.payload(g), key=f"midstream-analyze-{run}-{i}"
                )
                for i, g in enumerate(groups)
            ]
    except (OSError, TimeoutError) as exc:
        raise MidstreamError(f"--dask: lost the connection to the scheduler ({exc})") from None
    results = []
    # in partition order, so the error reported (if several fail) is always the same one
    for group, future in zip(groups, futures, strict=True):
        try:
            results.append(future.result())
        except distributed.KilledWorker:
            shown = ", ".join(group[:5]) + (", ..." if len(group) > 5 else "")
            raise MidstreamError(
                f"--dask: the workers running streams {shown} died repeatedly "
                "(Dask retries a task whose worker dies, up to its allowed-failures "
                "limit); see the worker logs"
            ) from None
        except (OSError, TimeoutError) as exc:
            raise MidstreamError(f"--dask: lost the connection to the scheduler ({exc})") from None
        except concurrent.futures.CancelledError as exc:
            raise MidstreamError(f"--dask: the cluster cancelled a partition ({exc})") from None
    return results
