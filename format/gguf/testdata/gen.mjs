// Writes the GGUF fixtures of this folder and their oracles.
//
// No Debian package writes GGUF (llama.cpp and python3-gguf are not in
// bookworm). The header and every metadata key/value are serialized by
// Hugging Face's own writer, npm @huggingface/gguf 0.4.6 (MIT),
// serializeGgufMetadata; the tensor-info section and the data area, which
// that library does not write, follow the GGUF spec (llama.cpp
// docs/gguf.md). Each file is then parsed back with the same library's
// independent reader, gguf(), and what it reports is written to
// NAME.oracle.json, which the Go tests compare against.
//
// Run: npm install @huggingface/gguf@0.4.6 && node gen.mjs
import { writeFileSync } from "node:fs";
import { gguf, serializeGgufMetadata } from "@huggingface/gguf";

// [block size, bytes per block] from ggml.c's type_traits.
const TYPES = {
  F32: [0, 1, 4], F16: [1, 1, 2], Q4_0: [2, 32, 18], Q4_1: [3, 32, 20], Q5_0: [6, 32, 22],
  Q5_1: [7, 32, 24], Q8_0: [8, 32, 34], Q8_1: [9, 32, 36], Q2_K: [10, 256, 84],
  Q3_K: [11, 256, 110], Q4_K: [12, 256, 144], Q5_K: [13, 256, 176], Q6_K: [14, 256, 210],
  Q8_K: [15, 256, 292], IQ2_XXS: [16, 256, 66], IQ2_XS: [17, 256, 74], IQ3_XXS: [18, 256, 98],
  IQ1_S: [19, 256, 50], IQ4_NL: [20, 32, 18], IQ3_S: [21, 256, 110], IQ2_S: [22, 256, 82],
  IQ4_XS: [23, 256, 136], I8: [24, 1, 1], I16: [25, 1, 2], I32: [26, 1, 4], I64: [27, 1, 8],
  F64: [28, 1, 8], IQ1_M: [29, 256, 56], BF16: [30, 1, 2], TQ1_0: [34, 256, 54],
  TQ2_0: [35, 256, 66], MXFP4: [39, 32, 17],
};

let seed = 12345;
function rnd() {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed & 0xff;
}

const pad = (n, a) => Math.ceil(n / a) * a;

function u32(v, le) {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, le);
  return b;
}
function u64(v, le) {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(v), le);
  return b;
}
function str(s, le) {
  const e = new TextEncoder().encode(s);
  return concat([u64(e.length, le), e]);
}
function concat(parts) {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// tensors: [name, type, ne (ggml order: ne[0] fastest)]. F32 tensors hold
// 0, 1, 2, ... so tests can check loaded bytes; others hold pseudo-random
// bytes.
function write(path, { version = 3, le = true, alignment = 32, meta, tensors }) {
  const kv = { version: { value: version, type: 4 }, tensor_count: { value: BigInt(tensors.length), type: 10 } };
  Object.assign(kv, meta);
  if (alignment !== 32) kv["general.alignment"] = { value: alignment, type: 4 };
  const head = serializeGgufMetadata(kv, { littleEndian: le, alignment: 1 });
  const infos = [];
  const blobs = [];
  let off = 0;
  for (const [name, type, ne] of tensors) {
    const [id, blk, size] = TYPES[type];
    const n = ne.reduce((a, b) => a * b, 1);
    const bytes = (n / blk) * size;
    const data = new Uint8Array(bytes);
    const dv = new DataView(data.buffer);
    for (let i = 0; i < bytes; i++) data[i] = rnd();
    if (type === "F32") for (let i = 0; i < n; i++) dv.setFloat32(4 * i, i, le);
    infos.push(str(name, le), u32(ne.length, le), ...ne.map((d) => u64(d, le)), u32(id, le), u64(off, le));
    blobs.push(data, new Uint8Array(pad(bytes, alignment) - bytes));
    off = pad(off + bytes, alignment);
  }
  const pre = concat([head, ...infos]);
  const file = concat([pre, new Uint8Array(pad(pre.length, alignment) - pre.length), ...blobs]);
  writeFileSync(path, file);
}

async function oracle(path) {
  const r = await gguf(path, { allowLocalFile: true, typedMetadata: true });
  const meta = {};
  for (const [k, v] of Object.entries(r.typedMetadata)) {
    meta[k] = { type: v.type, subType: v.subType, value: Array.isArray(v.value) ? { length: v.value.length } : String(v.value) };
  }
  const out = {
    file: path, parser: "@huggingface/gguf 0.4.6", littleEndian: r.littleEndian,
    tensorDataOffset: Number(r.tensorDataOffset), metadata: meta,
    tensors: r.tensorInfos.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape.map(Number), offset: Number(t.offset) })),
  };
  writeFileSync(path + ".oracle.json", JSON.stringify(out, null, 1) + "\n");
}

