"""Read-only SPARQL 1.1 over the graph's RDF.

:func:`check_read_only` parses the text with rdflib's SPARQL grammar, not with a
regular expression: a query must parse as SELECT, ASK, CONSTRUCT or DESCRIBE.
Text that parses as an update (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ADD,
MOVE, COPY, ...) is refused with :class:`~collab_graph.errors.QueryError`, and
so is ``SERVICE`` (a federated query would reach the network).

:func:`run` executes the query on an in-memory Oxigraph store (pyoxigraph, the
engine behind ``oxrdflib``), whose default graph is the union of all workshops'
named graphs, so queries need no ``GRAPH`` clause; ``GRAPH ?g { ... }`` still
reaches one workshop. ``engine="rdflib"`` runs the same query on rdflib's own
memory store instead. The prefixes of :data:`collab_graph.rdf.vocab.PREFIXES`
(``cg:``, ``skos:``, ``prov:``, ``dcterms:``, ``schema:``, ``org:``, ...) and
``cgd:`` (the data's base IRI) may be used without declaring them.

Examples
--------
>>> from collab_graph.graph.examples import example_graph
>>> res = run(example_graph(), "SELECT (COUNT(?n) AS ?notes) WHERE { ?n a cg:Note }")
>>> res.columns, res.rows
(('notes',), [('11',)])
>>> try:  # doctest: +ELLIPSIS
...     run(example_graph(), "DROP ALL")
... except QueryError as err:
...     print(err)
SPARQL updates are not allowed (found DROP): collab-graph runs read-only queries (SELECT, ...
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx
import pyoxigraph as ox
from pyparsing import ParseBaseException, ParseResults
from rdflib import Dataset, Graph
from rdflib import Literal as RLiteral
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.term import BNode, Node, URIRef

from collab_graph.errors import QueryError
from collab_graph.graph.schema import KnowledgeGraph
from collab_graph.rdf.convert import iter_quads, to_rdf
from collab_graph.rdf.vocab import DEFAULT_BASE, PREFIXES
from collab_graph.rdf.worker import CLI_LIMITS, QueryLimits, SparqlPool
from collab_graph.rdf.worker import _value as _value  # one way to write an Oxigraph term

__all__ = [
    "MAX_NESTING",
    "PreparedQuery",
    "QueryResult",
    "check_read_only",
    "load_store",
    "nesting_depth",
    "prepare",
    "run",
    "run_bounded",
]

_PREFIX_DECL = re.compile(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*)?\s*:")


@dataclass(frozen=True, slots=True)
class QueryResult:
    """Rows of a query result as plain strings (None for unbound).

    ``kind`` is ``select``, ``ask`` (one row with ``true``/``false``) or
    ``graph`` (CONSTRUCT/DESCRIBE: one row per triple, columns
    ``subject, predicate, object``).
    """

    kind: Literal["select", "ask", "graph"]
    columns: tuple[str, ...]
    rows: list[tuple[str | None, ...]] = field(default_factory=list)

    def records(self) -> list[dict[str, str | None]]:
        """Rows as dicts keyed by column (for JSON and CSV).

        Examples
        --------
        >>> QueryResult("ask", ("ask",), [("true",)]).records()
        [{'ask': 'true'}]
        """
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class PreparedQuery(str):
    """A query with prefix declarations prepended; ``head_lines`` says how many lines they take.

    Error positions in the prepared text are moved back by ``head_lines``, so
    they point into the text the user wrote.
    """

    head_lines: int

    def __new__(cls, text: str, head_lines: int = 0) -> PreparedQuery:
        """Wrap ``text``, of which the first ``head_lines`` lines were added."""
        obj = super().__new__(cls, text)
        obj.head_lines = head_lines
        return obj


_OX_POSITION = re.compile(r"\berror at (\d+):(\d+)")


def _user_position(message: str, query: str) -> str:
    """``message`` with Oxigraph's ``error at LINE:COL`` counted in the user's own query."""
    head = getattr(query, "head_lines", 0)
    if not head:
        return message

    def move(m: re.Match[str]) -> str:
        line = int(m[1])
        return f"error at {line - head}:{m[2]}" if line > head else m[0]

    return _OX_POSITION.sub(move, message)


def prepare(query: str, *, base: str = DEFAULT_BASE) -> PreparedQuery:
    """The query with the standard prefixes it does not declare itself prepended.

    The prefixes take whole lines before the query, so columns are unchanged
    and lines shift by ``head_lines``, which error messages take back off.

    Examples
    --------
    >>> prepare("PREFIX cg: <urn:x#> SELECT * WHERE { ?s cg:p ?o }").count("PREFIX cg:")
    1
    >>> q = prepare("SELECT * WHERE { ?s ?p ?o }")
    >>> "PREFIX skos:" in q, q.splitlines()[q.head_lines]
    (True, 'SELECT * WHERE { ?s ?p ?o }')
    """
    declared = {m.group(1) or "" for m in _PREFIX_DECL.finditer(query)}
    prefixes = {**PREFIXES, "cgd": base}
    lines = [f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes.items() if p not in declared]
    return PreparedQuery("".join(lines) + query, len(lines))


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, ParseResults | list | tuple):
        for child in node:
            yield from _walk(child)
    if isinstance(node, ParseResults | dict):
        values = node.values() if isinstance(node, dict) else node.as_dict().values()
        for child in values:
            yield from _walk(child)


def _update_name(update: Any) -> str:
    names = []
    for req in update.get("request", []):
        name = getattr(req, "name", "") or ""
        name = "DeleteInsert" if name == "Modify" else name
        names.append(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).upper())
    return ", ".join(n for n in names if n)


MAX_NESTING = 20
"""Most levels of ``( )``, ``{ }`` and ``[ ]`` a query may nest.

