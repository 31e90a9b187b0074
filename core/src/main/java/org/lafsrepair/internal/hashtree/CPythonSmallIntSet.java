package org.lafsrepair.internal.hashtree;

import java.util.Arrays;

/**
 * Emulates the iteration order of a CPython 3.11 {@code set} built by adding small non-negative
 * ints one by one (an int's hash is itself). Tahoe writes immutable share-hash chains by iterating
 * such a set, so byte-identical shares need this order (tahoe-formats.md §4.5). Mirrors {@code
 * set_add_entry}/{@code set_table_resize} of {@code Objects/setobject.c}: 8 initial slots, linear
 * probes of 9 when they fit, perturbed probing with PERTURB_SHIFT 5, resize to {@code used*4} when
 * fill reaches 3/5. There are no deletions, so fill equals used.
 */
final class CPythonSmallIntSet {
  private static final int MIN_SIZE = 8;
  private static final int LINEAR_PROBES = 9;
  private static final int PERTURB_SHIFT = 5;
  private static final int EMPTY = -1;

  private int[] table = newTable(MIN_SIZE);
  private int used;

  private CPythonSmallIntSet() {}

  /** The iteration order of {@code set(values)} (duplicates collapse as in Python). */
  static int[] iterationOrder(int[] values) {
    CPythonSmallIntSet s = new CPythonSmallIntSet();
    for (int v : values) {
      if (v < 0) {
        throw new IllegalArgumentException("only non-negative ints are emulated");
      }
      s.add(v);
    }
    return Arrays.stream(s.table).filter(x -> x != EMPTY).toArray();
  }

  private static int[] newTable(int size) {
    int[] t = new int[size];
    Arrays.fill(t, EMPTY);
    return t;
  }

  private void add(int value) {
    int mask = table.length - 1;
    long perturb = value;
    int i = value & mask;
    while (true) {
      int probes = (i + LINEAR_PROBES <= mask) ? LINEAR_PROBES : 0;
      for (int j = 0; j <= probes; j++) {
        int slot = table[i + j];
        if (slot == value) {
          return;
        }
        if (slot == EMPTY) {
          table[i + j] = value;
          used++;
          if ((long) used * 5 >= (long) mask * 3) {
            resize(used * 4);
          }
          return;
        }
      }
      perturb >>>= PERTURB_SHIFT;
      i = (int) ((i * 5L + 1 + perturb) & mask);
    }
  }

  private void resize(int minUsed) {
    int size = MIN_SIZE;
    while (size <= minUsed) {
      size <<= 1;
    }
    int[] old = table;
    table = newTable(size);
    int mask = size - 1;
    for (int v : old) {
      if (v == EMPTY) {
        continue;
      }
      long perturb = v;
      int i = v & mask;
      placed:
      while (true) {
        int probes = (i + LINEAR_PROBES <= mask) ? LINEAR_PROBES : 0;
        for (int j = 0; j <= probes; j++) {
          if (table[i + j] == EMPTY) {
            table[i + j] = v;
            break placed;
          }
        }
        perturb >>>= PERTURB_SHIFT;
        i = (int) ((i * 5L + 1 + perturb) & mask);
      }
    }
  }
}
