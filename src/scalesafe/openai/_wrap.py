"""``wrap(OpenAI())``: a client that logs and screens every completion automatically.

The wrapper is a thin proxy: ``chat.completions.create`` and ``responses.create``
run through a ``Call`` (screen the prompt, send, log and screen the answer);
every other attribute is the SDK's own, untouched.
"""

from __future__ import annotations

import inspect
from typing import Any

from .._client import Client
from .._monitor import BaseMonitor
from ._apis import ChatApi, ResponsesApi
from ._call import Call, Settings
from ._streams import AsyncWrappedStream, WrappedStream

__all__ = ["wrap"]

_CHAT, _RESPONSES = ChatApi(), ResponsesApi()


def wrap(
    openai_client: Any,
    *,
    screen_inputs: bool = True,
    screen_outputs: bool = True,
    client: Client | None = None,
    policy: Any = None,
    api_key: str | None = None,
    location: str | None = None,
    review_wait: float | None = None,
    **client_options: Any,
) -> Any:
    """Return ``openai_client`` (``OpenAI`` or ``AsyncOpenAI``) with ScaleSafe around its calls.

    Screening is on by default in both directions: a blocked prompt raises
    ``UnsafeInputError`` before any request is sent.
    """
    _require_sdk()
    monitor = BaseMonitor(api_key, location, client=client, policy=policy,
                          review_wait=review_wait, **client_options)
    return _wrap(openai_client, Settings(monitor, screen_inputs, screen_outputs))


def _require_sdk() -> None:
    try:
        import openai  # noqa: F401
    except ImportError as exc:  # pragma: no cover - exercised only without the SDK
        raise ImportError(
            "scalesafe.openai.wrap needs the OpenAI SDK: pip install 'scalesafe[openai]'"
        ) from exc


def _wrap(target: Any, settings: Settings) -> Any:
    if isinstance(target, WrappedClient):
        target = target.__wrapped__
    return WrappedClient(target, settings)


class _Proxy:
    """Forwards attribute access to ``target`` except for the names in ``overrides``."""

    def __init__(self, target: Any, overrides: dict[str, Any]) -> None:
        self.__dict__["__wrapped__"] = target
        self.__dict__["_overrides"] = overrides

    def __getattr__(self, name: str) -> Any:
        make = self._overrides.get(name)
        return make() if make is not None else getattr(self.__wrapped__, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.__wrapped__, name, value)

    def __repr__(self) -> str:
        return f"<scalesafe wrapped {self.__wrapped__!r}>"


class WrappedClient(_Proxy):
    """What ``wrap`` returns: the SDK client, with monitored ``create`` methods."""

    def __init__(self, target: Any, settings: Settings) -> None:
        is_async = _is_async(target)
        super().__init__(target, {
            "chat": lambda: _Proxy(target.chat, {"completions": lambda: _Proxy(
                target.chat.completions,
                {"create": lambda: _creator(target.chat.completions.create, _CHAT, settings,
                                            is_async)})}),
            "responses": lambda: _Proxy(target.responses, {
                "create": lambda: _creator(target.responses.create, _RESPONSES, settings,
                                           is_async)}),
            "with_options": lambda: _rewrapping(target.with_options, settings),
            "copy": lambda: _rewrapping(target.copy, settings),
        })

    def __enter__(self) -> WrappedClient:
        self.__wrapped__.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.__wrapped__.__exit__(*exc)

    async def __aenter__(self) -> WrappedClient:
        await self.__wrapped__.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.__wrapped__.__aexit__(*exc)


def _is_async(target: Any) -> bool:
    import openai

    if isinstance(target, openai.AsyncOpenAI):
        return True
    if isinstance(target, openai.OpenAI):
        return False
    return inspect.iscoroutinefunction(inspect.unwrap(target.chat.completions.create))


def _rewrapping(method: Any, settings: Settings) -> Any:
    """``with_options``/``copy`` return a new SDK client: wrap it the same way."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return _wrap(method(*args, **kwargs), settings)

    return call


def _creator(original: Any, api: Any, settings: Settings, is_async: bool) -> Any:
    if is_async:
        async def acreate(*args: Any, **kwargs: Any) -> Any:
            call = Call(api, settings, kwargs)
            sent = await call.abefore()
            try:
                result = await original(*args, **sent)
            except Exception as exc:
                call.failed(exc)
                raise
            if call.streaming:
                return AsyncWrappedStream(result, call)
            return await call.aafter(result)

        return acreate

    def create(*args: Any, **kwargs: Any) -> Any:
        call = Call(api, settings, kwargs)
        sent = call.before()
        try:
            result = original(*args, **sent)
        except Exception as exc:
            call.failed(exc)
            raise
        if call.streaming:
            return WrappedStream(result, call)
        return call.after(result)

    return create
