#!/usr/bin/env python3
# Writes VectorKernel.java: the passN methods are one loop unrolled over N output rows and U
# vectors, because C2 keeps vectors in registers only as separate locals, never in arrays.
# Usage: core/tools/gen_vector_kernel.py MAX_ROWS UNROLL OUT_FILE
#   (checked in: 6 2 core/src/main/java-vector/org/lafsrepair/internal/codec/VectorKernel.java)
import os
import sys
MAXG = int(sys.argv[1]) if len(sys.argv) > 1 else 4
UNROLL = int(sys.argv[2]) if len(sys.argv) > 2 else 1
OUT = sys.argv[3]

def pass_method(n):
    L=[]
    L.append(f"    private void pass{n}(byte[][] in, int inOff, byte[][] out, int outOff, int from, int to, int r0) {{")
    for r in range(n):
        L.append(f"      byte[] o{r} = out[r0 + {r}];")
        L.append(f"      int t{r} = (r0 + {r}) * cols * TABLE_BYTES;")
    step = "VLEN" if UNROLL == 1 else f"{UNROLL} * VLEN"
    if UNROLL > 1:
        L.append("      int i = from;")
        L.append(f"      for (; i + {UNROLL} * VLEN <= to; i += {UNROLL} * VLEN) {{")
        body(L, n, UNROLL, "        ")
        L.append("      }")
        L.append("      for (; i < to; i += VLEN) {")
        body(L, n, 1, "        ")
        L.append("      }")
    else:
        L.append("      for (int i = from; i < to; i += VLEN) {")
        body(L, n, 1, "        ")
        L.append("      }")
    L.append("    }")
    return "\n".join(L)

def body(L, n, U, ind):
    # first input assigns, the rest accumulate
    for u in range(U):
        off = f"inOff + i" + (f" + {u} * VLEN" if u else "")
        L.append(f"{ind}ByteVector x{u} = ByteVector.fromArray(S, in[0], {off});")
        L.append(f"{ind}ByteVector lo{u} = x{u}.and(LOW_NIBBLE);")
        L.append(f"{ind}ByteVector hi{u} = x{u}.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and(LOW_NIBBLE);")
    for r in range(n):
        L.append(f"{ind}ByteVector l{r} = ByteVector.fromArray(S, tables, t{r});")
        L.append(f"{ind}ByteVector h{r} = ByteVector.fromArray(S, tables, t{r} + 16);")
        for u in range(U):
            L.append(f"{ind}ByteVector a{r}_{u} = lo{u}.selectFrom(l{r}).lanewise(VectorOperators.XOR, hi{u}.selectFrom(h{r}));")
    L.append(f"{ind}for (int j = 1; j < cols; j++) {{")
    L.append(f"{ind}  byte[] xj = in[j];")
    L.append(f"{ind}  int tj = j * TABLE_BYTES;")
    for u in range(U):
        off = f"inOff + i" + (f" + {u} * VLEN" if u else "")
        L.append(f"{ind}  ByteVector y{u} = ByteVector.fromArray(S, xj, {off});")
        L.append(f"{ind}  ByteVector ylo{u} = y{u}.and(LOW_NIBBLE);")
        L.append(f"{ind}  ByteVector yhi{u} = y{u}.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and(LOW_NIBBLE);")
    for r in range(n):
        L.append(f"{ind}  ByteVector tl{r} = ByteVector.fromArray(S, tables, t{r} + tj);")
        L.append(f"{ind}  ByteVector th{r} = ByteVector.fromArray(S, tables, t{r} + tj + 16);")
        for u in range(U):
            L.append(f"{ind}  a{r}_{u} = a{r}_{u}.lanewise(VectorOperators.XOR, ylo{u}.selectFrom(tl{r})).lanewise(VectorOperators.XOR, yhi{u}.selectFrom(th{r}));")
    L.append(f"{ind}}}")
    for r in range(n):
        for u in range(U):
            off = f"outOff + i" + (f" + {u} * VLEN" if u else "")
            L.append(f"{ind}a{r}_{u}.intoArray(o{r}, {off});")

groups = list(range(MAXG, 0, -1))
dispatch = []
dispatch.append("    private void passes(byte[][] in, int inOff, byte[][] out, int outOff, int s, int e) {")
dispatch.append("      int r = 0;")
dispatch.append("      while (r < rows) {")
dispatch.append("        int g = Math.min(MAX_ROWS, rows - r);")
dispatch.append("        switch (g) {")
for g in groups:
    dispatch.append(f"          case {g}:")
    dispatch.append(f"            pass{g}(in, inOff, out, outOff, s, e, r);")
    dispatch.append(f"            break;")
dispatch.append("          default:")
dispatch.append("            throw new IllegalStateException(\"row group \" + g);")
dispatch.append("        }")
dispatch.append("        r += g;")
dispatch.append("      }")
dispatch.append("    }")
tmpl = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'VectorKernel.java.tmpl')).read()
src = tmpl.replace("PASSES", "\n\n".join(["\n".join(dispatch)] + [pass_method(g) for g in groups])).replace("MAXG", str(MAXG)).replace("UNROLL", str(UNROLL))
open(OUT, 'w').write(src)
