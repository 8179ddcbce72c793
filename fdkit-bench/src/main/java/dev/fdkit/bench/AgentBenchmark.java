package dev.fdkit.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.FileInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * What the fdkit agent costs and saves, run once without it and once per agent setting through JMH's
 * {@code -jvmArgsAppend -javaagent:fdkit-agent.jar=...} (see docs/BENCHMARKS.md): opening and closing a file,
 * connecting and closing a socket, and a plain ProcessBuilder start of /bin/true with N descriptors open.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
public class AgentBenchmark {
    /** Extra descriptors open in the JVM while each operation runs. */
    @Param({"10", "16000"})
    public int n;

    private FdBlock block;
    private ServerSocketChannel server;
    private Thread acceptor;

    /** JMH instantiates the state. */
    public AgentBenchmark() {}

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        block = FdBlock.aboveJvm();
        block.open(n);
        server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 1024);
        // Accepts and closes at once, so connects never wait on a full backlog.
        acceptor = Thread.ofPlatform().daemon().start(() -> {
            while (server.isOpen()) {
                try (SocketChannel c = server.accept()) {
                    c.configureBlocking(true);
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    @Benchmark
    public int fileOpenClose() throws IOException {
        try (FileInputStream in = new FileInputStream("/etc/hostname")) {
            return in.available();
        }
    }

    @Benchmark
    public int socketConnectClose() throws IOException {
        try (Socket s = new Socket()) {
            s.setSoLinger(true, 0); // closes with a reset: no TIME_WAIT to run out of local ports
            s.connect(server.getLocalAddress());
            return s.getLocalPort();
        }
    }

    @Benchmark
    public int processBuilderStart() throws IOException, InterruptedException {
        return new ProcessBuilder(SpawnMethod.PROGRAM).inheritIO().start().waitFor();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException, InterruptedException {
        server.close();
        acceptor.join(5000);
        block.closeAll();
    }
}
