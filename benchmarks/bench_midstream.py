"""The end-to-end demo pipeline."""

from midstream.demo import run_demo


class Demo:
    def time_run_demo(self):
        run_demo(samples=2000, window=50, seed=7)
