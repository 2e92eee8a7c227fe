"""Fake chat models made of real langchain-core parts, for the tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult


class ScriptedChatModel(BaseChatModel):
    """Replies with the scripted AIMessages in turn (tool calls included) and counts calls.

    ``seen`` keeps the messages each call received, so tests can assert what the
    model was actually shown.
    """

    replies: list[AIMessage]
    calls: int = 0
    seen: list[list[BaseMessage]] = []
    model: str = "scripted-1"

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": self.model}

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        return self

    def _next(self, messages: list[BaseMessage]) -> AIMessage:
        reply = self.replies[self.calls % len(self.replies)]
        self.calls += 1
        self.seen.append(list(messages))
        return reply

    def _generate(self, messages: list[BaseMessage], stop: Any = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._next(messages))],
                          llm_output={"token_usage": {"prompt_tokens": 11, "completion_tokens": 7,
                                                      "total_tokens": 18}})

    def _stream(self, messages: list[BaseMessage], stop: Any = None,
                run_manager: CallbackManagerForLLMRun | None = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        reply = self._next(messages)
        text = reply.content if isinstance(reply.content, str) else ""
        for i in range(0, len(text), 4):
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=text[i:i + 4]))
            if run_manager:
                run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk


def tool_call(name: str, args: dict[str, Any], call_id: str = "call-1") -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": call_id}])
