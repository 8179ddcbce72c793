/** An application using fdkit; on the module path it names fdkit's modules, on the class path this is ignored. */
module com.example.consumer {
    requires dev.fdkit.spawn; // and, transitively, dev.fdkit.core
}
