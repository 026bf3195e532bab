"""Import time of each distribution: what a CLI or a worker pays at start-up."""


class ImportTime:
    params = [
        "temporal_compare",
        "nanosecond_scheduler",
        "temporal_attractor_studio",
        "temporal_neural_solver",
        "strange_loop",
        "quic_multistream",
        "midstream",
    ]
    param_names = ["package"]

    def timeraw_import(self, package):
        return f"import {package}"
