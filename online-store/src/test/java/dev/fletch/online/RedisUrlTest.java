package dev.fletch.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.online.LettuceRedisAdapter.RedisUrl;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisUrlTest {
  @Test
  void standaloneWithCredentialsAndDatabaseIsDescribedWithoutPassword() {
    RedisUrl url = RedisUrl.parse("redis://app:s3cret@cache.local:6380/2");
    assertFalse(url.cluster());
    assertEquals("redis://cache.local:6380/2", url.describe());
    assertEquals(2, url.uris().get(0).getDatabase());
    assertEquals(LettuceRedisAdapter.DEFAULT_TIMEOUT, url.uris().get(0).getTimeout());
    assertFalse(url.describe().contains("s3cret"));
  }

  @Test
  void tlsAndTimeout() {
    RedisUrl url = RedisUrl.parse("rediss://h:6379?timeout=2s");
    assertTrue(url.uris().get(0).isSsl());
    assertEquals(Duration.ofSeconds(2), url.uris().get(0).getTimeout());
  }

  @Test
  void clusterListsEveryNode() {
    RedisUrl url = RedisUrl.parse("redis-cluster://:pw@a:7000,b:7001, c:7002");
    assertTrue(url.cluster());
    assertEquals(3, url.uris().size());
    assertEquals("redis-cluster://a:7000,b:7001,c:7002", url.describe());
  }

  @Test
  void badUrlsAreRejectedWithoutEchoingSecrets() {
    InvalidRequestException e =
        assertThrows(
            InvalidRequestException.class, () -> RedisUrl.parse("memcached://u:topsecret@h:1"));
    assertFalse(e.getMessage().contains("topsecret"));
    assertThrows(InvalidRequestException.class, () -> RedisUrl.parse("redis://a:1,b:2"));
    assertThrows(InvalidRequestException.class, () -> RedisUrl.parse("redis-cluster://a:1/3"));
  }

  @Test
  void clusterReadsFromReplicasWhenAskedAndOtherParametersStayLettuces() {
    RedisUrl url =
        RedisUrl.parse("redis-cluster://a:7000,b:7001?timeout=2s&read_from=replica_preferred");
    assertEquals(io.lettuce.core.ReadFrom.REPLICA_PREFERRED, url.readFrom());
    assertEquals(java.time.Duration.ofSeconds(2), url.uris().get(0).getTimeout());
    assertEquals("redis-cluster://a:7000,b:7001?read_from=replica_preferred", url.describe());
    assertEquals(null, RedisUrl.parse("redis-cluster://a:7000").readFrom());

    InvalidRequestException standalone =
        assertThrows(
            InvalidRequestException.class,
            () -> RedisUrl.parse("redis://h:6379?read_from=replica"));
    assertTrue(standalone.getMessage().contains("read_from needs a redis-cluster:// URL"));
    InvalidRequestException unknown =
        assertThrows(
            InvalidRequestException.class,
            () -> RedisUrl.parse("redis-cluster://:pw@a:7000?read_from=nearest"));
    assertTrue(
        unknown.getMessage().contains("read_from=nearest is not one of [any, primary,"),
        unknown.getMessage());
    assertFalse(unknown.getMessage().contains("pw"), unknown.getMessage());
  }
}
