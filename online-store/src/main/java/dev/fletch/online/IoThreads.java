package dev.fletch.online;

import static java.util.Objects.requireNonNull;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;

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
}
