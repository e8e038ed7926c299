package dev.fletch.serving;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;

/**
 * A blocking OutputStream over a chunked Vert.x response, for a worker thread. It sends 64 KiB
 * chunks and waits while Vert.x's write queue is full, so a slow reader slows the producer instead
 * of growing the heap. Headers (status 200 and the content type) go out with the first chunk, so
 * that a failure before any output can still be answered with an error status.
 */
final class ResponseOutputStream extends OutputStream {
  private static final int CHUNK = 64 * 1024;

  private final HttpServerResponse response;
  private final String contentType;
  private final Object drained = new Object();
  private byte[] buffer = new byte[CHUNK];
  private int size;
  private boolean started;
  private boolean closed;

  ResponseOutputStream(HttpServerResponse response, String contentType) {
    this.response = response;
    this.contentType = contentType;
  }

  boolean started() {
    return started;
  }

  @Override
  public void write(int b) throws IOException {
    if (size == CHUNK) {
      sendChunk();
    }
    buffer[size++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      if (size == CHUNK) {
        sendChunk();
      }
      int n = Math.min(len, CHUNK - size);
      System.arraycopy(b, off, buffer, size, n);
      size += n;
      off += n;
      len -= n;
    }
  }

  private void sendChunk() throws IOException {
    if (response.closed()) {
      throw new IOException("the client closed the connection");
    }
    if (!started) {
      started = true;
      response.setChunked(true).setStatusCode(200).putHeader("content-type", contentType);
      response.drainHandler(
          v -> {
            synchronized (drained) {
              drained.notifyAll();
            }
          });
    }
    response.write(Buffer.buffer(buffer).slice(0, size));
    buffer = new byte[CHUNK];
    size = 0;
    synchronized (drained) {
      while (response.writeQueueFull() && !response.closed()) {
        try {
          drained.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while the client was slow to read");
        }
      }
    }
  }

  /** Sends what is buffered and ends the response. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (size > 0 || !started) {
      if (!started) {
        started = true;
        response.setChunked(true).setStatusCode(200).putHeader("content-type", contentType);
      }
      response.end(Buffer.buffer(buffer).slice(0, size));
    } else {
      response.end();
    }
  }
}
