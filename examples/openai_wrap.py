"""Wrap an OpenAI client so every call is logged and screened. Runs offline, as is.

A local fake OpenAI server (``scalesafe.testing.FakeOpenAIServer``) stands in
for the real API, and events go to a temporary folder:

    python examples/openai_wrap.py
"""

from __future__ import annotations

import tempfile

from openai import OpenAI

import scalesafe
from scalesafe.backends import EventQuery
from scalesafe.exceptions import BannedOutputError, UnsafeInputError
from scalesafe.openai import wrap
from scalesafe.testing import FakeOpenAIServer, Reply


def main() -> None:
    home = tempfile.mkdtemp(prefix="scalesafe-demo-")
    store = scalesafe.configure(home=home)  # the embedded audit store, in a throwaway folder
    replies = ["Paris is the capital of France.", Reply("Sure, the SSN is 536-22-8147.")]

    with FakeOpenAIServer(replies) as server:
        client = wrap(OpenAI(api_key="test", base_url=server.base_url))

        # 1. An ordinary call: logged with model, messages, reply, usage and latency.
        answer = client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "What is the capital of France?"}],
        )
        print("model said:", answer.choices[0].message.content)

        # 2. A card number in the prompt: blocked before anything is sent.
        try:
            client.chat.completions.create(
                model="gpt-4o-mini",
                messages=[{"role": "user", "content": "Charge 4111 1111 1111 1111 please"}],
            )
        except UnsafeInputError as error:
            print("blocked prompt:", error)
        print("card number reached the server:", "4111" in server.received_text())

        # 3. A streamed reply with a social security number: cut off mid-stream.
        shown = ""
        try:
            stream = client.chat.completions.create(
                model="gpt-4o-mini",
                messages=[{"role": "user", "content": "Look up my record"}],
                stream=True,
            )
            for chunk in stream:
                shown += chunk.choices[0].delta.content or ""
        except BannedOutputError as error:
            print("stream stopped:", error)
        print("the user saw:", repr(shown))

    store.flush()
    print(f"\nevents in {home}:")
    for event in store.backend.list_events(EventQuery(descending=False)):
        kinds = sorted({f.kind for f in event.findings})
        print(f"  {event.kind:5} {event.status:8} {event.output_text!r:45.45} findings={kinds}")


if __name__ == "__main__":
    main()
