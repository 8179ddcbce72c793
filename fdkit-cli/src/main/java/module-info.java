/**
 * fdkit cli: the fdkit command. picocli is compiled into this module (see the build), so its package is here.
 */
module dev.fdkit.cli {
    requires dev.fdkit.core;
    requires dev.fdkit.spawn;
    requires jdk.attach;
    requires java.management;
    // The bench jar's command runs with the CLI's error conventions (Main.execute) and the same picocli.
    exports dev.fdkit.cli to dev.fdkit.bench;
    exports picocli to dev.fdkit.bench;
}
