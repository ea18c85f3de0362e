"""Where extraction results are kept: a SQLite file by default, PostgreSQL for teams.

The one door to the database: every SQL statement and every migration of the project is in this package;
the CLI, the web app and the analyses call the ``Store``'s methods.  It knows no NLP: what it records
about actors and origins comes with the results.

- ``store``   the ``Store`` (save, reprocess, queries) and ``open_store(url)``
- ``schema``  the named migrations (tables, indexes, views)
- ``dialect`` the few differences between SQLite and PostgreSQL; ``resolve_db`` (``--db``, ``$BACKCHANNEL_DB``)
- ``ids``     what makes two documents the same article
- ``queries`` the signal filters as bound SQL; rows back to dicts
- ``detail``  paragraph and source chain for ``show``
- ``corrections`` what an analyst's correction may say, how it applies to a signal and follows it across
  ``reprocess``
"""

from backchannel.store.dialect import (
    DEFAULT_DB,
    StoreError,
    is_database_error,
    resolve_db,
    sqlite_file_missing,
)
from backchannel.store.ids import article_id
from backchannel.store.queries import (
    DATE_FILTERS,
    FILTER_CHOICES,
    FILTER_HELP,
    MULTI_FILTERS,
    SIGNAL_FILTERS,
    SORTS,
    SignalFilter,
    Sort,
    actor_key,
    min_confidence,
    valid_date,
)
from backchannel.store.schema import MIGRATIONS
from backchannel.store.store import SaveOutcome, Status, Store, StoredArticle, open_store

__all__ = [
    "DATE_FILTERS",
    "DEFAULT_DB",
    "FILTER_CHOICES",
    "FILTER_HELP",
    "MULTI_FILTERS",
    "SIGNAL_FILTERS",
    "SORTS",
    "SignalFilter",
    "Sort",
    "MIGRATIONS",
    "SaveOutcome",
    "Status",
    "Store",
    "StoreError",
    "StoredArticle",
    "actor_key",
    "article_id",
    "is_database_error",
    "open_store",
    "resolve_db",
    "sqlite_file_missing",
    "min_confidence",
    "valid_date",
]
