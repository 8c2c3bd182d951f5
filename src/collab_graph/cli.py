"""The ``collab-graph`` command line (see ``shared/CONTRACT.md``).

Commands only translate: they turn options into calls of the core modules and
render what comes back. Every :class:`~collab_graph.errors.CollabGraphError`
becomes one line on stderr and exit code 2 (1 for "nothing found"); no
traceback is ever printed for bad input.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from collab_graph import __version__
from collab_graph.bulk import paused_gc
from collab_graph.csvfiles import csv_text
from collab_graph.errors import CollabGraphError, NotFoundError, QueryError, QueryLimitError
from collab_graph.graph.links import LEVEL_MEANINGS
from collab_graph.graph.query import DEFAULT_MAX_QUOTES
from collab_graph.graph.schema import LIST_SEP, REASONS_SEP, NodeAttr
from collab_graph.ingest import ColumnMap, Limits, LoadOptions, load, require_notes
from collab_graph.model import LineRole, ParseResult
from collab_graph.rdf.worker import CLI_LIMITS
from collab_graph.workspace import WORKSPACE_ENV, Workspace

app = typer.Typer(
    name="collab-graph",
    help="Turn collaboration-workshop notes into an evidence-backed knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

err_console = Console(stderr=True, highlight=False, soft_wrap=True)

PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Notes files (.txt, .md, .docx, .csv). None: the bundled workshop.",
        show_default=False,
    ),
]


WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        help=f"The analyst's workspace (reviews, accepted themes, curated links, model). "
        f"Default: ${WORKSPACE_ENV}, else your per-user data folder.",
        show_default=False,
    ),
]


def _corpus(
    paths: Sequence[Path] | None,
    workspace: Path | None,
    *,
    reviews: bool = True,
    columns: str | None = None,
) -> Any:
    """The pipeline's view of the command's notes files, workspace and reading options."""
    from collab_graph.pipeline import Corpus

    return Corpus(
        list(paths or []),
        workspace=Workspace.locate(workspace),
        reviews=reviews,
        options=load_options(columns),
    )


class RecordFormat(StrEnum):
    """Output formats of ``parse`` and ``classify``."""

    JSONL = "jsonl"
    CSV = "csv"
    TABLE = "table"


#: Cache writes left until the command has answered (see :func:`handle_errors`).
_PENDING: list[Callable[[], None]] = []
#: True when the command runs as its own process: :func:`main` does the writes.
_DETACHED = False


@contextmanager
def handle_errors() -> Iterator[None]:
    """Turn project errors into one stderr line and exit code 2 (1 for nothing found).

    Also the end of every command: cache writes the pipeline left for later are
    done here, unless the command runs as its own process (:func:`main`), which
    does them from a child process once it has answered.
    """
    try:
        yield
        if not _DETACHED:
            while _PENDING:
                _PENDING.pop(0)()
    except NotFoundError as exc:
        err_console.print(f"collab-graph: {exc}", markup=False)
        raise typer.Exit(1) from None
    except CollabGraphError as exc:
        err_console.print(f"collab-graph: error: {exc}", markup=False)
        raise typer.Exit(2) from None


#: From this many notes on, coding them shows a progress bar (on a terminal).
PROGRESS_NOTES = 2000


@contextmanager
def coding_progress() -> Iterator[Callable[[int, int], None]]:
    """A ``progress(done, total)`` callback that draws a bar on stderr while notes are coded.

    The bar appears on the first call, and only for :data:`PROGRESS_NOTES` notes
    or more and when stderr is a terminal, so piped output and logs stay clean.
    """
    with contextlib.ExitStack() as stack:
        state: dict[str, Any] = {}

        def update(done: int, total: int) -> None:
            if "bar" not in state:
                if total < PROGRESS_NOTES or not err_console.is_terminal:
                    state["bar"] = None
                else:
                    bar = stack.enter_context(
                        Progress(
                            TextColumn("coding notes"),
                            BarColumn(),
                            MofNCompleteColumn(),
                            TimeRemainingColumn(),
                            console=err_console,
                            transient=True,
                        )
                    )
                    state["bar"], state["task"] = bar, bar.add_task("", total=total)
            if state["bar"] is not None:
                state["bar"].update(state["task"], completed=done)

        yield update


def _warn(message: str) -> None:
    err_console.print(f"collab-graph: warning: {message}", markup=False, highlight=False)


CsvSafeOpt = Annotated[
    bool,
    typer.Option(
        "--csv-safe/--no-csv-safe",
        help="CSV output: prefix ' to cells starting with = + - @ (or a tab or CR) so a "
        "spreadsheet shows them instead of running them as formulas (OWASP). "
        "--no-csv-safe writes them raw.",
    ),
]

ColumnsOpt = Annotated[
    str | None,
    typer.Option(
        "--columns",
        help="CSV columns to read, e.g. note=Card,scope=Column "
        "(fields: note, scope, group, question, prompt). Default: found by header names.",
        show_default=False,
    ),
]


def load_options(columns: str | None) -> LoadOptions:
    """The loader options from the file-reading command-line options (bad ones exit 2).

    The input limits come from the environment (``COLLAB_GRAPH_MAX_NOTES``,
    ``COLLAB_GRAPH_MAX_LINES``, ``COLLAB_GRAPH_MAX_EXPANDED_MB``); a bad value exits 2 too.
    """
    try:
        limits = Limits.from_env()
    except CollabGraphError as exc:
        err_console.print(f"collab-graph: error: {exc}", markup=False)
        raise typer.Exit(2) from None
    if not columns:
        return LoadOptions(limits=limits)
    try:
        return LoadOptions(columns=ColumnMap.parse(columns), limits=limits)
    except ValueError as exc:
        err_console.print(f"collab-graph: error: --columns: {exc}", markup=False)
        raise typer.Exit(2) from None


def load_results(
    paths: Sequence[Path] | None, options: LoadOptions | None = None
) -> list[ParseResult]:
    """Parse the given notes files (or the bundled workshop), printing warnings to stderr."""
    chosen = list(paths or [])
    if len(chosen) > 3 and err_console.is_terminal:
        with Progress(
            TextColumn("parsing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            console=err_console,
            transient=True,
        ) as bar:
            task = bar.add_task("", total=len(chosen))
            results = load(
                chosen,
                progress=lambda done, _total, path: bar.update(
                    task, completed=done, description=path.name
                ),
                options=options,
            )
    else:
        results = load(chosen, options=options)
    for result in results:
        for warning in result.warnings:
            _warn(warning)
    return results


# Characters that some JSON-lines readers take for line breaks (Python's str.splitlines
# does); written as \u escapes so that every record stays on one line for any reader.
_LINE_BREAKING = re.compile("[\u2028\u2029\u0085\x0b\x0c\x1c\x1d\x1e]")


def _escape_breaks(line: str) -> str:
    if _LINE_BREAKING.search(line) is None:
        return line
    return _LINE_BREAKING.sub(lambda m: f"\\u{ord(m.group()):04x}", line)


def write_jsonl(records: Iterable[Mapping[str, Any]]) -> None:
    """Write one JSON object per line, UTF-8, with the text as in the source.

    Characters that some readers take for line breaks (U+2028, U+2029, U+0085,
    VT, FF, FS, GS, RS) are written as ``\\u`` escapes; the decoded text is unchanged.
    """
    out = sys.stdout
    for rec in records:
        out.write(_escape_breaks(json.dumps(rec, ensure_ascii=False)) + "\n")
    out.flush()


def flatten(value: Any, sep: str = LIST_SEP) -> str:
    """A cell value for CSV/table output: lists of refs become ``a;b`` (joined by ``sep``)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return sep.join(
            str(v.get("id", v.get("text", v))) if isinstance(v, Mapping) else str(v) for v in value
        )
    return str(value)


