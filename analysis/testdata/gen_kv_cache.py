#!/usr/bin/python3
"""Writes kv_cache.onnx: a one-layer GPT-style decoder with a key/value
cache (past_k/past_v inputs concatenated with the new keys and values, a
causal mask sliced to [total - seq, total)), exported by Debian's torch
1.13 at opset 14 with dynamic batch, seq and past axes. It exercises
symbolic sums (past + seq). Run from analysis/testdata:

    /usr/bin/python3 gen_kv_cache.py
"""
import torch, torch.nn as nn, math
torch.manual_seed(0)
class Attn(nn.Module):
    def __init__(s, d=16, h=4):
        super().__init__(); s.h=h; s.d=d; s.qkv=nn.Linear(d,3*d); s.proj=nn.Linear(d,d)
        s.register_buffer("mask", torch.tril(torch.ones(64,64)).view(1,1,64,64))
    def forward(s, x, pk, pv):
        b, t, _ = x.shape
        q,k,v = s.qkv(x).split(s.d, dim=2)
        q = q.view(b,t,s.h,s.d//s.h).transpose(1,2)
        k = k.view(b,t,s.h,s.d//s.h).transpose(1,2)
        v = v.view(b,t,s.h,s.d//s.h).transpose(1,2)
        k = torch.cat([pk,k], dim=2); v = torch.cat([pv,v], dim=2)
        T = k.size(2)
        a = q @ k.transpose(-2,-1) / math.sqrt(s.d//s.h)
        a = a.masked_fill(s.mask[:,:,T-t:T,:T]==0, float('-inf'))
        a = a.softmax(-1)
        y = (a @ v).transpose(1,2).contiguous().view(b,t,s.d)
        return s.proj(y), k, v
class M(nn.Module):
    def __init__(s):
        super().__init__(); s.emb=nn.Embedding(50,16); s.a=Attn(); s.head=nn.Linear(16,50)
    def forward(s, ids, pk, pv):
        y,k,v = s.a(s.emb(ids), pk, pv)
        return s.head(y), k, v
m=M().eval()
ids=torch.zeros(2,3,dtype=torch.long); pk=torch.zeros(2,4,5,4); pv=torch.zeros(2,4,5,4)
torch.onnx.export(m,(ids,pk,pv),"kv_cache.onnx",opset_version=14,input_names=["ids","past_k","past_v"],output_names=["logits","present_k","present_v"],
  dynamic_axes={"ids":{0:"batch",1:"seq"},"past_k":{0:"batch",2:"past"},"past_v":{0:"batch",2:"past"},"logits":{0:"batch",1:"seq"},"present_k":{0:"batch",2:"total"},"present_v":{0:"batch",2:"total"}})
