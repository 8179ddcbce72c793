package dev.fdkit.agent;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.MethodModel;
import java.lang.classfile.MethodTransform;
import java.lang.classfile.TypeKind;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.instrument.ClassFileTransformer;
import java.lang.reflect.AccessFlag;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rewrites the few JDK methods where a descriptor is opened or closed, and ProcessImpl.start, to call
 * {@code java.lang.FdkitBridge}. Each rule names a call inside a JDK class (the native call that returns or sets
 * the descriptor) and what to hand to the bridge around it; nothing else of the class changes.
 */
final class JdkHooks implements ClassFileTransformer {
    static final String BRIDGE_NAME = "java.lang.FdkitBridge";
    private static final ClassDesc BRIDGE = ClassDesc.of(BRIDGE_NAME);
    private static final ClassDesc FD = ClassDesc.of("java.io.FileDescriptor");
    private static final ClassDesc STRING = ConstantDescs.CD_String;
    private static final ClassDesc INT = ConstantDescs.CD_int;
    private static final String SPAWN_DESC =
            "([Ljava/lang/String;Ljava/util/Map;Ljava/lang/String;[Ljava/lang/ProcessBuilder$Redirect;Z)Ljava/lang/Process;";
    static final String PROCESS_IMPL = "java/lang/ProcessImpl";

    enum Action {
        /** ProcessImpl.start's first act: ask the bridge, return its Process unless null. */
        SPAWN_AT_ENTRY,
        /** The call returns the new descriptor. */
        RESULT_INT,
        /** The call returns two descriptors packed in a long (IOUtil.makePipe). */
        RESULT_PAIR,
        /** The call set {@code this.fd} (FileInputStream.open0 and the like). */
        THIS_FD_AFTER,
        /** The call set a FileDescriptor to the int in local 0 (IOUtil.newFD). */
        LOCAL0_INT_AFTER,
        /** Net.accept: its second argument holds the accepted socket when the result is positive. */
        ACCEPT,
        /** The FileDescriptor about to be closed is on top of the stack. */
        CLOSE_FD_BEFORE,
        /** The int descriptor about to be closed is on top of the stack. */
        CLOSE_INT_BEFORE,
        /** The descriptor about to be closed is the int field {@code fd} of {@code this} (FileCleanable). */
        CLOSE_THIS_FD_FIELD_BEFORE
    }

    /** In class {@code className}, method {@code inMethod} (null: any), each call of owner.name desc gets action. */
    record Rule(String className, String inMethod, String owner, String name, String desc, Action action, String api) {}

    private static final List<Rule> SPAWN_RULES = List.of(
            new Rule(PROCESS_IMPL, "start", null, null, SPAWN_DESC, Action.SPAWN_AT_ENTRY, null));

