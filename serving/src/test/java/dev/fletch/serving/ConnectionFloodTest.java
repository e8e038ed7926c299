package dev.fletch.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Floods that used to take a server down: idle connections past the file-descriptor limit, and
 * HTTP/2 rapid reset (streams opened and cancelled at once) on the gRPC port.
 */
class ConnectionFloodTest {
  private FletchServer server;
  private final List<Socket> sockets = new ArrayList<>();

  @BeforeEach
  void start() {
    server =
        FletchServer.builder()
            .host("127.0.0.1")
            .httpPort(FletchServer.EPHEMERAL)
            .grpcPort(FletchServer.EPHEMERAL)
            .definitions(new TestRepos.MemoryDefinitions(TestRepos.repo()))
            .project("payments")
            .onlineStore(TestRepos.customerOne(Instant.now().minusSeconds(60)))
            .maxConnections(4)
            // gRPC waits out its 10 s handshake timeout for a socket closed before it spoke.
            .shutdownGrace(Duration.ofSeconds(1))
            .start();
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    server.close();
  }

  private Socket connect(int port) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(10_000);
    sockets.add(s);
    return s;
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.sleep(10);
    }
  }

  @Test
  void connectionsBeyondTheCapAreClosedAtOnceOnBothPorts() throws Exception {
    ConnectionLimit limit = server.connectionLimit();
    assertEquals(4, limit.max());
    // Four sockets that never send a byte fill the cap: two on each port.
    connect(server.httpPort());
    connect(server.httpPort());
    connect(server.grpcPort());
    connect(server.grpcPort());
    await(() -> limit.open() == 4, "4 open connections");
    for (int port : new int[] {server.httpPort(), server.grpcPort()}) {
      Socket extra = connect(port);
      long t0 = System.nanoTime();
      assertEquals(-1, extra.getInputStream().read(), "closed without an answer on " + port);
      long millis = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(millis < 5_000, "closed at once, not after a timeout: " + millis + " ms");
    }
    assertEquals(2, limit.refused());
    assertEquals(4, limit.open(), "refused sockets were never counted as open");
    String metrics = server.metrics().scrape();
    assertTrue(metrics.contains("fletch_serving_connections_refused_total 2.0"), metrics);
    assertTrue(metrics.contains("fletch_serving_connections{transport=\"http\"} 2.0"), metrics);
    assertTrue(metrics.contains("fletch_serving_connections{transport=\"grpc\"} 2.0"), metrics);

    // The holders go away: both ports answer again.
    for (Socket s : sockets) {
      s.close();
    }
    sockets.clear();
    await(() -> limit.open() == 0, "the closed sockets to be counted out");
    try (Socket probe = new Socket("127.0.0.1", server.httpPort())) {
      probe.setSoTimeout(10_000);
      probe
          .getOutputStream()
          .write(
              "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      String answer = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
    }
    TestRepos.assertServesCustomerOne(server);
  }

  private static byte[] frame(int type, int flags, int stream, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(9 + payload.length);
    out.write(payload.length >>> 16);
    out.write(payload.length >>> 8);
    out.write(payload.length);
    out.write(type);
    out.write(flags);
    out.write(stream >>> 24);
    out.write(stream >>> 16);
    out.write(stream >>> 8);
    out.write(stream);
    out.writeBytes(payload);
    return out.toByteArray();
  }

  @Test
  void rapidResetGetsGoAwayAndOthersAreStillServed() throws Exception {
    Socket s = connect(server.grpcPort());
    OutputStream out = s.getOutputStream();
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.write(frame(0x4, 0, 0, new byte[0])); // SETTINGS
    // HPACK: :method POST, :scheme http, :path /, content-type application/grpc.
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    block.writeBytes(new byte[] {(byte) 0x83, (byte) 0x86, (byte) 0x84, 0x0f, 0x10, 16});
    block.writeBytes("application/grpc".getBytes(StandardCharsets.US_ASCII));
    byte[] headers = block.toByteArray();
    byte[] cancel = {0, 0, 0, 0x8};
    int pairs = 0;
    try {
      // 5,000 streams opened and reset at once, in batches: 25 times the server's allowance.
      for (int batch = 0; batch < 50; batch++) {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        for (int i = 0; i < 100; i++) {
          int stream = 2 * pairs + 1;
          frames.writeBytes(frame(0x1, 0x4, stream, headers)); // HEADERS, END_HEADERS
          frames.writeBytes(frame(0x3, 0, stream, cancel)); // RST_STREAM CANCEL
          pairs++;
        }
        out.write(frames.toByteArray());
      }
    } catch (IOException closedUnderUs) {
      // The server has hung up: what it said before is still to be read.
    }
    DataInputStream in = new DataInputStream(s.getInputStream());
    long goAwayError = -1;
    try {
      while (goAwayError < 0) {
        int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
        int type = in.readUnsignedByte();
        in.readUnsignedByte();
        in.readInt();
        byte[] payload = in.readNBytes(length);
        if (type == 0x7) {
          goAwayError =
              ((payload[4] & 0xFFL) << 24)
                  | ((payload[5] & 0xFF) << 16)
                  | ((payload[6] & 0xFF) << 8)
                  | (payload[7] & 0xFF);
        }
      }
    } catch (EOFException | java.net.SocketException | java.net.SocketTimeoutException closed) {
      // Closed before a GOAWAY was read: fails below.
    }
    assertEquals(0xB, goAwayError, "GOAWAY ENHANCE_YOUR_CALM after " + pairs + " resets sent");

    TestRepos.assertServesCustomerOne(server);
  }
}
