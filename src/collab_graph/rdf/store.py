"""A shared SPARQL 1.1 store: push the graph into it, query it, read it back.

The RDF is the dataset of :func:`collab_graph.rdf.convert.to_rdf`: each
workshop in the named graph named by its IRI (``{base}workshop/{slug}``), and
the themes, organisations and links that workshops share in
``{base}graph/shared``. :func:`push` writes it over HTTP with either protocol:

* **SPARQL 1.1 Update** (the store's update endpoint): ``DROP SILENT GRAPH``
  and ``INSERT DATA`` in batches of at most :data:`UPDATE_BATCH` triples
  (Virtuoso refuses much larger ones);
* **the Graph Store HTTP Protocol** (its graph store endpoint): one ``PUT`` of
  N-Triples per named graph, which replaces that graph. It is much faster on
  large graphs (``docs/benchmarks.md``).

Before writing, :func:`push` asks the store's query side whether each
workshop's graph already holds data; one that does is refused
(:class:`~collab_graph.errors.StoreConflictError`) unless ``replace`` is set,
when it is replaced, never added to. The shared graph is different: every
push needs it and several teams push into one store, so it is *merged*: the
store's copy is read, every resource this push describes (a theme, an
organisation, a link) is replaced by this push's version, and resources only
the store holds are kept. Link scores are therefore those of the last push
that had both themes. Neither protocol gives a transaction over several
requests, so a push that fails half-way leaves the graphs it had written.

:func:`query` runs a read-only query at the store over the SPARQL protocol,
with the dataset set to the graphs under the base IRI (so the query sees what
the local ``collab-graph sparql`` sees); :func:`pull` reads those graphs back
into a :class:`~collab_graph.graph.schema.KnowledgeGraph`.

Examples
--------
>>> StoreClient("ftp://example.org/sparql")  # doctest: +ELLIPSIS
Traceback (most recent call last):
    ...
collab_graph.errors.StoreError: 'ftp://example.org/sparql' is not an http(s) URL ...
>>> graph_name("https://example.org/kg/", "workshop/alpha")
'https://example.org/kg/workshop/alpha'
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from collab_graph.errors import (
    NotFoundError,
    QueryRowLimitError,
    StoreAuthError,
    StoreConflictError,
    StoreError,
)
from collab_graph.graph.schema import KnowledgeGraph
from collab_graph.rdf.convert import check_base, from_rdf, node_iri, shared_graph_iri
from collab_graph.rdf.fast import _rows as _nt_quads  # the quads of to_rdf, as N-Triples terms
from collab_graph.rdf.sparql import QueryResult, check_read_only, prepare
from collab_graph.rdf.vocab import DEFAULT_BASE

__all__ = [
    "DEFAULT_TIMEOUT",
    "GSP_WORKERS",
    "UPDATE_BATCH",
    "Credentials",
    "PushReport",
    "StoreClient",
    "graph_name",
    "graphs",
    "pull",
    "push",
    "query",
]

UPDATE_BATCH = 1000
"""Most triples in one ``INSERT DATA`` request (Virtuoso 7 fails past about 1,400)."""

GSP_WORKERS = 4
"""Graph Store ``PUT`` requests :func:`push` keeps in flight at once."""

DEFAULT_TIMEOUT = 60.0
"""Seconds to wait for the store's answer to one request."""

_JSON = "application/sparql-results+json"
_NT = "application/n-triples"
_RDF_ACCEPT = f"{_NT}, text/plain;q=0.9, text/turtle;q=0.8"
_ERROR_CHARS = 300


def graph_name(base: str, path: str) -> str:
    """The IRI of a named graph (or resource) under the base IRI, as ``to_rdf`` names it."""
    return str(node_iri(base, path))


@dataclass(frozen=True, slots=True)
class Credentials:
    """A user and password for the store (HTTP Basic or Digest, as the store asks)."""

    user: str
    password: str = field(repr=False)


