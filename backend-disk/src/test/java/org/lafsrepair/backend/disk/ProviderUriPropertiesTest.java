package org.lafsrepair.backend.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.lafsrepair.spi.InvalidRequestException;
import org.lafsrepair.spi.Locality;
import org.lafsrepair.spi.StorageServer;

/** Any query on a {@code file:} URI opens the server or is refused with a typed error. */
class ProviderUriPropertiesTest {
  private static Path dir;

  @BeforeContainer
  static void make() throws Exception {
    dir = Files.createTempDirectory("lafs-provider-uri");
  }

  @AfterContainer
  static void remove() throws Exception {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Provide
  Arbitrary<String> queries() {
    Arbitrary<String> parts = Arbitraries.oneOf(
        Arbitraries.of("locality", "locality=", "locality=local", "locality=remote", "locality=REMOTE",
            "locality=remote=x", "=", "&", "x=y", "locality=nearby"),
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(12));
    return parts.list().ofMaxSize(4).map(l -> String.join("&", l));
  }

  @Property(tries = 200)
  void aQueryOpensTheServerOrIsRefusedWithATypedError(@ForAll("queries") String query) throws Exception {
    URI uri;
    try {
      uri = new URI("file", null, dir.resolve("server").toString(), query, null);
    } catch (URISyntaxException e) {
      return; // not a URI at all: nothing reaches the provider
    }
    try (StorageServer s = new DiskStorageServerProvider().open(uri)) {
      String last = null;
      for (String p : query.split("&")) {
        if (p.startsWith("locality=")) {
          last = p.substring("locality=".length());
        }
      }
      assertEquals(last != null && last.equalsIgnoreCase("remote") ? Locality.REMOTE : Locality.LOCAL,
          s.locality(), "query " + query);
    } catch (InvalidRequestException expected) {
      // refused, with the reason
    }
  }
}
