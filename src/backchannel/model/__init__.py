"""The learned signal decision: a fine-tuned sentence encoder run on the CPU with onnxruntime.

``examples`` defines what the model reads (a candidate holder and its sentence as a text pair) and
the labels it predicts; ``runtime`` loads a trained ONNX model and scores pairs; ``choice`` says
which decision an extractor uses.  Training lives in
``backchannel.training`` and needs the ``train`` extra (torch, transformers); nothing here imports
either, so the runtime install stays small.
"""
