/** fdkit core: close_range, closefrom, detach and descriptor listing through the FFM API. */
module dev.fdkit.core {
    exports dev.fdkit;
    exports dev.fdkit.internal to dev.fdkit.spawn, dev.fdkit.junit, dev.fdkit.cli, dev.fdkit.bench;
}
