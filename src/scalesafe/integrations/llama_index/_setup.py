"""``instrument()`` / ``uninstrument()``: one line to log and screen everything LlamaIndex runs.

Three hooks, each for what it can do on llama-index-core 0.14:
- a ``ScaleSafeCallbackHandler`` (its subclass ``InstalledCallbackHandler``, so
  users can still build ``CallbackManager([ScaleSafeCallbackHandler()])``)
  screens LLM calls (legacy callbacks propagate
  exceptions, so a blocked prompt never reaches the model). It goes into the
  existing ``Settings.callback_manager`` (shared by everything built with the
  defaults), becomes ``llama_index.core.global_handler`` (picked up by every
  CallbackManager created later), joins ``Settings.llm``'s manager, and joins
  the manager of any other LLM the first time that LLM runs;
- a ``ScaleSafeSpanHandler`` and a ``ScaleSafeEventHandler`` on the root
  dispatcher log every run as one tree (the dispatcher swallows handler errors,
  so they cannot stop anything).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

import llama_index.core as li_core
from llama_index.core import Settings
from llama_index.core.callbacks import CallbackManager
from llama_index.core.instrumentation import get_dispatcher

from ..._client import Client
from . import _callbacks
from ._callbacks import InstalledCallbackHandler, ScaleSafeCallbackHandler
from ._events import ScaleSafeEventHandler
from ._spans import ScaleSafeSpanHandler

_lock = threading.Lock()


@dataclass(eq=False)
class Instrumentation:
    """What ``instrument()`` installed, so ``uninstrument()`` can take all of it back."""

    options: dict[str, Any]
    callbacks: InstalledCallbackHandler
    spans: ScaleSafeSpanHandler
    events: ScaleSafeEventHandler
    managers: weakref.WeakSet[CallbackManager] = field(default_factory=weakref.WeakSet)
    previous_global: Any = None

    def attach(self, manager: Any) -> None:
        """Add the callback handler to ``manager`` once (no double screening or logging)."""
        if not isinstance(manager, CallbackManager) or manager in self.managers:
            return
        if any(isinstance(h, ScaleSafeCallbackHandler) for h in manager.handlers):
            return
        manager.add_handler(self.callbacks)
        self.managers.add(manager)

    def attach_llm(self, llm: Any) -> None:
        self.attach(getattr(llm, "callback_manager", None))


_current: Instrumentation | None = None


def instrument(
    *,
    screen_inputs: bool = False,
    screen_outputs: bool = False,
    client: Client | None = None,
    policy: Any = None,
    review_wait: float | None = None,
    location: str | None = None,
) -> Instrumentation:
    """Log every LlamaIndex query, chat, agent and LLM call; screen LLM inputs/outputs.

    Idempotent: calling it again with the same options changes nothing; with
    other options it replaces the previous installation.
    """
    global _current
    options = {"screen_inputs": screen_inputs, "screen_outputs": screen_outputs, "client": client,
               "policy": policy, "review_wait": review_wait, "location": location}
    with _lock:
        if _current is not None and _same(_current.options, options):
            return _current
        if _current is not None:
            _remove(_current)
        _current = _install(options)
        return _current


def uninstrument() -> None:
    """Remove every handler ``instrument()`` installed."""
    global _current
    with _lock:
        if _current is not None:
            _remove(_current)
            _current = None


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.keys() == b.keys() and all(a[k] is b[k] or a[k] == b[k] for k in a)


def _install(options: dict[str, Any]) -> Instrumentation:
    spans = ScaleSafeSpanHandler(client=options["client"], location=options["location"])
    events = ScaleSafeEventHandler(spans)
    callbacks = InstalledCallbackHandler(spans=spans, **options)
    inst = Instrumentation(options, callbacks, spans, events, previous_global=li_core.global_handler)
    inst.attach(Settings.callback_manager)
    if Settings._llm is not None:
        inst.attach_llm(Settings._llm)
    if Settings._embed_model is not None:
        inst.attach(Settings._embed_model.callback_manager)
    if not isinstance(li_core.global_handler, ScaleSafeCallbackHandler):
        li_core.global_handler = callbacks
    spans.on_llm(inst.attach_llm)
    root = get_dispatcher()
    root.add_span_handler(spans)
    root.add_event_handler(events)
    _callbacks.installed_tracker = spans.tracker
    return inst


def _remove(inst: Instrumentation) -> None:
    root = get_dispatcher()
    root.span_handlers = [h for h in root.span_handlers if h is not inst.spans]
    root.event_handlers = [h for h in root.event_handlers if h is not inst.events]
    inst.spans.on_llm(None)
    if _callbacks.installed_tracker is inst.spans.tracker:
        _callbacks.installed_tracker = None
    if li_core.global_handler is inst.callbacks:
        li_core.global_handler = inst.previous_global
    managers = [*inst.managers]
    if Settings._callback_manager is not None:
        managers.append(Settings._callback_manager)
    for manager in managers:
        manager.handlers[:] = [h for h in manager.handlers if h is not inst.callbacks]