def write_csv(
    records: Sequence[Mapping[str, Any]],
    fields: Sequence[str] | None = None,
    *,
    safe: bool = True,
) -> None:
    """Write records as RFC-4180 CSV with a header row.

    List cells are ``;``-joined, except ``reasons``, which are joined as in the
    graph (:data:`collab_graph.graph.schema.REASONS_SEP`). With ``safe``, cells
    a spreadsheet would run as formulas get a leading ``'``
    (:func:`collab_graph.csvfiles.csv_safe`).
    """
    if not records:
        return
    names = list(fields or records[0].keys())
    rows = (
        [flatten(rec.get(n), REASONS_SEP if n == NodeAttr.REASONS else LIST_SEP) for n in names]
        for rec in records
    )
    sys.stdout.write(csv_text(names, rows, safe=safe))
    sys.stdout.flush()


def print_table(
    title: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    caption: str = "",
    stderr: bool = False,
) -> None:
    """Render a rich table on stdout, or stderr (text escaped: workshop text is never markup)."""
    table = Table(title=title, caption=caption or None, show_lines=False, expand=False)
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*(flatten(v) for v in row))
    Console(stderr=stderr, highlight=False, markup=False).print(table)


def emit_records(
    records: Sequence[Mapping[str, Any]],
    format: RecordFormat,
    title: str,
    columns: Sequence[str],
    row: Callable[[Mapping[str, Any]], Sequence[Any]],
    *,
    caption: str = "",
    csv_safe: bool = True,
) -> None:
    """Write records as JSON lines, CSV, or a table with ``columns`` filled by ``row``."""
    if format is RecordFormat.JSONL:
        write_jsonl(records)
    elif format is RecordFormat.CSV:
        write_csv(records, safe=csv_safe)
    else:
        print_table(title, columns, (row(r) for r in records), caption=caption)


def _reviewed(corpus: Any) -> Any:
    """Parse, code (from the cache when it can) and review a corpus, printing warnings."""
    from collab_graph import pipeline

    with coding_progress() as progress:
        coded = pipeline.code(corpus, progress=progress, write_behind=_PENDING)
    for warning in coded.warnings:
        _warn(warning)
    outcome = pipeline.review(corpus, coded)
    for warning in outcome.warnings():
        _warn(warning)
    return outcome


def _print_report(results: Sequence[ParseResult]) -> None:
    """Per file: repeated prompts, unassigned lines, then the count of each line role."""
    out = Console(highlight=False, markup=False, soft_wrap=True)
    for result in results:
        for sl in result.lines:
            if sl.reason.startswith("repeated prompt"):
                out.print(f"  line {sl.line} ({sl.role.value}): {sl.reason}")
        if result.unassigned:
            print_table(
                f"Unassigned lines in {result.workshop.source}",
                ["line", "text", "why"],
                [(sl.line, sl.text, sl.reason) for sl in result.unassigned],
            )
        counts = Counter(sl.role for sl in result.lines)
        summary = ", ".join(f"{counts[r]} {r.value}" for r in LineRole if counts[r])
        out.print(f"{result.workshop.source}: {len(result.notes)} notes; lines: {summary}")
        if not result.unassigned:
            out.print("No unassigned lines: every non-blank line is a note or structure.")


def line_records(results: Sequence[ParseResult]) -> list[dict[str, Any]]:
    """One record per non-blank source line: its role, why, and the notes it starts or continues."""
    return [
        {
            "workshop": r.workshop.slug,
            "line": sl.line,
            "role": sl.role.value,
            "why": sl.reason,
            "notes": list(sl.note_ids),
            "text": sl.text,
        }
        for r in results
        for sl in r.lines
    ]


@app.command("parse")
def parse_cmd(
    paths: PathsArg = None,
    format: Annotated[
        RecordFormat, typer.Option("--format", "-f", help="Output format.")
    ] = RecordFormat.JSONL,
    lines: Annotated[
        bool,
        typer.Option(
            "--lines",
            help="List every non-blank line with its role (note, continuation, structure "
            "and why, unassigned) instead of the notes.",
        ),
    ] = False,
    columns: ColumnsOpt = None,
    csv_safe: CsvSafeOpt = True,
) -> None:
    """Parse notes into one record per note: id, workshop, group, question, prompt, line, text."""
    options = load_options(columns)
    with handle_errors():
        results = load_results(paths, options)
        if lines:
            fields = ["line", "role", "why", "notes", "text"]
            emit_records(
                line_records(results),
                format,
                "Lines",
                fields,
                lambda r: [", ".join(r["notes"]) if c == "notes" else r[c] for c in fields],
                csv_safe=csv_safe,
            )
        else:
            require_notes(results)  # text but no notes: nothing found (exit 1)
            fields = ["id", "workshop", "group", "question", "prompt", "line", "text"]
            with paused_gc():  # one record per note: bulk work (see collab_graph.bulk)
                records = [note.record() for r in results for note in r.notes]
                emit_records(
                    records,
                    format,
                    "Notes",
                    fields,
                    lambda r: [r[c] for c in fields],
                    csv_safe=csv_safe,
                )
        if format is RecordFormat.TABLE:
            _print_report(results)


NoReviewsOpt = Annotated[
    bool,
    typer.Option("--no-reviews", help="The classifier alone: apply no analyst review."),
]


@app.command("classify")
def classify_cmd(
    paths: PathsArg = None,
    format: Annotated[
        RecordFormat, typer.Option("--format", "-f", help="Output format.")
    ] = RecordFormat.JSONL,
    no_reviews: NoReviewsOpt = False,
    workspace: WorkspaceOpt = None,
    columns: ColumnsOpt = None,
    csv_safe: CsvSafeOpt = True,
) -> None:
    """Code each note: the parse record plus kind, themes, orgs, confidence and reasons."""
    from collab_graph.graph.schema import join_reasons

    with handle_errors():
        corpus = _corpus(paths, workspace, reviews=not no_reviews, columns=columns)
        outcome = _reviewed(corpus)
        if not outcome.coded:  # text but no notes: nothing found (exit 1)
            require_notes(load(list(paths or []), options=load_options(columns)))
        emit_records(
            [c.record() for c in outcome.coded],
            format,
            "Coded notes",
            ["id", "kind", "conf", "themes", "orgs", "text", "reasons"],
            lambda r: [
                r["id"],
                r["kind"] + (" *" if r["reviewed"] else ""),
                f"{r['confidence']:.2f}",
                r["themes"],
                r["orgs"],
                r["text"],
                join_reasons(r["reasons"]),
            ],
            caption="* = analyst review applied",
            csv_safe=csv_safe,
        )


class EvalFormat(StrEnum):
    """Output formats of ``eval``."""

    TABLE = "table"
    JSON = "json"


