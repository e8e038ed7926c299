package dev.fletch.serving;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ServerChannel;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cap on the TCP connections a server holds open, shared by its HTTP and gRPC ports: a socket
 * accepted beyond it is closed at once, before any protocol (TLS, HTTP/2) is spoken on it, so that
 * a flood of idle connections cannot use up the process's file descriptors and stop both ports.
 *
 * <p>It sits on each listening socket's own pipeline, ahead of the acceptor that would hand the
 * socket to a protocol, and counts every accepted socket until it is closed, whether or not it ever
 * sends a byte (which is what an HTTP server's connection callbacks miss).
 *
 * <p>Metrics: {@code fletch_serving_connections{transport}} open now, {@code
 * fletch_serving_connections_refused_total} closed at once because the cap was reached.
 */
final class ConnectionLimit {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimit.class);
  private static final long LOG_EVERY_NANOS = 60_000_000_000L;

  private final int max;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger openHttp = new AtomicInteger();
  private final AtomicInteger openGrpc = new AtomicInteger();
  private final Counter refused;
  private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

  /**
   * @param max the most connections open at once over both ports; 0 for no cap (they are still
   *     counted)
   */
  ConnectionLimit(int max, MeterRegistry registry) {
    if (max < 0) {
      throw new IllegalArgumentException("max connections must be 0 (no cap) or more: " + max);
    }
    this.max = max;
    Gauge.builder("fletch.serving.connections", openHttp, AtomicInteger::get)
        .description("TCP connections open now")
        .tag("transport", "http")
        .register(registry);
    Gauge.builder("fletch.serving.connections", openGrpc, AtomicInteger::get)
        .description("TCP connections open now")
        .tag("transport", "grpc")
        .register(registry);
    refused =
        Counter.builder("fletch.serving.connections.refused")
            .description("Connections closed at once because the connection cap was reached")
            .register(registry);
  }

  /** The cap (0: none). */
  int max() {
    return max;
  }

  /** Connections open now over both ports. */
  int open() {
    return open.get();
  }

  /** Connections refused since start. */
  long refused() {
    return (long) refused.count();
  }

  /** Wraps a listening-socket factory so that every socket it makes is counted and capped. */
  <C extends ServerChannel> ChannelFactory<C> wrap(ChannelFactory<C> factory, boolean http) {
    ChannelHandler handler = new Acceptor(http ? openHttp : openGrpc);
    return () -> {
      C channel = factory.newChannel();
      channel.pipeline().addFirst("fletch-connection-limit", handler);
      return channel;
    };
  }

  @ChannelHandler.Sharable
  private final class Acceptor extends ChannelInboundHandlerAdapter {
    private final AtomicInteger openHere;

    Acceptor(AtomicInteger openHere) {
      this.openHere = openHere;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof Channel child)) {
        ctx.fireChannelRead(msg);
        return;
      }
      if (open.incrementAndGet() > max && max > 0) {
        open.decrementAndGet();
        refused.increment();
        // Not yet registered with a loop: closed on the spot, nothing was read from it.
        child.unsafe().closeForcibly();
        long now = System.nanoTime();
        long last = lastLog.get();
        if (now - last >= LOG_EVERY_NANOS && lastLog.compareAndSet(last, now)) {
          LOG.warn(
              "connection cap of {} reached: new connections are closed at once ({} refused"
                  + " since start); raise --max-connections or find the client that holds them",
              max,
              refused());
        }
        return;
      }
      openHere.incrementAndGet();
      child
          .closeFuture()
          .addListener(
              f -> {
                open.decrementAndGet();
                openHere.decrementAndGet();
              });
      ctx.fireChannelRead(child);
    }
  }
}
