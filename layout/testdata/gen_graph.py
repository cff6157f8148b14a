#!/usr/bin/python3
"""Writes the operator graph of an ONNX model exactly as
../shared/bench/onnx2graph.py does (same boxes, sizes and edges, so
crossing counts compare with the reference engines), plus each box's
ONNX node name, from which the tests derive module groups.
Usage: /usr/bin/python3 gen_graph.py MODEL.onnx | gzip -9n > NAME.graph.json.gz"""
import json, sys, onnx

def main(path):
    m = onnx.load(path, load_external_data=False)
    g = m.graph
    inits = {t.name for t in g.initializer}
    nodes, edges, producer = [], [], {}
    for i in g.input:
        if i.name in inits:
            continue
        producer[i.name] = len(nodes)
        nodes.append({"id": len(nodes), "label": i.name, "name": i.name, "w": 90, "h": 30})
    for n in g.node:
        idx = len(nodes)
        nodes.append({"id": idx, "label": n.op_type, "name": n.name, "w": 110, "h": 40})
        for o in n.output:
            producer[o] = idx
    for idx, n in enumerate(g.node):
        me = idx + (len(nodes) - len(g.node))
        for x in n.input:
            if x in producer:
                edges.append({"src": producer[x], "dst": me})
    for o in g.output:
        idx = len(nodes)
        nodes.append({"id": idx, "label": o.name, "name": o.name, "w": 90, "h": 30})
        if o.name in producer:
            edges.append({"src": producer[o.name], "dst": idx})
    json.dump({"nodes": nodes, "edges": edges}, sys.stdout)

if __name__ == "__main__":
    main(sys.argv[1])
