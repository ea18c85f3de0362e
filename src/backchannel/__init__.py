"""backchannel: who is signalling what about ending a war, according to whom.

Reads news articles and extracts attributed statements and negotiation signals
(see ``records.py`` for the record types).
"""

__version__ = "0.1.0"
