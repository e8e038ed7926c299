package dev.fletch.serving;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.UnavailableException;
import dev.fletch.proto.serving.v1.FeatureServingGrpc;
import dev.fletch.proto.serving.v1.GetFeaturesRequest;
import dev.fletch.proto.serving.v1.GetFeaturesResponse;
import dev.fletch.proto.serving.v1.GetServingInfoRequest;
import dev.fletch.proto.serving.v1.GetServingInfoResponse;
import dev.fletch.proto.serving.v1.PushRequest;
import dev.fletch.proto.serving.v1.PushResponse;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC edge of {@link OnlineFeatures}: maps messages, honours the call's deadline, maps errors.
 */
final class GrpcFeatureService extends FeatureServingGrpc.FeatureServingImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcFeatureService.class);
  private static final String TRANSPORT = "grpc";
  private static final boolean ANSWER_ON_LOOP =
      !"false".equalsIgnoreCase(System.getProperty("fletch.grpc.answerOnLoop"));

  private final OnlineFeatures features;
  private final ServingMetrics metrics;
  private final Duration defaultTimeout;
  private final PushService push;
  private final boolean pushOpen;

  /**
   * @param pushOpen whether Push may run at all: with API keys (the interceptor then checks the
   *     key's role) or when unauthenticated writes were allowed
   */
  GrpcFeatureService(
      OnlineFeatures features,
      ServingMetrics metrics,
      Duration defaultTimeout,
      PushService push,
      boolean pushOpen) {
    this.features = requireNonNull(features, "features is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.defaultTimeout = requireNonNull(defaultTimeout, "defaultTimeout is null");
    this.push = requireNonNull(push, "push is null");
    this.pushOpen = pushOpen;
  }

  @Override
  public void push(PushRequest request, StreamObserver<PushResponse> observer) {
    long start = System.nanoTime();
    if (!pushOpen) {
      metrics.recordRequest("Push", TRANSPORT, "PERMISSION_DENIED", 0);
      observer.onError(
          Status.PERMISSION_DENIED
              .withDescription(
                  "writes are closed: start fletch serve with --api-keys FILE and send a write or"
                      + " admin key (or, for local development only,"
                      + " --allow-unauthenticated-writes)")
              .asRuntimeException());
      return;
    }
    PushService.Request checked;
    try {
      checked = ProtoMapping.toPush(request);
    } catch (RuntimeException e) {
      fail("Push", observer, e, start, metrics);
      return;
    }
    push.push(checked)
        .whenComplete(
            (result, error) -> {
              if (error != null) {
                fail("Push", observer, error, start, metrics);
                return;
              }
              try {
                observer.onNext(
                    PushResponse.newBuilder()
                        .setRows(result.rows())
                        .setOnlineRows((int) result.onlineRows())
                        .setLateRows((int) result.lateRows())
                        .setOfflineRows(result.offlineRows())
                        .build());
                observer.onCompleted();
                metrics.recordRequest("Push", TRANSPORT, "OK", System.nanoTime() - start);
              } catch (RuntimeException e) {
                fail("Push", observer, e, start, metrics);
              }
            });
  }

  @Override
  public void getFeatures(
      GetFeaturesRequest request, StreamObserver<GetFeaturesResponse> observer) {
    answer(request, observer, ProtoMapping::toResponse);
  }

  /**
   * The service as the server binds it: GetFeatures answers are written straight to their wire form
   * by {@link ResponseEncoder} (same bytes, no message per value); the rest is generated. Keeps the
   * generated schema descriptor, so reflection describes the real messages.
   */
  ServerServiceDefinition definition() {
    ServerServiceDefinition generated = bindService();
    MethodDescriptor<GetFeaturesRequest, GetFeaturesResponse> plain =
        FeatureServingGrpc.getGetFeaturesMethod();
    MethodDescriptor<Parsed, ResponseEncoder.Encoded> encoded =
        plain.toBuilder(
                new ParsingMarshaller(plain.getRequestMarshaller()), ResponseEncoder.MARSHALLER)
            .build();
    ServiceDescriptor.Builder service =
        ServiceDescriptor.newBuilder(FeatureServingGrpc.SERVICE_NAME)
            .setSchemaDescriptor(generated.getServiceDescriptor().getSchemaDescriptor());
    List<ServerMethodDefinition<?, ?>> others = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> m : generated.getMethods()) {
      if (m.getMethodDescriptor().getFullMethodName().equals(plain.getFullMethodName())) {
        service.addMethod(encoded);
      } else {
        service.addMethod(m.getMethodDescriptor());
        others.add(m);
      }
    }
    ServerServiceDefinition.Builder out = ServerServiceDefinition.builder(service.build());
    out.addMethod(
        encoded,
        ServerCalls.asyncUnaryCall(
            (Parsed parsed, StreamObserver<ResponseEncoder.Encoded> observer) -> {
              if (parsed.error() != null) {
                malformed(parsed.error(), observer);
              } else {
                answer(parsed.request(), observer, ResponseEncoder::encode);
              }
            }));
    others.forEach(out::addMethod);
    return out.build();
  }

  /** A GetFeatures request as read off the wire: the message, or why the bytes are none. */
  record Parsed(GetFeaturesRequest request, String error) {}

  /**
   * The generated marshaller, except that bytes which are no GetFeaturesRequest become a {@link
   * Parsed} error instead of an exception inside gRPC (which answers UNKNOWN and logs a stack trace
   * per request).
   */
  private static final class ParsingMarshaller implements MethodDescriptor.Marshaller<Parsed> {
    private final MethodDescriptor.Marshaller<GetFeaturesRequest> generated;

    ParsingMarshaller(MethodDescriptor.Marshaller<GetFeaturesRequest> generated) {
      this.generated = generated;
    }

    @Override
    public java.io.InputStream stream(Parsed value) {
      return generated.stream(value.request());
    }

    @Override
    public Parsed parse(java.io.InputStream stream) {
      try {
        return new Parsed(generated.parse(stream), null);
      } catch (RuntimeException e) {
        String why = e.getMessage();
        if (e.getCause() != null && e.getCause().getMessage() != null) {
          why = e.getCause().getMessage();
        }
        return new Parsed(null, why == null ? e.getClass().getSimpleName() : why);
      }
    }
  }

  private static final long MALFORMED_LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(60);
  private final java.util.concurrent.atomic.AtomicLong malformedSeen =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong malformedLoggedAt =
      new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - MALFORMED_LOG_EVERY_NANOS);

  private void malformed(String why, StreamObserver<?> observer) {
    long start = System.nanoTime();
    long seen = malformedSeen.incrementAndGet();
    long last = malformedLoggedAt.get();
    // One line a minute at most, however many arrive: a client sending garbage cannot fill the log.
    if (start - last >= MALFORMED_LOG_EVERY_NANOS && malformedLoggedAt.compareAndSet(last, start)) {
      LOG.warn(
          "malformed GetFeatures request ({}); {} so far, logged at most once a minute", why, seen);
    }
    metrics.recordRequest("GetFeatures", TRANSPORT, "INVALID_ARGUMENT", System.nanoTime() - start);
    try {
      observer.onError(
          Status.INVALID_ARGUMENT
              .withDescription(
                  "the request is not a valid GetFeaturesRequest (fletch.serving.v1): " + why)
              .asRuntimeException());
    } catch (RuntimeException ignored) {
      // the call was already cancelled by the client; nothing to tell
    }
  }

  private <T> void answer(
      GetFeaturesRequest request, StreamObserver<T> observer, Function<OnlineResult, T> mapper) {
    long start = System.nanoTime();
    ServingMetrics metrics = WarmUp.isWarmUpCall() ? ServingMetrics.DISCARDED : this.metrics;
    OnlineQuery query;
    try {
      query = ProtoMapping.toQuery(request);
    } catch (RuntimeException e) {
      fail("GetFeatures", observer, e, start, metrics);
      return;
    }
    String service = features.serviceLabel(query);
    CompletableFuture<OnlineResult> answer =
        features.get(query, storeTimeout(Context.current().getDeadline(), defaultTimeout), metrics);
    // The handler runs on the call's event loop (directExecutor). The answer is encoded where the
    // store's reply completed (the loop itself for small answers, since the store shares the loops;
    // a pool thread for large ones, which are assembled there) and written on the call's loop, so
    // the write needs no second hand-off inside gRPC. -Dfletch.grpc.answerOnLoop=false writes on
    // the completing thread.
    EventExecutor loop = ANSWER_ON_LOOP ? ThreadExecutorMap.currentExecutor() : null;
    answer.whenComplete(
        (result, error) -> {
          if (error != null) {
            fail("GetFeatures", service, observer, error, start, metrics);
            return;
          }
          T response;
          try {
            response = mapper.apply(result);
          } catch (RuntimeException e) {
            fail("GetFeatures", service, observer, e, start, metrics);
            return;
          }
          metrics.recordServed(result.entityRows(), result.columns().size());
          if (loop == null || loop.inEventLoop()) {
            send(observer, response, service, start, metrics);
          } else {
            loop.execute(() -> send(observer, response, service, start, metrics));
          }
        });
  }

  private static <T> void send(
      StreamObserver<T> observer, T response, String service, long start, ServingMetrics metrics) {
    try {
      if (observer instanceof ServerCallStreamObserver<?> s && s.isCancelled()) {
        metrics.recordRequest(
            "GetFeatures", service, TRANSPORT, "CANCELLED", System.nanoTime() - start);
        return;
      }
      observer.onNext(response);
      observer.onCompleted();
      metrics.recordRequest("GetFeatures", service, TRANSPORT, "OK", System.nanoTime() - start);
    } catch (RuntimeException e) {
      fail("GetFeatures", service, observer, e, start, metrics);
    }
  }

  @Override
  public void getServingInfo(
      GetServingInfoRequest request, StreamObserver<GetServingInfoResponse> observer) {
    long start = System.nanoTime();
    try {
      RegistryCache defs = features.definitions();
      GetServingInfoResponse.Builder b =
          GetServingInfoResponse.newBuilder()
              .setVersion(FletchServer.VERSION)
              .setProject(defs.project())
              .setMaxEntityRows(features.maxEntityRows());
      ServingCatalog catalog = defs.catalogOrNull();
      if (catalog != null) {
        b.setRegistryVersion(catalog.version());
        catalog.repo().featureViews().stream()
            .filter(v -> v.online())
            .forEach(v -> b.addFeatureViews(v.name()));
        catalog.repo().featureServices().forEach(s -> b.addFeatureServices(s.name()));
      }
      observer.onNext(b.build());
      observer.onCompleted();
      metrics.recordRequest("GetServingInfo", TRANSPORT, "OK", System.nanoTime() - start);
    } catch (RuntimeException e) {
      fail("GetServingInfo", observer, e, start, metrics);
    }
  }

  /**
   * Trailers that ask gRPC clients not to retry (a negative retry pushback, in gRPC's retry
   * design): sent when the store read was given up because the call's deadline was nearly spent,
   * where a retry could only end in a bare DEADLINE_EXCEEDED instead of this answer's reason.
   */
  private static final Metadata NO_RETRY = new Metadata();

  static {
    NO_RETRY.put(Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER), "-1");
  }

  private static boolean outOfTime(Throwable error) {
    return ErrorCodes.cause(error) instanceof UnavailableException u
        && u.getCause() instanceof TimeoutException;
  }

  private static void fail(
      String method,
      StreamObserver<?> observer,
      Throwable error,
      long start,
      ServingMetrics metrics) {
    fail(method, ServingMetrics.NO_SERVICE, observer, error, start, metrics);
  }

  private static void fail(
      String method,
      String service,
      StreamObserver<?> observer,
      Throwable error,
      long start,
      ServingMetrics metrics) {
    Status status = ErrorCodes.grpcStatus(error);
    if (status.getCode() == Status.Code.INTERNAL) {
      LOG.warn("{} failed", method, ErrorCodes.cause(error));
    }
    metrics.recordRequest(
        method, service, TRANSPORT, status.getCode().name(), System.nanoTime() - start);
    try {
      observer.onError(
          outOfTime(error) ? status.asRuntimeException(NO_RETRY) : status.asRuntimeException());
    } catch (RuntimeException ignored) {
      // the call was already cancelled by the client; nothing to tell
    }
  }

  /**
   * How long the store may take: a little less than what is left of the call's deadline, so that
   * the caller gets UNAVAILABLE (with a reason) rather than its own DEADLINE_EXCEEDED.
   */
  static Duration storeTimeout(Deadline deadline, Duration defaultTimeout) {
    if (deadline == null) {
      return defaultTimeout;
    }
    long left = deadline.timeRemaining(TimeUnit.NANOSECONDS);
    long margin = Math.min(TimeUnit.MILLISECONDS.toNanos(50), Math.max(0, left / 4));
    long timeout = Math.min(left - margin, defaultTimeout.toNanos());
    return Duration.ofNanos(Math.max(0, timeout));
  }
}
