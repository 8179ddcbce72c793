/* Replaced by the spawn child helper. */
int fdkit_spawn_version(void) { return 0; }
