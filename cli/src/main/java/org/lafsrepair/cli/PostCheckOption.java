package org.lafsrepair.cli;

import picocli.CommandLine.Option;

/** {@code --post-check fresh|reuse}: what the check after a repair reads (repair and serve). */
final class PostCheckOption {
  enum PostCheck { fresh, reuse }

  @Option(names = "--post-check", defaultValue = "fresh", paramLabel = "fresh|reuse",
      description = "after a repair: 'fresh' re-reads and verifies every share (default); 'reuse' keeps "
          + "the verdicts of shares this repair just verified and reads back only the new ones (faster)")
  PostCheck postCheck = PostCheck.fresh;

  boolean fresh() {
    return postCheck == PostCheck.fresh;
  }
}
