"""Cursors (service.http.pagination): signed with the service's secret and bound to their query."""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path

import pytest

from service.http.pagination import decode_cursor, encode_cursor, query_fingerprint, sign_cursors_with
from service.http.problems import InvalidCursor
from service.settings import load_settings

FINGERPRINT = query_fingerprint("events", {"sort": "occurred_on", "type": ["lawsuit"]})


def test_a_cursor_decodes_to_its_key() -> None:
    cursor = encode_cursor(FINGERPRINT, ["2025-04-02", "evt_1"])
    assert decode_cursor(cursor, FINGERPRINT, 2) == ["2025-04-02", "evt_1"]


def test_the_mac_is_hmac_sha256_under_the_key_derived_from_the_secret(tmp_path: Path) -> None:
    """The MAC is computed from precomputed HMAC states; it must equal RFC 2104's HMAC-SHA256
    under the cursor key, as ``hmac.new`` computes it."""
    sign_cursors_with(load_settings({"RIVALRY_DATA_DIR": str(tmp_path), "RIVALRY_SECRET_KEY": "k" * 32}))
    cursor = encode_cursor(FINGERPRINT, [None, "evt_1"])
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    key = hmac.new(b"k" * 32, b"rivalry-api cursor v1", hashlib.sha256).digest()
    assert raw[:12] == hmac.new(key, raw[12:], hashlib.sha256).digest()[:12]


@pytest.mark.parametrize("position", [0, 5, 11, 12, 20, -1])
def test_a_cursor_with_any_byte_changed_is_refused(position: int) -> None:
    raw = bytearray(base64.urlsafe_b64decode(encode_cursor(FINGERPRINT, ["2025-04-02", "evt_1"]) + "=="))
    raw[position] ^= 0x01
    with pytest.raises(InvalidCursor):
        decode_cursor(base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("="), FINGERPRINT, 2)


def test_a_cursor_of_another_query_is_refused() -> None:
    cursor = encode_cursor(FINGERPRINT, ["2025-04-02", "evt_1"])
    other = query_fingerprint("events", {"sort": "occurred_on", "type": ["investment"]})
    with pytest.raises(InvalidCursor, match="another query"):
        decode_cursor(cursor, other, 2)


def test_fingerprints_ignore_empty_values_and_position_and_read_lists_as_tuples() -> None:
    plain = query_fingerprint("events", {"sort": "occurred_on", "type": ("lawsuit",), "q": None, "status": ()})
    assert plain == query_fingerprint("events", {"type": ["lawsuit"], "sort": "occurred_on", "status": []})
    assert plain == query_fingerprint("events", {"sort": "occurred_on", "type": ("lawsuit",), "cursor": "x"})
    assert plain != query_fingerprint("events", {"sort": "occurred_on", "type": ("investment",)})
    assert plain != query_fingerprint("funding", {"sort": "occurred_on", "type": ("lawsuit",)})


def test_remembered_fingerprints_are_the_computed_ones_and_stay_bounded() -> None:
    from service.http import pagination

    queries = [{"sort": "occurred_on", "q": f"query {i}", "from": None} for i in range(3000)]
    first = [query_fingerprint("events", q) for q in queries]
    assert len(pagination._FINGERPRINTS) <= pagination._FINGERPRINTS_KEPT
    assert [query_fingerprint("events", q) for q in queries] == first
    assert first == [pagination._fingerprint("events", q) for q in queries]
    assert len(set(first)) == len(queries)
