package org.lafsrepair.backend.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Pins down the S3 semantics the backend relies on, as the in-process server implements them, so
 * a server upgrade that changes them fails here with a clear name rather than deep in the TCK.
 */
class S3MockSemanticsTest {
  static S3MockServer server;
  static String bucket;

  @BeforeAll
  static void start() {
    server = S3MockServer.shared();
    bucket = server.createBucket();
  }

  @Test
  void putWithIfNoneMatchStarFailsWhenObjectExists() {
    S3Client c = server.client();
    c.putObject(b -> b.bucket(bucket).key("a").ifNoneMatch("*"), RequestBody.fromString("one"));
    S3Exception e =
        assertThrows(
            S3Exception.class,
            () -> c.putObject(b -> b.bucket(bucket).key("a").ifNoneMatch("*"), RequestBody.fromString("two")));
    assertEquals(412, e.statusCode());
  }

  @Test
  void putWithIfMatchFailsOnStaleEtag() {
    S3Client c = server.client();
    String etag = c.putObject(b -> b.bucket(bucket).key("b"), RequestBody.fromString("one")).eTag();
    c.putObject(b -> b.bucket(bucket).key("b").ifMatch(etag), RequestBody.fromString("two"));
    S3Exception e =
        assertThrows(
            S3Exception.class,
            () -> c.putObject(b -> b.bucket(bucket).key("b").ifMatch(etag), RequestBody.fromString("three")));
    assertEquals(412, e.statusCode());
  }

  @Test
  void putWithIfMatchOnMissingObjectIsNotFound() {
    S3Client c = server.client();
    S3Exception e =
        assertThrows(
            S3Exception.class,
            () -> c.putObject(b -> b.bucket(bucket).key("missing").ifMatch("\"abc\""), RequestBody.fromString("x")));
    assertEquals(404, e.statusCode());
  }

  @Test
  void completeMultipartWithIfNoneMatchFailsWhenObjectExists() {
    S3Client c = server.client();
    c.putObject(b -> b.bucket(bucket).key("m"), RequestBody.fromString("one"));
    String id = c.createMultipartUpload(b -> b.bucket(bucket).key("m")).uploadId();
    String etag =
        c.uploadPart(b -> b.bucket(bucket).key("m").uploadId(id).partNumber(1), RequestBody.fromString("two"))
            .eTag();
    S3Exception e =
        assertThrows(
            S3Exception.class,
            () ->
                c.completeMultipartUpload(
                    b ->
                        b.bucket(bucket)
                            .key("m")
                            .uploadId(id)
                            .ifNoneMatch("*")
                            .multipartUpload(m -> m.parts(p -> p.partNumber(1).eTag(etag)))));
    assertEquals(412, e.statusCode());
  }

  @Test
  void deleteWithStaleIfMatchFails() {
    S3Client c = server.client();
    String etag = c.putObject(b -> b.bucket(bucket).key("d"), RequestBody.fromString("one")).eTag();
    c.putObject(b -> b.bucket(bucket).key("d"), RequestBody.fromString("two"));
    S3Exception e =
        assertThrows(S3Exception.class, () -> c.deleteObject(b -> b.bucket(bucket).key("d").ifMatch(etag)));
    assertEquals(412, e.statusCode());
  }
}
