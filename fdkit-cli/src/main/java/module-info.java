/** fdkit cli: the fdkit command. */
module dev.fdkit.cli {
    requires dev.fdkit.core;
    requires dev.fdkit.spawn;
    requires dev.fdkit.bench;
    requires info.picocli;
    requires jdk.attach;
    requires java.management;
    opens dev.fdkit.cli to info.picocli;
}
