package dev.fdkit.agent;

import dev.fdkit.FdInfo;
import dev.fdkit.Fds;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.constant.ClassDesc;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.management.ObjectName;

/**
 * The agent once it runs in its own module layer: opens java.lang and java.io to itself, defines the bridge in
 * java.lang, points the bridge at the router and the opener table, rewrites the JDK methods and registers the
 * MBean.
 */
public final class AgentRuntime implements FdkitAgentMXBean {
    private static final System.Logger LOG = System.getLogger("dev.fdkit.agent");
    private static final String TEMPLATE = "dev.fdkit.agent.bridge.FdkitBridge";

    private final AgentOptions options;
    private final SpawnRouter router;
    private final Openers openers;
    private final JdkHooks hooks;

    private AgentRuntime(AgentOptions options, SpawnRouter router, Openers openers, JdkHooks hooks) {
        this.options = options;
        this.router = router;
        this.openers = openers;
        this.hooks = hooks;
    }

    /**
     * Called by {@link Agent} through reflection, once per JVM.
     *
     * @param inst the JVM's instrumentation
     * @param args the agent's options, or null
     * @throws Exception if the options are wrong or the JDK cannot be instrumented
     */
    public static void start(Instrumentation inst, String args) throws Exception {
        AgentOptions options = AgentOptions.parse(args);
        ObjectName name = new ObjectName(OBJECT_NAME);
        var server = ManagementFactory.getPlatformMBeanServer();
        if (server.isRegistered(name)) {
            throw new IllegalStateException("the fdkit agent already runs in this JVM with "
                    + server.getAttribute(name, "Options") + "; it loads once");
        }
        Module me = AgentRuntime.class.getModule();
        inst.redefineModule(Object.class.getModule(), Set.of(), Map.of(),
                Map.of("java.lang", Set.of(me), "java.io", Set.of(me)), Set.of(), Map.of());
        enableNativeAccess(me);
        Class<?> bridge = defineBridge();

        SpawnRouter router = options.spawn() ? SpawnRouter.create() : null;
        if (router != null && router.unavailableReason() != null) {
            LOG.log(System.Logger.Level.WARNING, "fdkit agent: ProcessBuilder starts keep the JDK's own path: "
                    + router.unavailableReason());
        }
        Openers openers = options.stacks() ? new Openers(options) : null;
        JdkHooks hooks = new JdkHooks(options.spawn(), options.stacks());
        AgentRuntime rt = new AgentRuntime(options, router, openers, hooks);
        rt.connect(bridge);
        server.registerMBean(rt, name);

        inst.addTransformer(hooks, true);
        List<Class<?>> loaded = new ArrayList<>();
        for (String c : hooks.targetClasses()) {
            try {
                loaded.add(Class.forName(c, false, null));
            } catch (ClassNotFoundException e) {
                // not in this JDK: its rules never apply
            }
        }
        try {
            inst.retransformClasses(loaded.toArray(Class<?>[]::new));
        } catch (UnmodifiableClassException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "fdkit agent: the JVM refused to rewrite " + loaded + ": " + e);
        }
    }

    /**
     * Native access for this module alone, as {@code --enable-native-access=dev.fdkit.agent} would give: the public
     * way (ModuleLayer.Controller) is itself a restricted call and would print the warning it exists to avoid.
     */
    private static void enableNativeAccess(Module me) throws ReflectiveOperationException {
        var m = Module.class.getDeclaredMethod("implAddEnableNativeAccess");
        m.setAccessible(true);
        m.invoke(me);
    }

    /** Points the bridge's handles at this runtime's methods. */
    private void connect(Class<?> bridge) throws ReflectiveOperationException {
        MethodHandles.Lookup mine = MethodHandles.lookup();
        MethodHandles.Lookup there = MethodHandles.privateLookupIn(bridge, mine);
        if (router != null) {
            MethodHandle h = mine.findVirtual(SpawnRouter.class, "start", MethodType.methodType(Process.class,
                    String[].class, Map.class, String.class, ProcessBuilder.Redirect[].class, boolean.class))
                    .bindTo(router);
            there.findStaticVarHandle(bridge, "spawn", MethodHandle.class).setVolatile(h);
        }
        if (openers != null) {
            set(there, bridge, "opened", mine.findVirtual(Openers.class, "opened",
                    MethodType.methodType(void.class, int.class, String.class, Throwable.class)));
            set(there, bridge, "openedFd", mine.findVirtual(Openers.class, "openedFd",
                    MethodType.methodType(void.class, FileDescriptor.class, String.class, Throwable.class)));
            set(there, bridge, "closing", mine.findVirtual(Openers.class, "closing",
                    MethodType.methodType(void.class, int.class)));
            set(there, bridge, "closingFd", mine.findVirtual(Openers.class, "closingFd",
                    MethodType.methodType(void.class, FileDescriptor.class)));
        }
    }

    private void set(MethodHandles.Lookup there, Class<?> bridge, String field, MethodHandle h)
            throws ReflectiveOperationException {
        there.findStaticVarHandle(bridge, field, MethodHandle.class).setVolatile(h.bindTo(openers));
    }

    /**
     * Defines the bridge in java.lang, renamed from its template: the JDK's classes there reach it without new
     * module edges, and it needs no file on the boot class path.
     */
    private static Class<?> defineBridge() throws IOException, IllegalAccessException {
        try {
            return Class.forName(JdkHooks.BRIDGE_NAME, false, null); // an earlier agent load that failed later
        } catch (ClassNotFoundException e) {
            // define it below
        }
        byte[] template;
        try (InputStream in = AgentRuntime.class.getResourceAsStream("/" + TEMPLATE.replace('.', '/') + ".class")) {
            if (in == null) throw new IOException("the agent jar lacks " + TEMPLATE);
            template = in.readAllBytes();
        }
        ClassDesc from = ClassDesc.of(TEMPLATE), to = ClassDesc.of(JdkHooks.BRIDGE_NAME);
        CodeTransform rename = (b, e) -> {
            switch (e) {
                case FieldInstruction f when f.owner().asSymbol().equals(from) ->
                        b.fieldAccess(f.opcode(), to, f.name().stringValue(), f.typeSymbol());
                case InvokeInstruction i when i.owner().asSymbol().equals(from) ->
                        b.invoke(i.opcode(), to, i.name().stringValue(), i.typeSymbol(), i.isInterface());
                default -> b.with(e);
            }
        };
        ClassFile cf = ClassFile.of();
        byte[] bytes = cf.transformClass(cf.parse(template), to, ClassTransform.transformingMethodBodies(rename));
        return MethodHandles.privateLookupIn(Object.class, MethodHandles.lookup()).defineClass(bytes);
    }

    @Override
    public String getOptions() {
        return options.toString();
    }

    @Override
    public long getRoutedStarts() {
        return router == null ? 0 : router.routed();
    }

    @Override
    public long getJdkStarts() {
        return router == null ? 0 : router.jdkStarts();
    }

    @Override
    public Map<String, Long> getJdkStartsByReason() {
        return router == null ? Map.of() : router.jdkStartsByReason();
    }

    @Override
    public String getSpawnUnavailableReason() {
        if (router == null) return "spawn=off";
        return router.unavailableReason() == null ? "" : router.unavailableReason();
    }

    @Override
    public List<String> getHooks() {
        return hooks.applied().stream().sorted().toList();
    }

    @Override
    public List<String> getErrors() {
        List<String> out = new ArrayList<>(hooks.errors());
        if (openers != null && openers.errors() > 0) out.add(openers.errors() + " recordings failed");
        return out;
    }

    @Override
    public long getOpenersRecorded() {
        return openers == null ? 0 : openers.recorded();
    }

    @Override
    public OpenDescriptor opener(int fd) {
        Openers.Opening o = openers == null ? null : openers.current(fd);
        return o == null ? null : describe(fd, "", "", o);
    }

    @Override
    public List<OpenDescriptor> getOpenDescriptors() throws IOException {
        List<OpenDescriptor> out = new ArrayList<>();
        for (FdInfo info : Fds.list()) {
            out.add(describe(info.fd(), info.kind().label(), info.name(),
                    openers == null ? null : openers.current(info.fd())));
        }
        return out;
    }

    private static OpenDescriptor describe(int fd, String kind, String name, Openers.Opening o) {
        return o == null
                ? new OpenDescriptor(fd, kind, name, OpenDescriptor.OUTSIDE_JAVA, "", 0, List.of())
                : new OpenDescriptor(fd, kind, name, o.api(), o.thread(), o.epochMillis(), o.frames());
    }
}
