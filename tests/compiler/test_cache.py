"""The compiler's caches keep at most their number of entries and their size."""

from __future__ import annotations

from registry_gql.graphql.compiler.cache import MISSING, BoundedCache


def test_least_recent_entry_leaves_first() -> None:
    cache = BoundedCache(max_entries=2)
    cache.store("a", 1)
    cache.store("b", 2)
    assert cache.lookup("a") == 1
    cache.store("c", 3)
    assert cache.lookup("b") is MISSING
    assert cache.lookup("a") == 1
    assert cache.lookup("c") == 3


def test_size_bound_drops_entries() -> None:
    cache = BoundedCache(max_entries=10, max_size=100)
    for key in range(5):
        cache.store(key, key, size=40)
    assert len(cache) == 2
    assert cache.size == 80
    assert cache.lookup(4) == 4
    assert cache.lookup(0) is MISSING


def test_oversized_entry_is_not_kept() -> None:
    cache = BoundedCache(max_entries=10, max_size=100)
    cache.store("small", 1, size=10)
    cache.store("large", 2, size=101)
    assert cache.lookup("large") is MISSING
    assert cache.lookup("small") == 1
    assert cache.size == 10


def test_stored_again_counts_once() -> None:
    cache = BoundedCache(max_entries=10, max_size=100)
    cache.store("a", 1, size=30)
    cache.store("a", 2, size=50)
    assert cache.size == 50
    assert cache.lookup("a") == 2


def test_none_is_a_value() -> None:
    cache = BoundedCache(max_entries=2)
    cache.store("a", None)
    assert cache.lookup("a") is None
