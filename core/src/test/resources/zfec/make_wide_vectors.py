#!/usr/bin/python3
"""Writes wide_vectors.json: zfec outputs for the wide codes the shared vectors lack (71-of-255,
101-of-256, 255-of-256, 1-of-256), with the input rule of ../shared/vectors/zfec/README.md.
Run with Debian's python3-zfec (zfec 1.5.2, the C core Tahoe uses):
  /usr/bin/python3 make_wide_vectors.py > wide_vectors.json
"""
import base64, hashlib, json, struct, zfec

def input_bytes(seed, n):
    out = b""
    ctr = 0
    while len(out) < n:
        out += hashlib.sha256(seed.encode() + struct.pack(">Q", ctr)).digest()
        ctr += 1
    return out[:n]

cases = []
for k, m, bs in [(71, 255, 37), (101, 256, 13), (255, 256, 5), (1, 256, 3), (200, 256, 1)]:
    seed = "zfec-vectors/k=%d/m=%d/bs=%d" % (k, m, bs)
    data = input_bytes(seed, k * bs)
    blocks = [data[j * bs:(j + 1) * bs] for j in range(k)]
    out = zfec.Encoder(k, m).encode(blocks)
    assert list(out[:k]) == blocks
    dec = zfec.Decoder(k, m).decode(list(out[m - k:]), list(range(m - k, m)))
    assert b"".join(dec) == data
    cases.append({"k": k, "m": m, "block_size": bs, "input_seed": seed,
                  "input_sha256": hashlib.sha256(data).hexdigest(),
                  "blocks_b64": [base64.b64encode(b).decode() for b in out]})
print(json.dumps({"format": "zfec-vectors/1", "generator": "zfec " + getattr(zfec, "__version__", "?"),
                  "cases": cases}, indent=1))