rdflib's recursive-descent parser needs a Python stack frame per grammar
rule, and one bracket level costs a dozen rules: at Python's default
recursion limit it fails somewhere past 25 levels, at a depth that moves
with whatever is already on the stack. A fixed limit, counted before parsing,
gives the same answer every time; real queries rarely pass ten levels.
"""

# a string (long forms first), an IRI, a comment, or one character
_SPARQL_TOKEN = re.compile(
    r"""'{3}.*?'{3}|"{3}.*?"{3}|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|"""
    r"""<[^<>"{}|^`\\\x00-\x20]*>|#[^\n]*|.""",
    re.S,
)


def nesting_depth(query: str) -> int:
    """Deepest level of brackets in a query, outside strings, IRIs and comments.

    Examples
    --------
    >>> nesting_depth("SELECT * WHERE { ?s ?p ?o FILTER(?o > 1) }")
    2
    >>> nesting_depth('ASK { ?s ?p "((((" } # ((((')
    1
    """
    depth = deepest = 0
    for match in _SPARQL_TOKEN.finditer(query):
        token = match.group()
        if token in "({[":
            depth += 1
            deepest = max(deepest, depth)
        elif token in ")}]":
            depth = max(depth - 1, 0)
    return deepest


def _too_deep() -> QueryError:
    return QueryError(
        f"query too deeply nested: more than {MAX_NESTING} levels of ( ), {{ }} and [ ]; "
        "write it with fewer levels"
    )


def check_read_only(query: str) -> ParseResults:
    """Parse a SPARQL query and refuse anything that is not a read-only query.

    Parameters
    ----------
    query : str
        SPARQL 1.1 text (with any prefixes it uses declared).

    Returns
    -------
    pyparsing.ParseResults
        rdflib's parse of the query.

    Raises
    ------
    QueryError
        For an update (naming the operation), a ``SERVICE`` clause, text
        that is not valid SPARQL (naming line and column), or a query nested
        too deeply for the parser ("query too deeply nested").

    Examples
    --------
    >>> _ = check_read_only("ASK { ?s ?p ?o }")
    >>> for q in ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "LOAD <http://example.org/x>",
    ...           "# comment\\nclear default", "SELECT * WHERE { ?s ?p ?o } ; DROP ALL"):
    ...     try:
    ...         check_read_only(q)
    ...     except QueryError as err:
    ...         print(str(err).split(":")[0])
    SPARQL updates are not allowed (found INSERT DATA)
    SPARQL updates are not allowed (found LOAD)
    SPARQL updates are not allowed (found CLEAR)
    not a valid SPARQL query
    """
    if nesting_depth(query) > MAX_NESTING:
        raise _too_deep()
    try:
        parsed = parseQuery(query)
    except RecursionError as exc:
        raise _too_deep() from exc
    except ParseBaseException as exc:
        try:
            update = parseUpdate(query)
        except RecursionError as exc2:
            raise _too_deep() from exc2
        except ParseBaseException:
            head = getattr(query, "head_lines", 0)  # the prefixes prepare() added
            line = exc.lineno - head if exc.lineno > head else exc.lineno
            raise QueryError(
                f"not a valid SPARQL query: line {line}, column {exc.col}: {exc.msg}",
                line=line,
            ) from exc
        if _update_name(update) == "":
            raise QueryError("not a valid SPARQL query: it is empty") from exc
        raise QueryError(
            f"SPARQL updates are not allowed (found {_update_name(update)}): collab-graph runs "
            "read-only queries (SELECT, ASK, CONSTRUCT, DESCRIBE)"
        ) from exc
    for node in _walk(parsed):
        if getattr(node, "name", None) == "ServiceGraphPattern":
            raise QueryError("SERVICE (federated query) is not allowed: queries stay local")
    return parsed


