"""The midstream pipeline end to end: every detector on, 1 and 16 streams, in process.

``benchmarks/midstream_pipeline.py`` prints the same throughput plus paced latency.
"""

import asyncio

from midstream.events import decode_event
from midstream.pipeline import Pipeline
from midstream.workload import throughput_config, throughput_events


class Pipeline16:
    timeout = 300
    params = [1, 16]
    param_names = ["streams"]

    def setup(self, streams):
        self.events = [decode_event(d) for d in throughput_events(streams, 32_000 // streams)]

    def time_pipeline(self, streams):
        async def main():
            return await Pipeline(throughput_config()).run(self.events)

        summary = asyncio.run(main())
        assert summary["lost"] == 0
