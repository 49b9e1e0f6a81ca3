"""The signing engine's refusals: each carries its Vietnamese and English text so
the use case can answer the person in both without knowing the engine."""

from __future__ import annotations


class SigningInputError(ValueError):
    """Input the engine cannot use; ``message`` joins both languages."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        self.message_vi = message_vi
        self.message_en = message_en
        self.message = f"{message_vi} / {message_en}"
        super().__init__(self.message)
