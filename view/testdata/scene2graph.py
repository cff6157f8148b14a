#!/usr/bin/python3
"""scene2graph.py layout.json > graph.json: turns a `modelviz layout` file back
into the plain graph the shared reference engines read (../shared/bench), with
modelviz's own box sizes, so dagre/ELK/dot lay out exactly the graph modelviz
drew (folded constants and all) and crossings compare like with like."""
import json, sys

d = json.load(open(sys.argv[1]))
index = {n["id"]: i for i, n in enumerate(d["nodes"])}
nodes = [{"id": i, "label": n["label"], "w": n["width"], "h": n["height"]} for i, n in enumerate(d["nodes"])]
edges = [{"src": index[e["from"]], "dst": index[e["to"]]} for e in d["edges"]]
json.dump({"nodes": nodes, "edges": edges}, sys.stdout)
