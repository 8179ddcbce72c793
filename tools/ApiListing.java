import java.io.IOException;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassSignature;
import java.lang.classfile.FieldModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.MethodSignature;
import java.lang.classfile.Signature;
import java.lang.classfile.attribute.InnerClassInfo;
import java.lang.constant.ClassDesc;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.AccessFlag;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Writes, or checks, the listing of a module's public API: every public type of the packages its module-info
 * exports to everyone, with each public and protected member's signature, read from the compiled classes
 * (MODULE/target/classes) into MODULE/api.txt. An API change then shows up as a diff of that file.
 *
 * <pre>
 *   java tools/ApiListing.java MODULE...           write MODULE/api.txt
 *   java tools/ApiListing.java --check MODULE...   exit 1, with the difference, where api.txt is not current
 * </pre>
 * Needs JDK 24 or newer (the class-file API); bin/api finds one and builds first.
 */
public class ApiListing {
    static final String REGENERATE = "bin/api";

    public static void main(String[] args) throws IOException {
        boolean check = args.length > 0 && args[0].equals("--check");
        List<String> modules = List.of(args).subList(check ? 1 : 0, args.length);
        if (modules.isEmpty()) {
            System.err.println("usage: java tools/ApiListing.java [--check] MODULE_DIR...");
            System.exit(2);
        }
        boolean stale = false;
        for (String m : modules) {
            Path dir = Path.of(m).toAbsolutePath().normalize();
            String listing = listing(dir.resolve("target/classes"));
            Path file = dir.resolve("api.txt");
            if (!check) {
                Files.writeString(file, listing);
                continue;
            }
            String recorded = Files.exists(file) ? Files.readString(file) : "";
            if (!recorded.equals(listing)) {
                stale = true;
                System.err.println("The public API of " + dir.getFileName() + " differs from " + file + ":");
                System.err.print(difference(recorded, listing));
                System.err.println("If the change is meant, regenerate the listing with: " + REGENERATE);
            }
        }
        if (stale) System.exit(1);
    }

    /** Lines only in the recorded listing ("-", removed) and only in the compiled classes ("+", added). */
    static String difference(String recorded, String current) {
        Set<String> was = qualified(recorded);
        Set<String> is = qualified(current);
        StringBuilder sb = new StringBuilder();
        for (String l : was) if (!is.contains(l)) sb.append("- ").append(l).append('\n');
        for (String l : is) if (!was.contains(l)) sb.append("+ ").append(l).append('\n');
        return sb.toString();
    }

    /** The listing's lines, each member line prefixed with its type's name, so a difference says where. */
    static Set<String> qualified(String listing) {
        Set<String> lines = new TreeSet<>();
        String type = "";
        for (String l : listing.lines().toList()) {
            if (l.isBlank()) continue;
            if (l.startsWith("  ")) {
                lines.add(type + ": " + l.strip());
            } else {
                String[] words = l.split(" ");
                type = words.length > 1 ? words[1] : l;
                lines.add(l);
            }
        }
        return lines;
    }

