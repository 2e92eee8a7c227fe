"""Log a LangChain chain with ScaleSafe and stop a prompt carrying a card number.

    python examples/langchain_chain.py

Runs offline: a fake chat model stands in for a real one, events go to a
local store in a temporary folder.
"""

from __future__ import annotations

import tempfile

from langchain_core.language_models import FakeListChatModel
from langchain_core.prompts import ChatPromptTemplate

import scalesafe
from scalesafe.backends import EventQuery
from scalesafe.exceptions import UnsafeInputError
from scalesafe.langchain import ScaleSafeHandler


def main() -> None:
    client = scalesafe.configure(home=tempfile.mkdtemp(prefix="scalesafe-"))
    prompt = ChatPromptTemplate.from_messages([("system", "Answer briefly."), ("human", "{q}")])
    model = FakeListChatModel(responses=["Paris."])
    chain = prompt | model
    handler = ScaleSafeHandler(screen_inputs=True, screen_outputs=True)

    print(chain.invoke({"q": "Capital of France?"}, config={"callbacks": [handler]}).content)
    try:
        chain.invoke({"q": "my card is 4111 1111 1111 1111"}, config={"callbacks": [handler]})
    except UnsafeInputError as error:
        print(f"blocked before the model ran: {error}")

    client.flush()
    for event in client.backend.list_events(EventQuery(descending=False)):
        print(f"{event.kind:6} {event.name:20} status={event.status} parent={event.parent_id}")


if __name__ == "__main__":
    main()
