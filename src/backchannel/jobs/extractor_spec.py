"""How to build an Extractor, as a small picklable value: what a worker process (``parallel``) or a Spark
executor (``spark_job``) needs to make its own.  Importing it does not import spaCy, so a Spark driver
that only ships it to the executors never loads the NLP stack."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .extractor import Extractor


@dataclass(frozen=True)
class ExtractorSpec:
    """The settings of an Extractor; calling it builds one (loading the spaCy pipeline)."""

    actors_file: str = ""
    all_articles: bool = False
    signal_model: str = ""  # '' the default decision, 'rules', or a model folder

    def __call__(self) -> Extractor:
        from .extractor import Extractor

        return Extractor(actors_file=self.actors_file, all_articles=self.all_articles,
                         signal_model=self.signal_model)
