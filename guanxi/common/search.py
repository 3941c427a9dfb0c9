"""Fast substring search over one normalised text column, the same on SQLite and PostgreSQL.

Each searchable model keeps a `search_text` column, derived by its services (and by the bulk
paths: demo loader, benchmarks) from the fields users search by:

    " <part> <part> … <bigram> <bigram> … "

Every part is normalised (NFKC, lower case, no spaces or punctuation but "@" and "."), so
parts never contain the separating space. A term is normalised the same way and matches when
it is a substring of the text; both engines answer exactly that question:

* PostgreSQL: `search_text LIKE '%term%'` served by a GIN `gin_trgm_ops` index (pg_trgm).
  The databases here use the C.UTF-8 locale, in which pg_trgm keeps CJK characters
  (`show_trgm('恒通机械')` gives five trigrams), so no encoding of CJK text is needed.
* SQLite: an FTS5 external-content table with the `trigram` tokenizer (case sensitive, since
  both sides are lower-cased here), kept by triggers; `MATCH '"term"'` is a substring match.

Trigram indexes cannot answer terms shorter than three characters. The bigram section solves
that without a side table: every two-character window of the names (and the first two pinyin
initials) is stored as its own space-delimited word, so a two-character term `ab` is looked up
as the four-character substring `" ab "`, which both trigram indexes answer. A one-character
term is a plain substring test.

The index is the right tool only for terms that are rare enough. At a million rows a common
word (恒通, 有限公司, youxiangongsi) is in tens of thousands of rows, and a long pinyin term is a
dozen trigrams each in a tenth of them: the index would read and intersect all those lists
before the first row of the page. So each search first looks at a sample of the table's rows
(`search_plan`: one query, kept a while by the process) for how common the term and each of
its trigrams are, and every query the term goes into (`SearchMatch`) is compiled, by a cost
estimate for that query's shape, as one of:

* walk: a substring test (instr / strpos) that no index serves, so the database walks the
  list in its own order (newest first by the primary key, say) and stops as soon as the page
  is full: a few hundred rows for a common term. A page of a common term walks.
* index: only the term's rarest trigrams (by the sample) are looked up in the index, and the
  candidates are tested for the whole term; a short term is looked up whole. A rare term,
  and the capped count of a fairly common one (unordered, any rows will do), read the index.

Both plans give exactly the rows whose text contains the term; tests run every case through
both and a mix (settings.SEARCH_PLAN = "walk", "index" or "mixed" forces one).
"""

from __future__ import annotations

import itertools
import math
import re
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection
from django.db.migrations.operations.base import Operation
from django.db.models import BooleanField, F, Model, Q, Value
from django.db.models.expressions import Expression, RawSQL, ResolvedOuterRef
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan
from django.db.models.sql.where import AND, WhereNode

from .text import normalize_phone

# Spaces and punctuation are not searched, except "@" and "." (e-mail addresses).
_NOT_WORD = re.compile(r"(?:[^\w@.]|_)+", re.UNICODE)
_PHONE_SHAPED = re.compile(r"[\d\s+()\-]+")
_NON_DIGIT = re.compile(r"\D")


