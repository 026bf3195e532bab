import asyncio
import json

import pytest

from midstream.events import Event
from midstream.sources import (
    BadInput,
    SourceError,
    csv_source,
    dataframe_source,
    open_source,
    openai_sse_events,
    parquet_source,
)


def collect(aiter):
    async def main():
        return [e async for e in aiter]

    return asyncio.run(main())


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_jsonl_reads_events_and_names_file_and_line_of_errors(tmp_path):
    p = write(
        tmp_path, "a.jsonl", '{"stream":"s","t":1,"value":2}\n\n{"stream":"s","t":2,"vaule":3}\n'
    )
    with pytest.raises(SourceError, match=r"a\.jsonl:3: Object contains unknown field `vaule`"):
        collect(open_source(p, "jsonl"))
    bad = BadInput()
    events = collect(open_source(p, "jsonl", skip_bad=True, bad=bad))
    assert events == [Event("s", 1, value=2.0)]
    assert bad.count == 1 and "a.jsonl:3" in bad.first[0]


def test_jsonl_bad_json_and_missing_file(tmp_path):
    p = write(tmp_path, "b.jsonl", '{"stream":"s","t":1}\n{"stream": \n')
    with pytest.raises(SourceError, match=r"b\.jsonl:2: invalid JSON"):
        collect(open_source(p, "jsonl"))
    with pytest.raises(SourceError, match="cannot open"):
        collect(open_source(tmp_path / "nope.jsonl", "jsonl"))
    with pytest.raises(SourceError, match="format: expected one of"):
        open_source(p, "xml")


def test_csv_columns_and_extra_fields(tmp_path):
    p = write(
        tmp_path,
        "a.csv",
        "stream,t,value,event,temp,ok\ns,1,2.5,,20,true\ns,2026-01-01T00:00:00Z,,tick,x,\n",
    )
    events = collect(csv_source(p))
    assert events[0] == Event("s", 1, value=2.5, fields={"temp": 20, "ok": True})
    assert events[1].event == "tick" and events[1].fields == {"temp": "x"}
    assert events[1].t == 1767225600 * 10**9
    bad = write(tmp_path, "b.csv", "stream,t,value\ns,1,abc\n")
    with pytest.raises(SourceError, match=r"b\.csv:2: value: not a number"):
        collect(csv_source(bad))
    with pytest.raises(SourceError, match="header lacks column"):
        collect(csv_source(write(tmp_path, "c.csv", "name,t\n")))


def test_dataframe_and_parquet_round_trip(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame(
        {"stream": ["a", "a", "b"], "t": [1, 2, 3], "value": [1.0, float("nan"), 3.0],
         "token": [None, "x", None], "temp": [5, 6, 7]}
    )  # fmt: skip
    expected = [
        Event("a", 1, value=1.0, fields={"temp": 5}),
        Event("a", 2, token="x", fields={"temp": 6}),
        Event("b", 3, value=3.0, fields={"temp": 7}),
    ]
    assert collect(dataframe_source(frame)) == expected
    path = tmp_path / "a.parquet"
    frame.to_parquet(path)
    assert collect(parquet_source(path)) == expected
    with pytest.raises(SourceError, match="cannot read Parquet"):
        collect(parquet_source(write(tmp_path, "x.parquet", "not parquet")))


def _chunk(content=None, finish=None, tool=None, index=0):
    delta = {}
    if content is not None:
        delta["content"] = content
    if tool is not None:
        delta["tool_calls"] = [{"index": 0, "id": "call_1", "type": "function",
                                "function": {"name": tool, "arguments": ""}}]  # fmt: skip
    return "data: " + json.dumps(
        {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1700000000,
         "model": "m", "choices": [{"index": index, "delta": delta, "finish_reason": finish}]}
    )  # fmt: skip


def test_openai_sse_tokens_tool_calls_finish_and_done():
    lines = [
        ": keep-alive",
        _chunk(""),
        "",
        _chunk("Hel"),
        _chunk("lo", index=1),
        _chunk(tool="search"),
        _chunk(finish="stop"),
        "data: [DONE]",
        _chunk("after done"),
    ]
    events = list(openai_sse_events(lines))
    assert [(e.stream, e.token, e.event) for e in events] == [
        ("chatcmpl-1", "Hel", None),
        ("chatcmpl-1/1", "lo", None),
        ("chatcmpl-1", None, "tool_call"),
        ("chatcmpl-1", None, "finish"),
    ]
    assert [e.t for e in events] == [1700000000 * 10**9 + k for k in range(4)]
    assert events[2].fields == {"name": "search", "id": "call_1"}
    with pytest.raises(SourceError, match=r"<sse>:2: data is not JSON"):
        list(openai_sse_events(["", "data: {oops"]))
