package dev.fdkit.agent;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each way the JDK opens a descriptor, recorded with the caller's frame; reused numbers are not misattributed. */
class OpenerStacksTest {
    private static final String NATIVE = "--enable-native-access=ALL-UNNAMED";
    private static ChildJvm.Result run;

    @BeforeAll
    static void runScenario() throws Exception {
        run = ChildJvm.run(List.of(NATIVE, ChildJvm.javaagent("spawn=off")), OpenerScenario.class);
        assertEquals(0, run.exit(), run.out() + run.err());
    }

    @Test
    void everyOpenerKindIsRecordedWithTheCallingMethod() {
        Set<String> kinds = new TreeSet<>();
        for (String line : run.lines()) {
            if (line.startsWith("reuse ")) continue;
            String[] parts = line.split(" \\| ", -1);
            String kind = parts[0].substring(0, parts[0].indexOf(' '));
            kinds.add(kind);
            assertTrue(!parts[0].endsWith(" -"), "nothing opened for " + kind + ":\n" + run.out());
            String method = "open" + switch (kind) {
                case "ServerSocket.accept" -> "Accepted";
                case "ServerSocketChannel.accept" -> "NioAccepted";
                case "Files.newByteChannel" -> "NewByteChannel";
                case "Files.newInputStream" -> "NewInputStream";
                case "Files.newOutputStream" -> "NewOutputStream";
                default -> kind;
            };
            assertTrue(parts[2].startsWith("dev.fdkit.agent.OpenerScenario." + method + "(")
                            || parts[2].startsWith("dev.fdkit.agent.OpenerScenario." + method + "Only("),
                    kind + ": " + line + "\n" + run.out() + run.err());
        }
        assertEquals(20, kinds.size(), kinds.toString());
    }

    @Test
    void aNumberClosedAndReopenedOutsideJavaIsNotBlamedOnTheOldOpener() {
        assertTrue(run.lines().contains("reuse native-close true | " + OpenDescriptor.OUTSIDE_JAVA), run.out());
    }

    @Test
    void aNumberClosedThroughTheJdkLosesItsRecordEvenIfTheSameFileReturns() {
        assertTrue(run.lines().contains("reuse java-close true | " + OpenDescriptor.OUTSIDE_JAVA), run.out());
    }

    @Test
    void aNumberClosedByTheCleanerLosesItsRecordEvenIfTheSameFileReturns() {
        assertTrue(run.lines().contains("reuse cleaner-close true true | " + OpenDescriptor.OUTSIDE_JAVA), run.out());
    }

    /**
     * The documented limit: the same file reopened at the same number by native code after a native close looks
     * like the descriptor Java opened (same mount and inode, and Linux shows nothing else of an open file).
     */
    @Test
    void theSameFileClosedAndReopenedOutsideJavaKeepsTheJavaOpener() {
        assertTrue(run.lines().contains("reuse native-close-same-file true | FileInputStream.<init>"), run.out());
    }

    @Test
    void excludedPackagesAndPackagesNotIncludedAreNotRecorded() throws Exception {
        for (String filter : List.of("exclude=dev.fdkit.agent", "include=org.example.elsewhere")) {
            ChildJvm.Result r = ChildJvm.run(List.of(NATIVE, ChildJvm.javaagent("spawn=off," + filter)),
                    OpenerScenario.class);
            assertEquals(0, r.exit(), r.err());
            List<String> fileLines = r.lines().stream().filter(l -> l.startsWith("FileInputStream ")).toList();
            assertEquals(1, fileLines.size(), r.out());
            assertTrue(fileLines.getFirst().contains("| " + OpenDescriptor.OUTSIDE_JAVA + " |"), filter + ": " + r.out());
        }
    }
}
