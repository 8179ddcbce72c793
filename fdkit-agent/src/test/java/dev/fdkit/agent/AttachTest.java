package dev.fdkit.agent;

import dev.fdkit.cli.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 'fdkit agent attach', 'fdkit agent status' and 'fdkit ls --stacks' against a running, unmodified JVM. */
class AttachTest {
    private Process target;
    private Path targetErr;
    private PrintWriter toTarget;
    private BufferedReader fromTarget;

    @BeforeEach
    void startTarget(org.junit.jupiter.api.TestInfo test) throws Exception {
        targetErr = Files.createTempFile("fdkit-agent-target", ".err");
        String dynamic = test.getTestMethod().orElseThrow().getName().startsWith("aJvmThatForbids")
                ? "-XX:-EnableDynamicAgentLoading" : "-XX:+EnableDynamicAgentLoading";
        target = new ProcessBuilder(ChildJvm.command(List.of(dynamic), AgentTarget.class))
                .redirectError(targetErr.toFile()).start();
        toTarget = new PrintWriter(target.getOutputStream(), true);
        fromTarget = new BufferedReader(new InputStreamReader(target.getInputStream()));
        assertEquals("ready", fromTarget.readLine());
    }

    @AfterEach
    void stopTarget() throws Exception {
        toTarget.close();
        if (!target.waitFor(20, TimeUnit.SECONDS)) target.destroyForcibly().waitFor();
        Files.delete(targetErr);
    }

    private String ask(String command) throws IOException {
        toTarget.println(command);
        return fromTarget.readLine();
    }

    private ChildJvm.Result fdkit(String... args) throws Exception {
        return ChildJvm.run(List.of("--enable-native-access=ALL-UNNAMED"), Main.class, args);
    }

    @Test
    void attachRoutesLaterStartsAndNamesTheLibraryLineThatLeakedASocket() throws Exception {
        String pid = Long.toString(target.pid());
        ChildJvm.Result none = fdkit("agent", "status", pid);
        assertNotEquals(0, none.exit());
        assertTrue(none.err().contains("does not run the fdkit agent"), none.err());

        ChildJvm.Result attach = fdkit("agent", "attach", pid, "--jar", ChildJvm.agentJar().toString());
        assertEquals(0, attach.exit(), attach.err());
        assertEquals("ok", ask("spawn 3"));
        ChildJvm.Result status = fdkit("agent", "status", pid);
        assertEquals(0, status.exit(), status.err());
        assertTrue(status.out().contains("routed starts      3"), status.out());
        assertTrue(status.out().contains("spawn=on,stacks=on"), status.out());
        // The JMX connector started for status loads EPollPort, which the agent rewrites as it loads.
        assertFalse(status.out().contains("error:"), status.out());

        String port = ask("leak").substring(3);
        ChildJvm.Result ls = fdkit("ls", pid, "--stacks");
        assertEquals(0, ls.exit(), ls.err());
        List<String> lines = ls.lines();
        int row = -1;
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains("127.0.0.1:" + port + " ->")) row = i;
        assertTrue(row >= 0, "no row for the leaked socket (local port " + port + "):\n" + ls.out());
        assertTrue(lines.get(row + 1).contains("opened by Socket.<init>"), ls.out());
        assertTrue(lines.get(row + 2).contains("at dev.fdkit.agent.LeakyLibrary.connect(LeakyLibrary.java:" + leakLine() + ")"),
                lines.get(row + 2));
        // The JVM's own runtime image was open before the attach: not blamed on anyone.
        assertTrue(ls.out().matches("(?s).*/lib/modules\\n\\s+opened outside Java\\n.*"), ls.out());

        ChildJvm.Result json = fdkit("ls", pid, "--stacks", "--json", "--type", "tcp,tcp6");
        assertEquals(0, json.exit(), json.err());
        assertTrue(json.out().contains("\"frames\":[\"dev.fdkit.agent.LeakyLibrary.connect(LeakyLibrary.java:" + leakLine() + ")\""),
                json.out());

        ChildJvm.Result again = fdkit("agent", "attach", pid, "--jar", ChildJvm.agentJar().toString());
        assertNotEquals(0, again.exit());
        assertTrue(again.err().contains("failed to start in process " + pid), again.err());
        assertTrue(Files.readString(targetErr).contains("the fdkit agent already runs in this JVM with spawn=on"),
                Files.readString(targetErr));
    }

    @Test
    void badOptionsAreRefusedBeforeTheTargetIsTouched() throws Exception {
        ChildJvm.Result r = fdkit("agent", "attach", Long.toString(target.pid()), "stacks=yes", "--jar",
                ChildJvm.agentJar().toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("fdkit agent option stacks=yes is not one of on, off"), r.err());
        assertTrue(fdkit("agent", "status", Long.toString(target.pid())).err().contains("does not run the fdkit agent"));
    }

    @Test
    void aJvmThatForbidsDynamicAgentsIsNamedWithTheWayToEnableThem() throws Exception {
        ChildJvm.Result r = fdkit("agent", "attach", Long.toString(target.pid()), "--jar", ChildJvm.agentJar().toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("refused the agent") && r.err().contains("start it with -XX:+EnableDynamicAgentLoading"),
                r.err());
        assertEquals("ok", ask("spawn 1"), "the target keeps running");
    }

    private static int leakLine() throws IOException {
        List<String> src = Files.readAllLines(Path.of("src/test/java/dev/fdkit/agent/LeakyLibrary.java"));
        for (int i = 0; i < src.size(); i++) if (src.get(i).contains("// LEAK LINE")) return i + 1;
        throw new AssertionError("no LEAK LINE marker");
    }
}
