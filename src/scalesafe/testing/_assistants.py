"""In-memory Assistants state: assistants, threads, messages and runs that progress on retrieve."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from ._replies import Reply, count_tokens, new_id

RUN_STATUSES = ("queued", "in_progress", "completed")


class AssistantsState:
    """Objects the Assistants endpoints create. A run moves one status ahead per retrieve."""

    def __init__(self, next_reply: Callable[[dict[str, Any]], Reply],
                 run_statuses: Sequence[str] = RUN_STATUSES) -> None:
        self._next_reply = next_reply
        self._statuses = tuple(run_statuses)
        self._lock = threading.Lock()
        self.assistants: dict[str, dict[str, Any]] = {}
        self.threads: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.runs: dict[str, dict[str, Any]] = {}

    def create_assistant(self, body: dict[str, Any]) -> dict[str, Any]:
        obj = {"id": new_id("asst"), "object": "assistant", "created_at": int(time.time()),
               "name": body.get("name"), "description": body.get("description"),
               "instructions": body.get("instructions"), "model": body.get("model", "fake-model"),
               "tools": body.get("tools", []), "metadata": body.get("metadata") or {},
               "temperature": body.get("temperature"), "top_p": None, "response_format": "auto"}
        with self._lock:
            self.assistants[obj["id"]] = obj
        return obj

    def create_thread(self, body: dict[str, Any]) -> dict[str, Any]:
        obj = {"id": new_id("thread"), "object": "thread", "created_at": int(time.time()),
               "metadata": body.get("metadata") or {}, "tool_resources": None}
        with self._lock:
            self.threads[obj["id"]] = obj
            self.messages[obj["id"]] = []
        for message in body.get("messages") or []:
            self.add_message(obj["id"], message)
        return obj

    def add_message(self, thread_id: str, body: dict[str, Any], *,
                    run: dict[str, Any] | None = None) -> dict[str, Any]:
        content = body.get("content", "")
        text = content if isinstance(content, str) else " ".join(
            p.get("text", "") for p in content if isinstance(p, dict))
        obj = {"id": new_id("msg"), "object": "thread.message", "created_at": int(time.time()),
               "thread_id": thread_id, "role": body.get("role", "user"), "status": "completed",
               "content": [{"type": "text", "text": {"value": text, "annotations": []}}],
               "assistant_id": run["assistant_id"] if run else None,
               "run_id": run["id"] if run else None, "attachments": [],
               "metadata": body.get("metadata") or {}}
        with self._lock:
            self._thread_messages(thread_id).append(obj)
        return obj

    def list_messages(self, thread_id: str, order: str = "desc", limit: int = 20) -> dict[str, Any]:
        with self._lock:
            items = list(self._thread_messages(thread_id))
        if order != "asc":
            items.reverse()
        items = items[:limit]
        return {"object": "list", "data": items, "has_more": False,
                "first_id": items[0]["id"] if items else None,
                "last_id": items[-1]["id"] if items else None}

    def create_run(self, thread_id: str, body: dict[str, Any]) -> dict[str, Any]:
        assistant = self.assistants.get(body.get("assistant_id", ""))
        if assistant is None or thread_id not in self.threads:
            raise KeyError("no such assistant or thread")
        now = int(time.time())
        run = {"id": new_id("run"), "object": "thread.run", "created_at": now,
               "thread_id": thread_id, "assistant_id": assistant["id"], "status": self._statuses[0],
               "model": body.get("model") or assistant["model"],
               "instructions": body.get("instructions") or assistant["instructions"],
               "tools": assistant["tools"], "metadata": body.get("metadata") or {},
               "started_at": None, "completed_at": None, "failed_at": None, "cancelled_at": None,
               "expires_at": now + 600, "last_error": None, "usage": None,
               "parallel_tool_calls": True, "tool_choice": "auto", "response_format": "auto",
               "truncation_strategy": {"type": "auto", "last_messages": None},
               "incomplete_details": None, "required_action": None, "temperature": None,
               "top_p": None, "max_prompt_tokens": None, "max_completion_tokens": None,
               "_step": 0}
        with self._lock:
            self.runs[run["id"]] = run
        self._settle(run)
        return _public(run)

    def retrieve_run(self, thread_id: str, run_id: str) -> dict[str, Any]:
        with self._lock:
            run = self.runs[run_id]
            if run["thread_id"] != thread_id:
                raise KeyError(run_id)
            run["_step"] = min(run["_step"] + 1, len(self._statuses) - 1)
            run["status"] = self._statuses[run["_step"]]
        self._settle(run)
        return _public(run)

    def list_runs(self, thread_id: str) -> dict[str, Any]:
        with self._lock:
            items = [_public(r) for r in self.runs.values() if r["thread_id"] == thread_id]
        items.reverse()
        return {"object": "list", "data": items, "has_more": False,
                "first_id": items[0]["id"] if items else None,
                "last_id": items[-1]["id"] if items else None}

    def _settle(self, run: dict[str, Any]) -> None:
        """Stamp times; on completion write the assistant's reply into the thread."""
        now = int(time.time())
        if run["status"] != "queued" and run["started_at"] is None:
            run["started_at"] = now
        if run["status"] != "completed" or run["completed_at"] is not None:
            return
        run["completed_at"] = now
        with self._lock:
            history = [m["content"][0]["text"]["value"] for m in self.messages[run["thread_id"]]]
        reply = self._next_reply({"thread_id": run["thread_id"], "run_id": run["id"]})
        self.add_message(run["thread_id"], {"role": "assistant", "content": reply.text}, run=run)
        prompt = count_tokens(history) + count_tokens(run["instructions"] or "")
        completion = count_tokens(reply.text)
        run["usage"] = {"prompt_tokens": prompt, "completion_tokens": completion,
                        "total_tokens": prompt + completion}

    def _thread_messages(self, thread_id: str) -> list[dict[str, Any]]:
        if thread_id not in self.messages:
            raise KeyError(thread_id)
        return self.messages[thread_id]


def _public(run: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in run.items() if not k.startswith("_")}
