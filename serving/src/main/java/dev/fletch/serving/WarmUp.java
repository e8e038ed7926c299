package dev.fletch.serving;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureService;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import dev.fletch.proto.serving.v1.FeatureServingGrpc;
import dev.fletch.proto.serving.v1.GetFeaturesRequest;
import dev.fletch.proto.serving.v1.GetFeaturesResponse;
import dev.fletch.proto.serving.v1.RepeatedValue;
import dev.fletch.proto.serving.v1.Value;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends GetFeatures calls of every servable shape (each online view, each feature service; one
 * entity row and a hundred) to the server's own gRPC port before health reports SERVING, so the JIT
 * has compiled the serving path (transport, request parsing, store client, answer encoding) before
 * a load balancer sends real traffic. Entity keys are made up (nothing is stored under them), so
 * the calls read the store but change nothing; they are left out of the metrics.
 */
final class WarmUp {
  private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);

  /** Marks a call as the server's own warm-up (left out of the metrics). */
  static final Metadata.Key<String> HEADER =
      Metadata.Key.of("fletch-warm-up", Metadata.ASCII_STRING_MARSHALLER);

  /** Set in a call's context when it came with {@link #HEADER} during the warm-up. */
  static final Context.Key<Boolean> CALL = Context.key("fletch-warm-up");

  private static final int IN_FLIGHT = 8;
  private static final int LARGE_ROWS = 100;

  private final Duration budget;
  private final Supplier<ServingCatalog> catalog;
  private final int maxEntityRows;
  private volatile boolean running = true;
  private volatile boolean accepting = true;

  WarmUp(Duration budget, Supplier<ServingCatalog> catalog, int maxEntityRows) {
    this.budget = requireNonNull(budget, "budget is null");
    this.catalog = requireNonNull(catalog, "catalog is null");
    this.maxEntityRows = maxEntityRows;
  }

  /** Tags warm-up calls while the warm-up runs; one volatile read per call afterwards. */
  ServerInterceptor interceptor() {
    return new ServerInterceptor() {
      @Override
      public <Q, A> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        if (accepting && headers.containsKey(HEADER)) {
          return Contexts.interceptCall(
              Context.current().withValue(CALL, Boolean.TRUE), call, headers, next);
        }
        return next.startCall(call, headers);
      }
    };
  }

  /** Whether the current call is a warm-up call. */
  static boolean isWarmUpCall() {
    return Boolean.TRUE.equals(CALL.get());
  }

  /** Ends a warm-up early (the server is closing). */
  void stop() {
    running = false;
  }

  /** What a run did, for the log and tests. */
  record Result(long calls, long errors, long millis, String skipped) {}

  /**
   * Waits for definitions (as long as it takes: health says NOT_SERVING without them anyway), then
   * calls the server over {@code channel} until the budget is spent. Never throws: a warm-up that
   * cannot run is reported in the result.
   */
  Result run(ManagedChannel channel, String authorization) {
    long start = System.nanoTime();
    try {
      ServingCatalog c = catalog.get();
      while (c == null && running) {
        Thread.sleep(50);
        c = catalog.get();
      }
      if (c == null) {
        return done(start, 0, 0, "stopped before definitions were applied");
      }
      start = System.nanoTime();
      List<GetFeaturesRequest> shapes = shapes(c.repo());
      if (shapes.isEmpty()) {
        return done(start, 0, 0, "nothing online to serve");
      }
      // The budget is for calls: building the shapes in a cold JVM can take a few hundred ms.
      long end = System.nanoTime() + budget.toNanos();
      Metadata headers = new Metadata();
      headers.put(HEADER, "1");
      if (authorization != null) {
        headers.put(ApiKeyChecks.AUTHORIZATION, authorization);
      }
      FeatureServingGrpc.FeatureServingStub stub =
          FeatureServingGrpc.newStub(channel)
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
      Semaphore slots = new Semaphore(IN_FLIGHT);
      AtomicLong calls = new AtomicLong();
      AtomicLong errors = new AtomicLong();
      int next = 0;
      while (running && System.nanoTime() < end) {
        if (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          continue;
        }
        GetFeaturesRequest request = shapes.get(next++ % shapes.size());
        stub.withDeadlineAfter(5, TimeUnit.SECONDS)
            .getFeatures(
                request,
                new StreamObserver<>() {
                  @Override
                  public void onNext(GetFeaturesResponse value) {}

                  @Override
                  public void onError(Throwable t) {
                    errors.incrementAndGet();
                    calls.incrementAndGet();
                    slots.release();
                  }

                  @Override
                  public void onCompleted() {
                    calls.incrementAndGet();
                    slots.release();
                  }
                });
      }
      slots.tryAcquire(IN_FLIGHT, 5, TimeUnit.SECONDS);
      return done(start, calls.get(), errors.get(), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return done(start, 0, 0, "interrupted");
    } catch (RuntimeException e) {
      LOG.warn("warm-up failed: {}", e.toString());
      return done(start, 0, 0, e.toString());
    }
  }

  private Result done(long start, long calls, long errors, String skipped) {
    accepting = false;
    Result r = new Result(calls, errors, (System.nanoTime() - start) / 1_000_000, skipped);
    if (skipped != null) {
      LOG.info("warm-up skipped after {} ms: {}", r.millis(), skipped);
    } else {
      LOG.info(
          "warm-up: {} GetFeatures calls in {} ms ({} failed)", r.calls(), r.millis(), r.errors());
    }
    return r;
  }

  /**
   * Requests of every shape served: {@code view:*} for each online view and each feature service
   * whose views are all online, each with one entity row and with min(100, max rows).
   */
  List<GetFeaturesRequest> shapes(FeatureRepo repo) {
    List<GetFeaturesRequest> out = new ArrayList<>();
    int large = Math.min(LARGE_ROWS, maxEntityRows);
    for (FeatureView view : repo.featureViews()) {
      if (view.online()) {
        GetFeaturesRequest.Builder b =
            GetFeaturesRequest.newBuilder().addFeatures(view.name() + ":*");
        addShapes(out, b, keys(repo, List.of(view)), List.of(), large);
      }
    }
    for (FeatureService service : repo.featureServices()) {
      List<FeatureView> views = new ArrayList<>();
      List<String> requestFields = new ArrayList<>();
      boolean servable = true;
      for (var ref : repo.resolveService(service.name())) {
        var odfv = repo.findOnDemandView(ref.view());
        List<FeatureView> read =
            odfv.isPresent() ? repo.baseViews(odfv.get()) : List.of(repo.view(ref.view()));
        odfv.ifPresent(o -> collectRequestFields(repo, o, requestFields));
        for (FeatureView v : read) {
          servable &= v.online();
          if (!views.contains(v)) {
            views.add(v);
          }
        }
      }
      if (servable) {
        GetFeaturesRequest.Builder b =
            GetFeaturesRequest.newBuilder().setFeatureService(service.name());
        addShapes(out, b, keys(repo, views), requestFields, large);
      }
    }
    return out;
  }

  /** The request fields an on-demand view and those it reads take (sent as nulls to warm up). */
  private static void collectRequestFields(
      FeatureRepo repo, dev.fletch.core.model.OnDemandFeatureView odfv, List<String> out) {
    for (var f : odfv.requestFields()) {
      if (!out.contains(f.name())) {
        out.add(f.name());
      }
    }
    for (String v : odfv.views()) {
      repo.findOnDemandView(v).ifPresent(o -> collectRequestFields(repo, o, out));
    }
  }

  private static Map<String, JoinKey> keys(FeatureRepo repo, List<FeatureView> views) {
    Map<String, JoinKey> keys = new LinkedHashMap<>();
    for (FeatureView v : views) {
      for (JoinKey k : repo.joinKeys(v)) {
        keys.putIfAbsent(k.name(), k);
      }
    }
    return keys;
  }

  private static void addShapes(
      List<GetFeaturesRequest> out,
      GetFeaturesRequest.Builder base,
      Map<String, JoinKey> keys,
      List<String> requestFields,
      int large) {
    for (int rows : large > 1 ? new int[] {1, large} : new int[] {1}) {
      GetFeaturesRequest.Builder b = base.clone();
      for (String field : requestFields) {
        RepeatedValue.Builder column = RepeatedValue.newBuilder();
        for (int i = 0; i < rows; i++) {
          column.addValues(Value.getDefaultInstance());
        }
        b.putEntities(field, column.build());
      }
      for (JoinKey k : keys.values()) {
        RepeatedValue.Builder column = RepeatedValue.newBuilder();
        for (int i = 0; i < rows; i++) {
          column.addValues(madeUp(k, i));
        }
        b.putEntities(k.name(), column.build());
      }
      out.add(b.build());
    }
  }

  /** A key value of the join key's type that no real entity is likely to have. */
  private static Value madeUp(JoinKey key, int i) {
    return switch (key.type()) {
      case STRING -> Value.newBuilder().setStringValue("fletch-warm-up-" + i).build();
      case INT32 -> Value.newBuilder().setInt64Value(Integer.MIN_VALUE + i).build();
      default -> Value.newBuilder().setInt64Value(Long.MIN_VALUE + i).build();
    };
  }
}
