from hypothesis import settings

# A hypothesis deadline is a timed assertion: on a shared, loaded machine it fails
# correct tests. Examples are bounded by max_examples instead.
settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")
