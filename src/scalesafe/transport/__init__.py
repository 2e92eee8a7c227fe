"""Getting events from the hot path to storage without blocking the caller."""

from ._recorder import Durability, Recorder, RecorderStats, Writer
from ._sinks import InMemorySink, Sink, StoreSink

__all__ = ["Durability", "InMemorySink", "Recorder", "RecorderStats", "Sink", "StoreSink", "Writer"]
