/** fdkit spawn: start children with exactly the descriptors named. */
module dev.fdkit.spawn {
    requires transitive dev.fdkit.core;
    exports dev.fdkit.spawn;
}
