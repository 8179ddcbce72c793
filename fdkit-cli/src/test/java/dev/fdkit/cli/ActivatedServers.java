package dev.fdkit.cli;

import dev.fdkit.internal.FdCalls;
import dev.fdkit.spawn.ListenFds;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Socket-activated HTTP servers, run by {@link SocketActivationTest} under systemd-socket-activate: each takes its
 * listening socket from {@link ListenFds#inherited()}, answers one request with what it was given, and exits.
 * Argument "netty": through Netty's epoll transport; "inherited-channel": through System.inheritedChannel().
 */
public final class ActivatedServers {
    private ActivatedServers() {}

    public static void main(String[] args) throws Exception {
        List<ListenFds.Fd> fds = ListenFds.inherited(true);
        if (fds.size() != 1 || !fds.get(0).listening()) {
            System.err.println("expected one listening socket, got " + fds);
            System.exit(2);
        }
        ListenFds.Fd fd = fds.get(0);
        String body = args[0] + " server: fd=" + fd.fd() + " name=" + fd.name() + " family=" + fd.family()
                + " type=" + fd.type() + " listening=" + fd.listening() + "\n";
        switch (args[0]) {
            case "netty" -> netty(fd.fd(), response(body));
            case "inherited-channel" -> inheritedChannel(fd.fd(), response(body));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static byte[] response(String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return ("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + b.length
                + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Netty adopts the bound, listening socket: no bind(), systemd-socket-activate did it. The socket comes in
     * blocking mode, and an event loop's accept loop runs until EAGAIN: non-blocking first.
     */
    private static void netty(int fd, byte[] response) throws InterruptedException, IOException {
        int flags = FdCalls.fcntl(fd, FdCalls.F_GETFL, 0);
        if (flags < 0 || FdCalls.fcntl(fd, FdCalls.F_SETFL, flags | FdCalls.O_NONBLOCK) < 0) {
            throw new IOException("cannot make descriptor " + fd + " non-blocking");
        }
        CountDownLatch answered = new CountDownLatch(1);
        EpollEventLoopGroup group = new EpollEventLoopGroup(1);
        try {
            ServerBootstrap b = new ServerBootstrap().group(group)
                    .channelFactory(() -> new EpollServerSocketChannel(fd))
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ReferenceCountUtil.release(msg);
                            ctx.writeAndFlush(Unpooled.wrappedBuffer(response))
                                    .addListener(ChannelFutureListener.CLOSE)
                                    .addListener(f -> answered.countDown());
                        }
                    });
            b.register().sync();
            answered.await();
        } finally {
            group.shutdownGracefully().sync();
        }
    }

    /** The JDK serves a listening socket on descriptor 0 as System.inheritedChannel(): move it there first. */
    private static void inheritedChannel(int fd, byte[] response) throws IOException {
        if (FdCalls.dup2(fd, 0) < 0) throw new IOException("dup2(" + fd + ", 0) failed");
        Channel inherited = System.inheritedChannel();
        if (!(inherited instanceof ServerSocketChannel server)) {
            throw new IOException("System.inheritedChannel() is " + inherited + ", not a ServerSocketChannel");
        }
        try (var conn = server.accept()) {
            conn.read(ByteBuffer.allocate(4096));
            ByteBuffer out = ByteBuffer.wrap(response);
            while (out.hasRemaining()) conn.write(out);
        }
    }
}
