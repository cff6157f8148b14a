#!/usr/bin/env bash
# Regenerates the DOT fixtures and their oracle (node and edge counts as
# Graphviz's own `gc` counts them). Needs Debian's graphviz, graphviz-doc,
# python3-onnx and python3-pydot.
set -euo pipefail
cd "$(dirname "$0")"
ex=/usr/share/doc/graphviz/examples/graphs/directed
for f in clust4 clust5 unix world fsm records Latin1; do cp "$ex/$f.gv" .; done
# onnx's own drawer, on corpus models: real ML DOT files.
/usr/bin/python3 -m onnx.tools.net_drawer --input ../../../../shared/corpus/iris.onnx --output iris_net_drawer.dot --embed_docstring
/usr/bin/python3 -m onnx.tools.net_drawer --input ../../../../shared/corpus/small_cnn_opset17.onnx --output small_cnn_net_drawer.dot
for f in *.gv *.dot; do gc -n -e "$f" | awk -v f="$f" '{print f, $1, $2}'; done > counts.txt