def normalize_part(text: str | None) -> str:
    """'Heng Tong-机械（上海）' → 'hengtong机械上海'."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text or "").lower())


def phone_parts(phone: str | None) -> list[str]:
    """The national number and, when it differs, the digits as written ('021-62345678' is
    stored as '2162345678' and '02162345678'), so either way of typing it is found."""
    if not phone:
        return []
    national = normalize_phone(phone)
    written = _NON_DIGIT.sub("", unicodedata.normalize("NFKC", phone))
    return [p for p in dict.fromkeys([national, written]) if p]


def bigrams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)]


def build_search_text(
    *, parts: Iterable[str | None], names: Iterable[str | None] = (), initials: Iterable[str] = ()
) -> str:
    """The value of a `search_text` column.

    `parts`: anything searched by substring (names, codes, phones, pinyin) — normalised here;
    `names`: the fields whose two-character fragments are searchable (names, short names);
    `initials`: pinyin initials, whose first two letters are searchable.
    """
    words = [w for w in (normalize_part(p) for p in parts) if w]
    grams: list[str] = []
    for name in names:
        grams.extend(bigrams(normalize_part(name)))
    for letters in initials:
        letters = normalize_part(letters)
        if len(letters) >= 2:
            grams.append(letters[:2])
    words.extend(dict.fromkeys(g for g in grams if g not in words))
    return f" {' '.join(words)} " if words else ""


def normalize_term(term: str | None) -> str:
    """What a typed term is looked up as: phone-shaped input with seven digits or more as the
    national number, anything else normalised like the stored parts."""
    term = (term or "").strip()
    if _PHONE_SHAPED.fullmatch(term) and len(_NON_DIGIT.sub("", term)) >= 7:
        return normalize_phone(term)
    return normalize_part(term)


def fts_table(model: type[Model]) -> str:
    return f"{model._meta.db_table}_search"


# --- choosing how to look a term up ------------------------------------------------------

# The plan is chosen from a sample of rows spread over the table: SAMPLE_BLOCKS runs of
# SAMPLE_RUN consecutive ids, evenly spaced between the lowest and the highest id (primary-key
# range reads, under a millisecond at a million rows). A process keeps a table's sample for
# SEARCH_SAMPLE_SECONDS (a statistic: how common a term is changes slowly); tests set 0.
SAMPLE_BLOCKS = 30
SAMPLE_RUN = 20
# What the index costs, in rows walked and tested: per entry of a trigram's list it reads
# (SQLite's FTS5 doclists are cheap to read; PostgreSQL's GIN entries go into a bitmap), and per
# candidate row it then fetches. Measured at a million rows (bench/million.py data).
ENTRY_COST = {"sqlite": 0.05, "postgresql": 0.1}
FETCH_COST = 2.0
# The trigrams looked up in the index for a long term: the rarest ones, until their shares of
# the sample add up to this; what they let through is tested for the whole term.
INDEX_SHARE_BUDGET = 0.25


@dataclass(frozen=True)
class Sample:
    texts: list[str]
    rows: int  # the table's size, estimated from its id range
    ids: list[int] = field(default_factory=list)  # the sampled rows' ids, as `texts`
    taken: float = 0.0  # when (time.monotonic())
    serial: int = field(default_factory=lambda: next(_serials))  # which sample, in this process
    _grams: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, texts: list[str], rows: int, ids: list[int] | None = None) -> Sample:
        return cls(texts, rows, ids or [], time.monotonic())

    def holding(self, gram: str) -> int:
        """How many of the texts hold `gram`, remembered for up to two thousand grams at a
        time (a table of every trigram of the sample would weigh megabytes per worker)."""
        hit = self._grams.get(gram)
        if hit is None:
            if len(self._grams) >= 2_000:
                self._grams.clear()
            hit = self._grams[gram] = sum(gram in text for text in self.texts)
        return hit


_samples: dict[tuple[str, str], tuple[float, Sample]] = {}
_serials = itertools.count()
# Which sampled rows a query's other conditions (the reader's scope, the list's filters) let
# through, by the SQL of those conditions and the sample (a new sample reads them afresh).
_visible: dict[tuple[Any, ...], frozenset[int]] = {}


@dataclass(frozen=True)
class SearchPlan:
    """What the sample says about a term: the share of rows holding it (`share`), the trigrams
    to read from the index (`grams`: the needle itself when it is short or all its trigrams are
    rare, then no test is needed) and their summed share (`gram_share`), the share of rows
    they let through (`candidates`), and the table's size. `forced` is a test's choice."""

    needle: str
    share: float = 0.0
    share_low: float = 0.0
    grams: tuple[str, ...] = ()
    gram_share: float = 0.0
    candidates: float = 0.0
    rows: int = 0
    forced: str = "auto"
    sample: Sample | None = field(default=None, compare=False, repr=False)

    @property
    def exact(self) -> bool:
        return self.grams == (self.needle,)

    def walks(
        self, *, vendor: str, ordered: bool, by_id: bool, limit: int | None, joined: bool = False
    ) -> bool:
        """Is walking the rows cheaper than the index for a query of this shape? Both costs in
        rows tested: a walk stops after `limit / share` rows (a whole scan without a limit);
        the index reads its trigram lists, then fetches its candidates: on SQLite as many as
        the limit needs when any rows will do or the order is by id (it reads them in id
        order), all of them otherwise; on PostgreSQL all of them (see `_index_q`). SQLite
        does not weigh a limit when it orders its joins: with a condition on another table
        (the customer's owner, for a contact) it may drive the query from that table's index
        and test every row it reaches, so there a walk is costed as a whole scan."""
        if self.forced != "auto" or not self.grams:
            return self.forced == "walk" or not self.grams or (self.forced == "mixed" and ordered)
        n = max(self.rows, 1)
        share = max(self.share, 0.5 / n)
        # a walk is costed on what the sample surely holds (a hit or two may be chance: the
        # one row a user is looking for), the index on the estimate
        walk = n if limit is None else min(n, limit / max(self.share_low, 0.5 / n))
        if joined and vendor == "sqlite":
            walk = n
        fetched = n * self.candidates
        if limit is not None and vendor == "sqlite" and (not ordered or by_id):
            precision = min(1.0, share / max(self.candidates, share))
            fetched = min(fetched, limit / precision)
        index = ENTRY_COST[vendor] * n * self.gram_share + FETCH_COST * fetched
        return walk < index


def _trigrams(needle: str) -> list[str]:
    return list(dict.fromkeys(needle[i : i + 3] for i in range(len(needle) - 2)))


def table_sample(model: type[Model]) -> Sample:
    """The search texts of about SAMPLE_BLOCKS * SAMPLE_RUN rows spread over the table."""
    table = connection.ops.quote_name(model._meta.db_table)
    key = (connection.alias, model._meta.db_table)
    ttl = settings.SEARCH_SAMPLE_SECONDS
    hit = _samples.get(key)
    if ttl and hit and time.monotonic() - hit[0] < ttl:
        return hit[1]
    span = f"(b.hi - b.lo) * k.i / {SAMPLE_BLOCKS}"
    # The table comes from model metadata and the numbers are constants.
    sql = (
        f"WITH RECURSIVE b(lo, hi) AS (SELECT (SELECT MIN(id) FROM {table}), "  # noqa: S608
        f"(SELECT MAX(id) FROM {table})), "
        f"k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < {SAMPLE_BLOCKS - 1}) "
        f"SELECT t.search_text, b.hi - b.lo + 1, t.id FROM b CROSS JOIN k JOIN {table} t "
        f"ON t.id >= b.lo + {span} AND t.id < b.lo + {span} + {SAMPLE_RUN} "
        # PostgreSQL cannot tell how many rows the ranges hold; the limit keeps its estimate
        # (and so JIT compilation, 25 ms) out of a query of 600 rows.
        f"LIMIT {SAMPLE_BLOCKS * SAMPLE_RUN}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        fetched = cursor.fetchall()
    span_rows = int(fetched[0][1]) if fetched else 0
    texts = [row[0] or "" for row in fetched]
    # ids have gaps (deleted rows): the sampled runs tell how dense they are
    density = len(texts) / min(span_rows, SAMPLE_BLOCKS * SAMPLE_RUN) if span_rows else 0
    sample = Sample.of(texts, round(span_rows * min(density, 1.0)), [row[2] for row in fetched])
    if ttl:
        _samples[key] = (time.monotonic(), sample)
    return sample


def search_plan(model: type[Model], needle: str) -> SearchPlan:
    forced = getattr(settings, "SEARCH_PLAN", "auto")
    if len(needle) < 3:
        return SearchPlan(needle)  # no trigram: a walk
    grams = _trigrams(needle)
    if forced != "auto":
        chosen = (needle,) if len(grams) <= 3 else tuple(grams[::3])
        return SearchPlan(needle, grams=chosen, forced=forced)
    sample = table_sample(model)
    rows = len(sample.texts)
    if not rows:
        return SearchPlan(needle, grams=(needle,))
    holding = sum(needle in t for t in sample.texts)
    share, share_low = _shares(holding, rows)
    hits = [sample.holding(g) for g in grams]
    ranked = sorted(zip(hits, range(len(grams)), strict=True))
    chosen, budget = [], INDEX_SHARE_BUDGET * rows
    for count, position in ranked:
        if len(grams) <= 3 or not chosen or count <= budget:
            chosen.append(position)
            budget -= count
    exact = len(chosen) == len(grams)
    return SearchPlan(
        needle,
        share=share,
        share_low=share_low,
        grams=(needle,) if exact else tuple(grams[i] for i in sorted(chosen)),
        gram_share=sum(hits[i] for i in chosen) / rows,
        candidates=share if exact else max(share, min(hits) / rows),
        rows=sample.rows,
        sample=sample,
    )


def search_q(model: type[Model], term: str | None) -> Q:
    """The rows of `model` whose search text contains `term` (nothing if the term normalises to
    nothing, e.g. only punctuation). Reads the table's sample (one query, see `table_sample`)
    for terms of three characters or more; the plan is chosen when the query is compiled,
    from its shape (`SearchMatch`)."""
    needle = normalize_term(term)
    if not needle:
        return Q(pk__in=[])
    if len(needle) == 2:
        needle = f" {needle} "
    plan = search_plan(model, needle)
    if not plan.grams:
        return _walk_q(needle)
    return Q(SearchMatch(plan=plan, walked=_walk_q(needle), indexed=_index_q(model, plan)))


def _walk_q(needle: str) -> Q:
    """A plain substring test (instr / strpos) that no index serves: the database walks the
    rows in the order asked for and stops when it has enough."""
    return Q(GreaterThan(StrIndex(F("search_text"), Value(needle)), 0))


def _index_q(model: type[Model], plan: SearchPlan) -> Q:
    """The rows the index finds. Both engines collect the matching ids first, once, and the
    query then reads those rows by primary key: on PostgreSQL the ids come out of an
    ARRAY(...) subquery, which the planner must run first, by the trigram index (its estimate
    for a few common trigrams together is often wrong, and it would scan the table)."""
    table = fts_table(model)
    if connection.vendor == "sqlite":
        query = " AND ".join('"' + g.replace('"', '""') + '"' for g in plan.grams)
        sql = f'SELECT rowid FROM "{table}" WHERE "{table}" MATCH %s'  # noqa: S608
        q = Q(pk__in=RawSQL(sql, [query]))  # noqa: S611 (the term is a parameter)
        return q if plan.exact else q & _walk_q(plan.needle)
    source = connection.ops.quote_name(model._meta.db_table)
    likes = " AND ".join(["search_text LIKE %s"] * len(plan.grams))
    test = "" if plan.exact else " AND strpos(search_text, %s) > 0"
    sql = f"SELECT unnest(ARRAY(SELECT id FROM {source} WHERE {likes}{test}))"  # noqa: S608
    params = [f"%{g}%" for g in plan.grams] + ([] if plan.exact else [plan.needle])
    return Q(pk__in=RawSQL(sql, params))  # noqa: S611 (the grams are parameters)


class SearchMatch(Expression):
    """The walked or the indexed condition, whichever the plan finds cheaper for the query it
    is compiled into: a page (ordered, limited) of a common term walks, its capped count
    (unordered) may read the index, a rare term reads the index. Both select exactly the same
    rows."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, *, plan: SearchPlan, walked: Any, indexed: Any) -> None:
        super().__init__()
        self.plan, self.walked, self.indexed = plan, walked, indexed

    def get_source_expressions(self) -> list[Any]:
        return [self.walked, self.indexed]

    def set_source_expressions(self, exprs: list[Any]) -> None:
        self.walked, self.indexed = exprs

    def resolve_expression(
        self,
        query: Any = None,
        allow_joins: bool = True,
        reuse: Any = None,
        summarize: bool = False,
        for_save: bool = False,
    ) -> SearchMatch:
        clone = self.copy()
        clone.walked = query.build_where(self.walked)
        clone.indexed = query.build_where(self.indexed)
        return clone

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        query = compiler.query
        ordered = bool(query.order_by) or bool(query.default_ordering and query.get_meta().ordering)
        by_id = bool(query.order_by) and all(
            str(o).lstrip("-") in ("id", "pk") for o in query.order_by
        )
        plan = _plan_within(self, compiler, connection) or self.plan
        walks = plan.walks(
            vendor=connection.vendor,
            ordered=ordered,
            by_id=by_id,
            limit=query.high_mark,
            joined=_filters_another_table(query.where, query.base_table),
        )
        return compiler.compile(self.walked if walks else self.indexed)


def _plan_within(match: SearchMatch, compiler: Any, connection: Any) -> SearchPlan | None:
    """The plan with the term's share counted among the sampled rows the query's other
    conditions let through (one query on the sample's ids, kept as long as the sample), when
    the query has such conditions beside the term: a walk is cheap when the rows a reader may
    see hold the term often, not when the table does. A salesperson's search of a word common
    in the table but absent from their own feedback would otherwise walk every row."""
    plan, query = match.plan, compiler.query
    sample, where = plan.sample, query.where
    if sample is None or not sample.ids or not plan.share:
        return None

    # the term is one of the AND-ed conditions (a filter on an expression is `expr = True`,
    # and its lookup compiles a copy of it: the plan tells which)
    def is_term(c: Any) -> bool:
        inner = getattr(c, "lhs", c)
        return isinstance(inner, SearchMatch) and inner.plan is match.plan

    if where.connector != "AND" or where.negated or not any(map(is_term, where.children)):
        return None
    others = [
        c
        for c in where.children
        if not is_term(c) and getattr(c, "lookup_name", None) != "isnull"  # deleted_at IS NULL
    ]
    if not others or _refers_outside(others):
        return None  # nothing else to weigh, or conditions on an outer query (a subquery's)
    try:
        from_, from_params = compiler.get_from_clause()
        cond, cond_params = compiler.compile(WhereNode(others, AND))
    except (EmptyResultSet, FullResultSet):
        return None
    key = (
        connection.alias,
        sample.serial,
        " ".join(from_),
        cond,
        repr([*from_params, *cond_params]),
    )
    visible = _visible.get(key)
    if visible is None:
        base = compiler.quote_name_unless_alias(query.base_table)
        pk = connection.ops.quote_name(query.get_meta().pk.column)
        ids = ", ".join(str(int(i)) for i in sample.ids)
        # The tables, joins and conditions come from the ORM's own compiler; ids are integers.
        sql = f"SELECT {base}.{pk} FROM {' '.join(from_)} WHERE ({cond}) AND {base}.{pk} IN ({ids})"  # noqa: S608, E501
        with connection.cursor() as cursor:
            cursor.execute(sql, [*from_params, *cond_params])
            visible = frozenset(row[0] for row in cursor.fetchall())
        if len(_visible) >= 1_000:
            _visible.clear()
        _visible[key] = visible
    seen = zip(sample.ids, sample.texts, strict=True)
    holding = sum(plan.needle in text for i, text in seen if i in visible)
    share, share_low = _shares(holding, len(sample.texts))
    return replace(plan, share=share, share_low=share_low)


def _refers_outside(nodes: Iterable[Any]) -> bool:
    """Does any of these conditions refer to an outer query (OuterRef, in a subquery)?"""
    for node in nodes:
        if hasattr(node, "children"):
            if _refers_outside(node.children):
                return True
        elif any(isinstance(e, ResolvedOuterRef) for e in getattr(node, "flatten", list)()):
            return True
    return False


def _shares(holding: int, rows: int) -> tuple[float, float]:
    """The share of rows holding a term, and what the sample surely holds (a hit or two may be
    chance), from `holding` of `rows` sampled rows."""
    return holding / rows, max(holding - math.sqrt(holding), 0) / rows


def _filters_another_table(node: Any, base: str | None) -> bool:
    """Does the WHERE hold, among its AND-ed conditions, an equality on a joined table? (One
    inside an OR, as in the feedback scope "reported by me or my customer's", gives SQLite no
    index to start from.)"""
    if getattr(node, "connector", "AND") != "AND" or getattr(node, "negated", False):
        return False
    for child in getattr(node, "children", ()):
        if isinstance(child, SearchMatch):
            continue
        if hasattr(child, "children"):
            if _filters_another_table(child, base):
                return True
        elif getattr(child, "lookup_name", None) in ("exact", "in") and (
            getattr(getattr(child, "lhs", None), "alias", base) != base
        ):
            return True  # an equality SQLite may look up first (not "deleted_at IS NULL")
    return False


# --- texts that quote another record ------------------------------------------------------

_DEPENDENTS: list[tuple[type[Model], str, Callable[[Any], str]]] = []


def register_dependent(model: type[Model], *, via: str, text: Callable[[Any], str]) -> None:
    """`model`'s search text quotes the record its relation `via` points to (a contact is
    found by its customer's name); `reindex_dependents` rewrites it when that record changes.
    Apps register in their AppConfig.ready, as the timeline kinds do."""
    if not any(m is model and v == via for m, v, _ in _DEPENDENTS):
        _DEPENDENTS.append((model, via, text))


def reindex_dependents(parent: Model) -> None:
    """Rewrite the search text of every row quoting `parent` (a handful per record)."""
    for model, via, text in _DEPENDENTS:
        relation = model._meta.get_field(via)
        if relation.related_model is not type(parent):
            continue
        rows = list(model._base_manager.filter(**{via: parent}))
        for row in rows:
            if relation.many_to_one:
                setattr(row, via, parent)  # the text reads it: no query per row
            row.search_text = text(row)
        model._base_manager.bulk_update(rows, ["search_text"], batch_size=500)


# --- schema: the index on each engine ------------------------------------------------------


# Table names below come from model metadata, never from input.
_FTS_SQL = (
    'CREATE VIRTUAL TABLE IF NOT EXISTS "{fts}" USING fts5(search_text, content="{table}", '
    "content_rowid=\"id\", tokenize='trigram case_sensitive 1')",
    'CREATE TRIGGER IF NOT EXISTS "{fts}_ai" AFTER INSERT ON "{table}" BEGIN '
    'INSERT INTO "{fts}"(rowid, search_text) VALUES (new.id, new.search_text); END',
    'CREATE TRIGGER IF NOT EXISTS "{fts}_ad" AFTER DELETE ON "{table}" BEGIN '
    'INSERT INTO "{fts}"("{fts}", rowid, search_text) '
    "VALUES ('delete', old.id, old.search_text); END",
    'CREATE TRIGGER IF NOT EXISTS "{fts}_au" AFTER UPDATE OF search_text ON "{table}" BEGIN '
    'INSERT INTO "{fts}"("{fts}", rowid, search_text) '
    "VALUES ('delete', old.id, old.search_text); "
    'INSERT INTO "{fts}"(rowid, search_text) VALUES (new.id, new.search_text); END',
    'INSERT INTO "{fts}"("{fts}") VALUES (\'rebuild\')',
)


def _sqlite_statements(table: str) -> list[str]:
    """Create the FTS5 table and its triggers, then index the rows already there."""
    return [sql.format(table=table, fts=f"{table}_search") for sql in _FTS_SQL]


def _sqlite_drop_statements(table: str) -> list[str]:
    fts = f"{table}_search"
    return [f'DROP TRIGGER IF EXISTS "{fts}_{t}"' for t in ("ai", "ad", "au")] + [
        f'DROP TABLE IF EXISTS "{fts}"'
    ]


def _pg_index(table: str) -> str:
    return f"{table}_search_trgm"


class SearchIndex(Operation):
    """Migration operation: the trigram index over `search_text` of one table, on whichever
    engine runs the migration (FTS5 + triggers on SQLite, GIN pg_trgm on PostgreSQL). It does
    not change Django's model state. On PostgreSQL, run it in a non-atomic migration: the index
    is built CONCURRENTLY, so a big table stays writable while it is built."""

    reversible = True
    reduces_to_sql = False

    def __init__(self, table: str) -> None:
        self.table = table

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return ("SearchIndex", [self.table], {})

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            for sql in _sqlite_statements(self.table):
                schema_editor.execute(sql)
        elif vendor == "postgresql":
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{_pg_index(self.table)}" '
                f'ON "{self.table}" USING gin (search_text gin_trgm_ops)'
            )

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            for sql in _sqlite_drop_statements(self.table):
                schema_editor.execute(sql)
        elif vendor == "postgresql":
            schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{_pg_index(self.table)}"')

    def describe(self) -> str:
        return f"Trigram search index on {self.table}.search_text"

    @property
    def migration_name_fragment(self) -> str:
        return f"search_index_{self.table}"


def ensure_sqlite_search_tables(using: str = "default") -> None:
    """Recreate missing FTS5 tables/triggers on SQLite, and rebuild what was missing.

    SQLite's schema editor rebuilds a table for many column changes (a new NOT NULL column,
    say) and the triggers die with the old table; this runs after every `migrate` so a later
    migration of anybody's can never leave the search index silently stale."""
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        existing = {row[0] for row in cursor.fetchall()}
        for model in searchable_models():
            table = model._meta.db_table
            if table not in existing:
                continue
            cursor.execute(f'PRAGMA table_info("{table}")')
            if "search_text" not in {row[1] for row in cursor.fetchall()}:
                continue  # migrated back to before the column existed
            fts = f"{table}_search"
            wanted = {fts, f"{fts}_ai", f"{fts}_ad", f"{fts}_au"}
            if wanted <= existing:
                continue
            for sql in _sqlite_statements(table):
                cursor.execute(sql)


def searchable_models() -> list[type[Model]]:
    from django.apps import apps

    return [m for m in apps.get_models() if getattr(m, "search_indexed", False)]