def _ox_term(t: Node) -> Any:
    if isinstance(t, URIRef):
        return ox.NamedNode(str(t))
    if isinstance(t, BNode):
        return ox.BlankNode(str(t))
    if isinstance(t, RLiteral):
        if t.language:
            return ox.Literal(str(t), language=t.language)
        if t.datatype:
            return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
        return ox.Literal(str(t))
    raise QueryError(f"cannot load RDF term {t!r}")


def _ox_quads(quads: Iterable[tuple[Node, Node, Node, Node | None]]) -> Iterator[ox.Quad]:
    for s, p, o, g in quads:
        graph = ox.DefaultGraph() if g is None else _ox_term(g)
        yield ox.Quad(_ox_term(s), _ox_term(p), _ox_term(o), graph)


def _quads_of(
    data: KnowledgeGraph | Graph, base: str
) -> Iterable[tuple[Node, Node, Node, Node | None]]:
    if isinstance(data, nx.Graph):
        return iter_quads(data, base)
    if isinstance(data, Dataset):
        return ((s, p, o, getattr(g, "identifier", g)) for s, p, o, g in data.quads())
    return ((s, p, o, None) for s, p, o in data)


def _run_oxigraph(data: KnowledgeGraph | Graph | ox.Store, query: str, base: str) -> QueryResult:
    if isinstance(data, ox.Store):
        store = data
    elif isinstance(data, nx.Graph):
        # Bulk-load N-Quads text written from the graph: much faster than one
        # Python Quad object per triple (docs/benchmarks.md).
        from collab_graph.rdf.fast import oxigraph_store

        store = oxigraph_store(data, base=base)
    else:
        store = ox.Store()
        store.extend(_ox_quads(_quads_of(data, base)))
    try:
        result = store.query(query, use_default_graph_as_union=True)
    except (SyntaxError, ValueError, OSError) as exc:
        raise QueryError(f"SPARQL query failed: {_user_position(str(exc), query)}") from exc
    if isinstance(result, ox.QueryBoolean):
        return QueryResult("ask", ("ask",), [("true" if bool(result) else "false",)])
    if isinstance(result, ox.QueryTriples):
        triples: list[tuple[str | None, ...]] = [
            (_value(t.subject), _value(t.predicate), _value(t.object)) for t in result
        ]
        return QueryResult("graph", ("subject", "predicate", "object"), triples)
    columns = tuple(v.value for v in result.variables)
    rows: list[tuple[str | None, ...]] = [tuple(_value(sol[c]) for c in columns) for sol in result]
    return QueryResult("select", columns, rows)


def load_store(G: KnowledgeGraph, *, base: str = DEFAULT_BASE) -> ox.Store:
    """An Oxigraph store holding the graph's RDF, to keep and query many times with :func:`run`.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> store = load_store(example_graph())
    >>> run(store, "SELECT (COUNT(?n) AS ?notes) WHERE { ?n a cg:Note }").rows
    [('11',)]
    """
    from collab_graph.rdf.fast import oxigraph_store

    return oxigraph_store(G, base=base)


def _rdflib_value(term: Any) -> str | None:
    if term is None:
        return None
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _run_rdflib(
    data: KnowledgeGraph | Graph, query: str, base: str, parsed: ParseResults
) -> QueryResult:
    if any(getattr(n, "name", None) == "DatasetClause" for n in _walk(parsed)):
        raise QueryError("FROM / FROM NAMED are not supported with engine='rdflib'; use oxigraph")
    if isinstance(data, nx.Graph):
        ds = to_rdf(data, base=base)
    elif isinstance(data, Dataset):
        ds = data
    else:
        ds = Dataset()
        for t in data:
            ds.add(t)
    ds.default_union = True
    try:
        result = ds.query(query)
    except Exception as exc:  # rdflib raises many kinds while evaluating
        raise QueryError(f"SPARQL query failed: {exc}") from exc
    if result.type == "ASK":
        return QueryResult("ask", ("ask",), [("true" if result.askAnswer else "false",)])
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        rows = [tuple(_rdflib_value(x) for x in t) for t in result]  # type: ignore[union-attr]
        return QueryResult("graph", ("subject", "predicate", "object"), rows)
    columns = tuple(str(v) for v in result.vars or ())
    return QueryResult("select", columns, [tuple(_rdflib_value(x) for x in row) for row in result])  # type: ignore[union-attr]


