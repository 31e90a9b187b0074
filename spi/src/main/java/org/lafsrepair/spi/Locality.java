package org.lafsrepair.spi;

/**
 * Where a {@link StorageServer}'s calls are served, which tells callers how they may schedule
 * them (see {@link StorageServer#locality()}).
 */
public enum Locality {
  /**
   * Served by this process from storage it reaches without a network round trip: memory, or a
   * file system on a local disk. A call takes as long as that storage does, microseconds when it is
   * healthy. A caller may then run a call that was quick lately on its own thread instead of
   * handing it to a worker (on a virtual machine a hand-off can cost more than ten such calls); a
   * stall of the local storage during that call then delays the caller by as long.
   */
  LOCAL,

  /**
   * Calls may wait on a network or on another process, and may hang. Callers hand every call to
   * a worker and bound it with a timeout, so a stalled server never stalls them. The default, and
   * the right answer for a directory on a network file system (NFS, SMB) that can hang.
   */
  REMOTE
}
