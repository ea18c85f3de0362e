"""The real-news corpus: annotations kept in the project, texts kept outside it.

The texts of ``annotate.jsonl`` belong to their outlets, so the project stores
only annotations: labels, short names and character spans into each text, with
the text's sha256 so that a changed text is caught rather than mis-read.  This
package reads the corpus (``texts``), validates and materializes annotation
files (``annotations``), turns an annotator's draft into spans (``anchor``) and
compares two readings (``agreement``).  It imports neither spaCy nor the store.
"""