def run(
    data: KnowledgeGraph | Graph | ox.Store,
    query: str,
    *,
    base: str = DEFAULT_BASE,
    engine: Literal["oxigraph", "rdflib"] = "oxigraph",
) -> QueryResult:
    """Run a read-only SPARQL query over the graph's RDF.

    Parameters
    ----------
    data : networkx.MultiDiGraph or rdflib.Graph or rdflib.Dataset or pyoxigraph.Store
        The knowledge graph (exported with :func:`collab_graph.rdf.convert.iter_quads`),
        RDF already built, or a store loaded once with :func:`load_store` and kept
        for many queries (Oxigraph engine only).
    query : str
        SELECT, ASK, CONSTRUCT or DESCRIBE; standard prefixes need no declaration.
    base : str
        Base IRI of the data (and of the ``cgd:`` prefix).
    engine : {"oxigraph", "rdflib"}
        Which SPARQL engine evaluates the query.

    Returns
    -------
    QueryResult

    Raises
    ------
    QueryError
        For updates, ``SERVICE``, malformed queries and evaluation errors.

    Examples
    --------
    >>> from collab_graph.graph.examples import example_graph
    >>> q = "SELECT ?t WHERE { ?n dcterms:identifier 'G1-Q1-A-2' ; schema:text ?t }"
    >>> run(example_graph(), q, engine="rdflib").rows == run(example_graph(), q).rows
    True
    """
    text = prepare(query, base=base)
    parsed = check_read_only(text)
    if engine == "rdflib":
        if isinstance(data, ox.Store):
            raise QueryError("engine='rdflib' needs the graph, not an Oxigraph store")
        return _run_rdflib(data, text, base, parsed)
    return _run_oxigraph(data, text, base)


def run_bounded(
    data: KnowledgeGraph | Callable[[], bytes],
    query: str,
    *,
    limits: QueryLimits = CLI_LIMITS,
    base: str = DEFAULT_BASE,
    pool: SparqlPool | None = None,
    key: str | None = None,
    alive: Callable[[], bool] | None = None,
) -> QueryResult:
    """Run a read-only SPARQL query in a worker process, under a time, row and memory limit.

    The query is checked here (updates, ``SERVICE``, syntax, nesting), then
    evaluated by Oxigraph in a worker of :mod:`collab_graph.rdf.worker` that
    is stopped when the query goes over a limit.

    Parameters
    ----------
    data : networkx.MultiDiGraph or callable
        The knowledge graph, or a function returning its N-Quads (called only
        when a worker has to load the store).
    query : str
        SELECT, ASK, CONSTRUCT or DESCRIBE; standard prefixes need no declaration.
    limits : QueryLimits
        Time, rows and memory (default: the command line's, 30 s, 100,000 rows, 4,096 MB).
    base : str
        Base IRI of the data (and of the ``cgd:`` prefix).
    pool : SparqlPool, optional
        Workers to reuse across queries (they keep the store loaded); without
        one, a worker is started for this query and stopped after it.
    key : str, optional
        Names the data in the pool (a content key); required with a callable ``data``.
    alive : callable, optional
        Polled while the query runs; False stops it (the app's session ended).

    Returns
    -------
    QueryResult

    Raises
    ------
    QueryTimeoutError, QueryRowLimitError, QueryMemoryError
        When the query went over that limit; it was stopped.
    QueryError
        For updates, ``SERVICE``, malformed or too deeply nested queries.

    Examples
    --------
    >>> from collab_graph.errors import QueryRowLimitError
    >>> from collab_graph.graph.examples import example_graph
    >>> G = example_graph()
    >>> run_bounded(G, "ASK { ?n a cg:Note }").rows
    [('true',)]
    >>> pairs = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
    >>> try:
    ...     run_bounded(G, pairs, limits=QueryLimits(max_rows=10))
    ... except QueryRowLimitError as err:
    ...     print(err.limit, "-", err)  # doctest: +ELLIPSIS
    rows - the SPARQL query returned more than its row limit of 10 rows and was stopped; ...
    """
    text = prepare(query, base=base)
    check_read_only(text)
    if callable(data) and not isinstance(data, nx.Graph):
        if key is None:
            raise QueryError("run_bounded: give a key with N-Quads data")
        source = data
    else:
        from collab_graph.rdf.fast import nquads

        graph = data
        source = lambda: nquads(graph, base=base)  # noqa: E731
        key = key or f"graph-{id(graph)}"
    own = pool is None
    workers = SparqlPool(limits, size=1) if pool is None else pool
    try:
        kind, columns, rows = workers.query(key, source, text, limits=limits, alive=alive)
    except QueryError as exc:
        if type(exc) is not QueryError:  # a limit or a cancel: no position in it
            raise
        raise QueryError(_user_position(str(exc), text)) from exc
    finally:
        if own:
            workers.close()
    return QueryResult(kind, columns, rows)  # type: ignore[arg-type]
