/** fdkit spawn: start children with exactly the descriptors named. */
module dev.fdkit.spawn {
    requires transitive dev.fdkit.core;
    requires jdk.jfr;
    exports dev.fdkit.spawn;
}
