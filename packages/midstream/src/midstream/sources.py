"""Event sources: files, stdin, DataFrames, OpenAI-style SSE captures, any async iterator.

Every source is an async iterator of :class:`~midstream.events.Event`. Malformed
input raises :class:`SourceError` naming ``file:line`` and the reason; with
``skip_bad=True`` the line is skipped and counted in :class:`BadInput`.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import math
import sys
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .errors import MidstreamError
from .events import Event, EventError, decode_event

__all__ = [
    "FORMATS",
    "BadInput",
    "OpenAISSEParser",
    "SourceError",
    "csv_source",
    "dataframe_source",
    "jsonl_source",
    "open_source",
    "open_sources",
    "openai_sse_events",
    "openai_sse_source",
    "parquet_source",
]

FORMATS = ("jsonl", "csv", "parquet", "openai-sse")
_CHUNK_LINES = 4096


class SourceError(MidstreamError):
    """Input that cannot be read: ``file:line: reason``."""


@dataclass
class BadInput:
    """Counts malformed records skipped with ``skip_bad`` (and keeps the first few reasons)."""

    count: int = 0
    first: list[str] = field(default_factory=list)

    def add(self, where: str) -> None:
        self.count += 1
        if len(self.first) < 5:
            self.first.append(where)


def _reject(where: str, reason: str, skip_bad: bool, bad: BadInput | None) -> None:
    if not skip_bad:
        raise SourceError(f"{where}: {reason}")
    if bad is not None:
        bad.add(f"{where}: {reason}")


def _open_text(path: str | Path) -> tuple[IO[str], str]:
    if str(path) == "-":
        return sys.stdin, "<stdin>"
    try:
        return open(path, encoding="utf-8", newline=""), str(path)
    except OSError as exc:
        raise SourceError(f"{path}: cannot open: {exc.strerror}") from None


async def _lines(handle: IO[str]) -> AsyncIterator[list[str]]:
    """Chunks of lines. A pipe or terminal is read in a thread with ``read1``, which
    returns what the pipe holds, so live input is analysed as it arrives."""
    try:
        seekable = handle.seekable()
    except (OSError, ValueError):
        seekable = False
    raw = getattr(handle, "buffer", None)
    if seekable or raw is None or not hasattr(raw, "read1"):
        while True:
            chunk = handle.readlines(1 << 20) if seekable else [handle.readline()]
            if not chunk or chunk == [""]:
                return
            yield chunk
    loop = asyncio.get_running_loop()
    rest = b""
    while True:
        data = await loop.run_in_executor(None, raw.read1, 1 << 16)
        if not data:
            if rest:
                yield [_utf8(rest)]
            return
        parts = (rest + data).split(b"\n")
        rest = parts.pop()
        if parts:
            yield [_utf8(line) + "\n" for line in parts]


def _utf8(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"<stdin>: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


async def jsonl_source(
    path: str | Path, *, skip_bad: bool = False, bad: BadInput | None = None
) -> AsyncIterator[Event]:
    """Events from a JSON-lines file (``"-"``: stdin); blank lines are ignored."""
    handle, name = _open_text(path)
    lineno = 0
    try:
        async for chunk in _lines(handle):
            for line in chunk:
                lineno += 1
                if not line.strip():
                    continue
                try:
                    yield decode_event(line)
                except EventError as exc:
                    _reject(f"{name}:{lineno}", str(exc), skip_bad, bad)
    finally:
        if handle is not sys.stdin:
            handle.close()


_CSV_KEYS = ("stream", "t", "token", "value", "event")


def _csv_cell(text: str) -> Any:
    """A CSV cell as the JSON value it most plausibly is: int, float, bool or string."""
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _csv_row(row: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    for key, cell in row.items():
        if key is None:
            raise EventError("more cells than header columns")
        if cell is None or cell == "":
            continue
        if key == "t":
            out["t"] = int(cell) if cell.lstrip("-").isdigit() else cell
        elif key == "value":
            try:
                out["value"] = float(cell)
            except ValueError:
                raise EventError(f"value: not a number: {cell!r}") from None
        elif key in _CSV_KEYS:
            out[key] = cell
        else:
            fields[key] = _csv_cell(cell)
    if fields:
        out["fields"] = fields
    return out


async def csv_source(
    path: str | Path, *, skip_bad: bool = False, bad: BadInput | None = None
) -> AsyncIterator[Event]:
    """Events from CSV with a header: columns stream, t, token, value, event; any other
    column becomes a key of ``fields``. Empty cells are absent."""
    handle, name = _open_text(path)
    try:
        text = handle.read()
    finally:
        if handle is not sys.stdin:
            handle.close()
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames is None:
        return
    missing = [k for k in ("stream", "t") if k not in reader.fieldnames]
    if missing:
        raise SourceError(f"{name}:1: header lacks column(s) {', '.join(missing)}")
    for row in reader:
        try:
            event = decode_event(_csv_row(row))
        except EventError as exc:
            _reject(f"{name}:{reader.line_num}", str(exc), skip_bad, bad)
            continue
        yield event


def _records(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Table rows as event dicts: missing (None/NaN) cells dropped, extra columns to fields."""
    for row in rows:
        out: dict[str, Any] = {}
        fields: dict[str, Any] = dict(row.get("fields") or {})
        for key, v in row.items():
            if v is None or (isinstance(v, float) and math.isnan(v)) or key == "fields":
                continue
            if hasattr(v, "item"):  # numpy scalar
                v = v.item()
            if key in _CSV_KEYS:
                out[key] = v
            else:
                fields[key] = v
        if fields:
            out["fields"] = fields
        if "t" in out and not isinstance(out["t"], (int, str)):
            stamp = out["t"]
            out["t"] = int(stamp.value) if hasattr(stamp, "value") else stamp  # pandas Timestamp
        yield out


