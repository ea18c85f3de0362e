"""Running the extractor over many articles: the jobs between the readers and the store.

- ``extractor``   the ``Extractor`` (Article -> ArticleResult), its picklable spec and its version
- ``documents``   one document (a file, or an article in memory) -> its result, one bad one never stops the batch
- ``parallel``    extraction in supervised worker processes: ordered, bounded, a per-document budget
- ``worker``      one worker process (``python -m backchannel.jobs.worker``); ``lifeline``: it dies with its parent
- ``ingest``      sources -> store, once per article; ``reprocess``
- ``runs``        run owners: which runs died (interrupted), ``backchannel runs``
- ``results_io``  extraction results as Parquet rows (Spark's output, ``ingest`` of it)
- ``spark_job``   the same extraction as a Spark job
"""
