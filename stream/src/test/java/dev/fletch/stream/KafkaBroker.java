package dev.fletch.stream;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka broker for integration tests: {@code FLETCH_TEST_KAFKA_BOOTSTRAP} when set, else a
 * single-node KRaft broker (broker and controller in one node) started in this JVM from Apache
 * Kafka's own test kit, on ports it picks. One per test class; {@link #close} stops it.
 */
public final class KafkaBroker implements AutoCloseable {
  private final KafkaClusterTestKit cluster;
  private final String bootstrap;

  private KafkaBroker(KafkaClusterTestKit cluster, String bootstrap) {
    this.cluster = cluster;
    this.bootstrap = bootstrap;
  }

  public static KafkaBroker start() {
    String given = System.getenv("FLETCH_TEST_KAFKA_BOOTSTRAP");
    if (given != null && !given.isBlank()) {
      return new KafkaBroker(null, given);
    }
    try {
      TestKitNodes nodes =
          new TestKitNodes.Builder()
              .setCombined(true)
              .setNumBrokerNodes(1)
              .setNumControllerNodes(1)
              .build();
      KafkaClusterTestKit cluster =
          new KafkaClusterTestKit.Builder(nodes)
              // One broker: the internal topics cannot have three replicas.
              .setConfigProp("offsets.topic.replication.factor", "1")
              .setConfigProp("offsets.topic.num.partitions", "1")
              .setConfigProp("transaction.state.log.replication.factor", "1")
              .setConfigProp("transaction.state.log.min.isr", "1")
              .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
              .setConfigProp("share.coordinator.state.topic.min.isr", "1")
              .setConfigProp("group.initial.rebalance.delay.ms", "0")
              .build();
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      return new KafkaBroker(cluster, cluster.bootstrapServers());
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot start a Kafka broker for the tests (set FLETCH_TEST_KAFKA_BOOTSTRAP to use a"
              + " running one): "
              + e,
          e);
    }
  }

  public String bootstrap() {
    return bootstrap;
  }

  /** Creates a topic with {@code partitions} partitions (replication 1). */
  public void createTopic(String name, int partitions) {
    try (Admin admin = admin()) {
      admin
          .createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create topic " + name + ": " + e, e);
    }
  }

  public Admin admin() {
    Properties p = new Properties();
    p.putAll(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    return Admin.create(p);
  }

  @Override
  public void close() {
    if (cluster != null) {
      try {
        cluster.close();
      } catch (Exception e) {
        // the test is over; its data directory goes with the JVM's temporary files
      }
    }
  }
}