    private static final List<Rule> STACK_RULES = List.of(
            new Rule("java/io/FileInputStream", null, "java/io/FileInputStream", "open0", "(Ljava/lang/String;)V",
                    Action.THIS_FD_AFTER, "FileInputStream"),
            new Rule("java/io/FileOutputStream", null, "java/io/FileOutputStream", "open0", "(Ljava/lang/String;Z)V",
                    Action.THIS_FD_AFTER, "FileOutputStream"),
            new Rule("java/io/RandomAccessFile", null, "java/io/RandomAccessFile", "open0", "(Ljava/lang/String;I)V",
                    Action.THIS_FD_AFTER, "RandomAccessFile"),
            new Rule("sun/nio/fs/UnixChannelFactory", null, "sun/nio/fs/UnixNativeDispatcher", "open",
                    "(Lsun/nio/fs/UnixPath;II)I", Action.RESULT_INT, "FileChannel"),
            new Rule("sun/nio/fs/UnixChannelFactory", null, "sun/nio/fs/UnixNativeDispatcher", "openat", "(I[BII)I",
                    Action.RESULT_INT, "FileChannel"),
            new Rule("sun/nio/ch/IOUtil", "newFD", "sun/nio/ch/IOUtil", "setfdVal", "(Ljava/io/FileDescriptor;I)V",
                    Action.LOCAL0_INT_AFTER, "channel"),
            new Rule("sun/nio/ch/NioSocketImpl", null, "sun/nio/ch/Net", "accept",
                    "(Ljava/io/FileDescriptor;Ljava/io/FileDescriptor;[Ljava/net/InetSocketAddress;)I", Action.ACCEPT,
                    "accept"),
            new Rule("sun/nio/ch/ServerSocketChannelImpl", null, "sun/nio/ch/Net", "accept",
                    "(Ljava/io/FileDescriptor;Ljava/io/FileDescriptor;[Ljava/net/InetSocketAddress;)I", Action.ACCEPT,
                    "accept"),
            new Rule("sun/nio/ch/ServerSocketChannelImpl", null, "sun/nio/ch/UnixDomainSockets", "accept",
                    "(Ljava/io/FileDescriptor;Ljava/io/FileDescriptor;[Ljava/lang/String;)I", Action.ACCEPT, "accept"),
            new Rule("sun/nio/ch/UnixAsynchronousServerSocketChannelImpl", null, "sun/nio/ch/Net", "accept",
                    "(Ljava/io/FileDescriptor;Ljava/io/FileDescriptor;[Ljava/net/InetSocketAddress;)I", Action.ACCEPT,
                    "accept"),
            new Rule("sun/nio/ch/EPollSelectorImpl", null, "sun/nio/ch/EPoll", "create", "()I", Action.RESULT_INT,
                    "Selector"),
            new Rule("sun/nio/ch/EPollPort", null, "sun/nio/ch/EPoll", "create", "()I", Action.RESULT_INT,
                    "AsynchronousChannelGroup"),
            new Rule("sun/nio/ch/EPollPort", null, "sun/nio/ch/IOUtil", "makePipe", "(Z)J", Action.RESULT_PAIR,
                    "AsynchronousChannelGroup"),
            new Rule("sun/nio/ch/PollSelectorImpl", null, "sun/nio/ch/IOUtil", "makePipe", "(Z)J", Action.RESULT_PAIR,
                    "Selector"),
            new Rule("sun/nio/ch/PipeImpl", null, "sun/nio/ch/IOUtil", "makePipe", "(Z)J", Action.RESULT_PAIR, "Pipe"),
            new Rule("sun/nio/ch/EventFD", null, "sun/nio/ch/EventFD", "eventfd0", "()I", Action.RESULT_INT,
                    "Selector"),
            // Closes: the record goes before the number is free again.
            new Rule("java/io/FileDescriptor", null, "java/io/FileDescriptor", "close0", "()V",
                    Action.CLOSE_FD_BEFORE, null),
            new Rule("sun/nio/ch/UnixDispatcher", null, "sun/nio/ch/UnixDispatcher", "close0",
                    "(Ljava/io/FileDescriptor;)V", Action.CLOSE_FD_BEFORE, null),
            // The Cleaner's close of a stream or RandomAccessFile that was never closed: native, not close0.
            new Rule("java/io/FileCleanable", "performCleanup", "java/io/FileCleanable", "cleanupClose0", "(IJ)V",
                    Action.CLOSE_THIS_FD_FIELD_BEFORE, null),
            new Rule("sun/nio/ch/EPollSelectorImpl", null, "sun/nio/ch/FileDispatcherImpl", "closeIntFD", "(I)V",
                    Action.CLOSE_INT_BEFORE, null),
            new Rule("sun/nio/ch/EPollPort", null, "sun/nio/ch/FileDispatcherImpl", "closeIntFD", "(I)V",
                    Action.CLOSE_INT_BEFORE, null),
            new Rule("sun/nio/ch/EventFD", null, "sun/nio/ch/FileDispatcherImpl", "closeIntFD", "(I)V",
                    Action.CLOSE_INT_BEFORE, null),
            new Rule("sun/nio/ch/PollSelectorImpl", null, "sun/nio/ch/FileDispatcherImpl", "closeIntFD", "(I)V",
                    Action.CLOSE_INT_BEFORE, null));

    private final Map<String, List<Rule>> rulesByClass = new HashMap<>();
    /** "class.method: owner.name" of each rule that found its call, for the status and the tests. */
    private final Set<String> applied = ConcurrentHashMap.newKeySet();
    private final List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();

    JdkHooks(boolean spawn, boolean stacks) {
        List<Rule> all = new ArrayList<>();
        if (spawn) all.addAll(SPAWN_RULES);
        if (stacks) all.addAll(STACK_RULES);
        for (Rule r : all) rulesByClass.computeIfAbsent(r.className(), k -> new ArrayList<>()).add(r);
    }

    /** The binary names of the JDK classes this rewrites. */
    List<String> targetClasses() {
        return rulesByClass.keySet().stream().map(n -> n.replace('/', '.')).sorted().toList();
    }

    Set<String> applied() {
        return Set.copyOf(applied);
    }

    List<String> errors() {
        return List.copyOf(errors);
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                            ProtectionDomain domain, byte[] bytes) {
        if (loader != null || className == null) return null;
        List<Rule> rules = rulesByClass.get(className);
        if (rules == null) return null;
        try {
            return rewrite(className, bytes, rules);
        } catch (Throwable t) { // the JVM would drop it silently; the status shows it
            errors.add(className + ": " + t);
            return null;
        }
    }

