"""model: the three kind enums and the one explicit relation between them."""

from __future__ import annotations

import pytest

from collab_graph.model import (
    NodeKind,
    NoteKind,
    ThemeKind,
    theme_kind,
    theme_node_kind,
    theme_note_kind,
)


def test_theme_kinds_are_note_kinds_and_node_kinds() -> None:
    themes = {k.value for k in ThemeKind}
    assert themes <= {k.value for k in NoteKind}
    assert themes <= {k.value for k in NodeKind}
    # and nothing else is shared: a note kind that is a node kind is a theme kind
    assert {k.value for k in NoteKind} & {k.value for k in NodeKind} == themes


@pytest.mark.parametrize("kind", list(ThemeKind))
def test_theme_kind_round_trips(kind: ThemeKind) -> None:
    assert theme_kind(theme_note_kind(kind)) is kind
    assert theme_kind(theme_node_kind(kind)) is kind
    assert theme_node_kind(kind).value == theme_note_kind(kind).value == kind.value


@pytest.mark.parametrize(
    "kind", [NoteKind.CONTEXT, NoteKind.HEADING, NodeKind.NOTE, NodeKind.ORGANISATION, "nope"]
)
def test_non_theme_kinds_have_no_theme_kind(kind: str) -> None:
    assert theme_kind(kind) is None
