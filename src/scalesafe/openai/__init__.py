"""OpenAI monitors: chat completions, Assistants, the Responses API, and a wrapped client.

The monitors read SDK objects or their dict forms, so they import without the
``openai`` package; ``wrap`` needs it (``pip install 'scalesafe[openai]'``).
"""

from ._assistants import OpenAIAssistantMonitor
from ._chat import OpenAIChatMonitor
from ._responses import OpenAIResponsesMonitor
from ._wrap import wrap

__all__ = ["OpenAIAssistantMonitor", "OpenAIChatMonitor", "OpenAIResponsesMonitor", "wrap"]
