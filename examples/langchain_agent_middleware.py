"""A create_agent agent guarded by ScaleSafeMiddleware: pause before send_email, approve, resume.

    python examples/langchain_agent_middleware.py

Offline: a scripted chat model asks for the tool; the approval is taken in
ScaleSafe's review queue (as `scalesafe reviews approve` would) and the thread resumes.
"""

from __future__ import annotations

import tempfile
from typing import Any

from langchain.agents import create_agent
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver

import scalesafe
from scalesafe.exceptions import UnsafeInputError
from scalesafe.langchain import ScaleSafeMiddleware, resume_from_review
from scalesafe.model import Decision, ReviewState


class Scripted(BaseChatModel):
    replies: list[AIMessage]
    i: int = 0

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        return self

    def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None,
                  **kwargs: Any) -> ChatResult:
        reply = self.replies[self.i % len(self.replies)]
        self.i += 1
        return ChatResult(generations=[ChatGeneration(message=reply)])


@tool
def send_email(to: str, body: str) -> str:
    """Send an email."""
    return f"sent to {to}"


def main() -> None:
    client = scalesafe.configure(home=tempfile.mkdtemp(prefix="scalesafe-"))
    call = {"name": "send_email", "args": {"to": "bob@example.com", "body": "hi"}, "id": "c1"}
    model = Scripted(replies=[AIMessage(content="", tool_calls=[call]), AIMessage("Sent.")])
    agent = create_agent(model, [send_email], checkpointer=InMemorySaver(),
                         middleware=[ScaleSafeMiddleware(require_approval=["send_email"])])
    config = {"configurable": {"thread_id": "demo"}}

    result = agent.invoke({"messages": [("user", "Email Bob hi")]}, config)
    print("paused:", "__interrupt__" in result)
    review = client.backend.list_reviews(ReviewState.PENDING)[0]
    print("pending review:", review.id, review.reason)
    client.backend.decide(review.id, Decision.APPROVE, reviewer="alice")
    print("final answer:", resume_from_review(agent, config)["messages"][-1].content)

    try:
        agent.invoke({"messages": [("user", "card 4111 1111 1111 1111")]},
                     {"configurable": {"thread_id": "other"}})
    except UnsafeInputError as error:
        print("blocked before the model:", error)


if __name__ == "__main__":
    main()
