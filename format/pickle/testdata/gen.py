# Generates the pickle machine's fixtures: the same object pickled with
# protocols 0-5 (protoN.pkl) and its canonical JSON (expected.json).
# Run from this folder with Debian's /usr/bin/python3.
import collections, json, pickle, pickletools

obj = {
    "none": None, "t": True, "f": False,
    "ints": [0, 1, -1, 255, 256, 65535, 65536, -2**31, 2**31, 2**63 - 1, -2**63, 2**100, -2**100],
    "floats": [0.0, -1.5, 1e-05, 3.141592653589793, 1e300],
    "str": "héllo \u20ac \U0001F600 \\u00e9 'q' \"dq\" \n\t",
    "bytes": b"\x00\x01\xffabc",
    "bytearray": bytearray(b"xyz\x80"),
    "tuple0": (), "tuple1": (1,), "tuple2": (1, 2), "tuple3": (1, 2, 3), "tuple4": (1, 2, 3, 4),
    "list": [[], [1], ["a", ["b", ["c"]]]],
    "dict": {1: "one", "two": 2, (3, 4): [5]},
    "od": collections.OrderedDict([("z", 1), ("a", 2)]),
    "set": {7},
    "frozenset": frozenset({8}),
    "long_list": list(range(1500)),
}
shared = [42]
obj["shared"] = (shared, shared)


def canon(v):
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, int):
        return {"i": str(v)}
    if isinstance(v, float):
        return {"f": v}
    if isinstance(v, str):
        return v
    if isinstance(v, (bytes, bytearray)):
        return {"b": bytes(v).hex()}
    if isinstance(v, tuple):
        return {"t": [canon(x) for x in v]}
    if isinstance(v, list):
        return [canon(x) for x in v]
    if isinstance(v, dict):
        return {"d": [[canon(k), canon(x)] for k, x in v.items()]}
    if isinstance(v, (set, frozenset)):
        return {"set": [canon(x) for x in v]}
    raise TypeError(type(v))


with open("expected.json", "w") as f:
    json.dump(canon(obj), f, indent=0, sort_keys=True)
for p in range(6):
    data = pickle.dumps(obj, protocol=p)
    if p >= 4:
        data = pickletools.optimize(data) if p == 4 else data
    with open("proto%d.pkl" % p, "wb") as f:
        f.write(data)
