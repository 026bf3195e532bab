"""The end-to-end demo pipeline (stream, schedule, match, alert over QUIC, monitor, analyse)."""

from midstream.demo import run_demo


class Demo:
    timeout = 120

    def time_run_demo(self):
        run_demo(samples=6000, period_us=500)