@app.command("eval")
def eval_cmd(
    reference: Annotated[
        Path,
        typer.Argument(help="Reference coding CSV (shared/reference-coding/notes.csv format)."),
    ],
    paths: PathsArg = None,
    no_reviews: NoReviewsOpt = False,
    format: Annotated[
        EvalFormat, typer.Option("--format", "-f", help="Output format.")
    ] = EvalFormat.TABLE,
    workspace: WorkspaceOpt = None,
    columns: ColumnsOpt = None,
    cross_validate: Annotated[
        bool,
        typer.Option(
            "--cross-validate",
            help="Leave-one-workshop-out: train without each workshop (and its reviews) in "
            "turn and score it; the figure to quote.",
        ),
    ] = False,
) -> None:
    """Agreement with a reference coding: kind accuracy, macro-F1, kappa, confusion, orgs, themes.

    Scoring notes the model was trained on gives training accuracy, and the output
    says so; ``--cross-validate`` gives the leave-one-workshop-out figures.
    """
    from collab_graph.pipeline import vocabulary
    from collab_graph.review.evaluate import evaluate, load_reference

    with handle_errors():
        if cross_validate:
            _cross_validate(reference, paths, workspace, json_out=format is EvalFormat.JSON)
            return
        ref = load_reference(reference)
        corpus = _corpus(paths, workspace, reviews=not no_reviews, columns=columns)
        outcome = _reviewed(corpus)
        themes = vocabulary(corpus.workspace).taxonomy.themes
        report = evaluate(outcome.coded, ref, theme_ids=list(themes))
        if report.matched == 0:
            raise NotFoundError(
                f"{reference}: none of its {report.reference_size} note ids is in the coded notes"
            )
        if format is EvalFormat.JSON:
            data: dict[str, Any] = dict(report.summary())
            data["per_kind"] = {
                k: {
                    "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4),
                    "f1": round(s.f1, 4),
                    "support": s.support,
                }
                for k, s in report.per_kind.items()
            }
            data["confusion"] = report.confusion
            data["missing"] = list(report.missing)
            data["mismatches"] = [
                {
                    "id": m.id,
                    "text": m.text,
                    "reference": m.reference,
                    "reference2": m.reference2,
                    "coded": m.coded,
                }
                for m in report.mismatches
            ]
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            return
        _print_eval(report, reviews=not no_reviews)
        seen = _trained_on(vocabulary(corpus.workspace).model, [reference, *corpus.sources()])
        if seen:
            err_console.print(
                f"collab-graph: note: the kind model was trained on {', '.join(seen)}: these "
                "figures are training accuracy; `eval --cross-validate` gives the "
                "leave-one-workshop-out figures",
                markup=False,
            )


def _trained_on(model: Any, files: Sequence[Path]) -> list[str]:
    """The given files whose content the kind model was trained on (by SHA-256)."""
    import hashlib

    hashes = {f.get("sha256") for f in model.meta.get("trained_on", [])}
    out = []
    for f in files:
        try:
            if hashlib.sha256(Path(f).read_bytes()).hexdigest() in hashes:
                out.append(Path(f).name)
        except OSError:
            continue
    return out


def _cross_validate(
    reference: Path, paths: Sequence[Path] | None, workspace: Path | None, *, json_out: bool
) -> None:
    """``eval --cross-validate``: leave-one-workshop-out over the shipped training data,
    with the given reference added as one more workshop when it is not part of it."""
    import hashlib

    from collab_graph.coding import train
    from collab_graph.resources import default_notes
    from collab_graph.review.reviews import load_reviews

    sets = train.manifest()
    ref_hash = hashlib.sha256(reference.read_bytes()).hexdigest() if reference.is_file() else ""
    known = {hashlib.sha256(s.labels.read_bytes()).hexdigest() for s in sets}
    if ref_hash not in known:
        chosen = list(paths or []) or [default_notes()]
        if len(chosen) != 1:
            raise QueryError("--cross-validate scores one workshop: give one notes file")
        sets.append(train.LabelledSet(reference, chosen[0], "eval"))
    ws = Workspace.locate(workspace)
    extra = train.review_examples(
        load_reviews(ws.reviews, on_problem=_warn) if ws.reviews.exists() else []
    )
    evals = sum(1 for s in sets if s.role == "eval")
    with _training_progress() as bar:
        task = bar.add_task("", total=evals)
        predictions, held = train.leave_one_out(
            sets,
            extra=extra,
            progress=lambda name: bar.update(task, advance=1, description=f"leaving out {name}"),
        )
    summary = train.summary(predictions)
    kinds = ["practice", "barrier", "benefit", "context", "heading"]
    confusion = {g: dict.fromkeys(kinds, 0) for g in kinds}
    for p in predictions:
        confusion[p.gold.value][p.kind.value] += 1
    cal = train.calibration_cv(held, train.CONTENT_CLASSES)
    if json_out:
        data = {
            **summary,
            "confusion": {g: row for g, row in confusion.items() if any(row.values())},
            "calibration_cv": cal,
            "reviews_used": len(extra),
        }
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    _print_scores(summary, "Leave-one-workshop-out kind accuracy")
    print_table(
        "Confusion over the left-out workshops (rows: reference kind, columns: coded kind)",
        ["reference", *kinds],
        [(g, *(confusion[g][k] for k in kinds)) for g in kinds if any(confusion[g].values())],
    )
    err_console.print(
        f"collab-graph: confidence on left-out workshops: expected calibration error "
        f"{cal['ece']:.3f} over 10 bins; {len(extra)} reviews used",
        markup=False,
    )