class StoreClient:
    """HTTP access to one SPARQL store: its query, update and graph store endpoints.

    Parameters
    ----------
    query_url : str
        The SPARQL query endpoint (queries are POSTed, form-encoded).
    update_url : str, optional
        The SPARQL Update endpoint (needed to push without ``gsp_url``).
    gsp_url : str, optional
        The Graph Store HTTP Protocol endpoint (``?graph=IRI``).
    credentials : Credentials, optional
        Sent when the store asks (HTTP 401): Digest when its challenge is
        Digest (as Virtuoso's), else Basic.
    timeout : float
        Seconds to wait for each answer.

    Raises
    ------
    StoreError
        When a URL is not an http(s) URL.
    """

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None = None,
        gsp_url: str | None = None,
        credentials: Credentials | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        for url in (query_url, update_url, gsp_url):
            if url is not None:
                _check_url(url)
        self.query_url = query_url
        self.update_url = update_url
        self.gsp_url = gsp_url
        self.credentials = credentials
        self.timeout = timeout
        self._session = requests.Session()
        self._auth: AuthBase | None = (
            None if credentials is None else HTTPDigestAuth(credentials.user, credentials.password)
        )

    def close(self) -> None:
        """Close the HTTP connections."""
        self._session.close()

    def __enter__(self) -> StoreClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ HTTP

    def _request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            resp = self._session.request(
                method, url, auth=self._auth, timeout=self.timeout, **kwargs
            )
            challenge = resp.headers.get("WWW-Authenticate", "").lower()
            if (
                resp.status_code == 401
                and self.credentials is not None
                and isinstance(self._auth, HTTPDigestAuth)
                and challenge.startswith("basic")
            ):
                self._auth = HTTPBasicAuth(self.credentials.user, self.credentials.password)
                resp = self._session.request(
                    method, url, auth=self._auth, timeout=self.timeout, **kwargs
                )
        except requests.Timeout as exc:
            raise StoreError(
                f"the store at {url} did not answer within {self.timeout:g} s"
            ) from exc
        except requests.RequestException as exc:
            raise StoreError(f"cannot reach the store at {url}: {_reason(exc)}") from exc
        if resp.status_code in (401, 403):
            if self.credentials is None:
                raise StoreAuthError(
                    f"the store at {url} needs a user (HTTP {resp.status_code}): "
                    "give --user and --password-env"
                )
            raise StoreAuthError(
                f"the store at {url} refused user {self.credentials.user!r} "
                f"(HTTP {resp.status_code}): check the user and the password"
            )
        if resp.status_code >= 400:
            raise StoreError(
                f"the store at {url} answered HTTP {resp.status_code}: {_brief(resp.text)}"
            )
        return resp

    def _query(self, text: str, accept: str, dataset: Sequence[str] = ()) -> requests.Response:
        form: dict[str, Any] = {"query": text}
        if dataset:
            form["default-graph-uri"] = list(dataset)
            form["named-graph-uri"] = list(dataset)
        return self._request("POST", self.query_url, data=form, headers={"Accept": accept})

    # ------------------------------------------------------------------ SPARQL

    def ask(self, text: str) -> bool:
        """The answer of an ASK query."""
        return _ask_answer(self._json(self._query(text, _JSON)))

    def select(self, text: str, dataset: Sequence[str] = ()) -> QueryResult:
        """A SELECT or ASK query's result, values as strings (as the local ``sparql`` prints)."""
        return _result(self._json(self._query(text, _JSON, dataset)))

    def construct(self, text: str, dataset: Sequence[str] = ()) -> list[ox.Triple]:
        """The triples of a CONSTRUCT or DESCRIBE query."""
        return _triples(self._query(text, _RDF_ACCEPT, dataset), self.query_url)

    def update(self, text: str) -> None:
        """Run a SPARQL 1.1 Update at the update endpoint."""
        if self.update_url is None:
            raise StoreError("no update endpoint: give the store's update URL")
        self._request(
            "POST",
            self.update_url,
            data=text.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
        )

    # ------------------------------------------------------------------ Graph Store protocol

    def put_graph(self, graph: str, ntriples: bytes) -> None:
        """Replace a named graph with N-Triples (Graph Store protocol ``PUT``)."""
        if self.gsp_url is None:
            raise StoreError("no graph store endpoint: give --gsp URL")
        self._request(
            "PUT",
            self.gsp_url,
            params={"graph": graph},
            data=ntriples,
            headers={"Content-Type": _NT},
        )

    def get_graph(self, graph: str) -> list[ox.Triple]:
        """A named graph's triples (Graph Store protocol ``GET``); none when it does not exist."""
        if self.gsp_url is None:
            raise StoreError("no graph store endpoint: give --gsp URL")
        try:
            resp = self._request(
                "GET", self.gsp_url, params={"graph": graph}, headers={"Accept": _RDF_ACCEPT}
            )
        except StoreError as exc:
            if "HTTP 404" in str(exc):
                return []
            raise
        return _triples(resp, self.gsp_url)

    def _json(self, resp: requests.Response) -> Mapping[str, Any]:
        try:
            data = json.loads(resp.content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise StoreError(
                f"the store at {resp.url} did not answer with SPARQL JSON results "
                f"({resp.headers.get('Content-Type', 'no content type')}): is it a query endpoint?"
            ) from exc
        if not isinstance(data, dict):
            raise StoreError(f"the store at {resp.url} answered JSON that is not a SPARQL result")
        return data


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise StoreError(
            f"{url!r} is not an http(s) URL of a SPARQL endpoint, "
            "e.g. http://localhost:8890/sparql-auth"
        )


def _reason(exc: requests.RequestException) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "No route to host"):
        if marker in text:
            return marker.lower()
    return _brief(text)


