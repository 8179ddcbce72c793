package dev.fdkit.agent;

import java.lang.instrument.Instrumentation;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The agent's entry points, {@code -javaagent:fdkit-agent.jar[=options]} and dynamic attach. They load the same jar
 * again as the module {@code dev.fdkit.agent} of a layer of its own, for two reasons: that one module can be allowed
 * native access (fdkit calls libc through FFM) without the application's flags and without allowing the whole class
 * path, and the agent's fdkit classes never mix with another fdkit version on the application's class path.
 */
public final class Agent {
    private Agent() {}

    /**
     * The entry point for {@code -javaagent:fdkit-agent.jar[=OPTIONS]}.
     *
     * @param args the options, or null
     * @param inst the JVM's instrumentation
     * @throws Exception if the agent cannot start (the JVM then does not start)
     */
    public static void premain(String args, Instrumentation inst) throws Exception {
        start(args, inst);
    }

    /**
     * The entry point for an agent loaded into a running JVM (the Attach API, {@code fdkit agent attach}).
     *
     * @param args the options, or null
     * @param inst the JVM's instrumentation
     * @throws Exception if the agent cannot start
     */
    public static void agentmain(String args, Instrumentation inst) throws Exception {
        start(args, inst);
    }

    private static void start(String args, Instrumentation inst) throws Exception {
        AgentOptions.parse(args); // a bad option stops here, before anything changes
        Path jar = Path.of(Agent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!java.nio.file.Files.isRegularFile(jar)) {
            throw new IllegalStateException("the fdkit agent runs from its jar, but its classes came from " + jar
                    + ": remove that directory from the class path");
        }
        ModuleLayer boot = ModuleLayer.boot();
        Configuration cf = boot.configuration().resolve(ModuleFinder.of(jar), ModuleFinder.of(), Set.of("dev.fdkit.agent"));
        Module module = ModuleLayer.defineModulesWithOneLoader(cf, List.of(boot), ClassLoader.getPlatformClassLoader())
                .layer().findModule("dev.fdkit.agent").orElseThrow();
        Class<?> runtime = Class.forName("dev.fdkit.agent.AgentRuntime", true, module.getClassLoader());
        try {
            runtime.getMethod("start", Instrumentation.class, String.class).invoke(null, inst, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception x) throw x;
            throw e;
        }
    }
}
