"""Add the linear stance scorer to a model folder trained before it existed.

    python -m backchannel.training.refit --corpus ../shared/corpus --annotations corpus/annotations \
        --model MODEL_DIR

It rebuilds the train split's candidate pairs, splits them with the folder's own seed and validation
share (from its card), fits the scorer on the fitting articles and chooses its weight and the threshold
on the validation articles (``linear_stance.add_linear``), then rewrites the folder's card.
"""

from __future__ import annotations

import json
import sys

from backchannel.training.linear_stance import add_linear
from backchannel.training.selection import card_split, model_folder_arguments


def main(argv: list[str] | None = None) -> int:
    from backchannel.corpus.gold import load_split
    from backchannel.training.dataset import with_extra
    from backchannel.training.run import TrainSettings, labelled_pairs

    args, card = model_folder_arguments(__doc__.splitlines()[0], argv)
    seed, share = card["settings"]["seed"], card["settings"]["val_share"]
    settings = TrainSettings(corpus=args.corpus, annotations=args.annotations, out=args.model, seed=seed,
                             val_share=share, extra=args.extra)
    golds = with_extra(load_split(args.corpus, args.annotations, "train"), args.corpus, args.extra)
    examples, _ = labelled_pairs(golds, settings)
    fit_ids, val_ids = card_split(golds, card["settings"])
    chosen = add_linear(args.model, [e for e in examples if e.article in fit_ids],
                        [e for e in examples if e.article in val_ids], seed, threads=settings.threads)
    print(json.dumps(chosen), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