def _brief(text: str) -> str:
    """The store's error text on one line, cut short (without the query Virtuoso echoes)."""
    line = " ".join(text.split()).split(" SPARQL query:", 1)[0]
    return line if len(line) <= _ERROR_CHARS else line[: _ERROR_CHARS - 1] + "…"


def _value(term: Mapping[str, str] | None) -> str | None:
    if term is None:
        return None
    if term.get("type") == "bnode":
        return f"_:{term['value']}"
    return term.get("value", "")


def _ask_answer(data: Mapping[str, Any]) -> bool:
    """A SPARQL JSON boolean, or Virtuoso 7's ASK answer (a row ``__ASK_RETVAL`` = 1, or none).

    Examples
    --------
    >>> _ask_answer({"head": {}, "boolean": True})
    True
    >>> row = {"__ASK_RETVAL": {"type": "typed-literal", "value": "1"}}
    >>> _ask_answer({"head": {"vars": ["__ASK_RETVAL"]}, "results": {"bindings": [row]}})
    True
    >>> _ask_answer({"head": {"vars": ["__ASK_RETVAL"]}, "results": {"bindings": []}})
    False
    """
    if "boolean" in data:
        return bool(data["boolean"])
    rows = data.get("results", {}).get("bindings", [])
    return any(_value(r.get("__ASK_RETVAL")) not in (None, "0") for r in rows)


def _result(data: Mapping[str, Any]) -> QueryResult:
    """SPARQL JSON results as a :class:`~collab_graph.rdf.sparql.QueryResult`."""
    head = data.get("head", {})
    columns = tuple(head.get("vars", ()))
    if "boolean" in data or columns == ("__ASK_RETVAL",):
        return QueryResult("ask", ("ask",), [("true" if _ask_answer(data) else "false",)])
    rows: list[tuple[str | None, ...]] = [
        tuple(_value(b.get(c)) for c in columns)
        for b in data.get("results", {}).get("bindings", [])
    ]
    return QueryResult("select", columns, rows)


def _triples(resp: requests.Response, url: str) -> list[ox.Triple]:
    media = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
    fmt = ox.RdfFormat.N_TRIPLES if media == "text/plain" else ox.RdfFormat.from_media_type(media)
    if fmt is None:
        raise StoreError(f"the store at {url} answered {media or 'no content type'}, not RDF")
    try:
        return list(ox.parse(resp.content, format=fmt))
    except (SyntaxError, ValueError) as exc:
        raise StoreError(f"the store at {url} answered RDF that does not parse: {exc}") from exc


def _nt_line(t: ox.Triple) -> str:
    return f"{t} .\n"


# ---------------------------------------------------------------------- push


@dataclass(frozen=True, slots=True)
class PushReport:
    """What :func:`push` wrote: triples per named graph, and which graphs it replaced."""

    triples: Mapping[str, int]
    replaced: tuple[str, ...]
    shared_kept: int

    @property
    def total(self) -> int:
        """Triples written in all."""
        return sum(self.triples.values())


Progress = Callable[[int, int], None]


def _by_graph(G: KnowledgeGraph, base: str) -> dict[str, list[str]]:
    """The N-Triples lines of each named graph of ``to_rdf(G)``, keyed by graph IRI."""
    out: dict[str, list[str]] = {}
    for s, p, o, g in _nt_quads(G, base):
        out.setdefault(g[1:-1], []).append(f"{s} {p} {o} .\n")
    return out


