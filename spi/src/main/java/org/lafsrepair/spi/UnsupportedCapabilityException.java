package org.lafsrepair.spi;

/** The server does not implement an optional capability (see Capability). */
public class UnsupportedCapabilityException extends StorageException {
  private static final long serialVersionUID = 1L;

  public UnsupportedCapabilityException(String message) {
    super(message);
  }

  public UnsupportedCapabilityException(String message, Throwable cause) {
    super(message, cause);
  }
}
