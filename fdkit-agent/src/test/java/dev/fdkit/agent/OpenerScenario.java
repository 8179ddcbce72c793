package dev.fdkit.agent;

import dev.fdkit.Fds;
import dev.fdkit.internal.FdCalls;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.zip.ZipFile;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;

/**
 * Run in a child JVM with the agent: opens one descriptor (or a few) of each kind the JDK offers, each in a method
 * of its own, and prints for every new descriptor "KIND FD | OPENED-BY | FIRST FRAME" as the agent's MBean reports
 * it. Then two reused numbers: "reuse ..." lines.
 */
public final class OpenerScenario {
    interface Opening {
        Object open() throws Exception;
    }

    private static final List<Object> KEEP = new ArrayList<>(); // nothing is closed by a Cleaner meanwhile
    private static Path dir;

    public static void main(String[] args) throws Exception {
        dir = Files.createTempDirectory("fdkit-openers");
        Path file = dir.resolve("data.bin");
        Files.write(file, new byte[64]);
        Path zip = dir.resolve("a.jar");
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new java.util.zip.ZipEntry("x"));
            out.write(1);
        }
        ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        ServerSocketChannel nioServer = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        KEEP.add(server);
        KEEP.add(nioServer);

        Map<String, List<Integer>> opened = new LinkedHashMap<>();
        opened.put("FileInputStream", during(() -> openFileInputStream(file)));
        opened.put("FileOutputStream", during(() -> openFileOutputStream(file)));
        opened.put("RandomAccessFile", during(() -> openRandomAccessFile(file)));
        opened.put("FileChannel", during(() -> openFileChannel(file)));
        opened.put("Files.newByteChannel", during(() -> openNewByteChannel(file)));
        opened.put("Files.newInputStream", during(() -> openNewInputStream(file)));
        opened.put("Files.newOutputStream", during(() -> openNewOutputStream(file)));
        opened.put("ZipFile", during(() -> openZipFile(zip)));
        Path jar = Files.copy(zip, dir.resolve("b.jar")); // ZipFile shares one descriptor per file
        opened.put("JarFile", during(() -> openJarFile(jar)));
        opened.put("Socket", during(() -> openSocket(server.getLocalPort())));
        opened.put("ServerSocket.accept", during(() -> openAccepted(server)));
        opened.put("ServerSocket", during(OpenerScenario::openServerSocket));
        opened.put("SocketChannel", during(() -> openSocketChannel(nioServer)));
        opened.put("ServerSocketChannel.accept", during(() -> openNioAccepted(nioServer)));
        opened.put("Selector", during(OpenerScenario::openSelector));
        opened.put("Pipe", during(OpenerScenario::openPipe));
        opened.put("AsynchronousFileChannel", during(() -> openAsynchronousFileChannel(file)));
        opened.put("AsynchronousSocketChannel", during(OpenerScenario::openAsynchronousSocketChannel));
        opened.put("DatagramChannel", during(OpenerScenario::openDatagramChannel));
        opened.put("DatagramSocket", during(OpenerScenario::openDatagramSocket));

        Map<Integer, CompositeData> agent = agentView();
        opened.forEach((kind, fds) -> {
            if (fds.isEmpty()) System.out.println(kind + " - | nothing opened |");
            for (int fd : fds) {
                CompositeData cd = agent.get(fd);
                String[] frames = cd == null ? new String[0] : (String[]) cd.get("frames");
                System.out.println(kind + " " + fd + " | " + (cd == null ? "absent" : cd.get("openedBy")) + " | "
                        + (frames.length == 0 ? "" : frames[0]));
            }
        });
        reuse(file, dir.resolve("other.bin"));
    }

    /** The descriptors {@code o} opened (new numbers afterwards). */
    private static List<Integer> during(Opening o) throws Exception {
        int[] before = Fds.numbers();
        KEEP.add(o.open());
        int[] after = Fds.numbers();
        List<Integer> fresh = new ArrayList<>();
        for (int fd : after) if (Arrays.binarySearch(before, fd) < 0) fresh.add(fd);
        return fresh;
    }

    static Object openFileInputStream(Path f) throws Exception { return new FileInputStream(f.toFile()); }
    static Object openFileOutputStream(Path f) throws Exception { return new FileOutputStream(f.toFile(), true); }
    static Object openRandomAccessFile(Path f) throws Exception { return new RandomAccessFile(f.toFile(), "r"); }
    static Object openFileChannel(Path f) throws Exception { return FileChannel.open(f, StandardOpenOption.READ); }
    static Object openNewByteChannel(Path f) throws Exception { return Files.newByteChannel(f); }
    static Object openNewInputStream(Path f) throws Exception { return Files.newInputStream(f); }
    static Object openNewOutputStream(Path f) throws Exception { return Files.newOutputStream(f, StandardOpenOption.APPEND); }
    static Object openZipFile(Path z) throws Exception { return new ZipFile(z.toFile()); }
    static Object openJarFile(Path z) throws Exception { return new JarFile(z.toFile()); }
    static Object openSocket(int port) throws Exception { return new Socket("127.0.0.1", port); }
    static Object openServerSocket() throws Exception { return new ServerSocket(0); }
    static Object openSelector() throws Exception { return Selector.open(); }
    static Object openPipe() throws Exception { return Pipe.open(); }
    static Object openDatagramChannel() throws Exception { return DatagramChannel.open(); }
    static Object openDatagramSocket() throws Exception { return new DatagramSocket(); }

    static Object openAccepted(ServerSocket server) throws Exception {
        KEEP.add(new Socket("127.0.0.1", server.getLocalPort())); // its own record: only the accepted one is checked
        return openAcceptedOnly(server);
    }

    private static Object openAcceptedOnly(ServerSocket server) throws Exception {
        return server.accept();
    }

    static Object openSocketChannel(ServerSocketChannel server) throws Exception {
        return SocketChannel.open(server.getLocalAddress());
    }

    static Object openNioAccepted(ServerSocketChannel server) throws Exception {
        KEEP.add(SocketChannel.open(server.getLocalAddress()));
        return server.accept();
    }

    static Object openAsynchronousFileChannel(Path f) throws Exception {
        return AsynchronousFileChannel.open(f, StandardOpenOption.READ);
    }

    static Object openAsynchronousSocketChannel() throws Exception {
        AsynchronousServerSocketChannel server = AsynchronousServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        KEEP.add(server);
        AsynchronousSocketChannel client = AsynchronousSocketChannel.open();
        client.connect(server.getLocalAddress()).get();
        KEEP.add(server.accept().get());
        return client;
    }

    /**
     * A number the JDK opened, then closed and reopened behind its back: natively closed and natively reopened on
     * another file; and closed through the JDK, then natively reopened on the same file (same inode).
     */
    private static void reuse(Path file, Path other) throws Exception {
        Files.write(other, new byte[1]);
        int fd = during(() -> new FileInputStream(file.toFile())).getFirst(); // kept: its Cleaner must not close fd
        FdCalls.close(fd);
        int again = FdCalls.open(other.toString(), FdCalls.O_RDONLY | FdCalls.O_CLOEXEC, 0);
        System.out.println("reuse native-close " + (again == fd) + " | " + openedBy(again));

        FileInputStream[] in = new FileInputStream[1];
        int fd2 = during(() -> in[0] = new FileInputStream(file.toFile())).getFirst();
        in[0].close();
        int again2 = FdCalls.open(file.toString(), FdCalls.O_RDONLY | FdCalls.O_CLOEXEC, 0);
        System.out.println("reuse java-close " + (again2 == fd2) + " | " + openedBy(again2));

        int fd3 = openUnreachable(file);
        System.out.println("reuse cleaner-close " + closedByCleaner(fd3) + " "
                + (FdCalls.open(file.toString(), FdCalls.O_RDONLY | FdCalls.O_CLOEXEC, 0) == fd3) + " | " + openedBy(fd3));

        // The limit the README states: natively closed and natively reopened on the same file.
        int fd4 = during(() -> new FileInputStream(file.toFile())).getFirst();
        FdCalls.close(fd4);
        int again4 = FdCalls.open(file.toString(), FdCalls.O_RDONLY | FdCalls.O_CLOEXEC, 0);
        System.out.println("reuse native-close-same-file " + (again4 == fd4) + " | " + openedBy(again4));
    }

    /** A FileInputStream nothing refers to once this returns: only its Cleaner closes it. */
    private static int openUnreachable(Path file) throws Exception {
        int[] before = Fds.numbers();
        new FileInputStream(file.toFile()).getChannel(); // used, then dropped
        for (int fd : Fds.numbers()) if (Arrays.binarySearch(before, fd) < 0) return fd;
        throw new AssertionError("FileInputStream opened nothing");
    }

    /** Collects garbage until {@code fd} is closed; false if it stays open through 200 rounds. */
    private static boolean closedByCleaner(int fd) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            System.gc();
            Thread.sleep(10);
            if (FdCalls.fcntl(fd, FdCalls.F_GETFD, 0) < 0) return true;
        }
        return false;
    }

    private static Map<Integer, CompositeData> agentView() throws Exception {
        Map<Integer, CompositeData> out = new HashMap<>();
        for (CompositeData cd : (CompositeData[]) ManagementFactory.getPlatformMBeanServer()
                .getAttribute(new ObjectName("dev.fdkit:type=Agent"), "OpenDescriptors")) {
            out.put((Integer) cd.get("fd"), cd);
        }
        return out;
    }

    private static String openedBy(int fd) throws Exception {
        CompositeData cd = agentView().get(fd);
        return cd == null ? "absent" : (String) cd.get("openedBy");
    }
}
