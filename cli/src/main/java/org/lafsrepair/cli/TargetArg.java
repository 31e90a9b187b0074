package org.lafsrepair.cli;

import org.lafsrepair.cap.CapFormatException;
import org.lafsrepair.repair.Repairer;

/** Parses the {@code CAP|SI} argument of check and repair. */
final class TargetArg {
  private TargetArg() {}

  static Repairer.Target parse(String text) {
    try {
      return Repairer.Target.parse(text);
    } catch (CapFormatException e) {
      throw new CliException(ExitCodes.USAGE, "bad cap: " + e.getMessage(), e);
    }
  }
}
