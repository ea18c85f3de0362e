"""Building the signal model: training examples from the annotated corpus, fine-tuning, ONNX export.

``dataset`` turns gold annotations into (holder, sentence) ``PairExample``s with spaCy alone;
``finetune`` needs the ``train`` extra (torch, transformers) and writes a model folder that
``backchannel.model.runtime.PairModel`` loads with onnxruntime.  Nothing outside the training
command imports this package's torch code, so the runtime install never needs torch.
"""
