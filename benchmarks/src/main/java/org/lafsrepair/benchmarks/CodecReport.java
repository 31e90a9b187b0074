package org.lafsrepair.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link CodecBenchmark} over the standard cases one (k, n, blockSize) at a time and prints
 * a markdown table of MB/s of data (k × blockSize per op, median of the measurement iterations),
 * with ratios to the anchors' zfec and ISA-L rows when given their TSV (see
 * ../shared/anchors/README.md, {@code ANCHORS_TSV}).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.lafsrepair.benchmarks.CodecReport \
 *     [--anchors results.tsv] [--kernels scalar,swar,vector] [--ops encode,decode,invert]
 *     [--cases 3/10/43691,10/14/104858] [--wi 3] [--w 1] [--i 5] [--r 1]
 * </pre>
 */
public final class CodecReport {
  /** The anchors' configurations, plus the 10-of-14 with 1 MiB blocks. */
  static final List<String> DEFAULT_CASES =
      List.of(
          "3/10/43691", "3/10/349526", "10/14/104858", "10/14/1048576", "71/255/1847",
          "101/256/1298");

  private CodecReport() {}

  public static void main(String[] args) throws RunnerException, IOException {
    Map<String, String> opt = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --option value, got " + args[i]);
      }
      opt.put(args[i].substring(2), args[i + 1]);
    }
    List<String> cases =
        opt.containsKey("cases") ? Arrays.asList(opt.get("cases").split(",")) : DEFAULT_CASES;
    String[] kernels = opt.getOrDefault("kernels", "scalar,swar,vector").split(",");
    String[] ops = opt.getOrDefault("ops", "encode,decode,invert").split(",");
    Map<String, Double> anchors = opt.containsKey("anchors") ? readAnchors(Path.of(opt.get("anchors"))) : Map.of();

    // (case, kernel, op) -> median
    Map<String, Double> results = new LinkedHashMap<>();
    for (String c : cases) {
      String[] knb = c.split("/");
      List<String> codingOps = new java.util.ArrayList<>(Arrays.asList(ops));
      boolean invert = codingOps.remove("invert");
      if (!codingOps.isEmpty()) {
        run(opt, codingOps, knb, kernels, results, c);
      }
      if (invert) {
        // Matrix inversion does not depend on the kernel: measure it once per case.
        run(opt, List.of("invert"), knb, new String[] {"scalar"}, results, c);
      }
    }
    print(results, cases, kernels, anchors);
  }

  private static void run(
      Map<String, String> opt,
      List<String> ops,
      String[] knb,
      String[] kernels,
      Map<String, Double> results,
      String c)
      throws RunnerException {
    ChainedOptionsBuilder b =
        new OptionsBuilder()
            .include(CodecBenchmark.class.getName() + ".(" + String.join("|", ops) + ")$")
            .param("k", knb[0])
            .param("n", knb[1])
            .param("blockSize", knb[2])
            .param("kernel", kernels)
            .forks(Integer.parseInt(opt.getOrDefault("f", "1")))
            .warmupIterations(Integer.parseInt(opt.getOrDefault("wi", "4")))
            .warmupTime(TimeValue.seconds(Integer.parseInt(opt.getOrDefault("w", "2"))))
            .measurementIterations(Integer.parseInt(opt.getOrDefault("i", "5")))
            .measurementTime(TimeValue.seconds(Integer.parseInt(opt.getOrDefault("r", "1"))));
    for (RunResult rr : new Runner(b.build()).run()) {
      String label = rr.getParams().getBenchmark();
      String op = label.substring(label.lastIndexOf('.') + 1);
      String kernel = rr.getParams().getParam("kernel");
      double[] scores =
          rr.getBenchmarkResults().stream()
              .map(BenchmarkResult::getIterationResults)
              .flatMap(java.util.Collection::stream)
              .mapToDouble(r -> r.getPrimaryResult().getScore())
              .sorted()
              .toArray();
      double median = median(scores);
      long bytes = Long.parseLong(knb[0]) * Long.parseLong(knb[2]);
      if (op.equals("invert")) {
        results.put(c + "|*|invert", median);
      } else {
        results.put(c + "|" + kernel + "|" + op, median * bytes / 1e6);
      }
    }
  }

  private static void print(
      Map<String, Double> results, List<String> cases, String[] kernels, Map<String, Double> anchors) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(
        Locale.ROOT,
        "JVM: %s %s (%s, %d CPUs); forks run with --add-modules jdk.incubator.vector%n%n",
        System.getProperty("java.vm.name"),
        System.getProperty("java.vm.version"),
        System.getProperty("os.arch"),
        Runtime.getRuntime().availableProcessors()));
    sb.append("| k/N/block | kernel | encode MB/s | x zfec | x ISA-L | decode MB/s | x zfec dec | x ISA-L dec (cached) | invert us |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|\n");
    for (String c : cases) {
      for (String kernel : kernels) {
        Double enc = results.get(c + "|" + kernel + "|encode");
        Double dec = results.get(c + "|" + kernel + "|decode");
        Double inv = results.get(c + "|*|invert");
        if (enc == null && dec == null && inv == null) {
          continue;
        }
        sb.append(String.format(
            Locale.ROOT,
            "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
            c,
            kernel,
            fmt(enc, 0),
            ratio(enc, anchors.get("zfec|encode|" + c)),
            ratio(enc, anchors.get("isal|encode|" + c)),
            fmt(dec, 0),
            ratio(dec, anchors.get("zfec|decode_full|" + c)),
            ratio(dec, anchors.get("isal|decode_cached|" + c)),
            fmt(inv, 1)));
      }
    }
    if (!anchors.isEmpty()) {
      sb.append("\nAnchors (same sitting), MB/s: \n\n| k/N/block | zfec enc | zfec dec | ISA-L enc | ISA-L dec cached | ISA-L invert us |\n|---|---|---|---|---|---|\n");
      for (String c : cases) {
        sb.append(String.format(
            Locale.ROOT,
            "| %s | %s | %s | %s | %s | %s |%n",
            c,
            fmt(anchors.get("zfec|encode|" + c), 0),
            fmt(anchors.get("zfec|decode_full|" + c), 0),
            fmt(anchors.get("isal|encode|" + c), 0),
            fmt(anchors.get("isal|decode_cached|" + c), 0),
            fmt(anchors.get("isal|invert_us|" + c), 1)));
      }
    }
    System.out.print(sb);
  }

  private static Map<String, Double> readAnchors(Path tsv) throws IOException {
    Map<String, Double> m = new HashMap<>();
    for (String line : Files.readAllLines(tsv)) {
      String[] p = line.split("\t");
      if (p.length == 7) {
        m.put(p[0] + "|" + p[1] + "|" + p[2], Double.parseDouble(p[4]));
      }
    }
    return m;
  }

  private static double median(double[] sorted) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int h = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[h] : (sorted[h - 1] + sorted[h]) / 2;
  }

  private static String fmt(Double v, int digits) {
    return v == null ? "-" : String.format(Locale.ROOT, "%,." + digits + "f", v);
  }

  private static String ratio(Double a, Double b) {
    if (a == null || b == null || b == 0) {
      return "-";
    }
    double r = a / b;
    return String.format(Locale.ROOT, r >= 10 ? "%.0fx" : "%.2fx", r);
  }
}
