package dev.fletch.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.proto.serving.v1.FeatureServingGrpc;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bytes that are no GetFeaturesRequest get INVALID_ARGUMENT, and the server carries on. */
class MalformedGrpcTest {
  private FletchServer server;
  private ManagedChannel channel;

  private static final MethodDescriptor.Marshaller<byte[]> RAW =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private static final MethodDescriptor<byte[], byte[]> GET_FEATURES_RAW =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(FeatureServingGrpc.getGetFeaturesMethod().getFullMethodName())
          .setRequestMarshaller(RAW)
          .setResponseMarshaller(RAW)
          .build();

  @BeforeEach
  void start() {
    server =
        FletchServer.builder()
            .host("127.0.0.1")
            .httpPort(0)
            .grpcPort(FletchServer.EPHEMERAL)
            .definitions(new TestRepos.MemoryDefinitions(TestRepos.repo()))
            .project("payments")
            .onlineStore(TestRepos.customerOne(Instant.now().minusSeconds(60)))
            .start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.close();
  }

  @Test
  void malformedRequestsAreInvalidArguments() {
    byte[][] garbage = {
      {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF},
      {0x0A, 0x7F, 0x01}, // a field whose length runs past the end
      "not protobuf at all".getBytes(java.nio.charset.StandardCharsets.US_ASCII)
    };
    for (int round = 0; round < 50; round++) {
      for (byte[] bytes : garbage) {
        StatusRuntimeException e =
            assertThrows(
                StatusRuntimeException.class,
                () ->
                    ClientCalls.blockingUnaryCall(
                        channel, GET_FEATURES_RAW, CallOptions.DEFAULT, bytes));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.toString());
        assertTrue(
            e.getStatus().getDescription().contains("not a valid GetFeaturesRequest"),
            e.getStatus().getDescription());
      }
    }
    assertEquals(
        150.0, TestRepos.calls(server, "GetFeatures", "INVALID_ARGUMENT"), "counted in metrics");
    TestRepos.assertServesCustomerOne(server);
  }
}
