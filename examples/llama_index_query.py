"""Log and screen a LlamaIndex query engine with one line (offline: mock LLM and embeddings).

Run: python examples/llama_index_query.py
"""

from __future__ import annotations

from llama_index.core import Document, Settings, VectorStoreIndex
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.llms import MockLLM

import scalesafe
from scalesafe.exceptions import UnsafeInputError
from scalesafe.integrations.llama_index import instrument


def main() -> None:
    Settings.llm = MockLLM(max_tokens=20)  # swap in your real LLM
    Settings.embed_model = MockEmbedding(embed_dim=16)
    index = VectorStoreIndex.from_documents([Document(text="Cats sleep up to 16 hours a day.")])
    engine = index.as_query_engine()

    instrument(screen_inputs=True, screen_outputs=True)  # covers engine, built before this line

    print(engine.query("How long do cats sleep?"))
    try:
        engine.query("My SSN is 536-22-8147, how long do cats sleep?")
    except UnsafeInputError as exc:
        print(f"blocked before the model ran: {exc}")
    scalesafe.flush()


if __name__ == "__main__":
    main()
