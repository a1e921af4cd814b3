"""The category tree, read from the in-process directory: paths, branches, search.

A call-taker types the caller's words; `categories_matching` finds the
categories whose name, code or synonyms contain them, and a routing rule or a
KPI that names a category covers its whole branch (`category_branch`).
"""

import re

from commandcenter.directory import directory
from incidents.models import IncidentCategory

_SEPARATORS = re.compile(r"[\s,，、;；]+")


def category_ancestors(category: IncidentCategory) -> list[IncidentCategory]:
    """The category and its parents, nearest first."""
    chain, seen = [], set()
    while category is not None and category.pk not in seen:
        chain.append(category)
        seen.add(category.pk)
        category = directory.get(IncidentCategory, category.parent_id)
    return chain


def category_path(category: IncidentCategory) -> str:
    """刑事案件 › 盗窃 › 电动车被盗"""
    return " › ".join(c.name for c in reversed(category_ancestors(category)))


def category_branch_ids(category: IncidentCategory) -> set[int]:
    """The category and every category below it."""
    children: dict[int | None, list[int]] = {}
    for row in directory.rows(IncidentCategory):
        children.setdefault(row.parent_id, []).append(row.pk)
    branch, todo = set(), [category.pk]
    while todo:
        pk = todo.pop()
        if pk not in branch:
            branch.add(pk)
            todo += children.get(pk, [])
    return branch


def category_linkage(category: IncidentCategory) -> str:
    """The emergency service (119, 120) the category's calls are handed to, if any."""
    return next((c.linkage for c in category_ancestors(category) if c.linkage), "")


def categories_in_tree_order(*, active_only: bool = True) -> list[IncidentCategory]:
    """Depth first, each level in its sort order: what a picker lists."""
    rows = [row for row in directory.rows(IncidentCategory) if row.active or not active_only]
    present = {row.pk for row in rows}
    children: dict[int | None, list[IncidentCategory]] = {}
    for row in rows:
        parent = row.parent_id if row.parent_id in present else None
        children.setdefault(parent, []).append(row)
    ordered: list[IncidentCategory] = []

    def walk(parent_id):
        for row in children.get(parent_id, []):  # directory rows keep sort_order, code
            ordered.append(row)
            walk(row.pk)

    walk(None)
    return ordered


def _words(category: IncidentCategory) -> list[str]:
    return [word for word in _SEPARATORS.split(category.synonyms.casefold()) if word]


def categories_matching(typed: str, categories: list[IncidentCategory]) -> list[IncidentCategory]:
    """Categories for what the call-taker typed: an exact code, name or synonym
    wins alone; otherwise every one whose name or a synonym contains the text,
    or whose code starts with it."""
    folded = typed.strip().casefold()
    if not folded:
        return []
    exact = [
        c
        for c in categories
        if folded in (c.code.casefold(), c.name.casefold()) or folded in _words(c)
    ]
    if exact:
        # "盗窃" is a category and a word inside its sub-types: the category it names.
        named = [c for c in exact if folded in (c.code.casefold(), c.name.casefold())]
        return named or exact
    return [
        c
        for c in categories
        if folded in c.name.casefold()
        or c.code.casefold().startswith(folded)
        or any(folded in word for word in _words(c))
    ]