def _merged_shared(existing: Iterable[ox.Triple], ours: list[str]) -> tuple[list[str], int]:
    """The store's shared triples about resources this push does not describe, then ours.

    Examples
    --------
    >>> old = list(ox.parse(b'<urn:t1> <urn:p> "old" .\\n<urn:t2> <urn:p> "kept" .\\n',
    ...                     format=ox.RdfFormat.N_TRIPLES))
    >>> lines, kept = _merged_shared(old, ['<urn:t1> <urn:p> "new" .\\n'])
    >>> kept, [line.strip() for line in lines]
    (1, ['<urn:t2> <urn:p> "kept" .', '<urn:t1> <urn:p> "new" .'])
    """
    ours_subjects = {line.split(" ", 1)[0] for line in ours}
    kept = [_nt_line(t) for t in existing if str(t.subject) not in ours_subjects]
    return kept + ours, len(kept)


def _graph_triples(client: StoreClient, graph: str, *, use_gsp: bool) -> list[ox.Triple]:
    """A named graph's triples: a Graph Store ``GET``, or a CONSTRUCT checked against a COUNT.

    Stores cap query results (Virtuoso's ``ResultSetMaxRows``, 10,000 in its default
    ini), so a CONSTRUCT may silently return part of a graph; that is an error here.
    """
    if use_gsp:
        return client.get_graph(graph)
    pattern = f"WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    triples = client.construct(f"CONSTRUCT {{ ?s ?p ?o }} {pattern}")
    rows = client.select(f"SELECT (COUNT(*) AS ?n) {pattern}").rows
    count = int(rows[0][0] or 0) if rows else 0
    if len(triples) < count:
        raise StoreError(
            f"the store at {client.query_url} returned {len(triples)} of the {count} "
            f"triples of <{graph}>: raise its result limit (Virtuoso: ResultSetMaxRows) "
            "or give --gsp"
        )
    return triples


def push(
    G: KnowledgeGraph,
    client: StoreClient,
    *,
    base: str = DEFAULT_BASE,
    replace: bool = False,
    use_gsp: bool = False,
    batch: int = UPDATE_BATCH,
    progress: Progress | None = None,
) -> PushReport:
    """Load the graph into the store: one named graph per workshop, plus the shared graph.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The knowledge graph.
    client : StoreClient
        The store; its query endpoint answers the "does this graph hold data?"
        questions, its update endpoint (or, with ``use_gsp``, its graph store
        endpoint) receives the data.
    base : str
        Base IRI of the data and of the graph names.
    replace : bool
        Replace workshop graphs that already hold data instead of refusing.
    use_gsp : bool
        Write with the Graph Store HTTP Protocol (``PUT`` per graph) instead of
        SPARQL Update.
    batch : int
        Most triples per ``INSERT DATA`` request.
    progress : callable, optional
        Called as ``progress(triples written, triples in all)``.

    Returns
    -------
    PushReport

    Raises
    ------
    StoreConflictError
        When a workshop's graph already holds data and ``replace`` is False
        (nothing is written then).
    StoreAuthError, StoreError
        When the store refuses the user, cannot be reached or answers an error.
    """
    check_base(base)
    data = _by_graph(G, base)
    shared = str(shared_graph_iri(base))
    workshops = sorted(g for g in data if g != shared)
    held = [g for g in workshops if client.ask(f"ASK {{ GRAPH <{g}> {{ ?s ?p ?o }} }}")]
    if held and not replace:
        shown = ", ".join(f"<{g}>" for g in held[:3])
        more = f" and {len(held) - 3} more" if len(held) > 3 else ""
        raise StoreConflictError(
            f"the store already holds {shown}{more}: give --replace to replace "
            f"{'it' if len(held) == 1 else 'them'}, or push under another --graph-base"
        )
    existing = _graph_triples(client, shared, use_gsp=use_gsp)
    data[shared], kept = _merged_shared(existing, data.get(shared, []))
    total = sum(len(lines) for lines in data.values())
    done = 0
    if progress is not None:
        progress(0, total)
    if use_gsp:
        # one PUT per graph, a few at once: the store parses one graph while the next
        # is sent (about twice as fast as one by one on two cores, docs/benchmarks.md)
        with ThreadPoolExecutor(max_workers=GSP_WORKERS) as pool:
            futures = {
                pool.submit(client.put_graph, g, "".join(data[g]).encode("utf-8")): g
                for g in [*workshops, shared]
            }
            for future in as_completed(futures):
                future.result()
                done += len(data[futures[future]])
                if progress is not None:
                    progress(done, total)
        return PushReport({g: len(data[g]) for g in [*workshops, shared]}, tuple(held), kept)
    for g in [*workshops, shared]:
        lines = data[g]
        drop = g in held or g == shared
        for start in range(0, max(len(lines), 1), batch):
            chunk = "".join(lines[start : start + batch])
            text = f"INSERT DATA {{ GRAPH <{g}> {{\n{chunk}}} }}"
            if drop and start == 0:
                text = f"DROP SILENT GRAPH <{g}> ;\n{text}"
            client.update(text)
            done += len(lines[start : start + batch])
            if progress is not None:
                progress(done, total)
    return PushReport({g: len(data[g]) for g in [*workshops, shared]}, tuple(held), kept)