const tokens = Array.from({ length: 1000 }, (_, i) => (i < 3 ? ["<unk>", "<s>", "</s>"][i] : "tok" + i));
const llamaMeta = {
  "general.architecture": { value: "llama", type: 8 },
  "general.name": { value: "tiny-llama-fixture", type: 8 },
  "general.file_type": { value: 15, type: 4 },
  "llama.context_length": { value: 128, type: 4 },
  "llama.embedding_length": { value: 256, type: 4 },
  "llama.block_count": { value: 2, type: 4 },
  "llama.attention.head_count": { value: 4, type: 4 },
  "llama.rope.freq_base": { value: 10000, type: 6 },
  "llama.attention.layer_norm_rms_epsilon": { value: 0.0000009999999974752427, type: 6 },
  "test.u8": { value: 200, type: 0 },
  "test.i8": { value: -100, type: 1 },
  "test.u16": { value: 60000, type: 2 },
  "test.i16": { value: -30000, type: 3 },
  "test.i32": { value: -2000000000, type: 5 },
  "test.bool": { value: true, type: 7 },
  "test.u64": { value: 18000000000000000000n, type: 10 },
  "test.i64": { value: -9000000000000000000n, type: 11 },
  "test.f64": { value: 0.125, type: 12 },
  "test.small_ints": { value: [1, 2, 3], type: 9, subType: 5 },
  "test.small_strings": { value: ["a", "b"], type: 9, subType: 8 },
  "tokenizer.ggml.model": { value: "llama", type: 8 },
  "tokenizer.ggml.tokens": { value: tokens, type: 9, subType: 8 },
  "tokenizer.ggml.scores": { value: tokens.map((_, i) => -i), type: 9, subType: 6 },
  "tokenizer.ggml.token_type": { value: tokens.map(() => 1), type: 9, subType: 5 },
  "tokenizer.chat_template": { value: "{% for m in messages %}{{ m.content }}{% endfor %}", type: 8 },
};
const llamaTensors = [
  ["token_embd.weight", "Q4_K", [256, 16]],
  ["blk.0.attn_norm.weight", "F32", [256]],
  ["blk.0.attn_q.weight", "Q4_0", [256, 256]],
  ["blk.0.attn_k.weight", "Q8_0", [256, 64]],
  ["blk.0.attn_v.weight", "Q5_1", [256, 64]],
  ["blk.0.attn_output.weight", "Q6_K", [256, 256]],
  ["blk.0.ffn_gate.weight", "IQ2_XXS", [256, 8]],
  ["blk.0.ffn_up.weight", "TQ1_0", [256, 8]],
  ["blk.0.ffn_down.weight", "IQ4_XS", [256, 8]],
  ["blk.1.attn_norm.weight", "F16", [256]],
  ["blk.1.attn_q.weight", "BF16", [256, 4]],
  ["blk.1.ffn_up.weight", "MXFP4", [64, 4]],
  ["blk.1.ffn_down.weight", "IQ1_M", [256, 2]],
  ["output_norm.weight", "F32", [256]],
  ["output.weight", "Q2_K", [256, 16]],
];
write("tiny_llama.gguf", { meta: llamaMeta, tensors: llamaTensors });

// Every remaining ggml type once, GGUF v2, 64-byte alignment.
const rest = Object.keys(TYPES).filter((t) => !llamaTensors.some((x) => x[1] === t));
write("all_types_v2.gguf", {
  version: 2, alignment: 64,
  meta: { "general.architecture": { value: "test", type: 8 } },
  tensors: rest.map((t, i) => [`t.${i}.${t.toLowerCase()}`, t, [TYPES[t][1] * 2, 3]]),
});

// Big-endian v3 (s390x builds of llama.cpp write these).
write("big_endian.gguf", {
  le: false,
  meta: { "general.architecture": { value: "gpt2", type: 8 }, "gpt2.block_count": { value: 1, type: 4 } },
  tensors: [["blk.0.w", "F32", [4, 2]], ["blk.0.q", "Q8_0", [32, 1]]],
});

// GGUF v1 (u32 lengths), which modelviz rejects with a clear error.
write("v1.gguf", { version: 1, meta: { "general.architecture": { value: "llama", type: 8 } }, tensors: [] });

// A gguf-split set, named as llama.cpp's gguf-split names its parts.
const splitMeta = (no) => ({
  "split.no": { value: no, type: 2 }, "split.count": { value: 3, type: 2 },
  "split.tensors.count": { value: 5, type: 5 },
});
write("split-00001-of-00003.gguf", {
  meta: { "general.architecture": { value: "llama", type: 8 }, "general.name": { value: "split-fixture", type: 8 }, ...splitMeta(0) },
  tensors: [["token_embd.weight", "F32", [4, 2]], ["blk.0.attn_q.weight", "F32", [4]]],
});
write("split-00002-of-00003.gguf", {
  meta: splitMeta(1),
  tensors: [["blk.0.ffn_up.weight", "Q8_0", [32, 2]], ["blk.1.attn_q.weight", "F32", [4]]],
});
write("split-00003-of-00003.gguf", { meta: splitMeta(2), tensors: [["output.weight", "F16", [4, 4]]] });

for (const f of ["tiny_llama.gguf", "all_types_v2.gguf", "big_endian.gguf"]) {
  try {
    await oracle(f);
  } catch (e) {
    console.error(f, "oracle:", e.message);
  }
}
