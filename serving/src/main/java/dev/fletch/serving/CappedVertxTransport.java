package dev.fletch.serving;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.TcpConfig;
import io.vertx.core.transport.Transport;
import java.util.concurrent.ThreadFactory;

/**
 * Vert.x's NIO transport with the server's {@link ConnectionLimit} on every listening socket it
 * opens (Vert.x has no connection cap of its own, and its connection callbacks do not see a socket
 * that never sends a byte). Everything else is Vert.x's own transport, unchanged.
 */
final class CappedVertxTransport implements Transport {
  private final io.vertx.core.spi.transport.Transport nio = Transport.NIO.implementation();
  private final ConnectionLimit limit;
  private final io.vertx.core.spi.transport.Transport capped = new Capped();

  CappedVertxTransport(ConnectionLimit limit) {
    this.limit = limit;
  }

  @Override
  public String name() {
    return "nio";
  }

  @Override
  public boolean available() {
    return nio.isAvailable();
  }

  @Override
  public Throwable unavailabilityCause() {
    return nio.unavailabilityCause();
  }

  @Override
  public io.vertx.core.spi.transport.Transport implementation() {
    return capped;
  }

  private final class Capped implements io.vertx.core.spi.transport.Transport {
    @Override
    public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
      ChannelFactory<? extends ServerChannel> f = nio.serverChannelFactory(domainSocket);
      return domainSocket ? f : limit.wrap(f, true);
    }

    @Override
    public boolean supportsDomainSockets() {
      return nio.supportsDomainSockets();
    }

    @Override
    public boolean supportFileRegion() {
      return nio.supportFileRegion();
    }

    @Override
    public boolean isAvailable() {
      return nio.isAvailable();
    }

    @Override
    public Throwable unavailabilityCause() {
      return nio.unavailabilityCause();
    }

    @Override
    public java.net.SocketAddress convert(SocketAddress address) {
      return nio.convert(address);
    }

    @Override
    public SocketAddress convert(java.net.SocketAddress address) {
      return nio.convert(address);
    }

    @Override
    public IoHandlerFactory ioHandlerFactory() {
      return nio.ioHandlerFactory();
    }

    @Override
    public EventLoopGroup eventLoopGroup(
        int type, int threads, ThreadFactory threadFactory, int ioRatio) {
      return nio.eventLoopGroup(type, threads, threadFactory, ioRatio);
    }

    @Override
    public DatagramChannel datagramChannel(InternetProtocolFamily family) {
      return nio.datagramChannel(family);
    }

    @Override
    public ChannelFactory<? extends DatagramChannel> datagramChannelFactory() {
      return nio.datagramChannelFactory();
    }

    @Override
    public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
      return nio.channelFactory(domainSocket);
    }

    @Override
    public void configure(DatagramChannel channel, DatagramSocketOptions options) {
      nio.configure(channel, options);
    }

    @Override
    public void configure(TcpConfig config, boolean domainSocket, Bootstrap bootstrap) {
      nio.configure(config, domainSocket, bootstrap);
    }

    @Override
    public void configure(TcpConfig config, boolean domainSocket, ServerBootstrap bootstrap) {
      nio.configure(config, domainSocket, bootstrap);
    }
  }
}