# ---------------------------------------------------------------------- read


def graphs(client: StoreClient, base: str = DEFAULT_BASE) -> list[str]:
    """The named graphs in the store whose IRI starts with the base IRI, sorted."""
    check_base(base)
    text = (
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(STRSTARTS(STR(?g), {json.dumps(base)})) }}"
    )
    return sorted(str(row[0]) for row in client.select(text).rows if row[0])


def _dataset(client: StoreClient, base: str) -> list[str]:
    found = graphs(client, base)
    if not found:
        raise NotFoundError(
            f"the store at {client.query_url} has no named graph under {base}: "
            "push some notes first (collab-graph push), or give the --base they were pushed with"
        )
    return found


def query(
    client: StoreClient, text: str, *, base: str = DEFAULT_BASE, max_rows: int = 0
) -> QueryResult:
    """Run a read-only SPARQL query at the store, over the graphs under ``base``.

    The query is checked as the local one is
    (:func:`~collab_graph.rdf.sparql.check_read_only`), the standard prefixes are
    predeclared, and the dataset is the named graphs under ``base``: the
    default graph is their union and ``GRAPH ?g`` reaches each, as locally.

    Raises
    ------
    QueryError
        For updates, ``SERVICE`` and malformed queries (nothing is sent then).
    QueryRowLimitError
        When the result has more than ``max_rows`` rows (0: no limit).
    NotFoundError
        When the store has no graph under ``base``.
    StoreError
        When the store cannot be reached or answers an error.
    """
    prepared = prepare(text, base=base)
    parsed = check_read_only(prepared)
    dataset = _dataset(client, base)
    if getattr(parsed[1], "name", "") in ("ConstructQuery", "DescribeQuery"):
        triples = client.construct(prepared, dataset)
        rows: list[tuple[str | None, ...]] = [
            (_term(t.subject), _term(t.predicate), _term(t.object)) for t in triples
        ]
        result = QueryResult("graph", ("subject", "predicate", "object"), rows)
    else:
        result = client.select(prepared, dataset)
    if max_rows and len(result.rows) > max_rows:
        raise QueryRowLimitError(
            f"the SPARQL query returned more than its row limit of {max_rows} rows"
        )
    return result


def _term(term: Any) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term.value)


def pull(client: StoreClient, *, base: str = DEFAULT_BASE) -> KnowledgeGraph:
    """The knowledge graph held in the store's named graphs under ``base``.

    Each graph is read with a CONSTRUCT at the query endpoint (or a Graph Store
    ``GET`` when the client has a graph store endpoint) and the union is turned
    back into the networkx graph by :func:`~collab_graph.rdf.convert.from_rdf`.

    Raises
    ------
    NotFoundError
        When the store has no graph under ``base``.
    StoreError
        When the store cannot be reached, answers an error, or returns fewer
        triples than a graph holds (a server-side result limit).
    """
    from rdflib import Graph

    lines: list[str] = []
    for g in _dataset(client, base):
        triples = _graph_triples(client, g, use_gsp=client.gsp_url is not None)
        lines.extend(_nt_line(t) for t in triples)
    rdf = Graph().parse(data="".join(lines), format="nt")
    return from_rdf(rdf, base=base)
