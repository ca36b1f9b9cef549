import random

from discourse.ingest.dedupe import NearDuplicateIndex, minhash_signature, text_sha256

_WORDS = ["trust", "partnership", "council", "board", "staff", "care", "plan", "budget", "service", "leader", "team", "ward", "school", "police", "charity", "community", "listen", "decide", "share", "risk", "money", "time", "voice"]
_RNG = random.Random(3)
BASE = " ".join(_RNG.choice(_WORDS) for _ in range(600))


def test_exact_hash_ignores_case_spacing_and_quote_style():
    assert text_sha256("It’s  Shared\nleadership") == text_sha256("it's shared leadership")
    assert text_sha256("shared leadership") != text_sha256("heroic leadership")


def test_near_duplicate_found_and_different_text_not():
    index = NearDuplicateIndex(threshold=0.9)
    index.add("a", minhash_signature(BASE))
    words = BASE.split()
    near = " ".join(words[:300] + ["inserted"] + words[300:])  # one word added
    hit = index.query(minhash_signature(near))
    assert hit is not None and hit[0] == "a" and hit[1] >= 0.9
    other = " ".join(f"Line {i} is about command and control in a crisis." for i in range(40))
    assert index.query(minhash_signature(other)) is None


def test_remove_forgets_a_signature():
    index = NearDuplicateIndex()
    sig = minhash_signature(BASE)
    index.add("a", sig)
    index.remove("a")
    assert index.query(sig) is None and len(index) == 0
