package org.lafsrepair.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MatricesTest {
  @Test
  void checkRowsMatchTheValuesInTahoeFormatsSection3() {
    int[][] e = Matrices.zfecEncodingMatrix(3, 10);
    String[] expected = {"0f0806", "2d301c", "99e078", "0be7ed", "893bb3", "46f1b6", "bad962"};
    for (int r = 3; r < 10; r++) {
      assertEquals(expected[r - 3], String.format("%02x%02x%02x", e[r][0], e[r][1], e[r][2]));
    }
    int[][] e23 = Matrices.zfecEncodingMatrix(2, 3);
    assertArrayEquals(new int[] {3, 2}, e23[2]);
  }

  @Test
  void inverseTimesMatrixIsIdentity() {
    int[][] e = Matrices.zfecEncodingMatrix(20, 40);
    int[][] d = new int[20][];
    for (int i = 0; i < 20; i++) {
      d[i] = e[20 + i];
    }
    int[][] inv = Matrices.invert(d);
    for (int i = 0; i < 20; i++) {
      int[] row = Matrices.multiplyRow(inv[i], d);
      int[] unit = new int[20];
      unit[i] = 1;
      assertArrayEquals(unit, row);
    }
  }

  @Test
  void singularMatrixIsABug() {
    assertThrows(IllegalStateException.class, () -> Matrices.invert(new int[][] {{1, 2}, {1, 2}}));
  }

  @Test
  void fieldInverseAndExp() {
    for (int a = 1; a < 256; a++) {
      assertEquals(1, GaloisField.mul(a, GaloisField.inv(a)));
    }
    assertEquals(0x1D, GaloisField.exp(8));
    assertEquals(1, GaloisField.exp(255));
  }
}