def _print_eval(report: Any, *, reviews: bool) -> None:
    out = Console(highlight=False, markup=False)
    mode = "with analyst reviews" if reviews else "classifier alone (--no-reviews)"
    out.print(
        f"Notes matched: {report.matched} of {report.reference_size} reference notes "
        f"({len(report.missing)} missing, {report.extra} extra); {mode}; "
        f"{report.reviewed} reviewed"
    )
    out.print(f"Kind accuracy (kind or kind2): {report.kind_accuracy:.3f}")
    out.print(f"Kind accuracy (exact kind):    {report.kind_accuracy_exact:.3f}")
    out.print(f"Macro-F1 {report.macro_f1:.3f}; Cohen's kappa {report.kappa:.3f} (exact kind)")
    tp, fp, fn = report.org_counts
    out.print(
        f"Organisations: precision {report.org_precision:.3f}, recall {report.org_recall:.3f}, "
        f"F1 {report.org_f1:.3f} (tp {tp}, fp {fp}, fn {fn})"
    )
    if report.org_unscored:
        out.print(
            f"  + {report.org_unscored} mention(s) of organisations detected in the notes "
            "that no gazetteer entry holds: not scored, as the reference names gazetteer ids only"
        )
    if report.theme_primary_agreement is not None:
        out.print(
            f"Themes ({report.shared_theme_ids} shared ids): primary agreement "
            f"{report.theme_primary_agreement:.3f}, precision {report.theme_precision:.3f}, "
            f"recall {report.theme_recall:.3f}"
        )
    else:
        out.print("Themes: no theme ids shared with the reference")
    kinds = list(report.per_kind)
    print_table(
        "Per kind (exact reference kind)",
        ["kind", "precision", "recall", "F1", "reference", "coded"],
        [
            (k, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", s.support, s.predicted)
            for k, s in report.per_kind.items()
        ],
    )
    print_table(
        "Confusion (rows: reference kind, columns: coded kind)",
        ["reference", *kinds],
        [(g, *(report.confusion[g][k] for k in kinds)) for g in kinds],
    )
    if report.mismatches:
        print_table(
            "Disagreements (coded kind is neither kind nor kind2)",
            ["id", "reference", "coded", "text"],
            [
                (m.id, m.reference + (f"/{m.reference2}" if m.reference2 else ""), m.coded, m.text)
                for m in report.mismatches
            ],
        )


class AgreementFormat(StrEnum):
    """Output formats of ``agreement``."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"


_SOURCE_TYPES = {
    "classifier": "the classifier alone",
    "workspace": "workspace: the classifier with its reviews",
    "reviews": "reviews CSV: the classifier with these reviews",
    "reference": "reference coding",
}


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


@app.command("agreement")
def agreement_cmd(
    a: Annotated[
        str,
        typer.Argument(
            help="First coding: a workspace folder, a reviews CSV, a reference-coding CSV, "
            "or the word classifier.",
            show_default=False,
            metavar="A",
        ),
    ],
    b: Annotated[
        str,
        typer.Argument(help="Second coding (same choices).", show_default=False, metavar="B"),
    ],
    paths: PathsArg = None,
    format: Annotated[
        AgreementFormat,
        typer.Option(
            "--format", "-f", help="Output format (csv: the notes they disagree on, one a row)."
        ),
    ] = AgreementFormat.TABLE,
    columns: ColumnsOpt = None,
    csv_safe: CsvSafeOpt = True,
) -> None:
    """Agreement between two codings of the same notes: kind (Cohen's kappa, Krippendorff's
    alpha), each theme, and the notes they disagree on."""
    from collab_graph import pipeline
    from collab_graph.review.agreement import compare, detect_source

    with handle_errors():
        sources = [detect_source(a), detect_source(b)]
        corpus = _corpus(paths, None, reviews=False, columns=columns)
        codings = []
        for source in sources:
            with coding_progress() as progress:
                codings.append(
                    pipeline.agreement_coding(source, corpus, progress=progress, warn=_warn)
                )
        report = compare(*codings)
        if format is AgreementFormat.JSON:
            labels: dict[str, str] = {}
            for source in sources:
                themes = pipeline.vocabulary(source.workspace).taxonomy.themes
                labels.update({t.id: t.label for t in themes.values()})
            record = report.record(labels)
            record["a"] = {"source": sources[0].name, "type": sources[0].type.value}
            record["b"] = {"source": sources[1].name, "type": sources[1].type.value}
            sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
            return
        summary = (
            f"{report.compared} notes compared ({report.only_a} only in A, {report.only_b} "
            f"only in B: left out); kind agreement {report.kind_agreement:.3f}, Cohen's kappa "
            f"{_figure(report.kappa)}, Krippendorff's alpha (nominal) {_figure(report.alpha)}"
        )
        if format is AgreementFormat.CSV:
            write_csv(
                [
                    {
                        "workshop": d["workshop"],
                        "id": d["id"],
                        "on": d["on"],
                        "a_kind": d["a"]["kind"],
                        "a_themes": d["a"]["themes"],
                        "b_kind": d["b"]["kind"],
                        "b_themes": d["b"]["themes"],
                        "text": d["text"],
                    }
                    for d in report.record()["disagreements"]
                ],
                safe=csv_safe,
            )
            err_console.print(f"collab-graph: {summary}", markup=False)
            return
        _print_agreement(report, sources)


def _print_agreement(report: Any, sources: Sequence[Any]) -> None:
    out = Console(highlight=False, markup=False)
    for side, source in zip("AB", sources, strict=True):
        out.print(f"{side}: {source.name} ({_SOURCE_TYPES[source.type.value]})")
    out.print(
        f"Notes compared: {report.compared} (left out: {report.only_a} only in A, "
        f"{report.only_b} only in B)"
    )
    same = round(report.kind_agreement * report.compared)
    for label, value in (
        ("Kind agreement", f"{report.kind_agreement:.3f} ({same} of {report.compared})"),
        ("Cohen's kappa", _figure(report.kappa)),
        ("Krippendorff's alpha (nominal)", _figure(report.alpha)),
    ):
        out.print(f"{label + ':':32}{value}")
    for reason in dict.fromkeys(report.undefined.values()):
        out.print(f"  n/a: {reason}")
    kinds = list(report.confusion)
    print_table(
        "Kinds (rows: A, columns: B)",
        ["A \\ B", *kinds],
        [(k, *(report.confusion[k][x] for x in kinds)) for k in kinds],
    )
    themes = Table(
        title="Themes: applied to a note or not (most disagreement first)",
        caption="pos. = positive agreement: 2·both / (2·both + only A + only B)",
    )
    width = max((len(t.theme) for t in report.themes), default=5)
    themes.add_column("theme", no_wrap=True, min_width=width)
    for col in ("both", "only A", "only B", "agreement", "pos."):
        themes.add_column(col, justify="right", min_width=max(5, len(col)))
    for t in report.themes:
        themes.add_row(
            t.theme,
            str(t.both),
            str(t.only_a),
            str(t.only_b),
            f"{t.agreement:.3f}",
            f"{t.positive_agreement:.3f}",
        )
    if report.themes_compared:
        out.print(themes)
    else:
        out.print("Themes: not compared (a coding has no themes column)")
    several = len({d.workshop for d in report.disagreements}) > 1
    if report.disagreements:

        def coded(u: Any) -> str:
            return str(u.kind) + (": " + "; ".join(u.themes) if u.themes else "")

        notes = Table(title=f"Notes they disagree on ({len(report.disagreements)}), kind first")
        notes.add_column("note", no_wrap=True)
        notes.add_column("A", overflow="fold", ratio=2)
        notes.add_column("B", overflow="fold", ratio=2)
        notes.add_column("text", overflow="fold", ratio=3)
        for d in report.disagreements:
            notes.add_row(
                f"{d.workshop} {d.id}" if several else d.id,
                coded(d.a),
                coded(d.b),
                _short(d.text),
            )
        out.print(notes)
    else:
        out.print("They agree on every compared note.")


class PracticesFormat(StrEnum):
    """Output formats of ``practices``."""

    JSON = "json"
    TABLE = "table"


class SparqlFormat(StrEnum):
    """Output formats of ``sparql``."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"


BaseOpt = Annotated[
    str,
    typer.Option("--base", help="Base IRI of the RDF (absolute, ending in / or #)."),
]


def _graph(
    paths: Sequence[Path] | None,
    workspace: Path | None,
    *,
    reviews: bool = True,
    columns: str | None = None,
) -> Any:
    """The knowledge graph of the given notes files, from the cache when it has it."""
    from collab_graph import pipeline

    with coding_progress() as progress:
        return pipeline.graph(
            _corpus(paths, workspace, reviews=reviews, columns=columns),
            progress=progress,
            on_warning=_warn,
            write_behind=_PENDING,
        )


@app.command("practices")
def practices_cmd(
    barrier: Annotated[
        str, typer.Argument(help="A barrier id, label, note id or free text (fuzzy-matched).")
    ],
    paths: PathsArg = None,
    top: Annotated[int, typer.Option("--top", "-k", min=1, help="How many practices.")] = 10,
    format: Annotated[
        PracticesFormat, typer.Option("--format", "-f", help="Output format.")
    ] = PracticesFormat.TABLE,
    no_reviews: NoReviewsOpt = False,
    workspace: WorkspaceOpt = None,
    columns: ColumnsOpt = None,
    max_quotes: Annotated[
        int,
        typer.Option(
            "--max-quotes",
            min=0,
            help="At most this many quotes per practice (explicit pairings first); 0 = all.",
        ),
    ] = DEFAULT_MAX_QUOTES,
) -> None:
    """Ranked practices that address a barrier, with the quotes behind them."""
    from collab_graph.graph.query import MIN_SIMILARITY, practices_for
    from collab_graph.views.tables import groups_text, practice_rows, quote_rows, several_workshops

    with handle_errors():
        G = _graph(paths, workspace, reviews=not no_reviews, columns=columns)
        result = practices_for(G, barrier, top=top, max_quotes=max_quotes or None)
        b = result["barrier"]
        if format is PracticesFormat.JSON:
            sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        # free text that matches no barrier well: nothing found, exit 1 (the contract),
        # saying so on stderr with the closest barriers to ask again with
        if b is None and not result["closest"]:
            err_console.print(
                f"No barrier matches “{barrier}”: no barrier shares a word with it. "
                "Ask in other words, or give a barrier id or label.",
                markup=False,
            )
        elif b is None:
            print_table(
                f"No barrier matches “{barrier}” well (similarity below {MIN_SIMILARITY}); "
                "the closest barriers are:",
                ["barrier", "id", "similarity"],
                [(c["label"], c["id"], f"{c['similarity']:.2f}") for c in result["closest"]],
                caption="Ask again with one of these ids or labels, or in other words.",
                stderr=True,
            )
        if b is None:
            raise typer.Exit(1)
        if format is PracticesFormat.JSON:
            return
        # with several workshops a group number alone is ambiguous: count or name them
        several = several_workshops(result)
        rows = practice_rows(result)  # the rows the app's Ask page shows
        print_table(
            f"Practices for: {b['label']} ({b['id']}; matched by {b['matched_by']}"
            + (f", similarity {b['similarity']:.2f}" if b["matched_by"] == "meaning" else "")
            + f"; raised by {'' if several else 'groups '}{groups_text(b, several=several)})",
            ["#", "practice", "score", "link", "level", "curated", "evidence", "groups", "quotes"],
            [
                (
                    r["rank"],
                    f"{r['practice']} ({r['id']})",
                    f"{r['score']:.3f}",
                    r["link"],
                    r["level"],
                    r["strength"] or "-",
                    f"{r['evidence']:.3f}",
                    r["groups"],
                    r["quotes"],
                )
                for r in rows
            ],
            caption="score = 0.5 × curated + 0.5 × evidence; link: curated, evidence (the "
            "notes alone) or both. " + "; ".join(LEVEL_MEANINGS.values()),
        )
        out = Console(highlight=False, markup=False)
        for r, p in zip(rows, result["practices"], strict=True):
            out.print(f"{r['rank']}. {r['practice']}")
            for q in quote_rows(p["evidence"][:5]):
                where = f"{q['workshop']} {q['where']}" if several else q["where"]
                star = " (pairs both)" if q["explicit"] else ""
                out.print(f"   [{q['supports']}] {where}: “{q['quote']}”{star}")


@app.command("export")
def export_cmd(
    paths: PathsArg = None,
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="turtle, json-ld, nt, xml, trig, nquads, graphml, gexf, csv, html, "
            "or qdc / qdpx (REFI-QDA codebook / project for NVivo, ATLAS.ti, MAXQDA, QualCoder).",
        ),
    ] = "turtle",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
    ] = None,
    validate: Annotated[
        bool, typer.Option("--validate", help="Check the RDF against data/shapes.ttl (SHACL).")
    ] = False,
    base: BaseOpt = "https://example.org/collab-graph/",
    no_reviews: NoReviewsOpt = False,
    workspace: WorkspaceOpt = None,
    columns: ColumnsOpt = None,
    csv_safe: CsvSafeOpt = True,
) -> None:
    """The whole graph in one format (to stdout unless -o is given).

    The XML formats (xml, graphml, gexf, qdc, qdpx) replace characters XML 1.0 forbids
    with U+FFFD and say so on stderr. qdc is the taxonomy as a REFI-QDA codebook; qdpx
    (a zip, needs -o) is a REFI-QDA project: each workshop as a text source, each note
    a selection coded with its kind and themes.
    """
    from collab_graph.views import export as exp

    if format in exp.EXCHANGE_FORMATS:
        _export_refiqda(paths, format, output, no_reviews, workspace, columns)
        return
    with handle_errors():
        exp.get_format(format)
        G = _graph(paths, workspace, reviews=not no_reviews, columns=columns)
        if validate:
            report = exp.check_conforms(G, base=base)
            err_console.print(
                f"collab-graph: SHACL: the export conforms to data/shapes.ttl "
                f"({report.violations} violations)",
                markup=False,
            )
        if output is None:
            data = exp.export(G, format, base=base, csv_safe=csv_safe, on_warning=_warn)
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            exp.write(G, format, output, base=base, csv_safe=csv_safe, on_warning=_warn)
            err_console.print(f"collab-graph: wrote {output}", markup=False)