async def dataframe_source(
    frame: Any, *, skip_bad: bool = False, bad: BadInput | None = None
) -> AsyncIterator[Event]:
    """Events from a pandas DataFrame with the event columns (others become ``fields``)."""
    for i, row in enumerate(_records(frame.to_dict("records"))):
        try:
            yield decode_event(row)
        except EventError as exc:
            _reject(f"row {i}", str(exc), skip_bad, bad)


async def parquet_source(
    path: str | Path, *, skip_bad: bool = False, bad: BadInput | None = None
) -> AsyncIterator[Event]:
    """Events from a Parquet file (needs the ``midstream[parquet]`` extra: pyarrow)."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise SourceError(
            "reading Parquet needs pyarrow: pip install 'midstream[parquet]'"
        ) from None
    if str(path) == "-":
        raise SourceError("Parquet cannot be read from stdin; give a file")
    try:
        table = pq.ParquetFile(path)
    except (OSError, ValueError) as exc:
        raise SourceError(f"{path}: cannot read Parquet: {exc}") from None
    row = 0
    for batch in table.iter_batches(batch_size=8192):
        for rec in _records(batch.to_pylist()):
            row += 1
            try:
                yield decode_event(rec)
            except EventError as exc:
                _reject(f"{path}: row {row}", str(exc), skip_bad, bad)


class OpenAISSEParser:
    """Incremental parser of OpenAI-compatible streaming chat completions (server-sent events).

    Each ``data: {...}`` chunk's ``choices[].delta.content`` is a ``token`` event;
    ``delta.tool_calls`` become ``tool_call`` events (``fields.name``, ``fields.id``);
    a ``finish_reason`` becomes a ``finish`` event and an ``error`` chunk an ``error``
    event; ``data: [DONE]`` ends the response (``done``); comments (``:``),
    ``event:``/``id:`` lines and blank lines are skipped. The stream name is
    ``stream`` or the chunk's ``id`` (``id/index`` for choices after the first).
    The format has no sub-second time: ``t`` is the chunk's ``created`` (seconds) in
    ns plus the event's position in the capture, which keeps the order.
    """

    def __init__(self, *, stream: str | None = None, where: str = "<sse>") -> None:
        self.stream = stream
        self.where = where
        self.done = False
        self._position = 0
        self._lineno = 0

    def _event(self, name: str, base: int, **kw: Any) -> Event:
        self._position += 1
        return Event(name, base + self._position - 1, **kw)

    def feed(self, raw: str) -> list[Event]:
        """Parse one line; return the events it carries."""
        self._lineno += 1
        line = raw.rstrip("\r\n")
        if self.done or not line.startswith("data:"):
            return []
        payload = line[5:].strip()
        if payload == "[DONE]":
            self.done = True
            return []
        where = f"{self.where}:{self._lineno}"
        try:
            chunk = json.loads(payload)
        except json.JSONDecodeError as exc:
            raise SourceError(f"{where}: data is not JSON: {exc.msg}") from None
        if not isinstance(chunk, dict):
            raise SourceError(f"{where}: data is not a JSON object")
        created = chunk.get("created", 0)
        base = int(created) * 1_000_000_000 if isinstance(created, (int, float)) else 0
        out: list[Event] = []
        if "error" in chunk:
            err = chunk["error"] if isinstance(chunk["error"], dict) else {}
            out.append(self._event(self.stream or "openai", base, event="error", fields=err))
            return out
        for choice in chunk.get("choices") or []:
            index = choice.get("index", 0)
            name = self.stream or str(chunk.get("id") or "openai")
            if index:
                name = f"{name}/{index}"
            delta = choice.get("delta") or {}
            content = delta.get("content")
            if isinstance(content, str) and content:
                out.append(self._event(name, base, token=content))
            for call in delta.get("tool_calls") or []:
                fn = call.get("function") or {}
                fields = {k: v for k, v in (("name", fn.get("name")), ("id", call.get("id"))) if v}
                if fields.get("name"):
                    out.append(self._event(name, base, event="tool_call", fields=fields))
            reason = choice.get("finish_reason")
            if reason:
                out.append(self._event(name, base, event="finish", fields={"reason": reason}))
        return out


def openai_sse_events(
    lines: Iterable[str], *, stream: str | None = None, where: str = "<sse>"
) -> Iterator[Event]:
    """Events of a whole SSE capture (see :class:`OpenAISSEParser`)."""
    parser = OpenAISSEParser(stream=stream, where=where)
    for line in lines:
        yield from parser.feed(line)
        if parser.done:
            return


async def openai_sse_source(path: str | Path, *, stream: str | None = None) -> AsyncIterator[Event]:
    """OpenAI-style SSE from a file or stdin (``"-"``), parsed line by line as it arrives."""
    handle, name = _open_text(path)
    parser = OpenAISSEParser(stream=stream, where=name)
    try:
        async for chunk in _lines(handle):
            for line in chunk:
                for event in parser.feed(line):
                    yield event
            if parser.done:
                return
    finally:
        if handle is not sys.stdin:
            handle.close()


def open_source(
    path: str | Path, fmt: str, *, skip_bad: bool = False, bad: BadInput | None = None
) -> AsyncIterator[Event]:
    """The source for ``path`` (``"-"`` is stdin) in format ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "jsonl":
        return jsonl_source(path, skip_bad=skip_bad, bad=bad)
    if fmt == "csv":
        return csv_source(path, skip_bad=skip_bad, bad=bad)
    if fmt == "parquet":
        return parquet_source(path, skip_bad=skip_bad, bad=bad)
    if fmt == "openai-sse":
        return openai_sse_source(path)
    raise SourceError(f"format: expected one of {', '.join(FORMATS)}, got {fmt!r}")


def open_sources(
    paths: Iterable[str | Path],
    fmt: str,
    *,
    skip_bad: bool = False,
    bad: BadInput | None = None,
) -> AsyncIterator[Event]:
    """The events of several inputs one after another, in the order given (like ``cat``):
    a stream that continues in a later file continues in the same order.

    Every file is opened once here, so a missing one fails before any event is read.
    """
    paths = list(paths)
    if sum(1 for p in paths if str(p) == "-") > 1:
        raise SourceError("- (stdin) can be given only once")
    for path in paths:
        if str(path) != "-":
            handle, _ = _open_text(path)
            handle.close()
    return _concatenated(paths, fmt, skip_bad, bad)


async def _concatenated(
    paths: list[str | Path], fmt: str, skip_bad: bool, bad: BadInput | None
) -> AsyncIterator[Event]:
    for path in paths:
        async for event in open_source(path, fmt, skip_bad=skip_bad, bad=bad):
            yield event
