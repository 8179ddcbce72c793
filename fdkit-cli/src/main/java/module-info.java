/** fdkit cli: the fdkit command. */
module dev.fdkit.cli {
    requires dev.fdkit.core;
    requires dev.fdkit.spawn;
    requires info.picocli;
    requires jdk.attach;
    requires java.management;
    opens dev.fdkit.cli to info.picocli;
    // The bench jar's command runs with the CLI's error conventions (Main.execute).
    exports dev.fdkit.cli to dev.fdkit.bench;
}