def _export_refiqda(
    paths: Sequence[Path] | None,
    format: str,
    output: Path | None,
    no_reviews: bool,
    workspace: Path | None,
    columns: str | None,
) -> None:
    """``export --format qdc|qdpx``: the REFI-QDA codebook or project."""
    from collab_graph import pipeline
    from collab_graph.errors import ExportError
    from collab_graph.views import refiqda

    with handle_errors():
        if format == "qdpx" and output is None:
            raise ExportError("a qdpx project is a zip archive: give -o FILE.qdpx")
        corpus = _corpus(paths, workspace, reviews=not no_reviews, columns=columns)
        taxonomy = pipeline.vocabulary(corpus.workspace).taxonomy
        if format == "qdc":
            data = refiqda.codebook_xml(taxonomy, on_warning=_warn)
        else:
            outcome = _reviewed(corpus)
            results = pipeline.parsed(corpus)
            sources = refiqda.project_sources(corpus.sources(), results)
            data = refiqda.qdpx(taxonomy, sources, outcome.coded, on_warning=_warn)
        if output is None:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            refiqda.write(data, output)
            err_console.print(f"collab-graph: wrote {output}", markup=False)


StoreUserOpt = Annotated[
    str | None,
    typer.Option(
        "--user", help="User for the store (HTTP Digest or Basic, as it asks).", show_default=False
    ),
]
PasswordEnvOpt = Annotated[
    str | None,
    typer.Option(
        "--password-env",
        help="Name of the environment variable holding the store password (never on the "
        "command line), e.g. --password-env STORE_PASSWORD.",
        show_default=False,
    ),
]


def _store_client(
    query_url: str,
    *,
    user: str | None,
    password_env: str | None,
    update_url: str | None = None,
    gsp_url: str | None = None,
    timeout: float | None = None,
) -> Any:
    """The store client for the command's --store options (a bad combination exits 2)."""
    from collab_graph.errors import ConfigError
    from collab_graph.rdf.store import DEFAULT_TIMEOUT, Credentials, StoreClient

    credentials = None
    if (user is None) != (password_env is None):
        raise ConfigError("give --user and --password-env together (or neither)")
    if user is not None and password_env is not None:
        password = os.environ.get(password_env)
        if password is None:
            raise ConfigError(
                f"--password-env {password_env}: the environment variable {password_env} is not set"
            )
        credentials = Credentials(user, password)
    return StoreClient(
        query_url,
        update_url=update_url,
        gsp_url=gsp_url,
        credentials=credentials,
        timeout=timeout or DEFAULT_TIMEOUT,
    )


