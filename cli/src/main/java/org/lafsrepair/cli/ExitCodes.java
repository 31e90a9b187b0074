package org.lafsrepair.cli;

/** Exit codes of docs/cli.md. */
public final class ExitCodes {
  /** Success (for check: healthy). */
  public static final int OK = 0;
  /** Not healthy but recoverable. */
  public static final int NOT_HEALTHY = 1;
  /** Usage error or malformed input. */
  public static final int USAGE = 2;
  /** Unrecoverable: fewer than k good shares of any version. */
  public static final int UNRECOVERABLE = 3;
  /** An I/O or backend failure stopped the work. */
  public static final int IO = 4;

  private ExitCodes() {}

  /** Maps an exception escaping a command to its exit code. */
  public static int forException(Throwable t) {
    if (t instanceof CliException ce) {
      return ce.exitCode();
    }
    if (t instanceof IllegalArgumentException) {
      return USAGE;
    }
    return IO;
  }

  /** The "what: why" part of the one-line error message. */
  public static String describe(Throwable t) {
    String msg = t.getMessage();
    return msg == null ? t.getClass().getSimpleName() : msg;
  }
}
