package org.lafsrepair.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.lafsrepair.backend.disk.DiskGrid;
import org.lafsrepair.cap.Cap;
import org.lafsrepair.cap.MutableFormat;
import org.lafsrepair.client.Downloader;
import org.lafsrepair.client.Uploader;
import org.lafsrepair.grid.EncodingParameters;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.immutable.PlaintextSource;
import org.lafsrepair.mutable.MutablePublisher;
import org.lafsrepair.repair.CheckResult;
import org.lafsrepair.repair.RepairResult;
import org.lafsrepair.repair.Repairer;
import org.lafsrepair.spi.InvalidRequestException;
import org.lafsrepair.spi.StorageIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code demo [--dir DIR]}: builds a 10-server local disk grid, uploads sample files, damages them
 * the ways real grids get damaged (lost shares, flipped bytes, truncation, shares doubled up on
 * one server), repairs them, and prints a before/after table and a JSON summary.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Build a local grid, upload, damage, repair; print before/after.")
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--dir", paramLabel = "DIR", description = "where to build the grid (default: a new temporary directory)")
  Path dir;

  @Option(names = "--json", description = "print only the JSON summary")
  boolean jsonOnly;

  @Option(names = "--seed", description = "random seed for the sample data and damage (default ${DEFAULT-VALUE})", defaultValue = "42")
  long seed;

  /** One demo file: what it is, what we did to it, and how check/repair saw it. */
  private record Sample(String name, int size, String damage, String format) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path root = dir != null ? dir : Files.createTempDirectory("lafs-repair-demo").resolve("grid");
    try {
      DiskGrid.init(root, 10);
    } catch (InvalidRequestException e) {
      throw new CliException(ExitCodes.USAGE, "demo: " + e.getMessage(), e);
    }
    List<Sample> samples = List.of(
        new Sample("notes.txt", 4_000, "2 shares deleted", "chk"),
        new Sample("photo.jpg", 300_000, "4 shares deleted", "chk"),
        new Sample("report.pdf", 1_100_000, "a byte flipped in share 0, share 5 truncated", "chk"),
        new Sample("backup.tar", 3_000_000, "shares crowded onto 3 servers", "chk"),
        new Sample("song.ogg", 700_000, "7 shares deleted: only k=3 remain", "chk"),
        new Sample("todo.txt", 20_000, "3 shares deleted, a byte flipped in share 9", "sdmf"),
        new Sample("journal.log", 400_000, "5 shares deleted (repaired from the verify cap)", "mdmf"));
    Random rnd = new Random(seed);
    List<ObjectNode> rows = new ArrayList<>();
    boolean allHealthy = true;
    long bytesWritten = 0;
    try (Grid grid = Grid.localDirectory(root); Repairer repairer = Repairer.builder(grid).build()) {
      Uploader uploader = new Uploader(grid);
      List<Cap> caps = new ArrayList<>();
      List<byte[]> contents = new ArrayList<>();
      for (Sample s : samples) {
        byte[] data = new byte[s.size()];
        rnd.nextBytes(data);
        contents.add(data);
        if (s.format().equals("chk")) {
          caps.add(uploader.uploadChk(PlaintextSource.of(data), EncodingParameters.DEFAULT, grid.convergenceSecret()));
        } else {
          MutablePublisher publisher = MutablePublisher.builder().encoding(3, 10).leaseSecret(grid.leaseSecret()).build();
          caps.add(publisher.create(s.format().equals("mdmf") ? MutableFormat.MDMF : MutableFormat.SDMF, null, data,
              grid.servers()));
        }
      }
      for (int i = 0; i < samples.size(); i++) {
        damage(root, caps.get(i).storageIndex().orElseThrow(), i, rnd);
      }
      if (!jsonOnly) {
        out.printf("grid: %s (10 servers, 3-of-10, happy 7)%n%n", root);
        out.printf("%-11s %-4s %9s  %-48s %-38s %-9s %s%n", "file", "kind", "bytes", "damage", "before", "after",
            "written");
      }
      for (int i = 0; i < samples.size(); i++) {
        Sample s = samples.get(i);
        // Repair works from the verify cap alone, for mutable files too.
        RepairResult r = repairer.repair(caps.get(i).verifyCap().orElseThrow());
        CheckResult post = r.post();
        boolean roundTrip = Arrays.equals(contents.get(i), download(grid, caps.get(i)));
        allHealthy &= post.healthy() && roundTrip;
        bytesWritten += r.bytesWritten();
        if (!jsonOnly) {
          out.printf("%-11s %-4s %9d  %-48s %-38s %-9s %d shares%s%n", s.name(), s.format(), s.size(), s.damage(),
              shortSummary(r.pre()), post.healthy() ? "Healthy" : "NOT HEALTHY", r.written().size(),
              (r.replaced().isEmpty() ? "" : " (" + r.replaced().size() + " in place)")
                  + (r.removed().isEmpty() ? "" : ", " + r.removed().size() + " surplus removed"));
        }
        ObjectNode row = Reports.JSON.createObjectNode();
        row.put("file", s.name());
        row.put("size", s.size());
        row.put("format", s.format());
        row.put("cap", caps.get(i).toString());
        row.put("damage", s.damage());
        row.put("before", r.pre().summary());
        row.put("happiness-before", r.pre().happiness());
        row.put("after", post.summary());
        row.put("happiness-after", post.happiness());
        row.put("shares-written", r.written().size());
        row.put("shares-replaced", r.replaced().size());
        row.put("shares-removed", r.removed().size());
        row.put("download-matches", roundTrip);
        rows.add(row);
      }
    }
    ObjectNode summary = Reports.JSON.createObjectNode();
    summary.put("grid", root.toString());
    summary.put("servers", 10);
    summary.put("all-healthy", allHealthy);
    summary.put("bytes-written", bytesWritten);
    ArrayNode files = summary.putArray("files");
    rows.forEach(files::add);
    if (!jsonOnly) {
      out.println();
    }
    out.println(Reports.JSON.writeValueAsString(summary));
    return allHealthy ? ExitCodes.OK : ExitCodes.NOT_HEALTHY;
  }

  private static String shortSummary(CheckResult r) {
    if (r.healthy()) {
      return "Healthy";
    }
    return r.goodShares() + "/" + r.expected() + " good, " + r.corruptShares().size() + " corrupt, happiness "
        + r.happiness();
  }

  private static byte[] download(Grid grid, Cap cap) throws Exception {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    new Downloader(grid).download(cap, bos);
    return bos.toByteArray();
  }

  /** Applies sample {@code which}'s damage to the share files on disk. */
  private static void damage(Path root, StorageIndex si, int which, Random rnd) throws IOException {
    List<Path> shares = shareFiles(root, si);
    switch (which) {
      case 0 -> deleteSome(shares, 2);
      case 1 -> deleteSome(shares, 4);
      case 2 -> {
        flipByte(find(shares, 0), 12 + 0x24 + 100);
        truncate(find(shares, 5), 200);
      }
      case 3 -> {
        // Move every share onto the first three servers that hold one: happiness 3.
        List<Path> targets = shares.subList(0, 3).stream().map(Path::getParent).toList();
        for (int i = 3; i < shares.size(); i++) {
          Path dst = targets.get(i % 3).resolve(shares.get(i).getFileName());
          Files.move(shares.get(i), dst);
        }
      }
      case 4 -> deleteSome(shares, 7);
      case 5 -> {
        deleteSome(shares, 3);
        flipByte(find(shares, 9), MUTABLE_DATA_START + 1000);
      }
      case 6 -> deleteSome(shares, 5);
      default -> throw new IllegalStateException("no damage " + which);
    }
  }

  /** Share data starts here in a Tahoe mutable container (after the header and four lease slots). */
  private static final int MUTABLE_DATA_START = 468;

  private static void deleteSome(List<Path> shares, int count) throws IOException {
    for (int i = 0; i < count; i++) {
      Files.delete(shares.get(i));
    }
  }

  private static Path find(List<Path> shares, int shnum) {
    return shares.stream().filter(p -> p.getFileName().toString().equals(Integer.toString(shnum)))
        .findFirst().orElseThrow();
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x01);
    }
  }

  private static void truncate(Path file, long length) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(length);
    }
  }

  /** Share files of {@code si} across the grid, ordered by share number. */
  static List<Path> shareFiles(Path root, StorageIndex si) throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> servers = Files.list(root)) {
      for (Path server : servers.sorted().toList()) {
        Path bucket = server.resolve("storage/shares").resolve(si.prefix()).resolve(si.toBase32());
        if (Files.isDirectory(bucket)) {
          try (Stream<Path> files = Files.list(bucket)) {
            out.addAll(files.toList());
          }
        }
      }
    }
    out.sort((a, b) -> Integer.compare(Integer.parseInt(a.getFileName().toString()),
        Integer.parseInt(b.getFileName().toString())));
    return out;
  }

}