@app.command("push")
def push_cmd(
    store: Annotated[
        str,
        typer.Option(
            "--store",
            help="The store's SPARQL endpoint that takes updates, e.g. "
            "http://localhost:8890/sparql-auth (Virtuoso).",
            show_default=False,
        ),
    ],
    paths: PathsArg = None,
    graph_base: Annotated[
        str,
        typer.Option(
            "--graph-base",
            help="Base IRI of the data: workshop W goes into the named graph BASE/workshop/W, "
            "themes, organisations and links into BASE/graph/shared.",
        ),
    ] = "https://example.org/collab-graph/",
    gsp: Annotated[
        str | None,
        typer.Option(
            "--gsp",
            help="The store's Graph Store HTTP Protocol endpoint: write each graph with one "
            "PUT instead of SPARQL Update (much faster for large pushes).",
            show_default=False,
        ),
    ] = None,
    query_endpoint: Annotated[
        str | None,
        typer.Option(
            "--query-endpoint",
            help="The store's query endpoint, when --store does not answer queries "
            "(Fuseki /ds/query, Oxigraph /query). Default: --store.",
            show_default=False,
        ),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Replace workshop graphs the store already holds."),
    ] = False,
    user: StoreUserOpt = None,
    password_env: PasswordEnvOpt = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, help="Seconds to wait for each answer.")
    ] = 120.0,
    no_reviews: NoReviewsOpt = False,
    workspace: WorkspaceOpt = None,
    columns: ColumnsOpt = None,
) -> None:
    """Load the graph into a SPARQL 1.1 store: one named graph per workshop.

    Workshop graphs the store already holds are refused (exit 2) unless --replace
    is given, which replaces them. The shared graph (themes, organisations, links)
    is merged: this push's resources replace the store's, the others stay.
    """
    from collab_graph.rdf import store as st

    with handle_errors():
        client = _store_client(
            query_endpoint or store,
            user=user,
            password_env=password_env,
            update_url=store,
            gsp_url=gsp,
            timeout=timeout,
        )
        G = _graph(paths, workspace, reviews=not no_reviews, columns=columns)
        with client, _push_progress() as bar:
            task = bar.add_task("", total=None)
            report = st.push(
                G,
                client,
                base=graph_base,
                replace=replace,
                use_gsp=gsp is not None,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        how = f"Graph Store PUT to {gsp}" if gsp else f"SPARQL Update at {store}"
        for g, n in report.triples.items():
            verb = "replaced" if g in report.replaced else "wrote"
            err_console.print(f"collab-graph: {verb} <{g}>: {n:,} triples", markup=False)
        kept = (
            f"; the shared graph kept {report.shared_kept:,} triples of other pushes"
            if report.shared_kept
            else ""
        )
        err_console.print(
            f"collab-graph: pushed {report.total:,} triples in {len(report.triples)} named "
            f"graphs ({how}){kept}",
            markup=False,
        )


def _push_progress() -> Any:
    return Progress(
        TextColumn("pushing triples"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )


_LIMIT_OPTION = {"time": "--timeout", "rows": "--max-rows", "memory": "--max-memory"}


@app.command("sparql")
def sparql_cmd(
    query: Annotated[
        str, typer.Argument(help="A read-only SPARQL 1.1 query, or a file holding one.")
    ],
    paths: PathsArg = None,
    format: Annotated[
        SparqlFormat, typer.Option("--format", "-f", help="Output format.")
    ] = SparqlFormat.TABLE,
    base: BaseOpt = "https://example.org/collab-graph/",
    no_reviews: NoReviewsOpt = False,
    workspace: WorkspaceOpt = None,
    columns: ColumnsOpt = None,
    csv_safe: CsvSafeOpt = True,
    timeout: Annotated[
        float,
        typer.Option("--timeout", min=0, help="Stop the query after this many seconds (0: never)."),
    ] = CLI_LIMITS.timeout_s,
    max_rows: Annotated[
        int,
        typer.Option("--max-rows", min=0, help="Stop the query past this many rows (0: no limit)."),
    ] = CLI_LIMITS.max_rows,
    max_memory: Annotated[
        int,
        typer.Option(
            "--max-memory",
            min=0,
            help="Memory of the query process in MB, store included (0: no limit).",
        ),
    ] = CLI_LIMITS.max_memory_mb,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="Query this SPARQL endpoint instead of local files (e.g. "
            "http://localhost:8890/sparql), over the named graphs under --base.",
            show_default=False,
        ),
    ] = None,
    user: StoreUserOpt = None,
    password_env: PasswordEnvOpt = None,
) -> None:
    """Run a read-only SPARQL query over the exported RDF (standard prefixes predeclared).

    The query runs in a worker process under a time, row and memory limit; a query
    over a limit is stopped with one line naming the limit (exit code 2). With
    --store it runs at that store over the graphs pushed under --base, with
    --timeout and --max-rows as limits.
    """
    from collab_graph.rdf.sparql import check_read_only, prepare, run_bounded
    from collab_graph.rdf.worker import QueryLimits

    with handle_errors():
        text = query
        if "\n" not in query and len(query) < 4096 and Path(query).suffix in (".rq", ".sparql"):
            try:
                text = Path(query).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise QueryError(f"{query}: cannot read the query file: {exc}") from exc
        check_read_only(prepare(text, base=base))
        limits = QueryLimits(timeout_s=timeout, max_rows=max_rows, max_memory_mb=max_memory)
        try:
            if store is not None:
                result = _store_query(
                    store, text, base, paths, timeout, max_rows, user, password_env
                )
            else:
                G = _graph(paths, workspace, reviews=not no_reviews, columns=columns)
                result = run_bounded(G, text, limits=limits, base=base)
        except QueryLimitError as exc:
            raise type(exc)(f"{exc} (change it with {_LIMIT_OPTION[exc.limit]})") from exc
        if format is SparqlFormat.JSON:
            sys.stdout.write(json.dumps(result.records(), ensure_ascii=False, indent=2) + "\n")
        elif format is SparqlFormat.CSV:
            sys.stdout.write(csv_text(result.columns, result.rows, safe=csv_safe))
        else:
            print_table(
                "SPARQL", list(result.columns), result.rows, caption=f"{len(result.rows)} row(s)"
            )
        if not result.rows:  # valid query, nothing found: exit 1 (the contract)
            raise NotFoundError("the query returned no rows")


def _store_query(
    store: str,
    text: str,
    base: str,
    paths: Sequence[Path] | None,
    timeout: float,
    max_rows: int,
    user: str | None,
    password_env: str | None,
) -> Any:
    """``sparql --store``: the query's result from the store (no local files read)."""
    from collab_graph.rdf import store as st

    if paths:
        raise QueryError("give notes files or --store, not both")
    with _store_client(
        store, user=user, password_env=password_env, timeout=timeout or None
    ) as client:
        return st.query(client, text, base=base, max_rows=max_rows)


def _closest(value: str, choices: Iterable[str]) -> str:
    """`` (did you mean X?)`` naming the closest valid value, or ``""``."""
    import difflib

    options = list(choices)
    best = difflib.get_close_matches(value, options, n=1, cutoff=0.5)
    if not best:
        folded = {o.casefold(): o for o in options}
        best = difflib.get_close_matches(value.casefold(), list(folded), n=1, cutoff=0.5)
        best = [folded[b] for b in best]
    return f" (did you mean {best[0]!r}?)" if best else ""


def _ids_option(value: str | None, known: Mapping[str, Any], what: str) -> list[str] | None:
    """``a,b`` as a list of known ids; ``-`` or ``""`` clears; None keeps the classifier's.

    An organisation may also be the ``unresolved:`` id of a name detected in the notes.
    """
    from collab_graph.coding.orgnames import is_unresolved_id
    from collab_graph.errors import ReviewError

    if value is None:
        return None
    parts = [v.strip() for v in value.split(",") if v.strip()]
    if parts == ["-"]:
        return []
    for part in parts:
        if part in known or (what == "organisation" and is_unresolved_id(part)):
            continue  # an organisation detected in the notes is confirmed by its id
        raise ReviewError(f"unknown {what} {part!r}{_closest(part, known)}")
    return parts


