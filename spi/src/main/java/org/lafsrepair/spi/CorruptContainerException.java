package org.lafsrepair.spi;

/** A stored container (the file or object holding a share) is malformed: truncated, garbage header, impossible lengths. The share should be treated as corrupt. */
public class CorruptContainerException extends StorageException {
  private static final long serialVersionUID = 1L;

  public CorruptContainerException(String message) {
    super(message);
  }

  public CorruptContainerException(String message, Throwable cause) {
    super(message, cause);
  }
}
