package dev.fletch.online;

import static java.util.Objects.requireNonNull;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Netty event loops an online store does its network I/O on, offered so that a server can run
 * its own connections on the same threads. A request read on one of these threads then asks the
 * store and writes its answer without any hand-off between threads: the store routes a command
 * issued on loop <i>L</i> to its connection that lives on <i>L</i>.
 *
 * <p>The store owns the loops: a server that borrows them must stop before the store is closed.
 *
 * @param group the event loops
 * @param serverChannel the server socket channel type that runs on them (epoll or NIO)
 */
public record IoThreads(EventLoopGroup group, Class<? extends ServerChannel> serverChannel) {
  public IoThreads {
    requireNonNull(group, "group is null");
    requireNonNull(serverChannel, "serverChannel is null");
  }

  /**
   * New event loops of daemon threads named {@code <name>-1, <name>-2, ...}: native epoll where the
   * platform has it, NIO elsewhere. The caller owns them ({@code group().shutdownGracefully()}).
   */
  public static IoThreads create(String name, int threads) {
    requireNonNull(name, "name is null");
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory =
        r -> {
          Thread t = new Thread(r, name + "-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    if (Epoll.isAvailable()) {
      return new IoThreads(
          new MultiThreadIoEventLoopGroup(threads, factory, EpollIoHandler.newFactory()),
          EpollServerSocketChannel.class);
    }
    return new IoThreads(
        new MultiThreadIoEventLoopGroup(threads, factory, NioIoHandler.newFactory()),
        NioServerSocketChannel.class);
  }
}