    private byte[] rewrite(String className, byte[] bytes, List<Rule> rules) {
        ClassModel model = ClassFile.of().parse(bytes);
        ClassDesc self = ClassDesc.ofInternalName(className);
        // Stack maps need supertypes: the class being defined answers for itself (loading it now would be circular),
        // the others are read from their class files, never loaded.
        ClassHierarchyResolver own = ClassHierarchyResolver.of(
                (model.flags().has(AccessFlag.INTERFACE) ? Set.of(self) : Set.of()),
                model.superclass().map(sup -> Map.of(self, sup.asSymbol())).orElse(Map.of()));
        ClassFile cf = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
                own.orElse(ClassHierarchyResolver.ofResourceParsing(ClassLoader.getSystemClassLoader()))));
        ClassTransform transform = (cb, element) -> {
            if (element instanceof MethodModel m) {
                String name = m.methodName().stringValue(), desc = m.methodType().stringValue();
                List<Rule> mine = rules.stream().filter(r -> r.inMethod() == null
                        || (r.inMethod().equals(name) && (r.action() != Action.SPAWN_AT_ENTRY || r.desc().equals(desc))))
                        .toList();
                if (mine.isEmpty()) {
                    cb.with(element);
                } else {
                    cb.transformMethod(m, MethodTransform.transformingCode(new CallSites(self, name, mine)));
                }
            } else {
                cb.with(element);
            }
        };
        return cf.transformClass(model, transform);
    }

    private final class CallSites implements CodeTransform {
        private final ClassDesc self;
        private final String method;
        private final List<Rule> rules;

        CallSites(ClassDesc self, String method, List<Rule> rules) {
            this.self = self;
            this.method = method;
            this.rules = rules;
        }

        @Override
        public void atStart(CodeBuilder b) {
            for (Rule r : rules) {
                if (r.action() != Action.SPAWN_AT_ENTRY) continue;
                var redirects = ClassDesc.of("java.lang.ProcessBuilder$Redirect").arrayType();
                b.aload(0).aload(1).aload(2).aload(3).iload(4)
                        .invokestatic(BRIDGE, "start", MethodTypeDesc.of(ClassDesc.of("java.lang.Process"),
                                ConstantDescs.CD_String.arrayType(), ConstantDescs.CD_Map, STRING, redirects,
                                ConstantDescs.CD_boolean));
                var jdkPath = b.newLabel();
                b.dup().ifnull(jdkPath).areturn().labelBinding(jdkPath).pop();
                applied.add(r.className() + "." + method + ": entry");
            }
        }

        @Override
        public void accept(CodeBuilder b, CodeElement e) {
            Rule r = e instanceof InvokeInstruction inv ? match(inv) : null;
            if (r == null) {
                b.with(e);
                return;
            }
            applied.add(r.className() + "." + method + ": " + r.owner() + "." + r.name());
            switch (r.action()) {
                case RESULT_INT -> b.with(e).ldc(r.api()).invokestatic(BRIDGE, "opened",
                        MethodTypeDesc.of(INT, INT, STRING));
                case RESULT_PAIR -> b.with(e).ldc(r.api()).invokestatic(BRIDGE, "openedPair",
                        MethodTypeDesc.of(ConstantDescs.CD_long, ConstantDescs.CD_long, STRING));
                case THIS_FD_AFTER -> b.with(e).aload(0).getfield(self, "fd", FD).ldc(r.api())
                        .invokestatic(BRIDGE, "openedFd", MethodTypeDesc.of(FD, FD, STRING)).pop();
                case LOCAL0_INT_AFTER -> b.with(e).iload(0).ldc(r.api())
                        .invokestatic(BRIDGE, "opened", MethodTypeDesc.of(INT, INT, STRING)).pop();
                case ACCEPT -> accept(b, (InvokeInstruction) e, r);
                case CLOSE_FD_BEFORE -> b.invokestatic(BRIDGE, "closingFd", MethodTypeDesc.of(FD, FD)).with(e);
                case CLOSE_INT_BEFORE -> b.invokestatic(BRIDGE, "closing", MethodTypeDesc.of(INT, INT)).with(e);
                case CLOSE_THIS_FD_FIELD_BEFORE -> b.aload(0).getfield(self, "fd", INT)
                        .invokestatic(BRIDGE, "closing", MethodTypeDesc.of(INT, INT)).pop().with(e);
                case SPAWN_AT_ENTRY -> b.with(e);
            }
        }

        /** Keeps the arguments in new locals so the accepted descriptor (argument 1) can be read after the call. */
        private void accept(CodeBuilder b, InvokeInstruction inv, Rule r) {
            var params = inv.typeSymbol().parameterList();
            int[] slots = new int[params.size()];
            for (int i = params.size() - 1; i >= 0; i--) {
                TypeKind k = TypeKind.from(params.get(i));
                slots[i] = b.allocateLocal(k);
                b.storeLocal(k, slots[i]);
            }
            for (int i = 0; i < params.size(); i++) b.loadLocal(TypeKind.from(params.get(i)), slots[i]);
            b.with(inv).aload(slots[1]).ldc(r.api())
                    .invokestatic(BRIDGE, "accepted", MethodTypeDesc.of(INT, INT, FD, STRING));
        }

        private Rule match(InvokeInstruction inv) {
            for (Rule r : rules) {
                if (r.action() == Action.SPAWN_AT_ENTRY) continue;
                if (r.owner().equals(inv.owner().asInternalName()) && r.name().equals(inv.name().stringValue())
                        && r.desc().equals(inv.type().stringValue())) {
                    return r;
                }
            }
            return null;
        }
    }
}