def _training_progress() -> Any:
    """A bar while the model is trained once per left-out workshop, then on everything."""
    return Progress(
        TextColumn("training: {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )


def _print_scores(summary: Mapping[str, Any], title: str) -> None:
    rows = [
        (
            name,
            s["notes"],
            f"{s['accuracy']:.3f}",
            f"{s['exact']:.3f}",
            f"{s['macro_f1']:.3f}",
            f"{s['kappa']:.3f}",
        )
        for name, s in summary["per_set"].items()
    ]
    mean, pooled = summary["mean"], summary["pooled"]
    rows.append(
        (
            "mean of the workshops",
            pooled["notes"],
            f"{mean['accuracy']:.3f}",
            f"{mean['exact']:.3f}",
            f"{mean['macro_f1']:.3f}",
            f"{mean['kappa']:.3f}",
        )
    )
    print_table(
        title,
        ["workshop left out", "notes", "kind or kind2", "exact kind", "macro-F1", "kappa"],
        rows,
        caption="each workshop coded by a model trained without it (and without its reviews)",
    )


@app.command("train")
def train_cmd(
    labelled: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Labelled notes (reference-coding or gold format) or a training manifest. "
            "None: the training data that ships with collab-graph.",
            show_default=False,
        ),
    ] = None,
    reviews: Annotated[
        bool, typer.Option("--reviews", help="Also learn from the analyst's reviews.")
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the model here (default: the workspace; '-' = stdout)."
        ),
    ] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Retrain the kind model, measured leave-one-workshop-out; with no options it rebuilds
    the shipped model byte for byte.

    The model goes to your workspace, which then uses it; ``--output`` writes it elsewhere.
    With ``--reviews`` it also reports accuracy on your reviewed notes before and after
    (cross-validated: no note is scored by a model trained on it), as the Notes page does.
    """
    from collab_graph import pipeline
    from collab_graph.coding import retrain, train
    from collab_graph.errors import TrainingError

    with handle_errors():
        ws = Workspace.locate(workspace)
        sets = train.labelled_sets(labelled) if labelled else train.manifest()
        extra: list[Any] = []
        comparison = None
        if reviews:
            extra = pipeline.review_examples(ws, on_problem=_warn)
            if not extra:
                _warn(
                    f"no review in {ws.reviews} sets a kind with the note's context; "
                    "training on the labelled notes alone"
                )
        evals = sum(1 for s in sets if s.role == "eval")
        with _training_progress() as bar:
            if extra:
                task = bar.add_task("", total=100)
                try:
                    comparison = retrain.compare(
                        extra,
                        labelled=retrain.labelled_examples(sets),
                        progress=lambda what, done: bar.update(
                            task, completed=round(100 * done), description=what
                        ),
                    )
                except TrainingError as exc:
                    _warn(f"{exc} (no before/after figures)")
                bar.remove_task(task)
            task = bar.add_task("", total=evals + 1)
            model = retrain.fit_final(
                sets,
                extra=extra,
                extra_label=f"{len(extra)} reviews in {ws.reviews}" if extra else "",
                progress=lambda name: bar.update(
                    task, advance=1, description=f"leaving out {name}"
                ),
            )
        text = model.to_json()
        if output is not None and str(output) == "-":
            sys.stdout.write(text)
        else:
            if output is None:
                target = retrain.save_model(ws, model)
            else:
                output.parent.mkdir(parents=True, exist_ok=True)
                output.write_text(text, encoding="utf-8")
                target = output
            err_console.print(f"collab-graph: wrote the kind model to {target}", markup=False)
        summary = model.meta["leave_one_workshop_out"]
        if output is None or str(output) != "-":
            _print_scores(summary, "Leave-one-workshop-out kind accuracy")
            ece = summary["calibration"]["ece"]
            err_console.print(
                f"collab-graph: confidence calibrated on left-out workshops: expected "
                f"calibration error {ece:.3f} (10 bins)",
                markup=False,
            )
        if comparison is not None:
            err_console.print(f"collab-graph: {comparison.summary()}", markup=False)


@app.command("review")
def review_cmd(
    note_id: Annotated[str, typer.Argument(help="The id of the note to review, e.g. G3-Q1-D-6.")],
    paths: PathsArg = None,
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="practice, barrier, benefit, context or heading."),
    ] = None,
    themes: Annotated[
        str | None,
        typer.Option("--themes", help="Theme ids, comma-separated; '-' for none."),
    ] = None,
    orgs: Annotated[
        str | None,
        typer.Option(
            "--orgs",
            help="Organisation ids, comma-separated; '-' for none. A detected name's "
            "id (unresolved:slug, as classify prints it) confirms it.",
        ),
    ] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why (required).")] = "",
    reviewer: Annotated[str, typer.Option("--reviewer", help="Who is reviewing.")] = "",
    workshop: Annotated[
        str | None,
        typer.Option("--workshop", help="The workshop slug, when several files share the id."),
    ] = None,
    workspace: WorkspaceOpt = None,
    columns: ColumnsOpt = None,
) -> None:
    """Record an analyst's review of one note in the workspace (it replaces an earlier one).

    The review keys on the note's id and a hash of its text: if the text changes
    later, the review is reported as stale instead of being applied.
    """
    from collab_graph import pipeline
    from collab_graph.errors import ReviewError
    from collab_graph.model import NoteKind
    from collab_graph.review.reviews import Review, save_review

    with handle_errors():
        if not reason.strip():
            raise ReviewError("give a reason for the review with --reason TEXT")
        if kind is not None and kind not in {k.value for k in NoteKind}:
            raise ReviewError(
                f"unknown kind {kind!r}{_closest(kind, [k.value for k in NoteKind])}; use one "
                f"of {', '.join(k.value for k in NoteKind)}"
            )
        if kind is None and themes is None and orgs is None:
            raise ReviewError("say what to change: --kind, --themes or --orgs")
        corpus = _corpus(paths, workspace, columns=columns)
        with coding_progress() as progress:
            coded = pipeline.code(corpus, progress=progress, write_behind=_PENDING)
        matches = [
            c.note
            for c in coded.coded
            if c.note.id == note_id and (workshop is None or c.note.workshop == workshop)
        ]
        if not matches:
            ids = [
                c.note.id for c in coded.coded if workshop is None or c.note.workshop == workshop
            ]
            where = f"workshop {workshop!r}" if workshop else "these notes"
            if workshop and not ids:
                known = sorted({c.note.workshop for c in coded.coded})
                raise ReviewError(f"no workshop {workshop!r}{_closest(workshop, known)}")
            raise ReviewError(f"no note {note_id!r} in {where}{_closest(note_id, ids)}")
        if len(matches) > 1:
            shown = ", ".join(n.workshop for n in matches[:5])
            more = f" and {len(matches) - 5} more" if len(matches) > 5 else ""
            raise ReviewError(
                f"{note_id!r} is in several workshops ({shown}{more}); add --workshop SLUG"
            )
        vocab = pipeline.vocabulary(corpus.workspace)
        review = Review.of(
            matches[0],
            reason=reason,
            kind=kind,
            themes=_ids_option(themes, vocab.taxonomy.themes, "theme"),
            orgs=_ids_option(orgs, vocab.gazetteer.organisations, "organisation"),
            reviewer=reviewer,
            context=pipeline.note_context(corpus, coded, matches[0]),
        )
        save_review(
            corpus.workspace,
            review,
            themes=vocab.taxonomy.themes,
            organisations=vocab.gazetteer.organisations,
        )
        err_console.print(
            f"collab-graph: saved the review of {review.workshop} {review.note_id} "
            f"in {corpus.workspace.reviews}",
            markup=False,
        )


@app.command("app")
def app_cmd(
    paths: PathsArg = None,
    port: Annotated[
        int, typer.Option("--port", "-p", min=1, max=65535, help="Port to serve on.")
    ] = 8501,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Build the graph afresh instead of reading it from the cache "
            "(see COLLAB_GRAPH_CACHE).",
        ),
    ] = False,
    workspace: WorkspaceOpt = None,
    columns: ColumnsOpt = None,
    store_url: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="Browse what is in this SPARQL store (its query endpoint, e.g. "
            "http://localhost:8890/sparql) instead of notes files.",
            show_default=False,
        ),
    ] = None,
    graph_base: Annotated[
        str,
        typer.Option(
            "--graph-base", help="With --store: the base IRI the notes were pushed under."
        ),
    ] = "https://example.org/collab-graph/",
    gsp: Annotated[
        str | None,
        typer.Option(
            "--gsp",
            help="With --store: read each graph from this Graph Store endpoint (GET).",
            show_default=False,
        ),
    ] = None,
    user: StoreUserOpt = None,
    password_env: PasswordEnvOpt = None,
) -> None:
    """Start the Streamlit app on 127.0.0.1 (headless, usage stats off) and print its URL.

    A graph built before from the same notes, data files and reviews is read from
    the cache (``~/.cache/collab-graph``; ``COLLAB_GRAPH_CACHE`` names another
    folder, ``off`` switches it off). With --store the app shows the graphs pushed
    to that store under --graph-base (reviewing and curating need notes files).
    """
    import os

    from collab_graph import pipeline
    from collab_graph.cache import CACHE_ENV, DiskCache
    from collab_graph.views.app_support import (
        STORE_ENV,
        StoreSource,
        app_environment,
        app_script,
        check_port,
        streamlit_command,
    )

    if store_url is not None:
        with handle_errors():
            if paths:
                raise QueryError("give notes files or --store, not both")
            check_port(port)
            source = StoreSource(store_url, graph_base, user, password_env, gsp)
            with _store_client(
                store_url, user=user, password_env=password_env, gsp_url=gsp
            ) as client:  # fail here, with one line, when the store cannot be read
                from collab_graph.rdf.store import graphs

                found = graphs(client, graph_base)
            if not found:
                raise NotFoundError(
                    f"the store at {store_url} has no named graph under {graph_base}"
                )
            cmd = streamlit_command(app_script(), port=port)
            env = app_environment([])
            env[STORE_ENV] = source.to_json()
            if workspace is not None:
                env[WORKSPACE_ENV] = str(Workspace.locate(workspace).root)
        typer.echo(
            f"collab-graph app: http://127.0.0.1:{port} (reading {len(found)} named graphs "
            f"from {store_url})"
        )
        sys.stdout.flush()
        os.execve(cmd[0], cmd, env)

    with handle_errors():
        check_port(port)  # before the notes are read: say so at once, with a free port
        corpus = _corpus(paths, workspace, columns=columns)
        store = None if no_cache else DiskCache.default()
        try:
            cached = store is not None and store.has("graph", pipeline.keys(corpus).graph)
        except OSError:
            cached = False
        if not cached:
            # a bad notes file fails here: one line, exit code 2 (files whose graph
            # is in the cache parsed before, so a large corpus opens without waiting)
            load_results(paths, load_options(columns))
        cmd = streamlit_command(app_script(), port=port)
        env = app_environment(list(paths or []), columns=columns)
        env[WORKSPACE_ENV] = str(corpus.workspace.root)
        if no_cache:
            env[CACHE_ENV] = "off"
    typer.echo(f"collab-graph app: http://127.0.0.1:{port}")
    sys.stdout.flush()
    # The server replaces this process, so stopping this process stops the server.
    os.execve(cmd[0], cmd, env)


themes_app = typer.Typer(
    name="themes", help="Work with the taxonomy's themes.", no_args_is_help=True
)
app.add_typer(themes_app, name="themes")


class SuggestFormat(StrEnum):
    """Output formats of ``themes suggest``."""

    TABLE = "table"
    JSON = "json"


#: From this many notes without a theme on, grouping them shows what it is doing.
SUGGEST_STATUS_NOTES = 500


@themes_app.command("suggest")
def themes_suggest_cmd(
    paths: PathsArg = None,
    format: Annotated[
        SuggestFormat, typer.Option("--format", "-f", help="Output format.")
    ] = SuggestFormat.TABLE,
    min_notes: Annotated[
        int, typer.Option("--min-notes", min=2, help="The smallest group suggested.")
    ] = 3,
    no_reviews: NoReviewsOpt = False,
    workspace: WorkspaceOpt = None,
    columns: ColumnsOpt = None,
) -> None:
    """Candidate themes for the practice, barrier and benefit notes that no theme covers.

    Suggestions the analyst decided on (in the workspace) are not suggested again.
    """
    from collab_graph import pipeline

    with handle_errors(), contextlib.ExitStack() as stack:
        corpus = _corpus(paths, workspace, reviews=not no_reviews, columns=columns)
        outcome = _reviewed(corpus)
        waiting = sum(1 for c in outcome.coded if not c.themes)
        status = None
        if waiting >= SUGGEST_STATUS_NOTES and err_console.is_terminal:
            status = stack.enter_context(err_console.status("grouping notes"))

        def progress(message: str) -> None:
            if status is not None:
                status.update(message)

        found = pipeline.suggestions(
            corpus, outcome=outcome, min_notes=min_notes, progress=progress
        )
        stack.close()
        if format is SuggestFormat.JSON:
            typer.echo(json.dumps(found.record(), ensure_ascii=False, indent=2))
            return
        rows = [
            [
                s.label,
                s.kind.value,
                len(s.notes),
                "; ".join(s.keywords),
                f"{s.closest.label} ({s.closest.similarity:.2f})" if s.closest else "",
            ]
            for s in found.suggestions
        ]
        print_table(
            "Suggested themes",
            ["label", "kind", "notes", "keywords", "closest theme"],
            rows,
            caption=f"{found.candidates} practice/barrier/benefit notes had no theme; "
            f"{len(found.uncovered)} are in no suggestion",
        )


@themes_app.command("import")
def themes_import_cmd(
    codebook: Annotated[
        Path, typer.Argument(help="A REFI-QDA codebook (.qdc) exported from a QDA tool.")
    ],
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="practice, barrier or benefit: the kind of codes under no "
            "Practices/Barriers/Benefits code (a flat codebook).",
            show_default=False,
        ),
    ] = None,
    who: Annotated[str, typer.Option("--who", help="Who imports the codes.")] = "analyst",
    workspace: WorkspaceOpt = None,
) -> None:
    """Read a REFI-QDA codebook (.qdc) into the workspace's taxonomy: codes become themes.

    A code's kind comes from the code it sits under (Practices, Barriers, Benefits,
    any case) or from --kind. Codes the taxonomy already has are not added again.
    """
    from collab_graph import pipeline
    from collab_graph.errors import CodebookError
    from collab_graph.model import ThemeKind
    from collab_graph.review.curation import ImportedCode, import_themes
    from collab_graph.views import refiqda

    with handle_errors():
        kinds = [k.value for k in ThemeKind]
        if kind is not None and kind not in kinds:
            raise CodebookError(
                f"--kind: unknown kind {kind!r}{_closest(kind, kinds)}; use one of "
                f"{', '.join(kinds)}"
            )
        book = refiqda.read_codebook(codebook, kind=kind)
        ws = Workspace.locate(workspace)
        for code in book.unknown:
            _warn(
                f"{codebook}: line {code.line}: code {code.name!r} is under no Practices, "
                "Barriers or Benefits code; not imported (give --kind K to import such codes)"
            )
        if book.skipped:
            _warn(f"{codebook}: skipped the note-kind codes {', '.join(book.skipped)}")
        ready = [c for c in book.codes if c.kind is not None]
        if not ready:
            raise CodebookError(
                f"{codebook}: nothing to import: "
                + (
                    f"the kind of its {len(book.codes)} code(s) cannot be told; "
                    "give --kind practice|barrier|benefit"
                    if book.codes
                    else "it holds no codes"
                )
            )
        themes = pipeline.vocabulary(ws).taxonomy.themes
        result = import_themes(
            ws,
            [
                ImportedCode(
                    c.guid, c.name, ThemeKind(c.kind), c.description, c.parent, book.origin(c)
                )
                for c in ready
                if c.kind is not None
            ],
            who=who,
            existing=refiqda.known_codes(book, themes),
        )
        for theme in result.added:
            typer.echo(f"added {theme.kind.value} theme {theme.id}: {theme.label}")
        err_console.print(
            f"collab-graph: imported {len(result.added)} new theme(s) from {codebook} into "
            f"{ws.themes}; {len(result.known)} were already in the taxonomy"
            + (f"; {len(book.unknown)} not imported (kind unknown)" if book.unknown else ""),
            markup=False,
        )


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"collab-graph {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """Turn collaboration-workshop notes into an evidence-backed knowledge graph."""


def main() -> None:
    """Entry point of the ``collab-graph`` console script and ``python -m collab_graph``."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8")
    global _DETACHED
    _DETACHED = True
    code: int | str | None = 0
    try:
        app()
    except SystemExit as exc:
        code = exc.code
    finally:
        # the answer is out: keep what was built for the next command, from a child
        from collab_graph.cache import run_detached

        run_detached(list(_PENDING))
        _PENDING.clear()
    # Exit at once: tearing down the interpreter would free every node of a large
    # graph one by one (a third of a second at 20,000 notes) for nothing.
    if isinstance(code, str):
        sys.stderr.write(code + "\n")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else (0 if code is None else 1))
