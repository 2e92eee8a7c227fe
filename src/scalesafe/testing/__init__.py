"""Test helpers shipped with ScaleSafe: an OpenAI-compatible fake server (standard library only).

    with FakeOpenAIServer(replies=["Hi!"]) as server:
        client = OpenAI(api_key="test", base_url=server.base_url)
"""

from ._replies import Reply
from ._server import FakeOpenAIServer, RecordedRequest

__all__ = ["FakeOpenAIServer", "RecordedRequest", "Reply"]