    static String listing(Path classes) throws IOException {
        Path info = classes.resolve("module-info.class");
        if (!Files.exists(info)) throw new IOException("no " + info + ": build the module first");
        ModuleDescriptor module;
        try (var in = Files.newInputStream(info)) {
            module = ModuleDescriptor.read(in);
        }
        Set<String> exported = module.exports().stream().filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        List<String> types = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                String name = classes.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "");
                int dot = name.lastIndexOf('.');
                if (dot < 0 || !exported.contains(name.substring(0, dot))) continue;
                ClassModel c = ClassFile.of().parse(Files.readAllBytes(p));
                if (isPublicType(c)) types.add(type(c));
            }
        }
        StringBuilder sb = new StringBuilder("module " + module.name() + "\n");
        types.stream().sorted().forEach(t -> sb.append('\n').append(t));
        return sb.toString();
    }

    /** Public, and for a nested type public as declared (the InnerClasses entry), in every enclosing type too. */
    static boolean isPublicType(ClassModel c) {
        if (!c.flags().has(AccessFlag.PUBLIC)) return false;
        String self = c.thisClass().asInternalName();
        for (InnerClassInfo i : c.findAttribute(Attributes.innerClasses()).map(a -> a.classes()).orElse(List.of())) {
            if (i.innerClass().asInternalName().equals(self) && !i.flags().contains(AccessFlag.PUBLIC)) return false;
        }
        return true;
    }

    static String type(ClassModel c) {
        Set<AccessFlag> flags = c.flags().flags();
        String kind = flags.contains(AccessFlag.ANNOTATION) ? "@interface" : flags.contains(AccessFlag.INTERFACE)
                ? "interface" : flags.contains(AccessFlag.ENUM) ? "enum"
                : c.findAttribute(Attributes.record()).isPresent() ? "record" : "class";
        StringBuilder sb = new StringBuilder(kind).append(' ').append(name(c.thisClass().asSymbol()));
        String modifiers = modifiers(flags, kind.equals("class"));
        if (!modifiers.isEmpty()) sb.append(" (").append(modifiers.strip()).append(')');
        var signature = c.findAttribute(Attributes.signature()).map(s -> s.asClassSignature());
        if (signature.isPresent()) {
            ClassSignature s = signature.get();
            if (!s.typeParameters().isEmpty()) sb.append(typeParameters(s.typeParameters()));
            if (kind.equals("class")) sb.append(" extends ").append(sig(s.superclassSignature()));
            if (!s.superinterfaceSignatures().isEmpty()) {
                sb.append(kind.equals("interface") ? " extends " : " implements ")
                        .append(s.superinterfaceSignatures().stream().map(ApiListing::sig)
                                .collect(Collectors.joining(", ")));
            }
        } else {
            if (kind.equals("class") && c.superclass().isPresent()) {
                sb.append(" extends ").append(name(c.superclass().get().asSymbol()));
            }
            if (!c.interfaces().isEmpty() && !kind.equals("@interface")) {
                sb.append(kind.equals("interface") ? " extends " : " implements ").append(c.interfaces().stream()
                        .map(i -> name(i.asSymbol())).collect(Collectors.joining(", ")));
            }
        }
        sb.append('\n');
        List<String> members = new ArrayList<>();
        for (FieldModel f : c.fields()) {
            Set<AccessFlag> ff = f.flags().flags();
            if (!visible(ff) || ff.contains(AccessFlag.SYNTHETIC)) continue;
            String t = f.findAttribute(Attributes.signature()).map(s -> sig(s.asTypeSignature()))
                    .orElse(name(f.fieldTypeSymbol()));
            members.add("field " + modifiers(ff, false) + t + " " + f.fieldName().stringValue());
        }
        for (MethodModel m : c.methods()) {
            Set<AccessFlag> mf = m.flags().flags();
            if (!visible(mf) || mf.contains(AccessFlag.SYNTHETIC) || mf.contains(AccessFlag.BRIDGE)) continue;
            members.add(method(c, m, mf));
        }
        members.stream().sorted().forEach(l -> sb.append("  ").append(l).append('\n'));
        return sb.toString();
    }

    static String method(ClassModel c, MethodModel m, Set<AccessFlag> flags) {
        String name = m.methodName().stringValue();
        boolean constructor = name.equals("<init>");
        if (name.equals("<clinit>")) return "";
        List<String> params;
        String returns;
        String typeParams = "";
        var signature = m.findAttribute(Attributes.signature()).map(s -> s.asMethodSignature());
        if (signature.isPresent()) {
            MethodSignature s = signature.get();
            params = s.arguments().stream().map(ApiListing::sig).collect(Collectors.toCollection(ArrayList::new));
            returns = sig(s.result());
            if (!s.typeParameters().isEmpty()) typeParams = typeParameters(s.typeParameters()) + " ";
        } else {
            params = m.methodTypeSymbol().parameterList().stream().map(ApiListing::name)
                    .collect(Collectors.toCollection(ArrayList::new));
            returns = name(m.methodTypeSymbol().returnType());
        }
        if (flags.contains(AccessFlag.VARARGS) && !params.isEmpty()) {
            String last = params.removeLast();
            params.add(last.substring(0, last.length() - 2) + "...");
        }
        String exceptions = m.findAttribute(Attributes.exceptions())
                .map(e -> e.exceptions().stream().map(x -> name(x.asSymbol())).sorted()
                        .collect(Collectors.joining(", ", " throws ", "")))
                .orElse("");
        String shown = constructor ? name(c.thisClass().asSymbol()) : returns + " " + name;
        return (constructor ? "constructor " : "method ") + modifiers(flags, false) + typeParams + shown + "("
                + String.join(", ", params) + ")" + exceptions;
    }

    static boolean visible(Set<AccessFlag> flags) {
        return flags.contains(AccessFlag.PUBLIC) || flags.contains(AccessFlag.PROTECTED);
    }

    static String modifiers(Set<AccessFlag> flags, boolean abstractMatters) {
        StringBuilder sb = new StringBuilder();
        for (AccessFlag f : List.of(AccessFlag.PUBLIC, AccessFlag.PROTECTED, AccessFlag.STATIC, AccessFlag.FINAL,
                AccessFlag.ABSTRACT)) {
            if (!flags.contains(f)) continue;
            if (f == AccessFlag.ABSTRACT && !abstractMatters && flags.contains(AccessFlag.INTERFACE)) continue;
            sb.append(f.name().toLowerCase()).append(' ');
        }
        return sb.toString();
    }

    static String typeParameters(List<Signature.TypeParam> params) {
        return params.stream().map(p -> {
            List<Signature.RefTypeSig> bounds = new ArrayList<>();
            p.classBound().ifPresent(bounds::add);
            bounds.addAll(p.interfaceBounds());
            bounds.removeIf(b -> sig(b).equals("java.lang.Object"));
            return p.identifier() + (bounds.isEmpty() ? "" : " extends "
                    + bounds.stream().map(ApiListing::sig).collect(Collectors.joining(" & ")));
        }).collect(Collectors.joining(", ", "<", ">"));
    }

    static String sig(Signature s) {
        return switch (s) {
            case Signature.BaseTypeSig b -> name(ClassDesc.ofDescriptor(String.valueOf(b.baseType())));
            case Signature.ArrayTypeSig a -> sig(a.componentSignature()) + "[]";
            case Signature.TypeVarSig v -> v.identifier();
            case Signature.ClassTypeSig c -> c.outerType().map(o -> sig(o) + "." + c.className())
                    .orElse(c.className().replace('/', '.'))
                    + (c.typeArgs().isEmpty() ? "" : c.typeArgs().stream().map(ApiListing::typeArg)
                            .collect(Collectors.joining(", ", "<", ">")));
        };
    }

    static String typeArg(Signature.TypeArg a) {
        return switch (a) {
            case Signature.TypeArg.Unbounded u -> "?";
            case Signature.TypeArg.Bounded b -> switch (b.wildcardIndicator()) {
                case NONE -> sig(b.boundType());
                case EXTENDS -> "? extends " + sig(b.boundType());
                case SUPER -> "? super " + sig(b.boundType());
            };
        };
    }

    static String name(ClassDesc d) {
        if (d.isArray()) return name(d.componentType()) + "[]";
        if (d.isPrimitive()) return d.displayName();
        String pkg = d.packageName();
        return (pkg.isEmpty() ? "" : pkg + ".") + d.displayName();
    }
}
