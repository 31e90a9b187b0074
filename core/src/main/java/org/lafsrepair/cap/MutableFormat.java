package org.lafsrepair.cap;

/** The two mutable-file formats; they share cap shapes but not prefixes or share layouts. */
public enum MutableFormat {
  /** Small Distributed Mutable Files: one segment, caps {@code URI:SSK...}. */
  SDMF("SSK", "", "sdmf"),
  /** Medium Distributed Mutable Files: many segments, caps {@code URI:MDMF...}. */
  MDMF("MDMF", "MDMF", "mdmf");

  private final String fileName;
  private final String dirInfix;
  private final String kindName;

  MutableFormat(String fileName, String dirInfix, String kindName) {
    this.fileName = fileName;
    this.dirInfix = dirInfix;
    this.kindName = kindName;
  }

  /** {@code "URI:SSK:"} or {@code "URI:MDMF:"}. */
  public String writePrefix() {
    return "URI:" + fileName + ":";
  }

  /** {@code "URI:SSK-RO:"} or {@code "URI:MDMF-RO:"}. */
  public String readPrefix() {
    return "URI:" + fileName + "-RO:";
  }

  /** {@code "URI:SSK-Verifier:"} or {@code "URI:MDMF-Verifier:"}. */
  public String verifyPrefix() {
    return "URI:" + fileName + "-Verifier:";
  }

  /** The directory name for an access level: {@code "DIR2"}, {@code "DIR2-MDMF-RO"}, ... */
  String directoryName(String suffix) {
    String base = dirInfix.isEmpty() ? "DIR2" : "DIR2-" + dirInfix;
    return suffix.isEmpty() ? base : base + "-" + suffix;
  }

  /** Lowercase name used in kinds ({@code "sdmf"}, {@code "mdmf"}). */
  public String kindName() {
    return kindName;
  }
}
