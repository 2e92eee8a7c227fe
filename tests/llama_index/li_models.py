"""LLMs of our own for the tests: real LlamaIndex LLM subclasses that count their calls."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CompletionResponse,
    LLMMetadata,
)
from llama_index.core.llms import CustomLLM
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.llms.llm import ToolSelection

USAGE = {"prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14}


class CountingLLM(CustomLLM):
    """Answers ``reply`` (streamed word by word) and counts how often the model really ran."""

    reply: str = "Cats sleep a lot."
    calls: int = 0
    prompts: list[str] = []

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="counting-llm", num_output=64)

    def _run(self, prompt: str) -> None:
        self.calls += 1
        self.prompts = [*self.prompts, prompt]

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        self._run(prompt)
        return CompletionResponse(text=self.reply, additional_kwargs=dict(USAGE))

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False,
                        **kwargs: Any) -> Iterator[CompletionResponse]:
        self._run(prompt)
        words = self.reply.split(" ")

        def gen() -> Iterator[CompletionResponse]:
            text = ""
            for i, word in enumerate(words):
                delta = word if i == 0 else " " + word
                text += delta
                yield CompletionResponse(text=text, delta=delta)

        return gen()


class ToolCallingLLM(FunctionCallingLLM):
    """A function-calling LLM: first asks for ``add(2, 3)``, then answers with the tool result."""

    calls: int = 0

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="tool-llm", is_chat_model=True, is_function_calling_model=True)

    def _reply(self, messages: Sequence[ChatMessage]) -> ChatResponse:
        self.calls += 1
        results = [m.content for m in messages if m.role.value == "tool"]
        if results:
            return ChatResponse(message=ChatMessage(role="assistant", content=f"It is {results[-1]}."),
                                additional_kwargs=dict(USAGE))
        call = {"id": "call-1", "name": "add", "args": {"a": 2, "b": 3}}
        return ChatResponse(message=ChatMessage(role="assistant", content="",
                                                additional_kwargs={"tool_calls": [call]}))

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return self._reply(messages)

    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return self._reply(messages)

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> Iterator[ChatResponse]:
        response = self._reply(messages)
        return iter([response])

    @llm_chat_callback()
    async def astream_chat(self, messages: Sequence[ChatMessage],
                           **kwargs: Any) -> AsyncIterator[ChatResponse]:
        response = self._reply(messages)

        async def gen() -> AsyncIterator[ChatResponse]:
            yield response

        return gen()

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        raise NotImplementedError("chat only")

    @llm_completion_callback()
    async def acomplete(self, prompt: str, formatted: bool = False,
                        **kwargs: Any) -> CompletionResponse:
        raise NotImplementedError("chat only")

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> Any:
        raise NotImplementedError("chat only")

    async def astream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> Any:
        raise NotImplementedError("chat only")

    def _prepare_chat_with_tools(self, tools: Sequence[Any], user_msg: Any = None,
                                 chat_history: list[ChatMessage] | None = None,
                                 **kwargs: Any) -> dict[str, Any]:
        messages = list(chat_history or [])
        if user_msg is not None:
            messages.append(user_msg if isinstance(user_msg, ChatMessage)
                            else ChatMessage(role="user", content=user_msg))
        return {"messages": messages, "tools": [t.metadata.name for t in tools]}

    def get_tool_calls_from_response(self, response: ChatResponse, error_on_no_tool_call: bool = True,
                                     **kwargs: Any) -> list[ToolSelection]:
        calls = response.message.additional_kwargs.get("tool_calls") or []
        return [ToolSelection(tool_id=c["id"], tool_name=c["name"], tool_kwargs=c["args"])
                for c in calls]
