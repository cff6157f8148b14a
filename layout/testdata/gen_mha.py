#!/usr/bin/python3
"""A 48-layer decoder-like stack of nn.TransformerEncoderLayer (which uses
nn.MultiheadAttention), exported to ONNX by torch at opset 14: a graph of a
different shape from gpt_decoder_48l for layout tests.
Usage: /usr/bin/python3 gen_mha.py OUT.onnx [LAYERS]"""
import sys, torch, torch.nn as nn

class Net(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.emb = nn.Embedding(100, 32)
        self.layers = nn.ModuleList(nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0) for _ in range(layers))
        self.out = nn.Linear(32, 100)
    def forward(self, x):
        h = self.emb(x)
        for l in self.layers:
            h = l(h)
        return self.out(h)

if __name__ == "__main__":
    torch.manual_seed(0)
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 48
    m = Net(n).eval()
    x = torch.randint(0, 100, (8, 2))
    torch.onnx.export(m, (x,), sys.argv[1], opset_version=14, input_names=["tokens"], output_names=["logits"],
                      dynamic_axes={"tokens": {0: "seq", 1: "batch"}})
