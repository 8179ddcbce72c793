package dev.fdkit.spawn;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * What the differential suite cannot compare for startPipeline because the JDK does otherwise: a failed pipeline
 * leaves no descriptor behind (the JDK's keeps the read end of the pipe out of the last stage it started), and the
 * builders can start another pipeline (the JDK's are changed by the first).
 */
class PipelineTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    @Timeout(60)
    void aFailedPipelineLeavesNoDescriptor(SpawnMechanism m) throws Exception {
        File missing = dir.resolve("missing").toFile();
        new FdProcessBuilder("true").mechanism(m).start().waitFor(); // the first start may open descriptors for good
        Set<Integer> before = TestSupport.openFds();
        for (int i = 0; i < 5; i++) {
            assertThrows(IOException.class, () -> FdProcessBuilder.startPipeline(List.of(
                    new FdProcessBuilder("true").mechanism(m), new FdProcessBuilder("fdkit-no-such-program").mechanism(m),
                    new FdProcessBuilder("cat").mechanism(m))));
            assertThrows(IllegalArgumentException.class, () -> FdProcessBuilder.startPipeline(List.of(
                    new FdProcessBuilder("true").mechanism(m),
                    new FdProcessBuilder("cat").mechanism(m).redirectOutput(Redirect.DISCARD),
                    new FdProcessBuilder("cat").mechanism(m))));
            assertThrows(IOException.class, () -> FdProcessBuilder.startPipeline(List.of(
                    new FdProcessBuilder("true").mechanism(m),
                    new FdProcessBuilder("cat").mechanism(m).redirectOutput(new File(missing, "out")))));
        }
        assertEquals(new TreeSet<>(before), new TreeSet<>(TestSupport.openFds()), "descriptors after failed pipelines");
        assertEquals(List.of(), TestSupport.zombieChildren(), "stages started before the failure are reaped");
    }

    @ParameterizedTest
    @EnumSource(SpawnMechanism.class)
    @Timeout(60)
    void theBuildersStartASecondPipeline(SpawnMechanism m) throws Exception {
        List<FdProcessBuilder> stages = List.of(new FdProcessBuilder("echo", "again").mechanism(m),
                new FdProcessBuilder("tr", "a-z", "A-Z").mechanism(m));
        for (int round = 0; round < 2; round++) {
            List<Process> ps = FdProcessBuilder.startPipeline(stages);
            assertEquals("AGAIN\n", TestSupport.readAll(ps.get(1).getInputStream()));
            for (Process p : ps) assertEquals(0, p.waitFor());
        }
        assertEquals(Redirect.PIPE, stages.get(0).redirectOutput());
        assertEquals(Redirect.PIPE, stages.get(1).redirectInput());
    }
}
